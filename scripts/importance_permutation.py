"""Permutation importance on the test split: the drop in score when one feature is shuffled, mean
and standard deviation over n_repeats. Unlike impurity importance it is measured on unseen data and
does not favour features with many distinct values."""
import pandas as pd

from mlviz.compute import importance, models
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta, p = read_json(smk.input.meta), smk.params.permutation
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    test = pd.read_parquet(smk.input.test)
    X, y = models.model_frame(test, meta["features"]), test[meta["target"]].to_numpy()
    value, spread = importance.permutation(model, X, y, n_repeats=p["n_repeats"], random_state=p["random_state"],
                                           scoring=p["scoring"], max_rows=p["max_rows"])
    log.info("permutation importance: %d rows x %d features, %d repeats, scoring %s", *X.shape, p["n_repeats"],
             p["scoring"] or "the estimator's score")
    write_parquet(importance.tidy(smk.wildcards.dataset, smk.wildcards.model, "permutation", meta["features"],
                                  value, spread), smk.output[0])


run(main, snakemake)  # noqa: F821
