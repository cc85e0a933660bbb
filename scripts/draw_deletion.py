"""The SHAP deletion curve against random order, areas in the legend."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.trust import draw_deletion
from mlviz.plots.style import Style, save


def main(smk):
    summary, style = read_json(smk.input.summary), Style.of(smk.params.style)
    fig = draw_deletion(pd.read_parquet(smk.input.curve), pd.read_parquet(smk.input.area), style=style,
                        output_name=summary["output"],
                        title=f"SHAP deletion check: {smk.wildcards.model} on {smk.wildcards.dataset}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
