"""Mean and spread of LIME weights over seeds for one test row, with the top-k agreement."""
import pandas as pd

from mlviz.workflow.jobs import run, stamp
from mlviz.plots.lime import draw_stability
from mlviz.plots.style import Style, save


def main(smk):
    agreement, style = pd.read_parquet(smk.input.agreement).iloc[0], Style.of(smk.params.style)
    fig = draw_stability(pd.read_parquet(smk.input.stability), agreement, style=style,
                         max_features=smk.params.max_features,
                         title=f"LIME stability: {smk.wildcards.dataset} / {smk.wildcards.model}, test row "
                               f"{int(agreement['test_position'])} (CSV row {int(agreement['row'])})")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
