"""Dependence scatter of the feature ranked {rank} by mean |SHAP|, from the stored values."""
import pandas as pd

from mlviz.errors import InputError
from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots import shap as plots
from mlviz.plots.style import Style, save
from mlviz.compute.tree_shap import ranked_features


def main(smk):
    summary, table = read_json(smk.input.summary), pd.read_parquet(smk.input.values)
    rank, ranked = int(smk.wildcards.rank), ranked_features(table)
    if not 1 <= rank <= len(ranked):
        raise InputError(f"config key figures.shap.dependence.top_k: rank {rank} asked for, but "
                         f"{summary['dataset']} has {len(ranked)} features")
    feature = ranked[rank - 1]
    style = Style.of(smk.params.style)
    fig = plots.draw_dependence(
        plots.explanation(table), feature, style=style, output_name=summary["output"], info=summary["feature_info"],
        title=f"SHAP dependence: {feature} (rank {rank} by mean |SHAP|), {summary['dataset']} / {summary['model']}",
        subtitle=plots.rows_note(summary))
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
