"""The same LIME explanation under N seeds (one explainer per seed: LIME fixes its random state
when the explainer is built): weights per seed, per-feature mean and spread, top-k agreement."""
import pandas as pd

from mlviz import explain_lime
from mlviz.runtime import log, run, write_parquet


def main(smk):
    c = explain_lime.load_case(smk)
    p = c.p
    predict = explain_lime.predict_proba_fn(c.model, c.features)
    runs = []
    for seed in explain_lime.seeds_for(p["seed"], p["seeds"]):
        explainer = explain_lime.make_explainer(c.train_X, c.features, c.classes, seed)
        exp = explain_lime.explain(explainer, c.x, predict, c.label, p["num_features"], p["num_samples"])
        runs.append(explain_lime.explanation_table(exp, c.label, c.features, c.classes, c.position,
                                                   int(c.row.name), seed))
    runs = pd.concat(runs, ignore_index=True)
    summary, agreement = explain_lime.stability(runs, c.features, p["top_k"])
    write_parquet(runs, smk.output.runs)
    write_parquet(summary, smk.output.stability)
    write_parquet(agreement, smk.output.agreement)
    a = agreement.iloc[0]
    log.info("test row %d: top-%d mean pairwise Jaccard %.3f (min %.3f) over %d seeds", c.position, a["top_k"],
             a["mean_jaccard"], a["min_jaccard"], a["seeds"])


run(main, snakemake)  # noqa: F821
