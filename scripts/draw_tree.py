"""Draw a fitted decision tree with scikit-learn's plot_tree, its questions from the tree's table."""
import pandas as pd

from mlviz.compute import models
from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.tree import draw_tree
from mlviz.plots.style import Style, save


def main(smk):
    meta, settings = read_json(smk.input.meta), smk.params.tree
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    depth = model.get_depth()
    shown = depth if settings["max_depth"] is None else min(settings["max_depth"], depth)
    title = f"Decision tree: {meta['target']} on {smk.wildcards.dataset} (depth {shown} of {depth})"
    style = Style.of(smk.params.style)
    fig = draw_tree(model, pd.read_parquet(smk.input.questions), classes=meta["classes"], style=style, title=title,
                    **settings)
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
