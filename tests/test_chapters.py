"""The chapters beyond the tutorial on the demo data, where the answer is known (mlviz.sources.demo's
ground truth: mba admission is driven by gpa > gmat > work_exp, insurance charges by smoker ≫ age >
bmi > children, every other column has no effect): feature effects have the generators' shapes,
the importance methods agree on the drivers, SHAP's ranking is faithful, and the comparison and
calibration tables say what their numbers say."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from mlviz.sources.demo import GROUND_TRUTH

pytestmark = pytest.mark.slow  # whole runs on the demo and the real data


def effects(run_dir, ds, model) -> pd.DataFrame:
    return pd.read_parquet(run_dir / f"effects/{ds}/{model}/summary.parquet").set_index("feature")


def no_effect_columns(summary: pd.DataFrame, name: str) -> list[str]:
    """The encoded columns of the generator's no-effect raw columns (one-hot levels included)."""
    raw = GROUND_TRUTH[name]["no_effect"]
    return [f for f in summary.index if any(f == r or f.startswith(r + " = ") for r in raw)]


@pytest.mark.parametrize("ds, model, name", [("mba", "random_forest", "mba"), ("insurance", "xgboost", "insurance")])
def test_partial_dependence_has_the_generators_shapes(demo_run, ds, model, name):
    s = effects(demo_run, ds, model)
    drivers = [d for d in GROUND_TRUTH[name]["drivers"] if d in s.index]
    # more of every driver raises the outcome (admission probability, charges): smoker is 0/1
    assert all(s.loc[d, "monotone"] == "increasing" for d in drivers[:2]), s.loc[drivers, ["monotone", "spearman"]]
    assert all(s.loc[d, "spearman"] > 0.8 for d in drivers), s.loc[drivers, "spearman"]
    # the no-effect columns are (nearly) flat: their effect is a small fraction of any driver's
    quiet = no_effect_columns(s, name)
    assert quiet and s.loc[quiet, "range"].max() < 0.25 * s.loc[drivers, "range"].min(), s.loc[quiet, "range"]


def test_importance_methods_agree_on_the_drivers(demo_run):
    imp = pd.read_parquet(demo_run / "importances.parquet")
    for ds, model, name in (("mba", "random_forest", "mba"), ("insurance", "xgboost", "insurance")):
        drivers = set(GROUND_TRUTH[name]["drivers"])
        methods = imp[(imp.dataset == ds) & (imp.model == model)].method.unique()
        assert len(methods) >= 2
        for method in methods:
            top = imp[(imp.dataset == ds) & (imp.model == model) & (imp.method == method)].feature.head(len(drivers))
            assert set(top) == drivers, (ds, method, list(top))
    agreement = pd.read_parquet(demo_run / "trust/insurance/agreement.parquet")
    assert (agreement.spearman > 0.5).all(), agreement


def test_shap_ordered_deletion_beats_random(demo_run):
    areas = pd.read_parquet(demo_run / "trust/insurance/xgboost/deletion_area.parquet").set_index("order").area
    assert areas["shap"] > 1.2 * areas["random"], areas
    curve = pd.read_parquet(demo_run / "trust/insurance/xgboost/deletion.parquet")
    first = curve[curve.k == 1].set_index("order").change
    assert first["shap"] > first["random"]  # removing SHAP's top feature moves the output most


def test_comparison_intervals_and_verdicts_are_consistent(demo_run):
    m = pd.read_parquet(demo_run / "comparison/mba/metrics.parquet")
    assert ((m.lower <= m.value) & (m.value <= m.upper)).all()
    metrics = pd.read_parquet(demo_run / "metrics.parquet")
    for row in m[m.metric == "roc_auc"].itertuples():
        point = metrics[(metrics.dataset == "mba") & (metrics.model == row.model) & (metrics.metric == "roc_auc")]
        assert row.value == pytest.approx(point.value.item(), abs=1e-12)
    d = pd.read_parquet(demo_run / "comparison/insurance/differences.parquet")
    r2 = d[d.metric == "r2"].iloc[0]
    assert r2.lower <= r2.difference <= r2.upper


def test_calibration_scores_are_brier_and_threshold_is_the_best_f1(demo_run):
    from sklearn.metrics import brier_score_loss

    s = pd.read_parquet(demo_run / "calibration/mba_binary/scores.parquet")
    pred = pd.read_parquet(demo_run / "predictions/mba_binary/random_forest.parquet")
    row = s[(s.model == "random_forest") & (s["class"] == "Admit")].iloc[0]
    assert row.brier == pytest.approx(brier_score_loss(pred.y_true, pred["proba_Admit"]))
    summary = json.loads((demo_run / "threshold/mba_binary/random_forest.json").read_text())
    table = pd.read_parquet(demo_run / "threshold/mba_binary/random_forest.parquet")
    assert summary["best_f1"] == pytest.approx(table.f1.max())
    # at the default threshold the numbers are those of the model's own predictions
    from sklearn.metrics import f1_score

    assert summary["f1_at_default"] == pytest.approx(f1_score(pred.y_true, pred.y_pred))
