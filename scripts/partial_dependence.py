"""Partial dependence with ICE lines of a model's top features by permutation importance (the
figure's), the average curve of more features (the shape summary the article reads), and the
two-way partial dependence of the top pair."""
import pandas as pd

from mlviz.compute import effects, models
from mlviz.compute.importance import ordered
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta, e = read_json(smk.input.meta), smk.params.effects
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    features = meta["features"]
    names = dict(zip(features, models.model_names(features)))  # the model's own column names
    back = {v: k for k, v in names.items()}
    X = models.model_frame(pd.read_parquet(smk.input.train), features)
    ranked = ordered(pd.read_parquet(smk.input.permutation))["feature"].tolist()
    shown, summarised = ranked[:e["top_k"]], ranked[:max(e["top_k"], e["summary_features"])]
    cls = smk.params.cls
    class_index = meta["classes"].index(cls) if cls is not None else None
    table = effects.partial_dependence_table(model, X, [names[f] for f in summarised],
                                             grid_resolution=e["grid_resolution"], ice_rows=e["ice_rows"],
                                             seed=e["seed"], class_index=class_index)
    table["feature"] = table["feature"].map(back)
    summary = effects.effect_summary(table, tolerance=smk.params.flat)  # report.readings.flat_effect
    summary["rank"] = summary["feature"].map({f: i + 1 for i, f in enumerate(ranked)})
    summary["shown"] = summary["feature"].isin(shown)
    # The figure's features keep their ICE lines; the others only their average curve.
    keep = table["feature"].isin(shown) | (table["kind"] == "average")
    write_parquet(table[keep].reset_index(drop=True), smk.output.pdp)
    write_parquet(summary.sort_values("rank").reset_index(drop=True), smk.output.summary)
    pair = ranked[:2]
    if len(pair) == 2:
        two = effects.two_way_table(model, X, (names[pair[0]], names[pair[1]]), class_index=class_index,
                                    seed=e["seed"], max_rows=e["pair_rows"])
        two["feature_x"], two["feature_y"] = pair[0], pair[1]
    else:
        two = pd.DataFrame(columns=effects.TWO_WAY_COLUMNS)
    write_parquet(two, smk.output.pair)
    log.info("partial dependence of %d features (%d drawn), pair %s", len(summarised), len(shown), pair)


run(main, snakemake)  # noqa: F821
