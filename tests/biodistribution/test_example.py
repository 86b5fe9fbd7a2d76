"""End to end from a WIZARD2 export + filled template: the bundled simulated study and check #20."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from assaykit.biodistribution import analyze_biodistribution
from assaykit.datasets import example_path
from assaykit.datasets.biodistribution.make_example import simulate, write_example
from assaykit.io import read_export
from assaykit.layout.biodistribution import biodistribution_layout, read_biodistribution_layout
from assaykit.layout.biodistribution_template import write_biodistribution_template


@pytest.fixture(scope="module")
def bundled():
    counts = read_export(
        example_path("biodistribution", "biodistribution_wizard2.csv"), duplicates="keep"
    )
    layout = read_biodistribution_layout(
        example_path("biodistribution", "biodistribution_layout.xlsx")
    )
    return counts, layout, analyze_biodistribution(counts, layout)


def test_bundled_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    csv, xlsx = write_example(tmp_path)
    assert csv.read_bytes() == example_path("biodistribution", csv.name).read_bytes()
    a = read_biodistribution_layout(xlsx)
    b = read_biodistribution_layout(example_path("biodistribution", xlsx.name))
    pd.testing.assert_frame_equal(a.tubes, b.tubes)
    pd.testing.assert_frame_equal(a.animals, b.animals)


def test_recovers_the_simulated_truth(bundled) -> None:
    _, _, res = bundled
    _, sim = simulate()
    truth = sim.settings["truth"]
    got = res.tables["biodistribution"].merge(truth, on=["animal", "organ"], suffixes=("", "_true"))
    assert len(got) == 120
    rel = got["pct_ia_per_g"] / got["pct_ia_per_g_true"] - 1
    # only Poisson noise is left: ≥ 500 net counts → ≤ 4.5 % per tube (1 SD), most far less
    assert rel.abs().median() < 0.01
    assert rel.abs().max() < 0.12
    assert got["mass_g"].to_numpy() == pytest.approx(got["mass_g_true"].to_numpy(), abs=1e-9)


def test_bundled_result_tables_qc_and_figures(bundled) -> None:
    _, _, res = bundled
    assert list(res.tables) == [
        "biodistribution",
        "summary",
        "paper",
        "dosimetry",
        "ratios",
        "ratios_per_animal",
        "statistics",
        "animals",
        "tubes",
    ]
    long = res.main_table
    assert {
        "animal",
        "group",
        "time_pi_min",
        "organ",
        "mass_g",
        "net_counts",
        "pct_ia_per_g",
        "pct_ia",
        "suv",
        "status",
        "flags",
        "message",
    } <= set(long.columns)
    assert (long.loc[long.animal == "B5", "status"] == "excluded").all()
    summary = res.tables["summary"].set_index(["group", "organ"])
    assert summary.loc[("blocked", "tumor"), "n"] == 4
    assert "B5: paravenous injection" in summary.loc[("blocked", "tumor"), "left_out"]
    # the tumour is blocked by AMD3100, significantly after Holm; muscle is not
    st = res.tables["statistics"].set_index("organ")
    assert st.loc["tumor", "significant"] and not st.loc["muscle", "significant"]
    qc = " | ".join(res.qc["where"] + ": " + res.qc["message"])
    assert "rack 2 pos 7 (C1 tumor): counted 2 times" in qc
    assert "animal B5: tail holds" in qc and "n = 4 animals (< 5)" in qc
    paper = res.tables["paper"].set_index("organ")
    assert paper.loc["tumor", "blocked, 1 h p.i."].endswith("(4)")
    assert "tumor/muscle ratio" in paper.index
    assert set(res.figures) == {"organs_pct_ia_per_g", "tumor_ratios"}
    assert res.n_statement.startswith("n = animals")
    assert any("tumor" in line and "%IA/g" in line for line in res.summary)


def test_check20_end_to_end_from_a_wizard2_export(tmp_path: Path) -> None:
    # DOMAIN #20 through the real reader and template: 1 % standard 20 000 cpm, liver 5000 cpm
    # (both counted for 60 s at the same time, I-125), 0.25 g → %ID 0.25, %ID/g 1.00
    head = (
        "Protocol ID,Protocol name,Measurement date & time,Completion status,Run ID,Rack,Det,"
        "Pos,Time,Sample code,I-125 Counts,I-125 CPM,I-125 Error %,I-125 Info"
    )
    rows = [(1, 30.0), (2, 20030.0), (3, 5030.0)]  # gross CPM; blank 30 cpm
    text = (
        head
        + "\n"
        + "\n".join(
            f"1,I-125,2026-03-10 11:00:00,0,1,1,1,{pos},60.00,,{cpm:.0f},{cpm:.2f},1.0,"
            for pos, cpm in rows
        )
    )
    csv = tmp_path / "run.csv"
    csv.write_text(text + "\n")
    lay = biodistribution_layout(
        {"isotope": "I-125", "reference_time": "2026-03-10 11:00"},
        [{"animal": "M1", "group": "g", "time_pi": 1, "time_unit": "h", "body_weight_g": 25}],
        [
            {"rack": 1, "position": 1, "role": "blank"},
            {"rack": 1, "position": 2, "role": "standard", "dilution_factor": 100},
            {
                "rack": 1,
                "position": 3,
                "role": "tissue",
                "animal": "M1",
                "organ": "liver",
                "tare_g": 1.0,
                "filled_g": 1.25,
            },
        ],
    )
    xlsx = write_biodistribution_template(tmp_path / "layout.xlsx", lay)
    res = analyze_biodistribution(read_export(csv), read_biodistribution_layout(xlsx))
    row = res.main_table.iloc[0]
    assert row["pct_ia"] == pytest.approx(0.25, rel=1e-9)
    assert row["pct_ia_per_g"] == pytest.approx(1.00, rel=1e-9)
    assert row["suv"] == pytest.approx(0.25, rel=1e-9)
    assert row["net_counts"] == pytest.approx(5000.0)
