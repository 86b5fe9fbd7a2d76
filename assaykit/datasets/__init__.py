"""Bundled example experiments (generated, with the scripts that made them) and the demo.

- ``binding/``: a competitive binding experiment ([125I]FC131 on Jurkat cells, three competitors),
  counted on a gamma counter (WIZARD2-format CSV) with its filled binding template.
- ``uptake/``: an uptake and internalisation time course ([68Ga]Ga-Pentixafor, tracer vs blocked)
  with its filled uptake template.

Both were simulated by the ``make_example.py`` beside them (fixed seeds, true values kept there).
"""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["example_path", "run_demo"]

_HERE = Path(__file__).resolve().parent


def example_path(*parts: str) -> Path:
    """Path of a bundled example file.

    Examples
    --------
    >>> example_path("binding", "binding_wizard2.csv").name
    'binding_wizard2.csv'
    """
    p = _HERE.joinpath(*parts)
    if not p.exists():
        from assaykit.errors import AssaykitError

        raise AssaykitError(f"bundled example {'/'.join(parts)} is missing from the installation")
    return p


def run_demo(
    output: str | PathLike[str],
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the binding and the uptake analysis on the bundled examples.

    ``output`` gets ``binding/`` and ``uptake/`` results folders; the whole folder appears only
    when both analyses have finished (an existing one is replaced only with ``force``).

    Returns
    -------
    dict
        ``binding``: the per-curve results table; ``uptake``: the files written;
        ``output``: the folder.
    """
    from assaykit.binding.pipeline import run_binding_analysis
    from assaykit.report.output import OutputFolder
    from assaykit.uptake.pipeline import run_uptake_analysis

    say = progress or (lambda _msg: None)
    target = Path(output)
    with OutputFolder(target, force=force) as out:
        assert out.tmp is not None
        say("binding: [125I]FC131 competition on Jurkat cells (bundled WIZARD2 export + template)")
        binding = run_binding_analysis(
            example_path("binding", "binding_wizard2.csv"),
            out.tmp / "binding",
            layout=example_path("binding", "binding_layout.xlsx"),
            command="assaykit demo",
        )
        say("uptake: [68Ga]Ga-Pentixafor uptake and internalisation, tracer vs blocked")
        uptake = run_uptake_analysis(
            example_path("uptake", "uptake_wizard2.csv"),
            out.tmp / "uptake",
            layout=example_path("uptake", "uptake_layout.xlsx"),
        )
    return {"binding": binding.results, "uptake": uptake, "output": target}
