"""Cross-format behaviour of ``read_export`` and ``assaykit parse``: detection, bad inputs, the CLI."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from assaykit.cli import main
from assaykit.errors import ParseError, UnsupportedFormatError
from assaykit.io import READERS, known_formats, read_export
from assaykit.io._registry import SNIFF_BYTES, FileSample
from tests.conftest import DATA, SHARED, shared_path

EXPORTS = "instrument-exports"

#: Every file of ../shared/instrument-exports → (format it must be detected as, module of that reader).
#: ``None`` marks layouts, which are not exports and must be refused with UnsupportedFormatError.
SHARED_FILES: dict[str, tuple[str | None, str | None]] = {
    "agilent-gen5/endpoint_singleplate.txt": ("gen5", "gen5"),
    "agilent-gen5/kinetic_singleplate.txt": ("gen5", "gen5"),
    "bmg-mars/16-03-03 13-25-45 472 QC 384 FI.csv": ("bmg_mars", "bmg_mars"),
    "bmg-mars/PHERAstar output file.CSV": ("bmg_mars", "bmg_mars"),
    "bmg-smart-control/fluorescence_endpoint_example2.xlsx": (
        "bmg_smart_control",
        "bmg_smart_control",
    ),
    "hidex-300sl/Lu-177_2023_11_30.csv": ("hidex300sl", "hidex"),
    "layout-plater/example-1.csv": (None, None),
    "layout-wellmap/beta_gal_assay.toml": (None, None),
    "layout-wellmap/qpcr_timecourse.toml": (None, None),
    "layout-wellmap/std_curve.toml": (None, None),
    "moldev-softmaxpro/MD_SMP_absorbance_endpoint_example01.txt": ("softmax", "softmax"),
    "moldev-softmaxpro/MD_SMP_luminescence_endpoint_example03.txt": ("softmax", "softmax"),
    "moldev-softmaxpro/fl_kinetic_plates.txt": ("softmax", "softmax"),
    "perkinelmer-envision/PE_Envision_absorbance_A450_example.csv": ("envision", "envision"),
    "perkinelmer-envision/PE_Envision_fluorescence_example01.csv": ("envision", "envision"),
    "perkinelmer-envision/PE_Envision_luminescence_example01.csv": ("envision", "envision"),
    "perkinelmer-microbeta/A16_414.txt": ("microbeta", "microbeta"),
    "perkinelmer-wizard2-2470/004640.csv": ("wizard2", "wizard2"),
    "revvity-kaleido/luminescence_endpoint_single_plate_example_01.csv": ("kaleido", "kaleido"),
    "tecan-magellan/SLA01P01_ELISA.xlsx": ("tecan_magellan", "tecan"),
    "tecan-magellan/SLA01P01_OD.xlsx": ("tecan_magellan", "tecan"),
    "tecan-spark/tekan_spark_endpoint.xlsx": ("tecan_spark", "tecan"),
    "thermo-multiskan/Multiskan Sky.xlsx": ("multiskan", "skanit"),
    "thermo-skanit/luciferase_assay_example.xlsx": ("skanit", "skanit"),
    "thermo-skanit/skanit_data.xlsx": ("skanit", "skanit"),
}
#: Readers written with this test.
OURS = ("wizard2", "microbeta", "hidex300sl", "plate_grid", "tube_table")


def _needs_reader(module: str | None) -> None:
    """Every reader module is part of the package: a missing one fails the test (no xfail)."""
    if module is not None:
        assert importlib.util.find_spec(f"assaykit.io.{module}") is not None, module


def test_the_list_covers_every_shared_export() -> None:
    root = shared_path(EXPORTS)
    on_disk = {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    assert on_disk == set(SHARED_FILES)


@pytest.mark.parametrize("name", sorted(SHARED_FILES), ids=lambda n: n.split("/")[-1])
def test_detection_on_every_shared_file(name: str) -> None:
    expected, module = SHARED_FILES[name]
    path = shared_path(EXPORTS, *name.split("/"))
    _needs_reader(module)
    if expected is None:
        with pytest.raises(
            UnsupportedFormatError, match="not a format assaykit recognises"
        ) as info:
            read_export(path)
        assert str(path) in str(info.value)
        return
    df = read_export(path)
    assert df.attrs["format"] == expected
    assert len(df) > 0


@pytest.mark.parametrize("name", sorted(SHARED_FILES), ids=lambda n: n.split("/")[-1])
def test_our_sniffers_claim_only_their_own_files(name: str) -> None:
    expected, _ = SHARED_FILES[name]
    path = shared_path(EXPORTS, *name.split("/"))
    known_formats()  # registers every reader that exists
    with path.open("rb") as fh:
        sample = FileSample(path, fh.read(SNIFF_BYTES))
    claims = {fmt for fmt in OURS if READERS[fmt].sniff(sample)}
    assert claims == ({expected} & set(OURS))


def test_unknown_format_lists_the_known_ones(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(UnsupportedFormatError) as info:
        read_export(p, format="nope")
    msg = str(info.value)
    assert "unknown format 'nope'" in msg
    for name in OURS:
        assert name in msg


def test_format_aliases_are_accepted() -> None:
    df = read_export(DATA / "exports" / "wizard2" / "semicolon_decimal_comma.csv", format="WIZARD")
    assert df.attrs["format"] == "wizard2"


def _utf16_with_a_lone_surrogate() -> bytes:
    text = "Tube,CPM\r\n1,100\r\n".encode("utf-16-le")
    return b"\xff\xfe" + text + b"\x00\xd8\x41\x00" + "2,5\r\n".encode("utf-16-le")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "the file is empty"),
        (b"  \r\n\r\n", "the file is empty"),
        (bytes(range(256)) * 8, "the file is binary"),
        (
            _utf16_with_a_lone_surrogate(),
            "claims utf-16 by its byte-order mark but byte 36 is not valid",
        ),
        (b"PK\x03\x04 not really a zip", "not a valid .xlsx"),
    ],
    ids=["empty", "blank", "binary", "utf16-invalid", "fake-xlsx"],
)
@pytest.mark.parametrize("fmt", [None, "tube_table"])
def test_unreadable_files_raise_parse_error_with_the_path(
    tmp_path: Path, content: bytes, words: str, fmt: str | None
) -> None:
    p = tmp_path / "export.csv"
    p.write_bytes(content)
    with pytest.raises(ParseError) as info:
        read_export(p, format=fmt)
    msg = str(info.value)
    assert msg.startswith(str(p)) and words in msg and "\n" not in msg


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match=r"nope\.csv: no such file"):
        read_export(tmp_path / "nope.csv")
    with pytest.raises(ParseError, match="is a folder, not an export file") as info:
        read_export(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_toml_layout_is_refused_cleanly() -> None:
    path = shared_path(EXPORTS, "layout-wellmap", "std_curve.toml")
    with pytest.raises(
        UnsupportedFormatError, match="use the generic plate-grid or tube-table layout"
    ):
        read_export(path)


@pytest.mark.parametrize(
    "fixture",
    [
        "wizard2/dual_label.csv",
        "microbeta/two_plates.txt",
        "hidex300sl/comma_decimal.csv",
        "plate_grid/reads.xlsx",
    ],
)
@pytest.mark.filterwarnings("ignore::assaykit.errors.DataQualityWarning")
def test_reading_never_changes_the_input(fixture: str) -> None:
    p = DATA / "exports" / fixture
    before = hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns
    read_export(p)
    assert (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) == before


# ------------------------------------------------------------------------------------------
# assaykit parse


def _run(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(argv)
    return int(info.value.code or 0)


def test_parse_prints_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code = _run(["parse", str(DATA / "exports" / "wizard2" / "semicolon_decimal_comma.csv")])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(
        "rack,position,sample,counts,count_time_s,cpm,measured_at,isotope,flag"
    )
    assert len(lines) == 3
    assert lines[1].startswith("1,1,S1,24614.1,300.02,4919.63,2024-03-06 12:42:48,Tc-99m,")


def test_parse_output_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = str(DATA / "exports" / "tube_table" / "tubes.csv")
    out = tmp_path / "out.csv"
    assert _run(["parse", src, "-o", str(out)]) == 0
    first = out.read_text()
    assert pd.read_csv(out)["cpm"].tolist() == [59990.5, 295.2, -1.5]
    out.write_text("keep me")
    capsys.readouterr()
    assert _run(["parse", src, "-o", str(out)]) == 1
    _, err = capsys.readouterr()
    assert out.read_text() == "keep me"
    assert len(err.strip().splitlines()) == 1 and "exists; use --force" in err
    assert _run(["parse", src, "-o", str(out), "--force"]) == 0
    assert out.read_text() == first


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["tube_table/text_in_cpm.csv"], "line 3, column 2: CPM: expected a number, got 'lots'"),
        (["nothing-here.csv"], "no such file"),
        (["microbeta/grid_mismatch.txt"], "35 in the COLUMNS table but 53 in the plate grid"),
        (["tube_table/tubes.csv", "--format", "nope"], "unknown format 'nope'"),
    ],
)
def test_parse_errors_are_one_line_without_traceback(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["parse", str(DATA / "exports" / args[0]), *args[1:]]
    assert _run(argv) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("assaykit: error: ") and words in err
    assert "Traceback" not in err


def test_shared_dir_is_where_conftest_says() -> None:
    # guards the skip logic: these tests must run, not skip, when ../shared is present
    if not SHARED.exists():
        pytest.skip(f"{SHARED} not found")
    assert (SHARED / EXPORTS / "SOURCES.md").exists()
