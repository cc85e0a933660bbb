"""Where the model fails: slices of the test rows whose error is worse than the model's overall error.

A slice is one value of a raw column the models read (a level of a text or yes/no column, a
whole number with few values), one quantile bin of a number, or the rows where a column was
empty; slices are cut from the raw CSV's cells, so they are named in the data's own words and
units ("smoker = yes", "age: 39 to 51", where 39 and 51 are the lowest and highest ages in the bin,
as the file writes them). Only slices holding at least `min_share` of the test rows, and not all of
them, are tried.

The error of a row: misclassified (0/1) for classification, |truth - prediction| for regression.
Each slice's mean error gets a confidence interval at level 1 - (1 - level) / m, m the number of
slices tried (Bonferroni: the chance that any slice is flagged where the error is in truth uniform
stays below 1 - level): Clopper-Pearson for a rate, Student's t for a mean absolute error. A slice
is flagged when its interval lies wholly above the overall error.

Table (per dataset and model): dataset, model, column, slice, kind, value, low, high, rows, share,
metric, error, rest_error, overall_error, lower, upper, level, tried, flagged
    kind: "level" | "bin" | "missing"; value: the level's text (levels), low/high: the bin's lowest
    and highest value as written in the file (bins); level: the per-slice confidence level after
    the correction; tried: m. Rows ordered by column (in the data's order), then by slice.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import InputError

COLUMNS = ["dataset", "model", "column", "slice", "kind", "value", "low", "high", "rows", "share", "metric", "error",
           "rest_error", "overall_error", "lower", "upper", "level", "tried", "flagged"]
# A number with at most this many distinct values in the test rows is sliced by value, not by bins.
MAX_VALUES = 10


def row_errors(predictions: pd.DataFrame, task: str) -> tuple[str, pd.Series]:
    """(metric, error per test row)."""
    for col in ("y_true", "y_pred"):
        if col not in predictions.columns:
            raise InputError(f"predictions: missing column {col!r} (expected y_true and y_pred)")
    if task == "classification":
        return "misclassification", (predictions["y_true"] != predictions["y_pred"]).astype("float64")
    return "mae", (predictions["y_true"].astype("float64") - predictions["y_pred"].astype("float64")).abs()


def candidate_slices(values: pd.Series, *, bins: int) -> list[dict]:
    """Slices of one raw column over the test rows: {kind, slice, value, low, high, mask}."""
    from .diagnostics import raw_numbers

    col = str(values.name)
    text = values.astype("string").str.strip()
    num = raw_numbers(values)
    out = []
    present = text.notna()
    if num is not None and num.nunique() > MAX_VALUES:
        # Quantile bins over the distinct values' ranks keep equal values in one bin.
        cut = pd.qcut(num[present], bins, duplicates="drop")
        for interval in cut.cat.categories:
            mask = pd.Series(False, index=values.index)
            mask[cut.index[cut == interval]] = True
            inside = num[mask]
            lo_at, hi_at = inside.idxmin(), inside.idxmax()
            lo, hi = str(text[lo_at]), str(text[hi_at])
            out.append({"kind": "bin", "slice": f"{col}: {lo} to {hi}", "value": None, "low": lo, "high": hi,
                        "mask": mask.to_numpy()})
    else:
        keys = num[present] if num is not None else text[present]
        for key in sorted(keys.unique()):
            mask = (present & (num == key)) if num is not None else (text == key).fillna(False)
            shown = str(text[mask.to_numpy()].iloc[0])  # as the file writes it
            out.append({"kind": "level", "slice": f"{col} = {shown}", "value": shown, "low": None, "high": None,
                        "mask": mask.to_numpy(dtype=bool)})
    if (~present).any():
        out.append({"kind": "missing", "slice": f"{col} is empty", "value": None, "low": None, "high": None,
                    "mask": (~present).to_numpy()})
    return out


def _interval(errors: np.ndarray, metric: str, level: float) -> tuple[float, float]:
    from scipy import stats

    n = len(errors)
    if metric == "misclassification":
        from .diagnostics import clopper_pearson

        return clopper_pearson(int(round(errors.sum())), n, level)
    mean = float(errors.mean())
    if n < 2:
        return np.nan, np.nan
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * float(errors.std(ddof=1)) / math.sqrt(n)
    return mean - half, mean + half


def slices(raw_test: pd.DataFrame, predictions: pd.DataFrame, *, task: str, columns: list[str], min_share: float,
           bins: int, level: float, dataset: str | None = None, model: str | None = None) -> pd.DataFrame:
    """The slice table (columns in the module's docstring). raw_test: the raw CSV's cells of the test
    rows (index: CSV row), predictions: the model's stored test predictions (same rows)."""
    missing = [c for c in columns if c not in raw_test.columns]
    if missing:
        raise InputError(f"raw table: missing column(s) {missing[:3]} (expected the columns the models read)")
    if not raw_test.index.equals(predictions.index):
        raw_test = raw_test.reindex(predictions.index)
    metric, errors = row_errors(predictions, task)
    err = errors.to_numpy()
    n = len(err)
    overall = float(err.mean()) if n else np.nan
    least = max(1, math.ceil(min_share * n))
    tried = []
    for col in columns:
        for s in candidate_slices(raw_test[col].rename(col), bins=bins):
            size = int(s["mask"].sum())
            if least <= size < n:
                tried.append({"column": col, **s})
    m = len(tried)
    each = 1.0 - (1.0 - level) / m if m else level
    rows = []
    for s in tried:
        mask = s.pop("mask")
        inside, rest = err[mask], err[~mask]
        lower, upper = _interval(inside, metric, each)
        rows.append({"dataset": dataset, "model": model, **s, "rows": int(mask.sum()), "share": mask.mean(),
                     "metric": metric, "error": float(inside.mean()), "rest_error": float(rest.mean()),
                     "overall_error": overall, "lower": lower, "upper": upper, "level": each, "tried": m,
                     "flagged": bool(np.isfinite(lower) and lower > overall)})
    return pd.DataFrame(rows, columns=COLUMNS)
