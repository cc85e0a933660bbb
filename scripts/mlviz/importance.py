"""Global feature-importance tables (impurity, permutation, linear coefficients), each as a tidy
part of the importance table: dataset, model, method, feature, value, spread."""
from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["dataset", "model", "method", "feature", "value", "spread"]


def ordered(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in descending |value| (ties by feature name) — the order of the gathered table
    (scripts/gather_importances.py) and the order every importance figure draws."""
    key = table.assign(_abs=table["value"].abs())
    key = key.sort_values(["_abs", "feature"], ascending=[False, True], kind="mergesort")
    return table.loc[key.index].reset_index(drop=True)


def tidy(dataset: str, model: str, method: str, features, value, spread) -> pd.DataFrame:
    table = pd.DataFrame({"dataset": dataset, "model": model, "method": method,
                          "feature": list(features), "value": np.asarray(value, dtype="float64"),
                          "spread": np.asarray(spread, dtype="float64")})
    return ordered(table)[COLUMNS]


def impurity(estimator, features: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Mean decrease in impurity and, for a forest, its standard deviation across the trees."""
    value = estimator.feature_importances_
    trees = getattr(estimator, "estimators_", None)
    if trees is None:
        return value, np.zeros(len(features))
    return value, np.std([t.feature_importances_ for t in trees], axis=0)


def permutation(estimator, X: pd.DataFrame, y: np.ndarray, n_repeats: int, random_state: int,
                scoring: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Drop in test score when one column is shuffled: mean and standard deviation over repeats.
    One job, so that the result does not depend on the number of cores."""
    from sklearn.inspection import permutation_importance

    result = permutation_importance(estimator, X, y, n_repeats=n_repeats, random_state=random_state,
                                    scoring=scoring, n_jobs=1)
    return result.importances_mean, result.importances_std


def coefficients(estimator, X: pd.DataFrame, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A fitted least-squares model's coefficients and their classical standard errors
    sigma^2 (X'X)^-1 on the training data it was fitted on (no refit; scikit-learn has no
    standard errors, so they are computed here)."""
    coef = np.ravel(estimator.coef_)
    design = X.to_numpy(dtype="float64")
    if getattr(estimator, "fit_intercept", True):
        design = np.column_stack([np.ones(len(design)), design])
    dof = len(design) - design.shape[1]
    if dof <= 0:
        return coef, np.zeros_like(coef)
    residuals = y - estimator.predict(X)
    sigma2 = residuals @ residuals / dof
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return coef, se[1:] if getattr(estimator, "fit_intercept", True) else se
