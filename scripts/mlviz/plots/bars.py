"""Ranked horizontal bars: feature importances and linear coefficients, most important at the top,
each labelled with its value, the top k shown and the rest counted ("+ 12 more")."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..compute.importance import ordered, within_noise
from .style import Style

NOISE_COLOUR = "#b8b8b8"


def _value_format(values: np.ndarray) -> str:
    """Three significant digits for the largest bar, the same decimals for every label."""
    largest = float(np.abs(values).max()) if len(values) else 0.0
    decimals = max(0, 2 - int(np.floor(np.log10(largest)))) if largest > 0 else 3
    return f"{{:,.{decimals}f}}"


def draw_bars(table: pd.DataFrame, *, style: Style, title: str, xlabel: str, error_bars: bool = False,
              top_k: int | None = None, mark_noise: bool = False, ax=None):
    """Bars in the importance order (mlviz.compute.importance.ordered), first at the top; ±spread error
    bars; mark_noise greys the bars that cannot be told apart from zero (permutation importance).
    The y tick labels are the features in drawn order, top to bottom."""
    table = ordered(table)
    more = max(0, len(table) - top_k) if top_k else 0
    if more:
        table = table.head(top_k)
    n = len(table)
    fig, ax = style.axes(ax, height=max(style.height, 0.3 * n + 1.4))
    y = np.arange(n)[::-1]
    values = table["value"].to_numpy()
    spread = table["spread"].to_numpy() if error_bars else np.zeros(n)
    noise = within_noise(values, table["spread"].to_numpy()) if mark_noise else np.zeros(n, bool)
    colours = [NOISE_COLOUR if z else style.bar_color for z in noise]
    ax.barh(y, values, xerr=spread if error_bars else None, color=colours, edgecolor=style.edge_color,
            linewidth=1, error_kw={"ecolor": "#444444", "capsize": 3, "elinewidth": 1})
    ax.set_yticks(y, table["feature"].tolist())
    fmt = _value_format(values)
    ax.axvline(0, color="#444444", linewidth=0.8)
    ends = np.where(values >= 0, values + spread, values - spread)
    for yi, v, end in zip(y, values, ends):
        text = fmt.format(v)
        if text.lstrip("-").strip("0.,") == "":  # "-0.000" → "0.000"
            text = text.lstrip("-")
        ax.annotate(text, (end, yi), xytext=(4 if v >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize=style.font_size - 1)
    lo, hi = min(0.0, ends.min(initial=0.0)), max(0.0, ends.max(initial=0.0))
    pad = 0.18 * (hi - lo or 1.0)  # room for the value labels inside the axes
    ax.set_xlim(lo - (pad if lo < 0 else 0.0), hi + (pad if hi > 0 else 0.0))
    ax.set_ylim(-0.6, n - 0.4)
    notes = []
    if more:
        notes.append(f"+ {more} more feature{'s' if more > 1 else ''} not shown")
    if noise.any():
        notes.append("grey: within noise (mean ≤ 2 sd over the repeats), indistinguishable from zero")
    ax.set_xlabel(xlabel + ("\n" + "; ".join(notes) if notes else ""))
    ax.set_ylabel("Feature")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    return fig


def drawn_features(fig) -> list[str]:
    """The bar labels of a draw_bars figure, top to bottom."""
    ax = fig.axes[0]
    ticks = sorted(zip(ax.get_yticks(), ax.get_yticklabels()), key=lambda t: -t[0])
    return [label.get_text() for _, label in ticks]
