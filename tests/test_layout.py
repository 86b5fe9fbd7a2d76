"""read_layout / layout_from_frame / annotate: tolerant reading, one clear message per mistake."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.errors import LayoutError
from assaykit.io._text import counter_frame, plate_frame
from assaykit.layout import annotate, experiment_from_dict, layout_from_frame, read_layout
from assaykit.layout.templates import example_layout, fill_template, write_template
from assaykit.plate import iter_wells
from tests.conftest import DATA, shared_path

LAYOUTS = DATA / "layouts"


_BLANKS: dict[str, bytes] = {}


def _blank(kind: str, tmp_path: Path) -> bytes:
    """The bytes of a blank template (written once per kind: the tests edit copies)."""
    if kind not in _BLANKS:
        _BLANKS[kind] = write_template(kind, tmp_path / f"blank-{kind}.xlsx").read_bytes()
    return _BLANKS[kind]


def _hand_filled(
    tmp_path: Path,
    rows: list[list[Any]],
    *,
    kind: str = "binding",
    sheet: str = "Wells",
    experiment: dict[str, tuple[Any, Any]] | None = None,
    header: list[str] | None = None,
    name: str = "filled.xlsx",
) -> Path:
    """A blank template filled in as a person would: rows typed below the header from row 2."""
    path = tmp_path / name
    path.write_bytes(_blank(kind, tmp_path))
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    ws.delete_rows(2, ws.max_row)
    if header is not None:
        for j, text in enumerate(header, start=1):
            ws.cell(row=1, column=j, value=text)
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    exp = wb["Experiment"]
    for label, (value, unit) in (experiment or {}).items():
        for r in range(1, exp.max_row + 1):
            if str(exp.cell(row=r, column=1).value).lower() == label.lower():
                exp.cell(row=r, column=1).value = label
                exp.cell(row=r, column=2).value = value
                exp.cell(row=r, column=3).value = unit
                break
        else:
            r = exp.max_row + 1
            exp.cell(row=r, column=1, value=label)
            exp.cell(row=r, column=2, value=value)
    wb.save(path)
    return path


# Wells columns: plate, well, role, compound, concentration, unit, replicate, notes
GOOD_WELLS = [
    [None, "A1", "total", None, None, None, 1],
    [None, "A2", "total", None, None, None, 2],
    [None, "B1", "nsb", "FC131", 1, "µM", None],
    [None, "C1", "competitor", "FC131", 10, "nM", None],
    [None, "C2", "competitor", "FC131", 10, "nM", None],
]


def test_messy_but_valid_template(tmp_path: Path) -> None:
    rows = [
        [None, " a1 ", "TB ", None, None, None, "1"],
        [],  # a blank line in the middle
        [None, "A02", "Total", "", "", "", 2.0],
        [None, "b1", "NSB", " FC131 ", "1", "uM", None],
        [None, "C1", "competitor", "FC131", "1,5", " nm", None],
        [None, "C2", "COMPETITOR", "FC131", 1.5, "nM", None],
        [None, "D1", "bkg", None, None, None, None],
        [None, "D2", "added", None, None, None, None],
        [None, "H12", None, None, None, None, None],  # pre-filled well, unused
    ]
    path = _hand_filled(
        tmp_path,
        rows,
        header=["Plate", "Well ", "ROLE", "compound", "Concentration", "Unit", "replicate"],
        experiment={
            "radioligand concentration": ("0.1", "nm"),
            "isotope": ("[125I]", None),
            "reference time": ("2026-03-12 14:00", None),
        },
    )
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    df = read_layout(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # never modified
    assert list(df["well"]) == ["A01", "A02", "B01", "C01", "C02", "D01", "D02"]
    assert list(df["role"]) == [
        "total",
        "total",
        "nsb",
        "competitor",
        "competitor",
        "blank",
        "standard",
    ]
    assert df["compound"].iloc[2] == "FC131"
    assert df["conc"].iloc[2] == pytest.approx(1e-6)
    assert df["conc"].iloc[3] == pytest.approx(1.5e-9) and df["conc"].iloc[4] == pytest.approx(
        1.5e-9
    )
    assert list(df["replicate"]) == [1, 2, 1, 1, 2, 1, 1]
    exp = df.attrs["experiment"]
    assert exp["radioligand_conc_M"] == pytest.approx(1e-10)
    assert exp["isotope"] == "I-125"
    assert exp["reference_time"] == pd.Timestamp("2026-03-12 14:00")
    assert df.attrs["kind"] == "binding"


def _message(path: Path) -> str:
    with pytest.raises(LayoutError) as exc:
        read_layout(path)
    text = str(exc.value)
    assert "\n" not in text
    assert text.startswith(str(path))
    return text


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            [None, "A1", "competiter", "FC131", 1, "nM"],
            "Wells!C2: unknown role 'competiter'; expected one of total, nsb, competitor, blank, standard (did you mean 'competitor'?)",
        ),
        (
            [None, "A1", "nonspecifc", None, None, None],
            "Wells!C2: unknown role 'nonspecifc'; expected one of total, nsb, competitor, blank, standard (did you mean 'nsb'?)",
        ),
        (
            [None, "A1", "competitor", "FC131", 1, "nMol"],
            "Wells!F2: unknown concentration unit 'nMol'; expected one of M, mM, µM, uM, nM, pM (did you mean 'nM'?)",
        ),
        (
            [None, "A1", "competitor", "FC131", None, "nM"],
            "Wells!E2: competitor has no concentration; give its concentration and unit (e.g. 10 nM)",
        ),
        (
            [None, "A1", "competitor", "FC131", -3, "nM"],
            "Wells!E2: concentration must not be negative, got -3",
        ),
        (
            [None, "A1", "competitor", "FC131", "ten", "nM"],
            "Wells!E2: concentration must be a number, got text 'ten'",
        ),
        (
            [None, "A1", "competitor", "FC131", 10, None],
            "Wells!F2: concentration 10 has no unit; expected one of M, mM, µM, uM, nM, pM",
        ),
        ([None, "A1", "competitor", None, 10, "nM"], "Wells!D2: competitor has no compound name"),
        (
            [None, "A1", "competitor", "FC131", 0, "nM"],
            "Wells!E2: competitor concentration is 0; use role 'total'",
        ),
        (
            [None, "A1", "total", None, None, None, "two"],
            "Wells!G2: replicate must be a number, got text 'two'",
        ),
        (
            [None, "A1", "total", None, None, None, 1.5],
            "Wells!G2: replicate must be a whole number >= 1, got 1.5",
        ),
        ([None, "Z99", "total"], "Wells!B2: well Z99 is not on a 96-well plate (A01 to H12)"),
        (
            [None, "1A", "total"],
            "Wells!B2: cannot read well '1A'; expected a row letter and a column number",
        ),
        ([None, None, "total"], "Wells!B2: well is empty"),
        (
            [None, "A1", None, "FC131"],
            "Wells!C2: role is empty; expected one of total, nsb, competitor, blank, standard",
        ),
        (["one", "A1", "total"], "Wells!A2: plate must be a number, got text 'one'"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 3 else None,
)
def test_bad_wells(row: list[Any], expected: str, tmp_path: Path) -> None:
    path = _hand_filled(tmp_path, [row], experiment={"plate size": (96, None)})
    assert expected in _message(path)


def test_duplicate_wells(tmp_path: Path) -> None:
    path = _hand_filled(
        tmp_path, [[None, "A1", "total"], [None, "B1", "nsb"], [None, "a01", "total"]]
    )
    assert (
        "Wells!B4: duplicate well A01: already listed at Wells!B2; each well may appear once"
        in _message(path)
    )
    path = _hand_filled(
        tmp_path, [[1, "A1", "total"], [2, "A1", "total"], [2, "A01", "nsb"]], name="p.xlsx"
    )
    assert "Wells!B4: duplicate well A01 on plate 2: already listed at Wells!B3" in _message(path)


def test_mixed_plate_numbers(tmp_path: Path) -> None:
    path = _hand_filled(tmp_path, [[1, "A1", "total"], [None, "A2", "total"]])
    assert "Wells!A3: plate is empty here but given in other rows" in _message(path)


def test_duplicate_tubes_and_sample_keys(tmp_path: Path) -> None:
    # Tubes columns: rack, position, sample, role, compound, concentration, unit, replicate
    rows = [[1, 1, None, "total"], [1, 2, None, "total"], [1, 1, None, "nsb"]]
    path = _hand_filled(tmp_path, rows, sheet="Tubes")
    assert "Tubes!B4: duplicate tube rack 1 position 1: already listed at Tubes!B2" in _message(
        path
    )
    rows = [[None, None, "S1", "total"], [None, None, "S1", "nsb"]]
    path = _hand_filled(tmp_path, rows, sheet="Tubes", name="s.xlsx")
    assert "Tubes!C3: duplicate sample 'S1'" in _message(path)
    rows = [[1, None, None, "total"]]
    path = _hand_filled(tmp_path, rows, sheet="Tubes", name="r.xlsx")
    assert "Tubes!B2: position is empty; give both rack and position" in _message(path)


def test_empty_map_and_both_sheets(tmp_path: Path) -> None:
    path = _hand_filled(tmp_path, [])
    assert (
        "the plate map is empty: neither the Wells nor the Tubes sheet has a row with a role"
        in _message(path)
    )
    path = _hand_filled(tmp_path, [[None, "A1", "total"]], name="both.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Tubes"]["A2"], wb["Tubes"]["B2"], wb["Tubes"]["D2"] = 1, 1, "total"
    wb.save(path)
    assert "both the Wells and the Tubes sheet are filled in" in _message(path)


def test_header_typo_and_missing_header(tmp_path: Path) -> None:
    path = _hand_filled(
        tmp_path, [[None, "A1", "total"]], header=["plate", "well", "role", "compund"]
    )
    assert "Wells!D1: unknown column 'compund' (did you mean 'compound'?)" in _message(path)
    path = _hand_filled(
        tmp_path,
        [[1, 1, None, "standard"]],
        kind="uptake",
        sheet="Tubes",
        name="h.xlsx",
        header=["rack", "position", "sample", "role", "fraction", "time (h)"],
    )
    assert "Tubes!F1: unknown column 'time (h)' (did you mean 'time (min)'?)" in _message(path)
    path = write_template("binding", tmp_path / "nohead.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Wells"].delete_rows(1, 1)
    del wb["Tubes"]
    wb.save(path)
    assert "no header row with 'role' and 'well'" in _message(path)


def test_formula_without_saved_result(tmp_path: Path) -> None:
    rows = [[None, "A1", "competitor", "FC131", "=10*3", "nM"]]
    path = _hand_filled(
        tmp_path, rows
    )  # openpyxl stores formulas without results, like a script would
    assert (
        "Wells!E2: the cell holds a formula (=10*3) and no saved result, so it reads as empty"
        in _message(path)
    )


def test_only_a_wells_sheet(tmp_path: Path) -> None:
    path = write_template("binding", tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb["Tubes"]
    wb.save(path)
    assert "the plate map is empty: the Wells sheet has no row with a role" in _message(path)


def test_kind_mismatch(tmp_path: Path) -> None:
    path = _hand_filled(tmp_path, [[1, 1, None, "standard"]], kind="uptake", sheet="Tubes")
    with pytest.raises(LayoutError) as exc:
        read_layout(path, kind="binding")
    assert str(exc.value) == (
        f"{path}, Experiment!A1: this is an uptake template, but a binding layout is needed; "
        "write one with 'assaykit template binding -o FILE.xlsx'"
    )
    assert read_layout(path, kind="uptake").attrs["kind"] == "uptake"


def test_not_a_template(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Results"
    wb.save(tmp_path / "other.xlsx")
    assert "no 'Wells' or 'Tubes' sheet (sheets: 'Results')" in _message(tmp_path / "other.xlsx")
    (tmp_path / "layout.json").write_text("{}")
    assert (
        "expected a filled assaykit template (.xlsx), a wellmap layout (.toml) or a CSV layout"
        in _message(tmp_path / "layout.json")
    )
    assert "layout file not found" in _message(tmp_path / "missing.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 truncated")
    assert "not a valid .xlsx" in _message(tmp_path / "broken.xlsx")


@pytest.mark.parametrize(
    ("field", "value", "unit", "expected"),
    [
        ("isotope", "I-152", None, "Experiment!B9: unknown isotope 'I-152'; expected e.g. I-125"),
        (
            "radioligand concentration",
            0.1,
            "nMol",
            "Experiment!C7: unknown concentration unit 'nMol'",
        ),
        (
            "radioligand concentration",
            "abc",
            "nM",
            "Experiment!B7: radioligand concentration must be a number, got text 'abc'",
        ),
        (
            "radioligand concentration",
            0.1,
            None,
            "Experiment!C7: radioligand concentration 0.1 has no unit",
        ),
        (
            "reference time",
            "yesterday noon",
            None,
            "Experiment!B10: reference time must be a date and time such as 2026-03-12 14:00",
        ),
        ("plate size", 48, None, "plate size must be 96 or 384, got 48"),
        ("radioligand kd", 4, "nM", None),  # case differences are fine
        (
            "radiolgand",
            "[125I]FC131",
            None,
            "unknown experiment field 'radiolgand' (did you mean 'radioligand'?)",
        ),
    ],
)
def test_bad_experiment_fields(
    field: str, value: Any, unit: Any, expected: str | None, tmp_path: Path
) -> None:
    path = _hand_filled(tmp_path, GOOD_WELLS, experiment={field: (value, unit)})
    if expected is None:
        assert read_layout(path).attrs["experiment"]["radioligand_kd_M"] == pytest.approx(4e-9)
        return
    assert expected in _message(path)


# --------------------------------------------------------------------------------------------
# uptake


def test_uptake_template(tmp_path: Path) -> None:
    # Tubes: rack, position, sample, role, fraction, time (min), condition, compound, replicate, cells, protein
    rows = [
        [1, 1, None, "standard"],
        [1, 2, None, "sample", "Lysate", "30", None, "CPCR4.3"],
        [1, 3, None, "sample", "acid wash", 30, "Blocked", "CPCR4.3", None, 2.5e5, "0.12"],
        [1, 4, None, "sample", "supernatant", 30, "TRACER", "FC131"],
    ]
    df = read_layout(_hand_filled(tmp_path, rows, kind="uptake", sheet="Tubes"))
    assert df.attrs["kind"] == "uptake"
    assert list(df["fraction"]) == ["", "internalized", "surface", "supernatant"]
    assert list(df["condition"]) == ["", "tracer", "blocked", "tracer"]
    assert df["time_min"].iloc[1] == 30.0 and df["protein_mg"].iloc[2] == pytest.approx(0.12)
    assert df["cells_per_well"].iloc[2] == 2.5e5


def test_uptake_condition_outside_the_list_is_named(tmp_path: Path) -> None:
    """Issue 19: a condition the statistics do not know would silently drop the t-tests."""
    rows = [[1, 1, None, "standard"], [1, 2, None, "sample", "Lysate", 30, "blockd", "FC131"]]
    with pytest.raises(
        LayoutError, match=r"Tubes!G3: unknown condition 'blockd'.*did you mean 'blocked'"
    ):
        read_layout(_hand_filled(tmp_path, rows, kind="uptake", sheet="Tubes"))


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            [1, 1, None, "sample", "surfce", 30],
            "Tubes!E2: unknown fraction 'surfce'; expected one of supernatant, surface, internalized (did you mean 'surface'?)",
        ),
        ([1, 1, None, "sample", None, 30], "Tubes!E2: sample has no fraction"),
        ([1, 1, None, "sample", "surface", None], "Tubes!F2: sample has no incubation time"),
        ([1, 1, None, "sample", "surface", -5], "Tubes!F2: time (min) must not be negative"),
        ([1, 1, None, "standard", "surface"], "Tubes!E2: a fraction is given for a standard tube"),
        (
            [1, 1, None, "samples", "surface", 5],
            "Tubes!D2: unknown role 'samples'; expected one of sample, blank, standard (did you mean 'sample'?)",
        ),
        (
            [1, 1, None, "sample", "surface", 5, None, None, None, "many"],
            "Tubes!J2: cells per well must be a number, got text 'many'",
        ),
    ],
)
def test_bad_uptake_tubes(row: list[Any], expected: str, tmp_path: Path) -> None:
    assert expected in _message(_hand_filled(tmp_path, [row], kind="uptake", sheet="Tubes"))


# --------------------------------------------------------------------------------------------
# wellmap TOML


def test_binding_toml_fixture() -> None:
    df = read_layout(LAYOUTS / "binding_plate.toml")
    assert df.attrs["kind"] == "binding"
    assert df.attrs["experiment"]["radioligand_conc_M"] == 1e-10
    assert df.attrs["experiment"]["isotope"] == "I-125"
    assert len(df) == 34
    row = df.set_index("well").loc["B05"]
    assert (
        row["role"] == "competitor" and row["conc"] == pytest.approx(1e-9) and row["replicate"] == 2
    )
    assert df.set_index("well").loc["A02", "conc"] == pytest.approx(1e-6)
    assert df.set_index("well").loc["A11", "role"] == "blank"
    assert df["plate"].isna().all()


@pytest.mark.parametrize("name", ["beta_gal_assay", "qpcr_timecourse", "std_curve"])
def test_shared_wellmap_examples_are_not_binding_layouts(name: str) -> None:
    path = shared_path("instrument-exports", "layout-wellmap", f"{name}.toml")
    with pytest.raises(
        LayoutError, match="required column 'role' is missing: no well has a 'role' key"
    ) as exc:
        read_layout(path)
    assert str(exc.value).startswith(str(path))


def test_shared_wellmap_expansion_matches_wellmap_semantics() -> None:
    import tomllib

    from assaykit.layout._toml import expand_wellmap

    doc = tomllib.loads(
        shared_path("instrument-exports", "layout-wellmap", "qpcr_timecourse.toml").read_text(
            "utf-8"
        )
    )
    wells = expand_wellmap(doc)
    assert len(wells) == 4 * 3 + 9 * 8 * 3 + 3 * 2 * 3  # 4x3, nine 8x3 and three 2x3 control blocks
    assert wells[(None, "A01")]["ligand"] == "apo" and wells[(None, "A01")]["primers"] == "gfp"
    assert wells[(None, "B02")]["primers"] == "16s"
    assert wells[(None, "A05")]["control"] == "no GFP"
    doc = tomllib.loads(
        shared_path("instrument-exports", "layout-wellmap", "beta_gal_assay.toml").read_text(
            "utf-8"
        )
    )
    wells = expand_wellmap(doc)
    assert len(wells) == 16
    assert wells[(None, "B05")]["fit_start_min"] == 0 and wells[(None, "A05")]["fit_start_min"] == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[well.A1]\nrole = 'total'\n[well.A1\n", "not valid TOML"),
        ("[well.A1]\nrole = 'totl'\n", "well A01, 'role': unknown role 'totl'"),
        (
            "[well.A1]\nrole = 'competitor'\ncompound = 'X'\nconc = 5\n",
            "well A01, 'unit': concentration 5 has no unit",
        ),
        (
            "[well.A1]\nrole = 'competitor'\ncompound = 'X'\nconc_nM = 5\n[well.A2]\nrole = 'nsb'\nconc_xM = 5\n",
            "unknown concentration unit 'xM'",
        ),
        ("[col.'1,3,...']\nrole = 'total'\n[row.A]\nx = 1\n", "cannot read col name '1,3,...'"),
        ("[irow.A]\nrole = 'total'\n", "pip install 'assaykit[wellmap]'"),
        ("[row.A]\nrole = 'total'\n", "the layout defines no wells"),
        ("[wel.A1]\nrole = 'total'\n", "unknown table [wel] (did you mean 'well'?)"),
        (
            "[assaykit]\nradioligand_con = 1\n[well.A1]\nrole = 'total'\n",
            "unknown experiment field 'radioligand_con'",
        ),
        ("[plate.first.well.A1]\nrole = 'total'\n", "plate names must be numbers"),
    ],
)
def test_bad_toml(text: str, expected: str, tmp_path: Path) -> None:
    if "irow" in text:
        pytest.importorskip("tomllib")
        try:
            import wellmap  # noqa: F401

            pytest.skip("wellmap is installed: its reader handles [irow]")
        except ImportError:
            pass
    path = tmp_path / "layout.toml"
    path.write_text(text, encoding="utf-8")
    assert expected in _message(path)


def test_toml_with_wellmap_only_features(tmp_path: Path) -> None:
    pytest.importorskip("wellmap")
    text = """
