"""Start-up cost of the command line: ``assaykit --help`` and ``assaykit parse missing.csv``.

Each command runs as a fresh subprocess ``--repeat`` times (best of 10 by default), interleaved
with ``python -c pass`` (the interpreter alone) and ``python -c "import assaykit.cli"``, so the
figures are differences and ratios from the same run. Also:

- ``python -X importtime -c "import assaykit.cli"``: the modules that cost most (cumulative),
  and the same while running each command (typer imports more at run time);
- which heavy libraries (pandas, numpy, scipy, plotnine, pingouin, matplotlib, openpyxl, numba) are in
  ``sys.modules`` after ``--help`` and after ``parse missing.csv`` (the latter may legitimately
  need what reading an export needs; the brief asks for no pandas/scipy/plotnine/pingouin).

Usage::

    python benchmarks/bench_startup.py [--repeat 10]
"""

from __future__ import annotations

import _env  # must come first: pins BLAS threads before numpy loads

# isort: split

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HEAVY = (
    "pandas",
    "numpy",
    "scipy",
    "plotnine",
    "pingouin",
    "matplotlib",
    "openpyxl",
    "statsmodels",
    "numba",
)
FORBIDDEN = ("pandas", "scipy", "plotnine", "pingouin", "numba")

_PROBE = """
import json, sys
from assaykit.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
heavy = {heavy!r}
loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set(heavy))
with open({out!r}, 'w') as f:
    json.dump(loaded, f)
"""


_RUN = """
from assaykit.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
"""


def importtime_top(
    python: str, env: dict, k: int = 15, code: str = "import assaykit.cli"
) -> list[dict]:
    r = _env.run_child([python, "-X", "importtime", "-c", code], env=env)
    rows = []
    for line in r["stderr"].splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, rest = line.split(":", 1)
        self_us, cum_us, name = (p.strip() for p in rest.split("|", 2))
        rows.append({"module": name.strip(), "self_us": int(self_us), "cumulative_us": int(cum_us)})
    total = max((r["cumulative_us"] for r in rows), default=0)
    top = sorted(rows, key=lambda r: -r["cumulative_us"])[:k]
    return [{**r, "share_of_total": r["cumulative_us"] / total if total else None} for r in top]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()

    python = sys.executable
    exe = shutil.which("assaykit", path=str(Path(python).parent)) or shutil.which("assaykit")
    env = dict(os.environ)
    tmp = Path(tempfile.mkdtemp(prefix="bench_startup_"))
    missing = str(tmp / "missing.csv")
    cmds = {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import assaykit.cli'": [python, "-c", "import assaykit.cli"],
        "assaykit --help": [exe, "--help"],
        "assaykit parse missing.csv": [exe, "parse", missing],
    }
    if exe is None:
        raise SystemExit("the 'assaykit' console script is not installed next to this Python")
    runs = {k: [] for k in cmds}
    codes = {}
    for _ in range(args.repeat):
        for k, cmd in cmds.items():
            r = _env.run_child(cmd, env=env)
            runs[k].append(
                {"wall_s": r["wall_s"], "cpu_s": r["cpu_s"], "max_rss_mib": r["max_rss_mib"]}
            )
            codes[k] = (r["returncode"], (r["stderr"] or "").strip().splitlines()[-1:] or [""])
    best = {k: min(x["wall_s"] for x in v) for k, v in runs.items()}
    best_cpu = {k: min(x["cpu_s"] for x in v) for k, v in runs.items()}
    rss = {k: max(x["max_rss_mib"] for x in v) for k, v in runs.items()}

    loaded = {}
    for label, argv in (("--help", ["--help"]), ("parse missing.csv", ["parse", missing])):
        out = tmp / "loaded.json"
        probe = _PROBE.format(argv=argv, heavy=HEAVY, out=str(out))
        _env.run_child([python, "-c", probe], env=env)
        loaded[label] = json.loads(out.read_text()) if out.exists() else None
        out.unlink(missing_ok=True)
    top = importtime_top(python, env)
    top_cmd = {
        label: importtime_top(python, env, 8, _RUN.format(argv=argv))
        for label, argv in (("--help", ["--help"]), ("parse missing.csv", ["parse", missing]))
    }

    base = best["python -c pass"]
    payload = {
        "benchmark": "startup",
        "repeat": args.repeat,
        "best_wall_s": best,
        "best_cpu_s": best_cpu,
        "max_rss_mib": rss,
        "over_bare_python_ms": {k: 1000 * (v - base) for k, v in best.items()},
        "ratio_to_bare_python": {k: v / base for k, v in best.items()},
        "exit_codes_and_last_stderr_line": codes,
        "heavy_modules_loaded": loaded,
        "forbidden_loaded": {k: sorted(set(v or []) & set(FORBIDDEN)) for k, v in loaded.items()},
        "importtime_top": top,
        "importtime_top_running_command": top_cmd,
        "all_runs": runs,
        "machine": _env.machine_info(),
    }
    path = _env.write_json("startup", payload)

    print(f"best of {args.repeat} (fresh subprocess each):")
    print(
        f"{'command':34s} {'wall ms':>9s} {'CPU ms':>8s} {'+ vs python':>12s} {'× python':>9s} {'peak MiB':>9s}"
    )
    for k in cmds:
        print(
            f"{k:34s} {1000 * best[k]:9.1f} {1000 * best_cpu[k]:8.1f} "
            f"{1000 * (best[k] - base):12.1f} {best[k] / base:9.1f} {rss[k]:9.1f}"
        )
    for k, (code, last) in codes.items():
        print(f"  exit {code:>3}  {k}: {last[0][:100]}")
    print("\nheavy libraries in sys.modules afterwards:")
    for k, v in loaded.items():
        bad = payload["forbidden_loaded"][k]
        print(f"  {k:20s} {v}  -> forbidden (pandas/scipy/plotnine/pingouin): {bad or 'none'}")
    print("\npython -X importtime -c 'import assaykit.cli' (top by cumulative µs):")
    for r in top:
        print(
            f"  {r['cumulative_us']:9d} µs  {r['share_of_total']:6.1%}  self {r['self_us']:7d}  {r['module']}"
        )
    for label, rows in top_cmd.items():
        print(f"\nimports while running 'assaykit {label}' (top by cumulative µs):")
        for r in rows:
            print(f"  {r['cumulative_us']:9d} µs  {r['share_of_total']:6.1%}  {r['module']}")
    print(f"\nwritten {path}")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
