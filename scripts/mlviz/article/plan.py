"""The article's plan: which run figure plays which part (each figure gets a stable id such as
fig-tree from its kind in mlviz.workflow.layout) and which generated block holds the others.

Light on purpose (standard library only): rules/report.smk imports it at parse time.
"""
from __future__ import annotations

import re

from ..workflow.layout import Layout

# The article names its main figures by stable ids (@fig-tree, @fig-roc, ...): the first model of
# each figure family's selection is the one its section discusses. Figures of lists whose length
# is up to the config (SHAP dependence plots, LIME rows, further models) go into generated blocks
# placed in their section; anything else lands in an appendix, so that every figure is shown.
MAIN_IDS = {
    "tree_figure": "fig-tree",
    "coefficients_figure": "fig-coefficients",
    "residuals_figure": "fig-residuals",
    "residual_distribution_figure": "fig-residual-distribution",
    "confusion_matrix_figure": "fig-confusion",
    "roc_figure": "fig-roc",
    "pr_figure": "fig-pr",
    "shap_beeswarm_figure": "fig-shap-beeswarm",
    "shap_bar_figure": "fig-shap-bar",
    "cnn_architecture_figure": "fig-cnn-architecture",
    "cnn_curves_figure": "fig-cnn-curves",
    "cnn_confusion_figure": "fig-cnn-confusion",
    "gradcam_grid_figure": "fig-gradcam",
    "gradcam_randomization_figure": "fig-gradcam-sanity",
}
# Families whose further models (beyond the first of the selection) get a block of their own.
MORE_BLOCKS = {"importance": "importance_more", "performance": "performance_more", "effects": "effects_more",
               "threshold": "performance_more", "comparison": "comparison_more", "calibration": "comparison_more"}
# Figures of one dataset (not of one model): the featured one's ids.
DATASET_IDS = {"roc_comparison_figure": "fig-comparison-roc", "pr_comparison_figure": "fig-comparison-pr",
               "predicted_vs_actual_figure": "fig-comparison", "intervals_figure": "fig-intervals",
               "calibration_figure": "fig-calibration", "agreement_figure": "fig-agreement"}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def figure_plan(paths: list[str], run_dir: str, first: dict, instance: int | None) -> list[dict]:
    """One entry per PNG in `paths` (in article order): id, the run file (src), the staged name
    (file), the generated block it belongs to (None: placed by article.qmd), dataset, model, kind.
    first: family → the (dataset, model) its section discusses, or the dataset for the families
    drawn per dataset (comparison, calibration, trust)."""
    out = Layout(run_dir)
    plan = []
    for src in paths:
        entry = out.classify(src)
        if entry is None or entry.role != "figure":
            continue
        kind, family, w = entry.kind, entry.family, entry.wildcards
        pair = (w.get("dataset"), w.get("model"))
        fig_id, block = None, "appendix"
        leaf = kind.removesuffix("_figure")
        if family in ("tree", "linear") or (family == "neural" and kind in MAIN_IDS):
            if pair == first.get(family) or family == "neural":
                fig_id, block = MAIN_IDS[kind], None
        elif family == "importance":
            leaf = w["method"]
            if pair == first.get("importance"):
                fig_id, block = f"fig-{w['method']}", None
            else:
                block = MORE_BLOCKS[family]
        elif family == "performance":
            if pair == first.get("performance"):
                fig_id, block = MAIN_IDS[kind], None
            else:
                block = MORE_BLOCKS[family]
        elif family == "shap" and pair == first.get("shap"):
            if kind in ("shap_waterfall_figure", "shap_force_figure"):
                if int(w["row"]) == instance:
                    fig_id, block = f"fig-shap-{leaf.removeprefix('shap_')}", None
            elif kind in ("shap_beeswarm_figure", "shap_bar_figure"):
                fig_id, block = MAIN_IDS[kind], None
            elif kind == "shap_dependence_figure":
                fig_id, block, leaf = f"fig-shap-dependence-{w['rank']}", "shap_dependence", "dependence"
        elif family == "lime" and pair == first.get("lime"):
            stability = kind == "lime_stability_figure"
            leaf = "lime_stability" if stability else "lime"
            fig_id, block = f"fig-lime-{'stability-' if stability else ''}{w['position']}", "lime_rows"
        elif kind in DATASET_IDS:
            section = "trust" if family == "trust" else family
            if w["dataset"] == first.get(section):
                fig_id, block = DATASET_IDS[kind], None
            elif family in MORE_BLOCKS:
                block = MORE_BLOCKS[family]
        elif family in ("effects", "threshold") or kind == "deletion_figure":
            key = "deletion" if kind == "deletion_figure" else family
            if pair == first.get(key):
                fig_id, block = {"pdp_figure": "fig-pdp", "pdp_pair_figure": "fig-pdp-pair",
                                 "threshold_figure": "fig-threshold", "deletion_figure": "fig-deletion"}[kind], None
            elif family in MORE_BLOCKS:
                block = MORE_BLOCKS[family]
        elif kind == "resnet_figure":
            fig_id, block = "fig-resnet-gradcam", "neural_more"
        name = out.relative(src).removeprefix("figures/").removesuffix(".png")
        if fig_id is None:
            fig_id = "fig-" + _slug(name)
        plan.append({"id": fig_id, "name": name, "src": src, "file": f"figures/{fig_id}.png", "block": block,
                     "group": family, "dataset": pair[0], "model": pair[1], "kind": leaf})
    ids = [p["id"] for p in plan]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"figure ids used twice in the article: {dupes}")
    return plan
