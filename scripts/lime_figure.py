"""lime's bar chart (as_pyplot_figure) of one stored explanation."""
import json

import pandas as pd

from mlviz import explain_lime, style
from mlviz.runtime import run


def main(smk):
    st = style.resolve(smk.params.plot["style"])
    meta = json.loads(open(smk.input.meta).read())
    table = pd.read_parquet(smk.input.table)
    first = table.iloc[0]
    style.apply(st)
    fig = explain_lime.draw_explanation(
        table, meta["classes"],
        f"LIME: {smk.wildcards.dataset} / {smk.wildcards.model}, test row {int(first['test_position'])} "
        f"(CSV row {int(first['row'])})", st["width"], st["height"])
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
