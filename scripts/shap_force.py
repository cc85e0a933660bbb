"""Force plot (matplotlib) of one explained row, from the stored SHAP values."""
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
    exp = explain_shap.explanation(table)
    style.apply(st)
    fig = explain_shap.draw_force(
        table["base_value"].iloc[i], exp.values[i], exp.data[i], list(exp.feature_names),
        f"SHAP force plot: {what}", f"CSV row {row} ({table['split'].iloc[i]} split)",
        summary["output"], st["width"], st["height"], p["contribution_threshold"], p["text_rotation"])
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
