"""Competitive binding analysis: curve models and fits with honest verdicts."""

from __future__ import annotations

from assaykit.binding.curves import four_pl
from assaykit.binding.fit import fit_curves

__all__ = [
    "fit_curves",
    "four_pl",
]
