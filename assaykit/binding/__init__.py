"""Competitive binding analysis: curve models, fits with honest verdicts, IC50 comparisons."""

from __future__ import annotations

from assaykit.binding.compare import compare_log_ic50
from assaykit.binding.curves import four_pl
from assaykit.binding.figures import plot_curve, plot_overlay
from assaykit.binding.fit import fit_curves
from assaykit.binding.ki import cheng_prusoff, ki_table
from assaykit.binding.normalise import normalise_binding
from assaykit.binding.pipeline import run_binding_analysis
from assaykit.binding.summary import compare_experiments, summarise_experiments

__all__ = [
    "cheng_prusoff",
    "compare_experiments",
    "compare_log_ic50",
    "fit_curves",
    "four_pl",
    "ki_table",
    "normalise_binding",
    "plot_curve",
    "plot_overlay",
    "run_binding_analysis",
    "summarise_experiments",
]
