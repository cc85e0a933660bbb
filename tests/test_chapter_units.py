"""Unit tests of the comparison, calibration, effects, threshold and trust chapters on small
synthetic data: the numbers (against scikit-learn and mlviz.compute.metrics) and what the figures draw."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlviz.compute import calibration as cal
from mlviz.compute import comparison as cmp
from mlviz.compute import effects as eff
from mlviz.compute import metrics as mmetrics
from mlviz.compute import threshold as thr
from mlviz.compute import trust
from mlviz.errors import InputError
from mlviz.plots import calibration as pcal
from mlviz.plots import comparison as pcmp
from mlviz.plots import effects as peff
from mlviz.plots import threshold as pthr
from mlviz.plots import trust as ptrust
from mlviz.plots.style import Style, save

BINARY = ["no", "yes"]
THREE = ["Admit", "Deny", "Waitlist"]


@pytest.fixture(scope="module")
def style() -> Style:
    return Style.of({"width": 6.7, "height": 4.5, "dpi": 60})


# ---------------------------------------------------------------- synthetic predictions

def predictions(y: np.ndarray, classes: list[str], signal: float, seed: int) -> pd.DataFrame:
    """A predictions table whose probabilities carry `signal` about y (0: none)."""
    rng = np.random.default_rng(seed)
    K = len(classes)
    logits = rng.normal(size=(len(y), K))
    logits[np.arange(len(y)), y] += signal
    proba = np.exp(logits)
    proba /= proba.sum(axis=1, keepdims=True)
    table = pd.DataFrame({"y_true": y, "y_pred": proba.argmax(axis=1)},
                         index=pd.RangeIndex(len(y), name="row"))
    for k, c in enumerate(classes):
        table[f"proba_{c}"] = proba[:, k]
    return table


def models(n: int, classes: list[str], seed: int = 0) -> dict[str, pd.DataFrame]:
    y = np.random.default_rng(seed).integers(0, len(classes), n)
    return {"good": predictions(y, classes, 2.5, seed + 1), "random": predictions(y, classes, 0.0, seed + 2)}


def regression_models(n: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    y = rng.normal(10, 3, n)
    index = pd.RangeIndex(n, name="row")
    return {"close": pd.DataFrame({"y_true": y, "y_pred": y + rng.normal(0, 1, n)}, index=index),
            "far": pd.DataFrame({"y_true": y, "y_pred": y + rng.normal(0, 3, n)}, index=index)}


def legend_texts(fig) -> list[str]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def assert_ticks_apart(fig) -> None:
    """No two x tick labels of an axes touch (the readability rule the figures keep)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        # Rotated labels (method names) have overlapping upright boxes but do not touch.
        boxes = sorted((t.get_window_extent(renderer) for t in ax.get_xticklabels()
                        if t.get_visible() and t.get_text() and t.get_rotation() == 0), key=lambda b: b.x0)
        for a, b in zip(boxes, boxes[1:]):
            assert not a.overlaps(b), f"x tick labels overlap in {ax.get_title()!r}"


def saved(fig, tmp_path, name: str, style: Style):
    assert_ticks_apart(fig)
    path = tmp_path / f"{name}.png"
    save(fig, path, style=style)
    assert path.stat().st_size > 1000
    return path


# ---------------------------------------------------------------- comparison

@pytest.mark.parametrize("classes", [BINARY, THREE])
def test_bootstrap_point_estimates_equal_the_metrics_table(classes):
    from sklearn.metrics import brier_score_loss

    preds = models(300, classes)
    table = cmp.bootstrap_metrics(preds, task="classification", classes=classes, n_boot=50, seed=0)
    assert list(table.columns) == ["model", "metric", "value", "lower", "upper", "n_boot"]
    for model, pred in preds.items():
        expected = mmetrics.classification_metrics(pred, classes)
        got = table[table["model"] == model].set_index("metric")["value"]
        for metric in ("accuracy", "balanced_accuracy", "roc_auc", "average_precision"):
            assert got[metric] == expected[metric]  # exactly: the same function
        proba = pred[mmetrics.proba_columns(classes)].to_numpy()
        brier = (brier_score_loss(pred["y_true"], proba[:, 1]) if len(classes) == 2
                 else np.mean(np.sum((proba - np.eye(len(classes))[pred["y_true"]]) ** 2, axis=1)))
        assert got["brier"] == pytest.approx(brier, abs=1e-12)


