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


PREDICT_METHODS = ("predict", "predict_proba", "decision_function")
BATCH_CELLS = 10_000_000  # recorded input cells (80 MB of float64) predicted in one call at most


def batched(model, compute, *, max_cells: int = BATCH_CELLS):
    """compute()'s result, with the model's many small predictions made in a few large calls.

    scikit-learn's permutation importance and brute-force partial dependence predict once per
    shuffle or grid value; a random forest spends most of each call on per-tree overhead (about
    17 ms per call for 100 trees, against 2 ms for 100 rows within a larger call). compute() runs
    twice: first the model's prediction methods record their inputs (and answer a constant
    prediction of the right shape, discarded), the recorded rows are predicted in large calls,
    then compute() runs again and each call is answered, in order, with its rows' predictions.
    compute must be deterministic (seeded).

    Tree ensembles only (scikit-learn's forests, XGBoost): each row's prediction is a sum over its
    trees in a fixed order whatever else is in the call, so the result is the same as without
    batching, bit for bit. Other models run compute() once, as it is: a single tree costs little per
    call, and a linear model's matrix product may round differently in a larger call."""
    if not (len(getattr(model, "estimators_", ())) > 1 or hasattr(model, "get_booster")):
        return compute()
    methods = [m for m in PREDICT_METHODS if callable(getattr(model, m, None))]
    own = {m: m in vars(model) for m in methods}
    original = {m: getattr(model, m) for m in methods}
    pending = {m: [] for m in methods}
    answers = {m: [] for m in methods}
    cells, inside = 0, False

    def predict(m, X):
        # The model's own methods call each other (a forest's predict calls self.predict_proba): those
        # calls must reach the real methods, not the recorder.
        nonlocal inside
        inside = True
        try:
            return original[m](X)
        finally:
            inside = False

    def flush():
        nonlocal cells
        for m in methods:
            if pending[m]:
                sizes = np.cumsum([len(x) for x in pending[m]])[:-1]
                answers[m].extend(np.split(predict(m, np.concatenate(pending[m])), sizes))
                pending[m].clear()
        cells = 0

    def recorder(m):
        template = []

        def record(X):
            nonlocal cells
            if inside:
                return original[m](X)
            X = np.array(X, dtype="float64")  # a copy: callers shuffle one array in place between calls
            if not template:
                template.append(predict(m, X[:1]))
            pending[m].append(X)
            cells += X.size
            if cells >= max_cells:
                flush()
            return np.repeat(template[0], len(X), axis=0)
        record.__name__ = m  # scikit-learn reads the method's name to post-process its output
        return record

    def replayer(m):
        queue = iter(answers[m])

        def replay(X):
            if inside:
                return original[m](X)
            out = next(queue, None)
            if out is None or len(out) != len(X):
                raise RuntimeError(f"batched predictions: the second pass called {m} differently from the first")
            return out
        replay.__name__ = m
        return replay

    try:
        for m in methods:
            setattr(model, m, recorder(m))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scores of the constant placeholder predictions
            compute()
        flush()
        for m in methods:
            setattr(model, m, replayer(m))
        return compute()
    finally:
        for m in methods:
            if own[m]:
                setattr(model, m, original[m])
            else:
                vars(model).pop(m, None)


def permutation(estimator, X: pd.DataFrame, y: np.ndarray, *, n_repeats: int, random_state: int,
                scoring: str | None, max_rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Drop in test score when one column is shuffled: mean and standard deviation over repeats,
    each repeat on max_rows seeded rows when the test split is larger. One job (n_jobs=1), so that
    the result does not depend on the number of cores."""
    from sklearn.inspection import permutation_importance

    rows = max_rows if max_rows and max_rows < len(X) else 1.0  # 1.0: every row, in the same draw order
    # A plain array: the same shuffles and scores as with the DataFrame, 4-10 times faster on wide tables.
    array = X.to_numpy(dtype="float64")
    with unnamed_input():
        scorer = scoring if scoring is not None else own_score(estimator, array, y)
        result = batched(estimator, lambda: permutation_importance(
            estimator, array, y, n_repeats=n_repeats, random_state=random_state, scoring=scorer, n_jobs=1,
            max_samples=rows))
    return result.importances_mean, result.importances_std


def _accuracy(estimator, X, y) -> float:
    return float(np.average(np.asarray(y) == np.ravel(estimator.predict(X))))


def _r2(estimator, X, y) -> float:
    # r2_score's own steps: float64 columns, sums down the rows, 1 - residual / total sum of squares.
    true = np.asarray(y, dtype="float64").reshape(-1, 1)
    pred = np.asarray(estimator.predict(X), dtype="float64").reshape(-1, 1)
    residual = np.sum(1.0 * (true - pred) ** 2, axis=0)[0]
    total = np.sum(1.0 * (true - np.average(true, axis=0)) ** 2, axis=0)[0]
    if residual == 0:
        return 1.0
    return 0.0 if total == 0 else float(1 - residual / total)


def own_score(estimator, X: np.ndarray, y: np.ndarray):
    """The estimator's default score (accuracy for a classifier, R² for a regressor) as a plain
    function, or None (scikit-learn's scorer) for anything else or when the two disagree on the
    unshuffled rows. A permutation loop scores thousands of times on a few hundred rows, and
    scikit-learn's scorer checks its inputs on every call: 3 ms of overhead against microseconds
    of arithmetic. Same arithmetic, same result, bit for bit."""
    from sklearn.base import is_classifier, is_regressor
    from sklearn.metrics import check_scoring

    own = _accuracy if is_classifier(estimator) else _r2 if is_regressor(estimator) else None
    if own is None or len(y) < 2:  # scikit-learn's R² of one row is NaN, with a warning
        return None
    return own if own(estimator, X, y) == check_scoring(estimator)(estimator, X, y) else None


def coefficients(estimator, X: pd.DataFrame, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A fitted least-squares model's coefficients, in X's column order, and their classical standard
    errors sigma^2 (D'D)^-1 on the training data it was fitted on, D the design the model itself saw
    (after its pipeline's scaling, so a standardised column's coefficient is per standard deviation;
    no refit; scikit-learn has no standard errors, so they are computed here)."""
    # The pipeline's final step (as mlviz.compute.models.final_step; not imported, so that the article,
    # which orders importances with this module, needs no model library).
    model = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    design = X
    if model is not estimator:  # the pipeline's own transform, back in X's column order
        steps = estimator[:-1]
        design = pd.DataFrame(steps.transform(X), columns=steps.get_feature_names_out(), index=X.index)
        back = [list(design.columns).index(c) for c in X.columns]
        coef = np.ravel(model.coef_)[back]
        design = design[list(X.columns)]
    else:
        coef = np.ravel(model.coef_)
    design = design.to_numpy(dtype="float64")
    if getattr(model, "fit_intercept", True):
        design = np.column_stack([np.ones(len(design)), design])
    dof = len(design) - design.shape[1]
    if dof <= 0:
        return coef, np.zeros_like(coef)
    residuals = y - estimator.predict(X)
    sigma2 = residuals @ residuals / dof
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return coef, se[1:] if getattr(model, "fit_intercept", True) else se
