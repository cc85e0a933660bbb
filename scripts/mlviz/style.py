"""The one place figures get their look: size, dpi, fonts and palette from config, and a save
that embeds provenance in the PNG's text chunks (no timestamp, so identical inputs give
identical bytes). Every draw rule lists this module as an input, so editing it redraws all
figures and recomputes nothing."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from .runtime import provenance  # noqa: E402

DEFAULTS = {
    "dpi": 150,
    "width": 8.0,
    "height": 5.0,
    "font_size": 10,
    "palette": ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"],
    "cmap": "viridis",
    "bar_color": "#2a7ab0",
    "edge_color": "#1b4f72",
}


def resolve(style: dict | None, overrides: dict | None = None) -> dict:
    """Defaults ← config `style:` ← the figure's own settings."""
    return {**DEFAULTS, **(style or {}), **{k: v for k, v in (overrides or {}).items() if k in DEFAULTS}}


def apply(style: dict) -> None:
    plt.rcdefaults()
    plt.rcParams.update({
        "figure.dpi": style["dpi"],
        "savefig.dpi": style["dpi"],
        "font.size": style["font_size"],
        "axes.titlesize": style["font_size"] + 2,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.labelsize": style["font_size"],
        "axes.prop_cycle": plt.cycler(color=style["palette"]),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "image.cmap": style["cmap"],
        "svg.hashsalt": "mlviz",
    })


def figure(style: dict, width: float | None = None, height: float | None = None, **kwargs):
    apply(style)
    return plt.subplots(figsize=(width or style["width"], height or style["height"]), **kwargs)


def save(fig, path: str | Path, config: dict, style: dict) -> None:
    """Write a PNG with its provenance; bbox 'tight' so no label is cut off."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=style["dpi"], bbox_inches="tight", pad_inches=0.15,
                metadata={"Software": None, **provenance(config)})
    plt.close(fig)

