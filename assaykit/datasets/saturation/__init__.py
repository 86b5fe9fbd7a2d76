"""Bundled saturation-binding example: a WIZARD2-format export and its filled saturation template.

SIMULATED data made by :mod:`assaykit.datasets.saturation.make_example` (fixed seed; the true
Kd, Bmax and sites per cell are ``make_example.TRUE_KD_M``, ``TRUE_BMAX_FMOL``,
``TRUE_SITES_PER_CELL``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXPORT", "LAYOUT"]

_HERE = Path(__file__).resolve().parent
#: The gamma-counter export (PerkinElmer WIZARD2 CSV format).
EXPORT = _HERE / "saturation_wizard2.csv"
#: Its filled saturation template.
LAYOUT = _HERE / "saturation_layout.xlsx"
