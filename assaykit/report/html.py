"""One self-contained HTML page per run: what a scientist sends a PI.

:func:`render_report` turns any :class:`~assaykit.result.AssayResult` plus the run's
``provenance.json`` content and the PNG bytes of its figures into one HTML page: figures embedded as
``data:`` URIs, inline CSS only (a Content-Security-Policy forbids every network request), readable
on a phone and printable. Templating is Jinja2 with autoescaping, so text from an export or a
template (a sample called ``<script>…``) is shown as text, never run.

The page holds, in order: the verdict of each curve in words, the key numbers and the n statement;
the result tables with their units; every figure; the QC table and the flags of the result rows;
the methods paragraph (``result.methods``, or one written from the settings); and what was run
(inputs with SHA-256, experiment fields, options, versions).

Examples
--------
>>> import pandas as pd
>>> from assaykit.result import AssayResult
>>> res = AssayResult(
...     assay="binding",
...     tables={"results": pd.DataFrame({"curve": ["<b>A</b>"], "ic50_M": [3.2e-9],
...                                      "status": ["ok"], "flags": [""], "message": [""]})},
...     n_statement="n = 3 wells per concentration, one experiment",
... )
>>> page = render_report(res, {"versions": {"assaykit": "0.1.0"}}, {})
>>> "&lt;b&gt;A&lt;/b&gt;" in page and "<b>A</b>" not in page
True
>>> "3.20 nM" in page
True
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from assaykit.result import AssayResult
from assaykit.units import UnitError, canonical_unit, format_quantity, unit_dimension

__all__ = ["STATUS_SENTENCES", "render_report", "status_sentence"]

#: Status of a fitted row → (short label, tone, what it means in words).
STATUS_SENTENCES: dict[str, tuple[str, str, str]] = {
    "ok": ("defined", "ok", "the curve defines its parameters; estimates are reported with CIs."),
    "extrapolated": (
        "extrapolated",
        "warn",
        "the estimate lies outside the tested range; it is not reported as a number.",
    ),
    "not_identifiable": (
        "not identifiable",
        "bad",
        "the data do not determine the parameter; no number is reported.",
    ),
    "no_inhibition": (
        "no effect",
        "warn",
        "no significant concentration effect; the parameter is not defined by these data.",
    ),
    "no_effect": (
        "no effect",
        "warn",
        "no significant effect; the parameter is not defined by these data.",
    ),
    "failed": ("fit failed", "bad", "the fit did not converge; no number is reported."),
    "insufficient_data": (
        "insufficient data",
        "bad",
        "too few usable points for this model; no number is reported.",
    ),
    "error": ("error", "bad", "the analysis of this row stopped with an error."),
    # control-chart verdicts (assaykit.index.control)
    "in_control": ("in control", "ok", "within the control limits; no Westgard rule broken."),
    "warning": ("warning", "warn", "beyond 2 SD; no rejecting rule broken."),
    "reject": ("rejected", "bad", "out of control:"),
    "not_determined": ("not determined", "warn", "no value to judge in this run."),
}

#: QC severity → what it means for the reader.
SEVERITY_MEANING: dict[str, str] = {
    "error": "this part could not be analysed; the results leave it out",
    "warning": "the results are usable, but check this before publishing",
    "info": "recorded for the record; no action needed",
}

_ID_COLUMNS = ("run", "curve", "compound", "group", "sample", "name", "condition", "tissue")
_MAX_ROWS = 100  # a person reads the first rows; the files hold every row
_MODEL_WORDS = {
    "4pl": "the four-parameter logistic (4PL) model",
    "one_site": "the one-site competition model (Hill slope fixed to −1)",
}
_CI_WORDS = {
    "wald": "Wald (asymptotic, t-based) 95 % confidence intervals",
    "profile": "profile-likelihood 95 % confidence intervals",
    "bootstrap": "bootstrap 95 % confidence intervals",
}
_WEIGHT_WORDS = {"none": "unweighted", "1/y": "weighted by 1/y", "1/y2": "weighted by 1/y²"}


def status_sentence(status: str, message: str = "") -> tuple[str, str, str]:
    """The verdict of one row in words: ``(label, tone, sentence)``.

    ``tone`` is ``ok``, ``warn`` or ``bad`` (the colour on the page). An unknown status is shown
    as itself with the row's message.

    Examples
    --------
    >>> status_sentence("ok")[2]
    'the curve defines its parameters; estimates are reported with CIs.'
    >>> status_sentence("weird", "see the log")
    ('weird', 'warn', 'status weird: see the log')
    """
    label, tone, text = STATUS_SENTENCES.get(
        status, (status, "warn", f"status {status}" + (":" if message else "."))
    )
    return label, tone, f"{text} {message}" if message else text


def _unit_of(column: str) -> tuple[str, str]:
    """Split ``kd_M`` into (``kd``, ``M``) when the suffix is a unit of :mod:`assaykit.units`."""
    if "_" not in column:
        return column, ""
    stem, suffix = column.rsplit("_", 1)
    try:
        return stem, canonical_unit(suffix)
    except UnitError:
        return column, ""


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _cell(v: Any, unit: str) -> dict[str, Any]:
    if _is_missing(v):
        return {"text": "—", "num": False}
    if isinstance(v, bool):
        return {"text": "yes" if v else "no", "num": False}
    if isinstance(v, int | float) and not isinstance(v, bool):
        x = float(v)
        if not math.isfinite(x):
            return {"text": str(x), "num": True}
        if unit and unit_dimension(unit) == "concentration":
            return {"text": format_quantity(x, "concentration", digits=3), "num": True}
        if float(x).is_integer() and abs(x) < 1e15:
            return {"text": f"{int(x)}", "num": True}
        return {"text": f"{x:.4g}", "num": True}
    return {"text": str(v), "num": False}


def _table_context(name: str, df: pd.DataFrame) -> dict[str, Any]:
    columns = []
    units = []
    for col in df.columns:
        stem, unit = _unit_of(str(col))
        # concentrations are written in a readable unit per cell, so the header names none
        shown = "" if unit and unit_dimension(unit) == "concentration" else unit
        columns.append({"label": stem if unit else str(col), "unit": shown})
        units.append(unit)
    body = df.head(_MAX_ROWS)
    rows = [
        [_cell(v, u) for v, u in zip(rec, units, strict=True)]
        for rec in body.itertuples(index=False, name=None)
    ]
    return {
        "name": name,
        "columns": columns,
        "rows": rows,
        "total": len(df),
        "truncated": len(df) > _MAX_ROWS,
    }


def _row_id(row: Mapping[Any, Any], i: int) -> str:
    for col in _ID_COLUMNS:
        if col in row and not _is_missing(row[col]) and str(row[col]).strip():
            return str(row[col])
    return f"row {i + 1}"


def _verdicts(df: pd.DataFrame) -> list[dict[str, str]]:
    if "status" not in df.columns:
        return []
    out = []
    for i, row in enumerate(df.to_dict("records")):
        msg = "" if _is_missing(row.get("message")) else str(row.get("message", ""))
        label, tone, text = status_sentence(str(row["status"]), msg)
        out.append({"label": f"{_row_id(row, i)} — {label}", "tone": tone, "sentence": text})
    return out


def _flags(df: pd.DataFrame) -> list[dict[str, str]]:
    if "flags" not in df.columns:
        return []
    out = []
    for i, row in enumerate(df.to_dict("records")):
        flags = "" if _is_missing(row.get("flags")) else str(row["flags"]).strip()
        if not flags:
            continue
        msg = "" if _is_missing(row.get("message")) else str(row.get("message", ""))
        out.append({"row": _row_id(row, i), "flags": flags.replace(";", "; "), "message": msg})
    return out


def generated_methods(settings: Mapping[str, Any], versions: Mapping[str, Any]) -> str:
    """A methods paragraph written from the settings (used when ``result.methods`` is empty).

    Examples
    --------
    >>> generated_methods({"model": "4pl", "weighting": "none", "ci": "wald"},
    ...                   {"assaykit": "0.1.0", "python": "3.11.7", "scipy": "1.17.1"})  # doctest: +ELLIPSIS
    'Curves were fitted to the four-parameter logistic (4PL) model by least squares (unweighted); ...'
    """
    parts = []
    model = settings.get("model")
    if model:
        words = _MODEL_WORDS.get(str(model), f"the {model} model")
        weight = settings.get("weighting")
        how = f" ({_WEIGHT_WORDS.get(str(weight), f'weighting {weight}')})" if weight else ""
        parts.append(f"Curves were fitted to {words} by least squares{how}")
    ci = settings.get("ci") or settings.get("ci_method")
    if ci:
        parts.append(_CI_WORDS.get(str(ci), f"95 % confidence intervals by the {ci} method"))
    sentence = "; ".join(parts) + "." if parts else ""
    soft = f"Analysis with assaykit {versions.get('assaykit', '(version not recorded)')}"
    extra = [f"{k} {versions[k]}" for k in ("python", "numpy", "scipy") if versions.get(k)]
    if extra:
        soft += " (" + ", ".join(extra) + ")"
    return (sentence + " " + soft + ".").strip()


def _figures(result: AssayResult, figure_png: Mapping[str, bytes]) -> list[dict[str, str]]:
    stems = list(result.figures) + [s for s in figure_png if s not in result.figures]
    out = []
    for stem in stems:
        fig = result.figures.get(stem)
        caption = (fig.caption if fig is not None else "") or stem.replace("_", " ")
        png = figure_png.get(stem)
        src = "data:image/png;base64," + base64.b64encode(png).decode("ascii") if png else ""
        out.append({"stem": stem, "src": src, "alt": caption, "caption": caption})
    return out


def _kv(items: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(str(k), "—" if _is_missing(v) else str(v)) for k, v in items.items()]


def render_report(
    result: AssayResult,
    provenance: Mapping[str, Any],
    figure_png: Mapping[str, bytes],
    *,
    title: str | None = None,
) -> str:
    """The report of one run as a self-contained HTML page (returned, never written).

    Parameters
    ----------
    result
        What the assay's pure analysis returned.
    provenance
        The content of ``provenance.json`` (``command``, ``inputs`` with ``name``/``bytes``/
        ``sha256``, ``options``, ``versions``); missing keys are shown as not recorded.
    figure_png
        PNG bytes by figure stem (the keys of ``result.figures``); a figure without bytes is
        listed as not rendered.
    title
        Page title; default ``"<assay> report — <experiment id>"``.

    Returns
    -------
    str
        The HTML page (UTF-8 text).
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("assaykit.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=False,
        keep_trailing_newline=True,
    )
    options = dict(provenance.get("options") or {})
    versions = dict(provenance.get("versions") or {})
    experiment = {k.split(".", 1)[1]: v for k, v in options.items() if k.startswith("experiment.")}
    others = {k: v for k, v in options.items() if not k.startswith("experiment.")}
    settings_only = {k: v for k, v in result.settings.items() if k not in others}
    exp_id = experiment.get("experiment_id") or result.settings.get("experiment_id") or ""
    page_title = title or f"{result.assay} report" + (f" — {exp_id}" if exp_id else "")
    header = [f"Assay: {result.assay}"]
    for key, label in (("date", "Experiment date"), ("operator", "Operator")):
        if not _is_missing(experiment.get(key)) and str(experiment.get(key)).strip():
            header.append(f"{label}: {experiment[key]}")
    inputs = [
        {
            "role": role,
            "name": info.get("name", ""),
            "bytes": info.get("bytes", ""),
            "sha256": info.get("sha256", "not recorded"),
        }
        for role, info in (provenance.get("inputs") or {}).items()
        if isinstance(info, Mapping)
    ]
    qc = [
        {
            "severity": str(r.get("severity", "")),
            "where": "" if _is_missing(r.get("where")) else str(r.get("where")),
            "message": "" if _is_missing(r.get("message")) else str(r.get("message")),
            "meaning": SEVERITY_MEANING.get(str(r.get("severity", "")), ""),
        }
        for r in result.qc.to_dict("records")
    ]
    main = result.main_table
    context = {
        "title": page_title,
        "version": versions.get("assaykit", ""),
        "header_lines": header,
        "verdicts": _verdicts(main),
        "summary": list(result.summary),
        "n_statement": result.n_statement,
        "tables": [_table_context(name, df) for name, df in result.tables.items()],
        "figures": _figures(result, figure_png),
        "qc": qc,
        "flags": _flags(main),
        "methods": result.methods.strip()
        or generated_methods({**options, **result.settings}, versions),
        "command": provenance.get("command", ""),
        "inputs": inputs,
        "kv_blocks": [
            {"title": "Experiment (template fields)", "pairs": _kv(experiment)},
            {"title": "Options", "pairs": _kv(others)},
            {"title": "Other settings", "pairs": _kv(settings_only)},
            {"title": "Software versions", "pairs": _kv(versions)},
        ],
    }
    return env.get_template("report.html.j2").render(**context)
