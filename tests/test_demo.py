"""``assaykit demo`` runs both analyses on the bundled examples and recovers the simulated truth."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from assaykit.cli import main
from assaykit.datasets.binding import make_example


@pytest.mark.slow
def test_demo_runs_end_to_end(tmp_path, capsys) -> None:
    out = tmp_path / "demo"
    with pytest.raises(SystemExit) as exc:
        main(["demo", "-o", str(out)])
    assert exc.value.code == 0
    printed = capsys.readouterr().out
    assert "IC50" in printed and "internalised" in printed

    results = pd.read_csv(out / "binding" / "results.csv")
    assert set(results["status"]) == {"ok"}
    for row in results.itertuples(index=False):
        true_ic50 = make_example.TRUE_IC50[row.curve]
        assert row.ic50_ci_low <= true_ic50 <= row.ic50_ci_high, row.curve
    for folder in ("binding", "uptake"):
        prov = json.loads((out / folder / "provenance.json").read_text())
        assert prov["inputs"]
        pngs = sorted((out / folder).glob("*.png"))
        assert pngs and all(
            p.with_suffix(".pdf").exists() and p.with_suffix(".svg").exists() for p in pngs
        )

    # a second run refuses to overwrite, and leaves the results alone
    before = (out / "binding" / "results.csv").read_bytes()
    with pytest.raises(SystemExit) as exc:
        main(["demo", "-o", str(out)])
    assert exc.value.code == 1
    assert "--force" in capsys.readouterr().err
    assert (out / "binding" / "results.csv").read_bytes() == before
