"""Checks before explanations and where the model fails (mlviz.compute.diagnostics, mlviz.compute.slices,
mlviz.plots.slices): each check on small tables built to hold exactly one defect or none, and the
config keys of their thresholds."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from conftest import resolve_error, small_config

from mlviz.compute import diagnostics as dg
from mlviz.compute import importance
from mlviz.compute import slices as sl
from mlviz.plots.slices import LABEL_WIDTH, draw_slices
from mlviz.plots.style import Style, save


def table(columns: dict, target: str, *, test_every: int = 4):
    """(train, test, meta) from plain columns: every `test_every`-th row is a test row; index = CSV row."""
    df = pd.DataFrame(columns)
    df.index.name = "row"
    test_mask = np.arange(len(df)) % test_every == 0
    features = [c for c in df.columns if c != target]
    meta = {"dataset": "t", "task": "classification" if df[target].dtype.kind in "iub" else "regression",
            "target": target, "target_column": target, "features": features, "levels": {}, "fills": {},
            "dropped": {}}
    if meta["task"] == "classification":
        meta["classes"] = [str(c) for c in sorted(df[target].unique())]
    return df[~test_mask], df[test_mask], meta


def raw_of(*frames) -> pd.DataFrame:
    """The raw CSV as mlviz reads it: every cell as text."""
    df = pd.concat(frames).sort_index()
    return df.astype(object).where(df.notna(), None).map(lambda v: None if v is None else str(v))


# ---------------------------------------------------------------- config


def _broken(mutate):
    cfg = json.loads(json.dumps(small_config("broken")))
    mutate(cfg)
    return cfg


BAD = [
    (lambda c: c.setdefault("checks", {}).update(redundancy={"min_rank_correlation": 1.5}),
     r"^config key checks\.redundancy\.min_rank_correlation: 1\.5 is greater than the maximum of 1$"),
    (lambda c: c.setdefault("checks", {}).update(leakage={"min_skill": 0}),
     r"^config key checks\.leakage\.min_skill: 0 is less than or equal to the minimum of 0$"),
    (lambda c: c.setdefault("checks", {}).update(slices={"bins": 1}),
     r"^config key checks\.slices\.bins: 1 is less than the minimum of 2$"),
    (lambda c: c.setdefault("checks", {}).update(columns={"top_share": "most"}),
     r"^config key checks\.columns\.top_share: expected number, got 'most'$"),
    (lambda c: c.setdefault("checks", {}).update(duplicates={"max_shares": 0.1}),
     r"^config key checks\.duplicates\.max_shares: unknown key \(expected one of: max_conflicts, max_share\)$"),
]


@pytest.mark.parametrize("mutate, expected", BAD)
def test_a_bad_threshold_is_refused_in_one_line_naming_its_key(mutate, expected):
    message = resolve_error(_broken(mutate))
    assert re.search(expected, message), message


def test_every_threshold_has_a_default():
    from mlviz.config import schema

    cfg = {"datasets": {"x": {"source": "x.csv", "target": {"column": "y"}}}}
    schema.validate(cfg)
    assert cfg["checks"] == {
        "seed": 42, "level": 0.95, "redundancy": {"min_rank_correlation": 0.97},
        "leakage": {"min_skill": 0.97, "identifier_skill": 0.5},
        "duplicates": {"max_share": 0.05, "max_conflicts": 0.01},
        "columns": {"missing_share": 0.2, "skewness": 20, "top_share": 0.98},
        "slices": {"min_share": 0.05, "bins": 4, "max_drawn": 20}}


# ---------------------------------------------------------------- redundancy


def test_a_rescaled_copy_and_a_column_determined_by_another_form_groups():
    rng = np.random.default_rng(0)
    n = 400
    x = rng.normal(size=n)
    city = rng.choice(["Lyon", "Nice", "Metz", "Brest", "Caen", "Tours"], n)
    region = pd.Series(city).map({"Lyon": "east", "Metz": "east", "Nice": "south", "Brest": "west", "Caen": "west",
                                  "Tours": "west"})
    df = {"x": x, "x_minutes": 3 * x + 10, "noise": rng.normal(size=n),
          "region_east": (region == "east").astype(int), "region_south": (region == "south").astype(int)}
    for c in ("Metz", "Nice", "Brest", "Caen", "Tours"):  # Lyon: the reference level
        df[f"city_{c}"] = (city == c).astype(int)
    df["y"] = rng.integers(0, 2, n)
    train, _, meta = table(df, "y")
    meta["levels"] = {f: {"column": f.split("_")[0], "reference": None} for f in meta["features"]
                      if f.startswith(("region_", "city_"))}
    groups, pairs = dg.redundancy(train, meta, min_rank_correlation=0.97)
    members = {tuple(g["feature"]) for _, g in groups.groupby("group")}
    assert ("x", "x_minutes") in members
    assert tuple(f for f in meta["features"] if f.startswith(("region_", "city_"))) in members
    determined = pairs[pairs["kind"] == "determined"]
    assert determined[["a", "b"]].values.tolist() == [["city", "region"]]  # region is a function of city, not back
    assert not determined["mutual"].iloc[0]
    assert "noise" not in set(groups["feature"])


def test_chance_does_not_make_a_column_determined():
    """A rare yes/no column is constant within most groups of a column with few repeats by chance;
    whole numbers with many rows per value mix both levels: neither is a function."""
    rng = np.random.default_rng(1)
    n = 800
    df = {"amount": rng.integers(0, 600, n), "age": rng.integers(18, 70, n),
          "rare": (rng.random(n) < 0.02).astype(int), "sex": rng.integers(0, 2, n), "y": rng.integers(0, 2, n)}
    # A code with ten repeated values whose rows all hold the rare column's 0: pure, yet by chance.
    code = np.arange(n)
    code[:20] = np.repeat(np.arange(10), 2)
    df["code"] = code
    df["rare"][:20] = 0
    train, _, meta = table(df, "y", test_every=10**9)
    groups, pairs = dg.redundancy(train, meta, min_rank_correlation=0.97)
    assert groups.empty and pairs.empty, pairs


# ---------------------------------------------------------------- leakage


def leaky(n=600, seed=0, sorted_file=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (x[:, 0] + 0.8 * rng.normal(size=n) > 0).astype(int)
    order = np.argsort(y, kind="stable") if sorted_file else np.arange(n)
    x, y = x[order], y[order]
    df = {"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y}
    return df, rng


def test_a_column_that_copies_the_target_is_a_suspect_and_honest_columns_are_not():
    df, rng = leaky()
    df["copy"] = df["y"] + rng.normal(0, 0.01, len(df["y"]))
    train, test, meta = table(df, "y")
    out = dg.leakage(train, test, meta, raw_of(train, test), min_skill=0.97, identifier_skill=0.5).set_index("candidate")
    assert out.loc["copy", "suspect"] and out.loc["copy", "in_model"]
    assert out.loc["copy", "skill"] > 0.99 and out.loc["copy", "skill_cv"] > 0.99
    assert not out.loc[["a", "b", "c", "row number"], "suspect"].any()
    assert out.loc["a", "skill"] < 0.97 and np.isnan(out.loc["a", "skill_cv"])  # confirmed only above the threshold


def test_a_dropped_identifier_issued_in_the_targets_order_is_a_suspect():
    df, rng = leaky(seed=2)
    order = np.lexsort((rng.random(len(df["y"])), df["y"]))
    ident = np.empty(len(order), dtype=int)
    ident[order] = 5000 + np.arange(len(order))
    train, test, meta = table(df, "y")
    raw = raw_of(train, test).assign(customer_no=[str(i) for i in ident])
    meta["dropped"] = {"customer_no": {"reason": "identifier", "numeric": False}}
    out = dg.leakage(train, test, meta, raw, min_skill=0.97, identifier_skill=0.5).set_index("candidate")
    assert out.loc["customer_no", "kind"] == "dropped" and out.loc["customer_no", "suspect"]
    assert not out.loc["customer_no", "in_model"] and not out.loc["row number", "suspect"]


def test_a_file_sorted_by_the_target_is_no_leak_unless_a_feature_counts_the_rows():
    df, _ = leaky(seed=3, sorted_file=True)
    train, test, meta = table(df, "y")
    raw = raw_of(train, test)
    meta["dropped"] = {"id": {"reason": "identifier", "numeric": False}}
    out = dg.leakage(train, test, meta, raw.assign(id=[str(i + 1) for i in raw.index]), min_skill=0.97,
                     identifier_skill=0.5).set_index("candidate")
    assert out.loc["row number", "skill"] > 0.9
    assert not out["suspect"].any(), out[["skill", "suspect", "reason"]]
    assert "ordered by the target" in out.loc["row number", "reason"]
    # The same file with a row counter among the features: the models can read the order.
    df["seq_id"] = np.arange(len(df["y"]))
    train, test, meta = table(df, "y")
    out = dg.leakage(train, test, meta, raw_of(train, test), min_skill=0.97, identifier_skill=0.5).set_index("candidate")
    assert out.loc["seq_id", "identifier_like"] and out.loc["seq_id", "suspect"]
    assert out.loc["row number", "suspect"] and "seq_id counts them" in out.loc["row number", "reason"]


def test_a_regression_leak_is_found_by_its_r2():
    rng = np.random.default_rng(4)
    n = 500
    x = rng.normal(size=n)
    y = 3 * x + rng.normal(size=n)
    df = {"x": x, "leak": y + rng.normal(0, 0.05, n), "y": y}
    train, test, meta = table(df, "y")
    out = dg.leakage(train, test, meta, None, min_skill=0.97, identifier_skill=0.5).set_index("candidate")
    assert out.loc["leak", "suspect"] and out.loc["leak", "metric"] == "r2"
    assert not out.loc["x", "suspect"]


# ---------------------------------------------------------------- duplicates


def test_test_rows_copied_into_train_are_found_and_chance_collisions_are_not():
    df, rng = leaky(seed=5)
    train, test, meta = table(df, "y")
    clean = dg.duplicates(train, test, meta, max_share=0.05, max_conflicts=0.01).set_index("check")
    assert not clean["suspect"].any() and clean.loc["test_in_train", "rows"] == 0
    copies = test.iloc[:15].set_axis(pd.RangeIndex(10_000, 10_015, name="row"))
    out = dg.duplicates(pd.concat([train, copies]), test, meta, max_share=0.05, max_conflicts=0.01).set_index("check")
    assert out.loc["test_in_train", "suspect"] and out.loc["test_in_train", "rows"] == 15
    assert list(out.loc["test_in_train", "csv_rows"]) == test.index[:15].tolist()
    # Three yes/no columns: every test row is some train row's twin, as chance says.
    small = {"p": rng.integers(0, 2, 400), "q": rng.integers(0, 2, 400), "r": rng.integers(0, 2, 400)}
    small["y"] = (small["p"] + rng.random(400) > 1.2).astype(int)
    train, test, meta = table(small, "y")
    out = dg.duplicates(train, test, meta, max_share=0.05, max_conflicts=1.0).set_index("check")
    assert out.loc["test_in_train", "share"] == 1.0 and out.loc["test_in_train", "expected"] > 0.99
    assert not out.loc["test_in_train", "suspect"]


def test_columns_that_go_together_repeat_rows_by_chance_and_are_not_called_copies():
    """A day's weather, as seattle-weather's table has it: the sky decides whether it rains and how
    much, the wind is read to one decimal and the temperature to a half degree, so dry sunny days
    repeat far more often than independent columns would: a random split puts such repeats on both
    sides (no alarm); test rows copied into train still stand out."""
    rng = np.random.default_rng(11)
    n = 1400
    sky = rng.choice(["sun", "rain", "fog", "drizzle"], n, p=[0.3, 0.55, 0.1, 0.05])
    rain = np.where(sky == "sun", 0.0, np.round(rng.exponential(3, n), 1))
    wind = np.where(sky == "sun", np.round(rng.normal(3, 0.8, n), 1), np.round(rng.normal(4, 1.5, n), 1))
    temp = np.where(sky == "sun", np.round(rng.normal(8, 2, n) * 2) / 2, np.round(rng.normal(7, 4, n) * 2) / 2)
    df = {"weather": sky, "precipitation": rain, "wind": wind, "temp_min": temp, "y": temp + rng.normal(6, 3, n)}
    train, test, meta = table(df, "y")
    out = dg.duplicates(train, test, meta, max_share=0.05, max_conflicts=0.01).set_index("check").loc["test_in_train"]
    independent = dg.chance_collisions(train, test, meta)
    assert out["share"] - independent >= 0.05, "the case no longer tests what it means to"
    assert not out["suspect"] and out["expected"] > independent
    k = int(0.10 * len(test))
    copies = test.iloc[:k].set_axis(pd.RangeIndex(100_000, 100_000 + k, name="row"))
    out = dg.duplicates(pd.concat([train, copies]), test, meta, max_share=0.05, max_conflicts=0.01).set_index("check")
    assert out.loc["test_in_train", "suspect"]


def test_identical_features_with_different_labels_are_conflicts():
    df, _ = leaky(seed=6)
    train, test, meta = table(df, "y")
    twin = train.iloc[[0]].set_axis(pd.RangeIndex(9999, 10_000, name="row"))
    twin[meta["target"]] = 1 - twin[meta["target"]]
    out = dg.duplicates(pd.concat([train, twin]), test, meta, max_share=0.05, max_conflicts=0.001).set_index("check")
    assert out.loc["conflicting_labels", "rows"] == 2 and out.loc["conflicting_labels", "suspect"]
    assert list(out.loc["conflicting_labels", "csv_rows"]) == sorted([int(train.index[0]), 9999])


# ---------------------------------------------------------------- per-column caveats


def test_column_caveats_name_missing_skewed_and_near_constant_columns():
    rng = np.random.default_rng(7)
    n = 1000
    income = np.r_[rng.normal(30, 5, n - 1), 5000]  # one fortune among ordinary incomes (a train row)
    age = rng.normal(40, 10, n).round()
    raw_age = age.copy()
    raw_age[rng.random(n) < 0.3] = np.nan
    flag = (rng.random(n) < 0.01).astype(int)
    df = {"age": np.where(np.isnan(raw_age), 40.0, raw_age), "income": income, "flag": flag,
          "y": rng.integers(0, 2, n)}
    train, test, meta = table(df, "y")
    meta["fills"] = {"age": {"rule": "median", "value": 40.0}}
    raw = raw_of(train, test)
    raw["age"] = [None if np.isnan(v) else str(v) for v in raw_age]
    out = dg.column_caveats(raw, train, test, meta, missing_share=0.2, skewness=20, top_share=0.98).set_index("column")
    assert out.loc["age", "heavy_missing"] and out.loc["age", "fill_rule"] == "median"
    assert out.loc["age", "fill_value"] == "40" and 0.25 < out.loc["age", "missing_share"] < 0.35
    from scipy.stats import skew

    observed = pd.to_numeric(raw.loc[train.index, "income"])
    assert out.loc["income", "skewness"] == pytest.approx(skew(observed, bias=False)) and out.loc["income", "skewed"]
    assert out.loc["flag", "near_constant"] and out.loc["flag", "top_value"] == "0"
    assert out["flagged"].tolist() == [True, True, True]
    quiet = dg.column_caveats(raw, train, test, meta, missing_share=0.5, skewness=100, top_share=0.999)
    assert not quiet["flagged"].any()


# ---------------------------------------------------------------- baseline


def predictions_of(y, proba, index):
    out = pd.DataFrame({"y_true": y, "y_pred": proba.argmax(axis=1)}, index=index)
    for k in range(proba.shape[1]):
        out[f"proba_{k}"] = proba[:, k]
    return out


def test_each_model_against_the_trivial_predictor():
    rng = np.random.default_rng(8)
    n = 300
    y = rng.integers(0, 2, n)
    index = pd.RangeIndex(n, name="row")
    signal = np.clip(0.5 + 0.4 * (2 * y - 1) + rng.normal(0, 0.2, n), 0, 1)
    good = predictions_of(y, np.column_stack([1 - signal, signal]), index)
    noise = rng.random(n)
    guess = predictions_of(y, np.column_stack([1 - noise, noise]), index)
    ranked = 0.2 + 0.2 * signal  # ranks the rows well, never crosses 0.5: one class for every row
    one = predictions_of(y, np.column_stack([1 - ranked, ranked]), index)
    out = dg.baseline({"good": good, "guess": guess, "one": one}, rng.integers(0, 2, 900), task="classification",
                      classes=["0", "1"], n_boot=300, seed=1, level=0.95).set_index(["model", "metric"])
    assert out.loc[("good", "roc_auc"), "better"] and out.loc[("good", "roc_auc"), "headline"]
    assert out.loc[("good", "roc_auc"), "baseline"] == 0.5
    assert not out.loc[("guess", "roc_auc"), "better"]
    assert out.loc[("one", "roc_auc"), "better"] and out.loc[("one", "roc_auc"), "one_class"]
    assert out.loc[("one", "balanced_accuracy"), "difference"] == 0.0 and not out.loc[("one", "balanced_accuracy"),
                                                                                       "better"]
    from mlviz.compute import comparison

    ref = comparison.bootstrap_metrics({"good": good}, task="classification", classes=["0", "1"], n_boot=300, seed=1)
    assert out.loc[("good", "roc_auc"), "value"] == ref.set_index("metric").loc["roc_auc", "value"]


def test_a_regressor_no_better_than_the_mean():
    rng = np.random.default_rng(9)
    y = rng.normal(size=200)
    index = pd.RangeIndex(200, name="row")
    models = {"close": pd.DataFrame({"y_true": y, "y_pred": y + rng.normal(0, 0.3, 200)}, index=index),
              "noise": pd.DataFrame({"y_true": y, "y_pred": rng.normal(size=200) * 0.1}, index=index)}
    out = dg.baseline(models, rng.normal(size=600), task="regression", classes=None, n_boot=300, seed=1,
                      level=0.95).set_index(["model", "metric"])
    assert out.loc[("close", "r2"), "better"] and not out.loc[("noise", "r2"), "better"]
    assert not out["one_class"].any()


# ---------------------------------------------------------------- permutation: the floor and groups


@pytest.fixture(scope="module")
def forest_case():
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.default_rng(10)
    n = 400
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.normal(size=n)})
    X["a_copy"] = X["a"] + rng.normal(0, 0.01, n)
    y = (X["a"] + 0.5 * X["b"] + rng.normal(0, 0.5, n) > 0).astype(int).to_numpy()
    model = RandomForestClassifier(n_estimators=30, random_state=0).fit(X.iloc[:300].to_numpy(), y[:300])
    return model, X.iloc[300:], y[300:]


@pytest.mark.parametrize("max_rows", [None, 60])
def test_single_feature_values_are_the_importance_tables(forest_case, max_rows):
    model, X, y = forest_case
    value, spread = importance.permutation(model, X, y, n_repeats=5, random_state=3, scoring=None, max_rows=max_rows)
    out = dg.permutation_checked(model, X, y, groups={"group 1": ["a", "a_copy"]}, n_repeats=5, random_state=3,
                                 scoring=None, max_rows=max_rows, task="classification")
    single = out[out["method"] == "permutation"]
    assert single["feature"].tolist() == list(X.columns)
    np.testing.assert_array_equal(single["value"].to_numpy(), value)
    np.testing.assert_array_equal(single["spread"].to_numpy(), spread)
    group = out[out["method"] == "permutation_group"].iloc[0]
    # Shuffled together, the copies lose what each alone keeps through the other.
    assert group["value"] > single.set_index("feature").loc[["a", "a_copy"], "value"].max()
    assert list(group["members"]) == ["a", "a_copy"] and group["signal"]


def test_the_floor_is_the_drop_with_each_repeats_most_changed_row_left_out(forest_case):
    """Recomputed here by hand: the shuffles of scikit-learn (seeded as it seeds them), each row's
    part of the accuracy drop, the largest part left out of each repeat."""
    from sklearn.utils import check_random_state

    model, X, y = forest_case
    out = dg.permutation_checked(model, X, y, n_repeats=4, random_state=5, scoring=None, task="classification")
    seed = check_random_state(5).randint(np.iinfo(np.int32).max + 1)
    A = X.to_numpy(float)
    correct = (model.predict(A) == y).astype(float)
    for j, feature in enumerate(X.columns):
        rng, P, idx, drops, most = check_random_state(seed), A.copy(), np.arange(len(A)), [], []
        for _ in range(4):
            rng.shuffle(idx)
            P[:, j] = P[idx, j]
            part = (correct - (model.predict(P) == y)) / len(y)
            drops.append(part.sum())
            most.append(max(part.max(), 0.0))
        row = out.set_index("feature").loc[feature]
        assert row["floor"] == pytest.approx(np.mean(most), abs=1e-15)
        assert row["beyond_floor"] == (np.mean(drops) - np.mean(most) > 1e-15)


class OneRowRule:
    """Predicts 1 only where both features are 1; in the test rows only the first row has both: shuffling
    `x` moves that row's 1 elsewhere, where `z` is 0 — exactly one prediction changes per repeat."""
    _estimator_type = "classifier"
    classes_ = np.array([0, 1])

    def fit(self, X, y):
        return self

    def predict(self, X):
        X = np.asarray(X)
        return ((X[:, 0] == 1) & (X[:, 1] == 1)).astype(int)

    def score(self, X, y):
        return float(np.mean(self.predict(X) == y))

    def __sklearn_tags__(self):
        from sklearn.utils import Tags, TargetTags, ClassifierTags

        return Tags(estimator_type="classifier", target_tags=TargetTags(required=True),
                    classifier_tags=ClassifierTags())


