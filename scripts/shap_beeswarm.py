"""Beeswarm of the SHAP values of every explained row, from the stored values."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots import shap as plots
from mlviz.plots.style import Style, save


def main(smk):
    summary, table = read_json(smk.input.summary), pd.read_parquet(smk.input.values)
    style = Style.of(smk.params.style)
    fig = plots.draw_beeswarm(plots.explanation(table), style=style,
                              title=f"SHAP values per row: {summary['dataset']} / {summary['model']}",
                              subtitle=plots.rows_note(summary), output_name=summary["output"],
                              max_display=smk.params.max_display)
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
