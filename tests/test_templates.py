"""Templates: blank workbooks match the committed ones, filled ones read back, the CLI command."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assaykit.cli import main
from assaykit.errors import LayoutError, OutputError
from assaykit.layout import BINDING_ROLES, read_layout
from assaykit.layout._vocab import FRACTIONS, UNITS, molar_from, nice_unit
from assaykit.layout.templates import SHEETS, example_layout, fill_template, write_template
from tests.conftest import REPO

COMMITTED = REPO / "templates"


def _snapshot(path: Path) -> dict[str, object]:
    """Everything a user sees in a workbook except the bytes: sheets, values, validations."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, object] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        out[f"{ws.title}:state"] = ws.sheet_state
        out[f"{ws.title}:values"] = [list(r) for r in ws.iter_rows(values_only=True)]
        out[f"{ws.title}:validations"] = sorted(
            (str(dv.sqref), dv.type, dv.formula1, dv.errorStyle, dv.prompt or "")
            for dv in ws.data_validations.dataValidation
        )
    return out


@pytest.mark.parametrize("kind", ["binding", "uptake"])
def test_committed_template_is_current(kind: str, tmp_path: Path) -> None:
    committed = COMMITTED / f"{kind}_template.xlsx"
    assert committed.exists(), f"regenerate with: assaykit template {kind} -o {committed} --force"
    fresh = write_template(kind, tmp_path / "fresh.xlsx")
    assert _snapshot(fresh) == _snapshot(committed), (
        f"templates/{kind}_template.xlsx is out of date: assaykit template {kind} -o templates/{kind}_template.xlsx --force"
    )


@pytest.mark.parametrize("kind", ["binding", "uptake"])
@pytest.mark.parametrize("plate_size", [96, 384])
def test_blank_template_structure(kind: str, plate_size: int, tmp_path: Path) -> None:
    path = write_template(kind, tmp_path / "t.xlsx", plate_size=plate_size)
    wb = openpyxl.load_workbook(path)
    assert tuple(wb.sheetnames) == SHEETS
    assert wb["Lists"].sheet_state == "hidden"
    wells = wb["Wells"]
    header = [c.value for c in wells[1]]
    assert header[:3] == ["plate", "well", "role"]
    listed = [r[1] for r in wells.iter_rows(min_row=2, values_only=True) if r[1]]
    assert len(listed) == plate_size and listed[0] == "A01"
    tubes_header = [c.value for c in wb["Tubes"][1]]
    assert tubes_header[:4] == ["rack", "position", "sample", "role"]
    if kind == "uptake":
        assert {"fraction", "time (min)", "condition", "cells per well", "protein mg"} <= set(
            tubes_header
        )
    formulas = {dv.formula1 for dv in wells.data_validations.dataValidation}
    assert any(f.startswith("Lists!$A$") for f in formulas)  # roles
    lists = wb["Lists"]
    roles = [r[0] for r in lists.iter_rows(min_row=2, values_only=True) if r[0]]
    assert tuple(roles) == (BINDING_ROLES if kind == "binding" else ("sample", "blank", "standard"))
    units = [r[1] for r in lists.iter_rows(min_row=2, values_only=True) if r[1]]
    assert units == list(UNITS)
    instructions = "\n".join(
        str(r[0]) for r in wb["Instructions"].iter_rows(values_only=True) if r[0]
    )
    assert "competitor" in instructions or "internalized" in instructions
    assert "reference time" in instructions
    experiment = [r[0] for r in wb["Experiment"].iter_rows(values_only=True) if r and r[0]]
    assert "isotope" in experiment and "reference time" in experiment


def test_blank_template_is_refused_as_a_layout(tmp_path: Path) -> None:
    path = write_template("binding", tmp_path / "blank.xlsx")
    with pytest.raises(LayoutError, match="plate map is empty"):
        read_layout(path)


def test_write_template_refuses_overwrite_and_bad_arguments(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"keep me")
    with pytest.raises(OutputError, match="exists; use --force"):
        write_template("binding", path)
    assert path.read_bytes() == b"keep me"
    write_template("binding", path, force=True)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Instructions"
    with pytest.raises(LayoutError, match=r"unknown template kind 'uptak'.*did you mean 'uptake'"):
        write_template("uptak", tmp_path / "u.xlsx")
    with pytest.raises(LayoutError, match="plate size must be 96 or 384"):
        write_template("binding", tmp_path / "u.xlsx", plate_size=48)
    with pytest.raises(LayoutError, match=r"\.xlsx file"):
        write_template("binding", tmp_path / "u.csv")
    assert not (tmp_path / "u.xlsx").exists()


