"""Mean |SHAP| per feature (global importance), in the importance table's order."""
import json

import pandas as pd

from mlviz import explain_shap, style
from mlviz.runtime import run


def main(smk):
    p, st = smk.params.plot, style.resolve(smk.params.plot["style"])
    summary = json.loads(open(smk.input.summary).read())
    table = pd.read_parquet(smk.input.values)
    style.apply(st)
    fig, _ = explain_shap.draw_bar(
        explain_shap.explanation(table), f"Mean |SHAP|: {summary['dataset']} / {summary['model']}",
        explain_shap.rows_note(summary), summary["output"], p["max_display"], st["bar_color"], st)
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
