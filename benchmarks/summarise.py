"""Print Markdown tables of the figures in ``benchmarks/results/*.json`` (for the README).

Usage::

    python benchmarks/summarise.py
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def _load(name: str) -> dict | None:
    p = RESULTS / f"{name}.json"
    return json.loads(p.read_text()) if p.exists() else None


def _label(d: dict) -> str:
    if d.get("hard"):
        return "hard"
    return f"ragged {d['ragged']:.2f}" if d["ragged"] else "regular"


def fit_tables() -> None:
    files = sorted(RESULTS.glob("fit_n*.json"), key=lambda p: (len(p.stem), p.stem))
    print(
        "| data | curves | method | curves/s (wall) | curves/CPU-s | × curve_fit (wall) | "
        "× curve_fit (CPU) | load avg |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|")
    for p in files:
        d = json.loads(p.read_text())
        label = _label(d)
        load = d["machine"].get("load_average_1_5_15min", [None])[0]
        for k, v in d["curves_per_s"].items():
            cpu = d["curves_per_cpu_s"].get(k) if "curves_per_cpu_s" in d else None
            rc = d.get("ratio_vs_curve_fit_cpu", {}).get(k)
            extra = ""
            if k in d.get("peers", {}):
                extra = f" ({d['peers'][k]['curves_timed']} curves)"
            print(
                f"| {label} | {d['n_curves']} | {k}{extra} | {v:,.0f} | "
                f"{'' if cpu is None else f'{cpu:,.0f}'} | {d['ratio_vs_curve_fit'][k]:.2f} | "
                f"{'' if rc is None else f'{rc:.2f}'} | {'' if load is None else f'{load:.1f}'} |"
            )
    print()
    print(
        "| data | curves | compared | max abs ΔlogIC50 | n > 1e-6 | RSS worse (frac) | "
        "reference failed |"
    )
    print("|---|---:|---|---:|---:|---:|---:|")
    for p in files:
        d = json.loads(p.read_text())
        label = _label(d)
        rows = [("fit_curves vs curve_fit", d["agreement_fit_curves_vs_curve_fit"])]
        for k, a in d.get("agreement_vs_tight_reference", {}).items():
            rows.append((f"{k} vs tight reference", a))
        for name, a in rows:
            m = a["max_abs_dlog_ic50"]
            print(
                f"| {label} | {d['n_curves']} | {name} ({a['curves_compared']}) | "
                f"{'' if m is None else f'{m:.2e}'} | {a['n_dlog_ic50_above_1e-6']} | "
                f"{a['n_rss_worse']} ({a['frac_rss_worse']:.3%}) | {a['ref_failed']} |"
            )
    print()
    print(
        "| data | curves | CPU split of fit_curves: packing / engine / rest | LM iterations mean (max) |"
    )
    print("|---|---:|---|---|")
    for p in files:
        d = json.loads(p.read_text())
        label = _label(d)
        c = {k: min(v) for k, v in d["cpu_s"].items()}
        fc = c["assaykit_fit_curves"]
        rest = 1 - (c["assaykit_pack_only"] + c["assaykit_engine"]) / fc
        it = d["engine_iterations"]
        print(
            f"| {label} | {d['n_curves']} | {c['assaykit_pack_only'] / fc:.0%} / "
            f"{c['assaykit_engine'] / fc:.0%} / {rest:.0%} | {it['mean']:.1f} ({it['max']}) |"
        )
    print()


def ci_tables() -> None:
    print("| plate | curves × points | method | best CPU s | × plain (CPU) | × plain (wall) |")
    print("|---|---|---|---:|---:|---:|")
    for p in sorted(RESULTS.glob("ci_*.json")):
        d = json.loads(p.read_text())
        for k in ("plain", "profile", "bootstrap"):
            print(
                f"| {d['plate']} ({d['plate_wells']} wells) | {d['curves']} × {d['points_per_curve']} | "
                f"{k}{' (' + str(d['resamples']) + ' resamples)' if k == 'bootstrap' else ''} | "
                f"{min(d['cpu_s'][k]):.4f} | {d['ratio_to_plain_cpu'][k]:.1f} | "
                f"{d['ratio_to_plain_wall'][k]:.1f} |"
            )
    print()


def startup_table() -> None:
    d = _load("startup")
    if not d:
        return
    print(
        "| command | best wall ms | best CPU ms | + over python -c pass (wall ms) | peak RSS MiB |"
    )
    print("|---|---:|---:|---:|---:|")
    for k, v in d["best_wall_s"].items():
        print(
            f"| `{k}` | {1000 * v:.0f} | {1000 * d['best_cpu_s'][k]:.0f} | "
            f"{d['over_bare_python_ms'][k]:.0f} | {d['max_rss_mib'][k]:.0f} |"
        )
    print()
    print(f"forbidden modules loaded: {d['forbidden_loaded']}")
    print()


def e2e_table() -> None:
    for p in sorted(RESULTS.glob("end_to_end*.json")):
        d = json.loads(p.read_text())
        print(f"{p.name}:")
        print()
        if d.get("skipped"):
            print(d["skipped"])
            continue
        print("| mode | plates | wall s | CPU s | CPU s / plate | peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|")
        for mode, block in d["results"].items():
            for n, r in sorted(block.items(), key=lambda kv: int(kv[0])):
                rss = r.get("peak_rss_mib", r.get("peak_rss_mib_per_process"))
                print(
                    f"| {mode} | {n} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | "
                    f"{r['cpu_s'] / int(n):.2f} | {rss:.0f} |"
                )
        print()
        print(
            f"CLI accepts several exports: {d['cli_accepts_several_exports']} "
            f"({d['cli_several_exports_message']})"
        )
        print()


if __name__ == "__main__":
    fit_tables()
    ci_tables()
    startup_table()
    e2e_table()
