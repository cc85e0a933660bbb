"""Dependence scatter of the feature ranked {rank} by mean |SHAP|, from the stored values."""
import json

import pandas as pd

from mlviz import explain_shap, style
from mlviz.errors import InputError
from mlviz.runtime import run


def main(smk):
    st = style.resolve(smk.params.plot["style"])
    summary = json.loads(open(smk.input.summary).read())
    table = pd.read_parquet(smk.input.values)
    rank = int(smk.wildcards.rank)
    ranked = explain_shap.top_features(table)
    if not 1 <= rank <= len(ranked):
        raise InputError(f"config key figures.shap.dependence.top_k: rank {rank} asked for, but "
                         f"{summary['dataset']} has {len(ranked)} features")
    feature = ranked[rank - 1]
    style.apply(st)
    fig = explain_shap.draw_dependence(
        explain_shap.explanation(table), feature,
        f"SHAP dependence: {feature} (rank {rank} by mean |SHAP|), {summary['dataset']} / {summary['model']}",
        explain_shap.rows_note(summary), summary["output"], summary["scale"], st["cmap"], st)
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
