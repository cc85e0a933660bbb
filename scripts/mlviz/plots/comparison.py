"""Model comparison figures: ROC and precision-recall curves of several models on one axes, predicted
against actual values for regressors, and a forest plot of bootstrap intervals.

The curves are drawn with scikit-learn's Displays from the stored predictions; the numbers in the
legends come from the metrics table (mlviz.compute.metrics or mlviz.compute.comparison.bootstrap_metrics), so the
figure quotes exactly what the tables say."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import AutoLocator, MaxNLocator

from ..errors import InputError
from ..compute.metrics import proba_columns
from .style import Style, legend_below

METRIC_LABELS = {"accuracy": "Accuracy", "balanced_accuracy": "Balanced accuracy", "roc_auc": "ROC AUC",
                 "average_precision": "Average precision", "brier": "Brier score", "r2": "R²",
                 "rmse": "RMSE", "mae": "MAE"}
LOWER_IS_BETTER = {"brier", "rmse", "mae"}
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


# ---------------------------------------------------------------- helpers shared by the curves

def _metric_row(metrics: pd.DataFrame, model: str, metric: str) -> pd.Series:
    for col in ("model", "metric", "value"):
        if col not in metrics.columns:
            raise InputError(f"metrics table: missing column {col!r} (expected model, metric, value)")
    rows = metrics[(metrics["model"] == model) & (metrics["metric"] == metric)]
    if len(rows) != 1:
        raise InputError(f"metrics table: expected one row with model {model!r} and metric {metric!r}, "
                         f"found {len(rows)} (filter the table to one dataset and split)")
    return rows.iloc[0]


def _quoted(metrics: pd.DataFrame, model: str, metric: str) -> str:
    """'0.912' or, from a bootstrap table, '0.912 [0.894, 0.930]'."""
    row = _metric_row(metrics, model, metric)
    text = f"{row['value']:.3f}"
    if "lower" in row.index and "upper" in row.index and np.isfinite(row["lower"]) and np.isfinite(row["upper"]):
        text += f" [{row['lower']:.3f}, {row['upper']:.3f}]"
    return text


def _agrees(shown: float, expected: float, what: str) -> None:
    """The curve drawn and the number quoted must come from the same predictions."""
    if abs(float(shown) - float(expected)) > 1e-9:
        raise InputError(f"{what}: the predictions give {shown!r} but the metrics table has {expected!r} "
                         "(expected the same number: are they from the same run?)")


def _check_predictions(predictions: dict, columns: list[str]) -> None:
    if not predictions:
        raise InputError("predictions: expected at least one model's predictions table, got none")
    for name, pred in predictions.items():
        missing = [c for c in columns if c not in pred.columns]
        if missing:
            raise InputError(f"predictions of model {name!r}: missing columns {missing}")


def _square(style: Style, ax, legend_rows: int):
    """A square plot (the curve Displays fix the aspect) with room below for the legend."""
    side = min(style.width, style.height)
    extra = 1.1 + 0.25 * legend_rows * style.font_size / 10
    return style.axes(ax, width=side, height=side + extra, layout="constrained")


def _each_model(predictions: dict[str, pd.DataFrame], classes: list[str], style: Style, ax, curve):
    """A square figure with one curve per model: curve(axes, i, model, y, proba, grid) draws the i-th
    model's curve on the axes and returns (its Display, its legend label)."""
    _check_predictions(predictions, ["y_true"] + proba_columns(classes))
    fig, axes = _square(style, ax, len(predictions) + 1)
    grid = np.linspace(0.0, 1.0, 501)
    for i, (model, pred) in enumerate(predictions.items()):
        disp, label = curve(axes, i, model, pred["y_true"].to_numpy(), pred[proba_columns(classes)].to_numpy(dtype="float64"),
                            grid)
        disp.line_.set_label(label)
    return fig, axes


def _finish(ax, title: str | None, subtitle: str) -> None:
    ax.set_title(subtitle if title is None else f"{title}\n{subtitle}")
    ax.grid(alpha=0.3)


