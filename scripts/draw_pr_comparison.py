"""Every classifier's precision-recall curve of a dataset on one axes, with the bootstrap interval of its summary."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.comparison import draw_pr_comparison
from mlviz.plots.style import Style, save


def main(smk):
    meta, style = read_json(smk.input.meta), Style.of(smk.params.style)
    predictions = {m: pd.read_parquet(p) for m, p in zip(smk.params.models, smk.input.predictions)}
    fig = draw_pr_comparison(predictions, meta["classes"], metrics=pd.read_parquet(smk.input.metrics), style=style,
                          title=f"Precision-recall curves: every model on {smk.wildcards.dataset}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