@pytest.mark.parametrize("classes", [BINARY, THREE, None])
def test_bootstrap_replicates_equal_sklearn_on_the_resampled_rows(classes):
    """The hand-written weighted metrics give scikit-learn's numbers on each resample."""
    from sklearn.metrics import brier_score_loss

    task = "regression" if classes is None else "classification"
    preds = regression_models(80) if classes is None else models(80, classes, seed=3)
    reps = cmp._replicates(preds, task, classes, 5, seed=7)
    idx = np.random.default_rng(7).integers(0, 80, size=(5, 80))  # the same draws, one chunk
    for b in range(5):
        for model, pred in preds.items():
            rows = pred.iloc[idx[b]]
            if task == "regression":
                expected = mmetrics.regression_metrics(rows)
            else:
                expected = mmetrics.classification_metrics(rows, classes)
                proba = rows[mmetrics.proba_columns(classes)].to_numpy()
                expected["brier"] = (brier_score_loss(rows["y_true"], proba[:, 1]) if len(classes) == 2 else
                                     brier_score_loss(rows["y_true"], proba, labels=list(range(len(classes)))))
            for metric, values in reps[model].items():
                assert values[b] == pytest.approx(expected[metric], rel=1e-10, abs=1e-12), (model, metric)


def test_intervals_contain_the_estimate_and_shrink_with_more_rows():
    widths = {}
    for n in (150, 3000):
        table = cmp.bootstrap_metrics(models(n, BINARY, seed=5), task="classification", classes=BINARY,
                                      n_boot=200, seed=1)
        assert (table["lower"] <= table["value"] + 1e-12).all() and (table["value"] <= table["upper"] + 1e-12).all()
        widths[n] = (table["upper"] - table["lower"]).to_numpy()
    assert (widths[3000] < widths[150]).all()


def test_regression_intervals():
    table = cmp.bootstrap_metrics(regression_models(400), task="regression", classes=None, n_boot=100, seed=0)
    assert set(table["metric"]) == {"r2", "rmse", "mae"}
    expected = mmetrics.regression_metrics(regression_models(400)["close"])
    got = table[table["model"] == "close"].set_index("metric")["value"]
    assert all(got[m] == expected[m] for m in expected)
    assert (table["n_boot"] == 100).all()


def test_a_better_model_beats_a_random_one_and_identical_models_never_do():
    preds = models(400, BINARY, seed=2)
    preds["copy"] = preds["good"].copy()
    diffs = cmp.pairwise_differences(preds, task="classification", classes=BINARY, n_boot=200, seed=0)
    assert list(diffs[["model_a", "model_b"]].drop_duplicates().itertuples(index=False, name=None)) == [
        ("copy", "good"), ("copy", "random"), ("good", "random")]
    good_vs_random = diffs[(diffs["model_a"] == "good") & (diffs["model_b"] == "random")]
    assert all(cmp.beats(r) for _, r in good_vs_random.iterrows())  # brier too: lower is better
    assert all(cmp.winner(r) == "good" for _, r in good_vs_random.iterrows())
    assert not good_vs_random.loc[good_vs_random["metric"] == "brier", "higher_is_better"].item()
    same = diffs[(diffs["model_a"] == "copy") & (diffs["model_b"] == "good")]
    assert (same["difference"] == 0).all()
    assert not any(cmp.beats(r) or cmp.winner(r) for _, r in same.iterrows())
    random_vs_good = diffs[(diffs["model_a"] == "copy") & (diffs["model_b"] == "random")]
    flipped = random_vs_good.assign(model_a="random", model_b="copy", difference=-random_vs_good["difference"],
                                    lower=-random_vs_good["upper"], upper=-random_vs_good["lower"])
    assert not any(cmp.beats(r) for _, r in flipped.iterrows())


def test_undefined_resamples_are_skipped_and_counted():
    y = np.zeros(40, dtype=int)
    y[0] = 1  # one positive row: many resamples miss it, and AUC is undefined there
    preds = {"m": predictions(y, BINARY, 1.0, 0)}
    table = cmp.bootstrap_metrics(preds, task="classification", classes=BINARY, n_boot=300, seed=0)
    n = table.set_index("metric")["n_boot"]
    assert n["accuracy"] == 300 and n["brier"] == 300
    assert 0 < n["roc_auc"] < 300 and n["average_precision"] == n["roc_auc"]


