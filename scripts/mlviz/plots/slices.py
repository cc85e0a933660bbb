"""Where the model fails: each slice's error with its (Bonferroni-corrected) interval against the
model's overall error, the flagged slices highlighted (mlviz.compute.slices computes the table)."""
from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd

from ..compute.slices import COLUMNS
from ..errors import InputError
from .style import Style

METRIC_WORDS = {"misclassification": "misclassification rate", "mae": "mean absolute error"}
LABEL_WIDTH = 42  # characters per line of a slice's label before it wraps


def shown_slices(table: pd.DataFrame, max_slices: int) -> pd.DataFrame:
    """The slices drawn: every flagged one first, then the others by error (largest first), at most
    max_slices in all (the flagged ones are never left out)."""
    flagged = table[table["flagged"]].sort_values(["error", "slice"], ascending=[False, True], kind="mergesort")
    rest = table[~table["flagged"]].sort_values(["error", "slice"], ascending=[False, True], kind="mergesort")
    room = max(0, max_slices - len(flagged))
    return pd.concat([flagged, rest.head(room)])


def draw_slices(table: pd.DataFrame, *, style: Style, max_slices: int = 20, title: str | None = None, ax=None):
    """Horizontal intervals, one slice per line (worst flagged on top), the overall error as a dashed
    line; slices whose interval lies above it in the palette's fourth colour, the others grey. An
    empty table (no slice large enough) draws a note instead."""
    missing = [c for c in ("slice", "rows", "error", "lower", "upper", "overall_error", "flagged", "metric")
               if c not in table.columns]
    if missing:
        raise InputError(f"slice table: missing columns {missing} (expected {COLUMNS}, as mlviz.compute.slices "
                         "writes)")
    shown = shown_slices(table, max_slices)
    lines = max(len(shown), 1)
    height = min(max(2.2, 0.32 * lines * style.font_size / 10 + 1.5), 30.0)
    fig, ax = style.axes(ax, width=style.width, height=height, layout="constrained")
    if table.empty:
        ax.text(0.5, 0.5, "no slice holds enough test rows to be compared", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        if title:
            ax.set_title(title)
        return fig
    metric = str(table["metric"].iloc[0])
    overall = float(table["overall_error"].iloc[0])
    positions = np.arange(len(shown))[::-1]
    flag_colour, plain = style.colour(3), "0.55"
    # A slice of two or three rows has an interval many times the errors; the axis stops at three
    # times the largest error (or the overall one) so that the errors stay readable, and an interval
    # that runs on ends in an arrowhead at the edge.
    uppers = shown["upper"].where(np.isfinite(shown["upper"]), shown["error"])
    edge = float(min(uppers.max(), 3 * max(float(shown["error"].max()), overall)))
    edge = edge if edge > 0 else 1.0
    clipped = 0
    for y, (_, r) in zip(positions, shown.iterrows()):
        colour = flag_colour if r["flagged"] else plain
        lower = r["lower"] if np.isfinite(r["lower"]) else r["error"]
        upper = r["upper"] if np.isfinite(r["upper"]) else r["error"]
        if upper > edge:
            clipped += 1
            ax.plot([edge * 1.04], [y], marker=">", color=colour, markersize=6, clip_on=False)
        upper = min(upper, edge * 1.04)
        ax.errorbar(r["error"], y, xerr=[[max(r["error"] - lower, 0.0)], [max(upper - r["error"], 0.0)]], fmt="o",
                    color=colour, capsize=0 if upper >= edge * 1.04 else 3, markersize=5, linewidth=1.6)
    ax.axvline(overall, color="0.2", linestyle="--", linewidth=1.2)
    labels = [_label(r["slice"], int(r["rows"])) for _, r in shown.iterrows()]
    ax.set_yticks(positions, labels)
    ax.set_ylim(-0.7, len(shown) - 0.3)
    ax.set_xlim(0, edge * 1.08)
    ax.grid(axis="x", alpha=0.3)
    tried = int(table["tried"].iloc[0]) if "tried" in table.columns else len(table)
    level = float(table["level"].iloc[0]) if "level" in table.columns else np.nan
    ax.set_xlabel(f"{METRIC_WORDS.get(metric, metric)} of the slice's test rows")
    flagged = int(table["flagged"].sum())
    more = len(table) - len(shown)
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color="0.2", linestyle="--", label=f"overall: {_number(overall)}"),
               Line2D([], [], color=flag_colour, marker="o", label=f"worse than overall ({flagged})"),
               Line2D([], [], color=plain, marker="o", label="not shown to be worse")]
    if clipped:
        handles.append(Line2D([], [], color="0.4", marker=">", linestyle="none",
                              label=f"interval beyond the axis ({clipped})"))
    ax.legend(handles=handles, loc="lower right", frameon=True, fontsize=style.font_size * 0.9)
    overall_level = 1.0 - (1.0 - level) * tried  # the level the correction keeps over all slices
    note = f"{tried} slices of the test rows tried"
    if more > 0:
        note += f", {more} not drawn"
    if np.isfinite(level):
        note += f"; intervals {overall_level:.0%} over all slices (Bonferroni)"
    ax.set_title(note, fontsize=style.font_size, fontweight="normal")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=style.font_size + 2)
    return fig


def _number(x: float) -> str:
    """An error as a reader reads it: 3,147 (not 3.15e+03), 0.143."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def _label(text: str, rows: int) -> str:
    """A slice's tick label, wrapped at LABEL_WIDTH characters, its row count kept in one piece."""
    count = f"({rows} rows)"
    lines = textwrap.wrap(text, LABEL_WIDTH, break_long_words=False) or [""]
    if len(lines[-1]) + 1 + len(count) <= LABEL_WIDTH:
        lines[-1] += f" {count}"
    else:
        lines.append(count)
    return "\n".join(lines)
