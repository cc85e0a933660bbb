"""Draw a linear regression's coefficients as labelled bars with ±1 standard error."""
import json

import pandas as pd

from mlviz import plots_basic, style
from mlviz.runtime import run


def main(smk):
    meta = json.loads(open(smk.input.meta).read())
    table = pd.read_parquet(smk.input.part)
    scaled = ", ".join(meta.get("scale") or {})
    per = f"per standard deviation for {scaled}, per unit otherwise" if scaled else "per unit of the feature"
    title = f"Linear regression coefficients: {meta['target']} on {smk.wildcards.dataset}"
    xlabel = f"Change in {meta['target']} ({per})\nerror bars: ±1 standard error"
    fig = plots_basic.draw_bars(table, smk.params.style, title, xlabel, error_bars=True)
    style.save(fig, smk.output[0], smk.config, smk.params.style)


run(main, snakemake)  # noqa: F821
