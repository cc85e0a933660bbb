"""mlviz.article.claims against the article check's own readings (tests/articlecheck.reading_*, with
tests/gating.py's reading of the checks, here with no checks found), on
hundreds of small random tables each, drawn from few values so that ties, values on a threshold and
empty cases come up: every claim the article can rest on must agree, and so must the subjects its
sentences name. Fast (no run, no files); the mutation run of tests/mutation/ uses it."""
from __future__ import annotations

import gating
import numpy as np
import pandas as pd
import pytest
from articlecheck import (reading_calibration, reading_comparison, reading_effects, reading_importance, reading_lime,
                          reading_linear, reading_neural, reading_performance, reading_shap, reading_threshold,
                          reading_trust, reading_tree)

from mlviz.article import claims as C
from mlviz.compute.importance import ordered
from mlviz.config.schema import schema

CASES = 150


@pytest.fixture(scope="module")
def R() -> dict:
    return {k: v["default"] for k, v in schema()["definitions"]["readings"]["properties"].items()}


# Claims that mlviz.article.facts adds to those of mlviz.article.claims (words chosen by the run's
# config or by a count of a list): the check knows them, claims does not make them.
FACTS_ADD = {"depth_limited", "softmax_margin", "row_an", "many_drops", "one_drop", "one_top_noisy", "one_support",
             "one_against", "one_flipped", "one_weak", "one_positive", "one_negative", "one_scaled", "some_scaled",
             "units_numbers", "units_levels", "units_yes_no", "units_asides", "units_aside_levels", "units_aside_both",
             "units_aside_yes_no", "units_then_yes_no", "one_well", "one_other", "one_pair", "has_groups",
             "impurity_named", "one_one_class", "train_row"}


def agree(mine: dict, theirs: dict, case) -> None:
    """mlviz.article.claims makes every claim of the check (but those facts adds), each a yes or a
    no (not None: a reader of the facts file should not have to guess), and the same."""
    missing = set(theirs) - set(mine) - FACTS_ADD
    assert not missing, f"claims missing on {case}: {sorted(missing)}"
    wrong = {k: (v, theirs.get(k, "missing")) for k, v in mine.items()
             if k not in theirs or not isinstance(v, (bool, np.bool_)) or bool(v) != bool(theirs[k])}
    assert not wrong, f"claims (mlviz, check) differ on {case}: {wrong}"


def features(rng, n=None) -> list[str]:
    return [f"f{i}" for i in range(n or rng.integers(1, 6))]


def importance_table(rng, feats, method, values, spreads=(0.0,)) -> pd.DataFrame:
    return pd.DataFrame({"dataset": "d", "model": "m", "method": method, "feature": feats,
                         "value": rng.choice(values, len(feats)), "spread": rng.choice(spreads, len(feats))})


def test_importance(R):
    rng = np.random.default_rng(0)
    for case in range(CASES * 2):
        feats = features(rng)
        perm = importance_table(rng, feats, "permutation", [-0.1, 0.0, 0.1, 0.2], [0.0, 0.05, 0.1])
        imp = rng.choice([None, "empty", "some"])
        imp = (None if imp is None else importance_table(rng, feats[:0], "impurity", [0.0]) if imp == "empty"
               else importance_table(rng, feats, "impurity", [0.1, 0.2, 0.3]))
        top_k = int(rng.integers(1, 4))
        mine, subjects = C.importance(imp, perm, top_k)
        theirs, e = gating.importance(*reading_importance(perm, imp, top_k), ordered(perm),
                                      ordered(imp) if imp is not None and len(imp) else None, top_k, None, "m")
        agree(mine, theirs, (perm.to_dict("list"), None if imp is None else imp.to_dict("list"), top_k))
        assert subjects["permutation_leader"] == e["permutation_leader"]
        assert subjects["noise_features"] == e["noise"] and subjects["drops"] == int((perm.value > 0).sum())
        assert [f for f, _ in e["drops"]] == ordered(perm).feature[:min(3, subjects["drops"])].tolist()
        if theirs["has_impurity"]:
            assert subjects["impurity_leader"] == e["impurity_leader"]
            assert subjects["impurity_top_noisy"] == e["impurity_top_noisy"]


def test_shap(R):
    rng = np.random.default_rng(1)
    for case in range(CASES):
        feats = features(rng)
        rows = int(rng.integers(2, 6))
        values = pd.DataFrame({**{f"x:{f}": rng.choice([0.0, 1.0, 2.0], rows) for f in feats},
                               **{f"shap:{f}": rng.choice([-1.0, 0.0, 0.5, 1.0], rows) for f in feats},
                               **{f"raw:{f}": rng.choice([3.0, 4.0], rows) for f in feats}},
                              index=pd.Index(range(10, 10 + rows), name="row"))
        mean = importance_table(rng, feats, "mean_abs_shap", [0.5, 1.0])
        perm = rng.choice([None, "some"])
        perm = None if perm is None else importance_table(rng, feats, "permutation", [0.0, 0.1, 0.2], [0.0, 0.1])
        instance = int(rng.integers(10, 10 + rows))
        additivity = bool(rng.integers(0, 2))
        mine, subjects = C.shap(values, mean, perm, instance, additivity, R)
        theirs, e = gating.shap(*reading_shap(values, mean, perm, instance, additivity, R), None, "m", instance)
        agree(mine, theirs, (values.to_dict("list"), mean.to_dict("list"), instance))
        assert subjects["leader"] == e["leader"]
        assert subjects["push_up"] == (e["push_up"][0] if "push_up" in e else None)
        assert subjects["push_down"] == (e["push_down"][0] if "push_down" in e else None)


