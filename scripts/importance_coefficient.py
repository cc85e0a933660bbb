"""A fitted linear model's coefficients with their standard errors on the training split it was
fitted on (no refit), as a part of the importance table (method "coefficient")."""
import pandas as pd

from mlviz.compute import importance, models
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    meta = read_json(smk.input.meta)
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    train = pd.read_parquet(smk.input.train)
    X, y = models.model_frame(train, meta["features"]), train[meta["target"]].to_numpy()
    value, spread = importance.coefficients(model, X, y)
    write_parquet(importance.tidy(smk.wildcards.dataset, smk.wildcards.model, "coefficient", meta["features"],
                                  value, spread), smk.output[0])


run(main, snakemake)  # noqa: F821
