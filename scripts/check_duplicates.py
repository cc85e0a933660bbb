"""Test rows whose features are also a train row's, and identical features with different targets."""
import pandas as pd

from mlviz.compute import diagnostics
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta = read_json(smk.input.meta)
    table = diagnostics.duplicates(pd.read_parquet(smk.input.train), pd.read_parquet(smk.input.test), meta,
                                   level=smk.params.level, dataset=smk.wildcards.dataset, **smk.params.duplicates)
    write_parquet(table, smk.output[0])
    for _, r in table.iterrows():
        log.info("%s: %d row(s), share %.4f, suspect %s", r["check"], r["rows"], r["share"], r["suspect"])


run(main, snakemake)  # noqa: F821
