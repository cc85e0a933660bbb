"""Partial dependence and ICE lines of a model's top features (by permutation importance)."""
import pandas as pd

from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.effects import draw_pdp_ice
from mlviz.plots.style import Style, save


def main(smk):
    meta, style = read_json(smk.input.meta), Style.of(smk.params.style)
    summary = pd.read_parquet(smk.input.summary)
    shown = summary.loc[summary["shown"], "feature"].tolist()
    table = pd.read_parquet(smk.input.pdp)
    table = table[table["feature"].isin(shown)]
    table = table.assign(_order=table["feature"].map({f: i for i, f in enumerate(shown)})).sort_values(
        "_order", kind="mergesort").drop(columns="_order")
    cls = smk.params.cls
    ylabel = f"P({cls})" if cls is not None else f"predicted {meta['target']}"
    fig = draw_pdp_ice(table, style=style, ylabel=ylabel, info=meta["feature_info"],
                       title=f"Partial dependence and ICE: {smk.wildcards.model} on {smk.wildcards.dataset}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
