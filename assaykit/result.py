"""What every assay's pure analysis hands to the workflow layer: :class:`AssayResult`.

An assay package (binding, uptake, saturation, kinetics, biodistribution, radiochemistry, ...)
never writes a file. Its analysis returns an :class:`AssayResult`: named result tables (the first
one becomes ``results.csv``), figures as plotnine objects, the settings that were used, a QC table
of everything that was dropped, regrouped or doubtful, the lines a person should see in the
console and the methods paragraph a paper needs. The workflow layer (:mod:`assaykit.run`) writes
any AssayResult into a results folder the same way (tables, workbook, figures, provenance, report),
so every assay inherits the same safe writing, the same workbook and the same report.

Examples
--------
>>> import pandas as pd
>>> res = AssayResult(
...     assay="demo",
...     tables={"results": pd.DataFrame({"curve": ["a"], "kd_M": [2e-9]})},
...     summary=["a: Kd 2 nM"],
... )
>>> res.main_table.columns.tolist()
['curve', 'kd_M']
>>> qc = qc_table([qc_row("warning", "tube 1/3", "counted twice")])
>>> qc.loc[0, "message"]
'counted twice'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

__all__ = ["QC_COLUMNS", "AssayResult", "Figure", "Severity", "qc_row", "qc_table"]

Severity = Literal["error", "warning", "info"]

#: Columns of every QC table: how serious, where (file / tube / well / group), what happened.
QC_COLUMNS: tuple[str, ...] = ("severity", "where", "message")


@dataclass(frozen=True)
class Figure:
    """A plotnine figure with the size it is saved at (inches)."""

    plot: Any
    width: float = 6.0
    height: float = 4.5
    caption: str = ""


@dataclass
class AssayResult:
    """The pure result of one assay's analysis: tables, figures, settings, QC and words.

    Attributes
    ----------
    assay
        Name of the assay (``binding``, ``uptake``, ``saturation``, ...).
    tables
        Result tables in the order they appear in ``results.xlsx``; the first is also written
        as ``results.csv``. Column names carry their unit (``ic50_M``, ``time_min``).
    figures
        Figures by file stem (``curve_Pentixafor`` → ``curve_Pentixafor.png/.pdf/.svg``).
    settings
        Every option that was used (written to the workbook's Settings sheet and provenance).
    qc
        One row per thing a person should know (columns :data:`QC_COLUMNS`).
    summary
        Lines the command line prints after the run (key numbers with units and CIs).
    methods
        The methods paragraph (model, weighting, CI method, software version).
    n_statement
        What n counts (wells, tubes, animals, independent experiments).
    data
        Optional frames used to build the figures or exports (e.g. normalised points) that are
        not result tables; the workflow layer may use them for Prism files.
    """

    assay: str
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Figure] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    qc: pd.DataFrame = field(default_factory=lambda: qc_table([]))
    summary: list[str] = field(default_factory=list)
    methods: str = ""
    n_statement: str = ""
    data: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def main_table(self) -> pd.DataFrame:
        """The first result table (``results.csv``)."""
        if not self.tables:
            raise ValueError(f"the {self.assay} analysis returned no result table")
        return next(iter(self.tables.values()))


def qc_row(severity: Severity, where: str, message: str) -> dict[str, str]:
    """One QC entry (see :data:`QC_COLUMNS`)."""
    return {"severity": severity, "where": where, "message": message}


def qc_table(rows: Iterable[Mapping[str, object]]) -> pd.DataFrame:
    """A QC table from :func:`qc_row` entries (always with the :data:`QC_COLUMNS`)."""
    return pd.DataFrame(list(rows), columns=list(QC_COLUMNS))
