"""``assaykit competition analyze``: a counter export + tube layout → a competition results folder.

The models of Prism's competition menu beyond the 4PL (fit Ki, homologous, heterologous with
ligand depletion, two sites): :func:`assaykit.binding.competition_analysis.analyze_competition`
does the science; this module reads the files, calls it and writes its
:class:`~assaykit.result.AssayResult` through the one writer.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from assaykit.binding.competition import CiMethod, CompetitionModel, Weighting
from assaykit.errors import AssaykitError
from assaykit.io import InputLog
from assaykit.run._loop import Progress
from assaykit.run._single import run_analysis
from assaykit.run._write import RunOutcome
from assaykit.run.inputs import check_input_file

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.result import AssayResult

__all__ = ["CompetitionOptions", "read_competition_input", "run_competition"]

PathLike = str | os.PathLike[str]

#: Layout columns that may hold the radioligand concentration of each tube (homologous).
HOT_COLUMNS = ("hot_M", "hot_m", "hot")


@dataclass(frozen=True)
class CompetitionOptions:
    """Options of a competition analysis (see :func:`~assaykit.binding.competition.fit_competition`).

    Concentrations in M; ``None`` takes the value from the layout's experiment sheet
    (``radioligand_conc_M``, ``radioligand_kd_M``) or, for ``hot_cpm``, the standard tubes.
    """

    model: CompetitionModel = "homologous"
    radioligand_M: float | None = None
    kd_M: float | None = None
    kd_low_M: float | None = None
    hot_cpm: float | None = None
    specific_activity_cpm_per_fmol: float | None = None
    volume_mL: float | None = None
    weighting: Weighting = "none"
    ci: CiMethod = "wald"
    level: float = 0.95
    alpha: float = 0.05

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`~assaykit.binding.competition_analysis.analyze_competition`."""
        return asdict(self)


def read_competition_input(
    input: PathLike | pd.DataFrame,
    layout: PathLike | pd.DataFrame | None = None,
    *,
    format: str | None = None,
    log: InputLog | None = None,
) -> pd.DataFrame:
    """The counter export annotated with its tube layout, ``hot_M`` as numbers (M).

    ``layout`` is any layout :func:`assaykit.layout.read_layout` reads (filled binding template,
    CSV tube table, wellmap TOML) or a DataFrame; a DataFrame ``input`` that already has ``role``
    needs none.
    """
    import pandas as pd

    from assaykit.io import read_export
    from assaykit.layout import annotate, layout_from_frame, read_layout

    if isinstance(input, str | os.PathLike):
        table = read_export(check_input_file(input), format=format, log=log)
    else:
        table = input
    if layout is None:
        if "role" not in table.columns:
            raise AssaykitError(
                "the competition analysis needs a tube layout (--layout) for a counter export"
            )
        tubes = table.copy()
    else:
        if isinstance(layout, str | os.PathLike):
            lay = read_layout(check_input_file(layout), kind="binding", log=log)
        else:
            lay = layout_from_frame(layout, kind="binding")
        tubes = annotate(table, lay)
    for col in HOT_COLUMNS:
        if col in tubes.columns:
            what = f"radioligand concentration (column {col!r})"
            hot = [_molar(v, what) for v in tubes[col]]
            tubes = tubes.drop(columns=[col]).assign(hot_M=pd.Series(hot, index=tubes.index))
            break
    if "conc_M" not in tubes.columns and "conc" in tubes.columns:
        tubes = tubes.rename(columns={"conc": "conc_M"})
    return tubes


def _molar(value: object, what: str) -> float:
    """A layout cell as M: numbers as they are, text through :func:`assaykit.units.parse_molar`."""
    from assaykit.units import parse_molar

    if isinstance(value, str):
        got = parse_molar(value, what=what) if value.strip() else None
        return float("nan") if got is None else float(got)
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def run_competition(
    input: PathLike | pd.DataFrame,
    outdir: PathLike,
    *,
    layout: PathLike | pd.DataFrame | None = None,
    options: CompetitionOptions | None = None,
    force: bool = False,
    format: str | None = None,
    figures: bool = True,
    progress: Progress | None = None,
    command: str = "assaykit competition analyze",
) -> RunOutcome:
    """Analyse one competition experiment and write the results folder.

    Parameters
    ----------
    input
        Counter export (read with :func:`assaykit.io.read_export`) or a DataFrame.
    outdir
        Results folder (built atomically; see :class:`~assaykit.report.output.OutputFolder`).
    layout
        Tube layout: filled binding template, CSV tube table (``rack, position, role,
        compound, conc_M``, and ``hot_M`` for homologous competition) or DataFrame.
    options
        :class:`CompetitionOptions` (model, constants, weighting, CI method).
    force, format, figures, progress, command
        As for the other workflow functions.

    Returns
    -------
    RunOutcome
        results.csv is one row per curve; results.xlsx adds the points, checks and settings.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.competition import example_paths
    >>> export, layout = example_paths()
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "competition"
    >>> res = run_competition(export, out, layout=layout,
    ...                       options=CompetitionOptions(weighting="1/y2"), figures=False)
    >>> sorted(p.name for p in out.iterdir())
    ['provenance.json', 'report.html', 'results.csv', 'results.xlsx']
    >>> res.results.loc[0, "status"]
    'ok'
    """
    from assaykit.binding.competition_analysis import analyze_competition

    opts = options or CompetitionOptions()

    def analyse(log: InputLog) -> AssayResult:
        tubes = read_competition_input(input, layout, format=format, log=log)
        return analyze_competition(tubes, conc="conc_M", hot="hot_M", **opts.as_kwargs())

    return run_analysis(
        analyse,
        outdir,
        inputs={"input": input, "layout": layout},
        command=command,
        force=force,
        figures=figures,
        progress=progress,
    )
