"""The options of a kinetics analysis, typed (what the CLI builds and the run records)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assaykit.binding.kinetics import CIMethod, KineticsModel, Weighting

__all__ = ["KineticsOptions"]


@dataclass(frozen=True)
class KineticsOptions:
    """Everything that decides how a kinetics run is analysed (None: from the template).

    Attributes
    ----------
    model, koff_per_min, koff_se, equilibrium_kd_M, radioligand_kon_per_M_min, radioligand_koff_per_min, dissociation_start_min, ci_method, weighting, level, kd_ratio_limit
        Passed to :func:`assaykit.binding.kinetics.fit_kinetics`.
    reference_time, isotope, half_life, decay
        Passed to :func:`assaykit.binding.kinetics_counting.kinetics_responses`.

    Examples
    --------
    >>> opts = KineticsOptions(ci_method="profile").with_template({"model": "dissociation", "isotope": "Ga-68"})
    >>> opts.model, opts.isotope, opts.ci_method
    ('dissociation', 'Ga-68', 'profile')
    >>> KineticsOptions(model="competition").with_template({"model": "dissociation"}).model
    'competition'
    """

    model: KineticsModel | None = None
    reference_time: Any = None
    isotope: str | None = None
    half_life: Any = None
    decay: bool = True
    koff_per_min: float | None = None
    koff_se: float | None = None
    equilibrium_kd_M: float | None = None
    radioligand_kon_per_M_min: float | None = None
    radioligand_koff_per_min: float | None = None
    dissociation_start_min: float | None = None
    ci_method: CIMethod = "wald"
    weighting: Weighting = "none"
    level: float = 0.95
    kd_ratio_limit: float = 3.0

    def with_template(self, experiment: Mapping[str, Any]) -> KineticsOptions:
        """Options not given here taken from the template's Experiment sheet (given ones win)."""
        names = {f.name for f in dataclasses.fields(self)}
        fill = {k: v for k, v in experiment.items() if k in names and getattr(self, k) is None}
        return dataclasses.replace(self, **fill)

    def analysis_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`~assaykit.binding.kinetics_analysis.analyze_kinetics`."""
        out = dataclasses.asdict(self)
        if out["model"] is None:
            out["model"] = "association_global"
        return out
