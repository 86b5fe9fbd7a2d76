"""Bundled biodistribution example (**simulated**): [68Ga]Ga-Pentixafor in Daudi xenografts, 1 h p.i.

Files (written by ``make_example.py`` in this folder, seed ``make_example.SEED``):
``biodistribution_wizard2.csv`` (WIZARD2-format export, 137 rows) and
``biodistribution_layout.xlsx`` (the filled biodistribution template). The demo runs::

    from assaykit.datasets.biodistribution import example_paths
    from assaykit.run.biodistribution import run_biodistribution
    export, layout = example_paths()
    run_biodistribution(export, outdir / "biodistribution", layout=layout, force=force)
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["example_paths"]


def example_paths() -> tuple[Path, Path]:
    """Paths of the bundled export and its filled biodistribution template.

    Examples
    --------
    >>> export, layout = example_paths()
    >>> export.name, layout.name
    ('biodistribution_wizard2.csv', 'biodistribution_layout.xlsx')
    """
    from assaykit.datasets import example_path

    return (
        example_path("biodistribution", "biodistribution_wizard2.csv"),
        example_path("biodistribution", "biodistribution_layout.xlsx"),
    )
