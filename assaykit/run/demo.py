"""``assaykit demo``: every assay on the bundled examples, into one folder.

Each assay adds one :class:`DemoStep` to :data:`STEPS`: what it says, its example files (copied
into ``inputs/<assay>/`` so a newcomer can open them) and the workflow call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

__all__ = ["STEPS", "DemoStep", "run_demo"]


@dataclass(frozen=True)
class DemoStep:
    """One assay of the demo: ``run(example_dir, outdir) -> RunOutcome``."""

    assay: str
    say: str
    files: tuple[str, ...]
    run: Callable[[Path, Path], Any]


def _binding(ex: Path, out: Path) -> Any:
    from assaykit.run.binding import run_binding

    return run_binding(
        ex / "binding_wizard2.csv",
        out,
        layout=ex / "binding_layout.xlsx",
        figures="all",
        command="assaykit demo",
    )


def _uptake(ex: Path, out: Path) -> Any:
    from assaykit.run.uptake import run_uptake

    return run_uptake(
        ex / "uptake_wizard2.csv", out, layout=ex / "uptake_layout.xlsx", command="assaykit demo"
    )


def _saturation(ex: Path, out: Path) -> Any:
    from assaykit.run.saturation import run_saturation

    return run_saturation(
        ex / "saturation_wizard2.csv",
        out,
        layout=ex / "saturation_layout.xlsx",
        command="assaykit demo",
    )


#: The demo, in order. Every assay adds its step here.
STEPS: tuple[DemoStep, ...] = (
    DemoStep(
        "binding",
        "competitive binding: [125I]FC131 on Jurkat cells (bundled WIZARD2 export + template)",
        ("binding_wizard2.csv", "binding_layout.xlsx"),
        _binding,
    ),
    DemoStep(
        "uptake",
        "uptake: [68Ga]Ga-Pentixafor uptake and internalisation, tracer vs blocked",
        ("uptake_wizard2.csv", "uptake_layout.xlsx"),
        _uptake,
    ),
    DemoStep(
        "saturation",
        "saturation binding: Kd, Bmax and sites per cell (simulated 125I radioligand)",
        ("saturation_wizard2.csv", "saturation_layout.xlsx"),
        _saturation,
    ),
)


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
        One RunOutcome per assay name, ``binding`` also as its results table under
        ``binding_results``, and ``output``: the folder.
    """
    import shutil

    from assaykit.datasets import example_path
    from assaykit.report.output import OutputFolder

    say = progress or (lambda _msg: None)
    target = Path(output)
    outcomes: dict[str, Any] = {}
    with OutputFolder(target, force=force) as out:
        assert out.tmp is not None
        for step in STEPS:
            inputs = out.tmp / "inputs" / step.assay
            inputs.mkdir(parents=True)
            for name in step.files:
                shutil.copyfile(example_path(step.assay, name), inputs / name)
            say(step.say)
            outcomes[step.assay] = step.run(example_path(step.assay), out.tmp / step.assay)
    return {**outcomes, "binding_results": outcomes["binding"].results, "output": target}
