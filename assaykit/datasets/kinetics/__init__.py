"""Bundled kinetics example (**simulated**): [68Ga]Ga-Pentixafor association at 0.3, 1 and 3 nM.

Files (written by ``make_example.py`` in this folder, seed ``make_example.SEED``; the true rates
are ``make_example.TRUE``): ``kinetics_wizard2.csv`` (WIZARD2-format export, 62 tubes counted
over about an hour) and ``kinetics_layout.xlsx`` (the filled kinetics template). The demo runs::

    from assaykit.datasets.kinetics import example_paths
    from assaykit.run.kinetics import run_kinetics
    export, layout = example_paths()
    run_kinetics(export, outdir / "kinetics", layout=layout, force=force)
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["example_paths"]


def example_paths() -> tuple[Path, Path]:
    """Paths of the bundled export and its filled kinetics template.

    Examples
    --------
    >>> export, layout = example_paths()
    >>> export.name, layout.name
    ('kinetics_wizard2.csv', 'kinetics_layout.xlsx')
    """
    from assaykit.datasets import example_path

    return example_path("kinetics", "kinetics_wizard2.csv"), example_path(
        "kinetics", "kinetics_layout.xlsx"
    )