def test_lime(R):
    rng = np.random.default_rng(2)
    for case in range(CASES):
        feats = features(rng)
        p = float(rng.choice([0.2, 0.5, 0.8]))
        exp = pd.DataFrame({"feature": feats, "rule": [f"{f} <= 1" for f in feats], "rank": range(1, len(feats) + 1),
                            "test_position": 0,
                            "weight": rng.choice([-0.2, -0.1, 0.0, 0.1, 0.3], len(feats)),
                            "class": str(rng.choice(["a", "b"])), "proba_a": p, "proba_b": 1 - p})
        agreement = pd.Series({"mean_jaccard": float(rng.choice([0.5, R["lime_partly_stable"], 0.75,
                                                                 R["lime_stable"], 0.95]))})
        other = None
        if rng.integers(0, 2):
            of = list(rng.choice(feats + ["g0", "g1"], int(rng.integers(1, 4)), replace=False))
            other = pd.DataFrame({"feature": of, "weight": rng.choice([-0.2, 0.0, 0.1], len(of))})
        mine, subjects = C.lime(exp, agreement, other, R)
        theirs, e = gating.lime(*reading_lime(exp, agreement, other, R), exp, None, "m")
        agree(mine, theirs, (exp.to_dict("list"), agreement.to_dict(), None if other is None else other.to_dict("list")))
        assert subjects["predicted"] == e["predicted"] and subjects.get("flipped", []) == e["flipped"]


def test_linear(R):
    rng = np.random.default_rng(3)
    for case in range(CASES):
        feats = features(rng, int(rng.integers(1, 6)))
        coef = importance_table(rng, feats, "coefficient", [-2.0, -1.2, 0.0, 1.0, 1.5, 3.0], [0.1, 0.6, 2.0])
        others = [o for o in ("forest", "xgb") if rng.integers(0, 2)]
        metrics = pd.DataFrame({"model": ["ols", *others], "metric": "r2",
                                "value": rng.choice([0.5, 0.6, 0.7], 1 + len(others))})
        diffs = []
        for o in others:
            lo = float(rng.choice([-0.2, -0.1, 0.0, 0.1]))
            a, b = sorted(["ols", o])
            diffs.append({"model_a": a, "model_b": b, "metric": "r2", "difference": lo + 0.05, "lower": lo,
                          "upper": lo + float(rng.choice([0.0, 0.1, 0.3]))})
        diffs = pd.DataFrame(diffs, columns=["model_a", "model_b", "metric", "difference", "lower", "upper"])
        n = int(rng.integers(3, 8))
        pred = pd.DataFrame({"y_true": rng.choice([0.0, 1.0, 5.0, 20.0], n), "y_pred": rng.choice([0.0, 1.0, 2.0], n)})
        scaled = [f for f in feats if rng.integers(0, 2)] + ["gone"]
        levels = {f: {"column": "c", "reference": "r"} for f in feats if f not in scaled and rng.integers(0, 3) == 0}
        data = pd.DataFrame({f: rng.choice([0, 1] if rng.integers(0, 2) else [0, 1, 2], 4) for f in feats})
        splits = [data.iloc[:2], data.iloc[2:]]
        coef = ordered(coef)  # as mlviz.article.facts passes it
        mine, subjects = C.linear(coef, diffs, metrics, "ols", others, pred, scaled, data, levels, R)
        theirs, e = reading_linear(coef, metrics, "ols", diffs, pred, {f: {} for f in scaled}, levels, splits, R)
        agree(mine, theirs, (coef.to_dict("list"), metrics.to_dict("list"), diffs.to_dict("list"), scaled, levels))
        assert subjects["weak"] == e["weak"] and subjects.get("best_other") == e.get("best_other")
        assert subjects["scaled"] == [f for f in scaled if f in feats]


def test_tree():
    rng = np.random.default_rng(4)
    for case in range(CASES):
        task = str(rng.choice(["regression", "classification"]))
        n = int(rng.integers(1, 7))
        y = rng.integers(0, 3, n)
        pred = pd.DataFrame({"y_true": y, "y_pred": y})
        share = pd.Series(y).value_counts().max() / n
        lo = float(rng.choice([share - 0.1, share, share + 0.1, -0.05, 0.0, 0.05]))
        hi = lo + float(rng.choice([0.0, 0.1]))
        r2_lo = float(rng.choice([-0.05, 0.0, 0.05]))
        # Other rows first, each with bounds of its own, so that a row read by a wrong filter shows.
        comparison = pd.DataFrame({"model": ["other", "other", "tree", "tree"], "metric": ["accuracy", "r2", "accuracy", "r2"],
                                   "value": 0.5, "lower": [2.0, 3.0, lo, r2_lo], "upper": [2.5, 3.5, hi, r2_lo + 0.1]})
        mine, subjects = C.tree(pred, comparison, "tree", task)
        theirs, e = reading_tree(pred, comparison, "tree", task, ["a", "b", "c"])
        agree(mine, theirs, (task, y.tolist(), lo, hi))
        assert mine.keys() == theirs.keys()
        if task == "classification" and theirs["majority_unique"]:
            assert ["a", "b", "c"][subjects["majority"]] == e["majority"]


