"""Classification performance from stored test predictions, with scikit-learn's Displays: the
confusion matrix, ROC and precision-recall curves (one-vs-rest for more than two classes). Legend
numbers come from the run's metrics table and are checked against the Display's own computation
from the same predictions."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..compute.metrics import proba_columns
from .style import Style

# Display numbers must equal the metrics table; anything beyond float noise means the two disagree.
_TOLERANCE = 1e-9


def _metric(metrics: pd.DataFrame, name: str) -> float:
    rows = metrics.loc[metrics["metric"] == name, "value"]
    if len(rows) != 1:
        raise InputError(f"metrics table: expected one {name!r} row, found {len(rows)}")
    return float(rows.iloc[0])


def _check(shown: float, expected: float, what: str) -> None:
    if abs(shown - expected) > _TOLERANCE:
        raise InputError(f"{what}: the predictions give {shown!r} but the metrics table has {expected!r} "
                         "(expected the same number; rerun evaluate)")


def _proba(pred: pd.DataFrame, classes: list[str], k: int) -> np.ndarray:
    return pred[proba_columns(classes)[k]].to_numpy()


def _curve_axes(style: Style, ax):
    """Square axes (the Displays fix the aspect) with room below for the legend."""
    side = min(style.width, style.height)
    return style.axes(ax, width=side, height=side + 1.2, layout="constrained")


def _legend_below(fig, ax) -> None:
    """Below the plot, so that no curve is hidden whatever its shape."""
    if ax.get_legend() is not None:  # the one a Display drew inside the axes
        ax.get_legend().remove()
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower left", frameon=False)


def _one_vs_rest(pred: pd.DataFrame, classes: list[str], ax, display, score: str, short: str) -> list[float]:
    """One curve per class against the rest, each labelled with its area: display(k, **kwargs) draws
    class k's (a Display's from_predictions); returns the areas (the Display's `score`)."""
    y, areas = pred["y_true"].to_numpy(), []
    for k, cls in enumerate(classes):
        disp = display(k, y_true=y == k, y_score=_proba(pred, classes, k), pos_label=True, name=f"{cls} vs rest",
                       ax=ax)
        area = getattr(disp, score)
        disp.line_.set_label(f"{cls} vs rest ({short} = {area:.3f})")
        areas.append(area)
    return areas


def draw_confusion_matrix(pred: pd.DataFrame, *, classes: list[str], style: Style, title: str,
                          normalize: str | None = None, colorbar: bool = True, ax=None):
    from sklearn.metrics import ConfusionMatrixDisplay

    side = min(style.width, style.height * 1.25)
    fig, ax = style.axes(ax, width=side, height=style.height)
    ConfusionMatrixDisplay.from_predictions(
        pred["y_true"], pred["y_pred"], labels=list(range(len(classes))), display_labels=list(classes),
        normalize=normalize, values_format=".2f" if normalize else "d", cmap=style.cmap, ax=ax,
        colorbar=colorbar)
    ax.grid(False)
    ax.set_xlabel("Predicted class")
    ax.set_ylabel("True class")
    ax.set_title(title)
    return fig


def draw_roc(pred: pd.DataFrame, *, classes: list[str], metrics: pd.DataFrame, style: Style, title: str,
             name: str, ax=None):
    """Binary: one ROC curve of the positive (second) class. More classes: one-vs-rest curves, with
    the macro average (the metrics table's roc_auc) in the title."""
    from sklearn.metrics import RocCurveDisplay

    fig, ax = _curve_axes(style, ax)
    y = pred["y_true"].to_numpy()
    roc_auc = _metric(metrics, "roc_auc")
    if len(classes) == 2:
        disp = RocCurveDisplay.from_predictions(y, _proba(pred, classes, 1), pos_label=1, name=name, ax=ax,
                                                plot_chance_level=True)
        _check(disp.roc_auc, roc_auc, f"ROC AUC of {name}")
        disp.line_.set_label(f"{name} (AUC = {roc_auc:.3f})")
        subtitle = f"test split; positive class: {classes[1]}"
    else:
        aucs = _one_vs_rest(pred, classes, ax, lambda k, **kw: RocCurveDisplay.from_predictions(
            plot_chance_level=k == len(classes) - 1, **kw), "roc_auc", "AUC")
        _check(float(np.mean(aucs)), roc_auc, f"macro one-vs-rest ROC AUC of {name}")
        subtitle = f"test split, one-vs-rest; macro-average AUC = {roc_auc:.3f}"
    _legend_below(fig, ax)
    ax.set_xlabel("False positive rate")
    ax.set_ylabel("True positive rate (recall)")
    ax.set_title(f"{title}\n{subtitle}")
    ax.grid(alpha=0.3)
    return fig


def draw_pr(pred: pd.DataFrame, *, classes: list[str], metrics: pd.DataFrame, style: Style, title: str,
            name: str, ax=None):
    """Binary: the PR curve with average precision as the headline number and, labelled as such,
    the trapezoid area the tutorial reports (optimistic: it interpolates linearly between points).
    More classes: one-vs-rest curves, macro AP in the title."""
    from sklearn.metrics import PrecisionRecallDisplay

    fig, ax = _curve_axes(style, ax)
    y = pred["y_true"].to_numpy()
    ap = _metric(metrics, "average_precision")
    if len(classes) == 2:
        disp = PrecisionRecallDisplay.from_predictions(y, _proba(pred, classes, 1), pos_label=1, name=name,
                                                       ax=ax, plot_chance_level=True)
        _check(disp.average_precision, ap, f"average precision of {name}")
        trapezoid = _metric(metrics, "pr_auc_trapezoid")
        disp.line_.set_label(f"{name} (average precision = {ap:.3f}; trapezoid area = {trapezoid:.3f})")
        subtitle = f"test split; positive class: {classes[1]}"
    else:
        aps = _one_vs_rest(pred, classes, ax, lambda k, **kw: PrecisionRecallDisplay.from_predictions(**kw),
                           "average_precision", "AP")
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
