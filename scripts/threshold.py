"""Precision, recall and F1 of a two-class model at every decision threshold, and the F1-best
threshold beside the default."""
import pandas as pd

from mlviz.compute import threshold
from mlviz.workflow.io import read_json, write_json, write_parquet
from mlviz.workflow.jobs import run
from mlviz.compute.metrics import proba_columns


def main(smk):
    meta, pred = read_json(smk.input.meta), pd.read_parquet(smk.input.predictions)
    y, p = pred["y_true"].to_numpy(), pred[proba_columns(meta["classes"])[1]].to_numpy()
    table = threshold.threshold_table(y, p)
    write_parquet(table, smk.output.table)
    write_json({"positive": meta["classes"][1], "rows": int(len(pred)),
                **threshold.threshold_summary(table, y, p)}, smk.output.summary)


run(main, snakemake)  # noqa: F821
