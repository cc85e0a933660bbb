"""Model comparison on the test split: paired bootstrap confidence intervals of each model's metrics
and of the differences between models.

Point estimates are those of mlviz.compute.metrics (the run's metrics table), so the numbers agree exactly.
The bootstrap draws one set of resampled row indices (seeded) and evaluates every model on the same
resamples, so differences between models are paired. A resample on which a metric is undefined (a
class missing: no ROC AUC) is skipped for that metric; `n_boot` counts the resamples used.

scipy.stats.bootstrap cannot share one set of resamples between models and metrics nor skip the
undefined ones, and scikit-learn's scorers take one resample per call (1000 resamples x 4 models
cost tens of seconds), so the resampling is written here: each resample is a row of counts and
every metric a weighted sum over rows, all resamples of a chunk at once. The unit tests check
these replicate values against scikit-learn's on the resampled rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import metrics as mmetrics
from ..errors import InputError

CLASSIFICATION = ["accuracy", "balanced_accuracy", "roc_auc", "average_precision", "brier"]
REGRESSION = ["r2", "rmse", "mae"]
LOWER_IS_BETTER = {"brier", "rmse", "mae"}
# Cells (resamples x rows) evaluated at once: bounds memory (about 16 bytes per cell) on big test sets.
_CHUNK_CELLS = 2_000_000


def higher_is_better(metric: str) -> bool:
    return metric not in LOWER_IS_BETTER


# ---------------------------------------------------------------- input checks

def _check(predictions: dict, task: str, classes: list[str] | None, n_boot: int, level: float) -> list[str]:
    if task not in ("classification", "regression"):
        raise InputError(f"task: expected 'classification' or 'regression', got {task!r}")
    if not predictions:
        raise InputError("predictions: expected at least one model's predictions table, got none")
    if int(n_boot) < 1:
        raise InputError(f"n_boot: expected a positive number of resamples, got {n_boot!r}")
    if not 0.0 < float(level) < 1.0:
        raise InputError(f"level: expected a confidence level between 0 and 1 (e.g. 0.95), got {level!r}")
    needed = ["y_true", "y_pred"]
    if task == "classification":
        if not classes or len(classes) < 2:
            raise InputError(f"classes: expected two or more class labels for classification, got {classes!r}")
        needed += mmetrics.proba_columns(classes)
    first_name, first = next(iter(predictions.items()))
    for name, pred in predictions.items():
        missing = [c for c in needed if c not in pred.columns]
        if missing:
            raise InputError(f"predictions of model {name!r}: missing columns {missing} (expected {needed})")
        # Paired resampling needs the same test rows, with the same truth, for every model.
        if not pred.index.equals(first.index) or not np.array_equal(pred["y_true"].to_numpy(),
                                                                     first["y_true"].to_numpy()):
            raise InputError(f"predictions of models {first_name!r} and {name!r}: expected the same test rows "
                             "(index 'row') with the same y_true, in the same order")
    if task == "classification":
        y = first["y_true"].to_numpy()
        present = set(np.unique(y).tolist())
        if not present <= set(range(len(classes))):
            raise InputError(f"predictions: y_true holds {sorted(present)}; expected class indices "
                             f"0..{len(classes) - 1} for classes {classes}")
        if len(present) < len(classes):
            absent = [classes[k] for k in range(len(classes)) if k not in present]
            raise InputError(f"predictions: the test split has no row of class(es) {absent}; "
                             "ROC AUC and average precision are undefined")
    return list(predictions)


def _point(pred: pd.DataFrame, task: str, classes: list[str] | None) -> dict[str, float]:
    """The run's metrics (mlviz.compute.metrics) plus the Brier score (sklearn's brier_score_loss: binary,
    mean (p_pos - y)^2; more classes, mean over rows of the sum over classes)."""
    if task == "regression":
        values = mmetrics.regression_metrics(pred)
        return {m: values[m] for m in REGRESSION}
    from sklearn.metrics import brier_score_loss

    values = mmetrics.classification_metrics(pred, classes)
    y = pred["y_true"].to_numpy()
    proba = pred[mmetrics.proba_columns(classes)].to_numpy(dtype="float64")
    if len(classes) == 2:
        values["brier"] = float(brier_score_loss(y, proba[:, 1], pos_label=1))
    else:
        values["brier"] = float(brier_score_loss(y, proba, labels=list(range(len(classes)))))
    return {m: values[m] for m in CLASSIFICATION}


# ---------------------------------------------------------------- weighted metrics, all resamples at once

def _tie_groups(score: np.ndarray, descending: bool):
    order = np.argsort(-score if descending else score, kind="mergesort")
    s = score[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    return order, starts


def _binary_auc(W: np.ndarray, positive: np.ndarray, score: np.ndarray) -> np.ndarray:
    """ROC AUC per row of weights W: the Mann-Whitney statistic with ties counted one half
    (equal to the area under the ROC curve, as roc_auc_score computes it)."""
    order, starts = _tie_groups(score, descending=False)
    Ws, pos = W[:, order], positive[order]
    n_pos = np.add.reduceat(Ws * pos, starts, axis=1)
    n_neg = np.add.reduceat(Ws * ~pos, starts, axis=1)
    below = np.cumsum(n_neg, axis=1) - n_neg
    total = n_pos.sum(axis=1) * n_neg.sum(axis=1)
    u = (n_pos * (below + 0.5 * n_neg)).sum(axis=1)
    return np.divide(u, total, out=np.full(len(W), np.nan), where=total > 0)


def _binary_ap(W: np.ndarray, positive: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Average precision per row of weights: sum over thresholds of (recall step) x precision,
    as average_precision_score computes it."""
    order, starts = _tie_groups(score, descending=True)
    Ws, pos = W[:, order], positive[order]
    tp = np.add.reduceat(Ws * pos, starts, axis=1)
    fp = np.add.reduceat(Ws * ~pos, starts, axis=1)
    TP, predicted = np.cumsum(tp, axis=1), np.cumsum(tp + fp, axis=1)
    precision = np.divide(TP, predicted, out=np.zeros_like(TP), where=predicted > 0)
    n_pos = tp.sum(axis=1)
    return np.divide((tp * precision).sum(axis=1), n_pos, out=np.full(len(W), np.nan), where=n_pos > 0)


