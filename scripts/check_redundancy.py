"""Groups of redundant features (strong rank correlation, or one raw column a function of another) on
the train split: the groups and the pairs that join them."""
import pandas as pd

from mlviz.compute import diagnostics
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta = read_json(smk.input.meta)
    groups, pairs = diagnostics.redundancy(pd.read_parquet(smk.input.train), meta, dataset=smk.wildcards.dataset,
                                           **smk.params.redundancy)
    write_parquet(groups, smk.output.groups)
    write_parquet(pairs, smk.output.pairs)
    log.info("%d redundant group(s) from %d pair(s)", groups["group"].nunique(), len(pairs))


run(main, snakemake)  # noqa: F821
