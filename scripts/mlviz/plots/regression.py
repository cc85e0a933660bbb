"""Residuals of a regression model on the test split: against the predictions, and their
distribution (histogram with the normal curve of the same mean and sd, and a normal Q-Q plot)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import EngFormatter, MaxNLocator

from .style import Style


def _readable_numbers(axis) -> None:
    """Large values as 10k, 2.5M: axis labels of dollar amounts stay short and apart."""
    axis.set_major_locator(MaxNLocator(nbins=6))
    axis.set_major_formatter(EngFormatter(sep=""))


def draw_residuals(pred: pd.DataFrame, *, target: str, style: Style, title: str, ax=None):
    residuals = pred["y_true"] - pred["y_pred"]
    fig, ax = style.axes(ax)
    ax.scatter(pred["y_pred"], residuals, s=14, alpha=0.6, color=style.bar_color,
               edgecolors=style.edge_color, linewidths=0.4)
    ax.axhline(0, color="#d62728", linestyle="--", linewidth=1.2, label="zero residual")
    if np.abs(pred["y_pred"]).max() >= 1e4:
        _readable_numbers(ax.xaxis)
        _readable_numbers(ax.yaxis)
    ax.set_xlabel(f"Predicted {target}")
    ax.set_ylabel(f"Residual (true − predicted {target})")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    return fig


def draw_residual_distribution(pred: pd.DataFrame, *, target: str, style: Style, title: str, bins: int):
    """Two panels of one figure (no ax=)."""
    from scipy import stats

    residuals = (pred["y_true"] - pred["y_pred"]).to_numpy()
    fig, (hist, qq) = style.figure(ncols=2)
    counts, edges, _ = hist.hist(residuals, bins=bins, color=style.bar_color, edgecolor=style.edge_color,
                                 linewidth=0.6, alpha=0.85, label="test residuals")
    # The normal curve of the same mean and sd, scaled from density to counts per bin.
    grid = np.linspace(edges[0], edges[-1], 200)
    scale = len(residuals) * (edges[1] - edges[0])
    hist.plot(grid, scale * stats.norm.pdf(grid, residuals.mean(), residuals.std(ddof=1)), color="#d62728",
              linewidth=1.5, label="normal, same mean and sd")
    hist.axvline(0, color="#444444", linestyle="--", linewidth=0.8)
    hist.set_ylim(0, counts.max() * 1.3)  # headroom for the legend
    hist.set_xlabel(f"Residual (true − predicted {target})")
    hist.set_ylabel("Rows of the test split")
    hist.set_title("Histogram")
    hist.legend(loc="upper left", frameon=False, fontsize=style.font_size - 1)
    stats.probplot(residuals, dist="norm", plot=qq)
    qq.get_lines()[0].set(markersize=3, alpha=0.6, color=style.bar_color)
    qq.get_lines()[1].set(color="#d62728")
    qq.set_title("Normal Q-Q plot")
    qq.set_xlabel("Theoretical normal quantile")
    qq.set_ylabel("Ordered residual")
    if np.abs(residuals).max() >= 1e4:
        _readable_numbers(hist.xaxis)
        _readable_numbers(qq.yaxis)
    for ax in (hist, qq):
        ax.grid(alpha=0.3)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=style.font_size + 2)
    fig.tight_layout()
    return fig
