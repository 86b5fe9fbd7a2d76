"""Screening-scale fitting speed: assaykit's batched fit_curves vs a loop of per-curve fitters.

Every curve has 12 concentrations × 3 replicates (``benchmarks/_data.py``), 4PL with all four
parameters free, unweighted. Compared, in ONE process on the SAME data:

- ``assaykit.fit_curves``   tidy table → one row per curve (packing, fit, SEs, verdicts, CIs);
- ``assaykit engine``       ``assaykit.fitting.least_squares`` alone on prepared padded arrays
                            (and once more with ``multistart=False``: no grid of starts, and
                            with ``engine="numpy"``: without the compiled kernels);
- ``scipy curve_fit``       plain Python loop, one ``scipy.optimize.curve_fit`` per curve, from
                            data-driven starts (top = max, bottom = min, logIC50 = x whose mean
                            response is nearest half-way, hill = −1), numeric Jacobian (the
                            baseline of the ratio); per-curve arrays are split BEFORE timing;
- ``scipy curve_fit+jac``   the same with the analytic Jacobian (a stronger baseline);
- ``lmfit``, ``iminuit``    loops on a subsample (``--peer-sample``), extrapolated per curve.

Correctness before speed: where assaykit and curve_fit both converge, the max |ΔlogIC50| must be
≤ 1e-6 and assaykit's RSS never above scipy's RSS·(1+1e-9); the worst curves are written out.

Usage::

    python benchmarks/bench_fit.py                   # 1,000 curves
    python benchmarks/bench_fit.py --n 10000
    python benchmarks/bench_fit.py --n 100000
    python benchmarks/bench_fit.py --ragged 0.15     # 15 % of the points missing

Threads: 1 (set before numpy is imported; ``BENCH_THREADS=N`` to change).
"""

from __future__ import annotations

import _env  # must come first: pins BLAS threads before numpy loads

# isort: split

import argparse
import gc
import time
import warnings

import numpy as np
import pandas as pd
from _data import simulate_curves
from scipy.optimize import curve_fit

from assaykit.binding import fit_curves
from assaykit.binding.curves import FOUR_PL
from assaykit.fitting import least_squares
from assaykit.fitting.data import pad_groups

try:  # the tolerances fit_curves gives the engine (absent in older versions: engine defaults)
    from assaykit.binding.fit import FIT_TOLERANCES
except ImportError:
    FIT_TOLERANCES = {}

LN10 = np.log(10.0)
DLOG_TOL = 1e-6
RSS_RTOL = 1e-9


def four_pl(x, top, bottom, log_ic50, hill):
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill))


def four_pl_jac(x, top, bottom, log_ic50, hill):
    u = 10.0 ** ((log_ic50 - x) * hill)
    s = 1.0 / (1.0 + u)
    core = -(top - bottom) * s * s * u * LN10
    return np.column_stack([s, 1.0 - s, core * hill, core * (log_ic50 - x)])


def start_values(x: np.ndarray, y: np.ndarray) -> list[float]:
    """top = max, bottom = min, logIC50 = x whose mean response is nearest half-way, hill = −1."""
    ux, inv = np.unique(x, return_inverse=True)
    means = np.bincount(inv, weights=y) / np.bincount(inv)
    mid = 0.5 * (y.max() + y.min())
    return [float(y.max()), float(y.min()), float(ux[np.argmin(np.abs(means - mid))]), -1.0]


