"""Predict the test split with a saved model; write the predictions and their metrics."""
import pandas as pd

from mlviz.compute import metrics, models
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    meta, spec = read_json(smk.input.meta), smk.params.model
    model = models.load(smk.input.model, spec["type"], meta["task"])
    test = pd.read_parquet(smk.input.test)
    X = models.model_frame(test, meta["features"])
    pred = pd.DataFrame({"y_true": test[meta["target"]].to_numpy()}, index=test.index)
    if meta["task"] == "classification":
        proba = model.predict_proba(X)
        pred["y_pred"] = proba.argmax(axis=1)
        for i, col in enumerate(metrics.proba_columns(meta["classes"])):
            pred[col] = proba[:, i]
        values = metrics.classification_metrics(pred, meta["classes"])
    else:
        pred["y_pred"] = model.predict(X).astype("float64")
        values = metrics.regression_metrics(pred)
    write_parquet(pred, smk.output.predictions)
    write_parquet(metrics.tidy(smk.wildcards.dataset, smk.wildcards.model, values), smk.output.metrics)


run(main, snakemake)  # noqa: F821
