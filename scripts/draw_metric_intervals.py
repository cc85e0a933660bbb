"""The test metrics of every model of a dataset with their bootstrap intervals (a forest plot)."""
import pandas as pd

from mlviz.workflow.jobs import run, stamp
from mlviz.plots.comparison import draw_metric_intervals
from mlviz.plots.style import Style, save


def main(smk):
    table, style = pd.read_parquet(smk.input.metrics), Style.of(smk.params.style)
    level = f"{table['level'].iloc[0]:.0%}" if "level" in table else "95%"
    fig = draw_metric_intervals(table, style=style,
                                title=f"Test metrics with {level} bootstrap intervals: {smk.wildcards.dataset}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
