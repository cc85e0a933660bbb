"""The distribution of test residuals: histogram against a normal curve, and a normal Q-Q plot."""
import json

import pandas as pd

from mlviz import plots_basic, style
from mlviz.runtime import run


def main(smk):
    meta = json.loads(open(smk.input.meta).read())
    pred = pd.read_parquet(smk.input.predictions)
    title = f"Residual distribution: {smk.wildcards.model} on {smk.wildcards.dataset} (test split)"
    fig = plots_basic.draw_residual_distribution(pred, meta["target"], smk.params.style, title,
                                                 smk.params.draw["bins"])
    style.save(fig, smk.output[0], smk.config, smk.params.style)


run(main, snakemake)  # noqa: F821
