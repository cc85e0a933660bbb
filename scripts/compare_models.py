"""Every model of a dataset on the same test rows: metrics with paired bootstrap intervals, and the
pairwise differences whose intervals say whether one model beats another."""
import pandas as pd

from mlviz.compute import comparison
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta, c = read_json(smk.input.meta), smk.params.comparison
    predictions = {m: pd.read_parquet(p) for m, p in zip(smk.params.models, smk.input.predictions)}
    opts = dict(task=meta["task"], classes=meta["classes"], n_boot=c["n_boot"], seed=c["seed"], level=c["level"])
    metrics = comparison.bootstrap_metrics(predictions, **opts)
    differences = comparison.pairwise_differences(predictions, **opts)
    write_parquet(metrics.assign(dataset=smk.wildcards.dataset), smk.output.metrics)
    write_parquet(differences.assign(dataset=smk.wildcards.dataset), smk.output.differences)
    decided = sum(comparison.winner(r) is not None for _, r in differences.iterrows())
    log.info("%d models, %d resamples: %d of %d pairwise differences decided by their intervals",
             len(predictions), c["n_boot"], decided, len(differences))


run(main, snakemake)  # noqa: F821
