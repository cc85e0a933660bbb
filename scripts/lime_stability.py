"""The same LIME explanation under N seeds (one explainer per seed: LIME fixes its random state
when the explainer is built): weights per seed, per-feature mean and spread, top-k agreement."""
import json

import pandas as pd

from mlviz import explain_lime, models
from mlviz.explain_config import explained_class
from mlviz.runtime import log, run, write_parquet


def main(smk):
    p = smk.params.lime
    meta = json.loads(open(smk.input.meta).read())
    features, classes = meta["features"], meta["classes"]
    label = classes.index(explained_class({"class": p["class"]} if p["class"] else {}, classes))
    test = pd.read_parquet(smk.input.test)
    position = int(smk.wildcards.position)
    row = explain_lime.test_row(test, position, f"{smk.wildcards.dataset}/{smk.wildcards.model}")
    x = row[features].to_numpy(dtype="float64")
    train_X = pd.read_parquet(smk.input.train)[features].to_numpy(dtype="float64")
    model = models.load(smk.input.model, p["model_type"], meta["task"])
    predict = explain_lime.predict_proba_fn(model, features)
    runs = []
    for seed in explain_lime.seeds_for(p["seed"], p["seeds"]):
        explainer = explain_lime.make_explainer(train_X, features, classes, seed)
        exp = explain_lime.explain(explainer, x, predict, label, p["num_features"], p["num_samples"])
        runs.append(explain_lime.explanation_table(exp, label, features, classes, position, int(row.name), seed))
    runs = pd.concat(runs, ignore_index=True)
    summary, agreement = explain_lime.stability(runs, features, p["top_k"])
    write_parquet(runs, smk.output.runs)
    write_parquet(summary, smk.output.stability)
    write_parquet(agreement, smk.output.agreement)
    a = agreement.iloc[0]
    log.info("test row %d: top-%d mean pairwise Jaccard %.3f (min %.3f) over %d seeds", position, a["top_k"],
             a["mean_jaccard"], a["min_jaccard"], a["seeds"])


run(main, snakemake)  # noqa: F821
