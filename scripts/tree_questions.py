"""A fitted decision tree's questions, in the data's units and words, as a table (mlviz.compute.trees):
what the tree figure writes in its boxes, for a reader to check or reuse."""
import pandas as pd

from mlviz.compute import models, trees
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    meta = read_json(smk.input.meta)
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    train = pd.read_parquet(smk.input.train)
    write_parquet(trees.questions(model, meta["features"], meta["feature_info"], train, meta["classes"]),
                  smk.output[0])


run(main, snakemake)  # noqa: F821
