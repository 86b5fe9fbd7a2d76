"""Biodistribution quantities per animal and organ, group summaries, ratios and the paper table.

Per animal and organ (DOMAIN §4.2, §8.4), with A the organ's net counts at the reference time
(summed over its tubes), m its mass in g, ID the injected activity of the animal (same time,
same units) and W the body weight in g:

- ``pct_ia = 100 · A / ID`` (%IA per organ);
- ``pct_ia_per_g = 100 · A / (ID · m)``;
- ``suv = (A / m) / (ID / W) = pct_ia_per_g · W / 100`` (tissue density 1 g/mL).

Tumour-to-organ ratios are computed per animal and then averaged (``mean of per-animal
ratios``); the ratio of the group means is given beside it (``ratio of group means``) and the
``method`` column says which is which.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "GROUP_KEYS",
    "dosimetry_table",
    "group_summary",
    "organ_values",
    "paper_table",
    "time_label",
    "tumor_ratios",
]

GROUP_KEYS = ["group", "time_pi_min"]


def time_label(minutes: float) -> str:
    """``60`` → ``'1 h p.i.'``, ``30`` → ``'30 min p.i.'``.

    Examples
    --------
    >>> time_label(60.0), time_label(90.0), time_label(30.0)
    ('1 h p.i.', '1.5 h p.i.', '30 min p.i.')
    """
    if minutes != minutes:
        return "time n/a"
    if minutes >= 60:
        return f"{minutes / 60:g} h p.i."
    return f"{minutes:g} min p.i."


def organ_values(tubes: pd.DataFrame, animals: pd.DataFrame) -> pd.DataFrame:
    """The long table: one row per animal and organ (tissue tubes of one organ summed).

    Parameters
    ----------
    tubes
        Corrected tubes (``role``, ``animal``, ``organ``, ``mass_g``, ``net_counts``,
        ``corrected_cpm``, ``tube``, ``flags``).
    animals
        Animals with ``injected_cpm`` (:func:`assaykit.biodistribution.dose.injected_activity`).

    Returns
    -------
    ``animal, group, time_pi_min, organ, n_tubes, mass_g, net_counts, corrected_cpm,
    injected_cpm, pct_ia, pct_ia_per_g, suv, body_weight_g, status, flags, message``
    (``status`` ``excluded`` for animals with an exclusion reason, which is the message).

    Examples
    --------
    >>> import pandas as pd
    >>> tubes = pd.DataFrame({"role": ["tissue"], "animal": ["M1"], "organ": ["liver"],
    ...     "mass_g": [0.25], "net_counts": [5000.0], "corrected_cpm": [5000.0],
    ...     "tube": ["rack 1 pos 1"], "flags": [""]})
    >>> animals = pd.DataFrame({"animal": ["M1"], "group": ["a"], "time_pi_min": [60.0],
    ...     "body_weight_g": [20.0], "injected_cpm": [2.0e6], "excluded": [""]})
    >>> organ_values(tubes, animals)[["pct_ia", "pct_ia_per_g", "suv"]].round(4).values.tolist()
    [[0.25, 1.0, 0.2]]
    """
    import numpy as np
    import pandas as pd

    from assaykit.errors import LayoutError
    from assaykit.schema import join_flags

    tissue = tubes[tubes["role"] == "tissue"]
    no_mass = tissue["mass_g"].isna() | ~(tissue["mass_g"] > 0)
    if no_mass.any():
        bad = tissue[no_mass]
        raise LayoutError(
            f"no organ weight for tube(s) {', '.join(bad['tube'].head(8))}: give the tare and "
            "filled weights in g on the Tubes sheet (or a balance export); an organ weight must be > 0"
        )
    order = list(dict.fromkeys(tissue["organ"]))
    agg = tissue.groupby(["animal", "organ"], sort=False).agg(
        n_tubes=("tube", "size"),
        tubes=("tube", "; ".join),
        mass_g=("mass_g", "sum"),
        net_counts=("net_counts", "sum"),
        corrected_cpm=("corrected_cpm", "sum"),
        flags=("flags", lambda s: join_flags(*s)),
    )
    agg = agg.reset_index()
    keep = ["animal", "group", "time_pi_min", "body_weight_g", "injected_cpm", "excluded"]
    out = agg.merge(animals[keep], on="animal", how="left", validate="many_to_one")
    out["pct_ia"] = 100 * out["corrected_cpm"] / out["injected_cpm"]
    out["pct_ia_per_g"] = out["pct_ia"] / out["mass_g"]
    out["suv"] = out["pct_ia_per_g"] * out["body_weight_g"] / 100
    excluded = out["excluded"].fillna("").astype(str) != ""
    out["status"] = np.where(excluded, "excluded", "ok")
    msg = np.where(excluded, "left out: " + out["excluded"].astype(str), "")
    msg = np.where(
        (out["n_tubes"] > 1) & ~excluded, out["n_tubes"].astype(str) + " tubes summed", msg
    )
    out["message"] = msg
    out["organ"] = pd.Categorical(out["organ"], categories=order)
    animal_order = {a: i for i, a in enumerate(animals["animal"])}
    out = (
        out.assign(_a=out["animal"].map(animal_order))
        .sort_values(["_a", "organ"])
        .drop(columns="_a")
    )
    out["organ"] = out["organ"].astype(str)
    cols = [
        "animal",
        "group",
        "time_pi_min",
        "organ",
        "n_tubes",
        "tubes",
        "mass_g",
        "net_counts",
        "corrected_cpm",
        "injected_cpm",
        "pct_ia",
        "pct_ia_per_g",
        "suv",
        "body_weight_g",
        "status",
        "flags",
        "message",
    ]
    return out[cols].reset_index(drop=True)


def _describe(values: pd.Series) -> dict[str, float]:
    import numpy as np
    from scipy import stats

    x = values.dropna().to_numpy(dtype=float)
    n = len(x)
    mean = float(x.mean()) if n else np.nan
    sd = float(x.std(ddof=1)) if n > 1 else np.nan
    se = sd / np.sqrt(n) if n > 1 else np.nan
    half = float(stats.t.ppf(0.975, n - 1)) * se if n > 1 else np.nan
    return {"n": n, "mean": mean, "sd": sd, "se": se, "ci_low": mean - half, "ci_high": mean + half}


def group_summary(
    long: pd.DataFrame, quantities: Sequence[str] = ("pct_ia_per_g", "pct_ia", "suv")
) -> pd.DataFrame:
    """Mean, SD, SE and t-based 95 % CI of the mean per group, time point and organ.

    Excluded animals are left out and named with their reason (``left_out``); ``n`` counts
    animals.

    Returns
    -------
    ``group, time_pi_min, organ, n, animals, left_out`` and for each quantity ``<q>_mean,
    <q>_sd, <q>_se, <q>_ci_low, <q>_ci_high``; ``status`` (``ok``, ``single_animal`` without
    SD, ``no_animals``) and ``message``.
    """
    import pandas as pd

    rows = []
    organ_order = list(dict.fromkeys(long["organ"]))
    for (group, time, organ), g in long.groupby(GROUP_KEYS + ["organ"], sort=False):
        used = g[g["status"] == "ok"]
        out = g[g["status"] != "ok"]
        row: dict[str, object] = {"group": group, "time_pi_min": time, "organ": organ}
        row["animals"] = ", ".join(used["animal"])
        row["left_out"] = "; ".join(
            f"{a}: {m.removeprefix('left out: ')}"
            for a, m in zip(out["animal"], out["message"], strict=True)
        )
        row["n"] = int(used[quantities[0]].notna().sum())
        for q in quantities:
            d = _describe(used[q])
            d.pop("n")
            row.update({f"{q}_{k}": v for k, v in d.items()})
        n = int(row["n"])  # type: ignore[call-overload]
        row["status"] = "ok" if n > 1 else ("single_animal" if n == 1 else "no_animals")
        row["message"] = "" if n > 1 else ("n = 1: no SD" if n == 1 else "every animal left out")
        rows.append(row)
    out_df = pd.DataFrame(rows)
    out_df["_o"] = out_df["organ"].map({o: i for i, o in enumerate(organ_order)})
    out_df = out_df.sort_values(["time_pi_min", "_o"], kind="stable").drop(columns="_o")
    front = ["group", "time_pi_min", "organ", "n", "animals", "left_out"]
    rest = [c for c in out_df.columns if c not in front]
    return out_df[front + rest].reset_index(drop=True)


def tumor_ratios(long: pd.DataFrame, tumor: str = "tumor") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tumour-to-organ ratios of %IA/g: per animal, and per group as both kinds of average.

    Returns
    -------
    per_animal
        ``animal, group, time_pi_min, organ, ratio, tumor_pct_ia_per_g, organ_pct_ia_per_g,
        status`` (``status`` as in the long table).
    summary
        ``group, time_pi_min, ratio, organ, method, value, sd, n, se, ci_low, ci_high`` where
        ``method`` is ``mean of per-animal ratios`` (value ± SD over n animals, t-based 95 % CI
        of the mean) or ``ratio of group means`` (mean tumour %IA/g / mean organ %IA/g; no SD).

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"animal": ["a", "a", "b", "b"], "group": "g", "time_pi_min": 60.0,
    ...     "organ": ["tumor", "muscle"] * 2, "pct_ia_per_g": [2.0, 0.5, 1.6, 0.5], "status": "ok"})
    >>> _, s = tumor_ratios(long)
    >>> s[["method", "value"]].round(2).values.tolist()
    [['mean of per-animal ratios', 3.6], ['ratio of group means', 3.6]]
    """
    import numpy as np
    import pandas as pd

    from assaykit.errors import LayoutError

    if tumor not in set(long["organ"]):
        raise LayoutError(
            f"no organ named {tumor!r}; organs: {', '.join(dict.fromkeys(long['organ']))}"
        )
    wide: Any = long.pivot_table(index="animal", columns="organ", values="pct_ia_per_g", sort=False)
    meta: Any = long.drop_duplicates("animal").set_index("animal")[GROUP_KEYS + ["status"]]
    rows = []
    for organ in (o for o in dict.fromkeys(long["organ"]) if o != tumor):
        for animal in wide.index:
            t, o = wide.at[animal, tumor], wide.at[animal, organ]
            rows.append(
                {
                    "animal": animal,
                    "group": meta.at[animal, "group"],
                    "time_pi_min": meta.at[animal, "time_pi_min"],
                    "organ": organ,
                    "ratio": t / o if o > 0 else np.nan,
                    "tumor_pct_ia_per_g": t,
                    "organ_pct_ia_per_g": o,
                    "status": meta.at[animal, "status"],
                }
            )
    per_animal = pd.DataFrame(rows)
    if per_animal.empty:
        return per_animal, pd.DataFrame()
    summ = []
    for (group, time, organ), g in per_animal.groupby(GROUP_KEYS + ["organ"], sort=False):
        ok = g[(g["status"] == "ok") & g["ratio"].notna()]
        d = _describe(ok["ratio"])
        name = f"{tumor}/{organ}"
        summ.append(
            {
                "group": group,
                "time_pi_min": time,
                "ratio": name,
                "organ": organ,
                "method": "mean of per-animal ratios",
                "value": d["mean"],
                "sd": d["sd"],
                "n": d["n"],
                "se": d["se"],
                "ci_low": d["ci_low"],
                "ci_high": d["ci_high"],
            }
        )
        rom = (
            ok["tumor_pct_ia_per_g"].mean() / ok["organ_pct_ia_per_g"].mean() if len(ok) else np.nan
        )
        summ.append(
            {
                "group": group,
                "time_pi_min": time,
                "ratio": name,
                "organ": organ,
                "method": "ratio of group means",
                "value": rom,
                "sd": np.nan,
                "n": d["n"],
                "se": np.nan,
                "ci_low": np.nan,
                "ci_high": np.nan,
            }
        )
    return per_animal, pd.DataFrame(summ)


