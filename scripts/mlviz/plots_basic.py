"""Draw the basic figures from computed artifacts: decision tree, importance bars, linear-model
coefficients and residuals, confusion matrix, ROC and precision-recall curves.

Each function takes plain tables/arrays plus the resolved style and returns the Matplotlib figure
(not yet saved), so that tests can read what was drawn — bar order, legend text — before saving.
"""
from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from . import style as mstyle
from .errors import InputError
from .importance import ordered

log = logging.getLogger("mlviz")

# Display numbers must equal the metrics table; anything beyond float noise means the two disagree.
_TOLERANCE = 1e-9


# --- decision tree ---------------------------------------------------------------------------

def overlapping_boxes(fig, artists) -> list[tuple[int, int]]:
    """Pairs of node boxes (plot_tree's annotations) whose drawn boxes intersect."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = []
    for a in artists:
        patch = a.get_bbox_patch()
        boxes.append((patch or a).get_window_extent(renderer))
    pairs = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            if boxes[i].overlaps(boxes[j]):
                pairs.append((i, j))
    return pairs


_VALUE_LINE = re.compile(r"^(value = )?\[([^\]]*)\]$")


def wrap_condition(line: str, width: int = 16) -> str:
    """Split a long split condition ("work_industry_Health Care <= 0.5") in two at the underscore
    or space that makes the longer half shortest; short lines stay as they are."""
    if len(line) <= width:
        return line
    cuts = [i + 1 for i, c in enumerate(line) if c == "_"] + [i for i, c in enumerate(line) if c == " "]
    cuts = [i for i in cuts if 0 < i < len(line)]
    if not cuts:
        return line
    best = min(cuts, key=lambda i: max(len(line[:i].rstrip()), len(line[i:].lstrip())))
    return line[:best].rstrip() + "\n" + line[best:].lstrip()


def compact_values(nodes, classes: list[str]) -> None:
    """Rewrite each box's class-count line, e.g. "value = [687, 3881, 77]", as whole percentages
    "15/84/2" (the root names the classes once: "% Admit/Deny/Waitlist = 15/84/2"). plot_tree has no such option, and the
    bracketed list is what makes a depth-4 tree too wide to read at report width. Long split
    conditions are wrapped onto two lines for the same reason."""
    for node in nodes:
        lines = node.get_text().split("\n")
        for i, line in enumerate(lines):
            if i == 0 and " <= " in line:
                lines[i] = wrap_condition(line)
                continue
            match = _VALUE_LINE.match(line)
            if not match:
                continue
            values = np.array([float(v) for v in match.group(2).split(",")])
            shares = "/".join(f"{v:.0f}" for v in 100 * values / (values.sum() or 1.0))
            # The root spells out the format once; the other boxes give the numbers only.
            lines[i] = f"% {'/'.join(classes)} = {shares}" if match.group(1) else shares
        node.set_text("\n".join(lines))


def draw_tree(estimator, features: list[str], classes: list[str] | None, style: dict,
              settings: dict, title: str):
    """scikit-learn's plot_tree, filled, with feature and class names. If the configured font
    makes boxes overlap, a smaller one is used, with a warning in the rule's log."""
    from sklearn.tree import plot_tree

    def draw(fontsize):
        fig, ax = mstyle.figure(style)
        nodes = plot_tree(estimator, max_depth=settings["max_depth"], feature_names=list(features),
                          class_names=list(classes) if classes else None, label=settings["label"],
                          filled=True, impurity=settings["impurity"], proportion=settings["proportion"],
                          rounded=True, precision=settings["precision"], ax=ax, fontsize=fontsize)
        if settings["compact"] and classes:
            compact_values(nodes, classes)
        ax.set_title(title)
        return fig, nodes

    # Largest whole font size from the configured one down that leaves every box apart; below
    # 5 pt, plot_tree's own fitting.
    wanted = int(round(style["font_size"]))  # plot_tree takes whole points only
    for fontsize in [*range(wanted, 4, -1), None]:
        fig, nodes = draw(fontsize)
        clashes = overlapping_boxes(fig, nodes) if fontsize is not None else []
        if not clashes:
            break
        mstyle.plt.close(fig)
    if fontsize != wanted:
        log.warning("tree: node boxes overlap at font size %s on a %.1f x %.1f in canvas; drawn at %s "
                    "(raise figures.tree.width or shorten the boxes to keep the configured size)",
                    wanted, style["width"], style["height"], fontsize or "plot_tree's fitted size")
    return fig


# --- importance bars -------------------------------------------------------------------------

