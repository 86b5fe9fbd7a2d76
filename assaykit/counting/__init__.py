"""Gamma-counting corrections: half-lives, decay, background, efficiency, dead time, unmixing, limits.

Every function is pure and vectorised (scalars, arrays or Series in; the same shape out) and never
changes its inputs. The order of operations for one tube follows DOMAIN §3.1:

1. background: ``net_cpm = gross_cpm − mean(blank cpm)`` (:func:`subtract_background`);
2. dead time, non-paralysable: ``n = m / (1 − m·τ)`` (:func:`dead_time_correct`);
3. window crosstalk of two isotopes: ``true = M⁻¹ · observed`` (:func:`unmix`);
4. efficiency: ``DPM = CPM / ε``, ``Bq = DPM / 60`` (:func:`dpm_from_cpm`, :func:`bq_from_dpm`);
5. decay to a reference time: ``A(t_ref) = A(t_c) · exp(λ·(t_c − t_ref))``, ``λ = ln 2 / T½``, and
   the decay during a count of length Δt, ``λΔt / (1 − exp(−λΔt))`` (:func:`decay_correct`);
6. Poisson uncertainty and Currie detection limits (:func:`net_rate_sd`, :func:`currie_limits`,
   :func:`detection_flags`): values are always kept, a flag says when they are below a limit.

Half-lives are data (``assaykit/data/half_lives.csv``: value, uncertainty, unit, source). The
default source is ICRP Publication 107 as shipped by the ``radioactivedecay`` package (dataset
``icrp107_ame2020_nubase2020``, v0.6.1; ICRP-107 gives no uncertainties; its year is 365.2422 d).
Other evaluations are selectable with ``source=``; users add or override nuclides with
:func:`register_isotope` or a ``half_lives=`` mapping.
"""

from __future__ import annotations

from assaykit.counting.background import (
    bq_from_dpm,
    currie_limits,
    dead_time_correct,
    detection_flags,
    dpm_from_cpm,
    net_rate_sd,
    poisson_sd,
    subtract_background,
    unmix,
)
from assaykit.counting.decay import (
    decay_correct,
    decay_during_count_factor,
    decay_factor,
    seconds_between,
)
from assaykit.counting.halflife import (
    DEFAULT_SOURCE,
    HalfLife,
    canonical_isotope,
    half_life,
    half_life_info,
    half_life_table,
    register_isotope,
    unregister_isotope,
)

__all__ = [
    "DEFAULT_SOURCE",
    "HalfLife",
    "bq_from_dpm",
    "canonical_isotope",
    "currie_limits",
    "dead_time_correct",
    "decay_correct",
    "decay_during_count_factor",
    "decay_factor",
    "detection_flags",
    "dpm_from_cpm",
    "half_life",
    "half_life_info",
    "half_life_table",
    "net_rate_sd",
    "poisson_sd",
    "register_isotope",
    "seconds_between",
    "subtract_background",
    "unmix",
    "unregister_isotope",
]
