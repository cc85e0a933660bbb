"""Each slice's error with its interval against the model's overall error, flagged slices highlighted."""
import pandas as pd

from mlviz.plots.slices import draw_slices
from mlviz.plots.style import Style, save
from mlviz.workflow.jobs import run, stamp


def main(smk):
    style = Style.of(smk.params.style)
    fig = draw_slices(pd.read_parquet(smk.input.slices), style=style, max_slices=smk.params.max_drawn,
                      title=f"Where the model fails: {smk.wildcards.dataset} / {smk.wildcards.model}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
