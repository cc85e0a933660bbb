"""Decision tree, impurity/permutation importance, linear-regression and classification-performance
figures (rules/importance.smk, rules/figures.smk).

The workflow runs once on the demo config and once on the real Kaggle files (session fixtures),
each in a copy of the checkout under a temporary directory, so that a test may edit the copy's
code (style.py) without touching the repository. Then: what a reader would check — the images and
the rule each names as its maker, the drivers ranked first, legend numbers equal to the metrics
table, bars in the table's order, and that editing one figure's setting reruns that figure only.
"""
from __future__ import annotations

import contextlib
import copy
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO, SHARED_DATA, SNAKEMAKE, resolve, resolve_error, small_config

from mlviz.compute import importance, models

from mlviz.config import schema
from mlviz.plots import style as mstyle
from mlviz.errors import InputError
from mlviz.workflow.jobs import stamp
from mlviz.plots import bars, classification, regression, tree
from mlviz.plots.style import Style

COPY_IGNORE = {".git", ".venv", "results", ".snakemake", ".pytest_cache", "tests", "__pycache__", "data"}

# The demo generator's ground truth (scripts/mlviz/sources/demo.py).
MBA_DRIVERS = ["gpa", "gmat", "work_exp"]
MBA_NO_EFFECT = ("gender", "international", "major = ", "race = ", "work_industry = ")
INSURANCE_DRIVERS = ["smoker", "age", "bmi"]
INSURANCE_NO_EFFECT = ("sex", "region = ")

# The default config's figures (names under results/<run>/figures/, without .png) and the rule
# that draws each.
DEFAULT_FIGURES = {
    "tree/mba/decision_tree": "draw_tree",
    "importance/mba/random_forest/impurity": "draw_importance",
    "importance/mba/random_forest/permutation": "draw_importance",
    "importance/insurance/xgboost/permutation": "draw_importance",
    "linear/insurance/linear/coefficients": "draw_coefficients",
    "linear/insurance/linear/residuals": "draw_residuals",
    "linear/insurance/linear/residual_distribution": "draw_residual_distribution",
    **{f"performance/{ds}/random_forest/{f}": f"draw_{f}" for ds in ("mba_binary", "mba")
       for f in ("confusion_matrix", "roc", "pr")},
}
FAMILIES = ("tree", "importance", "linear", "performance")

COMPUTE_RULES = {"demo_data", "preprocess", "train", "evaluate", "gather_metrics", "importance_impurity",
                 "importance_permutation", "importance_coefficient", "gather_importances"}

# A target rule over these families' figures only (the full `all` would also run SHAP, LIME, the
# article...): rules/common.smk's list of the run's figures, classified by mlviz.workflow.layout.
WRAPPER = f'''include: "Snakefile"


rule basic_figures:
    input:
        [f for f in figures() if OUT.classify(f).family in {FAMILIES!r}],
        OUT.path("metrics"),
'''


# --- fixtures ----------------------------------------------------------------------------------