def test_bootstrap_is_deterministic_and_checks_its_input():
    preds = models(200, THREE)
    a = cmp.bootstrap_metrics(preds, task="classification", classes=THREE, n_boot=60, seed=4)
    b = cmp.bootstrap_metrics(preds, task="classification", classes=THREE, n_boot=60, seed=4)
    pd.testing.assert_frame_equal(a, b)
    shuffled = {"good": preds["good"], "random": preds["random"].iloc[::-1]}
    with pytest.raises(InputError, match="same test rows"):
        cmp.bootstrap_metrics(shuffled, task="classification", classes=THREE, n_boot=10, seed=0)
    with pytest.raises(InputError, match="level"):
        cmp.bootstrap_metrics(preds, task="classification", classes=THREE, n_boot=10, seed=0, level=95)


@pytest.mark.parametrize("classes", [BINARY, THREE])
def test_comparison_curves_quote_the_metrics_table(classes, style, tmp_path):
    preds = models(300, classes)
    table = cmp.bootstrap_metrics(preds, task="classification", classes=classes, n_boot=50, seed=0)
    for draw, metric in ((pcmp.draw_roc_comparison, "roc_auc"), (pcmp.draw_pr_comparison, "average_precision")):
        fig = draw(preds, classes, metrics=table, style=style, title="t")
        texts = legend_texts(fig)
        assert len(fig.axes[0].get_lines()) == len(preds) + 1  # one curve per model and the chance line
        for model in preds:
            value = table[(table["model"] == model) & (table["metric"] == metric)]["value"].item()
            assert any(t.startswith(model) and f"{value:.3f}" in t for t in texts)
        if draw is pcmp.draw_pr_comparison and len(classes) == 2:
            prevalence = np.mean(next(iter(preds.values()))["y_true"] == 1)
            assert any(f"prevalence = {prevalence:.3f}" in t for t in texts)
        saved(fig, tmp_path, f"{metric}_{len(classes)}", style)


def test_predicted_vs_actual_and_forest_plot(style, tmp_path):
    preds = regression_models(2000)
    table = cmp.bootstrap_metrics(preds, task="regression", classes=None, n_boot=50, seed=0)
    fig = pcmp.draw_predicted_vs_actual(preds, metrics=table, style=style, title="t")
    r2 = table[(table["model"] == "close") & (table["metric"] == "r2")]["value"].item()
    assert any("close" in t and f"R² = {r2:.3f}" in t for t in legend_texts(fig))
    assert len(fig.axes[0].collections) == 2
    saved(fig, tmp_path, "pva", style)
    fig = pcmp.draw_metric_intervals(table, style=style, title="t")
    assert sum(ax.get_visible() for ax in fig.axes) == 3
    top_down = sorted(zip(fig.axes[0].get_yticks(), fig.axes[0].get_yticklabels()), key=lambda t: -t[0])
    assert [label.get_text() for _, label in top_down] == ["close", "far"]  # table order, top to bottom
    saved(fig, tmp_path, "forest", style)


# ---------------------------------------------------------------- calibration

def calibration_models(n: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.02, 0.98, n)
    y = (rng.random(n) < p).astype(int)
    over = np.clip(0.5 + 2.5 * (p - 0.5), 0.001, 0.999)  # pushed towards 0 and 1
    out = {}
    for name, q in (("calibrated", p), ("over_confident", over)):
        out[name] = pd.DataFrame({"y_true": y, "y_pred": (q >= 0.5).astype(int), "proba_no": 1 - q, "proba_yes": q})
    return out


def test_calibration_scores_separate_calibrated_from_over_confident():
    from sklearn.metrics import brier_score_loss

    preds = calibration_models(20000)
    scores = cal.calibration_scores(preds, BINARY).set_index("model")
    assert list(scores["class"]) == ["yes", "yes"]
    assert scores.loc["calibrated", "ece"] < 0.02
    assert scores.loc["over_confident", "ece"] > 0.1
    assert scores.loc["over_confident", "reliability"] > 10 * scores.loc["calibrated", "reliability"]
    for model, pred in preds.items():
        expected = brier_score_loss(pred["y_true"], pred["proba_yes"])
        assert scores.loc[model, "brier"] == pytest.approx(expected, abs=1e-15)
    s = scores
    identity = s["reliability"] - s["resolution"] + s["uncertainty"] + s["decomposition_gap"]
    np.testing.assert_allclose(identity, s["brier"], atol=1e-12)
    assert (s["decomposition_gap"].abs() < 0.01).all()


