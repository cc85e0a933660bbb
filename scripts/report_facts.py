"""The article's facts from the run's tables: the numbers and names its prose uses (→ {{< var >}}),
the claims that pick its sentences and the section flags (→ metadata), and the generated tables and
figure groups (→ {{< include >}}, worded in report/blocks/), in one YAML file that rule `report`
stages for Quarto."""
from pathlib import Path

import yaml

from mlviz.article import blocks as B
from mlviz.article import facts as F
from mlviz.article.markdown import code, fact
from mlviz.workflow.jobs import log, run

BLOCKS = ("glance", "data_table", "data_notes", "checks", "importance_table", "importance_more", "shap_table", "shap_dependence",
          "lime_rows", "regression_table", "effects_pair", "effects_more", "performance_more", "comparison_figures",
          "comparison_table", "calibration_table", "comparison_more", "layer_table", "neural_more", "trust_figures",
          "trust_table", "appendix")
# Each figure group the article places itself; anything else of the run goes to the appendix.
SECTION_OF = {"tree": "has_tree", "importance": "has_importance", "linear": "has_linear", "shap": "has_shap",
              "lime": "has_lime", "performance": "has_performance", "neural": "has_neural", "effects": "has_effects",
              "threshold": "has_threshold", "comparison": "has_comparison", "calibration": "has_calibration",
              "trust": "has_trust", "slices": "has_slices"}


