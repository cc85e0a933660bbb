"""Impurity importance (mean decrease in impurity) of a fitted tree model, with its spread across
the trees of a forest, as a part of the importance table."""
from mlviz.compute import importance, models
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    meta = read_json(smk.input.meta)
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    value, spread = importance.impurity(model, meta["features"])
    write_parquet(importance.tidy(smk.wildcards.dataset, smk.wildcards.model, "impurity", meta["features"],
                                  value, spread), smk.output[0])


run(main, snakemake)  # noqa: F821
