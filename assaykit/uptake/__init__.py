"""Cell uptake and internalisation: corrected counts → % of applied activity → statistics.

Pipeline of pure steps (DataFrame in, DataFrame out):
:func:`correct_tubes` (background, decay) → :func:`per_well` (fractions as % of applied
activity, mass balance) → :func:`summarize` (mean ± SD per condition × time) and
:func:`specific_uptake` (tracer − blocked) → :func:`compare_conditions` (Welch t-tests, Holm)
and :func:`two_way_anova` → :func:`fit_association` (one-phase association). :func:`analyze`
runs them all; :func:`assaykit.run.run_uptake` also writes the results.
"""

from __future__ import annotations

from assaykit.uptake.analysis import analyze
from assaykit.uptake.corrections import correct_tubes, resolve_isotope
from assaykit.uptake.fit import fit_association, one_phase_association
from assaykit.uptake.fractions import per_well
from assaykit.uptake.stats import compare_conditions, two_way_anova
from assaykit.uptake.summary import percent_of_reference, specific_uptake, summarize

__all__ = [
    "analyze",
    "compare_conditions",
    "correct_tubes",
    "fit_association",
    "one_phase_association",
    "per_well",
    "percent_of_reference",
    "resolve_isotope",
    "specific_uptake",
    "summarize",
    "two_way_anova",
]
