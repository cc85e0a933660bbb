"""Predict the test split with a saved model; write the predictions and their metrics."""
import pandas as pd

from mlviz.compute import metrics, models
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    meta, spec = read_json(smk.input.meta), smk.params.model
    model = models.load(smk.input.model, spec["type"], meta["task"])
    pred = models.predictions(model, pd.read_parquet(smk.input.test), meta)
    values = (metrics.classification_metrics(pred, meta["classes"]) if meta["task"] == "classification"
              else metrics.regression_metrics(pred))
    write_parquet(pred, smk.output.predictions)
    write_parquet(metrics.tidy(smk.wildcards.dataset, smk.wildcards.model, values), smk.output.metrics)


run(main, snakemake)  # noqa: F821
