"""Can you trust these explanations? Two checks computed from stored results and the model:

- method agreement: do the importance methods (impurity, permutation, mean |SHAP|, LIME, linear
  coefficients) rank the features alike? Spearman correlation of the ranks and top-k overlap.
- deletion (a faithfulness test): replacing the features SHAP calls most important, row by row,
  should move the model's output more than replacing features in random order.

Both are written here: no maintained library computes them from these tables (quantus and
captum do deletion curves for images and tensors in PyTorch)."""
from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from ..errors import InputError

AGREEMENT_COLUMNS = ["dataset", "model", "method_a", "method_b", "features", "spearman", "top_k", "overlap"]
DELETION_COLUMNS = ["order", "k", "change"]
SHAP_PREFIX = "shap:"


# ---------------------------------------------------------------- method agreement

def _strength(method: str, values: pd.Series) -> pd.Series:
    """What ranks a feature under a method: |value| for signed coefficients, the value otherwise
    (a negative permutation importance ranks below zero: shuffling the feature helped)."""
    return values.abs() if method == "coefficient" else values


def _top(strength: pd.Series, k: int) -> set:
    order = sorted(strength.index, key=lambda f: (-strength[f], f))  # ties by name
    return set(order[:k])


def method_agreement(importances: pd.DataFrame, *, top_k: int = 5) -> pd.DataFrame:
    """For every (dataset, model) and unordered pair of its methods (method_a < method_b):
    features (number both rank), spearman (correlation of the two rankings; NaN with fewer than
    two features or a constant ranking), top_k (min(top_k, features)), overlap (share of the top
    k features of a that are in the top k of b)."""
    from scipy.stats import spearmanr

    needed = ["dataset", "model", "method", "feature", "value"]
    missing = [c for c in needed if c not in importances.columns]
    if missing:
        raise InputError(f"importance table: missing columns {missing} (expected {needed})")
    dupes = importances.duplicated(["dataset", "model", "method", "feature"])
    if dupes.any():
        first = importances[dupes].iloc[0]
        raise InputError(f"importance table: feature {first['feature']!r} appears twice for method "
                         f"{first['method']!r} of model {first['model']!r} on {first['dataset']!r}")
    rows = []
    for (dataset, model), part in importances.groupby(["dataset", "model"], sort=True):
        by_method = {m: _strength(m, g.set_index("feature")["value"].astype(float))
                     for m, g in part.groupby("method", sort=True)}
        for a, b in combinations(sorted(by_method), 2):
            common = sorted(set(by_method[a].index) & set(by_method[b].index))
            sa, sb = by_method[a][common], by_method[b][common]
            rho = np.nan
            if len(common) >= 2 and sa.nunique() > 1 and sb.nunique() > 1:
                rho = float(spearmanr(sa.to_numpy(), sb.to_numpy()).statistic)
            k = min(int(top_k), len(common))
            overlap = len(_top(sa, k) & _top(sb, k)) / k if k > 0 else np.nan
            rows.append({"dataset": dataset, "model": model, "method_a": a, "method_b": b,
                         "features": len(common), "spearman": rho, "top_k": k, "overlap": overlap})
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


# ---------------------------------------------------------------- deletion

def _shap_matrix(shap: pd.DataFrame, X: pd.DataFrame) -> np.ndarray:
    """SHAP values aligned with X's rows and columns; accepts the stored table's shap:<f> columns."""
    cols = list(X.columns)
    if all(c in shap.columns for c in cols):
        values = shap[cols]
    elif all(SHAP_PREFIX + c in shap.columns for c in cols):
        values = shap[[SHAP_PREFIX + c for c in cols]]
    else:
        raise InputError(f"SHAP values: expected a column per feature of X ({cols}), plain or as shap:<feature>")
    if len(values) != len(X) or not values.index.equals(X.index):
        raise InputError("SHAP values: expected the same rows (index) as X, in the same order")
    return values.to_numpy(dtype="float64")


