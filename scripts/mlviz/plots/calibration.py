"""Reliability diagrams from mlviz.compute.calibration's tables, drawn with scikit-learn's CalibrationDisplay
(built from the stored points: it draws precomputed curves as they are)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..compute.calibration import SCORE_COLUMNS, TABLE_COLUMNS
from ..errors import InputError
from .style import Style

REF_LABEL = "Perfectly calibrated"


def _check(table: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing or table.empty:
        raise InputError(f"{what}: missing columns {missing} or no rows (expected {columns}, as "
                         "mlviz.compute.calibration writes)")


def _brier(scores: pd.DataFrame, model: str, cls: str) -> float:
    rows = scores[(scores["model"] == model) & (scores["class"] == cls)]
    if len(rows) != 1:
        raise InputError(f"calibration scores: expected one row for model {model!r} and class {cls!r}, "
                         f"found {len(rows)}")
    return float(rows["brier"].iloc[0])


def _curve(ax, points: pd.DataFrame, *, colour: str, label: str):
    from sklearn.calibration import CalibrationDisplay

    points = points.sort_values("bin")
    disp = CalibrationDisplay(points["fraction_positive"].to_numpy(), points["mean_predicted"].to_numpy(),
                              None, estimator_name=label)
    return disp.plot(ax=ax, color=colour, markersize=4, linewidth=1.5)


def _shares(points: pd.DataFrame):
    """(edges, share of rows) of one model's bins, empty bins (left out of the table) as zero."""
    points = points.sort_values("bin")
    share = points["count"].to_numpy(dtype=float) / points["count"].sum()
    edges, values = [float(points["lower"].iloc[0])], []
    for lower, upper, s in zip(points["lower"], points["upper"], share):
        if lower > edges[-1]:
            values.append(0.0)
            edges.append(float(lower))
        values.append(float(s))
        edges.append(float(max(upper, edges[-1])))
    return np.array(edges), np.array(values)


def _equal_width(table: pd.DataFrame) -> bool:
    widths = (table["upper"] - table["lower"]).to_numpy(float)
    return bool(len(widths)) and bool(np.allclose(widths, widths[0]))


def draw_calibration(table: pd.DataFrame, scores: pd.DataFrame, *, style: Style, title: str | None = None,
                     histogram: pd.DataFrame | None = None):
    """Reliability diagram(s) of all models, the diagonal as the perfectly calibrated reference.

    Binary (one class in `table`): one diagram, each model's Brier score in the legend, and below it
    a histogram: the share of rows per bin of predicted probability. The histogram is read from
    `histogram` (pass calibration_table(..., strategy="uniform"): equal-width bins) or, when None,
    from `table` if its bins have equal widths; quantile bins hold equal shares by construction,
    which would show nothing, so then the histogram is left out. More classes: one panel per class
    (one-vs-rest; up to 3 columns, shared axes), one legend for the figure with each model's
    multi-class Brier score (the "all" row of `scores`).
    Draws its own grid of axes, so it takes no `ax`."""
    _check(table, TABLE_COLUMNS, "calibration table")
    _check(scores, SCORE_COLUMNS, "calibration scores")
    models = list(dict.fromkeys(table["model"]))
    classes = list(dict.fromkeys(table["class"]))
    if len(classes) == 1:
        if histogram is None and _equal_width(table):
            histogram = table
        return _binary(table, scores, models, classes[0], style, title, histogram)
    return _multiclass(table, scores, models, classes, style, title)


def _binary(table, scores, models, cls, style, title, histogram):
    side = min(style.width, style.height)
    legend = 0.3 * (len(models) + 1) * style.font_size / 10
    if histogram is None:
        fig, ax = style.figure(width=side + 0.4, height=side + 0.7 + legend, layout="constrained")
        hax = None
    else:
        _check(histogram, TABLE_COLUMNS, "calibration histogram table")
        fig, (ax, hax) = style.figure(width=side + 0.4, height=side * 1.3 + 0.4 + legend, nrows=2, sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1]}, layout="constrained")
    for i, model in enumerate(models):
        label = f"{model} (Brier = {_brier(scores, model, cls):.3f})"
        _curve(ax, table[table["model"] == model], colour=style.colour(i), label=label)
        if hax is not None:
            points = histogram[(histogram["model"] == model) & (histogram["class"] == cls)]
            if len(points):
                edges, values = _shares(points)
                hax.stairs(values, edges, color=style.colour(i), linewidth=1.5)
    ax.get_legend().remove()
    # No equal aspect here: it would narrow the diagram and misalign it with the histogram's x-axis;
    # the figure's proportions keep the diagram nearly square instead.
    ax.set(xlabel="", ylabel=f"Fraction of positives ({cls})", xlim=(-0.02, 1.02), ylim=(-0.02, 1.02))
    ax.grid(alpha=0.3)
    ax.set_title(f"{title}\npositive class: {cls}" if title else f"positive class: {cls}")
    if hax is None:
        ax.set_xlabel(f"Mean predicted probability of {cls} (per bin)")
    else:
        hax.set_xlabel(f"Predicted probability of {cls} (diagram: mean of each bin)")
        hax.set_ylabel("share of rows")
        hax.grid(alpha=0.3)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", frameon=False)
    return fig


def _multiclass(table, scores, models, classes, style, title):
    ncols = min(3, len(classes))
    nrows = int(np.ceil(len(classes) / ncols))
    side = min((style.width - 0.7) / ncols, 2.6)  # square panels; height follows so no band stays empty
    fig, axes = style.figure(width=side * ncols + 0.7,
                             height=nrows * (side + 0.65) + (0.45 if title else 0.1) + 0.24 * (len(models) + 1),
                             nrows=nrows, ncols=ncols, sharex=True, sharey=True, squeeze=False,
                             layout="constrained")
    for j, cls in enumerate(classes):
        ax = axes.flat[j]
        for i, model in enumerate(models):
            points = table[(table["model"] == model) & (table["class"] == cls)]
            if len(points):
                _curve(ax, points, colour=style.colour(i), label=model)
        ax.get_legend().remove()
        ax.set(xlabel="", ylabel="", xlim=(-0.02, 1.02), ylim=(-0.02, 1.02))
        ax.set_aspect("equal", adjustable="box")
        ax.set_title(f"{cls} vs rest", fontsize=style.font_size, fontweight="normal")
        ax.grid(alpha=0.3)
    # Short tick labels: "1.0" and "0.0" of neighbouring panels would touch.
    axes.flat[0].set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
    axes.flat[0].set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
    for ax in axes.flat[len(classes):]:
        ax.set_visible(False)
    for j in range(len(classes)):
        ax = axes.flat[j]
        if j + ncols >= len(classes):  # the lowest panel of its column
            ax.set_xlabel("Predicted probability")
            ax.xaxis.set_tick_params(labelbottom=True)
        if j % ncols == 0:
            ax.set_ylabel("Fraction in the class")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    labels = [lab if lab == REF_LABEL
              else f"{lab} (Brier = {_brier(scores, lab, 'all'):.3f}, all classes)" for lab in labels]
    fig.legend(handles, labels, loc="outside lower left", frameon=False)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=style.font_size + 2)
    return fig
