"""Precision-recall curve(s) of a classifier on the test split (PrecisionRecallDisplay), average precision from the metrics table."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.classification import draw_pr
from mlviz.plots.style import Style, save


def main(smk):
    meta, style = read_json(smk.input.meta), Style.of(smk.params.style)
    fig = draw_pr(pd.read_parquet(smk.input.predictions), classes=meta["classes"], metrics=pd.read_parquet(smk.input.metrics),
              style=style, name=smk.wildcards.model,
              title=f"Precision-recall curve: {smk.wildcards.model} on {smk.wildcards.dataset}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
