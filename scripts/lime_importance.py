"""LIME weights as an importance part (method lime_weight): per feature, the mean over the
explained test rows of |mean weight over seeds|; spread, the mean of the across-seed s.d."""
import pandas as pd

from mlviz.compute import lime_explain
from mlviz.workflow.io import write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    parts = [pd.read_parquet(p) for p in smk.input.parts]
    write_parquet(lime_explain.importance(parts, smk.wildcards.dataset, smk.wildcards.model), smk.output[0])


run(main, snakemake)  # noqa: F821
