"""Bundled competitive binding example: a WIZARD2-format export and its filled template.

Made by :mod:`assaykit.datasets.binding.make_example` (synthetic, fixed seed; the true IC50s are
in ``make_example.TRUE_IC50``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["EXPORT", "LAYOUT"]

_HERE = Path(__file__).resolve().parent
#: The gamma-counter export (PerkinElmer WIZARD2 CSV format).
EXPORT = _HERE / "binding_wizard2.csv"
#: Its filled binding template.
LAYOUT = _HERE / "binding_layout.xlsx"
