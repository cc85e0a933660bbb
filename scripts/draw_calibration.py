"""Reliability diagram(s) of every classifier of a dataset, Brier scores in the legend."""
import pandas as pd

from mlviz.workflow.jobs import run, stamp
from mlviz.plots.calibration import draw_calibration
from mlviz.plots.style import Style, save


def main(smk):
    style = Style.of(smk.params.style)
    fig = draw_calibration(pd.read_parquet(smk.input.curve), pd.read_parquet(smk.input.scores), style=style,
                           histogram=pd.read_parquet(smk.input.histogram),
                           title=f"Calibration: every classifier on {smk.wildcards.dataset} (test split)")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
