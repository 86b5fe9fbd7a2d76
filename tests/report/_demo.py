"""A demo-like AssayResult for the report tests: two fitted curves, one with a hostile name."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from assaykit.result import AssayResult, Figure, qc_row, qc_table

HOSTILE = "<script>alert(1)</script>"


def demo_points(seed: int = 20261205) -> pd.DataFrame:
    """Tidy points (curve, conc, response, replicate) of two 4PL curves, 3 replicates each."""
    rng = np.random.default_rng(seed)
    rows = []
    for curve, log_ic50 in (("AMD3100", -6.5), (HOSTILE, -8.2)):
        for lx in np.arange(-11.0, -4.5, 0.75):
            mean = 100.0 / (1.0 + 10.0 ** (lx - log_ic50))
            for rep in (1, 2, 3):
                rows.append(
                    {
                        "curve": curve,
                        "conc": 10.0**lx,
                        "response": mean + rng.normal(0.0, 3.0),
                        "replicate": rep,
                    }
                )
    return pd.DataFrame(rows)


def demo_result() -> AssayResult:
    """Fit the demo points with assaykit's 4PL and wrap everything in an AssayResult."""
    from plotnine import aes, geom_point, ggplot, labs, scale_x_log10

    from assaykit.binding import fit_curves
    from assaykit.report.figures import theme_assaykit

    pts = demo_points()
    fits = fit_curves(pts, fix={"top": 100.0, "bottom": 0.0})
    fits = fits.rename(columns={"ic50": "ic50_M", "ic50_ci_low": "ic50_ci_low_M"})
    figs = {}
    for i, curve in enumerate(pts["curve"].unique()):
        sub = pts[pts["curve"] == curve]
        plot = (
            ggplot(sub, aes("conc", "response"))
            + geom_point()
            + scale_x_log10()
            + labs(x="concentration (M)", y="specific binding (%)", title=str(curve))
            + theme_assaykit()
        )
        figs[f"curve_{i}"] = Figure(plot, 4.0, 3.0, caption=f"{curve}: n = 3 tubes per point")
    qc = qc_table(
        [
            qc_row("warning", "tube 1/3", "counted twice; the second count was kept"),
            qc_row("info", HOSTILE, "name kept as written"),
        ]
    )
    return AssayResult(
        assay="binding",
        tables={"results": fits, "points": pts},
        figures=figs,
        settings={"model": "4pl", "weighting": "none", "ci": "wald"},
        qc=qc,
        summary=["AMD3100: IC50 ~ 316 nM", f"{HOSTILE}: IC50 ~ 6.3 nM"],
        n_statement="n = 3 tubes per concentration in one experiment",
        data={"points": pts},
    )


def demo_provenance() -> dict[str, object]:
    return {
        "command": "assaykit binding fit counts.csv --layout layout.xlsx",
        "inputs": {
            "input": {"name": "counts.csv", "bytes": 7660, "sha256": "ab" * 32},
            "layout": {"name": "layout.xlsx", "bytes": 16664, "sha256": "cd" * 32},
        },
        "options": {
            "model": "4pl",
            "ci": "wald",
            "experiment.experiment_id": "BND-TEST-001",
            "experiment.operator": "A. Tester",
            "experiment.notes": HOSTILE,
        },
        "versions": {"assaykit": "0.1.0", "python": "3.11.7", "scipy": "1.17.1"},
    }


def figure_pngs(result: AssayResult, dpi: int = 72) -> dict[str, bytes]:
    """Render each figure to PNG bytes (what the workflow layer hands the report)."""
    out = {}
    for stem, fig in result.figures.items():
        buf = io.BytesIO()
        fig.plot.save(buf, format="png", width=fig.width, height=fig.height, dpi=dpi, verbose=False)
        out[stem] = buf.getvalue()
    return out