# --------------------------------------------------------------------------------------------
# CLI


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    return int(exc.value.code or 0)


def test_cli_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "b.xlsx"
    assert _run(["template", "binding", "-o", str(out)]) == 0
    assert openpyxl.load_workbook(out).sheetnames == list(SHEETS)
    capsys.readouterr()
    assert _run(["template", "binding", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "exists; use --force" in err
    assert _run(["template", "uptake", "-o", str(out), "--force", "--plate-size", "384"]) == 0
    wb = openpyxl.load_workbook(out)
    assert sum(1 for r in wb["Wells"].iter_rows(min_row=2, values_only=True) if r[1]) == 384
    capsys.readouterr()
    assert _run(["template", "kinetix", "-o", str(tmp_path / "s.xlsx")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert "unknown value 'kinetix'; expected one of binding, uptake" in err
    assert not (tmp_path / "s.xlsx").exists()


# --------------------------------------------------------------------------------------------
# fill → read round trips


def _binding_plate_layout(plate_size: int, plates: bool) -> pd.DataFrame:
    wells = ["A1", "A2", "B1", "B2", "C1", "C2"]
    if plate_size == 384:
        wells += ["P24", "O23"]
    roles = [
        "total",
        "nsb",
        "competitor",
        "competitor",
        "blank",
        "standard",
        "competitor",
        "competitor",
    ]
    n = len(wells)
    df = pd.DataFrame(
        {
            "well": wells,
            "role": roles[:n],
            "compound": ["", "FC131", "FC131", "AMD3100", "", "", "Pentixafor", "Pentixafor"][:n],
            "conc": [None, 1e-6, 3e-9, 2.5e-7, None, None, 1e-12, 4.2e-5][:n],
        }
    )
    if plates:
        df.insert(0, "plate", [1, 1, 1, 2, 2, 2, 2, 2][:n])
    return df


@pytest.mark.parametrize("plate_size", [96, 384])
@pytest.mark.parametrize("plates", [False, True])
def test_round_trip_binding_wells(plate_size: int, plates: bool, tmp_path: Path) -> None:
    layout = _binding_plate_layout(plate_size, plates)
    experiment = {
        "experiment_id": "E1",
        "radioligand": "[125I]FC131",
        "radioligand_conc_M": 1e-10,
        "radioligand_kd_M": (4.1, "nM"),
        "isotope": "I-125",
        "reference_time": "2026-03-12 14:05",
        "cells_per_well": 2e5,
        "added_counts_cpm": 51234.0,
        "plate_size": plate_size,
    }
    path = fill_template("binding", tmp_path / "f.xlsx", layout, experiment)
    back = read_layout(path)
    assert back.attrs["kind"] == "binding"
    exp = back.attrs["experiment"]
    assert exp["radioligand_conc_M"] == 1e-10
    assert exp["radioligand_kd_M"] == pytest.approx(4.1e-9, rel=1e-12)
    assert exp["reference_time"] == pd.Timestamp("2026-03-12 14:05")
    assert exp["isotope"] == "I-125" and exp["added_counts_cpm"] == 51234.0
    assert exp["plate_size"] == plate_size
    assert list(back["well"]) == [w if len(w) == 3 else w[0] + "0" + w[1] for w in layout["well"]]
    assert list(back["role"]) == list(layout["role"])
    assert list(back["compound"]) == list(layout["compound"])
    for a, b in zip(back["conc"], layout["conc"], strict=True):
        assert (math.isnan(a) and (b is None or math.isnan(b))) or a == pytest.approx(b, rel=1e-12)
    if plates:
        assert list(back["plate"]) == list(layout["plate"])
    else:
        assert back["plate"].isna().all()


@pytest.mark.parametrize("kind", ["binding", "uptake"])
def test_round_trip_example_tubes(kind: str, tmp_path: Path) -> None:
    layout, experiment = example_layout(kind)
    path = fill_template(kind, tmp_path / "f.xlsx", layout, experiment)
    back = read_layout(path)
    cols = [c for c in layout.columns if c != "conc"]
    pd.testing.assert_frame_equal(back[cols], layout[cols], check_dtype=False)
    if "conc" in layout:
        assert (back["conc"].fillna(-1) == layout["conc"].fillna(-1)).all()
    assert back.attrs["experiment"] == experiment
    # and the layout frame itself passes through fill_template unchanged
    again = read_layout(fill_template(kind, tmp_path / "g.xlsx", back))
    pd.testing.assert_frame_equal(again, back, check_dtype=False)


def test_fill_template_neutralises_formulas(tmp_path: Path) -> None:
    layout = pd.DataFrame(
        {"well": ["A1"], "role": ["competitor"], "compound": ["=HYPERLINK(1)"], "conc": [1e-9]}
    )
    path = fill_template("binding", tmp_path / "f.xlsx", layout, {})
    cell = openpyxl.load_workbook(path)["Wells"]["D2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert read_layout(path)["compound"].iloc[0] == "=HYPERLINK(1)"


def test_fill_template_checks_the_layout(tmp_path: Path) -> None:
    bad = pd.DataFrame({"well": ["A1", "A1"], "role": ["total", "total"]})
    with pytest.raises(LayoutError, match=r"row 2 \(well\): duplicate well A01"):
        fill_template("binding", tmp_path / "f.xlsx", bad, {})
    assert not (tmp_path / "f.xlsx").exists()


_conc = st.one_of(st.none(), st.floats(min_value=1e-13, max_value=1e-2, allow_nan=False))


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    data=st.lists(
        st.tuples(
            st.integers(0, 383),
            st.sampled_from(BINDING_ROLES),
            _conc,
            st.text("abcXYZ 19-", max_size=8),
        ),
        min_size=1,
        max_size=30,
        unique_by=lambda t: t[0],
    )
)
def test_random_binding_layouts_round_trip(
    data: list[tuple[int, str, float | None, str]], tmp_path: Path
) -> None:
    from assaykit.plate import iter_wells

    wells = iter_wells(384)
    rows = []
    for k, role, conc, compound in data:
        if role == "competitor":
            conc = conc or 1e-9
            compound = compound.strip() or "X"
        rows.append({"well": wells[k], "role": role, "compound": compound, "conc": conc})
    layout = pd.DataFrame(rows)
    path = fill_template("binding", tmp_path / "r.xlsx", layout, {"plate_size": 384}, force=True)
    back = read_layout(path)
    assert list(back["well"]) == list(layout["well"])
    assert list(back["role"]) == list(layout["role"])
    assert list(back["compound"]) == [" ".join(c.split()) for c in layout["compound"]]
    for a, b in zip(back["conc"], layout["conc"], strict=True):
        assert (math.isnan(a) and (b is None or math.isnan(b))) or a == pytest.approx(b, rel=1e-11)


@given(
    st.floats(min_value=1e-15, max_value=10, allow_nan=False),
    st.sampled_from(list(UNITS)),
)
def test_unit_conversion_round_trip(conc_m: float, unit: str) -> None:
    value = conc_m * {"M": 1, "mM": 1e3, "µM": 1e6, "uM": 1e6, "nM": 1e9, "pM": 1e12}[unit]
    assert molar_from(value, unit) == pytest.approx(conc_m, rel=1e-14)
    nice = nice_unit(conc_m)
    shown = conc_m * {"M": 1, "mM": 1e3, "µM": 1e6, "nM": 1e9, "pM": 1e12}[nice]
    assert molar_from(float(f"{shown:.12g}"), nice) == pytest.approx(conc_m, rel=1e-11)
    if conc_m >= 1e-12:
        assert 1 - 1e-9 <= shown < 1000


def test_uptake_fractions_offered_are_the_ones_the_reader_accepts(tmp_path: Path) -> None:
    """Every fraction in the template's drop-down list is read back as itself; the three
    fractions of an acid-wash protocol (DOMAIN §2.1) are all offered."""
    from assaykit.layout._vocab import FRACTION_SYNONYMS, canonical

    path = write_template("uptake", tmp_path / "uptake.xlsx")
    ws = openpyxl.load_workbook(path)["Lists"]
    header = [c.value for c in ws[1]]
    col = header.index("fraction") + 1
    offered = [
        ws.cell(row=r, column=col).value
        for r in range(2, ws.max_row + 1)
        if ws.cell(row=r, column=col).value
    ]
    assert {"supernatant", "surface", "internalized"} <= set(offered)
    for word in offered:
        assert canonical(word, FRACTIONS, FRACTION_SYNONYMS, what="fraction") == word
    # the lab's own words for the acid-wash fractions are read as the canonical ones
    assert canonical("Acid wash", FRACTIONS, FRACTION_SYNONYMS, what="fraction") == "surface"
    assert canonical("lysate", FRACTIONS, FRACTION_SYNONYMS, what="fraction") == "internalized"
