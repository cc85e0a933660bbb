"""Waterfall plot of one explained row (config figures.shap.instances), from the stored SHAP values."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots import shap as plots
from mlviz.plots.style import Style, save


def main(smk):
    summary, table = read_json(smk.input.summary), pd.read_parquet(smk.input.values)
    row, what = int(smk.wildcards.row), f"{summary['dataset']} / {summary['model']}"
    i = plots.row_position(table, row, what)
    style = Style.of(smk.params.style)
    fig = plots.draw_waterfall(plots.worded(plots.explanation(table)[i], summary["feature_info"]), style=style,
                               title=f"SHAP waterfall: {what}",
                               subtitle=f"CSV row {row} ({table['split'].iloc[i]} split); feature values as the data has them",
                               output_name=summary["output"], max_display=smk.params.max_display)
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
