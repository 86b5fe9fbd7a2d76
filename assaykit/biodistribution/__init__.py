"""Ex-vivo biodistribution: %IA/g, %IA per organ, SUV and tumour-to-organ ratios from counted organs.

Pure package: counter tables and a :class:`~assaykit.layout.biodistribution.BiodistributionLayout`
in, an :class:`~assaykit.result.AssayResult` out (see :func:`analyze_biodistribution`). The
layout template and its reader live in :mod:`assaykit.layout.biodistribution`.

Examples
--------
>>> from assaykit.datasets.biodistribution.make_example import simulate
>>> counts, layout = simulate()
>>> res = analyze_biodistribution(counts, layout, figures=False)
>>> list(res.tables)[:4]
['biodistribution', 'summary', 'paper', 'dosimetry']
"""

from __future__ import annotations

from assaykit.biodistribution.analysis import analyze_biodistribution
from assaykit.biodistribution.options import BiodistributionOptions
from assaykit.biodistribution.stats import compare_groups
from assaykit.biodistribution.tables import (
    dosimetry_table,
    group_summary,
    organ_values,
    paper_table,
    tumor_ratios,
)
from assaykit.biodistribution.tubes import correct_tubes, merge_runs

__all__ = [
    "BiodistributionOptions",
    "analyze_biodistribution",
    "compare_groups",
    "correct_tubes",
    "dosimetry_table",
    "group_summary",
    "merge_runs",
    "organ_values",
    "paper_table",
    "tumor_ratios",
]