def test_one_changed_row_in_every_repeat_is_no_signal():
    n = 200
    X = pd.DataFrame({"x": np.r_[1, np.zeros(n - 1)], "z": np.r_[1, np.zeros(n - 1)]})
    rule = OneRowRule()
    y = rule.predict(X)
    out = dg.permutation_checked(rule, X, y, n_repeats=10, random_state=0, scoring=None,
                                 task="classification").set_index("feature")
    x = out.loc["x"]
    assert x["value"] == pytest.approx(1 / n) and x["spread"] == 0.0  # one row, every repeat
    assert x["beyond_noise"]  # the old rule (mean beyond two spreads) would call it signal
    assert x["floor"] == pytest.approx(1 / n) and not x["beyond_floor"] and not x["signal"]


class OneRowRegression(OneRowRule):
    """x plus 30 where both `spike` and `z` are 1 (the first test row only)."""
    _estimator_type = "regressor"

    def predict(self, X):
        X = np.asarray(X)
        return X[:, 0] + 30.0 * ((X[:, 1] == 1) & (X[:, 2] == 1))

    def score(self, X, y):
        from sklearn.metrics import r2_score

        return r2_score(y, self.predict(X))

    def __sklearn_tags__(self):
        from sklearn.utils import RegressorTags, Tags, TargetTags

        return Tags(estimator_type="regressor", target_tags=TargetTags(required=True), regressor_tags=RegressorTags())


