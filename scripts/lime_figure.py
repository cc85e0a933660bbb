"""lime's bar chart (as_pyplot_figure) of one stored explanation."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.lime import draw_explanation
from mlviz.plots.style import Style, save


def main(smk):
    meta, table = read_json(smk.input.meta), pd.read_parquet(smk.input.table)
    first, style = table.iloc[0], Style.of(smk.params.style)
    fig = draw_explanation(table, classes=meta["classes"], style=style,
                           title=f"LIME: {smk.wildcards.dataset} / {smk.wildcards.model}, test row "
                                 f"{int(first['test_position'])} (CSV row {int(first['row'])})")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
