"""``assaykit saturation analyze``: a counter export + saturation template (or a tidy table) → results."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from assaykit.errors import LayoutError
from assaykit.io import InputLog
from assaykit.run._loop import Progress
from assaykit.run._single import run_analysis
from assaykit.run._write import RunOutcome
from assaykit.run.inputs import check_input_file

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.binding.saturation import RadioligandSetup
    from assaykit.result import AssayResult

__all__ = ["SaturationOptions", "read_saturation_input", "run_saturation"]

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class SaturationOptions:
    """Options of a saturation run (see :func:`assaykit.binding.saturation.fit_saturation`).

    The physical quantities override the template's Experiment sheet when given.
    """

    model: Literal["auto", "total-nsb", "total", "specific", "two-site", "hill"] = "auto"
    ci_method: Literal["profile", "wald"] = "profile"
    weighting: Literal["none", "poisson"] = "none"
    free_ligand: Literal["auto", "added", "free"] = "auto"
    depletion_limit: float = 0.10
    fit_bkg: bool = False
    compare_two_sites: bool = True
    efficiency: float | None = None
    molar_activity_GBq_per_umol: float | None = None
    cells_per_tube: float | None = None
    protein_mg_per_tube: float | None = None
    volume_L: float | None = None


def read_saturation_input(
    input: PathLike | pd.DataFrame,
    layout: PathLike | pd.DataFrame | None = None,
    *,
    format: str | None = None,
    log: InputLog | None = None,
) -> tuple[pd.DataFrame, dict[str, object]]:
    """The tube table ``fit_saturation`` takes, and the template's Experiment values.

    ``input`` is a counter export (with ``layout``, a filled saturation template) or a tidy
    CSV/XLSX table / DataFrame with ``conc_M, response, kind`` (optional ``curve``,
    ``added_cpm``).
    """
    import pandas as pd

    from assaykit.io import read_export
    from assaykit.layout.saturation import read_saturation_layout, saturation_data

    if layout is None:
        if isinstance(input, pd.DataFrame):
            return input, {}
        from assaykit.io.tidy import read_tidy_table

        path = check_input_file(input)
        if log is not None:
            log.record("input", path)
        table = read_tidy_table(path)
        if "kind" not in table.columns:
            raise LayoutError(
                "a counter export needs --layout (a filled saturation template); a tidy table "
                "needs the columns conc_M, response, kind",
                path=path,
            )
        return table, {}
    counts = (
        input
        if isinstance(input, pd.DataFrame)
        else read_export(check_input_file(input), format=format, log=log)
    )
    if isinstance(layout, pd.DataFrame):
        lay = layout
    else:
        lay = read_saturation_layout(check_input_file(layout))
        if log is not None:
            log.record("layout", layout)
    data = saturation_data(counts, lay)
    return data, dict(lay.attrs.get("experiment", {}))


def _setup(experiment: dict[str, object], opts: SaturationOptions) -> RadioligandSetup:
    from assaykit.binding.saturation import RadioligandSetup
    from assaykit.layout.saturation import setup_from_experiment

    base = setup_from_experiment(experiment) if experiment else RadioligandSetup()
    override = {
        f.name: getattr(opts, f.name)
        for f in dataclasses.fields(RadioligandSetup)
        if getattr(opts, f.name, None) is not None
    }
    return dataclasses.replace(base, **override)


def run_saturation(
    input: PathLike | pd.DataFrame,
    outdir: PathLike,
    *,
    layout: PathLike | pd.DataFrame | None = None,
    options: SaturationOptions | None = None,
    force: bool = False,
    format: str | None = None,
    figures: bool = True,
    progress: Progress | None = None,
    command: str = "assaykit saturation analyze",
) -> RunOutcome:
    """Analyse a saturation experiment and write the results folder.

    Parameters
    ----------
    input
        Counter export (with ``layout``) or a tidy table / DataFrame of tubes.
    outdir
        Results folder (built atomically).
    layout
        Filled saturation template (:func:`assaykit.layout.saturation.write_saturation_template`).
    options
        :class:`SaturationOptions`.
    force, format, figures, progress, command
        As for the other workflow functions.

    Returns
    -------
    RunOutcome
        results.csv: one row per curve (Kd, Bmax, sites per cell, status); results.xlsx also
        holds the tubes used (``points``), checks and settings.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.saturation import EXPORT, LAYOUT
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "sat"
    >>> res = run_saturation(EXPORT, out, layout=LAYOUT, figures=False)
    >>> res.results.loc[0, "status"], sorted(p.name for p in out.iterdir())
    ('ok', ['provenance.json', 'report.html', 'results.csv', 'results.xlsx'])
    """
    from assaykit.binding.saturation_analysis import analyze_saturation

    opts = options or SaturationOptions()

    def analyse(log: InputLog) -> AssayResult:
        data, experiment = read_saturation_input(input, layout, format=format, log=log)
        result = analyze_saturation(
            data,
            model=opts.model,
            setup=_setup(experiment, opts),
            free_ligand=opts.free_ligand,
            depletion_limit=opts.depletion_limit,
            fit_bkg=opts.fit_bkg,
            ci_method=opts.ci_method,
            weighting=opts.weighting,
            compare_two_sites=opts.compare_two_sites,
        )
        result.settings = {"format": format, **result.settings}
        return result

    return run_analysis(
        analyse,
        outdir,
        inputs={"input": input, "layout": layout},
        command=command,
        force=force,
        figures=figures,
        progress=progress,
    )
