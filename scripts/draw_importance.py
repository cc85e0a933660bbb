"""Draw one importance part (impurity or permutation) as sorted, labelled bars."""
import pandas as pd

from mlviz import plots_basic, style
from mlviz.runtime import run

SCORE_NAMES = {"classification": "accuracy", "regression": "R²"}


def main(smk):
    import json

    meta = json.loads(open(smk.input.meta).read())
    table = pd.read_parquet(smk.input.part)
    where = f"{smk.wildcards.model} on {smk.wildcards.dataset}"
    if smk.wildcards.method == "impurity":
        title = f"Impurity feature importance: {where}"
        xlabel = "Mean decrease in impurity (training data; sums to 1)"
        error_bars = False
    else:
        p = smk.params.permutation
        score = p["scoring"] or SCORE_NAMES[meta["task"]]
        title = f"Permutation feature importance: {where}"
        xlabel = f"Drop in test {score} when the feature is shuffled (mean ± sd over {p['n_repeats']} repeats)"
        error_bars = True
    fig = plots_basic.draw_bars(table, smk.params.style, title, xlabel, error_bars, smk.params.draw["top_k"])
    style.save(fig, smk.output[0], smk.config, smk.params.style)


run(main, snakemake)  # noqa: F821
