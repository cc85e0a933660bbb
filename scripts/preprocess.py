"""Validate a raw CSV against its dataset's resolved recipe, preprocess it, write the split."""
from mlviz.compute import data
from mlviz.workflow.io import write_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    ds, path = smk.params.dataset, smk.input.raw
    train, test, notes = data.preprocess(data.read_source(path, smk.params.read), ds, path)
    write_parquet(train, smk.output.train)
    write_parquet(test, smk.output.test)
    meta = data.meta(smk.wildcards.dataset, ds, path, train, test, notes, smk.params.dropped)
    write_json(meta, smk.output.meta)
    for col, why in meta["dropped"].items():
        log.info("dropped column %r: %s", col, why)  # the reason and its numbers (the article words them)
    log.info("%s: %d rows → %d train, %d test, %d features", path, meta["rows"]["all"], len(train), len(test),
             len(meta["features"]))


run(main, snakemake)  # noqa: F821
