# mlviz: train models and draw the pictures that explain them, then stitch them into an article.
#   snakemake --cores 4                                  the demo data (config/config.yaml)
#   snakemake --cores 4 --configfile my.yaml             your CSV: see config/README.md
# A --configfile replaces the demo config (it is not merged into it). The config is validated
# against config/schema.yaml (which holds every default) and resolved against the data in
# rules/common.smk, before any job runs; results/<run>/config.resolved.yaml shows the outcome.
import os

from snakemake.utils import min_version

min_version("9.0")


if not workflow.overwrite_configfiles:

    configfile: os.path.join(workflow.basedir, "config", "config.yaml")


include: "rules/common.smk"
include: "rules/data.smk"  # raw CSV or demo generator → preprocessed train/test tables
include: "rules/models.smk"  # fit, predict the test split, metrics
include: "rules/importance.smk"  # impurity, permutation, coefficients → importances.parquet
include: "rules/figures.smk"  # tree, importance, linear, confusion/ROC/PR figures
include: "rules/shap.smk"  # SHAP values once, then waterfall, force, beeswarm, bar, dependence
include: "rules/lime.smk"  # LIME explanations, their stability over seeds, figures
include: "rules/evaluation.smk"  # models side by side with bootstrap intervals, calibration, thresholds
include: "rules/diagnostics.smk"  # checks before explanations, where the model fails (target: diagnostics)
include: "rules/effects.smk"  # partial dependence and ICE of the top features
include: "rules/trust.smk"  # agreement between importance methods, SHAP deletion faithfulness
include: "rules/neural.smk"  # the CNN (opt-in): TensorBoard, architecture, Grad-CAM and checks
include: "rules/report.smk"  # the article (Quarto: HTML and PDF) and the manifest


# Once the jobs to run are known and before the first starts: every program they need (Quarto for
# the article, dot for the CNN's architecture) is there, or the run stops in one line.
onstart:
    missing = tools.problems({job.rule.name for job in workflow.dag.needrun_jobs()})
    if missing:
        sys.exit(f"mlviz: {missing[0]}")


rule all:
    input:
        all_outputs(),
    default_target: True
