"""Test-split metrics from stored predictions, as tidy rows (dataset, model, split, metric, value)."""
from __future__ import annotations

import numpy as np
import pandas as pd

CLASSIFICATION = ["accuracy", "balanced_accuracy", "roc_auc", "average_precision"]
REGRESSION = ["r2", "rmse", "mae"]


def proba_columns(classes: list[str]) -> list[str]:
    return [f"proba_{c}" for c in classes]


def classification_metrics(pred: pd.DataFrame, classes: list[str]) -> dict[str, float]:
    from sklearn import metrics as m

    y, yhat = pred["y_true"].to_numpy(), pred["y_pred"].to_numpy()
    proba = pred[proba_columns(classes)].to_numpy()
    out = {"accuracy": m.accuracy_score(y, yhat), "balanced_accuracy": m.balanced_accuracy_score(y, yhat)}
    if len(classes) == 2:
        out["roc_auc"] = m.roc_auc_score(y, proba[:, 1])
        out["average_precision"] = m.average_precision_score(y, proba[:, 1])
        precision, recall, _ = m.precision_recall_curve(y, proba[:, 1])
        # The tutorial's number: trapezoid area under the PR curve (optimistic; AP is the headline).
        out["pr_auc_trapezoid"] = m.auc(recall, precision)
    else:
        labels = np.arange(len(classes))
        out["roc_auc"] = m.roc_auc_score(y, proba, multi_class="ovr", labels=labels)
        onehot = (y[:, None] == labels[None, :]).astype(int)
        out["average_precision"] = m.average_precision_score(onehot, proba, average="macro")
    return {k: float(v) for k, v in out.items()}


def regression_metrics(pred: pd.DataFrame) -> dict[str, float]:
    from sklearn import metrics as m

    y, yhat = pred["y_true"].to_numpy(), pred["y_pred"].to_numpy()
    return {"r2": float(m.r2_score(y, yhat)), "rmse": float(np.sqrt(m.mean_squared_error(y, yhat))),
            "mae": float(m.mean_absolute_error(y, yhat))}


def tidy(dataset: str, model: str, values: dict[str, float], split: str = "test") -> pd.DataFrame:
    return pd.DataFrame({"dataset": dataset, "model": model, "split": split,
                         "metric": list(values), "value": list(values.values())})

