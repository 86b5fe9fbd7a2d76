"""Workflow functions of the radiochemistry commands: purity, yield, properties, profile.

Each one refuses an unusable output folder first, reads its inputs (traces one at a time with
``each_file``), calls the pure analysis of :mod:`assaykit.radiochem` and writes the AssayResult
with :func:`assaykit.run._write.write_result`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from assaykit.errors import AssaykitError, ParseError, SchemaError
from assaykit.run._loop import Progress, each_file
from assaykit.run._write import RunOutcome, write_result
from assaykit.run.inputs import check_input_file, expand_inputs, source_names

if TYPE_CHECKING:
    import pandas as pd

    from assaykit.io import InputLog
    from assaykit.report.output import OutputFolder
    from assaykit.result import AssayResult

__all__ = [
    "PROPERTY_KINDS",
    "PurityOptions",
    "read_table",
    "run_profile",
    "run_properties",
    "run_purity",
    "run_radiochem_demo",
    "run_yield",
]

PathLike = str | os.PathLike[str]
PropertyKind = Literal["logd", "stability", "ppb", "efflux", "itlc"]
PROPERTY_KINDS: tuple[str, ...] = ("logd", "stability", "ppb", "efflux", "itlc")


@dataclass(frozen=True)
class PurityOptions:
    """Options of :func:`assaykit.radiochem.purity.analyze_purity`."""

    product: str | None = None
    threshold_pct: float = 95.0
    baseline: Literal["arpls", "snip", "modpoly", "none"] = "arpls"
    overlap_fraction: float = 0.1
    min_prominence_sd: float = 8.0
    origin_mm: float | None = None
    front_mm: float | None = None
    combine: bool = False
    kind: Literal["tlc", "hplc"] | None = None


def read_table(path: PathLike, *, log: InputLog | None = None, role: str = "input") -> pd.DataFrame:
    """A tidy table from CSV/TSV/XLSX; a filled radiochemistry template is read and validated.

    With ``log``, the file is hashed under ``role`` as it is read.
    """
    import pandas as pd

    p = check_input_file(path)
    if log is not None:
        log.record(role, p)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        from assaykit.layout.radiochem import is_radiochem_template, read_radiochem_template

        if is_radiochem_template(p):
            return read_radiochem_template(p)
        try:
            return pd.read_excel(p)
        except Exception as err:  # noqa: BLE001 - the user's damaged workbook
            raise ParseError(f"cannot read the workbook ({err})", path=p) from None
    try:
        return pd.read_csv(p, sep=None, engine="python")
    except Exception as err:  # noqa: BLE001 - pandas' many parser errors
        raise ParseError(f"cannot read the table ({' '.join(str(err).split())})", path=p) from None


def _write(
    result: AssayResult,
    outdir: PathLike,
    folder: OutputFolder,
    log: InputLog,
    *,
    command: str,
    progress: Progress | None,
    failed: list[Path] | None = None,
    status: pd.DataFrame | None = None,
) -> RunOutcome:
    inputs = {role: rec.path for role, rec in log.records.items()}
    with folder as out:
        written = write_result(
            out, result, inputs=inputs, command=command, progress=progress, log=log
        )
    final = Path(outdir)
    return RunOutcome(result, final, [final / p.name for p in written], failed or [], status)


def run_purity(
    traces: PathLike | Sequence[PathLike],
    outdir: PathLike,
    *,
    rois: PathLike | None = None,
    options: PurityOptions | None = None,
    force: bool = False,
    keep_going: bool = False,
    figures: bool = True,
    recursive: bool = False,
    progress: Progress | None = None,
    command: str = "assaykit qc purity",
) -> RunOutcome:
    """Radiochemical purity of one or more radio-TLC/HPLC traces → results folder.

    ``combine`` (options) with exactly one TLC and one HPLC trace adds the combined purity.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.radiochem import TLC, ROIS
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "qc"
    >>> res = run_purity(TLC, out, rois=ROIS, figures=False)
    >>> res.results.loc[0, "verdict"], sorted(p.name for p in out.iterdir())
    ('pass', ['provenance.json', 'report.html', 'results.csv', 'results.xlsx'])
    """
    from assaykit.io import InputLog
    from assaykit.io.chromatogram import read_chromatogram, read_rois
    from assaykit.radiochem.purity import analyze_purity
    from assaykit.report.output import OutputFolder

    opts = options or PurityOptions()
    product: str | float | None = opts.product
    try:
        product = float(str(opts.product)) if opts.product is not None else None
    except ValueError:
        product = opts.product  # a region name
    given = [traces] if isinstance(traces, str | os.PathLike) else list(traces)
    files = expand_inputs(given, recursive=recursive)
    names = source_names(files)
    log = InputLog()
    # refuses an unusable folder (or one holding an input) before any work
    folder = OutputFolder(outdir, force=force, inputs=[*files, rois], log=log)

    def read_one(path: Path, source: str) -> tuple[tuple[str, pd.DataFrame], dict[str, Any]]:
        log.record("trace", path)
        tr = read_chromatogram(path, kind=opts.kind)
        return (source, tr), {"kind": tr.attrs["kind"], "points": len(tr)}

    loop = each_file(
        files,
        names,
        read_one,
        columns=["file", "kind", "points", "status", "message", "warnings"],
        keep_going=keep_going,
        progress=progress,
    )
    if not loop.parts:
        raise AssaykitError("no trace could be read")
    traces_read = dict(loop.parts)
    roi_table = None
    if rois is not None:
        log.record("rois", check_input_file(rois))
        roi_table = read_rois(rois)
    combine = None
    if opts.combine:
        kinds = {n: t.attrs["kind"] for n, t in traces_read.items()}
        tl = [n for n, k in kinds.items() if k == "tlc"]
        hp = [n for n, k in kinds.items() if k == "hplc"]
        if len(tl) != 1 or len(hp) != 1:
            raise SchemaError("--combine needs exactly one TLC and one HPLC trace")
        combine = (tl[0], hp[0])
    if progress is not None:
        progress("analysing", 0, None)
    try:
        result = analyze_purity(
            traces_read,
            roi_table,
            product=product,
            threshold_pct=opts.threshold_pct,
            baseline=opts.baseline,
            overlap_fraction=opts.overlap_fraction,
            min_prominence_sd=opts.min_prominence_sd,
            origin_mm=opts.origin_mm,
            front_mm=opts.front_mm,
            combine=combine,
        )
    except AssaykitError as err:
        raise err.with_context(path=rois) from None
    if not figures:
        result.figures = {}
    if len(files) > 1:
        result.tables["files"] = loop.status
    result.settings = {**asdict(opts), **result.settings}
    return _write(
        result,
        outdir,
        folder,
        log,
        command=command,
        progress=progress,
        failed=loop.failed,
        status=loop.status,
    )


def run_yield(
    input: PathLike | pd.DataFrame,
    outdir: PathLike,
    *,
    reference: Literal["end_of_synthesis", "start_of_synthesis"] = "end_of_synthesis",
    force: bool = False,
    progress: Progress | None = None,
    command: str = "assaykit qc yield",
) -> RunOutcome:
    """RCY, activity yield and molar activity from a synthesis table → results folder."""
    from assaykit.radiochem.yields import analyze_yield
    from assaykit.run._single import run_analysis

    def analyse(log: InputLog) -> AssayResult:
        table = input if not isinstance(input, str | os.PathLike) else read_table(input, log=log)
        return analyze_yield(table, reference=reference)

    return run_analysis(
        analyse,
        outdir,
        inputs={"input": input},
        command=command,
        force=force,
        progress=progress,
    )


def run_properties(
    kind: PropertyKind,
    input: PathLike | pd.DataFrame,
    outdir: PathLike,
    *,
    force: bool = False,
    figures: bool = True,
    fit_decay: bool = True,
    threshold_pct: float = 95.0,
    tubes: PathLike | pd.DataFrame | None = None,
    format: str | None = None,
    progress: Progress | None = None,
    command: str | None = None,
) -> RunOutcome:
    """logD, stability, protein binding, efflux or cut-and-count ITLC from a tidy table/template.

    For ``itlc``, ``input`` may instead be a gamma-counter export with ``tubes`` mapping its
    tubes (``rack, position, preparation, strip, half``; see
    :func:`assaykit.radiochem.itlc.strips_from_counter`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets.radiochem import LOGD
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "logd"
    >>> round(float(run_properties("logd", LOGD, out).results.loc[0, "logd"]), 1)
    -2.6
    """
    import pandas as pd

    from assaykit.radiochem import itlc, properties
    from assaykit.run._single import run_analysis

    if kind not in PROPERTY_KINDS:
        raise AssaykitError(
            f"unknown property {kind!r}; expected one of {', '.join(PROPERTY_KINDS)}"
        )

    def analyse(log: InputLog) -> AssayResult:
        if kind == "itlc" and tubes is not None:
            from assaykit.io import read_export

            counts = (
                input
                if isinstance(input, pd.DataFrame)
                else read_export(check_input_file(input), format=format, log=log)
            )
            tube_map = (
                tubes
                if isinstance(tubes, pd.DataFrame)
                else read_table(tubes, log=log, role="tubes")
            )
            table = itlc.strips_from_counter(counts, tube_map)
        else:
            table = input if isinstance(input, pd.DataFrame) else read_table(input, log=log)
        if kind == "logd":
            return properties.analyze_logd(table)
        if kind == "ppb":
            return properties.analyze_ppb(table)
        if kind == "efflux":
            return properties.analyze_efflux(table)
        if kind == "stability":
            return properties.analyze_stability(table, fit_decay=fit_decay)
        return itlc.analyze_cut_and_count(table, threshold_pct=threshold_pct)

    return run_analysis(
        analyse,
        outdir,
        inputs={"input": input, "tubes": tubes},
        command=command or f"assaykit properties {kind}",
        force=force,
        figures=figures,
        progress=progress,
    )


def _classify(table: pd.DataFrame) -> str | None:
    cols = set(table.columns)
    if {"ic50", "log_ic50", "status"} <= cols:
        return "binding"
    if {"quantity", "mean", "condition"} <= cols:
        return "uptake"
    if "logd" in cols:
        return "logd"
    if "pct_intact_last" in cols:
        return "stability"
    if "ppb_pct" in cols:
        return "ppb"
    if "rcp_pct" in cols and "product" in cols:
        return "purity"
    return None


def run_profile(
    results: PathLike | Sequence[PathLike],
    outdir: PathLike,
    *,
    force: bool = False,
    uptake_quantity: str = "internalized_pct",
    uptake_condition: str = "tracer",
    progress: Progress | None = None,
    command: str = "assaykit profile",
) -> RunOutcome:
    """The compound profile table from results folders, their results.csv files, or an index.

    Each folder's ``results.csv`` is recognised by its columns (binding, uptake, logD,
    stability, protein binding, purity); purity rows count for the compound named by their
    ``product`` region. Two results of one kind are concatenated.
    """
    import pandas as pd

    from assaykit.io import InputLog
    from assaykit.radiochem.profile import analyze_profile
    from assaykit.report.output import OutputFolder
    from assaykit.run._from_index import is_index, results_from_index

    given = [results] if isinstance(results, str | os.PathLike) else list(results)
    indexed = [Path(g) for g in given if is_index(g)]
    given = [g for g in given if not is_index(g)]
    files = []
    for g in given:
        p = Path(g)
        files.append(p / "results.csv" if p.is_dir() else p)
    files = [check_input_file(f) for f in files]
    log = InputLog()
    folder = OutputFolder(outdir, force=force, inputs=[*files, *indexed], log=log)
    found: dict[str, list[pd.DataFrame]] = {}

    def read_one(path: Path, source: str) -> tuple[tuple[str, pd.DataFrame], dict[str, Any]]:
        t = read_table(path, log=log, role="results")
        kind = _classify(t)
        if kind is None:
            raise ParseError(
                "not a results table of binding, uptake, logD, stability, "
                "protein binding or purity",
                path=path,
            )
        info: dict[str, Any] = {"kind": kind}
        if kind == "purity":
            # only a product region with a name says which compound it is; a combined
            # TLC + HPLC purity, when there is one, is the one the profile reports
            named = ~t["product"].astype(str).str.fullmatch(r"(peak \d+)?")
            if (~named).any():
                info["message"] = (
                    f"{int((~named).sum())} purity row(s) with an unnamed product region "
                    "(detected peak) left out: give an ROI table naming the product"
                )
            t = t[named].assign(compound=t["product"], rcp_method=t["kind"])
            t = t.sort_values("kind", key=lambda k: k != "combined", kind="stable")
        return (kind, t), info

    loop = each_file(
        files,
        [str(f) for f in files],
        read_one,
        columns=["file", "kind", "status", "message", "warnings"],
        progress=progress,
    )
    for kind, t in loop.parts:
        found.setdefault(kind, []).append(t)
    for db in indexed:  # the newest version of every indexed run, classified like a file
        log.record("index", db)
        for _name, t in results_from_index(db):
            indexed_kind = _classify(t)
            if indexed_kind is not None and indexed_kind != "purity":
                found.setdefault(indexed_kind, []).append(t)
    tables = {k: pd.concat(v, ignore_index=True) for k, v in found.items()}
    result = analyze_profile(
        **tables,
        uptake_quantity=uptake_quantity,
        uptake_condition=uptake_condition,
    )
    result.tables["sources"] = loop.status
    return _write(result, outdir, folder, log, command=command, progress=progress)


def run_radiochem_demo(ex: Path, out: Path) -> RunOutcome:
    """The demo step: purity (TLC + HPLC, combined), yields, logD, stability, then the profile.

    ``ex`` is the bundled example folder; ``out`` is created and holds ``purity/``, ``yield/``,
    ``logd/``, ``stability/`` and ``profile/``. Binding and uptake results folders beside ``out``
    (``../binding``, ``../uptake``, as ``assaykit demo`` writes them) join the profile.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from assaykit.datasets import example_path
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "radiochem"
    >>> res = run_radiochem_demo(example_path("radiochem"), out)
    >>> sorted(p.name for p in out.iterdir())
    ['logd', 'profile', 'purity', 'stability', 'yield']
    """
    out.mkdir(parents=True)
    cmd = "assaykit demo"
    run_purity(
        [ex / "tlc_strip.csv", ex / "hplc_trace.csv"],
        out / "purity",
        rois=ex / "tlc_rois.csv",
        options=PurityOptions(combine=True),
        command=cmd,
    )
    run_yield(ex / "synthesis.csv", out / "yield", command=cmd)
    run_properties("logd", ex / "logd.csv", out / "logd", command=cmd)
    run_properties("stability", ex / "stability.csv", out / "stability", command=cmd)
    sources = [out / "purity", out / "logd", out / "stability"]
    sources += [
        out.parent / k for k in ("binding", "uptake") if (out.parent / k / "results.csv").is_file()
    ]
    return run_profile(sources, out / "profile", command=cmd)
