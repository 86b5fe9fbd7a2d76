"""The options of a competitive binding analysis, typed (what the CLI builds and the run records)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from assaykit._typing import CIMethod, Weighting
from assaykit.errors import FitError

__all__ = ["MODEL_ALIASES", "BindingOptions", "CompetitionModel", "model_name"]

#: Competition models of :func:`assaykit.binding.fit_curves`.
CompetitionModel = Literal["4pl", "one_site"]
#: Other spellings accepted for the models (CLI and library alike).
MODEL_ALIASES: dict[str, CompetitionModel] = {
    "4pl": "4pl",
    "4PL": "4pl",
    "one_site": "one_site",
    "one-site": "one_site",
    "onesite": "one_site",
}


def model_name(name: str) -> CompetitionModel:
    """The canonical model name (``one-site`` → ``one_site``).

    Examples
    --------
    >>> model_name("one-site")
    'one_site'
    """
    try:
        return MODEL_ALIASES[name.strip()]
    except KeyError:
        raise FitError(
            f"unknown model {name!r}; expected one of {', '.join(sorted(set(MODEL_ALIASES.values())))}"
        ) from None


@dataclass(frozen=True)
class BindingOptions:
    """Everything that decides how a binding run is analysed.

    Attributes
    ----------
    model, fix, weighting, ci
        Passed to :func:`assaykit.binding.fit_curves` (``fix`` e.g. ``{"top": 100}``).
    radioligand_conc_M, kd_M, kd_se_M
        Radioligand concentration, its Kd and Kd's SE in M (None: from the template). For Ki.
    kd_ci_M, kd_source
        The Kd's 95 % CI (M) when it comes from a saturation fit (Ki's CI then carries it) and
        where it came from (recorded in the settings and provenance).
    ki_hill_range
        |Hill slope| outside this range flags ``hill_not_unity`` on Ki.
    value
        Measured-value column of an export (default ``cpm`` / ``value``).
    x, y, by, conc_unit
        Columns of a tidy table and the unit of its concentrations.
    fit_options
        Further keywords of :func:`assaykit.binding.fit_curves` (``bounds``, ``level``, ...).
    """

    model: CompetitionModel = "4pl"
    fix: Mapping[str, float] = field(default_factory=dict)
    weighting: Weighting = "none"
    ci: CIMethod = "wald"
    radioligand_conc_M: float | None = None
    kd_M: float | None = None
    kd_se_M: float | None = None
    kd_ci_M: tuple[float, float] | None = None
    kd_source: str = ""
    ki_hill_range: tuple[float, float] = (0.7, 1.3)
    value: str | None = None
    x: str = "conc"
    y: str = "response"
    by: str = "curve"
    conc_unit: str = "M"
    fit_options: Mapping[str, Any] = field(default_factory=dict)

    def ki_options(self) -> dict[str, Any]:
        """What :func:`assaykit.binding.results.assemble` needs for Ki."""
        return {
            "radioligand_conc": self.radioligand_conc_M,
            "kd": self.kd_M,
            "kd_se": self.kd_se_M,
            "kd_ci": self.kd_ci_M,
            "ki_hill_range": tuple(self.ki_hill_range),
            "fix": dict(self.fix),
            "model": self.model,
        }
