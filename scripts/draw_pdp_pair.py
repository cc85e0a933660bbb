"""Two-way partial dependence of a model's top pair of features."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.effects import draw_pdp_2d
from mlviz.plots.style import Style, save


def main(smk):
    meta, style = read_json(smk.input.meta), Style.of(smk.params.style)
    cls = smk.params.cls
    what = f"P({cls})" if cls is not None else f"predicted {meta['target']}"
    fig = draw_pdp_2d(pd.read_parquet(smk.input.pair), style=style, info=meta["feature_info"],
                      title=f"Two-way partial dependence of {what}: {smk.wildcards.model} on {smk.wildcards.dataset}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
