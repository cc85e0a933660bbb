"""Heat-maps of the rank correlation between importance methods, one per model of a dataset."""
import pandas as pd

from mlviz.workflow.jobs import run, stamp
from mlviz.plots.trust import draw_agreement
from mlviz.plots.style import Style, save


def main(smk):
    style = Style.of(smk.params.style)
    fig = draw_agreement(pd.read_parquet(smk.input.agreement), style=style,
                         title=f"Agreement between importance methods: {smk.wildcards.dataset}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
