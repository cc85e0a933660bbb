"""Fit one configured model on its dataset's training split and save it without pickle."""
import pandas as pd

from mlviz.compute import models
from mlviz.workflow.io import read_json
from mlviz.workflow.jobs import log, run


def main(smk):
    meta, spec = read_json(smk.input.meta), smk.params.model
    train = pd.read_parquet(smk.input.train)
    X, y = models.model_frame(train, meta["features"]), train[meta["target"]].to_numpy()
    model = models.build(spec["type"], meta["task"], spec.get("params", {}), models.scaled_positions(meta))
    model.fit(X, y)
    models.save(model, smk.output[0])
    log.info("fitted %s on %d rows × %d features", type(model).__name__, *X.shape)


run(main, snakemake)  # noqa: F821
