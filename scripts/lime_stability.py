"""The same LIME explanation under N seeds (one explainer per seed: LIME fixes its random state
when the explainer is built): weights per seed, per-feature mean and spread, top-k agreement."""
import pandas as pd

from mlviz.compute import lime_explain as lx
from mlviz.workflow.io import write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    p = smk.params.lime
    c = lx.case_from_files(**{k: getattr(smk.input, k) for k in ("meta", "train", "test", "model")},
                           model_type=p["model_type"], position=int(smk.wildcards.position), cls=p["class"],
                           what=f"{smk.wildcards.dataset}/{smk.wildcards.model}")
    runs = []
    for seed in lx.seeds_for(p["seed"], p["seeds"]):
        explainer = lx.make_explainer(c.train_X, c.features, c.classes, seed, c.info)
        exp = lx.explain(explainer, c.x, c.predict, c.label, p["num_features"], p["num_samples"])
        runs.append(lx.explanation_table(exp, c.label, c.features, c.classes, c.position, int(c.row.name), seed,
                                            lx.conditions(explainer, c.x, c.features, c.info, c.train_X)))
    runs = pd.concat(runs, ignore_index=True)
    summary, agreement = lx.stability(runs, c.features, p["top_k"])
    write_parquet(runs, smk.output.runs)
    write_parquet(summary, smk.output.stability)
    write_parquet(agreement, smk.output.agreement)
    a = agreement.iloc[0]
    log.info("test row %d: top-%d mean pairwise Jaccard %.3f (min %.3f) over %d seeds", c.position, a["top_k"],
             a["mean_jaccard"], a["min_jaccard"], a["seeds"])


run(main, snakemake)  # noqa: F821