def draw_bars(table: pd.DataFrame, style: dict, title: str, xlabel: str, error_bars: bool,
              top_k: int | None = None):
    """Horizontal bars in the table's order (descending |value|, first at the top), each labelled
    with its value; optional ±spread error bars. Returns the figure; the y tick labels are the
    features in drawn order, top to bottom."""
    table = ordered(table)
    if top_k:
        table = table.head(top_k)
    n = len(table)
    height = max(style["height"], 0.3 * n + 1.2)
    fig, ax = mstyle.figure(style, height=height)
    y = np.arange(n)[::-1]  # first row at the top
    values = table["value"].to_numpy()
    spread = table["spread"].to_numpy() if error_bars else np.zeros(n)
    ax.barh(y, values, xerr=spread if error_bars else None, color=style["bar_color"],
            edgecolor=style["edge_color"], linewidth=1,
            error_kw={"ecolor": "#444444", "capsize": 3, "elinewidth": 1})
    ax.set_yticks(y, table["feature"].tolist())
    # Three significant digits for the largest bar, the same decimals for every label.
    largest = float(np.abs(values).max()) if n else 0.0
    decimals = max(0, 2 - int(np.floor(np.log10(largest)))) if largest > 0 else 3
    fmt = f"{{:,.{decimals}f}}"
    ax.axvline(0, color="#444444", linewidth=0.8)
    # Labels sit beyond the bar end (and its error bar), on the side the bar points to.
    ends = np.where(values >= 0, values + spread, values - spread)
    for yi, v, end in zip(y, values, ends):
        text = fmt.format(v)
        if text.lstrip("-").strip("0.,") == "":  # "-0.000" → "0.000"
            text = text.lstrip("-")
        ax.annotate(text, (end, yi), xytext=(4 if v >= 0 else -4, 0), textcoords="offset points",
                    ha="left" if v >= 0 else "right", va="center", fontsize=style["font_size"] - 1)
    lo, hi = min(0.0, ends.min()), max(0.0, ends.max())
    pad = 0.18 * (hi - lo or 1.0)  # room for the value labels inside the axes
    ax.set_xlim(lo - (pad if lo < 0 else 0.0), hi + (pad if hi > 0 else 0.0))
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(xlabel)
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


# --- linear regression -----------------------------------------------------------------------

def draw_residuals(pred: pd.DataFrame, target: str, style: dict, title: str):
    residuals = pred["y_true"] - pred["y_pred"]
    fig, ax = mstyle.figure(style)
    ax.scatter(pred["y_pred"], residuals, s=14, alpha=0.6, color=style["bar_color"],
               edgecolors=style["edge_color"], linewidths=0.4)
    ax.axhline(0, color="#d62728", linestyle="--", linewidth=1.2, label="zero residual")
    ax.set_xlabel(f"Predicted {target}")
    ax.set_ylabel(f"Residual (true − predicted {target})")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    ax.grid(alpha=0.3)
    return fig


def draw_residual_distribution(pred: pd.DataFrame, target: str, style: dict, title: str, bins: int):
    """Histogram with the normal density of the same mean and sd, beside a normal Q-Q plot."""
    from scipy import stats

    residuals = (pred["y_true"] - pred["y_pred"]).to_numpy()
    fig, (hist, qq) = mstyle.figure(style, ncols=2)
    counts, edges, _ = hist.hist(residuals, bins=bins, color=style["bar_color"], edgecolor=style["edge_color"],
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
    hist.legend(loc="upper left", frameon=False, fontsize=style["font_size"] - 1)
    stats.probplot(residuals, dist="norm", plot=qq)
    qq.get_lines()[0].set(markersize=3, alpha=0.6, color=style["bar_color"])
    qq.get_lines()[1].set(color="#d62728")
    qq.set_title("Normal Q-Q plot")
    qq.set_xlabel("Theoretical normal quantile")
    qq.set_ylabel("Ordered residual")
    for ax in (hist, qq):
        ax.grid(alpha=0.3)
    fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=style["font_size"] + 2)
    fig.tight_layout()
    return fig


# --- classification performance --------------------------------------------------------------

def _metric(metrics: pd.DataFrame, name: str) -> float:
    rows = metrics.loc[metrics["metric"] == name, "value"]
    if len(rows) != 1:
        raise InputError(f"metrics table: expected one {name!r} row, found {len(rows)}")
    return float(rows.iloc[0])


def _check(shown: float, expected: float, what: str) -> None:
    if abs(shown - expected) > _TOLERANCE:
        raise InputError(f"{what}: the predictions give {shown!r} but the metrics table has {expected!r} "
                         "(expected the same number; rerun evaluate)")


def _proba(pred: pd.DataFrame, cls: str) -> np.ndarray:
    return pred[f"proba_{cls}"].to_numpy()


def _curve_figure(style: dict):
    """Square axes (the Displays fix the aspect) with room below for the legend."""
    side = min(style["width"], style["height"])
    return mstyle.figure(style, width=side, height=side + 1.2, layout="constrained")


