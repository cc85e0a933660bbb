"""Draw a linear regression's coefficients as labelled bars with ±1 standard error."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.bars import draw_bars
from mlviz.plots.style import Style, save


def main(smk):
    meta = read_json(smk.input.meta)
    scaled = ", ".join(meta.get("scale") or {})
    per = f"per standard deviation for {scaled}, per unit otherwise" if scaled else "per unit of the feature"
    style = Style.of(smk.params.style)
    fig = draw_bars(pd.read_parquet(smk.input.part), style=style,
                    title=f"Linear regression coefficients: {meta['target']} on {smk.wildcards.dataset}",
                    xlabel=f"Change in {meta['target']} ({per})\nerror bars: ±1 standard error", error_bars=True,
                    top_k=smk.params.draw["top_k"])
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
