"""Waterfall plot of one explained row (config figures.shap.instances), from the stored SHAP values."""
import json

import pandas as pd

from mlviz import explain_shap, style
from mlviz.runtime import run


def main(smk):
    p, st = smk.params.plot, style.resolve(smk.params.plot["style"])
    summary = json.loads(open(smk.input.summary).read())
    table = pd.read_parquet(smk.input.values)
    row = int(smk.wildcards.row)
    what = f"{summary['dataset']} / {summary['model']}"
    i = explain_shap.row_position(table, row, what)
    style.apply(st)
    fig = explain_shap.draw_waterfall(
        explain_shap.explanation(table)[i], f"SHAP waterfall: {what}",
        f"CSV row {row} ({table['split'].iloc[i]} split); feature values in original units",
        summary["output"], p["max_display"])
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