def _legend_below(fig, ax) -> None:
    """Below the plot, so that no curve is hidden whatever its shape."""
    if ax.get_legend() is not None:  # the one a Display drew inside the axes
        ax.get_legend().remove()
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", frameon=False)


def draw_confusion_matrix(pred: pd.DataFrame, classes: list[str], style: dict, title: str,
                          normalize: str | None):
    from sklearn.metrics import ConfusionMatrixDisplay

    side = min(style["width"], style["height"] * 1.25)
    fig, ax = mstyle.figure(style, width=side, height=style["height"])
    ConfusionMatrixDisplay.from_predictions(
        pred["y_true"], pred["y_pred"], labels=list(range(len(classes))), display_labels=classes,
        normalize=normalize, values_format=".2f" if normalize else "d", cmap=style["cmap"], ax=ax)
    ax.grid(False)
    ax.set_xlabel("Predicted class")
    ax.set_ylabel("True class")
    ax.set_title(title)
    return fig


def draw_roc(pred: pd.DataFrame, classes: list[str], metrics: pd.DataFrame, style: dict, title: str,
             name: str):
    """Binary: one ROC curve of the positive (second) class. More classes: one-vs-rest curves,
    with the macro average (the metrics table's roc_auc) in the title. AUCs from the metrics
    table, checked against what the Display computed from the same predictions."""
    from sklearn.metrics import RocCurveDisplay

    fig, ax = _curve_figure(style)
    y = pred["y_true"].to_numpy()
    roc_auc = _metric(metrics, "roc_auc")
    if len(classes) == 2:
        disp = RocCurveDisplay.from_predictions(y, _proba(pred, classes[1]), pos_label=1, name=name, ax=ax,
                                                plot_chance_level=True)
        _check(disp.roc_auc, roc_auc, f"ROC AUC of {name}")
        disp.line_.set_label(f"{name} (AUC = {roc_auc:.3f})")
        subtitle = f"test split; positive class: {classes[1]}"
    else:
        aucs = []
        for k, cls in enumerate(classes):
            disp = RocCurveDisplay.from_predictions(y == k, _proba(pred, cls), pos_label=True,
                                                    name=f"{cls} vs rest", ax=ax,
                                                    plot_chance_level=k == len(classes) - 1)
            disp.line_.set_label(f"{cls} vs rest (AUC = {disp.roc_auc:.3f})")
            aucs.append(disp.roc_auc)
        _check(float(np.mean(aucs)), roc_auc, f"macro one-vs-rest ROC AUC of {name}")
        subtitle = f"test split, one-vs-rest; macro-average AUC = {roc_auc:.3f}"
    _legend_below(fig, ax)
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate (recall)")
    ax.set_title(f"{title}\n{subtitle}")
    ax.grid(alpha=0.3)
    return fig


def draw_pr(pred: pd.DataFrame, classes: list[str], metrics: pd.DataFrame, style: dict, title: str,
            name: str):
    """Binary: the PR curve with average precision as the headline number and, labelled as such,
    the trapezoid area the tutorial reports (optimistic: it interpolates linearly between
    points). More classes: one-vs-rest curves, macro AP in the title."""
    from sklearn.metrics import PrecisionRecallDisplay

    fig, ax = _curve_figure(style)
    y = pred["y_true"].to_numpy()
    ap = _metric(metrics, "average_precision")
    if len(classes) == 2:
        disp = PrecisionRecallDisplay.from_predictions(y, _proba(pred, classes[1]), pos_label=1, name=name,
                                                       ax=ax, plot_chance_level=True)
        _check(disp.average_precision, ap, f"average precision of {name}")
        trapezoid = _metric(metrics, "pr_auc_trapezoid")
        disp.line_.set_label(f"{name} (average precision = {ap:.3f}; trapezoid area = {trapezoid:.3f})")
        subtitle = f"test split; positive class: {classes[1]}"
    else:
        aps = []
        for k, cls in enumerate(classes):
            disp = PrecisionRecallDisplay.from_predictions(y == k, _proba(pred, cls), pos_label=True,
                                                           name=f"{cls} vs rest", ax=ax)
            disp.line_.set_label(f"{cls} vs rest (AP = {disp.average_precision:.3f})")
            aps.append(disp.average_precision)
        _check(float(np.mean(aps)), ap, f"macro average precision of {name}")
        subtitle = f"test split, one-vs-rest; macro-average AP = {ap:.3f}"
    _legend_below(fig, ax)
    ax.set_xlabel("Recall")
    ax.set_ylabel("Precision")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.05)
    ax.set_title(f"{title}\n{subtitle}")
    ax.grid(alpha=0.3)
    return fig
