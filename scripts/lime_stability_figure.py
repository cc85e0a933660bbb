"""Mean and spread of LIME weights over seeds for one test row, with the top-k agreement."""
import pandas as pd

from mlviz import explain_lime, style
from mlviz.runtime import run


def main(smk):
    p, st = smk.params.plot, style.resolve(smk.params.plot["style"])
    summary = pd.read_parquet(smk.input.stability)
    agreement = pd.read_parquet(smk.input.agreement).iloc[0]
    style.apply(st)
    fig = explain_lime.draw_stability(
        summary, agreement,
        f"LIME stability: {smk.wildcards.dataset} / {smk.wildcards.model}, test row "
        f"{int(agreement['test_position'])} (CSV row {int(agreement['row'])})", p["max_features"], st)
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