def _macro_roc(y: np.ndarray, proba: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Mean of the one-vs-rest ROC curves on a common false-positive-rate grid (scikit-learn's
    multi-class ROC example does the same by hand; no function of the library averages curves)."""
    from sklearn.metrics import roc_curve

    tprs = []
    for k in range(proba.shape[1]):
        fpr, tpr, _ = roc_curve(y == k, proba[:, k])
        tprs.append(np.interp(grid, fpr, tpr))
    mean = np.mean(tprs, axis=0)
    mean[0] = 0.0
    return mean


def _macro_pr(y: np.ndarray, proba: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Mean over classes of the one-vs-rest precision at each recall of the grid, each class's
    precision read from the step function whose area is its average precision (by hand: no
    function of scikit-learn averages PR curves)."""
    from sklearn.metrics import precision_recall_curve

    curves = []
    for k in range(proba.shape[1]):
        precision, recall, _ = precision_recall_curve(y == k, proba[:, k])
        recall, precision = recall[::-1], precision[::-1]  # recall ascending
        at = np.clip(np.searchsorted(recall, grid, side="left"), 0, len(recall) - 1)
        curves.append(precision[at])
    return np.mean(curves, axis=0)


# ---------------------------------------------------------------- ROC and PR

def draw_roc_comparison(predictions: dict[str, pd.DataFrame], classes: list[str], *, metrics: pd.DataFrame,
                        style: Style, ax=None, title: str | None = None):
    """All models' ROC curves on one axes. Binary: the positive (second) class's curve, with each
    model's AUC from `metrics` (rows model, metric == "roc_auc"; a bootstrap table adds its
    interval). More classes: per model the macro average of the one-vs-rest curves, with the
    metrics table's macro AUC."""
    from sklearn.metrics import RocCurveDisplay

    def curve(axes, i, model, y, proba, grid):
        if binary:
            disp = RocCurveDisplay.from_predictions(y, proba[:, 1], pos_label=1, name=model, ax=axes,
                                                    curve_kwargs={"color": style.colour(i)})
            _agrees(disp.roc_auc, _metric_row(metrics, model, "roc_auc")["value"], f"ROC AUC of {model}")
            return disp, f"{model} (AUC = {_quoted(metrics, model, 'roc_auc')})"
        disp = RocCurveDisplay(fpr=grid, tpr=_macro_roc(y, proba, grid), name=model).plot(
            ax=axes, curve_kwargs={"color": style.colour(i)})
        return disp, f"{model} (macro AUC = {_quoted(metrics, model, 'roc_auc')})"

    binary = len(classes) == 2
    fig, ax = _each_model(predictions, classes, style, ax, curve)
    ax.plot([0, 1], [0, 1], color="0.4", linestyle="--", linewidth=1, label="chance (AUC = 0.5)")
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate (recall)")
    subtitle = (f"test split; positive class: {classes[1]}" if binary
                else "test split; macro average over one-vs-rest")
    _finish(ax, title, subtitle)
    legend_below(ax)
    return fig


def draw_pr_comparison(predictions: dict[str, pd.DataFrame], classes: list[str], *, metrics: pd.DataFrame,
                       style: Style, ax=None, title: str | None = None):
    """All models' precision-recall curves on one axes, average precision from `metrics` in the
    legend. Binary: the positive class, chance level = its prevalence. More classes: per model the
    macro average of the one-vs-rest curves (chance level: the mean prevalence, 1/K)."""
    from sklearn.metrics import PrecisionRecallDisplay

    def curve(axes, i, model, y, proba, grid):
        if binary:
            disp = PrecisionRecallDisplay.from_predictions(y, proba[:, 1], pos_label=1, name=model, ax=axes,
                                                           curve_kwargs={"color": style.colour(i)})
            _agrees(disp.average_precision, _metric_row(metrics, model, "average_precision")["value"],
                    f"average precision of {model}")
            return disp, f"{model} (AP = {_quoted(metrics, model, 'average_precision')})"
        disp = PrecisionRecallDisplay(precision=_macro_pr(y, proba, grid), recall=grid, name=model).plot(
            ax=axes, curve_kwargs={"color": style.colour(i)})
        return disp, f"{model} (macro AP = {_quoted(metrics, model, 'average_precision')})"

    binary = len(classes) == 2
    fig, ax = _each_model(predictions, classes, style, ax, curve)
    y = next(iter(predictions.values()))["y_true"].to_numpy()
    if binary:
        chance, chance_label = float(np.mean(y == 1)), "chance (prevalence = {:.3f})"
    else:
        chance, chance_label = 1.0 / len(classes), "chance (mean prevalence = {:.3f})"
    ax.axhline(chance, color="0.4", linestyle="--", linewidth=1, label=chance_label.format(chance))
    ax.set_xlabel("Recall")
    ax.set_ylabel("Precision")
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.05)
    subtitle = (f"test split; positive class: {classes[1]}" if binary
                else "test split; macro average over one-vs-rest")
    _finish(ax, title, subtitle)
    legend_below(ax)
    return fig


# ---------------------------------------------------------------- regression

