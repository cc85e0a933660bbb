"""Impurity importance (mean decrease in impurity) of a fitted tree model, with its spread across
the trees of a forest, as a part of the importance table."""
import json

from mlviz import importance, models
from mlviz.runtime import run, write_parquet


def main(smk):
    meta = json.loads(open(smk.input.meta).read())
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    value, spread = importance.impurity(model, meta["features"])
    write_parquet(importance.tidy(smk.wildcards.dataset, smk.wildcards.model, "impurity", meta["features"],
                                  value, spread), smk.output[0])


run(main, snakemake)  # noqa: F821
