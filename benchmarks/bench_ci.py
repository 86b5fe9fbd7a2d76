"""Cost of confidence intervals on one 384-well plate, relative to the plain fit of that plate.

Plate (default ``--plate 10x12x3``): 10 competitor curves × 12 concentrations × 3 replicates
= 360 wells, plus 12 total-binding and 12 NSB wells = 384 wells. Only the 360 competitor wells
are fitted (the controls serve normalisation; they are not on the concentration axis).
``--plate 32x12x1``: 32 curves × 12 concentrations in singlicate = 384 wells, no controls.

Timed, interleaved in rounds in ONE process (best wall and best CPU time per method kept):

- ``plain``    ``fit_curves(plate)``  (Wald CIs, the default);
- ``profile``  ``fit_curves(plate, ci="profile")``;
- ``bootstrap`` a residual bootstrap written here: the plate's fitted curves plus residuals
  resampled with replacement within each curve, ``--resamples`` (1,000) times, stacked as
  curves × resamples and fitted by ONE ``fit_curves`` call (``by=["curve", "b"]``); percentile
  CIs of logIC50 (residuals rescaled by sqrt(n/(n−4))). Its time includes making the
  resampled table.

Usage::

    python benchmarks/bench_ci.py
    python benchmarks/bench_ci.py --plate 32x12x1
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

from assaykit.binding import fit_curves, four_pl

PLATES = {
    "10x12x3": {"curves": 10, "replicates": 3, "controls": 24},
    "32x12x1": {"curves": 32, "replicates": 1, "controls": 0},
}


def residual_bootstrap(
    plate: pd.DataFrame, fit: pd.DataFrame, n_boot: int, seed: int
) -> pd.DataFrame:
    """Fit ``n_boot`` residual-bootstrap copies of every curve in one batched call."""
    rng = np.random.default_rng(seed)
    d = plate.sort_values("curve", kind="stable")
    par = fit.set_index("curve").loc[d["curve"], ["top", "bottom", "hill"]]
    # the fitted logIC50 even where fit_curves does not report it (then the bootstrap is moot)
    lic = fit.set_index("curve").loc[d["curve"], "log_ic50"].to_numpy()
    x = np.log10(d["conc"].to_numpy(float))
    yhat = four_pl(x, par["top"].to_numpy(), par["bottom"].to_numpy(), lic, par["hill"].to_numpy())
    res = d["response"].to_numpy(float) - yhat
    curve = d["curve"].to_numpy()
    _keys, first, counts = np.unique(curve, return_index=True, return_counts=True)
    # residuals rescaled by sqrt(n / (n - 4)) so their variance matches s² (Davison & Hinkley)
    res = res * np.repeat(np.sqrt(counts / np.maximum(counts - 4, 1)), counts)
    # index of a random residual of the same curve, for every (resample, point)
    start = np.repeat(first, counts)
    size = np.repeat(counts, counts)
    pick = start[None, :] + (rng.random((n_boot, len(d))) * size[None, :]).astype(np.int64)
    y_star = yhat[None, :] + res[pick]
    stacked = pd.DataFrame(
        {
            "curve": np.tile(curve, n_boot),
            "b": np.repeat(np.arange(n_boot), len(d)),
            "conc": np.tile(d["conc"].to_numpy(float), n_boot),
            "response": y_star.ravel(),
        }
    )
    boot = fit_curves(stacked, by=["curve", "b"])
    return boot


def percentile_ci(boot: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    q = [(1 - level) / 2, (1 + level) / 2]
    g = boot.groupby("curve")["log_ic50"]
    out = g.quantile(q).unstack()
    out.columns = ["boot_low", "boot_high"]
    out["boot_reported"] = g.count()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plate", choices=sorted(PLATES), default="10x12x3")
    ap.add_argument("--resamples", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20261124)
    args = ap.parse_args()
    spec = PLATES[args.plate]

    plate, truth = simulate_curves(spec["curves"], seed=args.seed, replicates=spec["replicates"])
    wells = len(plate) + spec["controls"]
    print(
        f"plate {args.plate}: {spec['curves']} curves, {len(plate)} fitted wells + "
        f"{spec['controls']} TB/NSB wells = {wells} wells; {args.resamples} bootstrap resamples; "
        f"threads={_env.THREADS}"
    )

    fit_curves(plate)  # warm-up (imports, scipy.stats first calls)
    fit_curves(plate, ci="profile")
    base = fit_curves(plate)
    methods = {
        "plain": lambda: fit_curves(plate),
        "profile": lambda: fit_curves(plate, ci="profile"),
        "bootstrap": lambda: residual_bootstrap(plate, base, args.resamples, args.seed + 1),
    }
    wall = {k: [] for k in methods}
    cpu = {k: [] for k in methods}
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for r in range(args.rounds):
            for k, fn in methods.items():
                if k == "bootstrap" and r >= max(1, args.rounds // 2 + 1):
                    continue  # the long one needs fewer rounds
                gc.collect()
                c0, t0 = time.process_time(), time.perf_counter()
                out[k] = fn()
                wall[k].append(time.perf_counter() - t0)
                cpu[k].append(time.process_time() - c0)

    best = {k: min(v) for k, v in wall.items()}
    best_cpu = {k: min(v) for k, v in cpu.items()}
    ratio = {k: best[k] / best["plain"] for k in methods}
    ratio_cpu = {k: best_cpu[k] / best_cpu["plain"] for k in methods}
    n_fits_boot = spec["curves"] * args.resamples
    per_fit_boot = best_cpu["bootstrap"] / n_fits_boot
    per_fit_plain = best_cpu["plain"] / spec["curves"]

    prof = out["profile"].set_index("curve")
    cis = (
        percentile_ci(out["bootstrap"])
        .join(out["plain"].set_index("curve")[["log_ic50", "log_ic50_ci_low", "log_ic50_ci_high"]])
        .join(prof[["log_ic50_ci_low", "log_ic50_ci_high"]].add_suffix("_profile"))
    )
    cis = cis.join(truth.set_index("curve")["log_ic50"].rename("true_log_ic50"))
    widths = {
        "wald": float((cis["log_ic50_ci_high"] - cis["log_ic50_ci_low"]).median()),
        "profile": float(
            (cis["log_ic50_ci_high_profile"] - cis["log_ic50_ci_low_profile"]).median()
        ),
        "bootstrap": float((cis["boot_high"] - cis["boot_low"]).median()),
    }
    boot_status = out["bootstrap"]["status"].value_counts().to_dict()

    payload = {
        "benchmark": "ci",
        "plate": args.plate,
        "plate_wells": wells,
        "curves": spec["curves"],
        "points_per_curve": 12 * spec["replicates"],
        "resamples": args.resamples,
        "bootstrap": "residual, within curve, one batched fit_curves call (curves x resamples)",
        "threads": _env.THREADS,
        "rounds": args.rounds,
        "wall_s": wall,
        "cpu_s": cpu,
        "ratio_to_plain_wall": ratio,
        "ratio_to_plain_cpu": ratio_cpu,
        "bootstrap_cpu_s_per_curve_fit": per_fit_boot,
        "plain_cpu_s_per_curve_fit": per_fit_plain,
        "bootstrap_fit_status": boot_status,
        "median_ci_width_log_ic50": widths,
        "ci_table": cis.reset_index().to_dict(orient="list"),
        "plain_status": out["plain"]["status"].value_counts().to_dict(),
        "machine": _env.machine_info(),
    }
    path = _env.write_json(f"ci_{args.plate}", payload)

    print(
        f"\n{'method':10s} {'best wall s':>12s} {'best CPU s':>11s} {'× plain (wall)':>15s} "
        f"{'× plain (CPU)':>14s}"
    )
    for k in methods:
        print(f"{k:10s} {best[k]:12.4f} {best_cpu[k]:11.4f} {ratio[k]:15.1f} {ratio_cpu[k]:14.1f}")
    print(
        f"\nbootstrap: {n_fits_boot} curve fits in one call, {per_fit_boot * 1e6:.0f} µs CPU per "
        f"curve fit vs {per_fit_plain * 1e6:.0f} µs per curve in the plain plate fit; "
        f"statuses {boot_status}"
    )
    print(
        f"median 95% CI width of logIC50: Wald {widths['wald']:.3f}, profile "
        f"{widths['profile']:.3f}, bootstrap {widths['bootstrap']:.3f}"
    )
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