def split_curves(data: pd.DataFrame) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Per-curve (log10 M, response) arrays, curves in sorted order (as fit_curves' rows)."""
    d = data.sort_values("curve", kind="stable")
    keys, first = np.unique(d["curve"].to_numpy(), return_index=True)
    xs = np.split(np.log10(d["conc"].to_numpy(float)), first[1:])
    ys = np.split(d["response"].to_numpy(float), first[1:])
    return keys, xs, ys


def fit_loop_curve_fit(xs, ys, jac: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(xs)
    params = np.full((n, 4), np.nan)
    rss = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            try:
                p, _cov = curve_fit(
                    four_pl, x, y, p0=start_values(x, y), jac=four_pl_jac if jac else None
                )
            except (RuntimeError, ValueError):
                continue
            r = y - four_pl(x, *p)
            params[i], rss[i] = p, r @ r
            ok[i] = np.all(np.isfinite(p)) and np.isfinite(rss[i])
    return params, rss, ok


def fit_loop_lmfit(xs, ys) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import lmfit

    model = lmfit.Model(four_pl)
    n = len(xs)
    params = np.full((n, 4), np.nan)
    rss = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            t, b, li, h = start_values(x, y)
            res = model.fit(y, x=x, top=t, bottom=b, log_ic50=li, hill=h)
            params[i] = [res.params[k].value for k in ("top", "bottom", "log_ic50", "hill")]
            rss[i] = float(np.sum(res.residual**2))
            ok[i] = bool(res.success) and np.all(np.isfinite(params[i]))
    return params, rss, ok


def fit_loop_iminuit(xs, ys) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from iminuit import Minuit
    from iminuit.cost import LeastSquares

    n = len(xs)
    params = np.full((n, 4), np.nan)
    rss = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            cost = LeastSquares(x, y, 1.0, four_pl)
            m = Minuit(cost, *start_values(x, y))
            m.migrad()
            params[i] = np.asarray(m.values)
            rss[i] = float(m.fval)  # sum of squared residuals (unit errors)
            ok[i] = bool(m.valid) and np.all(np.isfinite(params[i]))
    return params, rss, ok


def tight_reference(xs, ys, starts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The optimum to ~machine precision: MINPACK LM (analytic Jacobian, tolerances 1e-15)
    polished from each given start (e.g. curve_fit's and assaykit's optima); lowest RSS kept."""
    from scipy.optimize import least_squares as sp_lsq

    n = len(xs)
    params = np.full((n, 4), np.nan)
    rss = np.full(n, np.inf)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
            for st in starts:
                p0 = st[i]
                if not np.all(np.isfinite(p0)):
                    continue
                r = sp_lsq(
                    lambda p, x=x, y=y: four_pl(x, *p) - y,
                    p0,
                    jac=lambda p, x=x: four_pl_jac(x, *p),
                    method="lm",
                    xtol=1e-15,
                    ftol=1e-15,
                    gtol=1e-15,
                )
                v = float(r.fun @ r.fun)
                if np.isfinite(v) and v < rss[i]:
                    params[i], rss[i] = r.x, v
    return params, rss, np.isfinite(rss)


def prepare_engine(data: pd.DataFrame):
    """The padded, scaled arrays fit_curves gives the engine (conc in M, unweighted)."""
    keys, (conc, resp) = pad_groups(data, ["conc", "response"], ["curve"])
    with np.errstate(all="ignore"):
        xlog = np.where(conc > 0, np.log10(conc), np.nan)
    valid = np.isfinite(xlog) & np.isfinite(resp)
    scale = np.max(np.where(valid, np.abs(resp), 0.0), axis=1)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    return keys, xlog, resp / scale[:, None], valid, scale


def timed(fn, repeat: int):
    """Run ``fn`` ``repeat`` times; return (last result, best seconds, all seconds)."""
    times, out = [], None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, min(times), times


def agreement(name, lic_a, rss_a, ok_a, p_ref, rss_ref, ok_ref, curves) -> dict:
    """|ΔlogIC50| where both converged and RSS comparison, plus the worst curves."""
    both = ok_a & ok_ref & np.isfinite(lic_a)
    d = np.abs(lic_a - p_ref[:, 2])
    worse = ok_a & ok_ref & (rss_a > rss_ref * (1 + RSS_RTOL))
    better = ok_a & ok_ref & (rss_ref > rss_a * (1 + RSS_RTOL))
    worst = np.argsort(np.where(both, -d, np.inf))[:5]
    return {
        "compared_with": name,
        "curves_compared": int(both.sum()),
        "max_abs_dlog_ic50": float(np.max(d[both])) if both.any() else None,
        "n_dlog_ic50_above_1e-6": int(np.sum(both & (d > DLOG_TOL))),
        "frac_rss_worse": float(worse.sum() / max((ok_a & ok_ref).sum(), 1)),
        "n_rss_worse": int(worse.sum()),
        "n_rss_better": int(better.sum()),
        "ref_failed": int((~ok_ref).sum()),
        "worst_curves": [
            {
                "curve": int(curves[i]),
                "dlog_ic50": float(d[i]),
                "log_ic50": float(lic_a[i]),
                "ref_params": [float(v) for v in p_ref[i]],
                "rss": float(rss_a[i]),
                "ref_rss": float(rss_ref[i]),
            }
            for i in worst
            if both[i]
        ],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="number of curves (default 1000)")
    ap.add_argument("--ragged", type=float, default=0.0, help="fraction of points removed")
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument(
        "--hard",
        action="store_true",
        help="hard curves: logIC50 in [-12, -4.5] (beyond the tested range), "
        "|hill| in [0.3, 4], noise SD 10 (of a 100 span)",
    )
    ap.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved rounds of every method (best kept; default 5/3/1 by size)",
    )
    ap.add_argument(
        "--baseline-sample",
        type=int,
        default=None,
        help="fit only this many curves with the curve_fit loops (default: all)",
    )
    ap.add_argument(
        "--peer-sample",
        type=int,
        default=300,
        help="curves fitted by the lmfit / iminuit loops (extrapolated per curve)",
    )
    ap.add_argument(
        "--ref-sample",
        type=int,
        default=10000,
        help="curves polished to a tight reference optimum (agreement check)",
    )
    ap.add_argument("--no-peers", action="store_true", help="skip lmfit and iminuit")
    args = ap.parse_args()

    rounds = args.rounds or (5 if args.n <= 2000 else 3 if args.n <= 20000 else 1)
    hard = {"log_ic50_range": (-12.0, -4.5), "hill_range": (0.3, 4.0), "noise": 10.0}
    data, _truth = simulate_curves(
        args.n, seed=args.seed, ragged=args.ragged, **(hard if args.hard else {})
    )
    n = args.n
    print(
        f"{n} curves × 12 conc × 3 replicates, ragged={args.ragged}, hard={args.hard}, "
        f"rows={len(data)}, "
        f"threads={_env.THREADS}, rounds={rounds}"
    )

    # warm-up (imports, first-call overheads) on a small slice
    fit_curves(data[data["curve"] < 20])
    keys, xs, ys_list = split_curves(data)
    nb = n if args.baseline_sample is None else min(n, args.baseline_sample)
    fit_loop_curve_fit(xs[:20], ys_list[:20])
    prep = prepare_engine(data)
    _, xlog, ys, valid, scale = prep

    # interleaved rounds (the machine is shared and noisy): in each round every method runs once;
    # best wall and best CPU time per method are kept
    methods = {
        "assaykit_fit_curves": (n, lambda: fit_curves(data)),
        "assaykit_pack_only": (n, lambda: prepare_engine(data)),
        "assaykit_engine": (n, lambda: least_squares(FOUR_PL, xlog, ys, valid, **FIT_TOLERANCES)),
        # the same engine with its numpy iterations only (what the compiled kernels replace)
        "assaykit_engine_numpy": (
            n,
            lambda: least_squares(FOUR_PL, xlog, ys, valid, engine="numpy", **FIT_TOLERANCES),
        ),
        # where the time goes: the same engine without the (logIC50 × hill) grid of starts
        "assaykit_engine_no_grid": (
            n,
            lambda: least_squares(FOUR_PL, xlog, ys, valid, multistart=False, **FIT_TOLERANCES),
        ),
        "scipy_curve_fit": (nb, lambda: fit_loop_curve_fit(xs[:nb], ys_list[:nb])),
        "scipy_curve_fit_jac": (nb, lambda: fit_loop_curve_fit(xs[:nb], ys_list[:nb], jac=True)),
    }
    wall = {k: [] for k in methods}
    cpu = {k: [] for k in methods}
    out = {}
    for _ in range(rounds):
        for k, (_cnt, fn) in methods.items():
            gc.collect()
            c0, t0 = time.process_time(), time.perf_counter()
            out[k] = fn()
            wall[k].append(time.perf_counter() - t0)
            cpu[k].append(time.process_time() - c0)
    res, eng = out["assaykit_fit_curves"], out["assaykit_engine"]
    eng_ng = out["assaykit_engine_no_grid"]
    eng_np = out["assaykit_engine_numpy"]
    p_cf, rss_cf, ok_cf = out["scipy_curve_fit"]
    p_cj, rss_cj, ok_cj = out["scipy_curve_fit_jac"]
    c_fc, c_eng, c_pad = (
        min(cpu[k]) for k in ("assaykit_fit_curves", "assaykit_engine", "assaykit_pack_only")
    )

    # (c) peers on a subsample
    peers = {}
    if not args.no_peers:
        ns = min(n, args.peer_sample)
        for name, fn in (("lmfit", fit_loop_lmfit), ("iminuit", fit_loop_iminuit)):
            try:
                c0 = time.process_time()
                (pp, rr, oo), tt, _ = timed(lambda fn=fn: fn(xs[:ns], ys_list[:ns]), 1)
                tc = time.process_time() - c0
            except ImportError as exc:
                peers[name] = {"skipped": str(exc)}
                continue
            peers[name] = {
                "curves_timed": ns,
                "seconds": tt,
                "curves_per_s": ns / tt,
                "curves_per_cpu_s": ns / tc,
                "failed": int((~oo).sum()),
                "agreement_vs_curve_fit": agreement(
                    "curve_fit",
                    pp[:, 2],
                    rr,
                    oo,
                    p_cf[:ns],
                    rss_cf[:ns],
                    ok_cf[:ns],
                    keys[:ns],
                ),
            }

    # correctness: assaykit vs curve_fit on the curves both fitted
    ok_a = ~res["status"].isin(["failed", "insufficient_data"]).to_numpy()
    lic_report = res["log_ic50"].to_numpy()
    rss_a = res["rss"].to_numpy()
    agree_report = agreement(
        "curve_fit", lic_report[:nb], rss_a[:nb], ok_a[:nb], p_cf, rss_cf, ok_cf, keys[:nb]
    )
    rss_eng = eng.rss * scale**2
    agree_engine = agreement(
        "curve_fit",
        eng.param("log_ic50")[:nb],
        rss_eng[:nb],
        eng.converged[:nb],
        p_cf,
        rss_cf,
        ok_cf,
        keys[:nb],
    )
    agree_jac = agreement(
        "curve_fit+jac",
        eng.param("log_ic50")[:nb],
        rss_eng[:nb],
        eng.converged[:nb],
        p_cj,
        rss_cj,
        ok_cj,
        keys[:nb],
    )

    # a tight reference optimum (polished from both solutions) says which one is closer
    nr = min(nb, args.ref_sample)
    p_eng = eng.params.copy()
    p_eng[:, :2] *= scale[:, None]
    p_ref, rss_ref, ok_ref = tight_reference(xs[:nr], ys_list[:nr], [p_cf[:nr], p_eng[:nr]])
    agree_ref = {
        "fit_curves": agreement(
            "tight_reference",
            lic_report[:nr],
            rss_a[:nr],
            ok_a[:nr],
            p_ref,
            rss_ref,
            ok_ref,
            keys[:nr],
        ),
        "engine": agreement(
            "tight_reference",
            eng.param("log_ic50")[:nr],
            rss_eng[:nr],
            eng.converged[:nr],
            p_ref,
            rss_ref,
            ok_ref,
            keys[:nr],
        ),
        "engine_numpy": agreement(
            "tight_reference",
            eng_np.param("log_ic50")[:nr],
            (eng_np.rss * scale**2)[:nr],
            eng_np.converged[:nr],
            p_ref,
            rss_ref,
            ok_ref,
            keys[:nr],
        ),
        "engine_no_grid": agreement(
            "tight_reference",
            eng_ng.param("log_ic50")[:nr],
            (eng_ng.rss * scale**2)[:nr],
            eng_ng.converged[:nr],
            p_ref,
            rss_ref,
            ok_ref,
            keys[:nr],
        ),
        "curve_fit": agreement(
            "tight_reference",
            p_cf[:nr, 2],
            rss_cf[:nr],
            ok_cf[:nr],
            p_ref,
            rss_ref,
            ok_ref,
            keys[:nr],
        ),
        "curve_fit_jac": agreement(
            "tight_reference",
            p_cj[:nr, 2],
            rss_cj[:nr],
            ok_cj[:nr],
            p_ref,
            rss_ref,
            ok_ref,
            keys[:nr],
        ),
    }

    count = {k: c for k, (c, _fn) in methods.items()}
    rate = {k: count[k] / min(wall[k]) for k in methods if k != "assaykit_pack_only"}
    rate_cpu = {k: count[k] / min(cpu[k]) for k in methods if k != "assaykit_pack_only"}
    for name, pr in peers.items():
        if "curves_per_s" in pr:
            rate[name] = pr["curves_per_s"]
            rate_cpu[name] = pr["curves_per_cpu_s"]
    payload = {
        "benchmark": "fit",
        "n_curves": n,
        "points_per_curve": "12 conc x 3 replicates",
        "ragged": args.ragged,
        "hard": hard if args.hard else False,
        "rows": len(data),
        "seed": args.seed,
        "threads": _env.THREADS,
        "rounds": rounds,
        "engine_tolerances": FIT_TOLERANCES,
        "baseline_curves_timed": nb,
        "reference_curves": nr,
        "wall_s": wall,
        "cpu_s": cpu,
        # from the best CPU times (the wall clock of a shared machine is too noisy for a split)
        "time_split_fit_curves_cpu": {
            "pack_scale": c_pad / c_fc,
            "engine": c_eng / c_fc,
            "verdicts_ses_ci_frame": max(c_fc - c_eng - c_pad, 0.0) / c_fc,
        },
        "curves_per_s": rate,
        "curves_per_cpu_s": rate_cpu,
        "ratio_vs_curve_fit": {k: v / rate["scipy_curve_fit"] for k, v in rate.items()},
        "ratio_vs_curve_fit_cpu": {k: v / rate_cpu["scipy_curve_fit"] for k, v in rate_cpu.items()},
        "ratio_vs_curve_fit_jac": {k: v / rate["scipy_curve_fit_jac"] for k, v in rate.items()},
        "assaykit_status": res["status"].value_counts().to_dict(),
        "engine_converged": int(eng.converged.sum()),
        "engine_iterations": {
            "mean": float(eng.n_iter.mean()),
            "p50": float(np.median(eng.n_iter)),
            "max": int(eng.n_iter.max()),
        },
        "agreement_fit_curves_vs_curve_fit": agree_report,
        "agreement_engine_vs_curve_fit": agree_engine,
        "agreement_engine_vs_curve_fit_jac": agree_jac,
        "agreement_vs_tight_reference": agree_ref,
        "peers": peers,
        "machine": _env.machine_info(),
    }
    tag = (
        f"fit_n{n}"
        + (f"_ragged{args.ragged:g}" if args.ragged else "")
        + ("_hard" if args.hard else "")
    )
    path = _env.write_json(tag, payload)

    print(
        f"\n{'method':24s} {'curves/s':>10s} {'× curve_fit':>12s} {'CPU ×cf':>8s} {'× cf+jac':>9s}"
    )
    for k, v in rate.items():
        note = f"  (on {peers[k]['curves_timed']} curves, extrapolated)" if k in peers else ""
        if k.startswith("scipy") and nb < n:
            note = f"  (on {nb} curves)"
        print(
            f"{k:24s} {v:10.0f} {v / rate['scipy_curve_fit']:12.2f} "
            f"{rate_cpu[k] / rate_cpu['scipy_curve_fit']:8.2f} "
            f"{v / rate['scipy_curve_fit_jac']:9.2f}{note}"
        )
    sp = payload["time_split_fit_curves_cpu"]
    print(
        f"\nfit_curves CPU time: packing {sp['pack_scale']:.0%}, engine {sp['engine']:.0%}, "
        f"rest (SEs, verdicts, CIs, frame) {sp['verdicts_ses_ci_frame']:.0%}; "
        f"LM iterations mean {eng.n_iter.mean():.1f}, max {eng.n_iter.max()}"
    )
    print(f"assaykit status: {payload['assaykit_status']}")

    def line(label, a):
        m = a["max_abs_dlog_ic50"]
        print(
            f"{label:30s} compared {a['curves_compared']}, max|ΔlogIC50| "
            f"{(m if m is not None else float('nan')):.2e}, >1e-6: {a['n_dlog_ic50_above_1e-6']}, "
            f"RSS worse: {a['n_rss_worse']} ({a['frac_rss_worse']:.3%}), "
            f"RSS better: {a['n_rss_better']}, reference failed: {a['ref_failed']}"
        )

    line("fit_curves vs curve_fit", agree_report)
    line("engine vs curve_fit", agree_engine)
    line("engine vs curve_fit+jac", agree_jac)
    for k, a in agree_ref.items():
        line(f"{k} vs tight ref", a)
    for name, pr in peers.items():
        if "agreement_vs_curve_fit" in pr:
            a = pr["agreement_vs_curve_fit"]
            print(
                f"{name + ' vs curve_fit':30s} compared {a['curves_compared']}, max|ΔlogIC50| "
                f"{a['max_abs_dlog_ic50']:.2e}, failed {pr['failed']}"
            )
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