def _replicates_classification(W: np.ndarray, pred: pd.DataFrame, classes: list[str]) -> dict[str, np.ndarray]:
    y = pred["y_true"].to_numpy().astype(int)
    yhat = pred["y_pred"].to_numpy().astype(int)
    proba = pred[mmetrics.proba_columns(classes)].to_numpy(dtype="float64")
    K = len(classes)
    onehot = y[:, None] == np.arange(K)[None, :]
    total = W.sum(axis=1)
    out = {"accuracy": W @ (y == yhat).astype(float) / total}
    class_total = W @ onehot.astype(float)                        # (B, K)
    class_hits = W @ (onehot & (yhat[:, None] == np.arange(K))).astype(float)
    present = class_total > 0
    recall = np.divide(class_hits, class_total, out=np.zeros_like(class_hits), where=present)
    # balanced_accuracy_score averages the recalls of the classes present in y_true.
    out["balanced_accuracy"] = recall.sum(axis=1) / present.sum(axis=1)
    if K == 2:
        out["roc_auc"] = _binary_auc(W, y == 1, proba[:, 1])
        out["average_precision"] = _binary_ap(W, y == 1, proba[:, 1])
        out["brier"] = W @ (proba[:, 1] - (y == 1)) ** 2 / total
    else:
        # Macro one-vs-rest, as mlviz.compute.metrics: undefined when a class is missing from the resample.
        out["roc_auc"] = np.mean([_binary_auc(W, onehot[:, k], proba[:, k]) for k in range(K)], axis=0)
        out["average_precision"] = np.mean([_binary_ap(W, onehot[:, k], proba[:, k]) for k in range(K)], axis=0)
        out["brier"] = W @ ((proba - onehot) ** 2).sum(axis=1) / total
    return out


def _replicates_regression(W: np.ndarray, pred: pd.DataFrame) -> dict[str, np.ndarray]:
    y = pred["y_true"].to_numpy(dtype="float64")
    err = y - pred["y_pred"].to_numpy(dtype="float64")
    total = W.sum(axis=1)
    yc = y - y.mean()  # centred first: fewer digits lost in the sum of squares below
    ss_tot = W @ yc ** 2 - (W @ yc) ** 2 / total
    ss_res = W @ err ** 2
    ok = ss_tot > 1e-12 * max(1.0, float(yc @ yc))
    return {"r2": np.where(ok, 1.0 - ss_res / np.where(ok, ss_tot, 1.0), np.nan),
            "rmse": np.sqrt(ss_res / total), "mae": W @ np.abs(err) / total}