def main(smk):
    plan, s, settings, config = smk.params.plan, smk.params.sections, smk.params.report, smk.config
    root = Path(smk.output[0]).parents[1]  # results/<run>
    r = F.Run(root, settings["decimals"], settings["readings"])
    plan = [{**p, "alt": F.alt(r, p)} for p in plan]  # each figure's alt text for this run
    ids = {p["id"]: p for p in plan}
    describe = {ds: d["describe"] for ds, d in config["datasets"].items()}
    models = sum(len(d["models"]) for d in config["datasets"].values()) + (1 if s["neural"] else 0)
    v = {"run": code(config["run"]), "alt": {p["id"].replace("-", "_"): p["alt"] for p in plan},
         "intro": {"models": fact(models, "d", table="metrics.parquet", agg="models"),
                   "datasets": B.listed([F.label(d) for d in config["datasets"]]),
                   "images": code(s["neural"]["dataset"]) if s["neural"] else ""}}
    claims = {"intro": {"one_model": models == 1, "neural": bool(s["neural"])}}
    subjects, flags = {}, {}
    blocks = dict.fromkeys(BLOCKS, "")
    v["data"], claims["data"], data_blocks = F.data_section(r, config, smk.params.notes)
    blocks.update(data_blocks)
    v["checks"], claims["checks"], blocks["checks"] = F.checks_section(r, config)
    v["glance"], claims["glance"], blocks["glance"] = F.glance_section(r, config, s)

    def section(name, ok, compute):
        flags[f"has_{name}"] = bool(ok)
        if ok:
            out = compute()
            v[name], claims[name], subjects[name] = out[:3]
            return out[3] if len(out) > 3 else None
        return None

    section("tree", s["tree"] and "fig-tree" in ids, lambda: F.tree_section(r, config, *s["tree"]))
    blocks["importance_table"] = section(
        "importance", s["importance"] and "fig-permutation" in ids,
        lambda: F.importance_section(r, *s["importance"], settings["top_k"])) or ""
    blocks["importance_more"] = F.more_block(plan, "importance_more")
    perm_models = {tuple(m) for m in s["importance_models"]}
    if s["shap"]:
        ds, m = s["shap"]
        blocks["shap_table"] = section(
            "shap", {"fig-shap-waterfall", "fig-shap-beeswarm"} <= set(ids),
            lambda: F.shap_section(r, ds, m, s["shap_instance"], perm_models, settings["top_k"], describe[ds])) or ""
        deps = sorted((p for p in plan if p["block"] == "shap_dependence"), key=lambda p: int(p["id"].rsplit("-", 1)[1]))
        if flags["has_shap"]:
            # Each dependence plot is of the feature at its rank by mean |SHAP| (rule shap_dependence).
            figs = [{**F.placed(p), "feature": r.ranked(ds, m, "mean_abs_shap", int(p["id"].rsplit("-", 1)[1]))}
                    for p in deps]
            blocks["shap_dependence"] = B.render("shap_dependence", figs=figs,
                                                 refs=["@" + p["id"] for p in deps])
    else:
        flags["has_shap"] = False
    if s["lime"] and s["lime_rows"]:
        section("lime", any(p["block"] == "lime_rows" for p in plan), lambda: F.lime_section(r, *s["lime"], s["lime_rows"]))
        blocks["lime_rows"] = F.lime_block(r, plan, *s["lime"], s["lime_rows"]) if flags["has_lime"] else ""
    else:
        flags["has_lime"] = False
    blocks["regression_table"] = section("linear", s["linear"] and {"fig-coefficients", "fig-residuals"} <= set(ids),
                                         lambda: F.linear_section(r, *s["linear"])) or ""
    section("effects", s["effects"] and "fig-pdp" in ids, lambda: F.effects_section(r, *s["effects"], s["effects_class"]))
    if flags["has_effects"] and "fig-pdp-pair" in ids:
        blocks["effects_pair"] = B.render("effects_pair", pair=F.placed(ids["fig-pdp-pair"]))
    blocks["effects_more"] = F.more_block(plan, "effects_more")
    section("performance", s["performance"] and {"fig-confusion", "fig-roc", "fig-pr"} <= set(ids),
            lambda: F.performance_section(r, *s["performance"], describe[s["performance"][0]]))
    blocks["performance_more"] = F.more_block(plan, "performance_more")
    section("threshold", s["threshold"] and "fig-threshold" in ids and flags["has_performance"],
            lambda: F.threshold_section(r, *s["threshold"]))
    blocks["comparison_table"] = section("comparison", s["comparison"] and "fig-intervals" in ids,
                                         lambda: F.comparison_section(r, config, s["comparison"])) or ""
    if flags["has_comparison"]:
        curves = [F.placed(ids[i]) for i in ("fig-comparison-roc", "fig-comparison-pr") if i in ids]
        blocks["comparison_figures"] = B.render(
            "comparison_figures", curves=curves, intervals=F.placed(ids["fig-intervals"]),
            scatter=F.placed(ids["fig-comparison"]) if "fig-comparison" in ids else None)
    blocks["calibration_table"] = section(
        "calibration", s["calibration"] and "fig-calibration" in ids and flags["has_comparison"],
        lambda: F.calibration_section(r, s["calibration"], config["datasets"][s["calibration"]]["target"]["classes"])) or ""
    blocks["comparison_more"] = F.more_block(plan, "comparison_more")
    section("slices", s["slices"] and "fig-slices" in ids, lambda: F.slices_section(r, *s["slices"]))
    blocks["layer_table"] = section("neural", s["neural"] and {"fig-cnn-architecture", "fig-gradcam"} <= set(ids),
                                    lambda: F.neural_section(r, s["neural"])) or ""
    blocks["neural_more"] = F.more_block(plan, "neural_more")
    blocks["trust_table"] = section("trust", s["trust"] and ("fig-agreement" in ids or "fig-deletion" in ids),
                                    lambda: F.trust_section(r, s["trust"], s["deletion"] if "fig-deletion" in ids else None,
                                                            config)) or ""
    if flags["has_trust"]:
        figs = [F.placed(ids[i]) for i in ("fig-agreement", "fig-deletion") if i in ids]
        blocks["trust_figures"] = B.render("trust_figures", figs=figs)

    # Figures whose section is left out still belong in the article: the appendix holds them.
    placed = {p["id"] for p in plan if p["block"] is None or p["block"] != "appendix"}
    orphans = [p for p in plan if p["id"] in placed and not flags.get(SECTION_OF.get(p["group"]), False)]
    rest = [p for p in plan if p["block"] == "appendix"] + orphans
    blocks["appendix"] = F.more_block([{**p, "block": "appendix"} for p in rest], "appendix")
    flags["has_appendix"] = bool(blocks["appendix"])
    v["intro"]["chapters"] = F.chapters(flags)
    metadata = F.plain({"title": settings["title"], **flags, "claims": claims, "subjects": subjects})
    log.info("facts for %d figures; sections: %s", len(plan), ", ".join(k for k, x in flags.items() if x))
    Path(smk.output[0]).write_text(yaml.safe_dump({"variables": v, "metadata": metadata, "blocks": blocks},
                                                  sort_keys=True, allow_unicode=True, width=100000))


run(main, snakemake)  # noqa: F821
