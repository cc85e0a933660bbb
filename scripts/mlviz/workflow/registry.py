"""Every figure of a run, one declarative entry each: where it lives, which rule draws it, when it
exists, where the article shows it and which caption it carries. The rules' outputs and target
list (rules/common.smk), the file layout (mlviz.workflow.layout), the article's plan
(mlviz.article.plan) and the captions (report/captions/) all read this table, so a new figure is
one entry here, a draw function, a thin script and rule, and a sentence in report/ if the article
speaks of it (README: "Adding a figure").

Fields of an entry:
- kind: the name every place uses; pattern: its path under results/<run>/; rule: what draws it;
  family: the article chapter it belongs to; category: its heading in Snakemake's report.
- over: what one figure is drawn for: a figure selection of the config (figures.<over>: tree,
  importance, linear, performance, shap, lime, effects, threshold), "featured" (each tabular
  dataset's featured model, mlviz.config.selection.featured), "dataset" (one per tabular dataset)
  or "run" (one per run). each: a further wildcard and where its values come from
  (rules/common.smk, FIGURE_EACH). when: a named condition it needs (rules/common.smk, FIGURE_WHEN).
- main: the article id of the figure its chapter discusses (wildcards in braces); subject: the
  part of that chapter's subject the figure must match to be that one (section: whose subject,
  default the family); block: the generated block that holds the chapter's own figure (None: the
  article places it by its id); more: the block that holds the same figure of other models or
  datasets ("appendix": the appendix).
- caption: report/captions/<caption>.rst (Snakemake's report); label: the key of its short name in
  report/figures.yml (wildcards in braces), for the captions of generated blocks.
Light on purpose (standard library only): the Snakefile reads it at parse time.
"""
from __future__ import annotations

from dataclasses import dataclass

MODEL = ("dataset", "model")


@dataclass(frozen=True)
class Figure:
    kind: str
    pattern: str
    rule: str
    family: str
    category: str
    over: str
    caption: str
    each: str | None = None
    when: str | None = None
    main: str | None = None
    subject: tuple[str, ...] = MODEL
    section: str | None = None
    block: str | None = None
    more: str = "appendix"
    label: str | None = None

    @property
    def chapter(self) -> str:
        """The chapter whose subject decides whether this is the discussed figure."""
        return self.section or self.family