def test_decomposition_is_exact_when_forecasts_are_constant_per_bin():
    rng = np.random.default_rng(1)
    p = rng.choice([0.05, 0.35, 0.65, 0.95], 5000)  # one value per equal-width bin
    y = (rng.random(5000) < p).astype(int)
    pred = pd.DataFrame({"y_true": y, "y_pred": (p >= .5).astype(int), "proba_no": 1 - p, "proba_yes": p})
    row = cal.calibration_scores({"m": pred}, BINARY).iloc[0]
    assert abs(row["decomposition_gap"]) < 1e-12


def test_calibration_table_agrees_with_calibration_curve_and_multiclass_totals():
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import brier_score_loss

    preds = calibration_models(2000)
    table = cal.calibration_table(preds, BINARY, n_bins=8)
    part = table[table["model"] == "calibrated"]
    fraction, mean = calibration_curve(preds["calibrated"]["y_true"], preds["calibrated"]["proba_yes"], n_bins=8,
                                       strategy="quantile")
    np.testing.assert_array_equal(part["fraction_positive"], fraction)
    np.testing.assert_array_equal(part["mean_predicted"], mean)
    assert part["count"].sum() == 2000
    assert (part["lower"] <= part["mean_predicted"]).all() and (part["mean_predicted"] <= part["upper"]).all()
    three = models(600, THREE)
    scores = cal.calibration_scores(three, THREE)
    assert list(scores["class"][:4]) == THREE + ["all"]
    for model, pred in three.items():
        rows = scores[scores["model"] == model].set_index("class")
        proba = pred[mmetrics.proba_columns(THREE)].to_numpy()
        assert rows.loc["all", "brier"] == pytest.approx(brier_score_loss(pred["y_true"], proba, labels=[0, 1, 2]))
        assert rows.loc["all", "ece"] == pytest.approx(rows.loc[THREE, "ece"].mean())
    assert set(cal.calibration_table(three, THREE)["class"]) == set(THREE)


def test_calibration_figures(style, tmp_path):
    preds = calibration_models(1500)
    table = cal.calibration_table(preds, BINARY)
    scores = cal.calibration_scores(preds, BINARY)
    fig = pcal.draw_calibration(table, scores, style=style, title="t",
                                histogram=cal.calibration_table(preds, BINARY, strategy="uniform"))
    texts = legend_texts(fig)
    for model in preds:
        brier = scores.loc[scores["model"] == model, "brier"].item()
        assert f"{model} (Brier = {brier:.3f})" in texts
    assert "Perfectly calibrated" in texts
    assert len(fig.axes) == 2  # the diagram and its histogram
    saved(fig, tmp_path, "calibration_2", style)
    # Quantile bins and no histogram table: equal shares would show nothing, so no histogram.
    assert len(pcal.draw_calibration(table, scores, style=style).axes) == 1
    uniform = cal.calibration_table(preds, BINARY, strategy="uniform")
    assert len(pcal.draw_calibration(uniform, scores, style=style).axes) == 2
    three = models(900, THREE)
    fig = pcal.draw_calibration(cal.calibration_table(three, THREE), cal.calibration_scores(three, THREE),
                                style=style, title="t")
    assert sum(ax.get_visible() for ax in fig.axes) == 3
    assert len(fig.legends) == 1 and all(ax.get_legend() is None for ax in fig.axes)
    saved(fig, tmp_path, "calibration_3", style)


# ---------------------------------------------------------------- effects

@pytest.fixture(scope="module")
def forest():
    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x0": rng.normal(size=400), "noise": rng.normal(size=400),
                      "flag": rng.integers(0, 2, 400)})  # integer 0/1: partial_dependence wants floats
    y = 3 * X["x0"] + rng.normal(0, 0.3, 400)
    model = RandomForestRegressor(n_estimators=30, max_depth=6, random_state=0, n_jobs=1).fit(X, y)
    return model, X