def _snakemake(wf: Path, config: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [SNAKEMAKE, "-s", str(wf / "basic_test.smk"), "-d", str(wf), "--cores", "2", "--nolock",
           *args, "--configfile", str(config)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=wf)


def _config(source: str, run: str, real: bool = False) -> dict:
    cfg = yaml.safe_load((REPO / "config" / source).read_text())
    cfg["run"] = run
    cfg["neural"]["enabled"] = False
    cfg["report"]["enabled"] = False
    if real:
        cfg["sources"] = {"mba": {"path": str(SHARED_DATA / "MBA.csv")},
                          "insurance": {"path": str(SHARED_DATA / "insurance.csv")}}
    return cfg


@pytest.fixture(scope="session")
def checkout(tmp_path_factory) -> Path:
    wf = tmp_path_factory.mktemp("figures_basic") / "wf"
    shutil.copytree(REPO, wf, ignore=lambda d, names: [n for n in names if n in COPY_IGNORE])
    (wf / "basic_test.smk").write_text(WRAPPER)
    return wf


@pytest.fixture(scope="session")
def demo_run(checkout):
    cfg = _config("config.yaml", "t")
    path = checkout / "t.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    done = _snakemake(checkout, path, "basic_figures")
    assert done.returncode == 0, done.stderr[-4000:]
    return {"wf": checkout, "config": cfg, "resolved": resolve(cfg)[0], "config_path": path,
            "run": checkout / "results" / "t"}


@pytest.fixture(scope="session")
def real_run(checkout):
    if not (SHARED_DATA / "MBA.csv").exists() or not (SHARED_DATA / "insurance.csv").exists():
        pytest.skip(f"real data not found in {SHARED_DATA} (MBA.csv, insurance.csv)")
    cfg = _config("kaggle.yaml", "k", real=True)
    path = checkout / "k.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    run = checkout / "results" / "k"
    targets = [f"results/k/{t}" for t in (
        "importances/mba/random_forest/impurity.parquet", "importances/insurance/linear/coefficient.parquet",
        "figures/performance/mba_binary/random_forest/pr.png", "figures/tree/mba/decision_tree.png")]
    done = _snakemake(checkout, path, *targets)
    assert done.returncode == 0, done.stderr[-4000:]
    return {"wf": checkout, "config": cfg, "resolved": resolve(cfg)[0], "run": run}


def _scheduled(wf: Path, config: Path) -> dict[str, int]:
    """Jobs a dry run would execute, by rule (the wrapper's target rule left out)."""
    done = _snakemake(wf, config, "-n", "basic_figures")
    assert done.returncode == 0, done.stderr[-4000:]
    out = done.stdout + done.stderr
    if "Nothing to be done" in out:
        return {}
    table = out.split("Job stats:")[1].split("total")[0]
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)\s*$", table, flags=re.M))
    return {rule: int(n) for rule, n in jobs.items() if rule not in ("job", "basic_figures")}


def _metrics(run: Path, ds: str, model: str) -> pd.DataFrame:
    table = pd.read_parquet(run / "metrics.parquet") if (run / "metrics.parquet").exists() else \
        pd.read_parquet(run / "metrics" / ds / f"{model}.parquet")
    return table[(table["dataset"] == ds) & (table["model"] == model)]


def _metric(table: pd.DataFrame, name: str) -> float:
    return float(table.loc[table["metric"] == name, "value"].iloc[0])


def _legend(fig) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def _style(run: dict, section: str) -> Style:
    """The look a figure rule draws with: config style ← the figure's section (rules/common.smk)."""
    return Style.of(run["resolved"]["style"], run["resolved"]["figures"][section])


def _meta(run: Path, ds: str) -> dict:
    return json.loads((run / "data" / ds / "meta.json").read_text())


# --- the run's figures ------------------------------------------------------------------------

def test_every_figure_is_a_sensible_png_naming_the_rule_that_drew_it(demo_run):
    from PIL import Image

    for name, rule in DEFAULT_FIGURES.items():
        path = demo_run["run"] / "figures" / f"{name}.png"
        assert path.exists(), f"missing figure {name}"
        with Image.open(path) as img:
            assert img.format == "PNG"
            w, h = img.size
            assert 500 <= w <= 4000 and 400 <= h <= 3000, f"{name}: odd size {w}x{h}"
            assert img.text.get("mlviz:rule") == rule, f"{name}: {img.text}"
            assert re.fullmatch(r"[0-9a-f]{16}", img.text.get("mlviz:params", "")), f"{name}: {img.text}"
            # What a figure does not depend on is not stamped on it (the manifest has the run's provenance).
            assert not {"mlviz:run", "mlviz:config_hash", "mlviz:commit", "mlviz:packages"} & set(img.text)
            pixels = np.asarray(img.convert("L"))
        assert pixels.std() > 10, f"{name}: (nearly) blank image"
    drawn = {p.relative_to(demo_run["run"] / "figures").with_suffix("").as_posix()
             for p in (demo_run["run"] / "figures").rglob("*.png")}
    assert drawn == set(DEFAULT_FIGURES)