def test_the_floor_of_r2_leaves_out_the_most_changed_row():
    rng = np.random.default_rng(11)
    n = 300
    one = np.r_[1.0, np.zeros(n - 1)]
    X = pd.DataFrame({"x": rng.normal(size=n), "spike": one, "z": one})
    model = OneRowRegression()
    y = model.predict(X) + rng.normal(0, 0.1, n)
    out = dg.permutation_checked(model, X, y, n_repeats=10, random_state=0, scoring=None,
                                 task="regression").set_index("feature")
    spike = out.loc["spike"]
    # One row carries the whole drop: large, yet no signal once that row is left out.
    assert spike["value"] > 0.1 and not spike["beyond_floor"] and not spike["signal"]
    assert out.loc["x", "signal"] and out.loc["x", "floor"] < out.loc["x", "value"]


# ---------------------------------------------------------------- filled values, top-k


def test_explained_rows_with_filled_cells_and_a_curve_that_jumps_at_the_fill():
    raw = pd.DataFrame({"age": ["31", None, "45"], "city": [None, "Nice", "Metz"]},
                       index=pd.RangeIndex(3, name="row"))
    meta = {"dataset": "t", "features": ["age", "city_Nice", "city_Metz"],
            "levels": {"city_Nice": {"column": "city"}, "city_Metz": {"column": "city"}},
            "fills": {"age": {"rule": "median", "value": 38.0}, "city": {"rule": "most_frequent", "value": "Nice"}}}
    rows = dg.filled_rows(raw, meta, [{"model": "m", "source": "shap", "row": 0, "position": -1},
                                      {"model": "m", "source": "lime", "row": 1, "position": 7}])
    assert rows[["row", "source", "column", "fill_rule", "fill_value"]].values.tolist() == [
        [0, "shap", "city", "most_frequent", "Nice"], [1, "lime", "age", "median", "38"]]
    assert list(rows.iloc[0]["features"]) == ["city_Nice", "city_Metz"]
    grid = np.linspace(20, 60, 9)  # 35 and 40 around the fill value 38
    jumpy = np.array([0.10, 0.11, 0.12, 0.13, 0.39, 0.40, 0.41, 0.42, 0.43])
    smooth = np.linspace(0.1, 0.5, 9)
    pdp = pd.concat([pd.DataFrame({"feature": "age", "kind": "average", "grid_raw": grid, "value": v})
                     for v in (jumpy,)])
    out = dg.fill_jumps(pdp, meta, model="m")
    assert out[["feature", "fill_value", "jumps"]].values.tolist() == [["age", 38.0, True]]
    assert out["jump"].iloc[0] == pytest.approx(0.26)
    pdp["value"] = smooth
    assert not dg.fill_jumps(pdp, meta, model="m")["jumps"].iloc[0]


