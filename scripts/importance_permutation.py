"""Permutation importance on the test split: the drop in score when one feature is shuffled,
mean and standard deviation over n_repeats. Unlike impurity importance it is measured on unseen
data and does not favour features with many distinct values."""
import json

import pandas as pd

from mlviz import importance, models
from mlviz.runtime import log, run, write_parquet


def main(smk):
    meta = json.loads(open(smk.input.meta).read())
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    test = pd.read_parquet(smk.input.test)
    X, y = test[meta["features"]], test[meta["target"]].to_numpy()
    p = smk.params.permutation
    value, spread = importance.permutation(model, X, y, p["n_repeats"], p["random_state"], p["scoring"])
    log.info("permutation importance: %d rows x %d features, %d repeats, scoring %s",
             *X.shape, p["n_repeats"], p["scoring"] or "the estimator's score")
    write_parquet(importance.tidy(smk.wildcards.dataset, smk.wildcards.model, "permutation", meta["features"],
                                  value, spread), smk.output[0])


run(main, snakemake)  # noqa: F821
