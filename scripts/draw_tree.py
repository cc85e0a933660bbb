"""Draw a fitted decision tree with scikit-learn's plot_tree (filled, feature and class names)."""
import json

from mlviz import models, plots_basic, style
from mlviz.runtime import run


def main(smk):
    meta = json.loads(open(smk.input.meta).read())
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    settings = smk.params.tree
    shown = model.get_depth() if settings["max_depth"] is None else min(settings["max_depth"], model.get_depth())
    title = f"Decision tree: {meta['target']} on {smk.wildcards.dataset} (depth {shown} of {model.get_depth()})"
    fig = plots_basic.draw_tree(model, meta["features"], meta["classes"], smk.params.style, settings, title)
    style.save(fig, smk.output[0], smk.config, smk.params.style)


run(main, snakemake)  # noqa: F821