def test_a_top_k_as_large_as_the_features_is_not_informative():
    meta = {"dataset": "t", "features": ["a", "b", "c"]}
    out = dg.top_k_checks(meta, [{"check": "method_agreement", "model": "m", "top_k": 5},
                                 {"check": "lime_stability", "model": "m", "top_k": 2}])
    assert out["informative"].tolist() == [False, True] and out["features"].tolist() == [3, 3]


# ---------------------------------------------------------------- slices


def slice_case(seed: int, worse: bool, n: int = 800):
    rng = np.random.default_rng(seed)
    channel = rng.choice(["web", "store", "phone"], n, p=[0.5, 0.3, 0.2])
    age = rng.integers(18, 80, n)
    rate = np.where((channel == "phone") & worse, 0.45, 0.15)
    y = rng.integers(0, 2, n)
    wrong = rng.random(n) < rate
    pred = pd.DataFrame({"y_true": y, "y_pred": np.where(wrong, 1 - y, y)}, index=pd.RangeIndex(n, name="row"))
    raw = pd.DataFrame({"channel": channel, "age": [str(a) for a in age]}, index=pred.index)
    for c in ("income", "tenure", "visits"):  # columns the errors do not depend on
        raw[c] = [str(v) for v in rng.integers(0, 1000, n)]
    raw["region"] = rng.choice(["north", "south", "east", "west", "centre"], n)
    return raw, pred


