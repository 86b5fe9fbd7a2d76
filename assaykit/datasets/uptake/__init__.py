"""Bundled uptake example: [68Ga]Ga-Pentixafor uptake and internalization, tracer vs AMD3100.

Files (written by ``make_example.py`` in this folder, seed ``make_example.SEED``):
``uptake_wizard2.csv`` (WIZARD2-format export, 96 tubes) and ``uptake_layout.xlsx`` (the filled
uptake template). The demo runs::

    from assaykit.datasets.uptake import example_paths
    from assaykit.run import run_uptake
    export, layout = example_paths()
    run_uptake(export, outdir / "uptake", layout=layout, force=force)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["example_paths", "load_example"]


def example_paths() -> tuple[Path, Path]:
    """Paths of the bundled export and its filled uptake template.

    Examples
    --------
    >>> export, layout = example_paths()
    >>> export.name, layout.name
    ('uptake_wizard2.csv', 'uptake_layout.xlsx')
    """
    from assaykit.datasets import example_path

    return example_path("uptake", "uptake_wizard2.csv"), example_path(
        "uptake", "uptake_layout.xlsx"
    )


def load_example() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bundled example read as assaykit reads files: (export table, layout frame).

    Examples
    --------
    >>> table, layout = load_example()
    >>> len(table), layout.attrs["experiment"]["isotope"]
    (96, 'Ga-68')
    """
    from assaykit.io import read_export
    from assaykit.layout import read_layout

    export, layout = example_paths()
    return read_export(export), read_layout(layout, kind="uptake")
