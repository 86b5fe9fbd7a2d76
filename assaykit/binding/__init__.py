"""Competitive binding analysis: curve models, fits with honest verdicts, IC50 comparisons."""

from __future__ import annotations

from assaykit.binding.compare import compare_log_ic50
from assaykit.binding.curves import four_pl
from assaykit.binding.fit import fit_curves

__all__ = [
    "compare_log_ic50",
    "fit_curves",
    "four_pl",
]
