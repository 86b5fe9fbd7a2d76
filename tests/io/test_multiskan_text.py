"""Thermo Multiskan text export (unlabelled tab grids): values by position, anomalies, broken files.

Expected values are computed by hand from the rule the fixtures were written with
(tests/data/exports/multiskan_text/make_fixtures.py): value = base + iteration + row/10 + column/1000,
base 0 for plate 1 at 340 nm, 10 for plate 1 at 405 nm, 20 for plate 2 at 340 nm.
"""

from __future__ import annotations

import math
import shutil
import warnings
from pathlib import Path

import pytest

from assaykit.errors import DataQualityWarning, ParseError
from assaykit.io import known_formats, read_export
from assaykit.io._registry import READERS, SNIFF_BYTES, FileSample
from tests.conftest import DATA, SHARED

FIX = DATA / "exports" / "multiskan_text"
P340, P405 = "Photometric1 (340 nm)", "Photometric1 (405 nm)"


@pytest.fixture(scope="module")
def kinetic():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_export(FIX / "kinetic_two_plates.txt")
    return df, caught


def _one(df, plate, read, well, iteration=None):
    sel = df[(df.plate == plate) & (df.read == read) & (df.well == well)]
    if iteration is not None:
        sel = sel[sel.iteration == iteration]
    assert len(sel) == 1, (plate, read, well, iteration, len(sel))
    return sel.iloc[0]


def test_detected_and_shaped(kinetic):
    df, _ = kinetic
    assert df.attrs["format"] == "multiskan_text"
    assert df.attrs["plate_format"] == 96 and df.attrs["decimal"] == "."
    assert df.attrs["wavelengths_nm"] == ["340", "405"]
    # 3 + 3 iterations of plate 1 and 2 of plate 2, each 8 lines × 12 cells (trailing blanks included)
    assert len(df) == (3 + 3 + 2) * 96
    assert set(df.unit) == {"OD"} and set(df.read) == {P340, P405}
    assert list(df.columns[:8]) == ["plate", "well", "row", "col", "read", "value", "unit", "flag"]
    assert df.time_s.isna().all() and "iteration" in df.attrs["time_s"]
    assert sorted(df.iteration.unique()) == [1, 2, 3]


@pytest.mark.parametrize(
    ("plate", "read", "iteration", "well", "expected"),
    [
        (1, P340, 2, "H12", 2.812),  # 0 + 2 + 0.8 + 0.012
        (1, P340, 1, "A01", 1.101),
        (1, P340, 3, "D07", 3.407),
        (1, P340, 1, "B03", 1.203),  # after the doubled tab at B02: not shifted
        (1, P405, 2, "C10", 12.310),
        (1, P405, 1, "C01", 11.301),  # before the extra cell of the anomalous line
        (2, P340, 2, "F12", 22.612),
        (2, P340, 1, "G06", 21.706),
    ],
)
def test_values_at_known_wells(kinetic, plate, read, iteration, well, expected):
    df, _ = kinetic
    row = _one(df, plate, read, well, iteration)
    assert row.value == pytest.approx(expected, abs=1e-12) and row.flag == ""


def test_empty_cells_are_empty_wells(kinetic):
    df, _ = kinetic
    b02 = _one(df, 1, P340, "B02", 1)  # a doubled tab in a line of the usual width
    assert math.isnan(b02.value) and b02.flag == "empty"
    assert _one(df, 1, P340, "B02", 2).value == pytest.approx(2.202)
    for well in ("G07", "G12", "H12"):  # blank trailing cells of plate 2
        assert _one(df, 2, P340, well, 1).flag == "empty"
    assert _one(df, 1, P405, "A11", 3).flag == "empty"  # 10 values + 2 blank cells


def test_extra_empty_cell_read_by_position_and_flagged(kinetic):
    df, caught = kinetic
    row_c = df[(df.read == P405) & (df.iteration == 1) & (df.row == "C")].set_index("col")
    assert list(row_c.flag) == [""] + ["shifted"] * 10 + ["empty"]
    assert row_c.loc[2:11, "value"].isna().all()
    # by position: C03 holds the text the file puts there, the value written for column 2
    assert row_c.loc[3, "raw"] == "11.302" and row_c.loc[11, "raw"] == "11.310"
    # the same row in the next iteration is normal
    assert _one(df, 1, P405, "C03", 2).value == pytest.approx(12.303)
    assert len(df.attrs["anomalies"]) == 1 and "line 40" in df.attrs["anomalies"][0]
    msgs = [str(w.message) for w in caught if issubclass(w.category, DataQualityWarning)]
    assert len(msgs) == 1 and msgs[0].startswith("line 40: plate 1, Photometric1 (405 nm)")
    assert (df.flag == "shifted").sum() == 10


