"""Load: 1,000 exports in one folder parse in one command, one at a time, without memory growth.

Peak RSS of a fresh interpreter running ``assaykit parse DIR -o OUT`` is compared for 100 and
1,000 exports, and tracemalloc samples the traced memory after every 100th file in-process.
Marked slow (CI runs them); the figures are printed (``pytest -s``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import DATA, REPO
from tests.robustness._cli import BINDING_EXPORT

_MEASURE = """
import json, resource, sys, time
from assaykit.cli import main
t = time.perf_counter()
try:
    main(sys.argv[2:])
except SystemExit as exc:
    code = exc.code
rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open(sys.argv[1], "w") as fh:
    json.dump({"code": code, "maxrss_mb": rss_kb / 1024, "seconds": time.perf_counter() - t}, fh)
"""


def make_exports(folder: Path, n: int, *, broken_every: int = 0) -> list[Path]:
    """``n`` small exports: Wizard2 CSVs (run id and counts varied), every 10th a tube-table xlsx,
    and every ``broken_every``-th one (from ``broken_every // 2``) truncated inside a row."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = BINDING_EXPORT.read_text(encoding="utf-8").splitlines()
    head, body = lines[0], lines[1:25]
    xlsx = (DATA / "exports" / "tube_table" / "tubes.xlsx").read_bytes()
    out = []
    for k in range(n):
        if k % 10 == 9:
            p = folder / f"run {k:04d}.xlsx"
            p.write_bytes(xlsx)
        else:
            rows = [ln.replace(",5123,", f",{5000 + k},", 1) for ln in body]
            text = "\r\n".join([head, *rows]) + "\r\n"
            if broken_every and k % broken_every == broken_every // 2:
                text = text[: text.index(",", len(text) // 2) + 1]  # cut inside a row
            p = folder / f"run {k:04d}.csv"
            p.write_text(text, encoding="utf-8")
        out.append(p)
    return out


def _run_measured(folder: Path, outdir: Path, tmp: Path) -> dict:
    result = tmp / f"measure-{folder.name}.json"
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(result), "parse", str(folder), "-o", str(outdir)],
        capture_output=True,
        text=True,
        timeout=1200,
        cwd=tmp,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp)},
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return json.loads(result.read_text()) | {"stderr": proc.stderr}


@pytest.mark.slow
def test_thousand_exports_in_one_command_without_memory_growth(tmp_path: Path) -> None:
    small = make_exports(tmp_path / "in100", 100)
    large = make_exports(tmp_path / "in1000", 1000)
    m100 = _run_measured(tmp_path / "in100", tmp_path / "out100", tmp_path)
    m1000 = _run_measured(tmp_path / "in1000", tmp_path / "out1000", tmp_path)
    print(
        f"\npeak RSS: 100 exports {m100['maxrss_mb']:.1f} MB in {m100['seconds']:.1f} s; "
        f"1000 exports {m1000['maxrss_mb']:.1f} MB in {m1000['seconds']:.1f} s"
    )
    assert m100["code"] == 0 and m1000["code"] == 0, m1000["stderr"]
    summary = pd.read_csv(tmp_path / "out1000" / "parse_summary.csv")
    assert len(summary) == 1000 and (summary["status"] == "ok").all()
    assert len(list((tmp_path / "out1000").glob("*.csv"))) == 1001
    assert summary["output"].nunique() == 1000
    # streaming: ten times the files, (almost) the same peak memory
    assert m1000["maxrss_mb"] < m100["maxrss_mb"] * 1.15 + 10, (m100, m1000)
    for p in [*small, *large][::97]:
        assert p.exists()  # inputs are left where they were


@pytest.mark.slow
def test_traced_memory_is_flat_across_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracemalloc

    import assaykit.io
    from assaykit.run import parse_many

    files = make_exports(tmp_path / "in", 1000, broken_every=50)
    samples: list[float] = []
    original = assaykit.io.read_export
    count = {"n": 0}

    def sampled(*args, **kwargs):  # noqa: ANN002, ANN003
        try:
            return original(*args, **kwargs)
        finally:  # broken exports raise: they count as files too
            count["n"] += 1
            if count["n"] % 100 == 0:
                samples.append(tracemalloc.get_traced_memory()[0] / 2**20)

    monkeypatch.setattr(assaykit.io, "read_export", sampled)
    import warnings

    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            failed, summary = parse_many(files, tmp_path / "out")
            total = len(summary)
    finally:
        tracemalloc.stop()
    print("\ntraced MB after every 100th file:", " ".join(f"{s:.2f}" for s in samples))
    assert total == 1000 and len(failed) == 20  # every 50th export is truncated
    assert len(samples) == 10
    # after warm-up, the 10th sample is within 2 MB of the 2nd: nothing accumulates per file
    assert samples[-1] - samples[1] < 2.0, samples


def test_folder_parse_names_and_summary(tmp_path: Path) -> None:
    """Fast check of the folder mode: unique safe names, summary, one line per failure, exit 1."""
    from tests.robustness._cli import run_inprocess

    folder = tmp_path / "in"
    make_exports(folder, 12, broken_every=4)
    (folder / "run 0000.txt").write_bytes((folder / "run 0000.csv").read_bytes())  # same stem
    (folder / ".hidden.csv").write_text("x")
    (folder / "sub").mkdir()
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    run = run_inprocess(["parse", str(folder), "-o", str(tmp_path / "out")])
    assert run.code == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 4  # 3 truncated exports + the count line
    assert all(ln.startswith("assaykit: error: ") for ln in lines)
    assert "run 0002.csv, line" in lines[0]
    assert lines[-1].startswith("assaykit: error: 3 of 13 exports could not be read")
    summary = pd.read_csv(tmp_path / "out" / "parse_summary.csv", keep_default_na=False)
    assert summary.columns.tolist() == [
        "file",
        "format",
        "rows",
        "status",
        "output",
        "message",
        "warnings",
    ]
    assert summary["status"].value_counts().to_dict() == {"ok": 10, "error": 3}
    outputs = set(summary.loc[summary["status"] == "ok", "output"])
    assert {"run_0000.csv", "run_0000-2.csv"} <= outputs
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        [*outputs, "parse_summary.csv", "provenance.json"]  # provenance: the manifest
    )
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before
    # again without --force: refused, nothing changed
    first = (tmp_path / "out" / "parse_summary.csv").read_bytes()
    run = run_inprocess(["parse", str(folder), "-o", str(tmp_path / "out")])
    assert run.code == 1 and "exists; use --force" in run.stderr
    assert (tmp_path / "out" / "parse_summary.csv").read_bytes() == first


def test_folder_parse_needs_an_output_folder(tmp_path: Path) -> None:
    from tests.robustness._cli import run_inprocess

    make_exports(tmp_path / "in", 2)
    run = run_inprocess(["parse", str(tmp_path / "in")])
    assert run.code == 1 and "need -o OUTDIR" in run.stderr
    run = run_inprocess(["parse", str(tmp_path / "in"), "-o", str(tmp_path / "x.csv")])
    assert run.code == 1 and "names an output folder" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]
