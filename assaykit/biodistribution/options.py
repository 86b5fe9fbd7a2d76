"""Everything that decides how a biodistribution study is analysed, in one typed object."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from assaykit._typing import GroupTest, PAdjust, RecountPolicy, UnknownTubePolicy
from assaykit.errors import AssaykitError

__all__ = ["BiodistributionOptions"]


@dataclass(frozen=True)
class BiodistributionOptions:
    """The keyword options of :func:`assaykit.biodistribution.analyze_biodistribution`.

    The command line builds one; :func:`assaykit.run.biodistribution.run_biodistribution` takes
    one (and keyword overrides). See ``analyze_biodistribution`` for each field.

    Examples
    --------
    >>> opts = BiodistributionOptions().updated(test="anova", low_counts=1000)
    >>> opts.test, opts.low_counts, opts.as_kwargs()["recount"]
    ('anova', 1000, 'mean')
    >>> BiodistributionOptions().updated(colour="red")
    Traceback (most recent call last):
    ...
    assaykit.errors.AssaykitError: unknown biodistribution option(s) colour; known: isotope, reference_time, ...
    """

    isotope: str | None = None
    reference_time: Any = None
    background_cpm: float | None = None
    low_counts: float = 500.0
    dead_time_s: float | None = None
    max_dead_time_loss: float = 0.05
    max_tail_pct: float = 10.0
    recount: RecountPolicy = "mean"
    unknown_tubes: UnknownTubePolicy = "raise"
    tumor: str | None = None
    reference_group: str | None = None
    test: GroupTest = "welch"
    padjust: PAdjust = "holm"
    alpha: float = 0.05
    half_lives: Mapping[str, Any] | None = None

    def as_kwargs(self) -> dict[str, Any]:
        """The fields as keyword arguments of ``analyze_biodistribution``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def updated(self, **changes: Any) -> BiodistributionOptions:
        """A copy with ``changes``; an unknown name is an :class:`AssaykitError` listing the known."""
        known = [f.name for f in fields(self)]
        bad = [k for k in changes if k not in known]
        if bad:
            shown = ", ".join(known[:2]) + ", ..."
            raise AssaykitError(
                f"unknown biodistribution option(s) {', '.join(bad)}; known: {shown}"
            )
        return replace(self, **changes)