def test_partial_dependence_finds_the_effect_and_the_flat_noise(forest):
    model, X = forest
    table = eff.partial_dependence_table(model, X, ["x0", "noise", "flag"], ice_rows=40, seed=3)
    assert list(table.columns) == ["feature", "kind", "line", "grid_value", "value"]
    avg = table[table["kind"] == "average"]
    assert (avg["line"] == -1).all()
    assert len(avg[avg["feature"] == "x0"]) == 20
    assert sorted(avg.loc[avg["feature"] == "flag", "grid_value"]) == [0.0, 1.0]  # its two values as grid
    x0 = avg[avg["feature"] == "x0"]["grid_value"]
    assert X["x0"].quantile(0.05) <= x0.min() and x0.max() <= X["x0"].quantile(0.95)  # the data's own units
    ice = table[(table["kind"] == "individual") & (table["feature"] == "x0")]
    assert ice["line"].nunique() == 40 and set(ice["line"]) <= set(X.index)
    # The average is the mean of the ICE lines (same rows).
    mean = ice.groupby("grid_value")["value"].mean().to_numpy()
    np.testing.assert_allclose(mean, avg[avg["feature"] == "x0"]["value"], rtol=1e-10)
    summary = eff.effect_summary(table).set_index("feature")
    assert summary.loc["x0", "monotone"] == "increasing" and summary.loc["x0", "spearman"] > 0.9
    assert summary.loc["noise", "monotone"] == "flat" and np.isnan(summary.loc["noise", "spearman"])
    assert summary.loc["flag", "points"] == 2
    again = eff.partial_dependence_table(model, X, ["x0", "noise", "flag"], ice_rows=40, seed=3)
    pd.testing.assert_frame_equal(table, again)


def test_effect_summary_shapes():
    def curve(feature, values):
        return pd.DataFrame({"feature": feature, "kind": "average", "line": -1,
                             "grid_value": np.arange(len(values), dtype=float), "value": values})

    table = pd.concat([curve("up", [0, 1, 2, 3.0]), curve("down", [3, 2, 1, 0.0]), curve("hump", [0, 3, 3, 0.0]),
                       curve("tiny", [0, 0.05, 0, 0.05]), curve("slide", [3, 2.9, 2.8, 2.7, 2.6, 2.5, 2.0]),
                       curve("two", [1.0, 0.0])])
    s = eff.effect_summary(table).set_index("feature")
    assert s.loc["up", "monotone"] == "increasing" and s.loc["up", "spearman"] == pytest.approx(1)
    assert s.loc["down", "monotone"] == "decreasing"
    assert s.loc["hump", "monotone"] == "mixed"
    assert s.loc["tiny", "monotone"] == "flat"
    assert s.loc["slide", "monotone"] == "decreasing"  # small steps that add up to a fall
    assert s.loc["two", "spearman"] == -1 and s.loc["two", "monotone"] == "decreasing"


def test_top_features_and_classifier_effects():
    import xgboost

    imp = pd.DataFrame({"dataset": "d", "model": "m", "method": "permutation",
                        "feature": ["c", "a", "b", "z", "neg"], "value": [0.2, 0.2, 0.5, 0.0, -0.1], "spread": 0.0})
    other = imp.assign(method="impurity", value=[9, 9, 9, 9, 9])
    assert eff.top_features(pd.concat([imp, other]), "d", "m", 5) == ["b", "a", "c"]
    assert eff.top_features(imp, "d", "m", 2) == ["b", "a"]
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = (X["a"] + rng.normal(0, 0.5, 300) > 0).astype(int)
    clf = xgboost.XGBClassifier(n_estimators=20, max_depth=2, n_jobs=1, random_state=0).fit(X, y)
    pos = eff.partial_dependence_table(clf, X, ["a"], ice_rows=30)
    neg = eff.partial_dependence_table(clf, X, ["a"], ice_rows=30, class_index=0)
    np.testing.assert_allclose(pos["value"] + neg["value"], 1.0, atol=1e-6)
    assert eff.effect_summary(pos).set_index("feature").loc["a", "monotone"] == "increasing"
    two = eff.two_way_table(clf, X, ("a", "b"), grid_resolution=6)
    assert list(two.columns) == ["feature_x", "feature_y", "x", "y", "value"]
    assert len(two) == 36 and two["value"].between(0, 1).all()


