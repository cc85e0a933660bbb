"""Where the model fails: slices of the test rows (levels, quantile bins, empty cells of the raw
columns the models read) whose error is above the overall error, Bonferroni-corrected intervals."""
import pandas as pd

from mlviz.compute import data, diagnostics
from mlviz.compute import slices as slicing
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta, s = read_json(smk.input.meta), smk.params.slices
    raw = data.read_source(smk.input.raw, smk.params.read)
    predictions = pd.read_parquet(smk.input.predictions)
    columns = [c for c in diagnostics.units(meta) if c in raw.columns]
    table = slicing.slices(raw.loc[predictions.index], predictions, task=meta["task"], columns=columns,
                           min_share=s["min_share"], bins=s["bins"], level=smk.params.level,
                           dataset=smk.wildcards.dataset, model=smk.wildcards.model)
    write_parquet(table, smk.output[0])
    log.info("%d slice(s) tried, %d flagged: %s", len(table), int(table["flagged"].sum()),
             "; ".join(table.loc[table["flagged"], "slice"]) or "none")


run(main, snakemake)  # noqa: F821
