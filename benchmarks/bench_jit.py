"""What the compiled kernels cost before they pay: numba's compile (once) and cache load (per process).

``assaykit.fitting.kernels`` compiles its numba kernels on first use and caches the machine code
on disk. Measured in fresh subprocesses, best of ``--repeat``:

- ``cold``: an empty ``NUMBA_CACHE_DIR``: import + compile + first fit (once per installation);
- ``warm``: the same cache directory again: import + loading the cached kernels + first fit;
- ``numpy``: the first fit with ``engine="numpy"`` through ``least_squares`` (no numba at all);
- the time to ``import numba`` alone.

Each child fits the same small table (10 curves × 12 concentrations × 3 replicates) and reports
the seconds from before the first assaykit import to the end of the fit, and of the fit call.

Usage::

    python benchmarks/bench_jit.py [--repeat 3]
"""

from __future__ import annotations

import _env  # must come first: pins BLAS threads before numpy loads

# isort: split

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {bench!r})
from _data import simulate_curves
data, _ = simulate_curves(10, seed=1)
t1 = time.perf_counter()
mode = {mode!r}
if mode == "import_numba":
    import numba
    t2 = t3 = time.perf_counter()
elif mode == "numpy":
    import numpy as np
    from assaykit.binding.curves import FOUR_PL
    from assaykit.fitting import least_squares
    x = np.log10(data["conc"].to_numpy()).reshape(10, 36)
    y = data["response"].to_numpy().reshape(10, 36) / 100
    t2 = time.perf_counter()
    least_squares(FOUR_PL, x, y, engine="numpy")
    t3 = time.perf_counter()
else:
    from assaykit.binding import fit_curves
    t2 = time.perf_counter()
    fit_curves(data)
    t3 = time.perf_counter()
print(json.dumps({{"import_and_fit_s": t3 - t1, "first_fit_s": t3 - t2}}))
"""


def run(mode: str, cache_dir: str) -> dict[str, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    code = _CHILD.format(bench=str(Path(__file__).parent), mode=mode)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    results: dict[str, list[dict[str, float]]] = {
        k: [] for k in ("cold", "warm", "numpy", "import_numba")
    }
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as cache:
            results["cold"].append(run("fit", cache))
            results["warm"].append(run("fit", cache))
            results["numpy"].append(run("numpy", cache))
            results["import_numba"].append(run("import_numba", cache))
    best = {
        k: {m: min(r[m] for r in v) for m in ("import_and_fit_s", "first_fit_s")}
        for k, v in results.items()
    }
    payload = {"benchmark": "jit", "repeat": args.repeat, "best": best, "runs": results}
    payload["machine"] = _env.machine_info()
    path = _env.write_json("jit", payload)
    print(f"{'child':14s} {'import + first fit s':>22s} {'first fit s':>12s}")
    for k, v in best.items():
        print(f"{k:14s} {v['import_and_fit_s']:22.2f} {v['first_fit_s']:12.2f}")
    print(f"\nwritten {path}")


if __name__ == "__main__":
    main()