def test_a_redrawn_figure_is_byte_identical_stamp_included(demo_run):
    """Drawing again with the same inputs and params gives the same bytes, text chunks and all."""
    path = demo_run["run"] / "figures" / "tree" / "mba" / "decision_tree.png"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    done = _snakemake(demo_run["wf"], demo_run["config_path"], "basic_figures", "--forcerun", "draw_tree")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "draw_tree" in done.stdout + done.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_the_stamp_is_a_digest_of_the_jobs_params():
    def job(**params):
        return SimpleNamespace(rule="draw_tree", params=params)

    a = stamp(job(style={"dpi": 150, "width": 11.0}, tree={"label": "root"}))
    assert a["mlviz:rule"] == "draw_tree" and re.fullmatch(r"[0-9a-f]{16}", a["mlviz:params"])
    assert stamp(job(tree={"label": "root"}, style={"width": 11.0, "dpi": 150})) == a  # order does not matter
    assert stamp(job(style={"dpi": 150, "width": 12.0}, tree={"label": "root"}))["mlviz:params"] != a["mlviz:params"]


def test_tree_boxes_do_not_overlap_at_the_configured_font(demo_run, real_run):
    """Legible at report width: every node box apart, at the configured whole-point font size."""
    for run in (demo_run, real_run):
        section = run["resolved"]["figures"]["tree"]
        settings = {k: section[k] for k in ("max_depth", "impurity", "proportion", "label", "precision", "compact")}
        meta = _meta(run["run"], "mba")
        model = models.load(run["run"] / "models" / "mba" / "decision_tree.skops", "decision_tree", "classification")
        questions = pd.read_parquet(run["run"] / "trees" / "mba" / "decision_tree.parquet")
        fig = tree.draw_tree(model, questions, classes=meta["classes"], style=_style(run, "tree"), title="t",
                             **settings)
        nodes = [t for t in fig.axes[0].texts if t.get_bbox_patch() is not None]
        assert nodes and tree.overlapping_boxes(fig, nodes) == []
        assert min(t.get_fontsize() for t in nodes) >= 7, f"{run['run'].name}: tree font shrunk below 7 pt"
        root = max(nodes, key=lambda t: t.get_text().count("="))
        assert "class = " in root.get_text() and "/".join(meta["classes"]) in root.get_text()
        mstyle.plt.close(fig)


def test_permutation_importance_finds_the_demo_drivers(demo_run):
    imp = pd.read_parquet(demo_run["run"] / "importances" / "mba" / "random_forest" / "permutation.parquet")
    assert list(imp.columns) == importance.COLUMNS and set(imp["method"]) == {"permutation"}
    assert set(imp["feature"].head(3)) == set(MBA_DRIVERS)
    top = imp["value"].iloc[0]
    no_effect = imp[imp["feature"].str.startswith(MBA_NO_EFFECT)]
    assert len(no_effect) == len(imp) - 3
    assert (no_effect["value"].abs() < 0.1 * top).all(), no_effect.head()

    ins = pd.read_parquet(demo_run["run"] / "importances" / "insurance" / "xgboost" / "permutation.parquet")
    assert list(ins["feature"].head(3)) == INSURANCE_DRIVERS
    children = float(ins.loc[ins["feature"] == "children", "value"].iloc[0])
    assert 0 <= children < 0.1 * ins["value"].iloc[0]
    no_effect = ins[ins["feature"].str.startswith(INSURANCE_NO_EFFECT)]
    assert len(no_effect) == 4 and (no_effect["value"].abs() < 0.01 * ins["value"].iloc[0]).all()


def _rank_order_holds(table: pd.DataFrame) -> bool:
    """Most important first: by |value| for coefficients (a sign is a direction), by value for
    every other method (a negative permutation importance is noise and ranks last); ties by name."""
    key = table["value"].abs() if set(table["method"]) == {"coefficient"} else table["value"]
    pairs = list(zip(-key.to_numpy(), table["feature"]))
    return pairs == sorted(pairs)


def test_importance_parts_are_in_the_order_drawn(demo_run):
    parts = sorted((demo_run["run"] / "importances").rglob("*.parquet"))
    assert len(parts) == 4
    for part in parts:
        table = pd.read_parquet(part)
        assert list(table.columns) == importance.COLUMNS
        assert _rank_order_holds(table), f"{part}: not in the importance order\n{table}"
        shuffled = table.sample(frac=1.0, random_state=0)
        fig = bars.draw_bars(shuffled, style=Style.of(), title="t", xlabel="x", error_bars=True, top_k=None)
        assert bars.drawn_features(fig) == table["feature"].tolist()
        mstyle.plt.close(fig)