def test_the_slice_where_the_model_fails_is_flagged_in_the_datas_words():
    raw, pred = slice_case(0, worse=True)
    out = sl.slices(raw, pred, task="classification", columns=["channel", "age"], min_share=0.05, bins=4,
                    level=0.95)
    assert out.loc[out["flagged"], "slice"].tolist() == ["channel = phone"]
    tried = len(out)
    assert (out["tried"] == tried).all() and out["level"].iloc[0] == pytest.approx(1 - 0.05 / tried)
    bins = out[out["kind"] == "bin"]
    assert len(bins) == 4 and bins["slice"].iloc[0] == f"age: {bins['low'].iloc[0]} to {bins['high'].iloc[0]}"
    ages = raw["age"].astype(int)
    assert int(bins["low"].iloc[0]) == ages.min() and int(bins["high"].iloc[-1]) == ages.max()


def test_no_slice_is_named_where_errors_are_uniform():
    """24 slices of each of 40 tables whose errors do not depend on any column: without the correction
    for the number of slices tried, some of the 960 would be flagged."""
    flagged = tried = 0
    for seed in range(40):
        raw, pred = slice_case(seed + 100, worse=False)
        out = sl.slices(raw, pred, task="classification", columns=list(raw.columns), min_share=0.05, bins=4,
                        level=0.95)
        flagged, tried = flagged + int(out["flagged"].sum()), tried + len(out)
    assert tried == 40 * 24 and flagged == 0, flagged


