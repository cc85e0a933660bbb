"""Per-column caveats that change a reading: heavy missingness (and what filled it), extreme skew,
near-constant columns, read from the raw CSV's cells of the labelled rows."""
import pandas as pd

from mlviz.compute import data, diagnostics
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta = read_json(smk.input.meta)
    raw = data.read_source(smk.input.raw, smk.params.read)
    table = diagnostics.column_caveats(raw, pd.read_parquet(smk.input.train), pd.read_parquet(smk.input.test), meta,
                                       fill_missing=smk.params.fill_missing, dataset=smk.wildcards.dataset,
                                       **smk.params.columns)
    write_parquet(table, smk.output[0])
    log.info("%d column(s), flagged: %s", len(table), ", ".join(table.loc[table["flagged"], "column"]) or "none")


run(main, snakemake)  # noqa: F821
