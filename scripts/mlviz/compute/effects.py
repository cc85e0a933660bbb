"""Feature effects of fitted models: partial dependence (the average response as one feature is set
to each grid value) with ICE lines (the same for single rows), and two-way partial dependence,
all computed with scikit-learn's partial_dependence and stored as tidy tables.

Grids: scikit-learn's own (grid_resolution points between the 5th and 95th percentiles; a column
with fewer distinct values than grid_resolution, such as a 0/1 indicator, gets exactly its values).
Responses: a classifier's probability of one class (binary default: the positive class, 1), a
regressor's prediction. Both tables are computed by brute force on a seeded sample of rows (never
the "recursion" shortcut, which gives a classifier's decision function instead of probabilities)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .importance import batched, unnamed_input

PD_COLUMNS = ["feature", "kind", "line", "grid_value", "value"]
TWO_WAY_COLUMNS = ["feature_x", "feature_y", "x", "y", "value"]
SUMMARY_COLUMNS = ["feature", "range", "spearman", "monotone", "points"]


def top_features(importances: pd.DataFrame, dataset: str, model: str, k: int) -> list[str]:
    """The k features with the largest permutation importance (mean score drop, descending; ties
    by name), among those whose importance is above zero."""
    needed = ["dataset", "model", "method", "feature", "value"]
    missing = [c for c in needed if c not in importances.columns]
    if missing:
        raise InputError(f"importance table: missing columns {missing} (expected {needed})")
    rows = importances[(importances["dataset"] == dataset) & (importances["model"] == model)
                       & (importances["method"] == "permutation")]
    if rows.empty:
        raise InputError(f"importance table: no permutation importances of model {model!r} on dataset "
                         f"{dataset!r}")
    rows = rows[rows["value"] > 0].sort_values(["value", "feature"], ascending=[False, True], kind="mergesort")
    return rows["feature"].head(int(k)).tolist()


# ---------------------------------------------------------------- compute

def _sample(X: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """A seeded sample of n rows in their original order (all rows when there are fewer)."""
    if len(X) <= n:
        return X
    keep = np.sort(np.random.default_rng(seed).choice(len(X), size=int(n), replace=False))
    return X.iloc[keep]


def _as_float(X: pd.DataFrame) -> pd.DataFrame:
    """scikit-learn's partial_dependence rejects integer columns (implicit rounding of the grid):
    they are passed as floats, which the fitted trees read the same way."""
    ints = [c for c in X.columns if pd.api.types.is_integer_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c])]
    return X.astype({c: "float64" for c in ints}) if ints else X


def _output(model, result, class_index: int | None):
    """(average, individual or None) of the explained output from partial_dependence's Bunch."""
    from sklearn.base import is_classifier

    average = np.asarray(result["average"], dtype="float64")
    individual = result.get("individual")
    individual = None if individual is None else np.asarray(individual, dtype="float64")
    k = 0
    flip = False
    if is_classifier(model):
        n_classes = len(getattr(model, "classes_", []))
        if n_classes == 2:
            # scikit-learn returns the positive class (1) only; class 0 is its complement.
            if class_index not in (None, 0, 1):
                raise InputError(f"class_index: expected 0 or 1 for a binary classifier, got {class_index!r}")
            flip = class_index == 0
        else:
            if class_index is None or not 0 <= int(class_index) < n_classes:
                raise InputError(f"class_index: expected a class index 0..{n_classes - 1} for a classifier of "
                                 f"{n_classes} classes, got {class_index!r}")
            k = int(class_index)
    avg = average[k]
    ind = None if individual is None else individual[k]
    if flip:
        avg = 1.0 - avg
        ind = None if ind is None else 1.0 - ind
    return avg, ind


def _check_features(X: pd.DataFrame, features) -> None:
    missing = [f for f in features if f not in X.columns]
    if missing:
        raise InputError(f"features {missing}: not columns of the model's data (columns: {list(X.columns)})")


def partial_dependence_table(model, X: pd.DataFrame, features: list[str], *, grid_resolution: int = 20,
                             ice_rows: int = 100, seed: int = 0, class_index: int | None = None) -> pd.DataFrame:
    """Partial dependence and ICE lines of each feature, on a seeded sample of ice_rows rows of X
    (the average is over the same rows). Columns feature, kind ("average" | "individual"), line
    (the ICE row's index label in X, -1 for the average), grid_value (in the data's units: every
    model sees them), value (the response)."""
    from sklearn.inspection import partial_dependence

    _check_features(X, features)
    rows = _as_float(_sample(X, ice_rows, seed))
    labels = rows.index.to_numpy()
    if not np.issubdtype(labels.dtype, np.integer):
        labels = np.arange(len(rows))  # line ids must be plain integers: positions when the index is not
    parts = []
    array, column = rows.to_numpy(dtype="float64"), {c: i for i, c in enumerate(rows.columns)}
    def compute():  # a plain array: the same grid and predictions, without pandas' cost per call
        return [partial_dependence(model, array, [column[f]], kind="both", grid_resolution=grid_resolution,
                                   method="brute") for f in features]

    with unnamed_input():
        results = batched(model, compute)
    for feature, result in zip(features, results):
        grid = np.asarray(result["grid_values"][0], dtype="float64")
        average, individual = _output(model, result, class_index)
        n_grid = len(grid)
        parts.append(pd.DataFrame({"feature": feature, "kind": "average", "line": -1, "grid_value": grid,
                                   "value": average}))
        parts.append(pd.DataFrame({"feature": feature, "kind": "individual",
                                   "line": np.repeat(labels, n_grid).astype("int64"),
                                   "grid_value": np.tile(grid, len(labels)), "value": individual.ravel()}))
    table = pd.concat(parts, ignore_index=True)
    table["line"] = table["line"].astype("int64")
    return table[PD_COLUMNS]