def test_endpoint_decimal_comma_two_steps_leading_tabs():
    df = read_export(FIX / "endpoint_decimal_comma.txt")
    assert df.attrs["decimal"] == "," and df.attrs["steps"] == ["Photometric1", "Photometric2"]
    assert "time_s" not in df and "iteration" not in df
    assert len(df) == 2 * 96
    a01 = _one(df, 1, "Photometric1 (620 nm)", "A01")  # the line starts with two tabs
    assert math.isnan(a01.value) and a01.flag == "empty"
    assert _one(df, 1, "Photometric1 (620 nm)", "A02").value == pytest.approx(0.102)
    assert _one(df, 1, "Photometric2 (450 nm)", "H12").value == pytest.approx(5.812)


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        (
            "truncated_block.txt",
            84,
            "has 5 grid lines where the first block has 8 (the file is cut off?)",
        ),
        ("truncated_midline.txt", 87, "ends inside a grid line"),
        ("text_in_cell.txt", 19, "well D04 of plate 1, Photometric1 (340 nm), iteration 2"),
        ("overflow_row.txt", 30, "row E: a value in cell 13 but the plate has 12 columns"),
        ("iteration_order.txt", 25, "'Iteration: 4' follows iteration 2"),
        ("duplicate_section.txt", 67, "plate 1, wavelength 340 of 'Photometric1' a second time"),
        ("garbled_header.txt", 35, "got 'Plate 1 Wavelenght 405'"),
    ],
)
def test_broken_files_one_line_error_with_line(name, line, words):
    with pytest.raises(ParseError) as info:
        read_export(FIX / name)
    msg = str(info.value)
    assert info.value.line == line and words in msg and name in msg and "\n" not in msg


def test_no_grid_and_iteration_without_lines(tmp_path: Path):
    p = tmp_path / "x.txt"
    p.write_bytes(b"Results of Photometric1\r\n\r\nPlate:1 - Wavelength:340\r\n\r\n")
    with pytest.raises(ParseError, match="the header is not followed by a grid"):
        read_export(p)
    p.write_bytes(
        b"Results of Photometric1\r\nPlate:1 - Wavelength:340\r\n\t1\t2\r\nResults of X\r\n"
    )
    with pytest.raises(ParseError, match="'Results of X' is not followed by a 'Plate"):
        read_export(p)
    p.write_bytes(b"Results of Photometric1\r\nPlate:1 - Wavelength:340\r\nIteration: 1\r\n\r\n")
    with pytest.raises(
        ParseError, match="iteration 1 of plate 1, wavelength 340 has no grid lines"
    ):
        read_export(p)


def test_every_cut_is_refused_unless_after_a_whole_grid(tmp_path: Path):
    """Cut the kinetic fixture at 200 byte offsets after its first grid: each prefix is refused
    with a one-line ParseError, except a cut right after a whole grid (a run of fewer
    iterations, which no reader can tell from a complete file)."""
    import random

    data = (FIX / "kinetic_two_plates.txt").read_bytes()
    text = data.decode()
    ends = set()  # byte offsets where a whole grid (and its CRLF, and the blank line) ends
    k = text.find("\r\n\r\n")
    while k >= 0:
        if text[:k].rsplit("\r\n", 1)[-1].startswith("\t"):
            ends |= {k + 1, k + 2, k + 3, k + 4}
        k = text.find("\r\n\r\n", k + 1)
    first_end = min(ends)
    offsets = random.Random(18).sample(range(first_end + 5, len(data) - 5), 200)
    p = tmp_path / "cut.txt"
    read = []
    for n in offsets:
        p.write_bytes(data[:n])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DataQualityWarning)
                df = read_export(p)
        except ParseError as err:
            assert "\n" not in str(err) and err.line is not None, n
            continue
        assert n in ends, (n, data[n - 30 : n])
        assert len(df) % 96 == 0
        read.append(n)
    assert len(read) < 10


def test_384_well_grid_by_width(tmp_path: Path):
    lines = ["Results of Photometric1", "Plate:1 - Wavelength:450"]
    lines += ["\t" + "\t".join(f"{r}.{c:02d}" for c in range(1, 25)) for r in range(1, 17)]
    p = tmp_path / "p384.txt"
    p.write_text("\r\n".join(lines) + "\r\n")
    df = read_export(p)
    assert df.attrs["plate_format"] == 384 and len(df) == 384
    assert _one(df, 1, "Photometric1 (450 nm)", "P24").value == pytest.approx(16.24)


def test_input_not_modified(tmp_path: Path):
    src = tmp_path / "k.txt"
    shutil.copy(FIX / "kinetic_two_plates.txt", src)
    before = src.read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        read_export(src)
    assert src.read_bytes() == before


def _claimed_by(path: Path) -> set[str]:
    known_formats()
    with path.open("rb") as fh:
        sample = FileSample(path, fh.read(SNIFF_BYTES))
    return {name for name, r in READERS.items() if r.sniff(sample)}


@pytest.mark.parametrize("path", sorted(FIX.glob("*.txt")), ids=lambda p: p.name)
def test_fixtures_claimed_only_by_this_reader(path: Path):
    assert _claimed_by(path) == {"multiskan_text"}


def test_claims_no_other_export():
    others = sorted(p for p in (DATA / "exports").rglob("*") if p.is_file() and p.parent != FIX)
    root = SHARED / "instrument-exports"
    if root.exists():
        others += sorted(p for p in root.rglob("*") if p.is_file())
    assert len(others) > 50
    sniff = READERS["multiskan_text"].sniff if known_formats() else None
    assert sniff is not None
    for p in others:
        with p.open("rb") as fh:
            assert not sniff(FileSample(p, fh.read(SNIFF_BYTES))), p
