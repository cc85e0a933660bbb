"""Force plot (matplotlib) of one explained row, from the stored SHAP values."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots import shap as plots
from mlviz.plots.style import Style, save


def main(smk):
    summary, table = read_json(smk.input.summary), pd.read_parquet(smk.input.values)
    row, what = int(smk.wildcards.row), f"{summary['dataset']} / {summary['model']}"
    i = plots.row_position(table, row, what)
    exp, f = plots.explanation(table), smk.params.force
    style = Style.of(smk.params.style)
    names, shown = plots.force_labels(list(exp.feature_names), exp.data[i], summary["feature_info"])
    fig = plots.draw_force(table["base_value"].iloc[i], exp.values[i], shown, features=names,
                           style=style, title=f"SHAP force plot: {what}",
                           subtitle=f"CSV row {row} ({table['split'].iloc[i]} split)", output_name=summary["output"],
                           threshold=f["contribution_threshold"], text_rotation=f["text_rotation"])
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