def two_way_table(model, X: pd.DataFrame, pair: tuple[str, str], *, grid_resolution: int = 12,
                  class_index: int | None = None, seed: int = 0, max_rows: int = 500) -> pd.DataFrame:
    """Two-way partial dependence of a pair of features (average over a seeded sample of max_rows
    rows). Columns feature_x, feature_y, x, y (data units), value."""
    from sklearn.inspection import partial_dependence

    fx, fy = pair
    if fx == fy:
        raise InputError(f"pair: expected two different features, got {pair!r}")
    _check_features(X, [fx, fy])
    rows = _as_float(_sample(X, max_rows, seed))
    array = rows.to_numpy(dtype="float64")
    with unnamed_input():
        result = batched(model, lambda: partial_dependence(
            model, array, [rows.columns.get_loc(fx), rows.columns.get_loc(fy)], kind="average",
            grid_resolution=grid_resolution, method="brute"))
    gx, gy = (np.asarray(g, dtype="float64") for g in result["grid_values"])
    average, _ = _output(model, result, class_index)
    xx, yy = np.meshgrid(gx, gy, indexing="ij")  # average is (len(gx), len(gy))
    return pd.DataFrame({"feature_x": fx, "feature_y": fy, "x": xx.ravel(), "y": yy.ravel(),
                         "value": np.asarray(average).reshape(len(gx), len(gy)).ravel()})[TWO_WAY_COLUMNS]


# ---------------------------------------------------------------- summary

def _shape(grid: np.ndarray, value: np.ndarray, tol: float) -> tuple[float, str]:
    """(Spearman correlation of grid and response, monotone verdict) of one average curve."""
    from scipy.stats import spearmanr

    span = float(value.max() - value.min()) if len(value) else 0.0
    if len(value) < 2 or span <= tol:
        return np.nan, "flat"  # no direction to correlate with
    if len(value) == 2:
        rho = float(np.sign(value[1] - value[0]))  # two points: Spearman's rho is the sign of the step
    else:
        rho = float(spearmanr(grid, value).statistic)
    # Largest fall below an earlier peak and largest rise above an earlier trough (not single steps:
    # many small steps down add up to a fall).
    fall = float(np.max(np.maximum.accumulate(value) - value))
    rise = float(np.max(value - np.minimum.accumulate(value)))
    if fall <= tol:
        return rho, "increasing"
    if rise <= tol:
        return rho, "decreasing"
    return rho, "mixed"


def effect_summary(table: pd.DataFrame, *, tolerance: float = 0.05) -> pd.DataFrame:
    """Per feature of partial_dependence_table's average curves: range (max - min), spearman (rank
    correlation of grid_value and the response; NaN for a flat curve, the sign of the step for a
    two-point one), monotone ("increasing" | "decreasing" | "flat" | "mixed"), points (grid size).

    Tolerance: tol = `tolerance` x the largest range among the features (of the same dataset and
    model, when the table has those columns). A curve is "flat" when its range is at most tol,
    "increasing" when it never falls more than tol below an earlier value, "decreasing" when it never
    rises more than tol above one, else "mixed": the small wiggles of tree ensembles do not make a
    rising curve "mixed"."""
    missing = [c for c in ("feature", "kind", "grid_value", "value") if c not in table.columns]
    if missing:
        raise InputError(f"partial dependence table: missing columns {missing} (expected {PD_COLUMNS})")
    average = table[table["kind"] == "average"]
    groups = [c for c in ("dataset", "model") if c in average.columns]
    out = []
    for _, part in (average.groupby(groups, sort=False) if groups else [(None, average)]):
        curves = {f: c.sort_values("grid_value") for f, c in part.groupby("feature", sort=False)}
        largest = max(float(c["value"].max() - c["value"].min()) for c in curves.values())
        tol = tolerance * largest
        for feature, curve in curves.items():
            grid, value = curve["grid_value"].to_numpy(float), curve["value"].to_numpy(float)
            rho, verdict = _shape(grid, value, tol)
            row = {c: part[c].iloc[0] for c in groups}
            out.append({**row, "feature": feature, "range": float(value.max() - value.min()), "spearman": rho,
                        "monotone": verdict, "points": int(len(value))})
    return pd.DataFrame(out, columns=groups + SUMMARY_COLUMNS)
