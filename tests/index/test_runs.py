"""The run index: adding, idempotence, re-analysis versions, queries, migrations, concurrency."""

from __future__ import annotations

import json
import multiprocessing as mp
import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import RunIndexError
from assaykit.index import SCHEMA_VERSION, add_runs, compound_history, list_runs, show_run
from assaykit.index._db import connect
from tests.index._runs import add_in_process, write_run


def test_add_is_idempotent_and_reanalysis_is_a_new_version(tmp_path: Path) -> None:
    db = tmp_path / "lab.sqlite"
    a = write_run(tmp_path / "a", seed=1, date="2026-01-05", log_ic50=-6.5)
    first = add_runs(db, [a])
    assert first[["run_id", "version", "added"]].values.tolist() == [[1, 1, True]]
    # the same folder again, and a byte-identical copy elsewhere: nothing new
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in a.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    again = add_runs(db, [a, copy])
    assert again["added"].tolist() == [False, False]
    assert again["run_id"].tolist() == [1, 1]
    # same inputs, other options: version 2; version 1 stays as it was
    b = write_run(
        tmp_path / "b", seed=1, date="2026-01-05", log_ic50=-6.4, options={"ci": "profile"}
    )
    second = add_runs(db, [b])
    assert second[["run_id", "version", "added"]].values.tolist() == [[2, 2, True]]
    assert "re-analysis" in second.loc[0, "message"]
    v1 = show_run(db, 1)
    assert v1["results"].loc[0, "log_ic50"] == -6.5 and v1["versions"] == [1, 2]
    assert show_run(db, 2)["provenance"]["options"]["ci"] == "profile"
    assert len(list_runs(db)) == 2 and len(list_runs(db, latest_only=True)) == 1
    # history counts a re-analysed run once (its newest version) unless asked otherwise
    assert compound_history(db, "AMD3100")["value"].tolist() == [-6.4]
    assert compound_history(db, "AMD3100", latest_only=False)["value"].tolist() == [-6.5, -6.4]


def test_queries_filter_and_order(tmp_path: Path) -> None:
    db = tmp_path / "lab.sqlite"
    dirs = [
        write_run(tmp_path / "r1", seed=1, date="2026-03-01", log_ic50=-6.5, operator="ann"),
        write_run(
            tmp_path / "r2",
            seed=2,
            date="2026-01-01",
            log_ic50=-6.6,
            operator="bob",
            compounds=("AMD3100",),
        ),  # fmt: skip
        write_run(
            tmp_path / "r3",
            seed=3,
            date="2026-02-01",
            log_ic50=-6.4,
            operator="ann",
            assay="uptake",
            compounds=("Pentixafor",),
        ),  # fmt: skip
    ]
    add_runs(db, dirs)
    all_runs = list_runs(db)
    assert all_runs["run_date"].tolist() == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert all_runs["assay"].tolist() == ["binding", "uptake", "binding"]
    assert list_runs(db, compound="AMD3100")["experiment_id"].tolist() == ["EXP-0002", "EXP-0001"]
    assert list_runs(db, operator="ann")["run_id"].tolist() == [3, 1]
    assert list_runs(db, since="2026-02-01")["run_id"].tolist() == [3, 1]
    assert list_runs(db, assay="uptake", operator="ann")["compounds"].tolist() == ["Pentixafor"]
    assert list_runs(db, compound="nope").empty
    hist = compound_history(db, "AMD3100")
    assert hist["value"].tolist() == [-6.6, -6.5] and hist["se"].tolist() == [0.05, 0.05]
    run = show_run(db, 1)
    assert run["inputs"]["role"].tolist() == ["input", "layout"]
    assert run["results"]["compound"].tolist() == ["AMD3100", "Pentixafor"]
    with pytest.raises(RunIndexError, match="no run with id 99"):
        show_run(db, 99)


