"""``assaykit demo``: every assay on the bundled examples, into one folder."""

from __future__ import annotations

from collections.abc import Callable
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["run_demo"]


def run_demo(
    output: str | PathLike[str],
    *,
    force: bool = False,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run every analysis on the bundled examples.

    ``output`` gets one results folder per assay (``binding/``, ``uptake/``, ...) and ``inputs/``
    with a copy of each example export and its filled template, so a newcomer can open them; the
    whole folder appears only when every analysis has finished.

    Returns
    -------
    dict
        ``binding``: the per-curve results table; ``uptake``: the RunOutcome;
        ``output``: the folder.
    """
    import shutil

    from assaykit.datasets import example_path
    from assaykit.report.output import OutputFolder
    from assaykit.run.binding import run_binding
    from assaykit.run.uptake import run_uptake

    say = progress or (lambda _msg: None)
    target = Path(output)
    examples = {
        "binding": ("binding_wizard2.csv", "binding_layout.xlsx"),
        "uptake": ("uptake_wizard2.csv", "uptake_layout.xlsx"),
    }
    with OutputFolder(target, force=force) as out:
        assert out.tmp is not None
        inputs = out.tmp / "inputs"
        for assay, names in examples.items():
            (inputs / assay).mkdir(parents=True)
            for name in names:
                shutil.copyfile(example_path(assay, name), inputs / assay / name)
        say("binding: [125I]FC131 competition on Jurkat cells (bundled WIZARD2 export + template)")
        binding = run_binding(
            example_path("binding", "binding_wizard2.csv"),
            out.tmp / "binding",
            layout=example_path("binding", "binding_layout.xlsx"),
            figures="all",
            command="assaykit demo",
        )
        say("uptake: [68Ga]Ga-Pentixafor uptake and internalisation, tracer vs blocked")
        uptake = run_uptake(
            example_path("uptake", "uptake_wizard2.csv"),
            out.tmp / "uptake",
            layout=example_path("uptake", "uptake_layout.xlsx"),
            command="assaykit demo",
        )
    return {"binding": binding.results, "uptake": uptake, "output": target}