def test_effect_figures(forest, style, tmp_path):
    model, X = forest
    table = eff.partial_dependence_table(model, X, ["x0", "noise", "flag"], ice_rows=25)
    fig = peff.draw_pdp_ice(table, style=style, title="t", ylabel="prediction")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert all(len(ax.get_lines()) == 25 + 1 for ax in visible)  # ICE lines and the average
    flag = visible[2]
    assert [t.get_text() for t in flag.get_xticklabels()] == ["0", "1"]
    assert any("25 rows" in t for t in legend_texts(fig))
    saved(fig, tmp_path, "pdp", style)
    two = eff.two_way_table(model, X, ("x0", "noise"), grid_resolution=6, max_rows=80)
    fig = peff.draw_pdp_2d(two, style=style, title="t")
    assert len(fig.axes) == 2  # the map and its colour bar
    saved(fig, tmp_path, "pdp2d", style)
    fig = peff.draw_pdp_2d(eff.two_way_table(model, X, ("x0", "flag"), grid_resolution=6, max_rows=80),
                           style=style)
    saved(fig, tmp_path, "pdp2d_flag", style)
    # A model that answers the same everywhere on the grid (one dominant class): a flat map, said so.
    fig = peff.draw_pdp_2d(two.assign(value=0.25), style=style, title="t")
    assert len(fig.axes) == 2 and any("flat: 0.25 everywhere" in t.get_text() for t in fig.axes[0].texts)
    saved(fig, tmp_path, "pdp2d_flat", style)


# ---------------------------------------------------------------- threshold

def test_threshold_best_f1_and_default():
    from sklearn.metrics import f1_score, precision_score, recall_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    p = np.clip(0.35 * y + rng.uniform(0, 0.65, 500), 0, 1).round(2)  # ties and an exact 0.5
    table = thr.threshold_table(y, p)
    assert list(table.columns) == ["threshold", "precision", "recall", "f1"]
    assert len(table) == len(np.unique(p))
    s = thr.threshold_summary(table, y, p)
    assert s["best_f1"] == table["f1"].max()
    best = table.loc[table["f1"] == table["f1"].max(), "threshold"].min()
    assert s["best_f1_threshold"] == best
    called = (p >= s["best_f1_threshold"]).astype(int)
    assert s["f1_at_best"] == pytest.approx(f1_score(y, called))
    called = (p > 0.5).astype(int)  # as the model's predict makes it
    assert s["precision_at_default"] == precision_score(y, called)
    assert s["recall_at_default"] == recall_score(y, called)
    assert s["f1_at_default"] == pytest.approx(f1_score(y, called))
    assert s["ties_at_default"] == int(np.sum(p == 0.5)) > 0
    # Tied F1: the lowest threshold wins.
    tied = pd.DataFrame({"threshold": [0.7, 0.2, 0.4], "precision": [1, .5, .5], "recall": [.5, 1, .5],
                         "f1": [2 / 3, 2 / 3, 0.5]})
    assert thr.threshold_summary(tied, y, p)["best_f1_threshold"] == 0.2


def test_threshold_figure(style, tmp_path):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    p = np.clip(0.3 * y + rng.uniform(0, 0.7, 300), 0, 1)
    table = thr.threshold_table(y, p)
    summary = thr.threshold_summary(table, y, p)
    fig = pthr.draw_threshold(table, summary, style=style, title="t")
    texts = legend_texts(fig)
    assert texts[:3] == ["precision", "recall", "F1"]
    assert any(f"{summary['best_f1_threshold']:.3f}" in t and f"F1 {summary['best_f1']:.3f}" in t for t in texts)
    assert any(f"F1 {summary['f1_at_default']:.3f}" in t for t in texts)
    saved(fig, tmp_path, "threshold", style)


# ---------------------------------------------------------------- trust

def importance_rows(model: str, method: str, values) -> pd.DataFrame:
    return pd.DataFrame({"dataset": "d", "model": model, "method": method,
                         "feature": [f"f{i}" for i in range(len(values))], "value": values, "spread": 0.0})