def _replicates(predictions: dict, task: str, classes, n_boot: int, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """model -> metric -> n_boot replicate values (NaN where undefined), on shared resamples."""
    n = len(next(iter(predictions.values())))
    rng = np.random.default_rng(seed)
    chunk = max(1, min(n_boot, _CHUNK_CELLS // max(n, 1)))
    parts: dict[str, dict[str, list]] = {m: {} for m in predictions}
    done = 0
    while done < n_boot:
        size = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(size, n))
        # Row counts of each resample: evaluating weighted by counts equals evaluating the resampled rows.
        flat = (idx + (np.arange(size) * n)[:, None]).ravel()
        W = np.bincount(flat, minlength=size * n).reshape(size, n).astype("float64")
        for model, pred in predictions.items():
            values = (_replicates_regression(W, pred) if task == "regression"
                      else _replicates_classification(W, pred, classes))
            for metric, v in values.items():
                parts[model].setdefault(metric, []).append(v)
        done += size
    return {m: {k: np.concatenate(v) for k, v in d.items()} for m, d in parts.items()}


def _interval(values: np.ndarray, level: float) -> tuple[float, float, int]:
    ok = values[np.isfinite(values)]
    if len(ok) == 0:
        return np.nan, np.nan, 0
    alpha = (1.0 - level) / 2.0
    lower, upper = np.quantile(ok, [alpha, 1.0 - alpha])
    return float(lower), float(upper), int(len(ok))


# ---------------------------------------------------------------- public

def bootstrap_metrics(predictions: dict[str, pd.DataFrame], *, task: str, classes: list[str] | None,
                      n_boot: int, seed: int, level: float = 0.95) -> pd.DataFrame:
    """Each model's test-split metrics with percentile bootstrap intervals.

    Columns model, metric, value (the point estimate on the full test split, as mlviz.compute.metrics
    computes it), lower, upper, n_boot (resamples on which the metric was defined). Classification:
    accuracy, balanced_accuracy, roc_auc, average_precision, brier; regression: r2, rmse, mae."""
    models = _check(predictions, task, classes, n_boot, level)
    reps = _replicates(predictions, task, classes, int(n_boot), seed)
    rows = []
    for model in models:
        point = _point(predictions[model], task, classes)
        for metric, value in point.items():
            lower, upper, used = _interval(reps[model][metric], level)
            rows.append({"model": model, "metric": metric, "value": value, "lower": lower,
                         "upper": upper, "n_boot": used})
    return pd.DataFrame(rows, columns=["model", "metric", "value", "lower", "upper", "n_boot"])


def pairwise_differences(predictions: dict[str, pd.DataFrame], *, task: str, classes: list[str] | None,
                         n_boot: int, seed: int, level: float = 0.95) -> pd.DataFrame:
    """Paired bootstrap of the difference a - b for every unordered pair of models (model_a <
    model_b alphabetically) and metric. Columns model_a, model_b, metric, difference (point
    estimate), lower, upper, higher_is_better, n_boot (resamples on which both were defined).
    With the same seed the resamples are those of bootstrap_metrics."""
    models = _check(predictions, task, classes, n_boot, level)
    reps = _replicates(predictions, task, classes, int(n_boot), seed)
    points = {m: _point(predictions[m], task, classes) for m in models}
    rows = []
    for i, a in enumerate(sorted(models)):
        for b in sorted(models)[i + 1:]:
            for metric in points[a]:
                lower, upper, used = _interval(reps[a][metric] - reps[b][metric], level)
                rows.append({"model_a": a, "model_b": b, "metric": metric,
                             "difference": points[a][metric] - points[b][metric], "lower": lower,
                             "upper": upper, "higher_is_better": higher_is_better(metric), "n_boot": used})
    return pd.DataFrame(rows, columns=["model_a", "model_b", "metric", "difference", "lower", "upper",
                                       "higher_is_better", "n_boot"])


def beats(row) -> bool:
    """Whether model_a beats model_b on this row's metric: the whole interval of a - b lies on a's
    good side (above 0 when higher is better, below 0 otherwise). An undefined interval: no."""
    lower, upper = float(row["lower"]), float(row["upper"])
    if not (np.isfinite(lower) and np.isfinite(upper)):
        return False
    return bool(lower > 0) if bool(row["higher_is_better"]) else bool(upper < 0)


def winner(row) -> str | None:
    """model_a or model_b when one beats the other on this row's metric, else None."""
    if beats(row):
        return str(row["model_a"])
    flipped = {"lower": -float(row["upper"]), "upper": -float(row["lower"]),
               "higher_is_better": row["higher_is_better"]}
    return str(row["model_b"]) if beats(flipped) else None