def _fmt(mean: float, sd: float, n: int) -> str:
    if mean != mean:
        return "n/a"
    digits = 2 if abs(mean) < 10 else 1
    sd_txt = f"{sd:.{digits}f}" if sd == sd else "n/a"
    return f"{mean:.{digits}f} ± {sd_txt} ({n})"


def paper_table(
    summary: pd.DataFrame, ratios: pd.DataFrame | None = None, quantity: str = "pct_ia_per_g"
) -> pd.DataFrame:
    """Organs down, group × time across, cells ``"mean ± SD (n)"``; tumour-to-organ ratios
    (mean ± SD of per-animal ratios) as rows below the organs.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"group": ["ctrl"], "time_pi_min": [60.0], "organ": ["tumor"], "n": [5],
    ...                   "pct_ia_per_g_mean": [16.2], "pct_ia_per_g_sd": [3.8]})
    >>> paper_table(s).to_dict("records")
    [{'organ': 'tumor', 'ctrl, 1 h p.i.': '16.2 ± 3.8 (5)'}]
    """
    import pandas as pd

    cols = list(
        dict.fromkeys((g, t) for g, t in zip(summary["group"], summary["time_pi_min"], strict=True))
    )
    names = {c: f"{c[0]}, {time_label(c[1])}" for c in cols}
    rows: dict[str, dict[str, str]] = {}
    r: Any
    for r in summary.itertuples(index=False):
        rows.setdefault(str(r.organ), {})[names[(r.group, r.time_pi_min)]] = _fmt(
            getattr(r, f"{quantity}_mean"), getattr(r, f"{quantity}_sd"), int(r.n)
        )
    if ratios is not None and len(ratios):
        per = ratios[ratios["method"] == "mean of per-animal ratios"]
        for r in per.itertuples(index=False):
            rows.setdefault(f"{r.ratio} ratio", {})[names[(r.group, r.time_pi_min)]] = _fmt(
                r.value, r.sd, int(r.n)
            )
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=list(names.values()))
    return out.rename_axis("organ").reset_index().fillna("")


def dosimetry_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Tidy %IA/g (and %IA) × time per group and organ, the table dosimetry tools read.

    Returns ``group, organ, time_pi_min, time_pi_h, n, pct_ia_per_g_mean, pct_ia_per_g_sd,
    pct_ia_mean, pct_ia_sd``, sorted by group, organ and time.
    """
    cols = [
        "group",
        "organ",
        "time_pi_min",
        "n",
        "pct_ia_per_g_mean",
        "pct_ia_per_g_sd",
        "pct_ia_mean",
        "pct_ia_sd",
    ]
    out = summary[cols].copy()
    out.insert(3, "time_pi_h", out["time_pi_min"] / 60.0)
    order = {o: i for i, o in enumerate(dict.fromkeys(out["organ"]))}
    groups = {g: i for i, g in enumerate(dict.fromkeys(out["group"]))}
    out = out.assign(_g=out["group"].map(groups), _o=out["organ"].map(order))
    out = out.sort_values(["_g", "_o", "time_pi_min"], kind="stable")
    return out.drop(columns=["_g", "_o"]).reset_index(drop=True)
