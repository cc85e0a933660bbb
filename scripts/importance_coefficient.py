"""A fitted linear model's coefficients with their standard errors on the training split it
was fitted on (no refit), as a part of the importance table (method "coefficient")."""
import json

import pandas as pd

from mlviz import importance, models
from mlviz.runtime import run, write_parquet


def main(smk):
    meta = json.loads(open(smk.input.meta).read())
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    train = pd.read_parquet(smk.input.train)
    X, y = train[meta["features"]], train[meta["target"]].to_numpy()
    value, spread = importance.coefficients(model, X, y)
    write_parquet(importance.tidy(smk.wildcards.dataset, smk.wildcards.model, "coefficient", meta["features"],
                                  value, spread), smk.output[0])


run(main, snakemake)  # noqa: F821
