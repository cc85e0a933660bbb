"""Precision, recall and F1 against the decision threshold (mlviz.compute.threshold's table and summary)."""
from __future__ import annotations

import pandas as pd

from ..errors import InputError
from .style import Style, legend_below
from ..compute.threshold import COLUMNS


def draw_threshold(table: pd.DataFrame, summary: dict, *, style: Style, ax=None, title: str | None = None):
    """Precision, recall and F1 of the positive class against the threshold on its probability, with
    vertical markers at the default 0.5 and at the F1-best threshold, their values in the legend
    (below the axes, so that it hides no curve)."""
    missing = [c for c in COLUMNS if c not in table.columns]
    needed = ["best_f1_threshold", "precision_at_best", "recall_at_best", "f1_at_best", "default_threshold",
              "precision_at_default", "recall_at_default", "f1_at_default"]
    absent = [k for k in needed if k not in summary]
    if missing or table.empty or absent:
        raise InputError(f"threshold table/summary: missing columns {missing} or keys {absent} (expected "
                         "mlviz.compute.threshold's threshold_table and threshold_summary)")
    fig, ax = style.axes(ax, width=min(style.width, 6.7), height=style.height + 0.6, layout="constrained")
    t = table.sort_values("threshold")
    # Steps: each value holds from its threshold up to the next distinct probability.
    for i, (col, name) in enumerate([("precision", "precision"), ("recall", "recall"), ("f1", "F1")]):
        ax.plot(t["threshold"], t[col], drawstyle="steps-post", color=style.colour(i), linewidth=1.6, label=name)
    d, b = summary["default_threshold"], summary["best_f1_threshold"]
    ax.axvline(d, color="0.3", linestyle="--", linewidth=1.2,
               label=(f"default {d:g}: precision {summary['precision_at_default']:.3f}, "
                      f"recall {summary['recall_at_default']:.3f}, F1 {summary['f1_at_default']:.3f}"))
    ax.axvline(b, color="black", linestyle=":", linewidth=1.6,
               label=(f"best F1 at {b:.3f}: precision {summary['precision_at_best']:.3f}, "
                      f"recall {summary['recall_at_best']:.3f}, F1 {summary['f1_at_best']:.3f}"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("threshold on the predicted probability of the positive class")
    ax.set_ylabel("score")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    legend_below(ax, widen=False)  # under the axes label: measured, so it never overlaps it
    return fig