def test_negative_permutation_importance_ranks_last():
    table = pd.DataFrame({"dataset": "d", "model": "m", "method": "permutation",
                          "feature": ["a", "b", "c", "d"], "value": [0.5, -2.0, 0.0, 1.0], "spread": 0.1})
    assert importance.ordered(table)["feature"].tolist() == ["d", "a", "c", "b"]
    fig = bars.draw_bars(table, style=Style.of(), title="t", xlabel="x", error_bars=True)
    assert bars.drawn_features(fig) == ["d", "a", "c", "b"]
    mstyle.plt.close(fig)


def test_coefficients_are_ordered_by_size_and_every_bar_is_labelled():
    table = pd.DataFrame({"dataset": "d", "model": "m", "method": "coefficient",
                          "feature": ["a", "b", "c", "d"], "value": [0.5, -2.0, 0.0, 1.0], "spread": 0.1})
    assert importance.ordered(table)["feature"].tolist() == ["b", "d", "a", "c"]
    fig = bars.draw_bars(table, style=Style.of(), title="t", xlabel="x", error_bars=True, top_k=3)
    assert bars.drawn_features(fig) == ["b", "d", "a"]
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["-2.00", "1.00", "0.50"]  # three significant digits for the largest
    assert "+ 1 more feature not shown" in fig.axes[0].get_xlabel()
    mstyle.plt.close(fig)


def test_permutation_bars_within_noise_are_grey():
    """A mean within two standard deviations (over the repeats) of zero cannot be told from zero."""
    from matplotlib.colors import to_hex

    table = pd.DataFrame({"dataset": "d", "model": "m", "method": "permutation", "feature": ["a", "b", "c"],
                          "value": [0.30, 0.03, -0.01], "spread": [0.02, 0.02, 0.01]})
    style = Style.of({"bar_color": "#2a7ab0"})
    fig = bars.draw_bars(table, style=style, title="t", xlabel="x", error_bars=True, mark_noise=True)
    ax = fig.axes[0]
    colours = {label: to_hex(p.get_facecolor()) for label, p in zip(bars.drawn_features(fig), ax.patches)}
    assert colours == {"a": "#2a7ab0", "b": bars.NOISE_COLOUR, "c": bars.NOISE_COLOUR}
    assert "grey: within noise" in ax.get_xlabel()
    mstyle.plt.close(fig)
    plain = bars.draw_bars(table.assign(method="impurity"), style=style, title="t", xlabel="x")
    assert {to_hex(p.get_facecolor()) for p in plain.axes[0].patches} == {"#2a7ab0"}
    mstyle.plt.close(plain)


@pytest.mark.parametrize("kind", ["forest_classifier", "forest_regressor", "xgboost", "logistic"])
def test_batched_predictions_give_the_same_importances_and_effects(kind):
    """Permutation importance and partial dependence with a forest's or XGBoost's predictions made
    in a few large calls: every number as with one call per shuffle or grid value, the model's
    methods given back, and each model predicting far fewer times."""
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.inspection import partial_dependence, permutation_importance
    from sklearn.linear_model import LogisticRegression
    from xgboost import XGBClassifier

    rng = np.random.default_rng(3)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] + X[:, 1] > 0).astype(int) if kind != "forest_regressor" else X[:, 0] * 2 + X[:, 2]
    model = {"forest_classifier": RandomForestClassifier(n_estimators=20, random_state=0),
             "forest_regressor": RandomForestRegressor(n_estimators=20, random_state=0),
             "xgboost": XGBClassifier(n_estimators=20, n_jobs=1), "logistic": LogisticRegression()}[kind].fit(X, y)

    def perm():
        return permutation_importance(model, X, y, n_repeats=4, random_state=0, n_jobs=1).importances

    def pdp():
        return partial_dependence(model, X, [0], kind="both", grid_resolution=8, method="brute")

    calls = []

    def counted(real):
        @functools.wraps(real)  # scikit-learn reads the method's name
        def method(self, data, *a, **k):
            calls.append(len(data))
            return real(self, data, *a, **k)
        return method

    names = [m for m in ("predict", "predict_proba") if hasattr(model, m)]
    with contextlib.ExitStack() as patches:
        for m in names:
            patches.enter_context(mock.patch.object(type(model), m, counted(getattr(type(model), m))))
        plain_perm, plain_pdp = perm(), pdp()
        n_plain = len(calls)
        calls.clear()
        fast_perm, fast_pdp = importance.batched(model, perm), importance.batched(model, pdp)
    np.testing.assert_array_equal(fast_perm, plain_perm)
    np.testing.assert_array_equal(fast_pdp["individual"], plain_pdp["individual"])
    np.testing.assert_array_equal(fast_pdp["average"], plain_pdp["average"])
    assert not set(importance.PREDICT_METHODS) & set(vars(model))  # the class's methods again
    if kind == "logistic":  # not a tree ensemble: predicted as before, call by call
        assert len(calls) == n_plain
    else:
        assert n_plain >= 5 * 4 + 8 and len(calls) <= 6, (n_plain, calls)


