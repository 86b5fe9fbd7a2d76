"""End to end: 1 → 10 → 100 synthetic 384-well plate-reader exports through ``assaykit binding fit``.

Each plate is a generic plate-grid CSV (``assaykit/io/generic.py``: a header ``1 … 24`` and rows
``A … P``; checked with ``assaykit parse``) of one binding layout, written once as a filled
template (``assaykit.layout.templates.fill_template``):

- 10 competitors × 12 concentrations (10^-11 … 10^-5.5 M) × 3 replicates = 360 wells;
- 12 total-binding (TB) and 12 nonspecific-binding (NSB, 10 µM of competitor 1) wells;

counts ``NSB + (TB − NSB)·f(conc)`` with a falling logistic ``f`` (per-plate IC50s), a 4 %
pipetting factor and Poisson noise.

Measured, per number of plates (wall time, summed child CPU time, peak RSS of each child via
``os.wait4``):

- ``cli``: ``assaykit binding fit PLATE.csv -o OUT --layout LAYOUT.xlsx`` once per file (the CLI
  takes ONE export per command), figures included as the CLI always draws them;
- ``cli_no_figures``: the same with ``--no-figures`` (when the CLI has that option), every count;
- ``cli_multi``: whether the CLI accepts several exports in one command (recorded); if it does,
  ONE ``assaykit binding fit P1.csv … PN.csv -o OUT --layout L --no-figures`` per plate count;
- ``api_one_process``: one Python child looping ``run_binding_analysis(..., figures=False)`` over
  all files: what a multi-file mode without figures would cost, memory of one process growing
  with the number of plates (or not).

Usage::

    python benchmarks/bench_end_to_end.py                     # 1, 10, 100 plates
    python benchmarks/bench_end_to_end.py --plates 1 10       # fewer
    python benchmarks/bench_end_to_end.py --cli-max 10        # CLI (with figures) only up to 10
    python benchmarks/bench_end_to_end.py --tag run2          # results/end_to_end_run2.json
    python benchmarks/bench_end_to_end.py --modes cli_multi,api --tag multi

Skips with a message (exit 0) when ``assaykit binding fit`` does not exist yet.
"""

from __future__ import annotations

import _env  # must come first: pins BLAS threads before numpy loads

# isort: split

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

N_COMPOUNDS = 10
LOG_CONC = np.linspace(-11.0, -5.5, 12)
ROWS = "ABCDEFGHIJKLMNOP"
TB_CPM, NSB_CPM = 6000.0, 400.0


def layout_frame() -> pd.DataFrame:
    """384 wells: 32 half-rows of 12; compound k on half-rows 3k..3k+2, then TB, then NSB."""
    rows = []
    for half in range(32):
        r, c0 = ROWS[half % 16], 1 if half < 16 else 13
        for j in range(12):
            well = f"{r}{c0 + j:02d}"
            if half < 3 * N_COMPOUNDS:
                k = half // 3
                rows.append(
                    {
                        "well": well,
                        "role": "competitor",
                        "compound": f"cmpd{k + 1:02d}",
                        "conc": 10.0 ** LOG_CONC[j],
                        "replicate": half % 3 + 1,
                    }
                )
            elif half == 3 * N_COMPOUNDS:
                rows.append(
                    {
                        "well": well,
                        "role": "total",
                        "compound": "",
                        "conc": np.nan,
                        "replicate": j + 1,
                    }
                )
            else:
                rows.append(
                    {
                        "well": well,
                        "role": "nsb",
                        "compound": "cmpd01",
                        "conc": 1e-5,
                        "replicate": j + 1,
                    }
                )
    return pd.DataFrame(rows)


EXPERIMENT = {
    "experiment_id": "BENCH-E2E",
    "radioligand": "[125I]benchmark",
    "radioligand_conc_M": 1e-10,
    "radioligand_kd_M": 1e-9,
    "isotope": "I-125",
}


def plate_values(layout: pd.DataFrame, rng: np.random.Generator) -> dict[str, float]:
    log_ic50 = rng.uniform(-9.5, -7.0, N_COMPOUNDS)
    hill = -rng.uniform(0.8, 1.2, N_COMPOUNDS)
    vals = {}
    for row in layout.itertuples():
        if row.role == "competitor":
            k = int(row.compound[4:]) - 1
            f = 1.0 / (1.0 + 10.0 ** ((log_ic50[k] - np.log10(row.conc)) * hill[k]))
            mean = NSB_CPM + (TB_CPM - NSB_CPM) * f
        elif row.role == "total":
            mean = TB_CPM
        else:
            mean = NSB_CPM
        mean *= rng.lognormal(0.0, 0.04)
        vals[row.well] = float(rng.poisson(mean))
    return vals


