"""Validate a raw CSV against its dataset's recipe, preprocess it and write the train/test split."""
from mlviz import data
from mlviz.runtime import log, run, write_json, write_parquet


def main(smk):
    ds = smk.params.dataset
    path = smk.input.raw
    table = data.prepare(data.read_raw(path), ds, path)
    train, test = data.split(table, ds, smk.wildcards.dataset)
    write_parquet(train, smk.output.train)
    write_parquet(test, smk.output.test)
    scale = ds.get("preprocess", {}).get("scale", [])
    raw = table[scale]
    fit = raw.loc[train.index]
    meta = {
        "dataset": smk.wildcards.dataset,
        "source": str(path),
        "task": ds["task"],
        "target": data.target_name(ds),
        "features": data.feature_columns(table, ds),
        "classes": ds["target"].get("classes"),
        "rows": {"all": len(table), "train": len(train), "test": len(test)},
        # Training-split statistics, so figures can show scaled features in their own units.
        "scale": {c: {"mean": float(fit[c].mean()), "std": float(fit[c].std(ddof=0) or 1.0)} for c in scale},
    }
    write_json(meta, smk.output.meta)
    log.info("%s: %d rows → %d train, %d test, %d features", path, len(table), len(train), len(test),
             len(meta["features"]))


run(main, snakemake)  # noqa: F821