@pytest.mark.parametrize("kind", ["tree_labels", "logistic", "linear", "xgboost_regressor", "constant_target",
                                  "perfect"])
def test_permutation_scores_its_own_way_with_scikit_learns_numbers(kind):
    """mlviz scores each shuffle with plain accuracy / R² instead of scikit-learn's checked scorer:
    every importance equal to scikit-learn's bit for bit, including text labels, XGBoost's float32
    predictions, a target with one value and a perfect fit, and the plain function really used."""
    from sklearn.inspection import permutation_importance
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.metrics import check_scoring
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    from xgboost import XGBRegressor

    rng = np.random.default_rng(5)
    X = rng.normal(size=(90, 4))
    signal = X[:, 0] * 3 + X[:, 1] + rng.normal(scale=0.5, size=90)
    model, y = {
        "tree_labels": (DecisionTreeClassifier(max_depth=3, random_state=0), np.where(signal > 0, "yes", "no")),
        "logistic": (LogisticRegression(), np.digitize(signal, [-1, 1])),
        "linear": (LinearRegression(), signal),
        "xgboost_regressor": (XGBRegressor(n_estimators=15, n_jobs=1), signal),
        "constant_target": (DecisionTreeRegressor(max_depth=2), np.full(90, 4.0)),
        "perfect": (LinearRegression(), X @ [1.0, 2.0, 0.0, 0.0]),
    }[kind]
    model.fit(X, y)
    own = importance.own_score(model, X, y)
    assert own is not None
    for rows in (slice(None), slice(0, 7)):
        assert own(model, X[rows], y[rows]) == check_scoring(model)(model, X[rows], y[rows])
    name = "_accuracy" if kind in ("tree_labels", "logistic") else "_r2"
    with mock.patch.object(importance, name, side_effect=getattr(importance, name)) as plain:
        value, spread = importance.permutation(model, pd.DataFrame(X), y, n_repeats=5, random_state=1, scoring=None)
    assert plain.call_count >= 4 * 5 + 1
    reference = permutation_importance(model, X, y, n_repeats=5, random_state=1, n_jobs=1)
    np.testing.assert_array_equal(value, reference.importances_mean)
    np.testing.assert_array_equal(spread, reference.importances_std)


def test_importance_figures_show_the_top_k_and_count_the_rest(demo_run):
    """25 one-hot-encoded MBA features: the default top_k (15) bars, '+ 10 more' below the axis."""
    table = pd.read_parquet(demo_run["run"] / "importances" / "mba" / "random_forest" / "permutation.parquet")
    top_k = demo_run["resolved"]["figures"]["importance"]["top_k"]
    assert top_k == 15 and len(table) == 25
    fig = bars.draw_bars(table, style=_style(demo_run, "importance"), title="t", xlabel="x", top_k=top_k,
                         error_bars=True, mark_noise=True)
    assert bars.drawn_features(fig) == table["feature"].head(15).tolist()
    assert "+ 10 more features not shown" in fig.axes[0].get_xlabel()
    mstyle.plt.close(fig)


