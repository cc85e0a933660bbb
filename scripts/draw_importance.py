"""Draw one importance part (impurity or permutation) as ranked, labelled bars."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.bars import draw_bars
from mlviz.plots.style import Style, save

SCORE_NAMES = {"classification": "accuracy", "regression": "R²"}


def main(smk):
    meta = read_json(smk.input.meta)
    where = f"{smk.wildcards.model} on {smk.wildcards.dataset}"
    if smk.wildcards.method == "impurity":
        title = f"Impurity feature importance: {where}"
        xlabel = "Mean decrease in impurity (training data; sums to 1)"
    else:
        p = smk.params.permutation
        score = p["scoring"] or SCORE_NAMES[meta["task"]]
        title = f"Permutation feature importance: {where}"
        xlabel = f"Drop in test {score} when the feature is shuffled (mean ± sd over {p['n_repeats']} repeats)"
    permutation = smk.wildcards.method == "permutation"
    style = Style.of(smk.params.style)
    fig = draw_bars(pd.read_parquet(smk.input.part), style=style, title=title, xlabel=xlabel, error_bars=permutation,
                    mark_noise=permutation, top_k=smk.params.draw["top_k"])
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
