"""Decision thresholds of a binary classifier: precision, recall and F1 at every threshold of the
positive class's probability (scikit-learn's precision_recall_curve), and the F1-best threshold
next to the default 0.5."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError

COLUMNS = ["threshold", "precision", "recall", "f1"]
DEFAULT = 0.5


def _inputs(y_true, proba_pos) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    p = np.asarray(proba_pos, dtype="float64")
    if y.ndim != 1 or p.shape != y.shape:
        raise InputError(f"y_true and proba_pos: expected two 1-D arrays of the same length, got shapes "
                         f"{y.shape} and {p.shape}")
    labels = set(np.unique(y).tolist())
    if labels != {0, 1}:
        raise InputError(f"y_true: expected both classes 0 and 1 (binary, 1 = positive), got {sorted(labels)}")
    return y.astype(int), p


def _f1(precision: np.ndarray, recall: np.ndarray) -> np.ndarray:
    total = precision + recall
    return np.divide(2 * precision * recall, total, out=np.zeros_like(total), where=total > 0)


def threshold_table(y_true, proba_pos) -> pd.DataFrame:
    """precision, recall and F1 when rows with probability >= threshold are called positive, at
    every distinct probability (ascending). The curve's last point (recall 0, precision 1) has no
    threshold and is left out."""
    from sklearn.metrics import precision_recall_curve

    y, p = _inputs(y_true, proba_pos)
    precision, recall, thresholds = precision_recall_curve(y, p, pos_label=1)
    precision, recall = precision[:-1], recall[:-1]
    return pd.DataFrame({"threshold": thresholds.astype("float64"), "precision": precision,
                         "recall": recall, "f1": _f1(precision, recall)})[COLUMNS]


def threshold_summary(table: pd.DataFrame, y_true, proba_pos) -> dict:
    """best_f1_threshold and best_f1 (the table's largest F1; ties: the lowest threshold), the
    precision/recall/F1 at the best threshold (rows with p >= threshold called positive, the
    table's convention) and at the default 0.5 as the model's own predictions make it: a row is
    positive when p > 0.5 (the larger of two probabilities; scikit-learn's forests give class 0 at a
    tie), so the default's numbers match the confusion matrix. ties_at_default counts the rows
    with p exactly 0.5, where the two conventions differ."""
    from sklearn.metrics import f1_score, precision_score, recall_score

    missing = [c for c in COLUMNS if c not in table.columns]
    if missing or table.empty:
        raise InputError(f"threshold table: missing columns {missing} or no rows (expected {COLUMNS})")
    y, p = _inputs(y_true, proba_pos)
    ordered = table.sort_values("threshold", kind="mergesort").reset_index(drop=True)
    best = int(np.argmax(ordered["f1"].to_numpy()))  # argmax: the first, i.e. lowest, of tied maxima
    called = (p > DEFAULT).astype(int)
    row = ordered.iloc[best]
    return {
        "best_f1_threshold": float(row["threshold"]), "best_f1": float(row["f1"]),
        "precision_at_best": float(row["precision"]), "recall_at_best": float(row["recall"]),
        "f1_at_best": float(row["f1"]),
        "default_threshold": DEFAULT,
        "precision_at_default": float(precision_score(y, called, zero_division=0)),
        "recall_at_default": float(recall_score(y, called, zero_division=0)),
        "f1_at_default": float(f1_score(y, called, zero_division=0)),
        "ties_at_default": int(np.sum(p == DEFAULT)),
    }