def test_roc_and_pr_legends_equal_the_metrics_table(demo_run):
    from sklearn.metrics import roc_auc_score

    run = demo_run["run"]
    assert (run / "metrics.parquet").exists()
    style = _style(demo_run, "performance")
    for ds, model in [("mba_binary", "random_forest"), ("mba", "random_forest")]:
        pred = pd.read_parquet(run / "predictions" / ds / f"{model}.parquet")
        classes = _meta(run, ds)["classes"]
        metrics = _metrics(run, ds, model)
        roc = classification.draw_roc(pred, classes=classes, metrics=metrics, style=style, title="t", name=model)
        pr = classification.draw_pr(pred, classes=classes, metrics=metrics, style=style, title="t", name=model)
        roc_text, pr_text = _legend(roc), _legend(pr)
        if len(classes) == 2:
            auc = float(re.search(r"AUC = ([0-9.]+)", roc_text[0]).group(1))
            assert auc == round(_metric(metrics, "roc_auc"), 3)
            ap = float(re.search(r"average precision = ([0-9.]+)", pr_text[0]).group(1))
            trap = float(re.search(r"trapezoid area = ([0-9.]+)", pr_text[0]).group(1))
            assert ap == round(_metric(metrics, "average_precision"), 3)
            assert trap == round(_metric(metrics, "pr_auc_trapezoid"), 3)
        else:
            y = pred["y_true"].to_numpy()
            for k, cls in enumerate(classes):
                shown = float(re.search(rf"{cls} vs rest \(AUC = ([0-9.]+)\)", " ".join(roc_text)).group(1))
                assert shown == round(roc_auc_score(y == k, pred[f"proba_{cls}"]), 3)
            macro = float(re.search(r"macro-average AUC = ([0-9.]+)", roc.axes[0].get_title(loc="left")).group(1))
            assert macro == round(_metric(metrics, "roc_auc"), 3)
            macro_ap = float(re.search(r"macro-average AP = ([0-9.]+)", pr.axes[0].get_title(loc="left")).group(1))
            assert macro_ap == round(_metric(metrics, "average_precision"), 3)
        mstyle.plt.close(roc)
        mstyle.plt.close(pr)


def test_a_metrics_table_that_disagrees_with_the_predictions_is_refused(demo_run):
    run = demo_run["run"]
    pred = pd.read_parquet(run / "predictions" / "mba_binary" / "random_forest.parquet")
    metrics = _metrics(run, "mba_binary", "random_forest").copy()
    metrics.loc[metrics["metric"] == "roc_auc", "value"] += 0.01
    with pytest.raises(InputError, match="ROC AUC"):
        classification.draw_roc(pred, classes=["Deny", "Admit"], metrics=metrics, style=Style.of(), title="t",
                                name="random_forest")
    mstyle.plt.close("all")


def test_figures_are_drawn_byte_identically(demo_run, tmp_path):
    run = demo_run["run"]
    pred = pd.read_parquet(run / "predictions" / "insurance" / "linear.parquet")
    style = Style.of()
    blobs = []
    for i in range(2):
        fig = regression.draw_residual_distribution(pred, target="charges", style=style, title="t", bins=30)
        mstyle.save(fig, tmp_path / f"{i}.png", style=style, stamp={"mlviz:rule": "t"})
        blobs.append((tmp_path / f"{i}.png").read_bytes())
    assert blobs[0] == blobs[1]


def test_draw_functions_draw_into_a_given_axes(demo_run):
    """The plot contract (mlviz.plots.style): ax= draws into an existing figure and returns it."""
    run = demo_run["run"]
    pred = pd.read_parquet(run / "predictions" / "mba_binary" / "random_forest.parquet")
    metrics = _metrics(run, "mba_binary", "random_forest")
    fig, axes = Style.of().figure(ncols=3)
    assert classification.draw_confusion_matrix(pred, classes=["Deny", "Admit"], style=Style.of(), title="a",
                                                ax=axes[0]) is fig
    assert classification.draw_roc(pred, classes=["Deny", "Admit"], metrics=metrics, style=Style.of(), title="b",
                                   name="rf", ax=axes[1]) is fig
    ins = pd.read_parquet(run / "predictions" / "insurance" / "linear.parquet")
    assert regression.draw_residuals(ins, target="charges", style=Style.of(), title="c", ax=axes[2]) is fig
    assert [a.get_title(loc="left").split("\n")[0] for a in axes] == ["a", "b", "c"]
    mstyle.plt.close(fig)


