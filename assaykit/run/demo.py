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


def _kinetics(ex: Path, out: Path) -> Any:
    from assaykit.run.kinetics import run_kinetics

    return run_kinetics(
        ex / "kinetics_wizard2.csv",
        out,
        layout=ex / "kinetics_layout.xlsx",
        command="assaykit demo",
    )


def _competition(ex: Path, out: Path) -> Any:
    from assaykit.run.competition import CompetitionOptions, run_competition

    return run_competition(
        ex / "homologous_wizard2.csv",
        out,
        layout=ex / "homologous_layout.csv",
        options=CompetitionOptions(model="homologous", weighting="1/y2"),
        command="assaykit demo",
    )


def _biodistribution(ex: Path, out: Path) -> Any:
    from assaykit.run.biodistribution import run_biodistribution

    return run_biodistribution(
        ex / "biodistribution_wizard2.csv",
        out,
        layout=ex / "biodistribution_layout.xlsx",
        command="assaykit demo",
    )


def _radiochem(ex: Path, out: Path) -> Any:
    from assaykit.run.radiochem import run_radiochem_demo

    return run_radiochem_demo(ex, out)


def _index(ex: Path, out: Path) -> Any:
    """Simulated weekly runs of the reference compound → runs/, an index, a control chart."""
    from assaykit.datasets.index import reference_runs
    from assaykit.index import add_runs
    from assaykit.run.binding import run_binding
    from assaykit.run.index import run_control_chart

    inputs = out.parent / "inputs" / "index"
    inputs.mkdir(parents=True, exist_ok=True)
    out.mkdir()
    folders = []
    for name, table in reference_runs():
        table.to_csv(inputs / f"{name}.csv", index=False)
        folder = out / "runs" / name
        run_binding(inputs / f"{name}.csv", folder, figures="none", command="assaykit demo")
        folders.append(folder)
    db = out / "index.sqlite"
    add_runs(db, folders)
    return run_control_chart(db, "AMD3100", out / "control_chart", baseline_n=8)


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
    DemoStep(
        "kinetics",
        "binding kinetics: [68Ga]Ga-Pentixafor association at 0.3/1/3 nM (simulated): kon, koff, "
        "kinetic Kd",
        ("kinetics_wizard2.csv", "kinetics_layout.xlsx"),
        _kinetics,
    ),
    DemoStep(
        "competition",
        "homologous competition: Kd and Bmax of [125I]FC131 vs FC131 at two hot concentrations",
        ("homologous_wizard2.csv", "homologous_layout.csv"),
        _competition,
    ),
    DemoStep(
        "biodistribution",
        "biodistribution: [68Ga]Ga-Pentixafor in Daudi xenografts, 1 h p.i., blocked vs control",
        ("biodistribution_wizard2.csv", "biodistribution_layout.xlsx"),
        _biodistribution,
    ),
    DemoStep(
        "radiochem",
        "radiochemistry and compound properties: purity, yields, logD, stability, the profile",
        (
            "tlc_strip.csv",
            "tlc_rois.csv",
            "hplc_trace.csv",
            "synthesis.csv",
            "logd.csv",
            "stability.csv",
        ),
        _radiochem,
    ),
    DemoStep(
        "index",
        "the lab's memory: 14 simulated weekly runs of the reference compound indexed, control chart",
        (),
        _index,
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
