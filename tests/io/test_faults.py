"""Faulty exports are named, never analysed silently; reading is bounded (issue 19).

References are the files themselves: each case is built so that the right answer is known
(which tube is doubled, which line goes back in time, which cells hold formulas).
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
import zipfile
from pathlib import Path

import pytest

from assaykit.errors import LayoutError, OutputError, ParseError
from assaykit.io import InputLog, read_export
from assaykit.layout import read_layout
from tests.conftest import DATA, shared_path

BROKEN = DATA / "broken"
LAYOUT = (
    Path(__file__).resolve().parents[2]
    / "assaykit"
    / "datasets"
    / "binding"
    / "binding_layout.xlsx"
)


def _in_thread(fn, timeout: float = 10.0):  # noqa: ANN001, ANN202
    """Run fn in a thread; fail (instead of hanging the suite) if it blocks."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as err:  # noqa: BLE001 - handed to the test
            box["error"] = err

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    assert not t.is_alive(), "reading blocked"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


# ---- inputs that are not regular files --------------------------------------------------------


@pytest.mark.parametrize("fmt", [None, "wizard2"])
def test_fifo_export_is_refused_before_opening(tmp_path, fmt) -> None:
    fifo = tmp_path / "export.csv"
    os.mkfifo(fifo)
    with pytest.raises(ParseError, match=r"export\.csv: is a named pipe \(FIFO\)"):
        _in_thread(lambda: read_export(fifo, fmt))


def test_fifo_layout_is_refused_before_opening(tmp_path) -> None:
    for name in ("layout.xlsx", "layout.csv", "layout.toml"):
        fifo = tmp_path / name
        os.mkfifo(fifo)
        with pytest.raises(LayoutError, match=rf"{name}: is a named pipe \(FIFO\)"):
            _in_thread(lambda fifo=fifo: read_layout(fifo))


def test_device_is_refused(tmp_path) -> None:
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    with pytest.raises(ParseError, match="is a character device"):
        _in_thread(lambda: read_export(tmp_path / "zero.csv"))


# ---- reading cost follows the file's size ------------------------------------------------------


def _wide(path: Path, n_cols: int, n_rows: int = 5) -> Path:
    header = ["Rack", "Position", "CPM", *(f"x{i}" for i in range(n_cols))]
    body = [",".join(["1", str(r + 1), "100", *(["1"] * n_cols)]) for r in range(n_rows)]
    path.write_text("\n".join([",".join(header), *body]) + "\n")
    return path


def test_wide_table_reads_in_linear_time(tmp_path) -> None:
    t0 = time.perf_counter()
    df = read_export(_wide(tmp_path / "w.csv", 20_000))
    assert df.shape == (5, 9 + 20_000)
    assert time.perf_counter() - t0 < 5  # was 7 s (quadratic); 0.5 s now


@pytest.mark.slow
def test_hundred_thousand_columns_answer_in_seconds(tmp_path) -> None:
    t0 = time.perf_counter()
    df = read_export(_wide(tmp_path / "w.csv", 100_000))
    assert df.shape[1] == 9 + 100_000
    assert time.perf_counter() - t0 < 20  # never finished before


def test_stray_cell_at_xfd1048576_in_an_export_is_named_quickly() -> None:
    t0 = time.perf_counter()
    with pytest.raises(ParseError, match="cell XFD1048576 holds 'x'"):
        read_export(BROKEN / "xlsx_stray_cell_xfd1048576.xlsx")
    assert time.perf_counter() - t0 < 1.0


def test_template_with_stray_cell_at_xfd1048576_reads_quickly() -> None:
    t0 = time.perf_counter()
    df = read_layout(BROKEN / "template_stray_cell_xfd1048576.xlsx")
    elapsed = time.perf_counter() - t0
    assert len(df) == len(read_layout(LAYOUT))
    assert elapsed < 1.0


def test_hidden_template_sheet_is_refused() -> None:
    with pytest.raises(LayoutError, match="Tubes!A1: the 'Tubes' sheet is hidden"):
        read_layout(BROKEN / "template_hidden_tubes.xlsx")


# ---- faulty exports ---------------------------------------------------------------------------


def test_recount_with_different_counts_is_named_unless_a_policy_is_given() -> None:
    f = BROKEN / "wizard2_recount_different.csv"
    with pytest.raises(ParseError, match=r"tube rack 1 position 6 \(I-125\) is counted 2 times"):
        read_export(f)
    first, last, mean = (read_export(f, duplicates=p) for p in ("first", "last", "mean"))
    sel = {
        k: d[(d.rack == 1) & (d.position == 6)] for k, d in (("f", first), ("l", last), ("m", mean))
    }
    assert all(len(d) == 1 for d in sel.values())
    a, b = sel["f"]["cpm"].iloc[0], sel["l"]["cpm"].iloc[0]
    assert b == 6200.1 and a != b
    assert sel["m"]["cpm"].iloc[0] == pytest.approx((a + b) / 2)
    assert "mean_of_2_counts" in sel["m"]["flag"].iloc[0]
    assert len(first) == len(read_export(BROKEN / "wizard2_first_12_tubes.csv"))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "wizard2_dst_fall_back.csv",
            r"line 8: time stamp .* is 1:01:18 earlier than .* on line 7",
        ),
        ("wizard2_day_jump_back.csv", r"line 8: time stamp .* is 1 day, 0:01:18 earlier"),
        ("wizard2_zero_count_time.csv", r"line 5: Time: count time 0 s"),
        (
            "wizard2_two_cpm_columns.csv",
            r"line 1: two columns hold 'I-125 CPM' \(columns L and O\)",
        ),
    ],
)
def test_faulty_wizard2_exports_are_named(name, message) -> None:
    with pytest.raises(ParseError, match=message) as info:
        read_export(BROKEN / name)
    assert str(info.value).startswith(str(BROKEN / name))


