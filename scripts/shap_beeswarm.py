"""Beeswarm of the SHAP values of every explained row, from the stored values."""
import json

import pandas as pd

from mlviz import explain_shap, style
from mlviz.runtime import run


def main(smk):
    p, st = smk.params.plot, style.resolve(smk.params.plot["style"])
    summary = json.loads(open(smk.input.summary).read())
    table = pd.read_parquet(smk.input.values)
    style.apply(st)
    fig = explain_shap.draw_beeswarm(
        explain_shap.explanation(table), f"SHAP values per row: {summary['dataset']} / {summary['model']}",
        explain_shap.rows_note(summary), summary["output"], p["max_display"], st["cmap"], st["width"], st["height"])
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