[assaykit]
kind = "binding"
[expt]
compound = "FC131"
conc_unit = "nM"
[irow.A]
role = "competitor"
[irow.B]
role = "total"
[col.1]
conc = 1
[col.2]
conc = 10
"""
    path = tmp_path / "irow.toml"
    path.write_text(text, encoding="utf-8")
    df = read_layout(path)
    assert list(df["well"]) == ["A01", "A02", "B01", "B02"]
    assert list(df["role"]) == [
        "competitor",
        "total",
        "total",
        "competitor",
    ]  # irow interleaves A/B
    assert df["conc"].tolist() == pytest.approx([1e-9, 1e-8, 1e-9, 1e-8])


def test_toml_kind_mismatch() -> None:
    with pytest.raises(
        LayoutError,
        match=r"\[assaykit\]: \[assaykit\] kind = 'binding', but an uptake layout is needed",
    ):
        read_layout(LAYOUTS / "binding_plate.toml", kind="uptake")


def test_toml_plates_and_uptake(tmp_path: Path) -> None:
    text = """
[expt]
role = "sample"
fraction = "lysate"
time_min = 30
[plate.1.row.A]
condition = "tracer"
[plate.2.row.A]
condition = "blocked"
[col.1]
replicate = 1
[col.2]
replicate = 2
"""
    path = tmp_path / "uptake.toml"
    path.write_text(text, encoding="utf-8")
    df = read_layout(path)
    assert df.attrs["kind"] == "uptake"
    assert list(df["plate"]) == [1, 1, 2, 2]
    assert list(df["condition"]) == ["tracer", "tracer", "blocked", "blocked"]
    assert set(df["fraction"]) == {"internalized"}


# --------------------------------------------------------------------------------------------
# plater-style CSV grids


def test_plater_grids_match_the_toml_fixture() -> None:
    grids = read_layout(LAYOUTS / "binding_grids.csv")
    toml = read_layout(LAYOUTS / "binding_plate.toml")
    cols = ["role", "compound", "conc"]
    pd.testing.assert_frame_equal(
        grids.set_index("well")[cols].sort_index(), toml.set_index("well")[cols].sort_index()
    )
    assert grids.attrs["kind"] == "binding"


def test_shared_plater_example_is_not_a_binding_layout() -> None:
    path = shared_path("instrument-exports", "layout-plater", "example-1.csv")
    with pytest.raises(LayoutError) as exc:
        read_layout(path)
    assert str(exc.value) == (
        f"{path}: required column 'role' is missing: no grid named 'role' (grids: Drug, Concentration, "
        "Bacteria, Killing); assaykit needs role (total, nsb, competitor, blank, standard), compound "
        "and concentration + unit grids"
    )


def test_long_csv_table(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(
        "Well;Role;Compound;Concentration;Unit\na1;TB;;;\nA2;competitor;FC131;1,5;nM\n\n",
        encoding="utf-8",
    )
    df = read_layout(path)
    assert list(df["well"]) == ["A01", "A02"] and df["conc"].iloc[1] == pytest.approx(1.5e-9)
    path.write_text(
        "rack,position,role,fraction,time (min)\n1,1,sample,surfce,5\n", encoding="utf-8"
    )
    assert "line 2, column 'fraction': unknown fraction 'surfce'" in _message(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rol,1,2\nA,total,nsb\n", "line 1: unknown variable 'rol' (did you mean 'role'?)"),
        (
            "role,1,2\nA,total,nsb\n\nnotes here\n",
            "line 4: expected a header row with 'role' and 'well'",
        ),
        ("role,1,2\nA,total,totl\n", "well A02 (role grid line 2): unknown role 'totl'"),
        (
            "role,1,2\nA,competitor,total\nconcentration,1,2\nA,ten,\n",
            "well A01 (concentration grid line 4): concentration must be a number, got text 'ten'",
        ),
        ("role,1,2\nA,total,nsb\nrole,1,2\nA,total,nsb\n", "line 3: variable 'role' has two grids"),
        ("\n\n", "no plate grid found"),
    ],
)
def test_bad_plater_grids(text: str, expected: str, tmp_path: Path) -> None:
    path = tmp_path / "grids.csv"
    path.write_text(text, encoding="utf-8")
    assert expected in _message(path)


# --------------------------------------------------------------------------------------------
# frames and annotate


def test_layout_from_frame_messages() -> None:
    with pytest.raises(
        LayoutError, match=r"row 2 \(role\): unknown role 'tota'.*did you mean 'total'"
    ):
        layout_from_frame(pd.DataFrame({"well": ["A1", "A2"], "role": ["total", "tota"]}))
    with pytest.raises(LayoutError, match="needs a 'well' column"):
        layout_from_frame(pd.DataFrame({"role": ["total"]}))
    with pytest.raises(LayoutError, match="must be a DataFrame"):
        layout_from_frame([{"well": "A1"}])  # type: ignore[arg-type]
    with pytest.raises(LayoutError, match=r"experiment\['isotope'\]: unknown isotope 'Xx-1'"):
        experiment_from_dict({"isotope": "Xx-1"}, "binding")


def test_annotate_plate_reader(tmp_path: Path) -> None:
    table = plate_frame(
        [
            {"plate": p, "well": w, "read": "CPM", "value": 1.0, "unit": "CPM", "flag": ""}
            for p in (1, 2)
            for w in iter_wells(96)
        ],
        {"instrument": "test reader", "kind": "plate"},
    )
    table_before = table.copy()
    layout = read_layout(LAYOUTS / "binding_plate.toml")
    out = annotate(table, layout)
    pd.testing.assert_frame_equal(table, table_before)
    assert len(out) == len(table)
    assert (out["role"] != "").sum() == 2 * len(layout)  # the map applies to both plates
    assert out.attrs["instrument"] == "test reader" and out.attrs["export_kind"] == "plate"
    assert out.attrs["kind"] == "binding" and out.attrs["experiment"]["radioligand_conc_M"] == 1e-10
    assert out.attrs["unannotated"] == 96 - len(layout)
    assert set(out.loc[out["role"] == "", "compound"]) == {""}

    with_plates = layout.copy()
    with_plates["plate"] = pd.array([2] * len(layout), dtype="Int64")
    out = annotate(table, with_plates)
    assert (out.loc[out["plate"] == 1, "role"] == "").all()
    with_plates["plate"] = pd.array([3] * len(layout), dtype="Int64")
    with pytest.raises(
        LayoutError,
        match=r"the layout names 34 wells the export lacks: A01 \(plate 3\), .* and 29 more",
    ):
        annotate(table, with_plates)


def test_annotate_counter_by_position_and_by_sample() -> None:
    layout, _ = example_layout("binding")
    recs = [
        {
            "rack": r,
            "position": p,
            "sample": f"S{k}",
            "counts": 100.0,
            "count_time_s": 60.0,
            "cpm": 100.0,
            "measured_at": "2026-03-12 15:00",
            "isotope": "I-125",
            "flag": "",
        }
        for k, (r, p) in enumerate((r, p) for r in (1, 2, 3, 4) for p in range(1, 11))
    ]
    table = counter_frame(recs, {"instrument": "Wizard2"})
    out = annotate(table, layout)
    assert out.attrs["unannotated"] == 40 - 34
    assert out.loc[(out["rack"] == 1) & (out["position"] == 8), "role"].item() == "nsb"
    assert out["sample"].iloc[0] == "S0"  # the export's sample codes are kept
    with pytest.raises(
        LayoutError, match=r"the layout names 1 tube the export lacks: rack 4 pos 4"
    ):
        annotate(table[~((table["rack"] == 4) & (table["position"] == 4))], layout)

    by_sample = layout_from_frame(
        pd.DataFrame({"sample": ["S0", "S1", "S2"], "role": ["total", "nsb", "blank"]})
    )
    out = annotate(table, by_sample)
    assert list(out["role"].iloc[:4]) == ["total", "nsb", "blank", ""]
    with pytest.raises(
        LayoutError, match=r"the layout names 1 tube the export lacks: sample 'S99'"
    ):
        annotate(table, layout_from_frame(pd.DataFrame({"sample": ["S99"], "role": ["total"]})))


def _tube(rack: int, position: int, cpm: float) -> dict[str, Any]:
    return {
        "rack": rack,
        "position": position,
        "sample": "",
        "counts": cpm,
        "count_time_s": 60.0,
        "cpm": cpm,
        "measured_at": "2026-03-12 15:00",
        "isotope": "I-125",
        "flag": "",
    }


def test_annotate_checks_a_hand_made_frame() -> None:
    table = plate_frame(
        [
            {"plate": 1, "well": w, "read": "A", "value": 1.0, "unit": "", "flag": ""}
            for w in ("A01", "A02")
        ]
    )
    out = annotate(table, pd.DataFrame({"well": ["a1"], "role": ["TB"]}))
    assert list(out["role"]) == ["total", ""]
    with pytest.raises(LayoutError, match=r"row 1 \(role\): unknown role 'sample'"):
        annotate(table, pd.DataFrame({"well": ["A1"], "role": ["sample"]}))
    out = annotate(
        table,
        pd.DataFrame({"well": ["A2"], "role": ["sample"], "fraction": ["lysate"], "time_min": [5]}),
    )
    assert out.attrs["kind"] == "uptake" and list(out["fraction"]) == ["", "internalized"]


def test_annotate_mismatched_keys() -> None:
    table = counter_frame([_tube(1, 1, 5.0)])
    wells = layout_from_frame(pd.DataFrame({"well": ["A1"], "role": ["total"]}))
    with pytest.raises(
        LayoutError, match="the layout lists wells .* but the export has no 'well' column"
    ):
        annotate(table, wells)


def test_fill_template_output_reads_in_annotate(tmp_path: Path) -> None:
    layout, experiment = example_layout("uptake")
    path = fill_template("uptake", tmp_path / "u.xlsx", layout, experiment)
    back = read_layout(path)
    recs = [_tube(r, p, 1.0) for r in range(1, 7) for p in range(1, 11)]
    out = annotate(counter_frame(recs), back)
    assert out.attrs["kind"] == "uptake" and (out["role"] == "sample").sum() == 54


_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6),
    st.sampled_from(
        ["A1", "p24", "total", "nsb", "competitor", "nM", "uM", "1,5", "lysate", "sample", "'=x"]
    ),
    st.datetimes(),
)
_keys = st.sampled_from(
    [
        "plate",
        "well",
        "rack",
        "position",
        "sample",
        "role",
        "compound",
        "concentration",
        "unit",
        "conc_M",
        "replicate",
        "fraction",
        "time_min",
        "condition",
        "cells_per_well",
        "protein_mg",
        "notes",
    ]
)


@settings(max_examples=100, deadline=None)
@given(
    records=st.lists(st.dictionaries(_keys, _cell, max_size=8), max_size=6),
    kind=st.sampled_from(["binding", "uptake"]),
    table=st.sampled_from(["Wells", "Tubes"]),
)
def test_any_cell_content_gives_a_layout_or_a_layout_error(
    records: list[dict[str, Any]], kind: str, table: str
) -> None:
    from assaykit.layout._validate import build_layout

    try:
        df = build_layout(
            records,
            kind=kind,
            table=table,
            locate=lambda i, k: f"row {i + 1}",
            experiment={"plate_size": 96},
        )
    except LayoutError as err:
        assert "\n" not in str(err)
        return
    assert len(df) >= 1 and set(df["role"]) <= {
        "total",
        "nsb",
        "competitor",
        "blank",
        "standard",
        "sample",
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.03.2026 14:00", pd.Timestamp("2026-03-12 14:00")),
        ("25/03/2026 9:05", pd.Timestamp("2026-03-25 09:05")),
        ("2026-03-12T14:00:30", pd.Timestamp("2026-03-12 14:00:30")),
        (
            46093.58333333333,
            pd.Timestamp("2026-03-12 14:00"),
        ),  # an Excel serial in an unformatted cell
        ("03/04/2026", "is ambiguous (day/month or month/day?); write it as YYYY-MM-DD HH:MM"),
        ("31.02.2026", "reference time must be a date and time such as 2026-03-12 14:00"),
        (7, "reference time must be a date and time such as 2026-03-12 14:00, got 7"),
    ],
)
def test_reference_time_spellings(value: Any, expected: Any) -> None:
    if isinstance(expected, str):
        with pytest.raises(LayoutError, match=re.escape(expected)):
            experiment_from_dict({"reference_time": value}, "binding")
    else:
        assert (
            experiment_from_dict({"reference_time": value}, "uptake")["reference_time"] == expected
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-10 14:00", pd.Timestamp("2026-03-10 14:00")),
        ("2026/03/10 14:00", pd.Timestamp("2026-03-10 14:00")),
        ("10.03.2026 14:00", pd.Timestamp("2026-03-10 14:00")),
        ("13/03/2026 14:00", pd.Timestamp("2026-03-13 14:00")),
        ("03/03/2026", pd.Timestamp("2026-03-03")),
        ("10 Mar 2026 14:00", pd.Timestamp("2026-03-10 14:00")),
        ("10/03/2026", "is ambiguous"),
        ("10/03/2026 14:00", "is ambiguous"),
        ("10-03-2026", "is ambiguous"),
        ("10/03/26", "two-digit year"),
        ("20260310", "must be a date and time"),
    ],
)
def test_parse_datetime_is_the_one_strict_parser(text: str, expected: Any) -> None:
    """Issue 19: ``--reference-time 10/03/2026`` was read as 3 October; the template refused it."""
    from assaykit.layout import parse_datetime

    if isinstance(expected, pd.Timestamp):
        assert parse_datetime(text) == expected
    else:
        with pytest.raises(LayoutError, match=f"--reference-time.*{expected}"):
            parse_datetime(text, what="--reference-time")


def test_template_formula_without_saved_result_is_named(tmp_path: Path) -> None:
    """Issue 19: a formula in a cell that may be empty (a sample name) used to vanish silently."""
    import openpyxl

    from assaykit.datasets import example_path

    wb = openpyxl.load_workbook(example_path("binding", "binding_layout.xlsx"))
    wb["Tubes"]["E12"] = '="tube "&B12'  # written by a script: no saved result
    wb.save(tmp_path / "t.xlsx")
    with pytest.raises(
        LayoutError, match=r"Tubes!E12: the cell holds a formula \(=\"tube \"&B12\)"
    ):
        read_layout(tmp_path / "t.xlsx")


@pytest.mark.parametrize(
    ("change", "cell", "needle"),
    [
        # concentrations typed in nM with the unit cells left at M (IC50 = 40.4 M, status ok)
        ("series_in_M", "Tubes!", "every concentration is ≥ 100 µM"),
        # radioligand 100 meant pM, the pre-filled nM left: Ki divided by 1001 (factor 501 case)
        ("radioligand_nM", "Experiment!", "× its Kd"),
    ],
)
def test_unit_slips_in_the_template_name_the_cell(tmp_path, change, cell, needle) -> None:
    """A unit slip in the filled template stops the run with the cell named (issue 12)."""
    from assaykit.datasets.binding import LAYOUT
    from assaykit.layout.templates import fill_template

    lay = read_layout(LAYOUT)
    exp = dict(lay.attrs["experiment"])
    if change == "series_in_M":
        comp = lay["role"] == "competitor"
        lay.loc[comp, "conc"] = lay.loc[comp, "conc"] * 1e9  # the numbers as typed in nM, unit M
    else:
        exp["radioligand_conc_M"] = 100e-9  # 100 nM instead of 100 pM
        exp["radioligand_kd_M"] = 0.1e-9
    bad = fill_template("binding", tmp_path / "bad.xlsx", lay, exp)
    with pytest.raises(LayoutError) as info:
        read_layout(bad)
    assert needle in str(info.value) and cell in str(info.value)
