"""Reliability of predicted probabilities: calibration curves (scikit-learn's calibration_curve) and
scores (Brier score with Murphy's decomposition, expected calibration error) per model and class.

Binary problems are judged on the positive (second) class; with more classes each class is judged
one-vs-rest, and the scores get an "all" row for the whole probability vector."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .metrics import proba_columns

TABLE_COLUMNS = ["model", "class", "bin", "lower", "upper", "mean_predicted", "fraction_positive", "count"]
SCORE_COLUMNS = ["model", "class", "brier", "reliability", "resolution", "uncertainty", "decomposition_gap",
                 "ece", "n"]


def _check(predictions: dict, classes: list[str], n_bins: int) -> None:
    if not predictions:
        raise InputError("predictions: expected at least one model's predictions table, got none")
    if not classes or len(classes) < 2:
        raise InputError(f"classes: expected two or more class labels, got {classes!r}")
    if int(n_bins) < 1:
        raise InputError(f"n_bins: expected a positive number of bins, got {n_bins!r}")
    needed = ["y_true"] + proba_columns(classes)
    for name, pred in predictions.items():
        missing = [c for c in needed if c not in pred.columns]
        if missing:
            raise InputError(f"predictions of model {name!r}: missing columns {missing} (expected {needed})")


def _judged(pred: pd.DataFrame, classes: list[str]):
    """(class label, 0/1 truth, probability) for each class judged: binary, the positive class only."""
    y = pred["y_true"].to_numpy().astype(int)
    # Clipped: probabilities summed in float32 can exceed 1 by a rounding error, which
    # calibration_curve rejects.
    proba = np.clip(pred[proba_columns(classes)].to_numpy(dtype="float64"), 0.0, 1.0)
    ks = [1] if len(classes) == 2 else range(len(classes))
    return [(classes[k], (y == k).astype(int), proba[:, k]) for k in ks]


def _bin_edges(p: np.ndarray, n_bins: int, strategy: str) -> np.ndarray:
    """The edges calibration_curve uses (it does not return them, nor the bin counts)."""
    if strategy == "quantile":
        return np.percentile(p, np.linspace(0, 1, n_bins + 1) * 100)
    if strategy == "uniform":
        return np.linspace(0.0, 1.0, n_bins + 1)
    raise InputError(f"strategy: expected 'quantile' or 'uniform', got {strategy!r}")


def calibration_table(predictions: dict[str, pd.DataFrame], classes: list[str], *, n_bins: int = 10,
                      strategy: str = "quantile") -> pd.DataFrame:
    """Reliability-diagram points per model and class: columns model, class, bin (0-based bin
    number; empty bins are left out, as calibration_curve does), lower and upper (the bin's edges),
    mean_predicted, fraction_positive, count (rows in the bin)."""
    from sklearn.calibration import calibration_curve

    _check(predictions, classes, n_bins)
    rows = []
    for model, pred in predictions.items():
        for label, truth, p in _judged(pred, classes):
            fraction, mean = calibration_curve(truth, p, n_bins=n_bins, strategy=strategy)
            edges = _bin_edges(p, n_bins, strategy)
            counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
            used = np.flatnonzero(counts)
            if len(used) != len(fraction):  # the two must agree on the non-empty bins
                raise RuntimeError("calibration_curve's bins differ from the counted ones")
            rows.append(pd.DataFrame({"model": model, "class": label, "bin": used, "lower": edges[used],
                                      "upper": edges[used + 1], "mean_predicted": mean,
                                      "fraction_positive": fraction, "count": counts[used]}))
    return pd.concat(rows, ignore_index=True)[TABLE_COLUMNS]


def _scores(truth: np.ndarray, p: np.ndarray, n_bins: int) -> dict[str, float]:
    """Brier score, Murphy's decomposition and ECE on equal-width bins of p (written here: neither
    scikit-learn nor another maintained library without heavy dependencies has them).

    Reliability - resolution + uncertainty equals the Brier score only when the forecasts in each
    bin are identical; with binned forecasts the identity is off by the within-bin variance terms,
    kept as decomposition_gap = brier - (reliability - resolution + uncertainty)."""
    n = len(p)
    brier = float(np.mean((p - truth) ** 2))
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    ids = np.searchsorted(edges[1:-1], p)  # the bins of calibration_curve(strategy="uniform")
    count = np.bincount(ids, minlength=n_bins).astype(float)
    used = count > 0
    mean_p = np.bincount(ids, weights=p, minlength=n_bins)[used] / count[used]
    observed = np.bincount(ids, weights=truth, minlength=n_bins)[used] / count[used]
    base = float(np.mean(truth))
    reliability = float(np.sum(count[used] * (mean_p - observed) ** 2) / n)
    resolution = float(np.sum(count[used] * (observed - base) ** 2) / n)
    uncertainty = base * (1.0 - base)
    return {"brier": brier, "reliability": reliability, "resolution": resolution, "uncertainty": uncertainty,
            "decomposition_gap": brier - (reliability - resolution + uncertainty),
            "ece": float(np.sum(count[used] * np.abs(observed - mean_p)) / n), "n": n}


def calibration_scores(predictions: dict[str, pd.DataFrame], classes: list[str], *,
                       n_bins: int = 10) -> pd.DataFrame:
    """Per model and judged class: brier, reliability, resolution, uncertainty, decomposition_gap,
    ece (expected calibration error), n (rows), all on n_bins equal-width bins of the predicted
    probability. With more than two classes a row with class "all" adds up the classes' Brier
    scores and decomposition terms (the multi-class Brier score: mean over rows of the sum over
    classes) and averages their ECEs (the class-wise ECE)."""
    _check(predictions, classes, n_bins)
    rows = []
    for model, pred in predictions.items():
        per_class = []
        for label, truth, p in _judged(pred, classes):
            per_class.append({"model": model, "class": label, **_scores(truth, p, n_bins)})
        rows += per_class
        if len(classes) > 2:
            total = {k: float(sum(r[k] for r in per_class))
                     for k in ("brier", "reliability", "resolution", "uncertainty", "decomposition_gap")}
            rows.append({"model": model, "class": "all", **total,
                         "ece": float(np.mean([r["ece"] for r in per_class])), "n": per_class[0]["n"]})
    return pd.DataFrame(rows, columns=SCORE_COLUMNS)
