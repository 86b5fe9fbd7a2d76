"""Binding figures: what is drawn (points, curve, IC50 marker, status) and that they render."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assaykit.binding.figures import (
    format_molar,
    ic50_label,
    plot_curve,
    plot_overlay,
    replicate_means,
)
from assaykit.report.figures import PALETTE, save_figure


def _logistic(x, top, bottom, log_ic50, hill):  # CONTRACTS §3, written out independently
    return bottom + (top - bottom) / (1 + 10 ** ((log_ic50 - np.asarray(x)) * hill))


@pytest.fixture
def points():
    conc = np.repeat([1e-10, 1e-9, 1e-8, 1e-7, 1e-6], 3)
    resp = _logistic(np.log10(conc), 100, 0, -8, -1) + np.tile([-3.0, 0.0, 3.0], 5)
    a = pd.DataFrame({"curve": "A", "conc": conc, "response": resp})
    b = a.assign(
        curve="B", response=_logistic(np.log10(conc), 100, 0, -7, -1) + np.tile([-2.0, 0.0, 2.0], 5)
    )
    return pd.concat([a, b], ignore_index=True)


def _fit(name="A", log_ic50=-8.0, status="ok", **extra):
    f = {"curve": name, "top": 100.0, "bottom": 0.0, "log_ic50": log_ic50, "hill": -1.0, "hill_se": 0.05,
         "ic50": 10**log_ic50, "ic50_ci_low": 10 ** (log_ic50 - 0.1), "ic50_ci_high": 10 ** (log_ic50 + 0.1),
         "x_min": -10.0, "x_max": -6.0, "status": status, "message": ""}  # fmt: skip
    f.update(extra)
    return f


def _layer(p, geom):
    return [ly for ly in p.layers if type(ly.geom).__name__ == geom]


def _data(layer) -> pd.DataFrame:
    return (
        layer.geom.data
        if isinstance(getattr(layer.geom, "data", None), pd.DataFrame)
        else layer._data
    )


def test_replicate_means_are_mean_and_sample_sd(points):
    m = replicate_means(points)
    row = m[(m.curve == "A") & np.isclose(m.log_conc, -8)].iloc[0]
    assert row["mean"] == pytest.approx(50.0)
    assert row["sd"] == pytest.approx(3.0)  # SD of (-3, 0, 3) with ddof=1
    assert (row["ymin"], row["ymax"]) == pytest.approx((47.0, 53.0))
    assert row["n"] == 3


def test_curve_draws_fit_points_and_ic50_marker(points):
    p = plot_curve(points, _fit())
    line = _data(_layer(p, "geom_line")[0])
    np.testing.assert_allclose(line["fit"], _logistic(line["log_conc"], 100, 0, -8, -1), atol=1e-9)
    assert line["log_conc"].min() == pytest.approx(-10.5) and line[
        "log_conc"
    ].max() == pytest.approx(-5.5)
    drop = _data(_layer(p, "geom_segment")[0]).iloc[0]
    assert drop["x"] == pytest.approx(-8.0) and drop["y"] == pytest.approx(50.0)
    pts = _data(_layer(p, "geom_point")[-1])
    assert len(pts) == 5 and pts["mean"].iloc[2] == pytest.approx(50.0)
    assert p.labels.subtitle == "IC50 = 10.0 nM (95% CI 7.94–12.6 nM), Hill slope −1.00"
    assert p.labels.x == "log₁₀ [A] (M)" and p.labels.y == "Specific binding (%)"
    assert p.labels.caption == "Points: mean ± SD, n = 3 replicates per concentration"


def test_failed_fit_shows_status_and_reason_not_an_ic50(points):
    f = _fit(status="no_inhibition", message="no significant concentration effect", ic50=math.nan,
             log_ic50=math.nan)  # fmt: skip
    p = plot_curve(points, f)
    assert p.labels.subtitle == "no IC50: no inhibition"
    assert "no significant concentration effect" in p.labels.caption
    assert not _layer(p, "geom_segment")  # no IC50 drop line
    assert "IC50 =" not in (p.labels.subtitle or "")


def test_extrapolated_fit_drawn_dashed_grey_without_marker(points):
    p = plot_curve(points, _fit(status="extrapolated", message="IC50 beyond the tested range"))
    line = _layer(p, "geom_line")[0]
    assert line.geom.aes_params["linetype"] == "dashed"
    assert not _layer(p, "geom_segment")
    assert p.labels.subtitle == "no IC50: extrapolated"


def test_overlay_colours_legend_and_status(points):
    fits = pd.DataFrame(
        [_fit("A", -8.0), _fit("B", -7.0, status="not_identifiable", ic50=math.nan)]
    )
    p = plot_overlay(points, fits)
    scale = next(s for s in p.scales if "color" in s.aesthetics)
    labels = list(scale.breaks)
    assert labels[0].startswith("A  (IC50 10.0 nM, 95% CI 7.94–12.6 nM)")
    assert labels[1] == "B  (no IC50: not identifiable)"
    colours = scale.palette(2) if callable(scale.palette) else scale.palette
    assert [colours[k] for k in labels] == list(PALETTE[:2])
    pts = _data(_layer(p, "geom_point")[0])
    assert set(pts["series"].astype(str)) == set(labels)
    assert len(_data(_layer(p, "geom_segment")[0])) == 1  # only the ok curve gets a drop line
    assert p.labels.x == "log₁₀ [competitor] (M)"


def test_figures_render_to_png_pdf_svg(points, tmp_path):
    fits = pd.DataFrame([_fit("A", -8.0), _fit("B", -7.0)])
    paths = save_figure(plot_overlay(points, fits), tmp_path / "overlay")
    paths += save_figure(plot_curve(points, fits.iloc[0], color=PALETTE[1]), tmp_path / "A")
    assert sorted(p.suffix for p in paths) == [".pdf", ".pdf", ".png", ".png", ".svg", ".svg"]
    assert all(p.stat().st_size > 1000 for p in paths)


@pytest.mark.parametrize(
    ("m", "text"),
    [
        (3.55e-8, "35.5 nM"),
        (1e-9, "1.00 nM"),
        (2.5e-6, "2.50 µM"),
        (9.9996e-10, "1.00 nM"),
        (0.0, "n/a"),
    ],
)
def test_format_molar(m, text):
    assert format_molar(m) == text


def test_ic50_label_marks_fixed_hill():
    assert ic50_label(_fit(hill_se=math.nan)).endswith("Hill slope −1.00 (fixed)")


def test_many_curves_get_distinct_colours():
    from assaykit.binding.figures import series_colours

    cols = series_colours(12)
    assert cols[:8] == list(PALETTE) and len(set(cols)) == 12
    conc = np.repeat([1e-9, 1e-8, 1e-7], 1)
    pts = pd.concat(
        [
            pd.DataFrame({"curve": f"C{i}", "conc": conc, "response": [90.0, 50.0, 10.0]})
            for i in range(12)
        ]
    )
    fits = pd.DataFrame([_fit(f"C{i}") for i in range(12)])
    scale = next(s for s in plot_overlay(pts, fits).scales if "color" in s.aesthetics)
    values = scale.palette(12) if callable(scale.palette) else scale.palette
    assert len(set(values.values())) == 12


def test_pdf_fonts_are_truetype_and_svg_text_is_editable(points, tmp_path):
    """Journals refuse Type 3 fonts; an SVG editor must see the labels as text, not paths."""
    fits = pd.DataFrame([_fit("A", -8.0)])
    paths = save_figure(plot_curve(points, fits.iloc[0], color=PALETTE[1]), tmp_path / "A")
    pdf = next(p for p in paths if p.suffix == ".pdf").read_bytes()
    # TrueType outlines: simple TrueType or the CID-keyed TrueType (CIDFontType2) that
    # matplotlib embeds for Type 42 with non-ASCII glyphs (pdffonts: "CID TrueType")
    assert b"/Subtype /TrueType" in pdf or b"/Subtype /CIDFontType2" in pdf
    assert b"/Type3" not in pdf
    svg = next(p for p in paths if p.suffix == ".svg").read_text(encoding="utf-8")
    assert "<text" in svg and "Specific binding" in svg


def test_y_ticks_cover_negative_values(points):
    """A curve whose bottom lies far below 0 % shows ticks there (a mislabelled TB tube)."""
    low = points.assign(response=points["response"] - 60.0)
    p = plot_curve(low, pd.Series(_fit("A", -8.0)), color=PALETTE[1])
    scale = next(s for s in p.scales if "y" in s.aesthetics)
    assert min(scale.breaks) < 0
    assert all(b % 25 == 0 for b in scale.breaks)