def test_unreadable_folder_is_reported_and_others_indexed(tmp_path: Path) -> None:
    db = tmp_path / "lab.sqlite"
    good = write_run(tmp_path / "good", seed=1, date="2026-01-01", log_ic50=-6.5)
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = write_run(tmp_path / "broken", seed=2, date="2026-01-01", log_ic50=-6.5)
    (broken / "provenance.json").write_text("{not json")
    out = add_runs(db, [empty, broken, good])
    assert out["added"].tolist() == [False, False, True]
    assert "no provenance.json" in out.loc[0, "message"]
    assert "not readable JSON" in out.loc[1, "message"]
    assert len(list_runs(db)) == 1


def test_migrations_upgrade_an_old_index_and_refuse_a_newer_one(tmp_path: Path) -> None:
    db = tmp_path / "lab.sqlite"
    con = connect(db, upto=1)  # an index written by the first schema
    con.execute(
        "INSERT INTO runs VALUES (1, 'k', 'i', 1, 'binding', 'E', 'ann', '2026-01-01', '/x', "
        "'2026-01-01T00:00:00+00:00', '{}')"
    )
    con.close()
    con = connect(db)  # upgraded in place, data kept
    versions = [v for (v,) in con.execute("SELECT version FROM schema_version ORDER BY version")]
    idx = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    con.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    con.close()
    assert versions == list(range(1, SCHEMA_VERSION + 1))
    assert "results_compound" in idx
    # and the row written under schema 1 is still there
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT experiment_id FROM runs").fetchall() == [("E",)]
    raw.close()
    with pytest.raises(RunIndexError, match="newer than this assaykit"):
        connect(db)


def test_wal_and_busy_timeout_are_set(tmp_path: Path) -> None:
    con = connect(tmp_path / "lab.sqlite")
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
    finally:
        con.close()


@pytest.mark.slow
def test_two_processes_adding_at_once_lose_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "lab.sqlite")
    a = [str(write_run(tmp_path / f"a{i}", seed=i, date="2026-01-01", log_ic50=-6.5))
         for i in range(25)]  # fmt: skip
    b = [str(write_run(tmp_path / f"b{i}", seed=100 + i, date="2026-01-02", log_ic50=-6.5))
         for i in range(25)]  # fmt: skip
    shared = a[:10]  # both processes also add the same ten folders
    ctx = mp.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(time.sleep, [0.0, 0.0])  # both workers are up before the clock starts
        start = time.time() + 1.0
        added = pool.starmap(add_in_process, [(db, a + b[:5], start), (db, shared + b, start)])
    runs = list_runs(db)
    assert sum(added) == 50 == len(runs)  # every folder once, none lost, none twice
    assert runs["run_id"].is_unique
    con = sqlite3.connect(db)
    (n_results,) = con.execute("SELECT COUNT(*) FROM results").fetchone()
    con.close()
    assert n_results == 100


@pytest.mark.slow
def test_index_200_runs_and_query_history(tmp_path: Path) -> None:
    """Timing is printed for the record (-s), never asserted."""
    db = tmp_path / "lab.sqlite"
    rng = np.random.default_rng(1)
    dates = pd.date_range("2025-01-01", periods=200, freq="D")
    dirs = [
        write_run(
            tmp_path / f"r{i:03d}", seed=i, date=str(d.date()), log_ic50=-6.5 + rng.normal(0, 0.1)
        )
        for i, d in enumerate(dates)
    ]
    t0 = time.perf_counter()
    out = add_runs(db, dirs)
    t1 = time.perf_counter()
    hist = compound_history(db, "AMD3100")
    t2 = time.perf_counter()
    print(
        f"\nindexed 200 runs in {t1 - t0:.2f} s; one compound's history in {1e3 * (t2 - t1):.1f} ms"
    )
    assert out["added"].all() and len(hist) == 200
    assert hist["run_date"].is_monotonic_increasing
    assert json.loads(json.dumps(show_run(db, 200)["provenance"]))["options"]["model"] == "4pl"
