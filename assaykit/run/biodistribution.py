"""``assaykit biodistribution analyze``: counter export(s) + filled template → a results folder."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assaykit.errors import AssaykitError
from assaykit.io import InputLog
from assaykit.run._loop import Progress
from assaykit.run._single import run_analysis
from assaykit.run._write import RunOutcome
from assaykit.run.inputs import check_input_file, source_names

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.biodistribution.options import BiodistributionOptions
    from assaykit.layout.biodistribution import BiodistributionLayout
    from assaykit.result import AssayResult

__all__ = ["read_biodistribution_inputs", "run_biodistribution"]

PathLike = str | os.PathLike[str]


def _as_list(inputs: Any) -> list[Any]:
    import pandas as pd

    if isinstance(inputs, str | os.PathLike | pd.DataFrame):
        return [inputs]
    return list(inputs)


def read_biodistribution_inputs(
    inputs: PathLike | pd.DataFrame | Sequence[PathLike | pd.DataFrame],
    layout: PathLike | BiodistributionLayout,
    *,
    balance: PathLike | pd.DataFrame | None = None,
    format: str | None = None,
    log: InputLog | None = None,
) -> tuple[list[pd.DataFrame], BiodistributionLayout, list[str]]:
    """Read every counter export (one per run; racks may be spread over several), the filled
    biodistribution template and optionally a balance export (CSV/XLSX: tube id, weight).

    Returns the counter tables, the layout and a name per run (for the QC and provenance).
    """
    import pandas as pd

    from assaykit.io import read_export
    from assaykit.layout.biodistribution import (
        BiodistributionLayout,
        merge_balance_weights,
        read_biodistribution_layout,
    )

    items = _as_list(inputs)
    if not items:
        raise AssaykitError("no counter export given")
    paths = [check_input_file(x) for x in items if isinstance(x, str | os.PathLike)]
    names = iter(source_names(paths))
    tables, runs = [], []
    for x in items:
        if isinstance(x, str | os.PathLike):
            # recounts are resolved by the analysis after decay correction, and reported there
            t = read_export(Path(x), format=format, duplicates="keep", log=log)
            if t.attrs.get("kind") not in (None, "counter"):
                raise AssaykitError(
                    f"{Path(x).name} is a {t.attrs.get('kind')} export; a biodistribution needs "
                    "gamma-counter exports (one row per tube)"
                )
            runs.append(next(names))
        else:
            t = x
            runs.append(f"table {len(runs) + 1}")
        tables.append(t)
    if isinstance(layout, BiodistributionLayout):
        lay = layout
    else:
        lay = read_biodistribution_layout(check_input_file(layout))
        if log is not None:
            log.record("layout", layout)
    if balance is not None:
        if isinstance(balance, pd.DataFrame):
            weights = balance
        else:
            from assaykit.io.tidy import read_tidy_table

            p = check_input_file(balance)
            if log is not None:
                log.record("balance", p)
            weights = read_tidy_table(p)
        try:
            tubes = merge_balance_weights(lay.tubes, weights)
        except AssaykitError as err:
            raise err.with_context(
                path=None if isinstance(balance, pd.DataFrame) else balance
            ) from None
        lay = BiodistributionLayout(
            lay.experiment, lay.animals, tubes, path=lay.path, settings=lay.settings
        )
    return tables, lay, runs


def run_biodistribution(
    inputs: PathLike | pd.DataFrame | Sequence[PathLike | pd.DataFrame],
    outdir: PathLike,
    *,
    layout: PathLike | BiodistributionLayout,
    options: BiodistributionOptions | None = None,
    balance: PathLike | pd.DataFrame | None = None,
    force: bool = False,
    format: str | None = None,
    figures: bool = True,
    progress: Progress | None = None,
    command: str = "assaykit biodistribution analyze",
    **overrides: Any,
) -> RunOutcome:
    """Analyze a biodistribution study and write the results folder.

    Parameters
    ----------
    inputs
        One counter export, or several (racks counted in several runs), or DataFrames.
    outdir
        Results folder (built atomically; refused if it exists unless ``force``).
    layout
        The filled biodistribution template (or a layout object).
    options
        :class:`~assaykit.biodistribution.options.BiodistributionOptions` (default: defaults).
    balance
        Optional balance export (tube id, weight in g) giving the filled weights.
    **overrides
        Option fields to change (``test="anova"``, ``low_counts=1000``, ...).

    Returns
    -------
    RunOutcome
        results.csv is the long table (one row per animal and organ); results.xlsx holds every
        table, the checks and the settings.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.biodistribution import example_paths
    >>> export, layout = example_paths()
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "bd"
    >>> res = run_biodistribution(export, out, layout=layout, figures=False)
    >>> sorted(p.name for p in out.iterdir())
    ['provenance.json', 'report.html', 'results.csv', 'results.xlsx']
    """
    from assaykit.biodistribution import BiodistributionOptions, analyze_biodistribution

    opts = (options or BiodistributionOptions()).updated(**overrides)
    items = _as_list(inputs)
    named: dict[str, Any] = {}
    for k, x in enumerate(items, start=1):
        named["input" if len(items) == 1 else f"input {k}"] = x
    named.update(layout=layout, balance=balance)

    def analyse(log: InputLog) -> AssayResult:
        tables, lay, runs = read_biodistribution_inputs(
            inputs, layout, balance=balance, format=format, log=log
        )
        result = analyze_biodistribution(tables, lay, figures=figures, **opts.as_kwargs())
        result.settings["counter_runs"] = "; ".join(f"run {k}: {n}" for k, n in enumerate(runs, 1))
        return result

    return run_analysis(
        analyse,
        outdir,
        inputs=named,
        command=command,
        force=force,
        figures=figures,
        progress=progress,
    )
