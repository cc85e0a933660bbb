"""Models: the registry matches the libraries, files load without pickle, and the tutorial's
findings hold on its real data."""
from __future__ import annotations

import importlib
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_DATA

from mlviz.compute import models
from mlviz.errors import InputError
from mlviz.config.estimators import ESTIMATORS


@pytest.mark.parametrize("key", sorted(ESTIMATORS))
def test_registry_lists_the_estimators_own_parameters(key):
    module, cls, accepted, _ = ESTIMATORS[key]
    estimator = getattr(importlib.import_module(module), cls)()
    own = set(estimator.get_params())
    assert set(accepted) <= own
    # Only XGBoost's callback-style and categorical knobs are left out on purpose.
    assert own - set(accepted) <= {"callbacks", "early_stopping_rounds", "enable_categorical", "eval_metric",
                                   "feature_types", "feature_weights", "max_cat_threshold", "max_cat_to_onehot",
                                   "objective_", "missing_"}


def _fit(model_type, task):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.random((60, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0.5).astype(int).to_numpy() if task == "classification" else X["a"].to_numpy() * 3
    params = {"random_state": 0} if model_type != "linear" or task == "classification" else {}
    return models.build(model_type, task, params).fit(X, y), X


@pytest.mark.parametrize("key", sorted(ESTIMATORS))
def test_models_round_trip_and_save_reproducibly(tmp_path, key):
    model_type, task = key
    model, X = _fit(model_type, task)
    path = tmp_path / f"m.{ESTIMATORS[key][3]}"
    models.save(model, path)
    again = models.load(path, model_type, task)
    np.testing.assert_array_equal(model.predict(X), again.predict(X))
    # The same fit, saved again: identical bytes (no timestamps in the file).
    models.save(_fit(model_type, task)[0], tmp_path / f"n.{ESTIMATORS[key][3]}")
    assert path.read_bytes() == (tmp_path / f"n.{ESTIMATORS[key][3]}").read_bytes()


def test_a_tampered_skops_file_is_refused_without_running_code(tmp_path):
    model, _ = _fit("random_forest", "classification")
    path = tmp_path / "m.skops"
    models.save(model, path)
    # Swap the estimator's type for os.system, as an attacker would, keeping the file well-formed.
    src = zipfile.ZipFile(path)
    schema = json.loads(src.read("schema.json"))
    schema["__module__"], schema["__class__"] = "os", "system"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, json.dumps(schema) if name == "schema.json" else src.read(name))
    path.write_bytes(out.getvalue())
    with pytest.raises(InputError, match=r"refusing to load a model file with untrusted type\(s\) os\.system"):
        models.load(path, "random_forest", "classification")


def test_a_corrupt_xgboost_file_fails_cleanly(tmp_path):
    path = tmp_path / "m.ubj"
    path.write_bytes(b"{\x00 not a model __import__('os').system('touch pwned')")
    with pytest.raises(Exception):
        models.load(path, "xgboost", "regression")
    assert not (tmp_path / "pwned").exists()


# ------------------------------------------------------------------ the tutorial's findings


def _metric(run, dataset, model, metric):
    table = pd.read_parquet(run / "metrics.parquet")
    return table.query("dataset == @dataset and model == @model and metric == @metric")["value"].item()


def test_metrics_table_is_tidy_and_complete(real_run):
    table = pd.read_parquet(real_run / "metrics.parquet")
    assert list(table.columns) == ["dataset", "model", "split", "metric", "value"]
    classifiers = {("mba", "decision_tree"), ("mba", "random_forest"), ("mba_binary", "random_forest")}
    for ds, m in classifiers:
        got = set(table.query("dataset == @ds and model == @m")["metric"])
        assert {"accuracy", "balanced_accuracy", "roc_auc", "average_precision"} <= got
    for m in ("xgboost", "linear"):
        assert set(table.query("dataset == 'insurance' and model == @m")["metric"]) == {"r2", "rmse", "mae"}


def test_real_data_random_forest_ranks_gpa_gmat_work_exp_first(real_run):
    meta = json.loads((real_run / "data/mba/meta.json").read_text())
    rf = models.load(real_run / "models/mba/random_forest.skops", "random_forest", "classification")
    ranked = [f for _, f in sorted(zip(rf.feature_importances_, meta["features"]), reverse=True)]
    assert ranked[:3] == ["gpa", "gmat", "work_exp"]


def test_real_data_linear_coefficients_smoker_then_age_then_bmi(real_run):
    meta = json.loads((real_run / "data/insurance/meta.json").read_text())
    lr = models.load(real_run / "models/insurance/linear.skops", "linear", "regression")
    coef = dict(zip(lr[:-1].get_feature_names_out(), models.final_step(lr).coef_))
    ranked = sorted(meta["features"], key=lambda f: -coef[f])
    assert ranked[:3] == ["smoker", "age", "bmi"]


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_the_linear_model_standardises_its_own_columns_only(tmp_path, task):
    """Scaling belongs to the linear model: its pipeline standardises the named columns (train
    statistics), passes the others through, predicts the same from a named table or a plain array,
    survives a save and load, and its coefficients are per standard deviation for the scaled
    columns and per unit for the rest, in the features' order."""
    from sklearn.linear_model import LinearRegression, LogisticRegression

    from mlviz.compute import importance

    rng = np.random.default_rng(1)
    X = pd.DataFrame({"age": rng.integers(18, 80, 200).astype(float), "flag": rng.integers(0, 2, 200),
                      "income": rng.normal(50_000, 9_000, 200)})
    signal = 0.05 * X["age"] + X["flag"] + X["income"] / 10_000
    y = (signal > signal.median()).astype(int).to_numpy() if task == "classification" else signal.to_numpy()
    model = models.build("linear", task, {}, [0, 2]).fit(X, y)
    Z = X.copy()
    for c in ("age", "income"):
        Z[c] = (X[c] - X[c].mean()) / X[c].std(ddof=0)
    plain = (LogisticRegression() if task == "classification" else LinearRegression()).fit(Z, y)
    path = tmp_path / "linear.skops"
    models.save(model, path)
    again = models.load(path, "linear", task)
    with importance.unnamed_input():  # a plain array, as permutation importance passes it
        np.testing.assert_allclose(again.predict(X.to_numpy()), plain.predict(Z))
    if task == "regression":
        coef, se = importance.coefficients(again, X, y)
        np.testing.assert_allclose(coef, plain.coef_, rtol=1e-8)
        assert (se > 0).all()


def test_real_data_binary_forest_auc_is_the_tutorials(real_run):
    assert _metric(real_run, "mba_binary", "random_forest", "roc_auc") == pytest.approx(0.84, abs=0.01)
    assert _metric(real_run, "mba_binary", "random_forest", "pr_auc_trapezoid") == pytest.approx(0.42, abs=0.01)
