"""Benchmark environment: pin BLAS/OpenMP threads BEFORE numpy is imported, and describe the machine.

Import this module first in every benchmark script (``import _env`` before numpy/pandas/scipy).
Threads default to 1 ("one process on one core"); set ``BENCH_THREADS=N`` to change that.
``OPENBLAS_CORETYPE`` (and any other BLAS variable already in the environment) is left as it is
and recorded by :func:`machine_info`.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

THREADS = os.environ.get("BENCH_THREADS", "1")
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = THREADS

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def _lscpu() -> dict[str, str]:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    info = {}
    for line in out.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            info[k.strip()] = v.strip()
    return {
        k: info[k]
        for k in ("Model name", "CPU(s)", "Thread(s) per core", "L2 cache", "L3 cache")
        if k in info
    }


def _mem_total_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _git_commit() -> str | None:
    try:
        return (
            subprocess.run(
                ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
                capture_output=True,
                text=True,
                timeout=10,
            ).stdout.strip()
            or None
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _git_dirty(paths: list[str]) -> list[str]:
    """Files under ``paths`` with uncommitted changes (the code measured is not HEAD's)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", *paths],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [line[3:] for line in out.splitlines()]


def source_digest(
    packages: tuple[str, ...] = ("assaykit/fitting", "assaykit/binding", "assaykit/cli"),
) -> dict:
    """SHA-256 (first 12 hex digits) of the measured source folders: the code changes under us."""
    import hashlib

    out = {}
    for pkg in packages:
        h = hashlib.sha256()
        for f in sorted((ROOT / pkg).rglob("*.py")):
            h.update(f.relative_to(ROOT).as_posix().encode())
            h.update(f.read_bytes())
        out[pkg] = h.hexdigest()[:12]
    return out


def machine_info() -> dict:
    """CPU, memory, Python and library versions, BLAS (threadpoolctl) and the thread variables."""
    import numpy
    import pandas
    import scipy

    try:
        from threadpoolctl import threadpool_info

        pools = [
            {
                k: p.get(k)
                for k in ("internal_api", "num_threads", "version", "architecture", "filepath")
            }
            for p in threadpool_info()
        ]
    except ImportError:
        pools = "threadpoolctl not installed"
    env = {
        k: os.environ.get(k)
        for k in (
            "OPENBLAS_CORETYPE",
            "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS",
            "MKL_NUM_THREADS",
            "NVPL_BLAS_DEBUG_CPU_TYPE",
        )
    }
    return {
        "cpu": _lscpu(),
        "os_cpu_count": os.cpu_count(),
        "mem_total_gib": _mem_total_gib(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "pandas": pandas.__version__,
        "threadpools": pools,
        "env": env,
        "load_average_1_5_15min": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "git_commit": _git_commit(),
        "uncommitted_in_measured_code": _git_dirty(["assaykit"]),
        "source_digest": source_digest(),
    }


def write_json(name: str, payload: dict) -> Path:
    """Write ``benchmarks/results/<name>.json`` (the folder is gitignored)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, default=_default) + "\n")
    return path


def _default(o: object) -> object:
    try:
        import numpy as np

        if isinstance(o, np.generic):
            return o.item()
        if isinstance(o, np.ndarray):
            return o.tolist()
    except ImportError:
        pass
    return str(o)


def run_child(
    cmd: list[str], *, env: dict | None = None, cwd: str | None = None, capture: bool = True
) -> dict:
    """Run ``cmd`` to completion; the child's wall time, CPU time and peak RSS (``os.wait4``).

    Output goes to temporary files (no pipe can fill up); returned as text when ``capture``.
    """
    import tempfile
    import time

    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe, env=env, cwd=cwd)
        _pid, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out = err = None
        if capture:
            fo.seek(0)
            fe.seek(0)
            out = fo.read().decode("utf-8", "replace")
            err = fe.read().decode("utf-8", "replace")
    return {
        "wall_s": wall,
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "max_rss_mib": ru.ru_maxrss / 1024,  # Linux: KiB
        "returncode": proc.returncode,
        "stdout": out,
        "stderr": err,
    }
