"""Named types and the policy vocabularies shared by the library and the command line.

Every policy is a ``Literal`` alias: the library's signatures use it, and the CLI offers
``typing.get_args(alias)`` as its choices, so the two can never drift apart.

Examples
--------
>>> from typing import get_args
>>> get_args(Weighting)
('none', '1/y2', 'poisson')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:  # numpy is not imported by the command line's --help
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "CIMethod",
    "DuplicatePolicy",
    "FigureMode",
    "FloatArray",
    "GroupTest",
    "PAdjust",
    "RecountPolicy",
    "UnknownTubePolicy",
    "Weighting",
]

FloatArray: TypeAlias = "NDArray[np.float64]"

#: Weighting of a least-squares fit (``none``: unweighted).
Weighting = Literal["none", "1/y2", "poisson"]
#: Confidence intervals: Wald (t on the SE) or the F/t profile (R's confint.nls, Prism).
CIMethod = Literal["wald", "profile"]
#: Multiple-comparison correction of pairwise tests (pingouin's names).
PAdjust = Literal["holm", "bonf", "sidak", "fdr_bh", "fdr_by", "none"]
#: A tube counted more than once with different counts: refuse (naming it) or keep one.
DuplicatePolicy = Literal["error", "first", "last", "mean"]
#: Which figures a run draws: one per curve and the overlays, the overlays only, or none.
FigureMode = Literal["all", "overlay", "none"]
#: Biodistribution: a tube counted more than once → mean of its decay-corrected values, first, last.
RecountPolicy = Literal["mean", "first", "last"]
#: Biodistribution: counted tubes missing from the layout → an error, or a QC row.
UnknownTubePolicy = Literal["raise", "ignore"]
#: Biodistribution group comparison per organ: Welch t vs a reference group, one-way ANOVA, none.
GroupTest = Literal["welch", "anova", "none"]