def test_style_defaults_are_the_schemas():
    assert Style.of().__dict__ == {**schema.defaults("style"), "palette": tuple(schema.defaults("style")["palette"])}
    assert Style.of({"dpi": 100}, {"dpi": 200, "bins": 30}).dpi == 200  # later layers win; other keys ignored


# --- real data -----------------------------------------------------------------------------------

def test_real_data_impurity_ranks_gpa_gmat_work_exp_first(real_run):
    imp = pd.read_parquet(real_run["run"] / "importances" / "mba" / "random_forest" / "impurity.parquet")
    assert imp["feature"].head(3).tolist() == MBA_DRIVERS
    assert imp["value"].sum() == pytest.approx(1.0)


def test_real_data_pr_area_is_the_tutorials_with_average_precision_beside_it(real_run):
    run = real_run["run"]
    metrics = _metrics(run, "mba_binary", "random_forest")
    trapezoid = _metric(metrics, "pr_auc_trapezoid")
    assert trapezoid == pytest.approx(0.42, abs=0.01)
    pred = pd.read_parquet(run / "predictions" / "mba_binary" / "random_forest.parquet")
    fig = classification.draw_pr(pred, classes=["Deny", "Admit"], metrics=metrics,
                                 style=_style(real_run, "performance"), title="t", name="random_forest")
    label = _legend(fig)[0]
    assert f"average precision = {_metric(metrics, 'average_precision'):.3f}" in label
    assert f"trapezoid area = {trapezoid:.3f}" in label
    mstyle.plt.close(fig)


def test_real_data_largest_coefficients_are_smoker_age_bmi(real_run):
    coef = pd.read_parquet(real_run["run"] / "importances" / "insurance" / "linear" / "coefficient.parquet")
    assert coef.sort_values("value", ascending=False)["feature"].head(3).tolist() == INSURANCE_DRIVERS
    assert _rank_order_holds(coef)  # stored by size: the largest effect first, whatever its sign
    assert (coef["spread"] > 0).all()  # standard errors


# --- what an edit reruns --------------------------------------------------------------------------

def _edited_config(demo_run, figure: str, key: str, value) -> Path:
    cfg = yaml.safe_load(demo_run["config_path"].read_text())
    cfg["figures"][figure][key] = value
    path = demo_run["wf"] / f"edit_{figure}_{key}.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def test_nothing_to_do_after_the_run(demo_run):
    assert _scheduled(demo_run["wf"], demo_run["config_path"]) == {}


def test_editing_the_tree_font_redraws_the_tree_only(demo_run):
    path = _edited_config(demo_run, "tree", "font_size", 7)
    assert _scheduled(demo_run["wf"], path) == {"draw_tree": 1}


def test_editing_n_repeats_recomputes_and_redraws_permutation_only(demo_run):
    path = _edited_config(demo_run, "importance", "n_repeats", 3)
    assert _scheduled(demo_run["wf"], path) == {"importance_permutation": 2, "draw_importance": 2}


def test_editing_top_k_redraws_the_bars_only(demo_run):
    assert _scheduled(demo_run["wf"], _edited_config(demo_run, "importance", "top_k", 5)) == {"draw_importance": 3}
    assert _scheduled(demo_run["wf"], _edited_config(demo_run, "linear", "top_k", 5)) == {"draw_coefficients": 1}


def _jobs_after_editing(demo_run, module_name: str) -> dict[str, int]:
    """The jobs a run would schedule after an edit of scripts/mlviz/<module_name> (then undone)."""
    module = demo_run["wf"] / "scripts" / "mlviz" / module_name
    text, stat = module.read_text(), module.stat()
    try:
        module.write_text(text + "\n# an edit\n")
        return _scheduled(demo_run["wf"], demo_run["config_path"])
    finally:
        module.write_text(text)
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_editing_the_style_module_redraws_every_figure_and_computes_nothing(demo_run):
    jobs = _jobs_after_editing(demo_run, "plots/style.py")
    assert not set(jobs) & COMPUTE_RULES, jobs
    assert sum(jobs.values()) == len(DEFAULT_FIGURES)
    assert jobs == {rule: list(DEFAULT_FIGURES.values()).count(rule) for rule in set(DEFAULT_FIGURES.values())}


