"""Radiochemistry: purity, yields, molar activity, compound properties and the profile table.

Pure analyses (DataFrames in, :class:`~assaykit.result.AssayResult` out):

- :func:`~assaykit.radiochem.purity.analyze_purity`: radio-TLC/HPLC radiochemical purity;
- :func:`~assaykit.radiochem.itlc.analyze_cut_and_count`: two-strip cut-and-count ITLC;
- :func:`~assaykit.radiochem.yields.analyze_yield`: RCY, activity yield, molar activity;
- :mod:`~assaykit.radiochem.properties`: logD, stability, protein binding, efflux;
- :func:`~assaykit.radiochem.profile.analyze_profile`: one row per compound.
"""

from __future__ import annotations

from assaykit.radiochem.itlc import analyze_cut_and_count
from assaykit.radiochem.profile import analyze_profile, build_profile
from assaykit.radiochem.properties import (
    analyze_efflux,
    analyze_logd,
    analyze_ppb,
    analyze_stability,
)
from assaykit.radiochem.purity import analyze_purity, combined_rcp, rcp_verdict
from assaykit.radiochem.yields import analyze_yield

__all__ = [
    "analyze_cut_and_count",
    "analyze_efflux",
    "analyze_logd",
    "analyze_ppb",
    "analyze_profile",
    "analyze_purity",
    "analyze_stability",
    "analyze_yield",
    "build_profile",
    "combined_rcp",
    "rcp_verdict",
]
