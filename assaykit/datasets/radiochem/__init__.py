"""Bundled radiochemistry example (SIMULATED by :mod:`assaykit.datasets.radiochem.make_example`).

A [68Ga]Ga-Pentixafor labelling (compound named "Pentixafor" in the tables, as in the uptake example): a radio-TLC strip (ITLC-SG, colloid at the origin) with the
scanner's ROI table, a radio-HPLC trace with a UV channel, the synthesis record, a shake-flask
logD run and a serum-stability series. True values are ``make_example.TRUE``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["HPLC", "LOGD", "ROIS", "STABILITY", "TLC", "YIELD"]

_HERE = Path(__file__).resolve().parent
#: Radio-TLC trace: Position (mm), Counts.
TLC = _HERE / "tlc_strip.csv"
#: ROI table of the TLC strip (Region, Start, End).
ROIS = _HERE / "tlc_rois.csv"
#: Radio-HPLC trace: Time (min), Counts, UV (mAU).
HPLC = _HERE / "hplc_trace.csv"
#: Synthesis record (start/product activity and times, precursor amount).
YIELD = _HERE / "synthesis.csv"
#: Shake-flask logD counts (octanol and PBS aliquots, six replicates).
LOGD = _HERE / "logd.csv"
#: Serum stability: % intact at five times, duplicates.
STABILITY = _HERE / "stability.csv"
