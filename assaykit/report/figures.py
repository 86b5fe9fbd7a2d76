"""Common look of assaykit's figures (plotnine) and how they are saved.

Plot builders live beside their analyses (``assaykit.binding.figures``, ``assaykit.uptake.figures``),
return a ``ggplot`` and never save; :func:`save_figure` writes PNG (300 dpi), PDF and SVG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["PALETTE", "log10_molar_labels", "save_figure", "theme_assaykit"]

#: Colour-blind-safe palette (Okabe–Ito), in the order series are drawn.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
)


def theme_assaykit(base_size: float = 10) -> Any:
    """A clean, journal-style theme: white background, axis lines, no grid clutter."""
    from plotnine import (
        element_blank,
        element_line,
        element_rect,
        element_text,
        theme,
        theme_classic,
    )

    return theme_classic(base_size=base_size, base_family="DejaVu Sans") + theme(
        axis_line=element_line(color="black", size=0.6),
        axis_ticks=element_line(color="black", size=0.5),
        axis_text=element_text(color="black", size=base_size * 0.9),
        axis_title=element_text(size=base_size),
        legend_title=element_text(size=base_size * 0.9),
        legend_text=element_text(size=base_size * 0.85),
        legend_key=element_blank(),
        legend_background=element_blank(),
        strip_background=element_rect(fill="white", color="white"),
        strip_text=element_text(size=base_size, weight="bold"),
        plot_title=element_text(size=base_size * 1.1, weight="bold"),
        panel_background=element_rect(fill="white"),
        plot_background=element_rect(fill="white", color="white"),
    )


def log10_molar_labels(breaks: Any) -> list[str]:
    """Tick labels for a log10(M) axis: integers as plain numbers (``-9``), others with one decimal.

    Examples
    --------
    >>> log10_molar_labels([-10, -9.5, -9])
    ['−10', '−9.5', '−9']
    """
    out = []
    for b in breaks:
        s = f"{b:.0f}" if float(b).is_integer() else f"{b:.1f}"
        out.append(s.replace("-", "\u2212"))
    return out


def save_figure(
    plot: Any, stem: Path, *, width: float = 4.5, height: float = 3.5, dpi: int = 300
) -> list[Path]:
    """Save ``plot`` as ``stem``.png (``dpi``), .pdf and .svg; return the paths.

    The SVG and PDF carry no creation date, so the same data give the same files.
    """
    import warnings

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    stem = Path(stem)
    paths = []
    with (
        warnings.catch_warnings(),
        # TrueType (Type 42) fonts in PDF, as journals ask (no Type 3); text stays text in SVG,
        # so an editor can change a label
        matplotlib.rc_context(
            {
                "svg.hashsalt": "assaykit",
                "svg.fonttype": "none",
                "pdf.fonttype": 42,
                "ps.fonttype": 42,
            }
        ),
    ):
        warnings.simplefilter("ignore")  # plotnine's "Saving ... to file" chatter
        fig = plot.draw()
        fig.set_size_inches(width, height)
        for ext, meta in (
            (".png", None),
            (".pdf", {"CreationDate": None, "ModDate": None}),
            (".svg", {"Date": None}),
        ):
            p = stem.with_suffix(ext)
            kwargs: dict[str, Any] = {"dpi": dpi, "bbox_inches": "tight", "facecolor": "white"}
            if meta is not None:
                kwargs["metadata"] = meta
            fig.savefig(p, **kwargs)
            paths.append(p)
        plt.close(fig)
    return paths
