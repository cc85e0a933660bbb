"""Reliability of every classifier's probabilities on a dataset's test split: the calibration
curve (and an equal-width table for the histogram of predictions), Brier scores with Murphy's
decomposition and the expected calibration error."""
import pandas as pd

from mlviz.compute import calibration
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    meta, c = read_json(smk.input.meta), smk.params.calibration
    predictions = {m: pd.read_parquet(p) for m, p in zip(smk.params.models, smk.input.predictions)}
    classes, ds = meta["classes"], smk.wildcards.dataset
    write_parquet(calibration.calibration_table(predictions, classes, n_bins=c["bins"], strategy=c["strategy"])
                  .assign(dataset=ds), smk.output.curve)
    write_parquet(calibration.calibration_table(predictions, classes, n_bins=c["bins"], strategy="uniform")
                  .assign(dataset=ds), smk.output.histogram)
    write_parquet(calibration.calibration_scores(predictions, classes, n_bins=c["bins"]).assign(dataset=ds),
                  smk.output.scores)


run(main, snakemake)  # noqa: F821
