"""Competitive binding analysis: curve models, fits with honest verdicts, IC50 comparisons.

Pure: DataFrames in, DataFrames out; the workflow that reads exports and writes a results
folder is :func:`assaykit.run.run_binding`. ``normalise_binding`` and ``summarise_experiments``
are the British spellings of ``normalize_binding`` and ``summarize_experiments``, kept as
aliases for one release.
"""

from __future__ import annotations

from assaykit.binding.compare import compare_log_ic50
from assaykit.binding.curves import four_pl
from assaykit.binding.figures import plot_curve, plot_overlay
from assaykit.binding.fit import fit_curves
from assaykit.binding.ki import cheng_prusoff, ki_table
from assaykit.binding.normalise import normalise_binding, normalize_binding
from assaykit.binding.options import BindingOptions
from assaykit.binding.results import assemble, binding_result
from assaykit.binding.summary import (
    compare_experiments,
    summarise_experiments,
    summarize_experiments,
)

__all__ = [
    "BindingOptions",
    "assemble",
    "binding_result",
    "cheng_prusoff",
    "compare_experiments",
    "compare_log_ic50",
    "fit_curves",
    "four_pl",
    "ki_table",
    "normalise_binding",
    "normalize_binding",
    "plot_curve",
    "plot_overlay",
    "summarise_experiments",
    "summarize_experiments",
]
