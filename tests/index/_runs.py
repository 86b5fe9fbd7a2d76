"""Simulated results folders (provenance.json + results.csv) for the index tests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd


def write_run(
    folder: Path,
    *,
    seed: int,
    date: str,
    log_ic50: float,
    compounds: tuple[str, ...] = ("AMD3100", "Pentixafor"),
    operator: str = "A. Tester",
    options: dict[str, object] | None = None,
    status: str = "ok",
    assay: str = "binding",
) -> Path:
    """One results folder whose input SHA-256 is derived from ``seed`` (same seed: same data)."""
    folder.mkdir(parents=True, exist_ok=True)
    sha = hashlib.sha256(f"raw export {seed}".encode()).hexdigest()
    opts = {"model": "4pl", "ci": "wald", "weighting": "none"} | (options or {})
    opts |= {
        "experiment.date": f"{date} 00:00:00",
        "experiment.operator": operator,
        "experiment.experiment_id": f"EXP-{seed:04d}",
    }
    prov = {
        "command": f"assaykit {assay} fit counts.csv --layout layout.xlsx",
        "inputs": {
            "input": {"name": "counts.csv", "bytes": 1000 + seed, "sha256": sha},
            "layout": {"name": "layout.xlsx", "bytes": 5000, "sha256": "0" * 64},
        },
        "options": opts,
        "versions": {"assaykit": "0.1.0"},
    }
    (folder / "provenance.json").write_text(json.dumps(prov), encoding="utf-8")
    rows = []
    for k, comp in enumerate(compounds):
        li = log_ic50 + k if status == "ok" else np.nan
        rows.append(
            {
                "curve": comp,
                "compound": comp,
                "status": status if k == 0 else "ok",
                "log_ic50": li if k == 0 else log_ic50 + k,
                "log_ic50_se": 0.05,
                "ic50_M": 10.0**li if k == 0 else 10.0 ** (log_ic50 + k),
                "flags": "",
                "message": "" if status == "ok" else "IC50 not identifiable",
            }
        )
    pd.DataFrame(rows).to_csv(folder / "results.csv", index=False)
    return folder


def add_in_process(db: str, dirs: list[str], start_at: float) -> int:
    """Worker of the concurrency test: wait for the common start, then add folder by folder.

    One ``add_runs`` call per folder maximises contention: every call opens the index (both
    workers race to create the schema of a new file) and takes the write lock again.
    """
    import time

    from assaykit.index import add_runs

    time.sleep(max(0.0, start_at - time.time()))
    return sum(int(add_runs(db, [d])["added"].sum()) for d in dirs)
