"""Predicted against actual values of every regression model of a dataset, on one axes."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.comparison import draw_predicted_vs_actual
from mlviz.plots.style import Style, save


def main(smk):
    meta, style = read_json(smk.input.meta), Style.of(smk.params.style)
    predictions = {m: pd.read_parquet(p) for m, p in zip(smk.params.models, smk.input.predictions)}
    fig = draw_predicted_vs_actual(predictions, metrics=pd.read_parquet(smk.input.metrics), style=style,
                                   title=f"Predicted vs actual {meta['target']}: every model on {smk.wildcards.dataset}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
