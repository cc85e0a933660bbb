"""The confusion matrix of a classifier on the test split (scikit-learn's ConfusionMatrixDisplay)."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.classification import draw_confusion_matrix
from mlviz.plots.style import Style, save


def main(smk):
    meta, style = read_json(smk.input.meta), Style.of(smk.params.style)
    fig = draw_confusion_matrix(
        pd.read_parquet(smk.input.predictions), classes=meta["classes"], style=style,
        normalize=smk.params.draw["normalize"],
        title=f"Confusion matrix: {smk.wildcards.model} on {smk.wildcards.dataset} (test split)")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
