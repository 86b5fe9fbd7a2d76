"""Purity: DOMAIN checks #22 and §8.5, simulated traces with known Gaussian areas, bad traces."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import ParseError, SchemaError
from assaykit.io.chromatogram import read_chromatogram, read_rois
from assaykit.radiochem.itlc import analyze_cut_and_count
from assaykit.radiochem.purity import analyze_purity, combined_rcp, rcp_verdict

# Peak counts are large enough that the Poisson SE of the smallest area is <= 0.3 %, so "within
# 1 %" tests the baseline and the region bounds, not the luck of the noise.
TLC = {
    "x": np.arange(0, 100.01, 0.5),
    "peaks": [(10, 2.0, 8000), (60, 2.5, 40000), (82, 2.0, 6000)],
}
HPLC = {
    "x": np.arange(0, 15, 0.01),
    "peaks": [(2.1, 0.05, 6000), (7.3, 0.08, 30000), (9.0, 0.07, 5000)],
}


def simulate(spec: dict, seed: int, drift: tuple[float, float]) -> tuple[pd.DataFrame, list[float]]:
    """Gaussian peaks on a linear drift with Poisson noise; true areas h·σ·√(2π)."""
    rng = np.random.default_rng(seed)
    x = spec["x"]
    mu = drift[0] + drift[1] * x
    for c, s, h in spec["peaks"]:
        mu = mu + h * np.exp(-0.5 * ((x - c) / s) ** 2)
    y = rng.poisson(mu).astype(float)
    return pd.DataFrame({"x": x, "counts": y}), [
        h * s * math.sqrt(2 * math.pi) for _, s, h in spec["peaks"]
    ]


def tlc_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.rename(columns={"x": "position_mm"})
    out.attrs["kind"] = "tlc"
    return out


def hplc_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.rename(columns={"x": "time_min"})
    out.attrs["kind"] = "hplc"
    return out


def test_domain_check_22_pass_and_fail():
    assert rcp_verdict(9600, 10000) == (96.0, "pass")
    assert rcp_verdict(9400, 10000) == (94.0, "fail")
    assert rcp_verdict(9400, 10000, threshold_pct=90) == (94.0, "pass")


def test_rcp_from_rois_on_flat_trace_is_check_22():
    # two rectangular blocks on a zero baseline: areas 400 and 9600 counts·mm
    x = np.arange(0.0, 100.5, 1.0)
    y = np.zeros_like(x)
    y[(x >= 10) & (x <= 13)] = 100.0  # trapezoid: 3·100 + 2·(100/2) = 400
    y[(x >= 50) & (x <= 73)] = 400.0  # 23·400 + 2·(400/2) = 9600
    rois = pd.DataFrame({"name": ["free", "product"], "start": [8.0, 48.0], "end": [16.0, 76.0]})
    res = analyze_purity(
        {"s": tlc_frame(pd.DataFrame({"x": x, "counts": y}))},
        rois,
        product="product",
        baseline="none",
    )
    row = res.main_table.iloc[0]
    assert row["rcp_pct"] == pytest.approx(96.0)
    assert row["verdict"] == "pass"


def test_combined_tlc_hplc():
    assert combined_rcp(2.0, 97.0) == pytest.approx(95.06)
    assert combined_rcp(0.0, 100.0) == 100.0


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    "spec,frame,drift", [(TLC, tlc_frame, (200, 2.0)), (HPLC, hplc_frame, (150, 15.0))]
)
def test_simulated_areas_within_1pct_and_rcp_within_half_point(seed, spec, frame, drift):
    df, true = simulate(spec, seed, drift)
    res = analyze_purity({"t": frame(df)})
    reg = res.tables["regions"]
    assert len(reg) == 3
    step = float(np.median(np.diff(spec["x"])))
    for counts, t in zip(reg["net_counts"], true, strict=True):  # net counts · step = area
        assert counts * step == pytest.approx(t, rel=0.01)
    true_rcp = 100 * true[1] / sum(true)
    assert res.main_table.loc[0, "rcp_pct"] == pytest.approx(true_rcp, abs=0.5)
    assert res.main_table.loc[0, "product"] == "peak 2"
    # the Poisson CI covers the truth in these seeds
    row = res.main_table.iloc[0]
    assert row["rcp_pct_ci_low"] - 0.5 < true_rcp < row["rcp_pct_ci_high"] + 0.5


def test_rf_from_given_origin_and_front():
    df, _ = simulate(TLC, 1, (40, 0.4))
    res = analyze_purity({"t": tlc_frame(df)}, origin_mm=10.0, front_mm=90.0)
    rf = res.tables["regions"]["rf"].to_numpy()
    assert rf == pytest.approx([0.0, 50 / 80, 72 / 80], abs=0.01)


def test_overlapping_peaks_are_reported():
    spec = {"x": np.arange(0, 15, 0.01), "peaks": [(7.0, 0.12, 5000), (7.35, 0.12, 2500)]}
    df, _ = simulate(spec, 3, (20, 1.0))
    res = analyze_purity({"o": hplc_frame(df)})
    assert "overlapping_peaks" in res.main_table.loc[0, "flags"]
    assert res.qc["message"].str.contains("overlapping peaks").any()
    # well separated peaks are not
    df, _ = simulate(HPLC, 3, (20, 1.0))
    res = analyze_purity({"s": hplc_frame(df)})
    assert "overlapping" not in res.main_table.loc[0, "flags"]
    assert not res.qc["message"].str.contains("overlapping").any()


def test_roi_cutting_a_peak_is_reported():
    df, _ = simulate(TLC, 0, (40, 0.4))
    rois = pd.DataFrame(
        {"name": ["free", "product", "other"], "start": [0, 58.0, 75], "end": [20, 70, 90]}
    )
    res = analyze_purity({"t": tlc_frame(df)}, rois, product="product")
    assert "roi_cuts_peak" in res.main_table.loc[0, "flags"]


def test_unknown_product_is_a_schema_error():
    df, _ = simulate(TLC, 0, (40, 0.4))
    with pytest.raises(SchemaError, match="no region named 'x'"):
        analyze_purity({"t": tlc_frame(df)}, product="x")


def test_cut_and_count_domain_85():
    t = pd.DataFrame(
        {
            "preparation": ["a", "a"],
            "strip": [1, 2],
            "top_cpm": [500.0, 9900.0],
            "bottom_cpm": [9500.0, 100.0],
        }
    )
    r = analyze_cut_and_count(t).main_table.iloc[0]
    assert r["pct_free"] == pytest.approx(5.0)
    assert r["pct_hydrolysed"] == pytest.approx(1.0)
    assert r["pct_bound"] == pytest.approx(94.0)
    assert r["verdict"] == "fail"


# ----------------------------------------------------------------------------- readers


def _write(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_reader_tlc_hplc_and_decimal_comma(tmp_path):
    tr = read_chromatogram(_write(tmp_path, "Time (s);Counts;UV\n0;1,5;0\n30;2;1\n60;3;2\n"))
    assert tr.attrs["kind"] == "hplc"
    assert tr["time_min"].tolist() == [0.0, 0.5, 1.0]
    assert tr["counts"].tolist() == [1.5, 2.0, 3.0]
    assert "uv" in tr.columns


def test_reader_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Position (mm)", "Counts"])
    for i in range(5):
        ws.append([i * 0.5, 10 + i])
    wb.save(tmp_path / "s.xlsx")
    tr = read_chromatogram(tmp_path / "s.xlsx")
    assert tr.attrs["kind"] == "tlc" and len(tr) == 5


@pytest.mark.parametrize(
    "text,pattern",
    [
        ("Position (mm),Counts\n0,1\n2,1\n1,1\n3,1\n", r"line 4: .*must increase"),
        ("Position (mm),Counts\n0,1\n1,-4\n2,1\n3,1\n", r"line 3: negative counts"),
        ("Position (mm),Counts\n0,1\n1,abc\n2,1\n3,1\n", r"line 3: counts 'abc' is not a number"),
        ("Position (mm),Counts\n", r"no data lines|not a trace"),
    ],
)
def test_bad_traces_one_line_errors(tmp_path, text, pattern):
    with pytest.raises(ParseError, match=pattern) as exc:
        read_chromatogram(_write(tmp_path, text), kind="tlc")
    assert "\n" not in str(exc.value)
    assert "t.csv" in str(exc.value)


def test_reader_refuses_unknown_axis(tmp_path):
    with pytest.raises(ParseError, match="cannot tell"):
        read_chromatogram(_write(tmp_path, "a,b\n0,1\n1,2\n2,3\n"))


def test_roi_table(tmp_path):
    p = _write(
        tmp_path, "Region\tStart\tEnd\tCounts\norigin\t0\t15\t400\nproduct\t50\t80\t9600\n", "r.tsv"
    )
    r = read_rois(p)
    assert r["name"].tolist() == ["origin", "product"]
    assert r["counts"].sum() == 10000
    bad = _write(tmp_path, "Region,Start,End\nx,5,2\n", "b.csv")
    with pytest.raises(ParseError, match="line 2: ROI 'x': end must be after start"):
        read_rois(bad)


# ----------------------------------------------------------------------------- invariants

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(
    scale=st.floats(0.01, 1000.0),
    shift=st.floats(-30.0, 30.0),
    heights=st.lists(st.floats(500.0, 50000.0), min_size=3, max_size=3),
)
def test_rcp_invariant_to_count_scale_and_axis_shift(scale, shift, heights):
    """Noise-free Gaussians on a flat zero baseline: region % sum to 100, are unchanged when all
    counts are scaled or the axis is shifted, and equal the true area fractions."""
    x = np.arange(0, 100.01, 0.25)
    centres, sigma = (15.0, 50.0, 80.0), 2.0
    y = sum(
        h * np.exp(-0.5 * ((x - c) / sigma) ** 2) for c, h in zip(centres, heights, strict=True)
    )
    res = analyze_purity({"t": tlc_frame(pd.DataFrame({"x": x, "counts": y}))}, baseline="none")
    pct = res.tables["regions"]["region_pct"].to_numpy()
    assert pct.sum() == pytest.approx(100.0)
    assert pct == pytest.approx(100 * np.array(heights) / sum(heights), abs=1e-3)
    res2 = analyze_purity(
        {"t": tlc_frame(pd.DataFrame({"x": x + shift, "counts": y * scale}))}, baseline="none"
    )
    assert res2.tables["regions"]["region_pct"].to_numpy() == pytest.approx(pct, abs=1e-6)


def test_xlsx_trace_errors_name_the_cell(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Scan"
    ws.append(["Position (mm)", "Counts"])
    for i, c in enumerate([1, 2, "n/a", 4]):
        ws.append([i, c])
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(ParseError, match=r"Scan!B4.*'n/a' is not a number"):
        read_chromatogram(tmp_path / "s.xlsx")


@pytest.mark.parametrize("seed", range(10))
def test_broad_tall_peak_is_one_region(seed):
    """Poisson noise on the top of a tall peak (σ = 30 points) does not split it (it did before
    the local-noise test: 4 of 20 seeds)."""
    spec = {"x": np.arange(0, 100, 0.01), "peaks": [(50.0, 0.3, 30000)]}
    df, true = simulate(spec, seed, (50, 0.0))
    res = analyze_purity({"t": hplc_frame(df)})
    reg = res.tables["regions"]
    assert len(reg) == 1
    assert reg["net_counts"].iloc[0] * 0.01 == pytest.approx(true[0], rel=0.01)


@pytest.mark.slow
@pytest.mark.parametrize(
    "spec,frame,drift", [(TLC, tlc_frame, (200, 2.0)), (HPLC, hplc_frame, (150, 15.0))]
)
def test_rcp_ci_coverage(spec, frame, drift):
    """The Poisson 95 % CI of RCP covers the true value in 90-99 % of 150 simulated traces
    (measured: 94 % TLC, 97 % HPLC; the SE ignores the baseline's own uncertainty)."""
    hits = 0
    for seed in range(100, 250):
        df, true = simulate(spec, seed, drift)
        r = analyze_purity({"t": frame(df)}).main_table.iloc[0]
        truth = 100 * true[1] / sum(true)
        hits += r["rcp_pct_ci_low"] <= truth <= r["rcp_pct_ci_high"]
    assert 0.90 <= hits / 150 <= 0.99


def test_scanner_roi_counts_reported_beside_ours(tmp_path):
    df, true = simulate(TLC, 2, (200, 2.0))
    rois = pd.DataFrame(
        {
            "name": ["a", "b", "c"],
            "start": [0.0, 45, 72],
            "end": [22.0, 72, 92],
            "counts": [1.0, 8.0, 1.0],
        }
    )
    reg = analyze_purity({"t": tlc_frame(df)}, rois, product=60.0).tables["regions"]
    assert reg["scanner_pct"].tolist() == pytest.approx([10.0, 80.0, 10.0])
    assert reg.loc[reg["is_product"], "region"].item() == "b"


def test_flat_trace_gets_a_status_not_a_number():
    rng = np.random.default_rng(5)
    x = np.arange(0, 100.01, 0.5)
    df = pd.DataFrame({"x": x, "counts": rng.poisson(50, x.size).astype(float)})
    res = analyze_purity({"flat": tlc_frame(df)})
    row = res.main_table.iloc[0]
    assert row["status"] == "no_peaks" and math.isnan(row["rcp_pct"]) and row["verdict"] == ""
    assert res.figures == {}
