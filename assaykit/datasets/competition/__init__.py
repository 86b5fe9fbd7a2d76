"""Bundled homologous competition example (SIMULATED): [125I]FC131 vs FC131 at two radioligand
concentrations on Jurkat cells.

Files (written by ``make_example.py`` in this folder, seed ``make_example.SEED``; true values in
``make_example.TRUE``): ``homologous_wizard2.csv`` (WIZARD2-format export, 87 tubes) and
``homologous_layout.csv`` (tidy tube table: rack, position, role, compound, conc_M, hot_M,
replicate). The demo would run::

    from assaykit.binding.competition_analysis import analyze_competition
    from assaykit.datasets.competition import load_example
    result = analyze_competition(load_example(), model="homologous")
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["example_paths", "load_example"]


def example_paths() -> tuple[Path, Path]:
    """Paths of the bundled export and its tube table.

    Examples
    --------
    >>> export, layout = example_paths()
    >>> export.name, layout.name
    ('homologous_wizard2.csv', 'homologous_layout.csv')
    """
    from assaykit.datasets import example_path

    return (
        example_path("competition", "homologous_wizard2.csv"),
        example_path("competition", "homologous_layout.csv"),
    )


def load_example() -> pd.DataFrame:
    """The bundled export read as assaykit reads it, merged with its tube table on rack/position.

    Examples
    --------
    >>> tubes = load_example()
    >>> len(tubes), sorted(tubes["role"].unique())
    (87, ['blank', 'competitor', 'nsb', 'standard', 'total'])
    """
    import pandas as pd

    from assaykit.io import read_export

    export, layout = example_paths()
    table = read_export(export)
    tubes = pd.read_csv(layout, keep_default_na=False, na_values=[""])
    tubes["compound"] = tubes["compound"].fillna("")
    merged = table.merge(tubes, on=["rack", "position"], how="left", validate="one_to_one")
    merged.attrs = dict(table.attrs)
    merged.attrs["experiment"] = {
        "radioligand": "[125I]FC131",
        "isotope": "I-125",
        "experiment_id": "HOMOLOGOUS-DEMO-001",
        "notes": "SIMULATED (assaykit/datasets/competition/make_example.py)",
    }
    return merged
