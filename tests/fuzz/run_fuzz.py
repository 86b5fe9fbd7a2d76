"""Run many fuzz cases outside pytest and print counts per reader, mutation and outcome.

Usage (from the repository root)::

    python tests/fuzz/run_fuzz.py -n 20000 --workers 2
    python tests/fuzz/run_fuzz.py --repro tests/data/exports/wizard2/truncated.csv 1234 [mutation]

Case ``k`` uses seed file ``k % len(files)`` and seed ``start + k``, so a run is reproducible and
every escape is printed with the file, seed and mutation that reproduce it. Exit code 1 when any
case escaped.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `tests` and `assaykit` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fuzz.harness import SeedFile, run_case, seed_exports, seed_layouts  # noqa: E402

_FILES: list[SeedFile] = []
_WORKDIR: Path | None = None


def _init(files: list[SeedFile]) -> None:
    global _FILES, _WORKDIR
    import warnings

    warnings.simplefilter("ignore")  # readers warn about doubtful cells; not what is counted here
    _FILES = files
    _WORKDIR = Path(tempfile.mkdtemp(prefix="assaykit-fuzz-"))


def _one(job: tuple[int, int]) -> tuple[int, int, str, str, str]:
    index, seed = job
    assert _WORKDIR is not None
    sf = _FILES[index]
    mutation, outcome = run_case(sf, seed, _WORKDIR)
    return index, seed, mutation, outcome.status, outcome.detail


def reader_label(sf: SeedFile) -> str:
    """The format the unmutated file is read as ('layout' for templates)."""
    if sf.target == "layout":
        return "layout:" + sf.path.suffix.lstrip(".")
    from assaykit.errors import AssaykitError
    from assaykit.io import detect_format

    try:
        return detect_format(sf.path)
    except AssaykitError:
        return "(unrecognised seed)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("-n", type=int, default=2000, help="number of cases (default 2000)")
    ap.add_argument("--start", type=int, default=0, help="first seed")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument(
        "--only", choices=["export", "layout"], help="fuzz only exports or only layouts"
    )
    ap.add_argument("--repro", nargs="+", metavar=("FILE SEED", "MUTATION"), help="rerun one case")
    args = ap.parse_args(argv)

    if args.repro:
        path, seed = Path(args.repro[0]), int(args.repro[1])
        mutation = args.repro[2] if len(args.repro) > 2 else None
        target = (
            "layout"
            if "layout" in path.name or "template" in path.name or path.suffix == ".toml"
            else "export"
        )
        with tempfile.TemporaryDirectory() as tmp:
            name, outcome = run_case(SeedFile(path.resolve(), target), seed, Path(tmp), mutation)
        print(f"{path} seed {seed} ({name}): {outcome.status} {outcome.detail}")
        return 1 if outcome.status == "escape" else 0

    files = []
    if args.only != "layout":
        files += seed_exports()
    if args.only != "export":
        files += seed_layouts()
    labels = [reader_label(sf) for sf in files]
    jobs = [(k % len(files), args.start + k) for k in range(args.n)]
    t0 = time.perf_counter()
    counts: collections.Counter[tuple[str, str, str]] = collections.Counter()
    escapes: list[tuple[str, int, str, str]] = []
    with multiprocessing.Pool(args.workers, initializer=_init, initargs=(files,)) as pool:
        for done, (index, seed, mutation, status, detail) in enumerate(
            pool.imap_unordered(_one, jobs, chunksize=8), 1
        ):
            counts[(labels[index], mutation, status)] += 1
            if status == "escape":
                escapes.append((files[index].label, seed, mutation, detail))
            if done % 1000 == 0:
                print(
                    f"  {done}/{args.n} cases, {len(escapes)} escapes, {time.perf_counter() - t0:.0f} s",
                    file=sys.stderr,
                )
    elapsed = time.perf_counter() - t0

    by_reader: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    by_mutation: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for (reader, mutation, status), c in counts.items():
        by_reader[reader][status] += c
        by_mutation[mutation][status] += c
    print(
        f"{args.n} cases from {len(files)} seed files in {elapsed:.0f} s ({args.workers} workers)"
    )
    for title, table in (("reader", by_reader), ("mutation", by_mutation)):
        print(f"\n{title:28s} {'cases':>7s} {'ok':>7s} {'error':>7s} {'escape':>7s}")
        for key in sorted(table):
            t = table[key]
            print(f"{key:28s} {sum(t.values()):7d} {t['ok']:7d} {t['error']:7d} {t['escape']:7d}")
    total = collections.Counter()
    for (_, _, status), c in counts.items():
        total[status] += c
    print(
        f"\ntotal: {sum(total.values())} cases, ok {total['ok']}, error {total['error']}, escape {total['escape']}"
    )
    for label, seed, mutation, detail in escapes:
        print(f"ESCAPE {label} seed {seed} ({mutation}): {detail}")
        print(f"  reproduce: python tests/fuzz/run_fuzz.py --repro {label} {seed} {mutation}")
    return 1 if escapes else 0


if __name__ == "__main__":
    sys.exit(main())