def draw_predicted_vs_actual(predictions: dict[str, pd.DataFrame], *, metrics: pd.DataFrame, style: Style,
                             ax=None, title: str | None = None):
    """Actual against predicted values of every model on one axes (distinct colours and markers),
    the identity line, each model's R² from `metrics` in the legend. Small, translucent points:
    several thousand rows per model stay readable."""
    from sklearn.metrics import PredictionErrorDisplay

    _check_predictions(predictions, ["y_true", "y_pred"])
    fig, ax = _square(style, ax, len(predictions) + 1)
    n = max(len(p) for p in predictions.values())
    alpha = float(np.clip(600.0 / n, 0.12, 0.6))
    size = float(np.clip(6000.0 / n, 5.0, 16.0))
    lows, highs = [], []
    for i, (model, pred) in enumerate(predictions.items()):
        y, yhat = pred["y_true"].to_numpy(dtype="float64"), pred["y_pred"].to_numpy(dtype="float64")
        disp = PredictionErrorDisplay(y_true=y, y_pred=yhat).plot(
            ax=ax, kind="actual_vs_predicted",
            scatter_kwargs={"color": style.colour(i), "marker": MARKERS[i % len(MARKERS)], "s": size,
                            "alpha": alpha, "linewidths": 0, "rasterized": n > 2000,
                            "label": f"{model} (R² = {_quoted(metrics, model, 'r2')})"})
        disp.line_.remove()  # each call draws its own identity line; one over all models is drawn below
        lows.append(min(y.min(), yhat.min()))
        highs.append(max(y.max(), yhat.max()))
    lo, hi = min(lows), max(highs)
    ax.plot([lo, hi], [lo, hi], color="0.2", linestyle="--", linewidth=1, label="identity (perfect prediction)")
    # The Display makes the aspect equal by stretching the data limits (empty margins) and ticks
    # its data's min..max in five odd steps: the same limits on both axes and round ticks instead.
    pad = 0.03 * (hi - lo or 1.0)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.xaxis.set_major_locator(AutoLocator())
    ax.yaxis.set_major_locator(AutoLocator())
    ax.set_xlabel("Predicted value")
    ax.set_ylabel("Actual value")
    _finish(ax, title, "test split")
    legend = legend_below(ax, markerscale=max(1.0, 30.0 / size) ** 0.5)
    for handle in legend.legend_handles:
        handle.set_alpha(1.0)
    return fig


# ---------------------------------------------------------------- forest plot

def draw_metric_intervals(table: pd.DataFrame, *, style: Style, title: str | None = None):
    """Forest plot of bootstrap_metrics' table: one small panel per metric (up to three per row),
    one row per model (top to bottom in table order), the point estimate and its interval. Draws
    its own grid of axes, so it takes no `ax`."""
    needed = ["model", "metric", "value", "lower", "upper"]
    missing = [c for c in needed if c not in table.columns]
    if missing or table.empty:
        raise InputError(f"metric interval table: missing columns {missing} or no rows (expected {needed}, "
                         "as mlviz.compute.comparison.bootstrap_metrics writes)")
    models = list(dict.fromkeys(table["model"]))
    metrics = list(dict.fromkeys(table["metric"]))
    ncols = min(3, len(metrics))
    nrows = int(np.ceil(len(metrics) / ncols))
    panel_height = 0.3 * len(models) * style.font_size / 10 + 0.9
    fig, axes = style.figure(width=style.width, height=nrows * panel_height + 0.5, nrows=nrows, ncols=ncols,
                             sharey=True, squeeze=False, layout="constrained")
    positions = np.arange(len(models))[::-1]  # first model on top
    for j, metric in enumerate(metrics):
        ax = axes.flat[j]
        rows = table[table["metric"] == metric].set_index("model")
        for i, model in enumerate(models):
            if model not in rows.index:
                continue
            r = rows.loc[model]
            err = [[max(r["value"] - r["lower"], 0.0)], [max(r["upper"] - r["value"], 0.0)]]
            ax.errorbar(r["value"], positions[i], xerr=err, fmt="o", color=style.colour(i), capsize=3,
                        markersize=5, linewidth=1.5)
        better = "lower" if metric in LOWER_IS_BETTER else "higher"
        ax.set_title(f"{METRIC_LABELS.get(metric, metric)}\n({better} is better)",
                     fontsize=style.font_size, fontweight="normal")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.margins(x=0.12)  # no interval ends on the panel's edge
        ax.grid(axis="x", alpha=0.3)
        ax.set_ylim(-0.6, len(models) - 0.4)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    axes[0, 0].set_yticks(positions, models)
    for ax in axes[:, 0]:
        ax.set_yticks(positions, models)
    if "n_boot" in table.columns:
        n = table["n_boot"].astype(int)
        boots = f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"
        subtitle = f"test split: point estimate and bootstrap percentile interval ({boots} resamples)"
    else:
        subtitle = "test split: point estimate and bootstrap percentile interval"
    fig.suptitle(subtitle if title is None else f"{title}\n{subtitle}", x=0.01, ha="left",
                 fontsize=style.font_size + 2 if title else style.font_size, fontweight="bold" if title else "normal")
    return fig
