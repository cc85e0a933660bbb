"""The distribution of test residuals: histogram against a normal curve, and a normal Q-Q plot."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.regression import draw_residual_distribution
from mlviz.plots.style import Style, save


def main(smk):
    meta, style = read_json(smk.input.meta), Style.of(smk.params.style)
    fig = draw_residual_distribution(
        pd.read_parquet(smk.input.predictions), target=meta["target"], style=style, bins=smk.params.draw["bins"],
        title=f"Residual distribution: {smk.wildcards.model} on {smk.wildcards.dataset} (test split)")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