def shap_deletion(model_output, X: pd.DataFrame, shap: pd.DataFrame, background: pd.DataFrame, *, k_max: int,
                  n_random: int, seed: int, n_background: int = 20) -> pd.DataFrame:
    """Mean |f(x) - E_b f(x with k features taken from background row b)| over the rows of X, for
    k = 0..k_max, the k features being those with the largest |SHAP| of the row ("shap") or the
    first k of a random order (n_random seeded orders per row, averaged: "random").

    model_output(DataFrame) -> 1-D array is the explained output (a probability or a prediction).
    The replacement is interventional: n_background seeded rows of `background`, f averaged over
    them. Columns order, k, change. One model call per k covers all rows, background rows and orders."""
    p = X.shape[1]
    if not 0 <= int(k_max) <= p:
        raise InputError(f"k_max: expected 0..{p} (the number of features), got {k_max!r}")
    if int(n_random) < 1 or int(n_background) < 1:
        raise InputError(f"n_random and n_background: expected positive numbers, got {n_random!r}, {n_background!r}")
    missing = [c for c in X.columns if c not in background.columns]
    if missing:
        raise InputError(f"background: missing feature columns {missing}")
    values = _shap_matrix(shap, X)
    rng = np.random.default_rng(seed)
    take = rng.choice(len(background), size=int(n_background), replace=len(background) < int(n_background))
    bg = background[list(X.columns)].to_numpy(dtype="float64")[np.sort(take)]
    x = X.to_numpy(dtype="float64")
    n, m = len(x), len(bg)
    # Per row: features by descending |SHAP|, ties by column position (stable sort).
    shap_order = np.argsort(-np.abs(values), axis=1, kind="stable")
    random_orders = np.stack([np.argsort(rng.random((n, p)), axis=1) for _ in range(int(n_random))])  # (R, n, p)
    orders = np.concatenate([shap_order[None], random_orders])  # (1 + R, n, p)
    f_x = np.asarray(model_output(X), dtype="float64").reshape(-1)
    if f_x.shape != (n,):
        raise InputError(f"model_output: expected a 1-D array of {n} values for {n} rows, got shape {f_x.shape}")
    dtypes = X.dtypes
    rows = [{"order": "shap", "k": 0, "change": 0.0}, {"order": "random", "k": 0, "change": 0.0}]
    for k in range(1, int(k_max) + 1):
        # Mask (orders, rows, features): the first k features of each row's order are replaced.
        mask = np.zeros(orders.shape, dtype=bool)
        np.put_along_axis(mask, orders[:, :, :k], True, axis=2)
        batch = np.where(mask[:, :, None, :], bg[None, None, :, :], x[None, :, None, :])  # (O, n, m, p)
        frame = pd.DataFrame(batch.reshape(-1, p), columns=X.columns).astype(dtypes)
        out = np.asarray(model_output(frame), dtype="float64").reshape(len(orders), n, m).mean(axis=2)
        change = np.abs(f_x[None, :] - out).mean(axis=1)  # (O,): mean over rows
        rows.append({"order": "shap", "k": k, "change": float(change[0])})
        rows.append({"order": "random", "k": k, "change": float(np.mean(change[1:]))})
    return pd.DataFrame(rows, columns=DELETION_COLUMNS).sort_values(["order", "k"], ascending=[False, True],
                                                                    kind="mergesort").reset_index(drop=True)


def deletion_area(curve: pd.DataFrame) -> pd.DataFrame:
    """Trapezoid area under change against k / k_max per order (in the output's units): the
    larger the SHAP order's area compared with the random order's, the more faithful SHAP's
    ranking."""
    missing = [c for c in DELETION_COLUMNS if c not in curve.columns]
    if missing or curve.empty:
        raise InputError(f"deletion curve: missing columns {missing} or no rows (expected {DELETION_COLUMNS})")
    groups = [c for c in ("dataset", "model") if c in curve.columns] + ["order"]
    rows = []
    for key, part in curve.groupby(groups, sort=False):
        part = part.sort_values("k")
        k = part["k"].to_numpy(dtype="float64")
        x = k / k.max() if k.max() > 0 else k
        rows.append({**dict(zip(groups, key if isinstance(key, tuple) else (key,))),
                     "area": float(np.trapezoid(part["change"].to_numpy(dtype="float64"), x))})
    return pd.DataFrame(rows, columns=groups + ["area"])
