"""Gather the per-model metric tables into one tidy table."""
import pandas as pd

from mlviz.workflow.io import write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    table = pd.concat([pd.read_parquet(p) for p in smk.input.parts], ignore_index=True)
    table = table.sort_values(["dataset", "model", "split", "metric"], ignore_index=True)
    write_parquet(table, smk.output[0])


run(main, snakemake)  # noqa: F821
