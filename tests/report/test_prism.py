"""Prism .pzfx: writer checked by an independent reader (pzfx_parser), the XML structure, our reader."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.errors import ParseError
from assaykit.io import read_export
from assaykit.io.prism_pzfx import read_pzfx
from assaykit.report.prism import PRISM_NAMESPACE, prism_points, pzfx_bytes
from tests.conftest import DATA
from tests.report._demo import HOSTILE, demo_result

NS = {"p": PRISM_NAMESPACE}
pzfx_parser = pytest.importorskip("pzfx_parser")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, pd.DataFrame]:
    res = demo_result()
    pts = prism_points(res.data["points"])
    # one missing replicate and one excluded value, as real data have
    pts = pts.drop(index=4).reset_index(drop=True)
    pts["excluded"] = False
    pts.loc[7, "excluded"] = True
    path = tmp_path_factory.mktemp("pzfx") / "results.pzfx"
    path.write_bytes(pzfx_bytes(pts, res.main_table, notes={"experiment_id": "BND-1"}))
    return path, pts, res.main_table


def test_independent_reader_gets_every_value(
    written: tuple[Path, pd.DataFrame, pd.DataFrame],
) -> None:
    path, pts, results = written
    tables = pzfx_parser.read_pzfx(str(path))
    assert list(tables) == [*pd.unique(pts["curve"]), "Results"]
    for curve, sub in pts.groupby("curve", sort=False):
        df = tables[curve]
        xs = sorted(sub["x"].unique())
        assert df["log[concentration, M]_0"].tolist() == xs
        y_cols = [c for c in df.columns if c.startswith(f"{curve}_")]
        assert len(y_cols) == 3  # one subcolumn per replicate
        for rep, col in zip((1, 2, 3), y_cols, strict=True):
            by_x = sub[sub["replicate"] == rep].set_index("x")
            for x, got in zip(xs, df[col], strict=True):
                if x not in by_x.index:
                    assert got is None  # the empty cell of the missing replicate
                elif bool(by_x.loc[x, "excluded"]):
                    assert math.isnan(got)  # pzfx_parser reads an excluded value as NaN
                else:
                    assert got == by_x.loc[x, "y"]  # exact: full precision written
    res = tables["Results"]
    assert list(res.index) == results["curve"].tolist()
    for col in ("log_ic50", "log_ic50_se", "hill", "ic50_M", "r_squared"):
        got = res[[c for c in res.columns if c.rsplit("_", 1)[0] == col][0]].to_numpy()
        np.testing.assert_array_equal(got, results[col].to_numpy(dtype=float))


def test_xml_structure_is_prisms(written: tuple[Path, pd.DataFrame, pd.DataFrame]) -> None:
    path, pts, _ = written
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{PRISM_NAMESPACE}}}GraphPadPrismFile"
    assert root.get("PrismXMLVersion") == "5.00"
    refs = [r.get("ID") for r in root.findall("p:TableSequence/p:Ref", NS)]
    tables = root.findall("p:Table", NS)
    assert refs == [t.get("ID") for t in tables]
    for t in tables:
        assert t.find("p:Title", NS) is not None
        for ycol in t.findall("p:YColumn", NS):
            subs = ycol.findall("p:Subcolumn", NS)
            assert int(ycol.get("Subcolumns", "0")) == len(subs)
        if t.get("TableType") == "XY":
            n_rows = len(t.findall("p:XColumn/p:Subcolumn/p:d", NS))
            subs = t.findall("p:YColumn/p:Subcolumn", NS)
            assert int(t.get("Replicates", "0")) == len(subs)
            assert {len(s.findall("p:d", NS)) for s in subs} == {n_rows}
    excluded = root.findall(".//p:d[@Excluded='1']", NS)
    assert len(excluded) == 1 and float(excluded[0].text or "") == pts.loc[7, "y"]
    notes = root.find("p:Info/p:Notes", NS)
    assert notes is not None and HOSTILE in (notes.text or "")  # text, escaped by the XML writer


def test_our_reader_round_trips(written: tuple[Path, pd.DataFrame, pd.DataFrame]) -> None:
    path, pts, _ = written
    df = read_export(path)
    assert df.attrs["format"] == "prism_pzfx" and df.attrs["kind"] == "table"
    for curve, sub in pts.groupby("curve", sort=False):
        got = df[df["table"] == curve].sort_values(["x", "subcolumn"])
        want = sub.sort_values(["x", "replicate"])
        np.testing.assert_array_equal(got["x"], want["x"])
        np.testing.assert_array_equal(got["value"], want["y"])
        np.testing.assert_array_equal(got["subcolumn"], want["replicate"])
        assert (got["flag"] == "excluded").tolist() == want["excluded"].tolist()


def test_reader_on_a_comma_decimal_file() -> None:
    df = read_export(DATA / "prism" / "handmade_comma.pzfx")
    assert df.attrs["tables"] == ["Pentixafor 2024-02-01", "Uptake day 1"]
    xy = df[df["table"] == "Pentixafor 2024-02-01"]
    got = list(xy[["x", "column", "subcolumn", "value", "flag"]].itertuples(index=False, name=None))
    assert got[:5] == [
        (-10.0, "% specific binding", 1, 98.7, ""),
        (-9.5, "% specific binding", 1, 150.2, "excluded"),
        (-9.0, "% specific binding", 1, 12.5, ""),
        (-10.0, "% specific binding", 2, 101.3, ""),
        (-9.5, "% specific binding", 2, 61.0, ""),
    ]  # the empty cell of replicate 2 at -9 gives no row
    assert got[5] == (-10.0, "Y2", 1, 1234.5, "")  # untitled column, thousands separator
    assert got[6][:3] == (-9.5, "Y2", 1) and math.isnan(got[6][3]) and got[6][4] == "text"
    col = df[df["table"] == "Uptake day 1"]
    assert col["table_type"].unique().tolist() == ["OneWay"]
    assert col["row_title"].tolist() == ["mouse 1", "mouse 2"]
    assert col["value"].tolist() == [4.25, 3.75] and col["x"].isna().all()


def test_reader_refuses_broken_files(tmp_path: Path) -> None:
    bad = tmp_path / "broken.pzfx"
    bad.write_text('<?xml version="1.0"?>\n<GraphPadPrismFile PrismXMLVersion="5.00"><Table>')
    with pytest.raises(ParseError, match="not well-formed XML") as info:
        read_pzfx(bad)
    assert "broken.pzfx" in str(info.value)
    bomb = tmp_path / "bomb.pzfx"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
        '<GraphPadPrismFile PrismXMLVersion="5.00"><Table><Title>&a;</Title></Table>'
        "</GraphPadPrismFile>"
    )
    with pytest.raises(ParseError):
        read_export(bomb)  # defusedxml refuses entity declarations


def test_writer_needs_tidy_points() -> None:
    from assaykit.errors import SchemaError

    with pytest.raises(SchemaError, match="replicate"):
        pzfx_bytes(pd.DataFrame({"curve": ["a"], "x": [1.0], "y": [2.0]}))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["A", "B;1", "Ω <&>"]),
            st.integers(-12, -4),
            st.integers(1, 4),
            st.floats(-1e6, 1e6, allow_nan=False, width=64),
        ),
        min_size=1,
        max_size=30,
        unique_by=lambda t: (t[0], t[1], t[2]),
    )
)
def test_any_points_round_trip_exactly(rows: list[tuple[str, int, int, float]]) -> None:
    import tempfile

    pts = pd.DataFrame(rows, columns=["curve", "x", "replicate", "y"]).astype({"x": float})
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "r.pzfx"
        p.write_bytes(pzfx_bytes(pts))
        back = read_pzfx(p)
    key = ["curve", "x", "replicate"]
    want = pts.sort_values(key).reset_index(drop=True)
    # subcolumn numbers are the rank of the replicate label within the curve's table
    ranks = {c: sorted(s["replicate"].unique()) for c, s in pts.groupby("curve")}
    got = back.rename(columns={"table": "curve"}).assign(
        replicate=lambda d: [
            ranks[c][j - 1] for c, j in zip(d["curve"], d["subcolumn"], strict=True)
        ]
    )
    got = got.sort_values(key).reset_index(drop=True)
    np.testing.assert_array_equal(got["x"], want["x"])
    np.testing.assert_array_equal(got["value"], want["y"])
    assert got["curve"].tolist() == want["curve"].tolist()


def test_sniffer_claims_no_instrument_export() -> None:
    from assaykit.io import READERS, known_formats
    from assaykit.io._registry import SNIFF_BYTES, FileSample
    from tests.conftest import shared_path

    root = shared_path("instrument-exports")
    known_formats()
    files = [p for p in root.rglob("*") if p.is_file()] + list((DATA / "exports").rglob("*.*"))
    assert files
    for p in files:
        sample = FileSample(p, p.read_bytes()[:SNIFF_BYTES])
        assert not READERS["prism_pzfx"].sniff(sample), p
    pz = DATA / "prism" / "handmade_comma.pzfx"
    assert READERS["prism_pzfx"].sniff(FileSample(pz, pz.read_bytes()[:SNIFF_BYTES]))
