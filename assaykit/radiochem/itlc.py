"""Two-strip cut-and-count ITLC (99mTc kits): % free, % hydrolysed-reduced, % bound.

Strip 1 (free pertechnetate migrates): ``%free = 100·top/(top + bottom)``; strip 2 (hydrolysed
activity stays at the origin): ``%hydrolysed = 100·bottom/(top + bottom)``;
``%bound = 100 − %free − %hydrolysed`` (DOMAIN.md §8.5, UAMS procedure IV).

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"preparation": ["kit 1", "kit 1"], "strip": [1, 2],
...                   "top_cpm": [500.0, 9800.0], "bottom_cpm": [9500.0, 200.0]})
>>> r = analyze_cut_and_count(t).main_table
>>> [float(r.loc[0, c]) for c in ("pct_free", "pct_hydrolysed", "pct_bound")], r.loc[0, "verdict"]
([5.0, 2.0, 93.0], 'fail')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from assaykit.errors import SchemaError
from assaykit.result import AssayResult, qc_row, qc_table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["analyze_cut_and_count", "strips_from_counter"]

Z95 = 1.959963984540054


def _pct(part: float, total: float) -> tuple[float, float]:
    """100·part/total and its binomial (Poisson-counting) SE in points."""
    p = part / total
    return 100.0 * p, 100.0 * float(np.sqrt(max(p * (1 - p), 0.0) / total))


def strips_from_counter(counts: pd.DataFrame, tubes: pd.DataFrame) -> pd.DataFrame:
    """The cut-and-count table from a counter export and the map of its tubes.

    ``counts``: a counter export (:func:`assaykit.io.read_export`: ``rack, position, cpm``);
    ``tubes``: ``rack, position, preparation, strip, half`` with ``half`` ``top``, ``bottom`` or
    ``background`` (background tubes: their mean cpm is subtracted from every strip half).

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"rack": 1, "position": [1, 2, 3], "cpm": [520.0, 9520.0, 20.0]})
    >>> tubes = pd.DataFrame({"rack": 1, "position": [1, 2, 3], "preparation": ["k", "k", ""],
    ...                       "strip": [1, 1, 0], "half": ["top", "bottom", "background"]})
    >>> strips_from_counter(counts, tubes).to_dict("records")
    [{'preparation': 'k', 'strip': 1, 'top_cpm': 500.0, 'bottom_cpm': 9500.0}]
    """
    import pandas as pd

    need = {"rack", "position", "preparation", "strip", "half"}
    if missing := need - set(tubes.columns):
        raise SchemaError(f"the tube map lacks columns {', '.join(sorted(missing))}")
    merged = tubes.merge(counts[["rack", "position", "cpm"]], on=["rack", "position"], how="left")
    lost = merged[merged["cpm"].isna()]
    if len(lost):
        r = lost.iloc[0]
        raise SchemaError(f"tube rack {r['rack']} position {r['position']} is not in the export")
    half = merged["half"].astype(str).str.strip().str.lower()
    if bad := sorted(set(half) - {"top", "bottom", "background"}):
        raise SchemaError(f"half must be top, bottom or background, not {', '.join(bad)}")
    bkg = merged.loc[half == "background", "cpm"]
    net = merged["cpm"] - (float(bkg.mean()) if len(bkg) else 0.0)
    m = merged.assign(half=half, net=net)[half != "background"]
    wide = m.pivot_table(
        index=["preparation", "strip"], columns="half", values="net", aggfunc="sum"
    ).reset_index()
    for h in ("top", "bottom"):
        if h not in wide.columns:
            raise SchemaError(f"no {h} halves in the tube map")
    out = pd.DataFrame(
        {
            "preparation": wide["preparation"],
            "strip": wide["strip"].astype(int),
            "top_cpm": wide["top"].astype(float),
            "bottom_cpm": wide["bottom"].astype(float),
        }
    )
    return out


def analyze_cut_and_count(table: pd.DataFrame, *, threshold_pct: float = 95.0) -> AssayResult:
    """Percent free, hydrolysed and bound per preparation from counted strip halves.

    ``table``: ``preparation, strip (1|2), top_cpm, bottom_cpm`` (net counts of the two cut
    halves of each strip). The SE treats the counts as Poisson counts.
    """
    import pandas as pd

    need = {"preparation", "strip", "top_cpm", "bottom_cpm"}
    if missing := need - set(table.columns):
        raise SchemaError(f"cut-and-count table lacks columns {', '.join(sorted(missing))}")
    rows, qc = [], []
    for prep, g in table.groupby("preparation", sort=False):
        strips = {int(s): r for s, r in zip(g["strip"], g.itertuples(), strict=True)}
        out: dict[str, object] = {"preparation": prep}
        flags = []
        if 1 not in strips or 2 not in strips:
            out.update(status="insufficient_data", flags="", message="needs strip 1 and strip 2")
            rows.append(out)
            continue
        (t1, b1), (t2, b2) = (
            (float(strips[k].top_cpm), float(strips[k].bottom_cpm))  # type: ignore[arg-type]
            for k in (1, 2)
        )
        for top, bottom in ((t1, b1), (t2, b2)):
            if not (min(top, bottom) >= 0 and top + bottom > 0):
                raise SchemaError(f"preparation {prep!r}: negative, missing or zero strip counts")
        free, free_se = _pct(t1, t1 + b1)
        hyd, hyd_se = _pct(b2, t2 + b2)
        bound = 100.0 - free - hyd
        bound_se = float(np.hypot(free_se, hyd_se))
        if bound < 0:
            flags.append("impurities_exceed_100")
            qc.append(qc_row("warning", str(prep), "free + hydrolysed exceed 100 %"))
        verdict = "pass" if bound >= threshold_pct else "fail"
        out.update(
            pct_free=round(free, 10),
            pct_free_se=free_se,
            pct_hydrolysed=round(hyd, 10),
            pct_hydrolysed_se=hyd_se,
            pct_bound=round(bound, 10),
            pct_bound_se=bound_se,
            pct_bound_ci_low=bound - Z95 * bound_se,
            pct_bound_ci_high=bound + Z95 * bound_se,
            threshold_pct=threshold_pct,
            verdict=verdict,
            status="ok",
            flags=";".join(flags),
            message=f"{bound:.1f} % bound ({verdict})",
        )
        rows.append(out)
    res = pd.DataFrame(rows)
    return AssayResult(
        assay="radiochem_itlc",
        tables={"results": res},
        settings={"threshold_pct": threshold_pct},
        qc=qc_table(qc),
        summary=[
            f"{r.preparation}: {r.pct_bound:.1f} % bound, {r.pct_free:.1f} % free, "
            f"{r.pct_hydrolysed:.1f} % hydrolysed → {r.verdict}"
            for r in res.itertuples()
            if r.status == "ok"
        ],
        methods="Two-strip cut-and-count ITLC: %free = top/(top+bottom) on strip 1, "
        "%hydrolysed = bottom/(top+bottom) on strip 2, %bound = 100 − both (assaykit).",
        n_statement="n = 1 preparation per row (two strips each)",
    )
