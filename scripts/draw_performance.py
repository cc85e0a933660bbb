"""Classification performance from the stored test predictions with scikit-learn's Display API:
confusion matrix, ROC or precision-recall curves (which one: the rule's `figure` param)."""
import json

import pandas as pd

from mlviz import plots_basic, style
from mlviz.runtime import run

TITLES = {"confusion_matrix": "Confusion matrix", "roc": "ROC curve", "pr": "Precision-recall curve"}


def main(smk):
    meta = json.loads(open(smk.input.meta).read())
    pred = pd.read_parquet(smk.input.predictions)
    kind, name = smk.params.figure, smk.wildcards.model
    title = f"{TITLES[kind]}: {name} on {smk.wildcards.dataset}"
    if kind == "confusion_matrix":
        title += " (test split)"
        fig = plots_basic.draw_confusion_matrix(pred, meta["classes"], smk.params.style, title,
                                                smk.params.draw["normalize"])
    else:
        metrics = pd.read_parquet(smk.input.metrics)
        draw = plots_basic.draw_roc if kind == "roc" else plots_basic.draw_pr
        fig = draw(pred, meta["classes"], metrics, smk.params.style, title, name)
    style.save(fig, smk.output[0], smk.config, smk.params.style)


run(main, snakemake)  # noqa: F821