def test_editing_a_compute_module_recomputes_without_retraining(demo_run):
    """mlviz/compute/importance.py computes the importances (and orders the bars): those rules rerun, the
    models stay."""
    jobs = _jobs_after_editing(demo_run, "compute/importance.py")
    assert {"importance_impurity", "importance_permutation", "importance_coefficient", "draw_importance",
            "draw_coefficients"} <= set(jobs), jobs
    assert not {"demo_data", "preprocess", "train", "evaluate"} & set(jobs), jobs


# --- config checks -----------------------------------------------------------------------------

def _one(dataset: str, model: str) -> dict:
    """A figure section's edit that selects one model."""
    return {"models": [{"dataset": dataset, "model": model}]}


# figure section: [(its edit, what the one line says after "figures.<section>.")]
CROSS_REFERENCES = {
    "tree": [(_one("mba", "random_forest"),
              r"models\[0\]\.model: 'random_forest' is a random_forest; expected a model of type decision_tree"),
             (_one("nope", "decision_tree"), r"models\[0\]\.dataset: unknown dataset 'nope'")],
    "linear": [(_one("mba", "random_forest"), r"models\[0\]: .*expected a linear model on a regression dataset"),
               (_one("insurance", "xgboost"), r"models\[0\]: insurance/xgboost is a xgboost regression model"),
               (_one("insurance", "lasso"), r"models\[0\]\.model: dataset 'insurance' has no model 'lasso'")],
    "performance": [(_one("insurance", "linear"), r"models\[0\]: dataset 'insurance' is a regression task"),
                    ({"models": [{"dataset": "mba", "model": "random_forest"}] * 2},
                     r"models\[1\]: mba/random_forest is listed twice")],
    "importance": [(_one("mba", "svm"), r"models\[0\]\.model: .*no model 'svm'"),
                   ({"scoring": "r2"}, r"scoring: 'r2' does not fit dataset 'mba'")],
}


@pytest.mark.parametrize("figure, edit, message", [(f, e, m) for f, cases in CROSS_REFERENCES.items() for e, m in cases])
def test_config_cross_references_are_checked(figure, edit, message):
    cfg = small_config("t")
    cfg["figures"][figure] = {**cfg["figures"][figure], **copy.deepcopy(edit)}
    assert re.search(rf"figures\.{figure}\.{message}", resolve_error(cfg))


def test_an_empty_selection_draws_none_of_that_family():
    cfg = small_config("t")
    cfg["figures"]["tree"]["models"] = []
    cfg["figures"]["performance"]["models"] = "auto"
    resolved, _ = resolve(cfg)
    assert resolved["figures"]["tree"]["models"] == []
    # auto: the featured model (the random forest) of each classification dataset.
    assert resolved["figures"]["performance"]["models"] == [{"dataset": "mba", "model": "random_forest"},
                                                            {"dataset": "mba_binary", "model": "random_forest"}]


@pytest.mark.parametrize("figure, key, value, message", [
    ("tree", "fontsize", 8, r"config key figures\.tree\.fontsize: unknown key"),
    ("tree", "dataset", "mba", r"config key figures\.tree\.dataset: unknown key"),
    ("importance", "n_repeats", 0, r"config key figures\.importance\.n_repeats: 0 is less than the minimum of 1"),
    ("importance", "top_k", 0, r"config key figures\.importance\.top_k: 0 is less than the minimum of 1"),
    ("performance", "normalize", True, r"config key figures\.performance\.normalize: expected null or string, got True"),
    ("linear", "bins", "many", r"config key figures\.linear\.bins: expected integer, got 'many'"),
    ("tree", "label", "leaves", r"config key figures\.tree\.label: 'leaves' is not one of: all, root, none"),
])
def test_config_schema_is_closed(figure, key, value, message):
    cfg = _config("config.yaml", "t")
    schema.validate(copy.deepcopy(cfg))
    cfg["figures"][figure][key] = value
    with pytest.raises(InputError, match=message):
        schema.validate(cfg)
