"""Residuals (true − predicted) against predicted values, from the stored test predictions."""
import json

import pandas as pd

from mlviz import plots_basic, style
from mlviz.runtime import run


def main(smk):
    meta = json.loads(open(smk.input.meta).read())
    pred = pd.read_parquet(smk.input.predictions)
    title = f"Residuals vs predicted: {smk.wildcards.model} on {smk.wildcards.dataset} (test split)"
    fig = plots_basic.draw_residuals(pred, meta["target"], smk.params.style, title)
    style.save(fig, smk.output[0], smk.config, smk.params.style)


run(main, snakemake)  # noqa: F821