def test_performance(R):
    rng = np.random.default_rng(5)
    for case in range(CASES):
        classes = ["n", "p"] if rng.integers(0, 3) else ["a", "b", "c"]
        n = int(rng.integers(2, 9))
        y = rng.integers(0, 2, n)
        y[0] = 1
        prevalence = float((y == 1).mean())
        auc = float(rng.choice([R["auc_excellent"], R["auc_good"], R["auc_fair"], R["auc_moderate"], 0.6, 0.92]))
        ap = float(rng.choice([prevalence * R["ap_far_above"], prevalence * R["ap_above"], prevalence, 0.9]))
        trap = float(rng.choice([ap, ap + 0.01, ap - 0.01]))
        metrics = pd.DataFrame({"metric": ["roc_auc", "average_precision", "pr_auc_trapezoid"],
                                "value": [auc, ap, trap]})
        pred = pd.DataFrame({"y_true": y, "y_pred": y})
        mine, _ = C.performance(metrics, pred, classes, R)
        theirs, _ = reading_performance(metrics, pred, classes, R)
        agree(mine, {k: v for k, v in theirs.items()}, (classes, y.tolist(), auc, ap, trap))


def test_threshold():
    rng = np.random.default_rng(6)
    R = {"threshold_move": 0.25, "f1_gain": 0.125}  # binary fractions: a value on the threshold is exactly on it
    for case in range(CASES):
        s = {"default_threshold": 0.5, "best_f1_threshold": float(rng.choice([0.5, 0.25, 0.75, 0.875, 0.125])),
             "f1_at_default": 0.5, "f1_at_best": float(rng.choice([0.5, 0.625, 0.75]))}
        mine, _ = C.threshold(s, R)
        agree(mine, reading_threshold(s, R), s)


def comparison_tables(rng, models: list[str]) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """A metric, the models' scores and every pair's paired bootstrap interval (a − b), drawn."""
    metric = str(rng.choice(["roc_auc", "rmse"]))
    t = pd.DataFrame({"model": models, "metric": metric, "value": rng.choice([0.7, 0.8], len(models))})
    diffs = []
    for i, a in enumerate(models):
        for b in models[i + 1:]:
            lo = float(rng.choice([-0.1, 0.0, 0.05]))
            diffs.append({"model_a": a, "model_b": b, "metric": metric, "difference": lo, "lower": lo,
                          "upper": lo + float(rng.choice([0.0, 0.1]))})
    return metric, t, pd.DataFrame(diffs, columns=["model_a", "model_b", "metric", "difference", "lower", "upper"])


def test_comparison():
    rng = np.random.default_rng(7)
    for case in range(CASES):
        models = [f"m{i}" for i in range(int(rng.integers(1, 5)))]
        metric, t, diffs = comparison_tables(rng, models)
        mine, subjects = C.comparison(t, diffs, metric)
        theirs, e = gating.comparison(*reading_comparison(t, diffs, metric), models, None)
        agree(mine, theirs, (t.to_dict("list"), diffs.to_dict("list")))
        assert (subjects["leader"], subjects["beaten"], subjects["not_beaten"]) == (e["leader"], e["beaten"], e["not_beaten"])


def test_calibration(R):
    rng = np.random.default_rng(8)
    t = R["well_calibrated_ece"]
    for case in range(CASES):
        models = [f"m{i}" for i in range(int(rng.integers(1, 5)))]
        cls = str(rng.choice(["all", "p"]))
        scores = pd.DataFrame({"model": models * 2, "class": [cls] * len(models) + ["other"] * len(models),
                               "brier": rng.choice([0.1, 0.2], 2 * len(models)),
                               "ece": rng.choice([t / 2, t, t * 2], 2 * len(models))})
        mine, subjects = C.calibration(scores, None if cls == "all" else cls, R)
        theirs, e = reading_calibration(scores, cls, R)
        agree(mine, theirs, scores.to_dict("list"))
        assert subjects["well"] == e["well"] and subjects["best"] == e["best"]


def test_trust(R):
    rng = np.random.default_rng(9)
    for case in range(CASES):
        rows = [{"model": str(rng.choice(["a", "b"])), "spearman": float(rng.choice(
            [R["methods_disagree"], R["methods_agree"], 0.1, 0.5, 0.9, np.nan]))} for _ in range(int(rng.integers(0, 5)))]
        agreement = pd.DataFrame(rows, columns=["model", "spearman"])
        areas = None if rng.integers(0, 2) else pd.DataFrame({"order": ["shap", "random"],
                                                              "area": rng.choice([1.0, 2.0], 2)})
        mine, subjects = C.trust(agreement, areas, R)
        theirs, e = reading_trust(agreement, areas, R)
        theirs["top_k_uninformative"] = False  # no checks found
        agree(mine, theirs, (rows, None if areas is None else areas.to_dict("list")))
        assert subjects["model"] == e.get("model")


def test_neural(R):
    rng = np.random.default_rng(10)
    for case in range(CASES):
        epochs = int(rng.integers(1, 5))
        loss = rng.choice([1.0, 1.05, 1.1, 2.0], epochs)
        acc = {sp: rng.choice([0.9, 0.9 + R["close_accuracy"], 0.95], epochs) for sp in ("train", "validation")}
        h = pd.DataFrame([{"split": "validation", "metric": "loss", "step": i, "value": float(v)} for i, v in enumerate(loss)]
                         + [{"split": sp, "metric": "accuracy", "step": i, "value": float(v)}
                            for sp, vs in acc.items() for i, v in enumerate(vs)]).sample(frac=1, random_state=case)
        metrics = pd.DataFrame({"metric": ["gradcam_randomization_spearman_mean", "gradcam_deletion_drop_salient",
                                           "gradcam_deletion_drop_random"],
                                "value": [float(rng.choice([0.4, 0.5, 0.6])), float(rng.choice([0.1, 0.2])), 0.1]})
        n = int(rng.integers(1, 8))
        pred = pd.DataFrame({"y_true": rng.integers(0, 3, n), "y_pred": rng.integers(0, 3, n)})
        mine, subjects = C.neural(h, metrics, pred, 0.5, R)
        theirs, e = reading_neural(h, metrics, pred, 0.5, R)
        agree(mine, theirs, (h.to_dict("list"), metrics.value.tolist(), pred.to_dict("list")))
        if theirs["mistake_unique"]:
            assert tuple(subjects["mistake"]) == e["mistake"]