def test_zero_count_time_gives_no_numpy_warning(recwarn) -> None:
    with pytest.raises(ParseError):
        read_export(BROKEN / "wizard2_zero_count_time.csv")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize("name", ["xlsx_hidden_old_run.xlsx", "xlsx_very_hidden_old_run.xlsx"])
def test_hidden_sheet_with_an_older_run_is_not_read(name) -> None:
    df = read_export(BROKEN / name)
    assert df["cpm"].tolist() == [100.0, 200.0]  # the visible sheet; the hidden one has 999


def test_only_hidden_data_is_refused_naming_the_sheet() -> None:
    with pytest.raises(ParseError, match="hidden sheet\\(s\\) 'Sheet' are never read"):
        read_export(BROKEN / "xlsx_only_hidden_data.xlsx")


def _strip_values(src: Path, dst: Path) -> int:
    """Copy an xlsx turning every numeric cell into a formula without a saved value."""
    n = 0
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            body = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                pattern = rb'(<c r="[A-Z]+\d+"(?: s="\d+")?)(?: t="n")?><v>[-0-9.Ee+]+</v></c>'
                body, k = re.subn(pattern, rb"\1><f>1+1</f></c>", body)
                n += k
            zout.writestr(info, body)
    dst.write_bytes(out.getvalue())
    return n


def test_skanit_formulas_without_saved_values_are_reported(tmp_path) -> None:
    src = shared_path("instrument-exports", "thermo-skanit", "skanit_data.xlsx")
    ok = read_export(src)
    dst = tmp_path / "skanit_formulas.xlsx"
    assert _strip_values(src, dst) > 0
    with pytest.raises(
        ParseError, match=r"skanit_formulas\.xlsx.* hold a formula without a saved result"
    ):
        read_export(dst, ok.attrs["format"])


# ---- provenance: inputs hashed as they are read -------------------------------------------------


def test_readers_record_inputs_in_the_log(tmp_path) -> None:
    import hashlib
    import shutil

    export = Path(shutil.copy(BROKEN / "wizard2_first_12_tubes.csv", tmp_path / "e.csv"))
    layout = Path(shutil.copy(LAYOUT, tmp_path / "l.xlsx"))
    log = InputLog()
    read_export(export, log=log)
    read_layout(layout, log=log)
    assert (
        log.provenance_inputs()["export"]["sha256"]
        == hashlib.sha256(export.read_bytes()).hexdigest()
    )
    assert log.provenance_inputs()["layout"]["name"] == "l.xlsx"
    log.verify()
    with export.open("a") as fh:
        fh.write("\n")
    with pytest.raises(OutputError, match="e.csv: changed while assaykit was reading it"):
        log.verify()


def test_provenance_uses_the_hash_taken_when_read(tmp_path) -> None:
    from assaykit.report.output import provenance

    f = tmp_path / "in.csv"
    f.write_bytes(b"a\n1\n")
    log = InputLog()
    first = log.record("export", f).sha256
    f.write_bytes(b"a\n2\n")  # changed after reading: provenance must not describe the new bytes
    rec = provenance({"export": f}, {}, "test", log=log)
    assert rec["inputs"]["export"]["sha256"] == first


def test_forward_clock_jump_is_a_named_qc_row() -> None:
    """DST spring-forward: readable, but the jump is reported with its line (QC, not a print)."""
    df = read_export(BROKEN / "wizard2_dst_spring_forward.csv")
    (row,) = df.attrs["qc"]
    assert row["check"] == "time_jump" and row["line"] == 8
    assert "jump forward by 0:58:42 after line 7" in str(row["message"])
    assert read_export(BROKEN / "wizard2_first_12_tubes.csv").attrs["qc"] == []


def test_counts_only_tube_table_is_named() -> None:
    with pytest.raises(ParseError, match="line 1: tube table has counts but no cpm column"):
        read_export(BROKEN / "tube_table_counts_only.csv")


def test_input_log_keeps_every_export_of_a_batch(tmp_path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("1")
    b.write_text("2")
    log = InputLog()
    log.record("export", a)
    log.record("export", b)
    log.record("export", a)  # read again: hashed once
    assert list(log.provenance_inputs()) == ["export", "export_2"]
    b.write_text("changed")
    with pytest.raises(OutputError, match="b.csv: changed"):
        log.verify()
