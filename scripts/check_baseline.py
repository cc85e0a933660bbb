"""Each model of a dataset against the trivial predictor (the train split's class shares or mean):
paired bootstrap intervals of the difference on the test rows, and whether it predicts one class."""
import pandas as pd

from mlviz.compute import diagnostics
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta, c = read_json(smk.input.meta), smk.params.comparison
    predictions = {m: pd.read_parquet(p) for m, p in zip(smk.params.models, smk.input.predictions)}
    y_train = pd.read_parquet(smk.input.train, columns=[meta["target"]])[meta["target"]].to_numpy()
    table = diagnostics.baseline(predictions, y_train, task=meta["task"], classes=meta["classes"],
                                 n_boot=c["n_boot"], seed=c["seed"], level=c["level"], dataset=smk.wildcards.dataset)
    write_parquet(table, smk.output[0])
    head = table[table["headline"]]
    log.info("better than the trivial predictor on %s: %s", diagnostics.HEADLINE[meta["task"]],
             ", ".join(f"{m} {b}" for m, b in zip(head["model"], head["better"])))


run(main, snakemake)  # noqa: F821