def test_effects():
    rng = np.random.default_rng(11)
    for case in range(CASES):
        n = int(rng.integers(1, 5))
        summary = pd.DataFrame({"feature": features(rng, n), "rank": range(1, n + 1), "shown": rng.integers(0, 2, n) == 1,
                                "monotone": rng.choice(["increasing", "decreasing", "flat", "mixed"], n)})
        mine, subjects = C.effects(summary)
        theirs = gating.effects(reading_effects(summary)[0], summary, None, "m")
        agree(mine, theirs, summary.to_dict("list"))


def test_readings_on_their_thresholds():
    """A value exactly on a reading's threshold reads as the readings say (report.readings: "beyond
    this" is strictly beyond, "at least" includes it): the SHAP direction, the residuals' skew and
    the CNN's accuracy gap, each with its threshold set to the value the data give."""
    values = pd.DataFrame({"x:a": [1.0, 2.0, 3.0, 4.0, 5.0], "shap:a": [2.0, 1.0, 4.0, 3.0, 5.0]},
                          index=pd.Index(range(5), name="row"))
    mean = pd.DataFrame({"method": "mean_abs_shap", "feature": ["a"], "value": [1.0], "spread": [0.0]})
    rho = float(values["x:a"].rank().corr(values["shap:a"].rank()))
    for direction in (rho, -rho):
        R = {"shap_direction": abs(direction)}
        v = values.assign(**{"shap:a": values["shap:a"] * (1 if direction > 0 else -1)})
        mine, _ = C.shap(v, mean, None, 0, True, R)
        theirs, _ = gating.shap(*reading_shap(v, mean, None, 0, True, R), None, "m", 0)
        agree(mine, theirs, direction)
        assert theirs["direction_mixed"] and not theirs["direction_up"] and not theirs["direction_down"]
    coef = pd.DataFrame({"method": "coefficient", "feature": ["a"], "value": [1.0], "spread": [0.1]})
    metrics = pd.DataFrame({"model": ["ols"], "metric": "r2", "value": [0.5]})
    for sign in (1, -1):
        pred = pd.DataFrame({"y_true": [0.0, 0.0, 0.0, 1.0 * sign], "y_pred": 0.0})
        res = pred.y_true - pred.y_pred
        R = {"residual_skew": abs(float((res.mean() - res.median()) / res.std()))}
        mine, _ = C.linear(coef, pd.DataFrame(), metrics, "ols", [], pred, [], pd.DataFrame({"a": [0.5]}), {}, R)
        theirs, _ = reading_linear(coef, metrics, "ols", pd.DataFrame(), pred, {}, {}, [pd.DataFrame({"a": [0.5]})], R)
        agree(mine, theirs, sign)
        assert theirs["symmetric"]
    R = {"overfit": 1.1, "close_accuracy": 0.25}  # binary fractions: the gap is exactly on the threshold
    metrics = pd.DataFrame({"metric": ["gradcam_randomization_spearman_mean", "gradcam_deletion_drop_salient",
                                       "gradcam_deletion_drop_random"], "value": [0.1, 0.2, 0.1]})
    pred = pd.DataFrame({"y_true": [0, 1], "y_pred": [0, 1]})
    for train, validation in ((0.75, 0.5), (0.5, 0.75), (0.5, 0.5)):
        h = pd.DataFrame([{"split": "validation", "metric": "loss", "step": 0, "value": 1.0},
                          {"split": "train", "metric": "accuracy", "step": 0, "value": train},
                          {"split": "validation", "metric": "accuracy", "step": 0, "value": validation}])
        mine, _ = C.neural(h, metrics, pred, 0.5, R)
        theirs, _ = reading_neural(h, metrics, pred, 0.5, R)
        agree(mine, theirs, (train, validation))


# ----------------------------------------------------------------------------- with checks found
# The same comparisons under random diagnostics tables (mlviz.compute.diagnostics' formats, the
# tiny run's shapes), written to files and read on both sides as the article reads them:
# mlviz.article.facts.Run.checks -> claims.Checks for the claims, tests/gating.Found for the
# check. Each table draws the cases the gating turns on: a model better than the trivial baseline
# or not (an interval touching 0, one not finite, worse), one predicting a single class, a model
# with no baseline row; redundant groups and leakage suspects (the leader among them or not);
# permutation drops beyond or within their noise and their single-row floor; filled values under
# the explained row, at another row, for another model or method; curves jumping at a fill value;
# top-k overlaps with k below the number of features or not. Other rows (non-headline metrics,
# other models, other sources) disagree with the right ones, so that a wrong filter shows.
from mlviz.article.facts import Run  # noqa: E402
from mlviz.compute import diagnostics as D  # noqa: E402

DIAG_CASES = 60
MODELS = ["m", "n", "o"]