FIGURES: tuple[Figure, ...] = (
    # In article order: the figures of one selection (or dataset) are listed together, model by
    # model; consecutive entries with the same `each` go value by value (waterfall and force of row 0,
    # then of row 1).
    # trees and importance
    Figure("tree_figure", "figures/tree/{dataset}/{model}.png", "draw_tree", "tree", "Trees", over="tree",
           caption="tree", main="fig-tree", label="tree"),
    Figure("importance_figure", "figures/importance/{dataset}/{model}/{method}.png", "draw_importance", "importance",
           "Feature importance", over="importance", each="method", caption="importance", main="fig-{method}",
           more="importance_more", label="{method}"),
    # linear models
    Figure("coefficients_figure", "figures/linear/{dataset}/{model}/coefficients.png", "draw_coefficients", "linear",
           "Linear models", over="linear", caption="coefficients", main="fig-coefficients", label="coefficients"),
    Figure("residuals_figure", "figures/linear/{dataset}/{model}/residuals.png", "draw_residuals", "linear",
           "Linear models", over="linear", caption="residuals", main="fig-residuals", label="residuals"),
    Figure("residual_distribution_figure", "figures/linear/{dataset}/{model}/residual_distribution.png",
           "draw_residual_distribution", "linear", "Linear models", over="linear", caption="residual_distribution",
           main="fig-residual-distribution", label="residual_distribution"),
    # classification performance
    Figure("confusion_matrix_figure", "figures/performance/{dataset}/{model}/confusion_matrix.png",
           "draw_confusion_matrix", "performance", "Classification performance", over="performance",
           caption="confusion_matrix", main="fig-confusion", more="performance_more", label="confusion_matrix"),
    Figure("roc_figure", "figures/performance/{dataset}/{model}/roc.png", "draw_roc", "performance",
           "Classification performance", over="performance", caption="roc", main="fig-roc", more="performance_more",
           label="roc"),
    Figure("pr_figure", "figures/performance/{dataset}/{model}/pr.png", "draw_pr", "performance",
           "Classification performance", over="performance", caption="pr", main="fig-pr", more="performance_more",
           label="pr"),
    # SHAP
    Figure("shap_beeswarm_figure", "figures/shap/{dataset}/{model}/beeswarm.png", "shap_beeswarm", "shap", "SHAP",
           over="shap", caption="shap_beeswarm", main="fig-shap-beeswarm", label="shap_beeswarm"),
    Figure("shap_bar_figure", "figures/shap/{dataset}/{model}/bar.png", "shap_bar", "shap", "SHAP", over="shap",
           caption="shap_bar", main="fig-shap-bar", label="shap_bar"),
    Figure("shap_waterfall_figure", "figures/shap/{dataset}/{model}/waterfall_row{row}.png", "shap_waterfall", "shap",
           "SHAP", over="shap", each="row", caption="shap_waterfall", main="fig-shap-waterfall",
           subject=(*MODEL, "row"), label="shap_waterfall"),
    Figure("shap_force_figure", "figures/shap/{dataset}/{model}/force_row{row}.png", "shap_force", "shap", "SHAP",
           over="shap", each="row", caption="shap_force", main="fig-shap-force", subject=(*MODEL, "row"),
           label="shap_force"),
    Figure("shap_dependence_figure", "figures/shap/{dataset}/{model}/dependence_top{rank}.png", "shap_dependence",
           "shap", "SHAP", over="shap", each="rank", caption="shap_dependence", main="fig-shap-dependence-{rank}",
           block="shap_dependence", label="dependence"),
    # LIME
    Figure("lime_figure", "figures/lime/{dataset}/{model}/test{position}.png", "lime_figure", "lime", "LIME",
           over="lime", each="position", caption="lime", main="fig-lime-{position}", block="lime_rows", label="lime"),
    Figure("lime_stability_figure", "figures/lime/{dataset}/{model}/stability_test{position}.png",
           "lime_stability_figure", "lime", "LIME", over="lime", each="position", caption="lime_stability",
           main="fig-lime-stability-{position}", block="lime_rows", label="lime_stability"),
    # per dataset: the models compared, calibration, agreement of the importance methods
    Figure("roc_comparison_figure", "figures/comparison/{dataset}/roc.png", "draw_roc_comparison", "comparison",
           "Model comparison", over="dataset", when="classification", caption="roc_comparison",
           main="fig-comparison-roc", subject=("dataset",), more="comparison_more", label="roc_comparison"),
    Figure("pr_comparison_figure", "figures/comparison/{dataset}/pr.png", "draw_pr_comparison", "comparison",
           "Model comparison", over="dataset", when="classification", caption="pr_comparison",
           main="fig-comparison-pr", subject=("dataset",), more="comparison_more", label="pr_comparison"),
    Figure("calibration_figure", "figures/calibration/{dataset}.png", "draw_calibration", "calibration",
           "Calibration", over="dataset", when="classification", caption="calibration", main="fig-calibration",
           subject=("dataset",), more="comparison_more", label="calibration"),
    Figure("predicted_vs_actual_figure", "figures/comparison/{dataset}/predicted_vs_actual.png",
           "draw_predicted_vs_actual", "comparison", "Model comparison", over="dataset", when="regression",
           caption="predicted_vs_actual", main="fig-comparison", subject=("dataset",), more="comparison_more",
           label="predicted_vs_actual"),
    Figure("intervals_figure", "figures/comparison/{dataset}/intervals.png", "draw_metric_intervals", "comparison",
           "Model comparison", over="dataset", caption="intervals", main="fig-intervals", subject=("dataset",),
           more="comparison_more", label="intervals"),
    Figure("agreement_figure", "figures/trust/{dataset}/agreement.png", "draw_agreement", "trust",
           "Trust in explanations", over="dataset", when="compared", caption="agreement", main="fig-agreement",
           subject=("dataset",), label="agreement"),
    # where the featured model of each dataset fails (mlviz.compute.slices)
    Figure("slices_figure", "figures/slices/{dataset}/{model}.png", "draw_slices", "slices", "Where the model fails",
           over="featured", caption="slices", main="fig-slices", label="slices"),
    # feature effects, thresholds, SHAP deletion
    Figure("pdp_figure", "figures/effects/{dataset}/{model}/pdp.png", "draw_pdp", "effects", "Feature effects",
           over="effects", caption="pdp", main="fig-pdp", more="effects_more", label="pdp"),
    Figure("pdp_pair_figure", "figures/effects/{dataset}/{model}/pair.png", "draw_pdp_pair", "effects",
           "Feature effects", over="effects", when="two_columns", caption="pdp_pair", main="fig-pdp-pair",
           more="effects_more", label="pdp_pair"),
    Figure("threshold_figure", "figures/threshold/{dataset}/{model}.png", "draw_threshold", "threshold", "Thresholds",
           over="threshold", caption="threshold", main="fig-threshold", more="performance_more", label="threshold"),
    Figure("deletion_figure", "figures/trust/{dataset}/{model}/deletion.png", "draw_deletion", "trust",
           "Trust in explanations", over="shap", caption="deletion", main="fig-deletion", section="deletion",
           label="deletion"),
    # the CNN (its dataset: config neural.dataset)
    Figure("cnn_architecture_figure", "figures/neural/architecture.png", "cnn_architecture", "neural",
           "Neural network", over="run", when="neural", caption="cnn_architecture", main="fig-cnn-architecture",
           subject=(), label="cnn_architecture"),
    Figure("cnn_curves_figure", "figures/neural/training_curves.png", "cnn_curves", "neural", "Neural network",
           over="run", when="neural", caption="cnn_curves", main="fig-cnn-curves", subject=(), label="cnn_curves"),
    Figure("cnn_confusion_figure", "figures/neural/confusion_matrix.png", "cnn_confusion", "neural",
           "Neural network", over="run", when="neural", caption="cnn_confusion", main="fig-cnn-confusion",
           subject=(), label="cnn_confusion"),
    Figure("gradcam_grid_figure", "figures/neural/gradcam_grid.png", "gradcam_grid", "neural", "Neural network",
           over="run", when="neural", caption="gradcam_grid", main="fig-gradcam", subject=(), label="gradcam_grid"),
    Figure("gradcam_randomization_figure", "figures/neural/gradcam_randomization.png", "gradcam_randomization",
           "neural", "Neural network", over="run", when="neural", caption="gradcam_randomization",
           main="fig-gradcam-sanity", subject=(), label="gradcam_randomization"),
    Figure("resnet_figure", "figures/neural/resnet50_gradcam.png", "resnet_figure", "neural", "Neural network",
           over="run", when="resnet", caption="resnet", main="fig-resnet-gradcam", subject=(), block="neural_more",
           label="resnet"),
)

BY_KIND = {f.kind: f for f in FIGURES}
