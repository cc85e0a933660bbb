"""Precision, recall and F1 against the decision threshold, default and F1-best marked."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.threshold import draw_threshold
from mlviz.plots.style import Style, save


def main(smk):
    summary, style = read_json(smk.input.summary), Style.of(smk.params.style)
    fig = draw_threshold(pd.read_parquet(smk.input.table), summary, style=style,
                         title=f"Threshold: {smk.wildcards.model} on {smk.wildcards.dataset}, "
                               f"positive class {summary['positive']}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