def _write(t: pd.DataFrame, path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    t.to_parquet(path, index=False)


def _baseline(rng, ds, models, task) -> pd.DataFrame:
    headline, other = ("roc_auc", "accuracy") if task == "classification" else ("r2", "rmse")
    rows = []
    for m in models:
        if rng.integers(0, 10) == 0:
            continue  # no row for the model: not better
        distinct = int(rng.choice([1, 2, 2, 3])) if task == "classification" else int(rng.choice([1, 50]))
        for metric in (headline, other):
            hib = metric != "rmse"
            lower = float(rng.choice([-0.2, -0.05, 0.0, 0.05, 0.1, 0.2, np.nan] if metric == headline else
                                     [-0.2, 0.0, 0.1]))
            upper = lower + float(rng.choice([0.0, 0.1, 0.3]))
            finite = bool(np.isfinite(lower) and np.isfinite(upper))
            rows.append({"dataset": ds, "model": m, "metric": metric, "headline": metric == headline, "value": 0.7,
                         "baseline": 0.5, "difference": (lower + upper) / 2, "lower": lower, "upper": upper,
                         "level": 0.95, "n_boot": 200, "higher_is_better": hib,
                         "better": finite and (lower > 0 if hib else upper < 0),
                         "worse": finite and (upper < 0 if hib else lower > 0), "predicted_classes": distinct,
                         "one_class": task == "classification" and distinct == 1})
    rows = [rows[i] for i in rng.permutation(len(rows))]  # a non-headline row may come first
    return pd.DataFrame(rows, columns=D.BASELINE_COLUMNS)


def _units(feats) -> list[tuple[str, list[str]]]:
    """Raw columns and their model features: one-hot levels ('c = x') share a column."""
    cols = [(f, [f]) for f in feats if " = " not in f]
    levels = [f for f in feats if " = " in f]
    return cols + ([("c", levels)] if levels else [])


def _groups(rng, ds, feats) -> pd.DataFrame:
    rows, pool = [], list(rng.permutation(feats))
    for g in (1, 2):
        size = int(rng.integers(0, 4))
        if size < 2 or len(pool) < size:
            continue
        members, pool = pool[:size], pool[size:]
        rows += [{"dataset": ds, "group": g, "feature": str(f), "column": str(f).split(" = ")[0], "size": size}
                 for f in members]
    return pd.DataFrame(rows, columns=D.GROUP_COLUMNS).astype({"group": "int64", "size": "int64"})


def _leakage(rng, ds, feats, task) -> pd.DataFrame:
    metric = "balanced_accuracy" if task == "classification" else "r2"
    rows = []
    for col, fs in _units(feats):
        suspect = bool(rng.integers(0, 5) == 0)
        rows.append({"candidate": col, "kind": "feature", "in_model": True, "features": fs, "suspect": suspect,
                     "skill": 0.99 if suspect else 0.1})
    # Candidates the models do not read (their features are none), suspects or not.
    rows.append({"candidate": "id", "kind": "dropped", "in_model": False, "features": [],
                 "suspect": bool(rng.integers(0, 2)), "skill": 0.99})
    rows.append({"candidate": "row number", "kind": "row_number", "in_model": False, "features": [],
                 "suspect": bool(rng.integers(0, 2)), "skill": 0.99})
    t = pd.DataFrame(rows)
    t = t.assign(dataset=ds, metric=metric, score=t.skill, skill_cv=np.nan, threshold=0.97, identifier_like=False,
                 follows_row_order=False, reason=np.where(t.suspect, "predicts the target almost by itself", ""))
    return t[D.LEAKAGE_COLUMNS]


def _permutation(rng, ds, model, perm, groups) -> pd.DataFrame:
    """permutation_checked for a model whose permutation importances are `perm` (value and spread
    are the importance table's); the floor is drawn around the value, or missing."""
    rows = []
    for r in perm.itertuples():
        floor = float(rng.choice([np.nan, 0.0, r.value, r.value - 0.05, r.value + 0.05]))
        beyond_floor = bool(r.value - floor > 1e-12 * max(1.0, abs(r.value))) if np.isfinite(floor) else True
        beyond_noise = bool(r.value > 2.0 * r.spread)
        rows.append({"method": "permutation", "feature": r.feature, "members": [r.feature], "value": r.value,
                     "spread": r.spread, "floor": floor, "beyond_floor": beyond_floor, "beyond_noise": beyond_noise,
                     "signal": beyond_floor and beyond_noise})
    for g, members in groups.groupby("group")["feature"]:
        rows.append({"method": "permutation_group", "feature": f"group {g}", "members": list(members),
                     "value": 0.3, "spread": 0.0, "floor": 0.0, "beyond_floor": True, "beyond_noise": True,
                     "signal": True})
    t = pd.DataFrame(rows).assign(dataset=ds, model=model, rows=100, repeats=3)
    return t[D.PERMUTATION_COLUMNS]


def _filled(rng, ds, feats, model) -> pd.DataFrame:
    rows = []
    for _ in range(int(rng.integers(0, 8))):
        units = _units(feats)
        col, fs = units[int(rng.integers(0, len(units)))]
        source = str(rng.choice(["shap", "lime"]))
        rows.append({"dataset": ds, "model": model if rng.integers(0, 3) else str(rng.choice(MODELS)), "source": source,
                     "row": int(rng.integers(10, 14)), "position": -1 if source == "shap" else int(rng.integers(0, 3)),
                     "column": col, "features": fs, "fill_rule": str(rng.choice(["median", "most_frequent"])),
                     "fill_value": str(rng.choice(["3.0", "no"]))})
    return pd.DataFrame(rows, columns=D.FILLED_COLUMNS)


def _jumps(rng, ds, feats, model) -> pd.DataFrame:
    rows = [{"dataset": ds, "model": model if rng.integers(0, 2) else str(rng.choice(MODELS)),
             "feature": str(rng.choice(feats)), "fill_value": "3.0", "jump": 1.0, "largest_other": 0.2,
             "jumps": bool(rng.integers(0, 2))} for _ in range(int(rng.integers(0, 4)))]
    return pd.DataFrame(rows, columns=D.JUMP_COLUMNS)


def _top_k(rng, ds, models, feats) -> pd.DataFrame:
    rows = []
    for check in ("method_agreement", "lime_stability"):
        for m in models:
            if rng.integers(0, 3):
                k, n = int(rng.choice([3, 5])), int(rng.choice([3, 5, 8]))
                rows.append({"dataset": ds, "check": check, "model": m, "top_k": k, "features": n,
                             "informative": k < n})
    return pd.DataFrame(rows, columns=D.TOP_K_COLUMNS)


class Diagnosed:
    """One dataset's random diagnostics tables, on disk, with both readings of them."""

    def __init__(self, rng, root, case: int):
        ds = "d"
        n = int(rng.integers(1, 6))
        self.feats = [f"f{i}" for i in range(n)]
        if n >= 3 and rng.integers(0, 3) == 0:
            self.feats[-2:] = ["c = x", "c = y"]
        self.task = str(rng.choice(["classification", "regression"]))
        self.models = MODELS[:int(rng.integers(1, 4))]
        self.model = str(rng.choice(self.models))  # the model the sections explain
        run_dir = root / f"case{case}"
        base = run_dir / "diagnostics" / ds
        groups = _groups(rng, ds, self.feats)
        _write(_baseline(rng, ds, self.models, self.task), base / "baseline.parquet")
        _write(groups, base / "redundancy_groups.parquet")
        _write(_leakage(rng, ds, self.feats, self.task), base / "leakage.parquet")
        _write(pd.DataFrame([{"dataset": ds, "check": c, "rows": 0, "share": 0.0, "expected": 0.0, "lower": 0.0,
                              "threshold": 0.05, "suspect": False, "csv_rows": []}
                             for c in ("test_in_train", "conflicting_labels")], columns=D.DUPLICATE_COLUMNS),
               base / "duplicates.parquet")
        _write(pd.DataFrame([{"dataset": ds, "column": col, "kind": "number", "features": fs, "missing": 0,
                              "missing_share": 0.0, "fill_rule": None, "fill_value": None, "skewness": 0.0,
                              "top_value": "1", "top_share": 0.1, "heavy_missing": False, "skewed": False,
                              "near_constant": False, "flagged": False} for col, fs in _units(self.feats)],
                            columns=D.CAVEAT_COLUMNS), base / "columns.parquet")
        # The tables a run without missing values or a top k may lack.
        for name, table in (("filled_rows", _filled(rng, ds, self.feats, self.model)),
                            ("fill_jumps", _jumps(rng, ds, self.feats, self.model)),
                            ("top_k", _top_k(rng, ds, self.models, self.feats))):
            if rng.integers(0, 6):
                _write(table, base / f"{name}.parquet")
        # Permutation importances of each model, and (for most) their check.
        self.perm = {}
        for m in self.models:
            self.perm[m] = importance_table(rng, self.feats, "permutation", [-0.1, 0.0, 0.1, 0.2],
                                            [0.0, 0.05, 0.1]).assign(model=m)
            if rng.integers(0, 4):
                _write(_permutation(rng, ds, m, self.perm[m], groups), base / m / "permutation.parquet")
        self.F = gating.found(run_dir, ds)
        self.checks = Run(run_dir, 3, {}).checks(ds)


@pytest.fixture(scope="module")
def diagnosed(tmp_path_factory) -> list[Diagnosed]:
    rng = np.random.default_rng(20)
    root = tmp_path_factory.mktemp("diagnostics")
    return [Diagnosed(rng, root, case) for case in range(DIAG_CASES)]


def test_diagnosed_cases_reach_every_finding(diagnosed):
    """The random tables do reach what the gating turns on (else the tests below prove little)."""
    seen = {"no_better": 0, "better": 0, "one_class": 0, "grouped": 0, "suspect": 0, "signal_checked": 0,
            "filled": 0, "jumps": 0, "uninformative": 0}
    for d in diagnosed:
        F, m = d.F, d.model
        seen["better" if F.better(m) else "no_better"] += 1
        seen["one_class"] += F.one_class(m)
        seen["grouped"] += bool(len(F.groups))
        seen["suspect"] += bool(F.suspects())
        seen["signal_checked"] += F.signal(m) is not None
        seen["filled"] += F.filled is not None and bool(len(F.filled))
        seen["jumps"] += F.jumps is not None and bool(F.jumps.jumps.astype(bool).any())
        seen["uninformative"] += F.top_k is not None and bool((F.top_k.top_k >= F.top_k.features).any())
    assert min(seen.values()) >= 5, seen


def test_importance_with_checks(R, diagnosed):
    rng = np.random.default_rng(21)
    for case, d in enumerate(diagnosed * 2):
        perm = d.perm[d.model]
        imp = rng.choice([None, "some"])
        imp = None if imp is None else importance_table(rng, d.feats, "impurity", [0.1, 0.2, 0.3])
        top_k = int(rng.integers(1, 4))
        mine, subjects = C.importance(imp, perm, top_k, d.checks, d.model)
        theirs, e = gating.importance(*reading_importance(perm, imp, top_k), ordered(perm),
                                      ordered(imp) if imp is not None else None, top_k, d.F, d.model)
        agree(mine, theirs, (case, perm.to_dict("list"), None if imp is None else imp.to_dict("list"), top_k))
        assert subjects["noise_features"] == e["noise"] and subjects["leader_group"] == e["leader_group"], case
        if imp is not None:
            assert subjects["impurity_top_noisy"] == e["impurity_top_noisy"], case


def test_shap_with_checks(R, diagnosed):
    rng = np.random.default_rng(22)
    for case, d in enumerate(diagnosed * 2):
        feats, rows = d.feats, int(rng.integers(2, 6))
        values = pd.DataFrame({**{f"x:{f}": rng.choice([0.0, 1.0, 2.0], rows) for f in feats},
                               **{f"shap:{f}": rng.choice([-1.0, 0.0, 0.5, 1.0], rows) for f in feats},
                               **{f"raw:{f}": rng.choice([3.0, 4.0], rows) for f in feats}},
                              index=pd.Index(range(10, 10 + rows), name="row"))
        mean = importance_table(rng, feats, "mean_abs_shap", [0.5, 1.0])
        perm = None if rng.integers(0, 3) == 0 else d.perm[d.model]
        instance = int(rng.integers(10, 10 + rows))
        mine, subjects = C.shap(values, mean, perm, instance, True, R, d.checks, d.model)
        theirs, e = gating.shap(*reading_shap(values, mean, perm, instance, True, R), d.F, d.model, instance)
        agree(mine, theirs, (case, values.to_dict("list"), mean.to_dict("list"), instance))
        assert subjects["leader_group"] == e["leader_group"], case
        # what filled the explained row's values, as the facts quote it: the filled_rows table's
        f = d.F.filled
        f = f[(f.model == d.model) & (f.source == "shap") & (f.row == instance)] if f is not None else f
        quoted = C.filled_features(d.checks, d.model, "shap", row=instance)
        assert quoted == ({} if f is None else {x: (r.fill_rule, r.fill_value) for r in f.itertuples()
                                                 for x in r.features}), case


def test_lime_with_checks(R, diagnosed):
    rng = np.random.default_rng(23)
    for case, d in enumerate(diagnosed * 4):
        feats = d.feats
        # mostly a row with filled values when the model has one
        f = d.F.filled
        filled = [] if f is None else f[(f.model == d.model) & (f.source == "lime")].position.tolist()
        position = int(rng.choice(filled)) if filled and rng.integers(0, 3) else int(rng.integers(0, 3))
        exp = pd.DataFrame({"feature": feats, "rule": [f"{f} <= 1" for f in feats],
                            "rank": rng.permutation(len(feats)) + 1, "test_position": position,
                            "weight": rng.choice([-0.2, -0.1, 0.0, 0.1, 0.3], len(feats), p=[0.3, 0.1, 0.1, 0.2, 0.3]),
                            "class": "a", "proba_a": 0.8, "proba_b": 0.2})
        agreement = pd.Series({"mean_jaccard": float(rng.choice([0.5, R["lime_partly_stable"], 0.75, R["lime_stable"],
                                                                 0.95]))})
        other = None
        if rng.integers(0, 2):
            other = pd.DataFrame({"feature": feats, "weight": rng.choice([-0.2, 0.1], len(feats))})
        mine, subjects = C.lime(exp, agreement, other, R, d.checks, d.model)
        theirs, e = gating.lime(*reading_lime(exp, agreement, other, R), exp, d.F, d.model)
        agree(mine, theirs, (case, exp.to_dict("list"), agreement.to_dict()))
        filled = d.F.filled_features(d.model, "lime", position=int(exp.test_position.iloc[0])) if d.F else set()
        assert set(subjects["filled"]) <= filled, case
        assert (bool(subjects["filled"]) and not theirs["no_better"]) == theirs["conditions_filled"], case


def test_linear_with_checks(R, diagnosed):
    """The coefficients under the checks: none read for a model no better than guessing, a redundant
    feature near zero set apart (claims.linear against gating.linear)."""
    rng = np.random.default_rng(25)
    for case, d in enumerate(diagnosed * 2):
        m = d.model
        coef = ordered(importance_table(rng, d.feats, "coefficient", [-2.0, -0.1, 0.0, 0.1, 1.5], [0.1, 0.6]))
        metrics = pd.DataFrame({"model": [m], "metric": "r2", "value": [0.5]})
        pred = pd.DataFrame({"y_true": rng.choice([0.0, 1.0, 5.0], 5), "y_pred": rng.choice([0.0, 1.0], 5)})
        data = pd.DataFrame({f: rng.choice([0, 1, 2], 4) for f in d.feats})
        mine, subjects = C.linear(coef, pd.DataFrame(), metrics, m, [], pred, list(d.feats), data, {}, R, d.checks)
        theirs, e = gating.linear(*reading_linear(coef, metrics, m, pd.DataFrame(), pred, {f: {} for f in d.feats},
                                                  {}, [data.iloc[:2], data.iloc[2:]], R), d.F, m)
        agree(mine, theirs, (case, coef.to_dict("list")))
        assert subjects["weak"] == e["weak"] and subjects["weak_grouped"] == e["weak_grouped"], case


def test_effects_with_checks(diagnosed):
    rng = np.random.default_rng(24)
    for case, d in enumerate(diagnosed * 2):
        n = len(d.feats)
        summary = pd.DataFrame({"feature": d.feats, "rank": range(1, n + 1), "shown": rng.integers(0, 2, n) == 1,
                                "monotone": rng.choice(["increasing", "decreasing", "flat", "mixed"], n)})
        mine, subjects = C.effects(summary, d.checks, d.model)
        theirs = gating.effects(reading_effects(summary)[0], summary, d.F, d.model)
        agree(mine, theirs, (case, summary.to_dict("list")))


def test_comparison_with_checks(diagnosed):
    rng = np.random.default_rng(25)
    for case, d in enumerate(diagnosed * 2):
        models = d.models
        metric, t, diffs = comparison_tables(rng, models)
        mine, subjects = C.comparison(t, diffs, metric, d.checks)
        theirs, e = gating.comparison(*reading_comparison(t, diffs, metric), models, d.F)
        agree(mine, theirs, (case, t.to_dict("list"), diffs.to_dict("list")))
        # the article names them in the comparison's order, the check in the table's
        assert (sorted(subjects["guessing"]), sorted(subjects["one_class"])) == (
            sorted(e["guessing"]), sorted(e["one_class"])), case
        # the article at a glance (mlviz.article.facts) says so too, from the baseline table's models
        assert d.checks.learned_nothing() == theirs["learned_nothing"], case


def test_trust_with_checks(R, diagnosed):
    rng = np.random.default_rng(26)
    for case, d in enumerate(diagnosed):
        rows = [{"model": str(rng.choice(d.models)), "spearman": float(rng.choice([0.1, 0.5, 0.9]))}
                for _ in range(int(rng.integers(0, 4)))]
        agreement = pd.DataFrame(rows, columns=["model", "spearman"])
        mine, subjects = C.trust(agreement, None, R, d.checks)
        theirs, e = reading_trust(agreement, None, R)
        # as tests/articlecheck.py reads the trust section's top k
        theirs["top_k_uninformative"] = bool(e) and not d.F.informative("method_agreement", e["model"])
        agree(mine, theirs, (case, rows))


def _plain(run_dir, feats, better: bool, filled: pd.DataFrame):
    """A dataset's checks with nothing found but the model's baseline (better or not) and `filled`."""
    base = run_dir / "diagnostics" / "d"
    lower = 0.1 if better else -0.1
    _write(pd.DataFrame([{"dataset": "d", "model": "m", "metric": "roc_auc", "headline": True, "value": 0.7,
                          "baseline": 0.5, "difference": lower + 0.05, "lower": lower, "upper": lower + 0.1,
                          "level": 0.95, "n_boot": 200, "higher_is_better": True, "better": better, "worse": False,
                          "predicted_classes": 2, "one_class": False}], columns=D.BASELINE_COLUMNS),
           base / "baseline.parquet")
    _write(pd.DataFrame(columns=D.GROUP_COLUMNS), base / "redundancy_groups.parquet")
    _write(pd.DataFrame([{"dataset": "d", "candidate": f, "kind": "feature", "in_model": True, "features": [f],
                          "metric": "balanced_accuracy", "score": 0.5, "skill": 0.0, "skill_cv": np.nan,
                          "threshold": 0.97, "identifier_like": False, "follows_row_order": False, "suspect": False,
                          "reason": ""} for f in feats], columns=D.LEAKAGE_COLUMNS), base / "leakage.parquet")
    _write(pd.DataFrame(columns=D.DUPLICATE_COLUMNS), base / "duplicates.parquet")
    _write(pd.DataFrame(columns=D.CAVEAT_COLUMNS), base / "columns.parquet")
    _write(filled, base / "filled_rows.parquet")
    return gating.found(run_dir, "d"), Run(run_dir, 3, {}).checks("d")


def test_lime_names_a_filled_condition_only_among_those_it_shows(R, tmp_path):
    """LIME's sentences name the two strongest conditions for and the two against the class: a
    filled value under any of them is said to be one, under a weaker one (or for a model no better
    than guessing) it is not."""
    feats = [f"f{i}" for i in range(7)]
    weights = [0.3, -0.3, 0.2, 0.0, -0.2, 0.1, -0.1]  # by rank: two for, two against, then the weaker ones
    exp = pd.DataFrame({"feature": feats, "rule": [f"{f} <= 1" for f in feats], "rank": range(1, 8),
                        "test_position": 2, "weight": weights, "class": "a", "proba_a": 0.8, "proba_b": 0.2})
    agreement = pd.Series({"mean_jaccard": 0.9})
    for better in (True, False):
        for i, f in enumerate(feats):
            for position in (2, 1):
                filled = pd.DataFrame([{"dataset": "d", "model": "m", "source": "lime", "row": 40, "position": position,
                                        "column": f, "features": [f], "fill_rule": "median", "fill_value": "1"}],
                                      columns=D.FILLED_COLUMNS)
                F, checks = _plain(tmp_path / f"{better}{i}{position}", feats, better, filled)
                mine, subjects = C.lime(exp, agreement, None, R, checks, "m")
                theirs, _ = gating.lime(*reading_lime(exp, agreement, None, R), exp, F, "m")
                agree(mine, theirs, (better, f, position))
                shown = weights[i] != 0 and i in (0, 1, 2, 4) and position == 2
                assert theirs["conditions_filled"] == (shown and better), (better, f, position)
                assert subjects["filled"] == ([f] if shown else []), (better, f, position)
