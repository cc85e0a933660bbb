"""The article's facts from the run's tables: numbers, rankings and the sentences that depend on
them (→ {{< var >}}), generated tables and figure lists (→ {{< include >}}) and the title block
and section flags (→ metadata), in one YAML file that rule `report` stages for the renderer."""
from pathlib import Path

import yaml

from mlviz import facts as rf
from mlviz.article import code
from mlviz.jobs import log, run

BLOCKS = ("importance_table", "importance_more", "shap_table", "shap_dependence", "lime_rows",
          "regression_table", "classification_table", "performance_more", "layer_table", "neural_more",
          "appendix")


def main(smk):
    plan, s, settings = smk.params.plan, smk.params.sections, smk.params.report
    root = next(Path(p).parent for p in smk.input.tables if Path(p).name == "metrics.parquet")  # results/<run>
    run_ = rf.Run(root, settings["decimals"])
    ids = {p["id"] for p in plan}
    v = {"run": f"{code(smk.config['run'])}", **rf.data_facts(smk.config)}
    blocks = dict.fromkeys(BLOCKS, "")
    flags = {}

    flags["has_tree"] = bool(s["tree"]) and "fig-tree" in ids
    if flags["has_tree"]:
        v["tree"] = rf.tree_facts(run_, smk.config, {"dataset": s["tree"][0], "model": s["tree"][1]})

    flags["has_importance"] = bool(s["importance"]) and {"fig-impurity", "fig-permutation"} <= ids
    if flags["has_importance"]:
        v["importance"] = rf.importance_facts(run_, *s["importance"], settings["top_k"])
        blocks["importance_table"] = (v["importance"].pop("table") + "\n\n: The top features of the "
                                      f"{v['importance']['model']} model by each measure; the spread is the "
                                      "standard deviation over the permutation repeats. {#tbl-importance}\n")
    blocks["importance_more"] = rf.more_block(
        plan, "importance_more", "The same measures for the other models listed under `figures.importance` are "
        "in {refs}.")

    flags["has_shap"] = bool(s["shap"]) and {"fig-shap-waterfall", "fig-shap-beeswarm"} <= ids
    if flags["has_shap"]:
        perm_models = {tuple(m) for m in s["importance_models"]}
        v["shap"] = rf.shap_facts(run_, *s["shap"], s["shap_instance"], perm_models, settings["top_k"])
        blocks["shap_table"] = (v["shap"].pop("table") + "\n\n: Features with the largest mean absolute SHAP "
                                f"value for the {v['shap']['model']} model. {{#tbl-shap}}\n")
        blocks["shap_dependence"] = rf.dependence_block(run_, plan, *s["shap"])

    flags["has_lime"] = bool(s["lime"]) and any(p["block"] == "lime_rows" for p in plan)
    if flags["has_lime"]:
        blocks["lime_rows"], lime = rf.lime_block(run_, plan, *s["lime"], s["lime_rows"])
        v["lime"] = {"dataset": rf.label(s["lime"][0]), "model": rf.label(*s["lime"]), **lime}

    flags["has_linear"] = bool(s["linear"]) and {"fig-coefficients", "fig-residuals"} <= ids
    if flags["has_linear"]:
        v["linear"] = rf.linear_facts(run_, *s["linear"], smk.config)
        blocks["regression_table"] = (v["linear"].pop("table") + "\n\n: Test-split scores of the regression "
                                      f"models on the {v['linear']['dataset']} data. {{#tbl-regression}}\n")

    flags["has_performance"] = bool(s["performance"]) and {"fig-confusion", "fig-roc", "fig-pr"} <= ids
    if flags["has_performance"]:
        v["performance"] = rf.classification_facts(run_, *s["performance"])
        flags["performance_binary"] = v["performance"].pop("binary")
        blocks["classification_table"] = (rf.classification_table(run_) + "\n\n: Test-split scores of every "
                                          "classifier of the run (for more than two classes, ROC AUC and "
                                          "average precision are one-vs-rest macro averages). "
                                          "{#tbl-classification}\n")
    else:
        flags["performance_binary"] = False
    blocks["performance_more"] = rf.more_block(
        plan, "performance_more", "The same three views of the other classifiers listed under "
        "`figures.performance` are in {refs}; for more than two classes the curves are one-vs-rest, one per class.")

    flags["has_neural"] = bool(s["neural"]) and {"fig-cnn-architecture", "fig-cnn-curves", "fig-gradcam"} <= ids
    if flags["has_neural"]:
        v["neural"] = rf.neural_facts(run_, s["neural"])
        blocks["layer_table"] = (v["neural"].pop("layer_table") + "\n\n: The layers of the network, their "
                                 "output shapes and parameter counts. {#tbl-layers}\n")
        blocks["neural_more"] = rf.resnet_block(run_, plan)

    # Figures whose section is left out (its other figures are missing) still belong in the article.
    section = {"tree": "has_tree", "importance": "has_importance", "linear": "has_linear", "shap": "has_shap",
               "lime": "has_lime", "performance": "has_performance", "neural": "has_neural"}
    orphans = [{**p, "block": "appendix"} for p in plan
               if p["block"] not in ("appendix",) and not flags.get(section.get(p["group"]), False)]
    plan = [p for p in plan if p["block"] == "appendix"] + orphans
    blocks["appendix"] = rf.more_block(plan, "appendix", "The run also drew these figures, which the sections "
                                       "above do not discuss: {refs}.")
    flags["has_appendix"] = bool(blocks["appendix"])

    # title block and colophon (provenance, engine): added by the render rule
    metadata = {"title": settings["title"], **flags}
    log.info("facts for %d figures; sections: %s", len(plan), ", ".join(k for k, x in flags.items() if x))
    Path(smk.output[0]).write_text(yaml.safe_dump({"variables": v, "metadata": metadata, "blocks": blocks},
                                                  sort_keys=True, allow_unicode=True, width=100000))


run(main, snakemake)  # noqa: F821
