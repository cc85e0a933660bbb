# mlviz: train models and draw the pictures that explain them, then stitch them into an article.
# Run: snakemake --cores 4   (demo data)   |   snakemake --cores 4 --configfile config/kaggle.yaml
import os

from snakemake.utils import min_version, validate

min_version("9.0")


# The demo config unless the user names their own (a --configfile replaces it, it is not merged).
if not workflow.overwrite_configfiles:

    configfile: os.path.join(workflow.basedir, "config", "config.yaml")


validate(config, "config/schema.yaml")


include: "rules/common.smk"
include: "rules/figures_basic_common.smk"
include: "rules/figures_explain_common.smk"
include: "rules/neural_common.smk"
include: "rules/report_common.smk"
include: "rules/data.smk"
include: "rules/models.smk"
include: "rules/figures_basic.smk"
include: "rules/figures_explain.smk"
include: "rules/neural.smk"
include: "rules/report.smk"


rule all:
    input:
        all_outputs(),
    default_target: True
