"""The shape of every one-run workflow, once: protect the inputs, read, analyse, write.

``run_uptake``, ``run_saturation``, ``run_competition``, ``run_biodistribution`` and the assays
to come differ only in how they read their inputs and which pure analysis they call; they hand
that as one function to :func:`run_analysis`, which does everything else the same way.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from assaykit.errors import AssaykitError
from assaykit.io import InputLog
from assaykit.result import qc_table
from assaykit.run._loop import Progress, caught_warnings
from assaykit.run._write import RunOutcome, write_result

if TYPE_CHECKING:
    from assaykit.result import AssayResult

__all__ = ["named_paths", "run_analysis"]


def named_paths(inputs: Mapping[str, Any]) -> dict[str, str | os.PathLike[str] | None]:
    """The entries of ``inputs`` that are paths (DataFrames given in Python are not files)."""
    return {k: v for k, v in inputs.items() if isinstance(v, str | os.PathLike)}


def run_analysis(
    analyse: Callable[[InputLog], AssayResult],
    outdir: str | os.PathLike[str],
    *,
    inputs: Mapping[str, Any],
    command: str,
    force: bool = False,
    figures: bool = True,
    progress: Progress | None = None,
    extra_provenance: Mapping[str, Any] | None = None,
) -> RunOutcome:
    """Run ``analyse(log)`` and write its result into ``outdir``.

    1. ``outdir`` is refused before any work when it is unusable or holds one of ``inputs``
       (with ``force`` too); 2. ``analyse`` reads its inputs through ``log`` (hashed as read)
       and returns the pure analysis' AssayResult; an error gets the input's path when it names
       none; library warnings become rows of the checks sheet; 3. the one writer writes the
       folder, after checking that no input changed during the run.

    Parameters
    ----------
    analyse
        ``analyse(log) -> AssayResult``: reading (with ``log=``) and the pure analysis.
    outdir
        The results folder.
    inputs
        ``{role: path or DataFrame}``; the paths are protected and recorded in provenance.
    command, force, figures, progress, extra_provenance
        As for the other workflow functions (``figures=False``: tables only).
    """
    paths = named_paths(inputs)
    log = InputLog()
    from assaykit.report.output import OutputFolder

    folder = OutputFolder(outdir, force=force, inputs=list(paths.values()), log=log)
    first = next(iter(paths.values()), None)
    if progress is not None:
        progress("analysing", 0, None)
    with caught_warnings() as caught:
        try:
            result = analyse(log)
        except AssaykitError as err:
            raise err.with_context(path=first) from None
    if not figures:
        result.figures = {}
    earlier = cast("list[dict[str, object]]", result.qc.to_dict("records"))
    result.qc = qc_table([*earlier, *caught.qc_rows("analysis")])
    with folder as out:
        written = write_result(
            out,
            result,
            inputs=paths,
            command=command,
            progress=progress,
            extra_provenance=extra_provenance,
            log=log,
        )
    final = Path(outdir)
    return RunOutcome(result, final, [final / p.name for p in written], [])
