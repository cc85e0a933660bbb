"""Tree SHAP values, computed once per explained model and stored in one table (the plots in
mlviz.plots.shap only read it).

The stored table (index `row`, the raw CSV's 0-based data-row number, in CSV order) has
  split        train / test
  base_value   the explainer's expected value
  output       the model output that SHAP explains (regression: prediction; scikit-learn
               classifier: probability of the explained class; XGBoost classifier: its margin, the
               log-odds for two classes)
  shap:<f>     SHAP value of feature f
  x:<f>        f as the model saw it: the data's own units (a yes/no or one-hot feature as 0/1)
  raw:<f>      the same value (the name the figures read it by)
  text:<f>     the value in words: a number as the article writes it, a yes/no column's level, a
               one-hot feature's yes or no (mlviz.compute.features.value_text)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError

SHAP, X, RAW, TEXT = "shap:", "x:", "raw:", "text:"

# ---------------------------------------------------------------- compute

def explained_rows(train: pd.DataFrame, test: pd.DataFrame, which: str, max_rows: int, seed: int,
                   keep: list[int] = ()) -> pd.DataFrame:
    """The rows to explain, in CSV order, with a `split` column; beyond max_rows a seeded sample
    that always holds the rows in `keep` (the instances the waterfall and force plots show)."""
    parts = {"train": [("train", train)], "test": [("test", test)],
             "all": [("train", train), ("test", test)]}[which]
    table = pd.concat([df.assign(split=name) for name, df in parts]).sort_index()
    missing = [r for r in keep if r not in table.index]
    if missing:
        raise InputError(f"config key figures.shap.instances: CSV row {missing[0]} is not among the rows "
                         f"figures.shap.rows ({which}) explains")
    if len(table) > max_rows:
        forced = np.flatnonzero(table.index.isin(list(keep)))
        rest = np.setdiff1d(np.arange(len(table)), forced)
        drawn = np.random.default_rng(seed).choice(rest, size=max(0, max_rows - len(forced)), replace=False)
        table = table.iloc[np.sort(np.concatenate([forced, drawn]))]
    return table


def softmax_margin(task: str, model_type: str, classes: list | None) -> bool:
    """XGBoost with more than two classes: each class gets a margin and the probabilities are their
    softmax, so a class's margin is not its log-odds."""
    return task == "classification" and model_type == "xgboost" and len(classes or []) > 2


def output_label(task: str, model_type: str, target: str, cls: str | None, classes: list | None = None) -> str:
    if task == "regression":
        return f"predicted {target}"
    if model_type == "xgboost":
        return f"margin({cls})" if softmax_margin(task, model_type, classes) else f"log-odds({cls})"
    return f"P({cls})"


def tree_shap(model, X_model: pd.DataFrame, model_type: str, task: str, class_index: int | None):
    """SHAP values (rows × features), base values and the explained model output, all float64.

    For classifiers, the explained class's output: scikit-learn trees explain probabilities,
    XGBoost its margin (the log-odds for two classes), each as SHAP's TreeExplainer does by default."""
    import shap

    explanation = shap.TreeExplainer(model)(X_model)
    values = np.asarray(explanation.values, dtype="float64")
    base = np.asarray(explanation.base_values, dtype="float64")
    if task == "regression":
        output = model.predict(X_model, output_margin=True) if model_type == "xgboost" else model.predict(X_model)
        sign = 1.0
    elif model_type == "xgboost":
        output = model.predict(X_model, output_margin=True)
        sign = 1.0
        if output.ndim == 1:  # binary: one margin, that of class 1; class 0's is its negative
            sign = 1.0 if class_index == 1 else -1.0
        else:
            output = output[:, class_index]
    else:
        output = model.predict_proba(X_model)[:, class_index]
        sign = 1.0
    if values.ndim == 3:
        values, base = values[:, :, class_index], base[:, class_index]
    base = np.broadcast_to(base, (len(values),)).astype("float64")
    return sign * values, sign * base, sign * np.asarray(output, dtype="float64")


def values_table(rows: pd.DataFrame, features: list[str], info: dict, values, base, output) -> pd.DataFrame:
    from .features import value_text

    X_model = rows[features].astype("float64")
    text = pd.DataFrame({f: [value_text(info[f], v) for v in X_model[f]] for f in features}, index=rows.index)
    table = pd.concat([
        pd.DataFrame({"split": rows["split"].astype(str), "base_value": base, "output": output}, index=rows.index),
        pd.DataFrame(values, index=rows.index, columns=[SHAP + f for f in features]),
        X_model.add_prefix(X),
        X_model.add_prefix(RAW),
        text.add_prefix(TEXT),
    ], axis=1)
    table.index.name = "row"
    return table


def features_of(table: pd.DataFrame) -> list[str]:
    return [c[len(SHAP):] for c in table.columns if c.startswith(SHAP)]


def additivity(table: pd.DataFrame, rtol: float) -> dict:
    """base value + Σ SHAP = model output, per row; tolerance rtol × max(1, max |output|)
    (XGBoost sums its trees in float32, so errors scale with the output's magnitude)."""
    shap_sum = table[[SHAP + f for f in features_of(table)]].to_numpy().sum(axis=1)
    err = np.abs(table["base_value"].to_numpy() + shap_sum - table["output"].to_numpy())
    out_scale = max(1.0, float(np.abs(table["output"]).max()))
    worst = int(np.argmax(err))
    return {
        "rows": int(len(table)),
        "max_abs_error": float(err.max()),
        "worst_row": int(table.index[worst]),
        "max_abs_output": float(np.abs(table["output"]).max()),
        "rtol": float(rtol),
        "tolerance": float(rtol * out_scale),
        "passed": bool(err.max() <= rtol * out_scale),
    }


def importance(table: pd.DataFrame, dataset: str, model: str) -> pd.DataFrame:
    """Mean |SHAP| per feature over the explained rows; spread = standard deviation of |SHAP|."""
    from .importance import tidy

    feats = features_of(table)
    a = np.abs(table[[SHAP + f for f in feats]].to_numpy())
    return tidy(dataset, model, "mean_abs_shap", feats, a.mean(axis=0), a.std(axis=0))


def ranked_features(table: pd.DataFrame) -> list[str]:
    """Features by descending mean |SHAP| (ties by name): the importance table's order."""
    return importance(table, "", "")["feature"].tolist()


