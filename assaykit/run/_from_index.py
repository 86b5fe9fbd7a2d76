"""Results tables from the lab's index, for the commands that summarize over runs.

``binding summarize`` and ``profile`` take results folders, results files, or an index file
(``assaykit index add`` writes it): from an index, the newest version of every run is used,
each as the results table of its folder was when it was indexed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["is_index", "results_from_index"]

_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_index(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a file holding an SQLite database (the index), by its first bytes."""
    p = Path(path)
    if not p.is_file():
        return False
    with p.open("rb") as fh:
        return fh.read(16) == _SQLITE_MAGIC


def results_from_index(
    db: str | os.PathLike[str], *, assay: str | None = None
) -> list[tuple[str, pd.DataFrame]]:
    """``(name, results table)`` of the newest version of every indexed run (of ``assay``)."""
    from assaykit.index import list_runs, show_run

    out = []
    runs = list_runs(db, assay=assay, latest_only=True)
    for rec in runs.to_dict("records"):
        run_id = int(str(rec["run_id"]))
        table = show_run(db, run_id)["results"]
        if "compound" not in table.columns and "curve" in table.columns:
            table = table.assign(compound=table["curve"])  # a tidy-table run names curves only
        label = str(rec["experiment_id"] or "") or Path(str(rec["results_dir"])).name
        out.append((f"{Path(db).name} run {run_id} ({label})", table))
    return out
