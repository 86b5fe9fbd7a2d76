"""Checks on the control tubes of a binding group: mislabels, impossible orders, noisy replicates.

A TB tube labelled ``nsb`` moves the curve's bottom to −34 %, an NSB tube labelled ``total``
moves its top to 132 %, and TB swapped with the added-activity standards reads as 1244 % bound;
each would otherwise pass as a curve with status ``ok``. These checks name the tube (rack and
position, or well) and the likely mistake. Pure functions on the per-group table of
:func:`assaykit.binding.normalize_binding` (columns ``role``, ``net``, ``compound``, ``conc``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, cast

from assaykit.errors import LayoutError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ControlFindings",
    "check_concentrations",
    "check_controls",
    "check_radioligand",
    "noisy_replicate_sets",
]

#: A control tube this many times off the other tubes of its role (and nearer the other role)
#: is called mislabelled.
MISLABEL_FOLD = 3.0
#: Robust z (median, MAD) beyond which a control tube is named as an outlier.
OUTLIER_Z = 5.0

_ROLE_WORDS = {
    "total": "total binding",
    "nsb": "nonspecific binding",
    "standard": "the added-activity standards",
    "blank": "background",
}


class ControlFindings(NamedTuple):
    """Named control tubes that are doubtful (the group is still analysed)."""

    flags: list[str]
    messages: list[str]


def _others_median(values: pd.Series, index: object) -> float:
    rest = values.drop(index)
    return float(rest.median()) if len(rest) else math.nan


def _fold(a: float, b: float) -> float:
    """How many times apart two positive levels are (inf when either is not positive)."""
    if not (a > 0 and b > 0):
        return math.inf
    return max(a / b, b / a)


def check_controls(
    g: pd.DataFrame, where: Callable[[pd.Series], str], *, group: str = ""
) -> ControlFindings:
    """Check the TB, NSB, standard and background tubes of one group.

    Raises
    ------
    LayoutError
        A TB or NSB tube counts like the other role (a likely mislabel, naming the tube), or the
        group's levels are in an impossible order: TB not above NSB, background above NSB, or
        more radioactivity bound in TB than was added (standards below TB).

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.DataFrame({"role": ["total"] * 3 + ["nsb"] * 3,
    ...                   "net": [10000.0, 9800, 10100, 1000, 1050, 9900],
    ...                   "rack": 1, "position": [1, 2, 3, 4, 5, 6]})
    >>> check_controls(g, lambda r: f"rack {r['rack']} position {r['position']}")
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: tube rack 1 position 6 is labelled nsb but counts like total binding (9900 cpm; the other nsb tubes 1025, total 1e+04): check its role in the layout
    """
    flags: list[str] = []
    messages: list[str] = []
    in_group = f" in group {group!r}" if group else ""
    level = {
        r: g.loc[g["role"] == r, "net"].dropna() for r in ("total", "nsb", "standard", "blank")
    }
    med = {r: float(v.median()) if len(v) else math.nan for r, v in level.items()}

    # 1. a TB or NSB tube that counts like the other role: a mislabel
    for role, other in (("total", "nsb"), ("nsb", "total")):
        values = level[role]
        if len(values) < 2 or not len(level[other]):
            continue
        for idx, v in values.items():
            own = _others_median(values, idx)
            target = med[other]
            if not (math.isfinite(own) and math.isfinite(target)):
                continue
            if _fold(own, target) < MISLABEL_FOLD:
                continue  # the two roles are too close to tell a mislabel
            if _fold(v, own) >= MISLABEL_FOLD and _fold(v, target) < MISLABEL_FOLD:
                raise LayoutError(
                    f"tube {where(g.loc[idx])}{in_group} is labelled {role} but counts like "  # type: ignore[call-overload]  # pandas-stubs: .loc takes any Hashable label
                    f"{_ROLE_WORDS[other]} ({v:.4g} cpm; the other {role} tubes {own:.4g}, "
                    f"{other} {target:.4g}): check its role in the layout"
                )
    # 2. impossible orders of the group's levels
    tb, nsb, std, bkg = (float(level[r].mean()) if len(level[r]) else math.nan for r in level)
    if math.isfinite(tb) and math.isfinite(nsb) and tb <= nsb:
        raise LayoutError(
            f"total binding{in_group} ({tb:.4g} cpm) is not above nonspecific binding "
            f"({nsb:.4g} cpm): are the 'total' and 'nsb' roles swapped in the layout?"
        )
    if math.isfinite(std) and math.isfinite(tb) and std < tb:
        tubes = ", ".join(where(g.loc[i]) for i in level["standard"].index[:4])
        raise LayoutError(
            f"the added-activity standards{in_group} ({tubes}: {std:.4g} cpm) count less than "
            f"total binding ({tb:.4g} cpm), i.e. {100 * tb / std:.0f} % of the added radioligand "
            "bound, which is impossible: are the 'standard' and 'total' roles swapped?"
        )
    raw_blank = g.loc[g["role"] == "blank"]
    if len(raw_blank) and math.isfinite(nsb) and "background" in g.columns:
        # net counts of blanks are ~0 by construction: compare raw levels instead
        raw_nsb = nsb + float(g["background"].iloc[0])
        if float(g["background"].iloc[0]) > raw_nsb:
            raise LayoutError(
                f"the background tubes{in_group} count more than nonspecific binding: "
                "check the 'blank' and 'nsb' roles in the layout"
            )
    # 3. single control tubes far from their replicates (robust z)
    for role in ("total", "nsb", "standard"):
        values = level[role]
        if len(values) < 3:
            continue
        centre = float(values.median())
        mad = 1.4826 * float((values - centre).abs().median())
        scale = max(mad, 0.05 * abs(centre), math.sqrt(max(abs(centre), 1.0)))
        for idx, v in values.items():
            z = (v - centre) / scale
            if abs(z) > OUTLIER_Z:
                flags.append("control_outlier")
                messages.append(
                    f"{role} tube {where(g.loc[idx])} counts {v:.4g} cpm, far from the other "  # type: ignore[call-overload]  # pandas-stubs: .loc takes any Hashable label
                    f"{role} tubes (median {centre:.4g}, robust z {z:+.1f})"
                )
    return ControlFindings(list(dict.fromkeys(flags)), messages)


def noisy_replicate_sets(
    g: pd.DataFrame, cv: pd.Series, cv_limit: float, background_sd: float
) -> list[str]:
    """Names of the replicate sets with CV above ``cv_limit`` (blanks and sets near 0 left out).

    A set whose mean net counts lie within 3 SD of the background has a meaningless CV (the
    blank tubes after background subtraction had CV 4.6e9): it is not reported.
    """
    import numpy as np

    out: list[str] = []
    keyed = g.assign(_cv=cv, _ckey=g["conc"].fillna(-1.0))
    for (role, compound, conc), s in keyed.groupby(["role", "compound", "_ckey"], sort=False):
        if role == "blank":
            continue
        c = float(s["_cv"].iloc[0])
        mean = float(s["net"].mean())
        if not (np.isfinite(c) and c > cv_limit):
            continue
        if np.isfinite(background_sd) and abs(mean) <= 3 * background_sd:
            continue
        what = f"{role} {compound}".strip() if role == "competitor" else role
        at = f" at {conc:.3g} M" if cast(float, conc) > 0 else ""
        out.append(f"{what}{at} (CV {100 * c:.0f} %)")
    return out


#: Competitor concentrations outside this range (M) are not physical for a binding assay:
#: above ~10 mM nothing dissolves, below ~1 fM nothing binds measurably.
COMPETITOR_RANGE_M = (1e-15, 1e-2)
#: Radioligand concentrations of a binding assay (M): pM to µM.
RADIOLIGAND_RANGE_M = (1e-13, 1e-5)


def _unit_hint(value_m: float) -> str:
    """The unit under which the number typed would be a plausible concentration."""
    typed = value_m
    for unit, f in (("M", 1.0), ("mM", 1e-3), ("µM", 1e-6), ("nM", 1e-9), ("pM", 1e-12)):
        if 1e-12 <= typed * f <= 1e-4 and f != 1.0:
            return f"; if it was typed in {unit}, set its unit to {unit}"
    return ""


def check_concentrations(g: pd.DataFrame, where: Callable[[pd.Series], str]) -> None:
    """Competitor concentrations must be physical and agree with their unit.

    Raises
    ------
    LayoutError
        A whole series typed as whole numbers with the unit left at M (``40`` M), or one
        concentration outside 1 fM–10 mM, naming the tube or well and the unit that would make
        sense.

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.DataFrame({"role": "competitor", "compound": "X", "conc": [1.0, 10.0, 100.0],
    ...                   "well": ["A01", "A02", "A03"]})
    >>> check_concentrations(g, lambda r: f"well {r['well']}")
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: competitor 'X': every concentration is ≥ 1 M (1 … 100 M), which no binding assay uses: the numbers look typed in nM (or µM) with the unit cell left at M; set the unit in the layout
    """
    comp = g[(g["role"] == "competitor") & g["conc"].notna() & (g["conc"] > 0)]
    lo, hi = COMPETITOR_RANGE_M
    for compound, s in comp.groupby("compound", sort=False):
        c = s["conc"]
        if len(c) >= 2 and (c >= 1.0).all():
            raise LayoutError(
                f"competitor {compound!r}: every concentration is ≥ 1 M ({c.min():g} … "
                f"{c.max():g} M), which no binding assay uses: the numbers look typed in nM (or "
                "µM) with the unit cell left at M; set the unit in the layout"
            )
        for idx, v in c.items():
            if not lo <= v <= hi:
                raise LayoutError(
                    f"{where(s.loc[idx])}: competitor {compound!r} at {v:.3g} M is outside "  # type: ignore[call-overload]  # pandas-stubs: .loc takes any Hashable label
                    f"1 fM–10 mM, not a physical concentration{_unit_hint(v)}"
                )


def check_radioligand(conc_m: float | None, kd_m: float | None) -> None:
    """The radioligand concentration and Kd of the Experiment sheet must be plausible.

    Raises
    ------
    LayoutError
        Concentration outside pM–µM, Kd outside that range, or a concentration far above the Kd
        (> 100 × Kd: Cheng–Prusoff's correction factor would be > 100, usually a unit slip).

    Examples
    --------
    >>> check_radioligand(1e-10, 1e-9)
    >>> check_radioligand(1e-7, 2e-10)
    Traceback (most recent call last):
    ...
    assaykit.errors.LayoutError: radioligand concentration 100 nM is 500 × its Kd 0.2 nM: Ki would be divided by 501; check both values and their units (Experiment sheet, or --radioligand-conc/--kd)
    """
    lo, hi = RADIOLIGAND_RANGE_M
    for name, v in (("radioligand concentration", conc_m), ("radioligand Kd", kd_m)):
        if v is not None and math.isfinite(v) and not lo <= v <= hi:
            raise LayoutError(
                f"{name} {v:.3g} M is outside 0.1 pM–10 µM{_unit_hint(v)} (Experiment sheet, or --radioligand-conc/--kd)"
            )
    if conc_m and kd_m and math.isfinite(conc_m) and math.isfinite(kd_m) and conc_m > 100 * kd_m:
        raise LayoutError(
            f"radioligand concentration {conc_m * 1e9:.3g} nM is {conc_m / kd_m:.0f} × its Kd "
            f"{kd_m * 1e9:.3g} nM: Ki would be divided by {1 + conc_m / kd_m:.0f}; check both "
            "values and their units (Experiment sheet, or --radioligand-conc/--kd)"
        )