def test_method_agreement_of_identical_and_reversed_rankings():
    v = np.arange(10, 0, -1, dtype=float)
    table = pd.concat([importance_rows("m", "impurity", v), importance_rows("m", "mean_abs_shap", v * 2),
                       importance_rows("m", "permutation", v[::-1]),
                       importance_rows("m", "coefficient", v * np.array([1, -1] * 5))])  # |coef| ranks as v
    a = trust.method_agreement(table, top_k=5).set_index(["method_a", "method_b"])
    assert len(a) == 6
    assert a.loc[("impurity", "mean_abs_shap"), "spearman"] == pytest.approx(1)
    assert a.loc[("impurity", "mean_abs_shap"), "overlap"] == 1
    assert a.loc[("coefficient", "impurity"), "spearman"] == pytest.approx(1)
    assert a.loc[("impurity", "permutation"), "spearman"] == pytest.approx(-1)
    assert a.loc[("impurity", "permutation"), "overlap"] == 0
    assert (a["features"] == 10).all() and (a["top_k"] == 5).all()
    small = trust.method_agreement(pd.concat([importance_rows("n", "impurity", [3.0, 2.0, 1.0]),
                                              importance_rows("n", "permutation", [1.0, 2.0, 3.0])]), top_k=5)
    assert small["top_k"].item() == 3 and small["overlap"].item() == 1


def test_shap_order_deletion_beats_random_order():
    rng = np.random.default_rng(0)
    weights = np.array([5.0, 0.5, 0.3, 0.2, 0.1, 0.1])
    X = pd.DataFrame(rng.normal(size=(300, 6)), columns=[f"f{i}" for i in range(6)])

    def output(frame):
        return frame.to_numpy() @ weights

    # Exact SHAP values of a linear model with independent features: w_j (x_j - E x_j).
    shap = pd.DataFrame((X.to_numpy() - X.mean().to_numpy()) * weights, index=X.index,
                        columns=["shap:" + c for c in X.columns])
    explained = X.iloc[:100]
    curve = trust.shap_deletion(output, explained, shap.iloc[:100], X.iloc[100:], k_max=6, n_random=4, seed=0)
    assert list(curve.columns) == ["order", "k", "change"]
    assert len(curve) == 2 * 7
    s = curve[curve["order"] == "shap"].set_index("k")["change"]
    r = curve[curve["order"] == "random"].set_index("k")["change"]
    assert s[0] == r[0] == 0
    assert s[1] > 3 * r[1]
    assert s[6] == pytest.approx(r[6])  # all features replaced: the orders no longer matter
    areas = trust.deletion_area(curve).set_index("order")["area"]
    assert areas["shap"] > areas["random"]
    again = trust.shap_deletion(output, explained, shap.iloc[:100], X.iloc[100:], k_max=6, n_random=4, seed=0)
    pd.testing.assert_frame_equal(curve, again)


def test_shap_deletion_is_fast_with_a_forest():
    import time

    from sklearn.ensemble import RandomForestRegressor

    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(600, 10)), columns=[f"f{i}" for i in range(10)])
    model = RandomForestRegressor(n_estimators=100, max_depth=6, random_state=0, n_jobs=1).fit(X, X["f0"])
    shap = pd.DataFrame(rng.normal(size=(200, 10)), index=X.index[:200], columns=X.columns)
    start = time.perf_counter()
    trust.shap_deletion(model.predict, X.iloc[:200], shap, X.iloc[200:], k_max=10, n_random=3, seed=0)
    assert time.perf_counter() - start < 20  # a few seconds on a laptop; generous for shared CI cores


def test_trust_figures(style, tmp_path):
    v = np.arange(6, 0, -1, dtype=float)
    table = pd.concat([importance_rows("forest", "impurity", v), importance_rows("forest", "permutation", v[::-1]),
                       importance_rows("forest", "mean_abs_shap", v),
                       importance_rows("linear", "coefficient", v), importance_rows("linear", "permutation", v)])
    agreement = trust.method_agreement(table)
    fig = ptrust.draw_agreement(agreement, style=style, title="t")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.images]
    assert [ax.get_title(loc="left") for ax in panels] == ["forest", "linear"]
    cells = [t.get_text() for t in panels[0].texts]
    assert "-1.00" in cells and "1.00" in cells
    saved(fig, tmp_path, "agreement", style)
    curve = pd.DataFrame({"order": ["shap"] * 3 + ["random"] * 3, "k": [0, 1, 2] * 2,
                          "change": [0, 0.3, 0.35, 0, 0.1, 0.35]})
    areas = trust.deletion_area(curve)
    assert areas.set_index("order")["area"].to_dict() == pytest.approx({"shap": 0.2375, "random": 0.1375})
    fig = ptrust.draw_deletion(curve, areas, style=style, title="t", output_name="P(yes)")
    texts = legend_texts(fig)
    assert any("area = 0.2375" in t for t in texts) and any("area = 0.1375" in t for t in texts)
    assert len(fig.axes[0].get_lines()) == 2
    saved(fig, tmp_path, "deletion", style)


