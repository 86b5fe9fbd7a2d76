"""Add results folders to the run index and ask it questions.

A results folder (what ``assaykit binding fit … -o DIR`` writes) is indexed from two files:
``provenance.json`` (inputs with SHA-256, options, versions) and ``results.csv`` (the main result
table, one row per curve). A run is identified by the SHA-256 of its inputs plus its options:

- adding the same folder again (or a copy of it) changes nothing and returns the same run;
- the same inputs analysed with other options are a new *version* of that run; the old version
  stays, untouched (nothing is ever overwritten or deleted).

Examples
--------
>>> import json, tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> run = d / "run1"; run.mkdir()
>>> _ = (run / "provenance.json").write_text(json.dumps({
...     "assay": "binding",
...     "inputs": {"input": {"name": "c.csv", "bytes": 10, "sha256": "ab" * 32}},
...     "options": {"model": "4pl", "experiment.date": "2026-03-12 00:00:00"}}))
>>> _ = (run / "results.csv").write_text("curve,compound,status,log_ic50\\nA,AMD3100,ok,-6.5\\n")
>>> added = add_runs(d / "lab.sqlite", [run])
>>> added[["run_id", "version", "added"]].values.tolist()
[[1, 1, True]]
>>> add_runs(d / "lab.sqlite", [run])["added"].tolist()  # idempotent
[False]
>>> list_runs(d / "lab.sqlite", compound="AMD3100")[["run_id", "run_date", "compounds"]].values.tolist()
[[1, '2026-03-12', 'AMD3100']]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from assaykit.errors import RunIndexError
from assaykit.index._db import connect, transaction

__all__ = ["add_runs", "compound_history", "list_runs", "run_keys", "show_run"]

_ID_COLUMNS = ("compound", "curve")


def _read_folder(folder: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    prov_path = folder / "provenance.json"
    res_path = folder / "results.csv"
    if not prov_path.is_file():
        raise RunIndexError(f"{folder}: no provenance.json (is this an assaykit results folder?)")
    try:
        prov = json.loads(prov_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise RunIndexError(f"{prov_path}: not readable JSON ({err})") from None
    if not isinstance(prov, dict):
        raise RunIndexError(f"{prov_path}: expected a JSON object")
    if not res_path.is_file():
        raise RunIndexError(f"{folder}: no results.csv")
    try:
        results = pd.read_csv(res_path, keep_default_na=True)
    except (OSError, ValueError, pd.errors.ParserError) as err:
        raise RunIndexError(f"{res_path}: not a readable table ({err})") from None
    return prov, results


def run_keys(provenance: Mapping[str, Any]) -> tuple[str, str]:
    """``(run_key, inputs_key)``: SHA-256 of inputs' SHA-256 + options, and of the inputs alone.

    Input roles and file names do not count (a renamed copy is the same data); option order
    does not count either.

    Examples
    --------
    >>> p = {"inputs": {"input": {"sha256": "ab" * 32}}, "options": {"b": 1, "a": 2}}
    >>> q = {"inputs": {"data": {"sha256": "ab" * 32, "name": "x"}}, "options": {"a": 2, "b": 1}}
    >>> run_keys(p) == run_keys(q)
    True
    """
    inputs = provenance.get("inputs") or {}
    shas = sorted(str(v.get("sha256", "")) for v in inputs.values() if isinstance(v, Mapping))
    if not shas or not all(shas):
        raise RunIndexError("provenance.json lists no input with a sha256")
    options = provenance.get("options") or {}
    inputs_key = hashlib.sha256(json.dumps(shas).encode()).hexdigest()
    blob = json.dumps({"inputs": shas, "options": options}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest(), inputs_key


def _assay(prov: Mapping[str, Any], folder: Path) -> str:
    opts = prov.get("options") or {}
    for v in (prov.get("assay"), opts.get("assay")):
        if isinstance(v, str) and v.strip():
            return v.strip()
    words = str(prov.get("command", "")).split()
    if len(words) >= 2 and words[0] == "assaykit" and words[1] not in ("demo", "batch"):
        return words[1]
    return folder.name


def _iso_date(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    try:
        return pd.Timestamp(str(value)).date().isoformat()
    except (ValueError, TypeError):
        return ""


def _text(v: Any) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _result_rows(
    results: pd.DataFrame,
) -> list[tuple[int, str, str, str, str, list[tuple[str, float]]]]:
    out = []
    numeric = [
        c
        for c in results.columns
        if pd.api.types.is_numeric_dtype(results[c]) and not pd.api.types.is_bool_dtype(results[c])
    ]
    for i, rec in enumerate(results.to_dict("records")):
        curve = _text(rec.get("curve")) or _text(rec.get("compound")) or f"row {i + 1}"
        compound = _text(rec.get("compound")) or curve
        status = _text(rec.get("status"))
        clean = {str(k): (None if _text(v) == "" else v) for k, v in rec.items()}
        values = [
            (str(c), float(rec[c]))
            for c in numeric
            if rec[c] is not None and math.isfinite(float(rec[c]))
        ]
        out.append((i, curve, compound, status, json.dumps(clean, default=str), values))
    return out


def add_runs(
    db: str | os.PathLike[str], results_dirs: Iterable[str | os.PathLike[str]]
) -> pd.DataFrame:
    """Index results folders; return one row per folder: ``run_id``, ``version``, ``added``, ...

    Each folder is added in its own transaction, so a folder that cannot be read leaves the
    others indexed (its row has ``added`` False and the reason in ``message``). Safe to run from
    several processes at once.

    Returns
    -------
    pandas.DataFrame
        ``results_dir``, ``run_id``, ``version``, ``added`` (False: already indexed or
        unreadable), ``message``.
    """
    con = connect(db)
    report: list[tuple[str, int | None, int | None, bool, str]] = []
    try:
        for d in results_dirs:
            folder = Path(d)
            try:
                prov, results = _read_folder(folder)
                run_key, inputs_key = run_keys(prov)
            except RunIndexError as err:
                report.append((str(folder), None, None, False, str(err)))
                continue
            opts = prov.get("options") or {}
            with transaction(con):
                hit = con.execute(
                    "SELECT run_id, version FROM runs WHERE run_key = ?", (run_key,)
                ).fetchone()
                if hit:
                    report.append((str(folder), hit[0], hit[1], False, "already indexed"))
                    continue
                (last,) = con.execute(
                    "SELECT COALESCE(MAX(version), 0) FROM runs WHERE inputs_key = ?",
                    (inputs_key,),
                ).fetchone()
                cur = con.execute(
                    "INSERT INTO runs (run_key, inputs_key, version, assay, experiment_id, "
                    "operator, run_date, results_dir, added_at, provenance) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_key,
                        inputs_key,
                        last + 1,
                        _assay(prov, folder),
                        _text(opts.get("experiment.experiment_id")),
                        _text(opts.get("experiment.operator")),
                        _iso_date(opts.get("experiment.date")),
                        str(folder.resolve()),
                        dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                        json.dumps(prov, sort_keys=True, default=str),
                    ),
                )
                run_id = cur.lastrowid
                con.executemany(
                    "INSERT INTO run_inputs (run_id, role, name, sha256, bytes) VALUES (?,?,?,?,?)",
                    [
                        (run_id, role, _text(v.get("name")), _text(v.get("sha256")), v.get("bytes"))
                        for role, v in (prov.get("inputs") or {}).items()
                        if isinstance(v, Mapping)
                    ],
                )
                for row_no, curve, compound, status, blob, values in _result_rows(results):
                    con.execute(
                        "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?)",
                        (run_id, row_no, curve, compound, status, blob),
                    )
                    con.executemany(
                        "INSERT INTO result_values VALUES (?, ?, ?, ?)",
                        [(run_id, row_no, name, v) for name, v in values],
                    )
                msg = "new run" if last == 0 else f"re-analysis: version {last + 1} of these inputs"
                report.append((str(folder), run_id, last + 1, True, msg))
    finally:
        con.close()
    return pd.DataFrame(
        report, columns=["results_dir", "run_id", "version", "added", "message"]
    ).astype({"run_id": "Int64", "version": "Int64"})


def list_runs(
    db: str | os.PathLike[str],
    *,
    compound: str | None = None,
    assay: str | None = None,
    since: str | dt.date | None = None,
    operator: str | None = None,
    latest_only: bool = False,
) -> pd.DataFrame:
    """The indexed runs (one row per run version), oldest experiment first.

    Filters combine: ``compound`` (a run with a result row of that compound or curve), ``assay``,
    ``since`` (experiment date on or after, ISO text or date), ``operator`` (exact);
    ``latest_only`` keeps the newest version of each set of inputs.

    Returns
    -------
    pandas.DataFrame
        ``run_id``, ``version``, ``assay``, ``experiment_id``, ``operator``, ``run_date``,
        ``results_dir``, ``added_at``, ``n_results``, ``compounds`` (``;``-joined).
    """
    where, args = [], []
    if compound is not None:
        where.append("r.run_id IN (SELECT run_id FROM results WHERE compound = ? OR curve = ?)")
        args += [compound, compound]
    if assay is not None:
        where.append("r.assay = ?")
        args.append(assay)
    if since is not None:
        where.append("r.run_date >= ?")
        args.append(_iso_date(since) or str(since))
    if operator is not None:
        where.append("r.operator = ?")
        args.append(operator)
    if latest_only:
        where.append(
            "r.version = (SELECT MAX(version) FROM runs x WHERE x.inputs_key = r.inputs_key)"
        )
    sql = (
        "SELECT r.run_id, r.version, r.assay, r.experiment_id, r.operator, r.run_date, "
        "r.results_dir, r.added_at, "
        "(SELECT COUNT(*) FROM results s WHERE s.run_id = r.run_id) AS n_results, "
        "(SELECT GROUP_CONCAT(compound, ';') FROM (SELECT DISTINCT compound FROM results s "
        " WHERE s.run_id = r.run_id ORDER BY compound)) AS compounds "
        "FROM runs r"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY r.run_date, r.run_id"
    )
    con = connect(db)
    try:
        df = pd.read_sql_query(sql, con, params=args)
    finally:
        con.close()
    df["compounds"] = df["compounds"].fillna("")
    return df


def show_run(db: str | os.PathLike[str], run_id: int) -> dict[str, Any]:
    """One run: its fields, ``inputs`` and ``results`` (as DataFrames) and ``provenance`` (dict)."""
    con = connect(db)
    try:
        con.row_factory = None
        row = con.execute(
            "SELECT run_id, version, assay, experiment_id, operator, run_date, results_dir, "
            "added_at, provenance, inputs_key FROM runs WHERE run_id = ?",
            (int(run_id),),
        ).fetchone()
        if row is None:
            raise RunIndexError(f"no run with id {run_id} in the index")
        inputs = pd.read_sql_query(
            "SELECT role, name, sha256, bytes FROM run_inputs WHERE run_id = ? ORDER BY role",
            con,
            params=[int(run_id)],
        )
        rows = con.execute(
            "SELECT row_json FROM results WHERE run_id = ? ORDER BY row_no", (int(run_id),)
        ).fetchall()
        versions = [
            v
            for (v,) in con.execute(
                "SELECT run_id FROM runs WHERE inputs_key = ? ORDER BY version", (row[9],)
            )
        ]
    finally:
        con.close()
    keys = ("run_id", "version", "assay", "experiment_id", "operator", "run_date",
            "results_dir", "added_at")  # fmt: skip
    out: dict[str, Any] = dict(zip(keys, row[:8], strict=True))
    out["provenance"] = json.loads(row[8])
    out["inputs"] = inputs
    out["results"] = pd.DataFrame([json.loads(r) for (r,) in rows])
    out["versions"] = versions
    return out


def compound_history(
    db: str | os.PathLike[str],
    compound: str,
    *,
    parameter: str = "log_ic50",
    assay: str | None = None,
    latest_only: bool = True,
) -> pd.DataFrame:
    """One compound's ``parameter`` over all indexed runs, oldest experiment first.

    Each result row of the compound (or curve of that name) gives a row; ``value`` is NaN when the
    run did not define the parameter (the ``status`` says why). ``latest_only`` keeps only the
    newest version of re-analysed runs, so a re-analysis does not count twice.

    Returns
    -------
    pandas.DataFrame
        ``run_id``, ``version``, ``run_date``, ``experiment_id``, ``operator``, ``curve``,
        ``status``, ``value``, ``se`` (``<parameter>_se`` when stored).
    """
    sql = (
        "SELECT r.run_id, r.version, r.run_date, r.experiment_id, r.operator, s.curve, s.status, "
        "(SELECT value FROM result_values v WHERE v.run_id = s.run_id AND v.row_no = s.row_no "
        " AND v.name = ?) AS value, "
        "(SELECT value FROM result_values v WHERE v.run_id = s.run_id AND v.row_no = s.row_no "
        " AND v.name = ?) AS se "
        "FROM results s JOIN runs r ON r.run_id = s.run_id "
        "WHERE (s.compound = ? OR s.curve = ?)"
    )
    args: list[Any] = [parameter, f"{parameter}_se", compound, compound]
    if assay is not None:
        sql += " AND r.assay = ?"
        args.append(assay)
    if latest_only:
        sql += (
            " AND r.version = (SELECT MAX(version) FROM runs x WHERE x.inputs_key = r.inputs_key)"
        )
    sql += " ORDER BY r.run_date, r.run_id, s.row_no"
    con = connect(db)
    try:
        df = pd.read_sql_query(sql, con, params=args)
    finally:
        con.close()
    return df.astype({"value": "float64", "se": "float64"})