def test_small_slices_and_regression_errors():
    rng = np.random.default_rng(12)
    n = 400
    group = rng.choice(["a", "b", "rare"], n, p=[0.6, 0.38, 0.02])
    y = rng.normal(size=n)
    err = np.where(group == "b", rng.normal(0, 3, n), rng.normal(0, 0.5, n))
    pred = pd.DataFrame({"y_true": y, "y_pred": y + err}, index=pd.RangeIndex(n, name="row"))
    out = sl.slices(pd.DataFrame({"group": group}, index=pred.index), pred, task="regression", columns=["group"],
                    min_share=0.05, bins=4, level=0.95)
    assert out["slice"].tolist() == ["group = a", "group = b"]  # "rare" holds 2 % of the rows
    assert out["metric"].iloc[0] == "mae" and out.set_index("slice")["flagged"].to_dict() == {"group = a": False,
                                                                                             "group = b": True}


def test_the_slice_figure_highlights_the_flagged_slices(tmp_path):
    raw, pred = slice_case(0, worse=True)
    raw["a rather long column name for a slice label"] = raw["channel"]
    out = sl.slices(raw, pred, task="classification", columns=list(raw.columns), min_share=0.05, bins=4, level=0.95)
    style = Style.of({"dpi": 60})
    fig = draw_slices(out, style=style, max_slices=5, title="Where the model fails")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # Listed top down: the two flagged slices (the same rows under two names) first.
    assert len(labels) == 5 and {labels[0].split(" = ")[-1], labels[1].split(" = ")[-1]} == {"phone (173 rows)"}
    assert all(len(line) <= LABEL_WIDTH for label in labels for line in label.split("\n"))
    assert "\n" in labels[0] and labels[0].endswith("(173 rows)")  # the long name wraps, its count whole
    assert "not drawn" in ax.get_title(loc="left") and fig._suptitle.get_text() == "Where the model fails"
    path = tmp_path / "slices.png"
    save(fig, path, style=style)
    assert path.stat().st_size > 0
    empty = draw_slices(out.iloc[0:0], style=style)
    assert "no slice" in empty.axes[0].texts[0].get_text()


def test_a_tiny_slice_s_wide_interval_does_not_squash_the_others():
    """A slice of two rows has an interval of 300 where the errors are about 4 (barley's table): the
    axis stops at three times the largest error and that interval ends in an arrowhead."""
    table = pd.DataFrame({"slice": ["site = A", "site = B", "site = C"], "rows": [2, 12, 16],
                          "error": [7.3, 4.1, 3.0], "lower": [0.0, 1.5, 1.2], "upper": [258.0, 9.0, 6.0],
                          "overall_error": 3.98, "flagged": False, "metric": "mae", "tried": 3, "level": 0.95 / 3})
    fig = draw_slices(table, style=Style.of({"dpi": 60}))
    ax = fig.axes[0]
    assert ax.get_xlim()[1] < 3 * 7.3 * 1.1 and ax.get_xlim()[1] > 9.0
    arrows = [line for line in ax.lines if line.get_marker() == ">"]
    assert len(arrows) == 1 and arrows[0].get_ydata()[0] == 2  # the top line: site = A
    assert "interval beyond the axis (1)" in [t.get_text() for t in ax.get_legend().get_texts()]
