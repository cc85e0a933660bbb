"""Loss and accuracy per epoch, training vs validation, from the values read out of the event files."""
import pandas as pd

from mlviz.workflow.jobs import run, stamp
from mlviz.plots.neural import draw_curves
from mlviz.plots.style import Style, save


def main(smk):
    style = Style.of(smk.params.style)
    save(draw_curves(pd.read_parquet(smk.input.history), style=style), smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
