"""``assaykit binding summarize``: results of independent experiments → mean ± SD and comparisons."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit._typing import PAdjust
from assaykit.errors import FitError, SchemaError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["run_binding_summary"]


def _read_results(path: Path) -> pd.DataFrame:
    """A results.csv, a results folder or a results.xlsx → the per-curve results table."""
    import pandas as pd

    from assaykit.run.inputs import check_input_file

    p = path / "results.csv" if path.is_dir() else path
    check_input_file(p)
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(p, sheet_name="parameters")
        return pd.read_csv(p)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        msg = " ".join(str(err).split())
        raise SchemaError(f"cannot read it as a binding results table ({msg})", path=p) from None


def _run_key(results_file: Path) -> tuple[str, ...] | None:
    """The SHA-256 of every input of the run that wrote ``results_file`` (from its provenance)."""
    import json

    prov = results_file.parent / "provenance.json"
    if not prov.is_file():
        return None
    try:
        data = json.loads(prov.read_text(encoding="utf-8"))
        inputs = data.get("inputs", {})
        hashes = sorted(str(v.get("sha256")) for v in inputs.values() if isinstance(v, dict))
    except (OSError, ValueError, AttributeError):
        return None
    return tuple(hashes) or None


def _check_distinct(paths: Sequence[Path]) -> None:
    """Refuse the same results twice (the same file, or two runs of the same inputs)."""
    import hashlib

    seen: dict[str, Path] = {}
    for p in paths:
        with p.open("rb") as fh:
            digest = "file:" + hashlib.sha256(fh.read()).hexdigest()
        key = _run_key(p)
        for k in ("run:" + "|".join(key) if key else "", digest):
            if not k:
                continue
            if k in seen:
                what = "the same results" if k.startswith("file:") else "results of the same inputs"
                raise SchemaError(
                    f"{what} as {seen[k]} (SHA-256 of "
                    f"{'the file' if k.startswith('file:') else 'the inputs, from provenance.json'}); "
                    "each independent experiment must be given once",
                    path=p,
                )
            seen[k] = p


def _numeric_log_ic50(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    import pandas as pd

    num = pd.to_numeric(df["log_ic50"], errors="coerce")
    bad = num.isna() & df["log_ic50"].notna() & (df["log_ic50"].astype(str).str.strip() != "")
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise SchemaError(
            f"column 'log_ic50' must hold numbers; got {df['log_ic50'].iloc[i]!r}",
            path=path,
            line=i + 2,
        )
    return df.assign(log_ic50=num)


def run_binding_summary(
    inputs: Sequence[str | os.PathLike[str]],
    outdir: str | os.PathLike[str],
    *,
    force: bool = False,
    paired: bool | None = None,
    padjust: PAdjust = "holm",
    command: str = "assaykit binding summarize",
) -> dict[str, Any]:
    """Summarize results of independent experiments: mean ± SD logIC50 and comparisons.

    Parameters
    ----------
    inputs
        results.csv files, results folders or results.xlsx written by ``binding fit``, or an
        index file (``assaykit index add``: the newest version of every binding run in it)
        (columns ``compound``, ``experiment``, ``log_ic50``, ``status``); one may hold several
        experiments.
    outdir
        Folder for ``summary.csv``, ``comparisons.csv`` (when two or more compounds have two or
        more experiments), ``summary.xlsx`` and ``provenance.json``.
    force
        Replace what assaykit wrote in an existing folder.
    paired, padjust
        See :func:`assaykit.binding.summary.compare_experiments`.

    Returns
    -------
    dict
        ``{"summary": DataFrame, "comparisons": DataFrame, "notes": list}`` (comparisons may be
        empty; notes say what was relabelled).
    """
    import pandas as pd

    from assaykit.binding.summary import compare_experiments, summarize_experiments
    from assaykit.report.output import OutputFolder, provenance
    from assaykit.schema import require_columns

    folder = OutputFolder(outdir, force=force, inputs=list(inputs))
    if not inputs:
        raise SchemaError("give at least one results.csv to summarize")
    from assaykit.run._from_index import is_index, results_from_index

    indexed = [Path(g) for g in inputs if is_index(g)]
    inputs = [g for g in inputs if not is_index(g)]
    from_index = [
        (name, t.assign(experiment=t.get("experiment", name)))
        for db in indexed
        for name, t in results_from_index(db)
        if {"compound", "log_ic50", "status"} <= set(t.columns)
    ]
    files = [Path(g) / "results.csv" if Path(g).is_dir() else Path(g) for g in inputs]
    for f in files:
        if f.suffix.lower() not in (".xlsx", ".xlsm"):
            _read_results(f)  # missing or unreadable: named before anything else
    _check_distinct(files)
    parts = []
    for given in inputs:
        p = Path(given)
        df = _read_results(p)
        try:
            require_columns(
                df, ["compound", "experiment", "log_ic50", "status"], stage="binding summary"
            )
        except SchemaError as err:
            raise err.with_context(path=p) from None
        parts.append(_numeric_log_ic50(df, p))
    names = [f.parent.name or f.name for f in files]
    for name, t in from_index:
        parts.append(_numeric_log_ic50(t, Path(name)))
        names.append(name)
    if not parts:
        raise SchemaError(
            "no binding results found in the inputs (results folders, files or an index)"
        )
    notes: list[str] = []
    if len(parts) > 1:  # an experiment id in two files: two experiments (a template not changed)
        owners: dict[str, list[int]] = {}
        for k, df in enumerate(parts):
            for e in dict.fromkeys(df["experiment"].astype(str)):
                owners.setdefault(e, []).append(k)
        for e, ks in owners.items():
            if len(ks) > 1:
                for k in ks:
                    label = f"{e} [{names[k]}]"
                    parts[k] = parts[k].assign(
                        experiment=parts[k]["experiment"].astype(str).replace(e, label)
                    )
                notes.append(
                    f"experiment id {e!r} appears in {len(ks)} results files (was the template's "
                    "experiment_id left unchanged?); they are counted as separate experiments, "
                    "named by their folder"
                )
    fits = pd.concat(parts, ignore_index=True)
    summary = summarize_experiments(fits)
    try:
        comparisons = compare_experiments(fits, paired=paired, padjust=padjust)
    except FitError as err:
        if "padjust" in str(err) or "paired" in str(err):
            raise
        comparisons = pd.DataFrame()
    with folder as out:
        out.write_csv(summary, "summary.csv")
        sheets = {"summary": summary}
        if len(comparisons):
            out.write_csv(comparisons, "comparisons.csv")
            sheets["comparisons"] = comparisons
        sheets["experiments"] = fits
        out.write_xlsx(sheets, "summary.xlsx")
        read: dict[str, str | os.PathLike[str] | None] = {}
        for i, given in enumerate(inputs):
            p = Path(given)
            read[f"results_{i + 1}"] = p / "results.csv" if p.is_dir() else p
        for i, db in enumerate(indexed):
            read[f"index_{i + 1}"] = db
        out.write_json(
            provenance(read, {"paired": paired, "padjust": padjust}, command), "provenance.json"
        )
    return {"summary": summary, "comparisons": comparisons, "notes": notes}