def write_grid(path: Path, vals: dict[str, float]) -> None:
    lines = [",".join([""] + [str(c) for c in range(1, 25)])]
    for r in ROWS:
        lines.append(",".join([r] + [f"{vals.get(f'{r}{c:02d}', 0.0):.0f}" for c in range(1, 25)]))
    path.write_text("\n".join(lines) + "\n")


_API_LOOP = """
import sys, time
from pathlib import Path
from assaykit.run import run_binding_analysis
files, layout, out = sys.argv[1].split(','), sys.argv[2], Path(sys.argv[3])
for i, f in enumerate(files):
    run_binding_analysis(f, out / f'plate{i:03d}', layout=layout, figures=False)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--plates", type=int, nargs="+", default=[1, 10, 100])
    ap.add_argument(
        "--cli-max",
        type=int,
        default=100,
        help="largest plate count run through the CLI (figures make it slow)",
    )
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--tag", default="", help="suffix of the results file name")
    ap.add_argument(
        "--modes",
        default="cli,cli_no_figures,cli_multi,api",
        help="comma-separated subset of cli, cli_no_figures, cli_multi, api",
    )
    args = ap.parse_args()

    python = sys.executable
    exe = shutil.which("assaykit", path=str(Path(python).parent)) or shutil.which("assaykit")
    probe = _env.run_child([exe, "binding", "fit", "--help"]) if exe else None
    if probe is None or probe["returncode"] != 0:
        msg = "SKIPPED: 'assaykit binding fit' is not available yet"
        if probe is not None:
            msg += f" ({(probe['stderr'] or probe['stdout'] or '').strip().splitlines()[-1:]})"
        print(msg)
        _env.write_json("end_to_end", {"benchmark": "end_to_end", "skipped": msg})
        return

    work = Path(tempfile.mkdtemp(prefix="bench_e2e_"))
    from assaykit.layout.templates import fill_template

    layout = layout_frame()
    assert len(layout) == 384
    layout_path = fill_template("binding", work / "layout.xlsx", layout, EXPERIMENT)
    rng = np.random.default_rng(args.seed)
    n_max = max(args.plates)
    files = []
    for i in range(n_max):
        p = work / f"plate{i:03d}.csv"
        write_grid(p, plate_values(layout, rng))
        files.append(p)
    check = _env.run_child([exe, "parse", str(files[0])])
    n_rows = len((check["stdout"] or "").strip().splitlines()) - 1
    parse_ok = check["returncode"] == 0 and n_rows == 384
    print(
        f"{n_max} plates written to {work}; 'assaykit parse' on plate 1: exit "
        f"{check['returncode']}, {n_rows} rows {'OK' if parse_ok else 'UNEXPECTED'}"
    )
    if not parse_ok:
        print((check["stderr"] or "").strip()[-500:])

    # does the CLI take several exports in one command?
    help_text = _env.run_child([exe, "binding", "fit", "--help"])["stdout"] or ""
    has_no_figures = "--no-figures" in help_text
    nofig = ["--no-figures"] if has_no_figures else []
    multi = _env.run_child(
        [
            exe,
            "binding",
            "fit",
            str(files[0]),
            str(files[min(1, n_max - 1)]),
            "-o",
            str(work / "multi"),
            "--layout",
            str(layout_path),
            *nofig,
        ]
    )
    multi_ok = multi["returncode"] == 0 and n_max > 1
    multi_msg = [
        ln for ln in ((multi["stderr"] or "") + (multi["stdout"] or "")).splitlines() if ln.strip()
    ][-1:]
    print(
        f"several exports in one 'assaykit binding fit': exit {multi['returncode']} "
        f"{multi_msg} -> {'accepted' if multi_ok else 'NOT accepted: looping one command per file'}"
    )

    results = {"cli": {}, "cli_no_figures": {}, "cli_multi_no_figures": {}, "api_one_process": {}}

    def cli_loop(n: int, mode: str, extra: list[str]) -> None:
        wall = cpu = 0.0
        peak = 0.0
        codes = set()
        err = ""
        for i, f in enumerate(files[:n]):
            r = _env.run_child(
                [
                    exe,
                    "binding",
                    "fit",
                    str(f),
                    "-o",
                    str(work / f"{mode}{n}_{i}"),
                    "--layout",
                    str(layout_path),
                    *extra,
                ]
            )
            wall += r["wall_s"]
            cpu += r["cpu_s"]
            peak = max(peak, r["max_rss_mib"])
            codes.add(r["returncode"])
            if r["returncode"] != 0 and not err:
                err = (r["stderr"] or "").strip()[-400:]
            shutil.rmtree(work / f"{mode}{n}_{i}", ignore_errors=True)
        results[mode][n] = {
            "wall_s": wall,
            "cpu_s": cpu,
            "peak_rss_mib_per_process": peak,
            "exit_codes": sorted(codes),
            "first_error": err,
        }
        print(
            f"{mode:15s} {n:4d} plates: wall {wall:8.2f} s  CPU {cpu:8.2f} s  "
            f"CPU/plate {cpu / n:6.2f} s  peak RSS/process {peak:7.1f} MiB  exit {sorted(codes)}"
            + (f"\n     {err}" if err else "")
        )

    def cli_multi(n: int) -> None:
        out = work / f"multi{n}"
        r = _env.run_child(
            [
                exe,
                "binding",
                "fit",
                *map(str, files[:n]),
                "-o",
                str(out),
                "--layout",
                str(layout_path),
                *nofig,
            ]
        )
        err = (r["stderr"] or "").strip()[-400:] if r["returncode"] else ""
        results["cli_multi_no_figures"][n] = {
            "wall_s": r["wall_s"],
            "cpu_s": r["cpu_s"],
            "peak_rss_mib": r["max_rss_mib"],
            "exit_code": r["returncode"],
            "error": err,
        }
        print(
            f"{'cli_multi':15s} {n:4d} plates: wall {r['wall_s']:8.2f} s  CPU {r['cpu_s']:8.2f} s  "
            f"CPU/plate {r['cpu_s'] / n:6.2f} s  peak RSS {r['max_rss_mib']:7.1f} MiB  "
            f"exit {r['returncode']}" + (f"\n     {err}" if err else "")
        )
        shutil.rmtree(out, ignore_errors=True)

    modes = set(args.modes.split(","))
    for n in sorted(args.plates):
        if "cli" in modes and n <= args.cli_max:
            cli_loop(n, "cli", [])
        if "cli_no_figures" in modes and has_no_figures:
            cli_loop(n, "cli_no_figures", ["--no-figures"])
        if "cli_multi" in modes and multi_ok:
            cli_multi(n)
        if "api" not in modes:
            continue
        out = work / f"api{n}"
        r = _env.run_child(
            [python, "-c", _API_LOOP, ",".join(map(str, files[:n])), str(layout_path), str(out)]
        )
        err = (r["stderr"] or "").strip()[-400:] if r["returncode"] else ""
        results["api_one_process"][n] = {
            "wall_s": r["wall_s"],
            "cpu_s": r["cpu_s"],
            "peak_rss_mib": r["max_rss_mib"],
            "exit_code": r["returncode"],
            "error": err,
        }
        print(
            f"{'api_one_process':15s} {n:4d} plates: wall {r['wall_s']:8.2f} s  CPU {r['cpu_s']:8.2f} s  "
            f"CPU/plate {r['cpu_s'] / n:6.2f} s  peak RSS {r['max_rss_mib']:7.1f} MiB  "
            f"exit {r['returncode']}" + (f"\n     {err}" if err else "")
        )
        shutil.rmtree(out, ignore_errors=True)

    def scaling(block: dict, key: str) -> dict:
        ns = sorted(block)
        if len(ns) < 2:
            return {}
        a = ns[0]
        return {
            f"{b}/{a}": {"plates_ratio": b / a, f"{key}_ratio": block[b][key] / block[a][key]}
            for b in ns[1:]
        }

    payload = {
        "benchmark": "end_to_end",
        "plate": "384-well generic plate-grid CSV; 10 competitors x 12 conc x 3 reps + 12 TB + 12 NSB",
        "plates": sorted(args.plates),
        "parse_check": {"exit": check["returncode"], "rows": n_rows, "ok": parse_ok},
        "cli_accepts_several_exports": multi_ok,
        "cli_several_exports_message": multi_msg,
        "results": results,
        "cli_has_no_figures_option": has_no_figures,
        "scaling_cli_wall": scaling(results["cli"], "wall_s"),
        "scaling_cli_cpu": scaling(results["cli"], "cpu_s"),
        "scaling_cli_no_figures_cpu": scaling(results["cli_no_figures"], "cpu_s"),
        "scaling_cli_multi_cpu": scaling(results["cli_multi_no_figures"], "cpu_s"),
        "scaling_cli_multi_wall": scaling(results["cli_multi_no_figures"], "wall_s"),
        "scaling_api_wall": scaling(results["api_one_process"], "wall_s"),
        "scaling_api_cpu": scaling(results["api_one_process"], "cpu_s"),
        "machine": _env.machine_info(),
    }
    path = _env.write_json("end_to_end" + (f"_{args.tag}" if args.tag else ""), payload)
    for label in (
        "scaling_cli_wall",
        "scaling_cli_cpu",
        "scaling_cli_no_figures_cpu",
        "scaling_cli_multi_cpu",
        "scaling_cli_multi_wall",
        "scaling_api_wall",
        "scaling_api_cpu",
    ):
        for k, v in payload[label].items():
            print(
                f"{label:26s} {k:>8s}: plates ×{v['plates_ratio']:.0f} -> time "
                f"×{list(v.values())[1]:.2f}"
            )
    print(f"\nwritten {path}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
