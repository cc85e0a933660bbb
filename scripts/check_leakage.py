"""Leakage suspects: a feature that alone predicts the target almost perfectly on held-out rows; an
identifier (read by the models or dropped) or the row order that predicts it."""
import pandas as pd

from mlviz.compute import data, diagnostics
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta = read_json(smk.input.meta)
    raw = data.read_source(smk.input.raw, smk.params.read)
    table = diagnostics.leakage(pd.read_parquet(smk.input.train), pd.read_parquet(smk.input.test), meta, raw,
                                seed=smk.params.seed, dataset=smk.wildcards.dataset, **smk.params.leakage)
    write_parquet(table, smk.output[0])
    log.info("%d candidate(s), suspects: %s", len(table), ", ".join(table.loc[table["suspect"], "candidate"]) or "none")


run(main, snakemake)  # noqa: F821
