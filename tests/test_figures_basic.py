"""Decision tree, impurity/permutation importance, linear-regression and classification-performance
figures (rules/figures_basic.smk).

The workflow runs once on the demo config and once on the real Kaggle files (session fixtures),
each in a copy of the checkout under a temporary directory, so that a test may edit the copy's
code (style.py) without touching the repository. Then: what a reader would check — the images,
the drivers ranked first, legend numbers equal to the metrics table, bars in the table's order,
and that editing one figure's setting reruns that figure only.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
sys.path.insert(0, str(ROOT / "scripts"))

from mlviz import basicfig, importance, models, plots_basic  # noqa: E402
from mlviz import style as mstyle  # noqa: E402

SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
if not Path(SNAKEMAKE).exists():
    SNAKEMAKE = shutil.which("snakemake") or SNAKEMAKE
COPY_IGNORE = {".git", ".venv", "results", ".snakemake", ".pytest_cache", "tests", "__pycache__", "data"}

# The demo generator's ground truth (scripts/mlviz/demo.py).
MBA_DRIVERS = ["gpa", "gmat", "work_exp"]
MBA_NO_EFFECT = ("gender", "international", "major_", "race_", "work_industry_")
INSURANCE_DRIVERS = ["smoker", "age", "bmi"]
INSURANCE_NO_EFFECT = ("sex", "region_")

# The default config's figures (names under results/<run>/figures/, without .png).
DEFAULT_FIGURES = [
    "tree/mba/decision_tree",
    "importance/mba/random_forest/impurity",
    "importance/mba/random_forest/permutation",
    "importance/insurance/xgboost/permutation",
    "linear/insurance/linear/coefficients",
    "linear/insurance/linear/residuals",
    "linear/insurance/linear/residual_distribution",
    *[f"performance/{ds}/random_forest/{f}" for ds in ("mba_binary", "mba") for f in ("confusion_matrix", "roc", "pr")],
]

COMPUTE_RULES = {"demo_data", "preprocess", "train", "evaluate", "importance_impurity",
                 "importance_permutation", "importance_coefficient"}

# A target rule over this file's outputs only (the full `all` would also run SHAP, LIME, the CNN...).
WRAPPER = '''include: "Snakefile"


rule basic_figures:
    input:
        figures_basic_outputs(),
        f"{RUN}/metrics.parquet",
'''


# --- fixtures ----------------------------------------------------------------------------------

def _snakemake(wf: Path, config: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [SNAKEMAKE, "-s", str(wf / "basic_test.smk"), "-d", str(wf), "--cores", "2", "--nolock",
           *args, "--configfile", str(config)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=wf)


def _config(source: str, run: str, real: bool = False) -> dict:
    cfg = yaml.safe_load((ROOT / "config" / source).read_text())
    cfg["run"] = run
    for section in ("neural", "report"):
        if isinstance(cfg.get(section), dict) and "enabled" in cfg[section]:
            cfg[section]["enabled"] = False
    if real:
        cfg["sources"] = {"mba": {"path": str(REAL_DATA / "MBA.csv")},
                          "insurance": {"path": str(REAL_DATA / "insurance.csv")}}
    return cfg


@pytest.fixture(scope="session")
def checkout(tmp_path_factory) -> Path:
    wf = tmp_path_factory.mktemp("figures_basic") / "wf"
    shutil.copytree(ROOT, wf, ignore=lambda d, names: [n for n in names if n in COPY_IGNORE])
    (wf / "basic_test.smk").write_text(WRAPPER)
    return wf


@pytest.fixture(scope="session")
def demo_run(checkout):
    cfg = _config("config.yaml", "t")
    path = checkout / "t.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    done = _snakemake(checkout, path, "basic_figures")
    assert done.returncode == 0, done.stderr[-4000:]
    return {"wf": checkout, "config": cfg, "config_path": path, "run": checkout / "results" / "t"}


@pytest.fixture(scope="session")
def real_run(checkout):
    if not (REAL_DATA / "MBA.csv").exists() or not (REAL_DATA / "insurance.csv").exists():
        pytest.skip(f"real data not found in {REAL_DATA} (MBA.csv, insurance.csv)")
    cfg = _config("kaggle.yaml", "k", real=True)
    path = checkout / "k.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    run = checkout / "results" / "k"
    targets = [f"results/k/{t}" for t in (
        "importances/mba/random_forest/impurity.parquet", "importances/insurance/linear/coefficient.parquet",
        "figures/performance/mba_binary/random_forest/pr.png", "figures/tree/mba/decision_tree.png")]
    done = _snakemake(checkout, path, *targets)
    assert done.returncode == 0, done.stderr[-4000:]
    return {"wf": checkout, "config": cfg, "run": run}


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


# --- the run's figures ------------------------------------------------------------------------

def test_every_figure_is_a_sensible_png_with_provenance(demo_run):
    from PIL import Image

    for name in DEFAULT_FIGURES:
        path = demo_run["run"] / "figures" / f"{name}.png"
        assert path.exists(), f"missing figure {name}"
        with Image.open(path) as img:
            assert img.format == "PNG"
            w, h = img.size
            assert 500 <= w <= 4000 and 400 <= h <= 3000, f"{name}: odd size {w}x{h}"
            assert img.text.get("mlviz:run") == "t", f"{name}: no provenance"
            pixels = np.asarray(img.convert("L"))
        assert pixels.std() > 10, f"{name}: (nearly) blank image"


def test_tree_boxes_do_not_overlap_at_the_configured_font(demo_run, real_run):
    """Legible at report width: every node box apart, at the configured whole-point font size."""
    for run in (demo_run, real_run):
        cfg = run["config"]
        entry = basicfig.entry(cfg, "tree")
        meta = pd.read_json(run["run"] / "data" / "mba" / "meta.json", typ="series")
        model = models.load(run["run"] / "models" / "mba" / "decision_tree.skops", "decision_tree", "classification")
        style = mstyle.resolve(cfg.get("style"), entry)
        settings = basicfig.rule_params(cfg, "tree", "tree")
        fig = plots_basic.draw_tree(model, meta["features"], meta["classes"], style, settings, "t")
        nodes = [t for t in fig.axes[0].texts if t.get_bbox_patch() is not None]
        assert nodes and plots_basic.overlapping_boxes(fig, nodes) == []
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


def test_importance_parts_are_in_the_order_drawn(demo_run):
    for part in sorted((demo_run["run"] / "importances").rglob("*.parquet")):
        table = pd.read_parquet(part)
        assert list(table.columns) == importance.COLUMNS
        assert (np.diff(table["value"].abs().to_numpy()) <= 0).all(), f"{part}: not in descending |value|"
        shuffled = table.sample(frac=1.0, random_state=0)
        fig = plots_basic.draw_bars(shuffled, mstyle.resolve(None), "t", "x", error_bars=True)
        assert plots_basic.drawn_features(fig) == table["feature"].tolist()
        mstyle.plt.close(fig)


def test_draw_bars_orders_by_absolute_value_and_labels_every_bar():
    table = pd.DataFrame({"dataset": "d", "model": "m", "method": "coefficient",
                          "feature": ["a", "b", "c", "d"], "value": [0.5, -2.0, 0.0, 1.0], "spread": 0.1})
    # The gathered table's own sort (scripts/gather_importances.py) gives the same order.
    gathered = table.assign(a=table["value"].abs()).sort_values(["a", "feature"], ascending=[False, True])
    assert importance.ordered(table)["feature"].tolist() == gathered["feature"].tolist() == ["b", "d", "a", "c"]
    fig = plots_basic.draw_bars(table, mstyle.resolve(None), "t", "x", error_bars=True, top_k=3)
    assert plots_basic.drawn_features(fig) == ["b", "d", "a"]
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert labels == ["-2.00", "1.00", "0.50"]  # three significant digits for the largest
    mstyle.plt.close(fig)


def test_roc_and_pr_legends_equal_the_metrics_table(demo_run):
    from sklearn.metrics import roc_auc_score

    run = demo_run["run"]
    assert (run / "metrics.parquet").exists()
    style = mstyle.resolve(demo_run["config"].get("style"), basicfig.entry(demo_run["config"], "performance"))
    for ds, model in [("mba_binary", "random_forest"), ("mba", "random_forest")]:
        pred = pd.read_parquet(run / "predictions" / ds / f"{model}.parquet")
        classes = pd.read_json(run / "data" / ds / "meta.json", typ="series")["classes"]
        metrics = _metrics(run, ds, model)
        roc = plots_basic.draw_roc(pred, classes, metrics, style, "t", model)
        pr = plots_basic.draw_pr(pred, classes, metrics, style, "t", model)
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
    from mlviz.errors import InputError

    run = demo_run["run"]
    pred = pd.read_parquet(run / "predictions" / "mba_binary" / "random_forest.parquet")
    metrics = _metrics(run, "mba_binary", "random_forest").copy()
    metrics.loc[metrics["metric"] == "roc_auc", "value"] += 0.01
    with pytest.raises(InputError, match="ROC AUC"):
        plots_basic.draw_roc(pred, ["Deny", "Admit"], metrics, mstyle.resolve(None), "t", "random_forest")
    mstyle.plt.close("all")


def test_figures_are_drawn_byte_identically(demo_run, tmp_path):
    run = demo_run["run"]
    pred = pd.read_parquet(run / "predictions" / "insurance" / "linear.parquet")
    style = mstyle.resolve(None)
    blobs = []
    for i in range(2):
        fig = plots_basic.draw_residual_distribution(pred, "charges", style, "t", 30)
        mstyle.save(fig, tmp_path / f"{i}.png", {"run": "t"}, style)
        blobs.append((tmp_path / f"{i}.png").read_bytes())
    assert blobs[0] == blobs[1]


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
    style = mstyle.resolve(real_run["config"].get("style"), basicfig.entry(real_run["config"], "performance"))
    fig = plots_basic.draw_pr(pred, ["Deny", "Admit"], metrics, style, "t", "random_forest")
    label = _legend(fig)[0]
    assert f"average precision = {_metric(metrics, 'average_precision'):.3f}" in label
    assert f"trapezoid area = {trapezoid:.3f}" in label
    mstyle.plt.close(fig)


def test_real_data_largest_coefficients_are_smoker_age_bmi(real_run):
    coef = pd.read_parquet(real_run["run"] / "importances" / "insurance" / "linear" / "coefficient.parquet")
    assert coef.sort_values("value", ascending=False)["feature"].head(3).tolist() == INSURANCE_DRIVERS
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
    assert _scheduled(demo_run["wf"], path) == {"figure_tree": 1}


def test_editing_n_repeats_recomputes_and_redraws_permutation_only(demo_run):
    path = _edited_config(demo_run, "importance", "n_repeats", 3)
    assert _scheduled(demo_run["wf"], path) == {"importance_permutation": 2, "figure_importance": 2}


def test_editing_the_style_module_redraws_every_figure_and_computes_nothing(demo_run):
    module = demo_run["wf"] / "scripts" / "mlviz" / "style.py"
    text, stat = module.read_text(), module.stat()
    try:
        module.write_text(text + "\n# an edit\n")
        jobs = _scheduled(demo_run["wf"], demo_run["config_path"])
    finally:
        module.write_text(text)
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert not set(jobs) & COMPUTE_RULES, jobs
    assert sum(jobs.values()) == len(DEFAULT_FIGURES)
    assert all(rule.startswith("figure_") for rule in jobs)


# --- config checks -----------------------------------------------------------------------------

@pytest.mark.parametrize("figure, edit, message", [
    ("tree", {"model": "random_forest"}, "figures.tree.model: 'random_forest' is a random_forest; expected .*decision_tree"),
    ("tree", {"dataset": "nope"}, "figures.tree.dataset: unknown dataset 'nope'"),
    ("linear", {"dataset": "mba", "model": "random_forest"}, "figures.linear: .*expected a linear model on a regression dataset"),
    ("linear", {"model": "xgboost"}, "figures.linear: insurance/xgboost is a xgboost regression model"),
    ("linear", {"model": "lasso"}, "figures.linear.model: dataset 'insurance' has no model 'lasso'"),
    ("performance", {"models": [{"dataset": "insurance", "model": "linear"}]},
     r"figures.performance.models\[0\]: dataset 'insurance' is a regression task"),
    ("importance", {"models": [{"dataset": "mba", "model": "svm"}]}, r"figures.importance.models\[0\].model: .*no model 'svm'"),
    ("importance", {"scoring": "r2"}, "figures.importance.scoring: 'r2' does not fit dataset 'mba'"),
])
def test_config_cross_references_are_checked(figure, edit, message):
    from mlviz.configcheck import check_figures_basic
    from mlviz.errors import InputError

    cfg = _config("config.yaml", "t")
    check_figures_basic(cfg)
    cfg["figures"][figure].update(edit)
    with pytest.raises(InputError, match=message):
        check_figures_basic(cfg)


@pytest.mark.parametrize("figure, key, value", [
    ("tree", "fontsize", 8), ("importance", "n_repeats", 0), ("performance", "normalize", True),
    ("linear", "bins", "many"), ("tree", "label", "leaves"),
])
def test_config_schema_is_closed(figure, key, value):
    from snakemake.exceptions import WorkflowError
    from snakemake.utils import validate

    cfg = _config("config.yaml", "t")
    validate(cfg, str(ROOT / "config" / "schema.yaml"))
    cfg["figures"][figure][key] = value
    with pytest.raises(WorkflowError):
        validate(cfg, str(ROOT / "config" / "schema.yaml"))