# ------------------------------------------------------------------ long names (any user's data)
def test_cuts_and_conditions_are_written_in_the_datas_own_units():
    """The issue's cases: a bound rounded so that the explained row's value stays inside, whole numbers
    cut at whole numbers, numbers written as the article writes them, levels in words."""
    from mlviz.compute import features as F

    number, integer = {"kind": "number"}, {"kind": "integer"}
    years = [0, 1, 2, 2, 3, 3, 5, 8, 10]
    # LIME's quartile bin (2, 5] of a whole-number feature: closed whole bounds; the row's 3 inside.
    c = F.bin_condition("YearsAtCompany", integer, 2.5, 5.0, years)
    assert c["text"] == "3 <= YearsAtCompany <= 5" and F.holds(c, integer, 3)
    assert F.bin_condition("calls", integer, None, 0.9977, [0, 0, 1, 1, 2])["text"] == "calls <= 0"
    amounts = [250.0, 699.8, 700.0, 997.8, 1000.0, 1200.0]
    c = F.bin_condition("Amount", number, 699.8, 997.8, amounts)
    assert F.holds(c, number, 997.8) and not F.holds(c, number, 1000.0)
    assert c["text"] == "699.8 < Amount <= 998"  # the next training value is 1000
    # A tree's threshold: the shortest number between the training values on either side.
    assert F.split_condition("carat", number, 0.995, [0.9, 0.99, 1.0, 1.2])["text"] == "carat <= 0.99"
    assert F.split_condition("Garage_Cars", integer, 2.5, [1, 2, 3])["text"] == "Garage_Cars <= 2"
    assert F.split_condition("income", number, 119_500.5, [119_000.0, 121_000.0])["text"] == "income <= 120,000"
    sex = {"kind": "binary", "column": "sex", "levels": ["female", "male"]}
    assert F.split_condition("sex", sex, 0.5, [0, 1])["text"] == "sex = female"
    energy = {"kind": "level", "column": "work_industry", "level": "Energy"}
    assert F.level_condition(energy, 0)["text"] == "work_industry ≠ Energy"
    assert F.reading("work_industry = Energy", energy, 1.0) == "work_industry = Energy"
    assert F.reading("sex", sex, 1.0) == "sex = male"
    # Numbers as the article writes them: no "119088.1", a year ungrouped.
    assert [F.number_text(x) for x in (119088.1, 1931.0, 12.345, 0.5)] == ["119,088", "1931", "12.3", "0.500"]


def test_long_labels_are_wrapped_inside_the_figure(tmp_path, style):
    import matplotlib.pyplot as plt
    from PIL import Image

    long_class = "Adelie Penguin (Pygoscelis adeliae)"
    fig, ax = style.figure()
    ax.scatter(np.arange(10), np.arange(10))
    ax.set_xlabel(f"Culmen Length (mm) (original units; the model saw (x − 44.12) / 5.506) {long_class}")
    ax.set_ylabel(f"SHAP value of Culmen Length (mm) (log-odds({long_class}))")
    fig.suptitle(f"SHAP dependence: Culmen Length (mm) (rank 1 by mean |SHAP|), a_long_dataset_name / xgboost")
    size = fig.get_size_inches() * fig.dpi
    save(fig, tmp_path / "long.png", style=style)
    assert "\n" in ax.xaxis.label.get_text() and "\n" in ax.yaxis.label.get_text()
    width, height = Image.open(tmp_path / "long.png").size
    # bbox 'tight' grows the image to hold what sticks out: wrapped, nothing does by much.
    assert width <= size[0] * 1.1 and height <= size[1] * 1.25, (width, height, size)
    plt.close("all")
