"""Global feature importance (impurity, permutation, linear coefficients) as tidy parts of the
importance table — dataset, model, method, feature, value, spread — and the one rule for
ordering every importance table of the run (the gathered table, the figures, the article).

Ordering: larger is more important for every method but the coefficients, whose sign is a
direction, not a rank: a permutation importance of −0.01 (shuffling helped a little: noise) ranks
below +0.001, while a coefficient of −5 outranks +3. Ties go by feature name.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd

COLUMNS = ["dataset", "model", "method", "feature", "value", "spread"]
SIGNED_BY_MAGNITUDE = ("coefficient",)
# A permutation importance whose mean is within NOISE_SDS standard deviations (over the repeats) of
# zero cannot be told apart from zero.
NOISE_SDS = 2.0


def rank_key(table: pd.DataFrame) -> pd.Series:
    """The value a row is ranked by (descending): |value| for coefficients, value otherwise."""
    by_magnitude = table["method"].isin(SIGNED_BY_MAGNITUDE) if "method" in table else False
    return table["value"].abs().where(by_magnitude, table["value"])


def ordered(table: pd.DataFrame) -> pd.DataFrame:
    """Rows most important first (see the module's docstring), ties by feature name."""
    key = table.assign(_rank=-rank_key(table))
    sort = [c for c in ("dataset", "model", "method") if c in table] + ["_rank", "feature"]
    return table.loc[key.sort_values(sort, kind="mergesort").index].reset_index(drop=True)


def within_noise(value, spread) -> np.ndarray:
    """True where a permutation importance cannot be told apart from zero."""
    return np.asarray(value) <= NOISE_SDS * np.asarray(spread)


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


@contextmanager
def unnamed_input():
    """For passing a model fitted on named columns a plain array of the same columns, in the same
    order: the predictions are the same, without the warning that the names are missing. For loops
    that predict thousands of times (permutation importance, partial dependence), where pandas'
    column handling and XGBoost's DataFrame conversion cost more than the predictions."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        yield


def permutation(estimator, X: pd.DataFrame, y: np.ndarray, *, n_repeats: int, random_state: int,
                scoring: str | None, max_rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Drop in test score when one column is shuffled: mean and standard deviation over repeats,
    each repeat on max_rows seeded rows when the test split is larger. One job (n_jobs=1), so that
    the result does not depend on the number of cores."""
    from sklearn.inspection import permutation_importance

    rows = max_rows if max_rows and max_rows < len(X) else 1.0  # 1.0: every row, in the same draw order
    # A plain array: the same shuffles and scores as with the DataFrame, 4-10 times faster on wide tables.
    with unnamed_input():
        result = permutation_importance(estimator, X.to_numpy(dtype="float64"), y, n_repeats=n_repeats,
                                        random_state=random_state, scoring=scoring, n_jobs=1, max_samples=rows)
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
