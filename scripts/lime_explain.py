"""LIME explanation of one test row with the configured seed: a table and lime's own HTML page."""
from pathlib import Path

from mlviz.compute import lime_explain as lx
from mlviz.workflow.io import write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    p = smk.params.lime
    c = lx.case_from_files(**{k: getattr(smk.input, k) for k in ("meta", "train", "test", "model")},
                           model_type=p["model_type"], position=int(smk.wildcards.position), cls=p["class"],
                           what=f"{smk.wildcards.dataset}/{smk.wildcards.model}")
    explainer = lx.make_explainer(c.train_X, c.features, c.classes, p["seed"], c.info)
    exp = lx.explain(explainer, c.x, c.predict, c.label, p["num_features"], p["num_samples"])
    table = lx.explanation_table(exp, c.label, c.features, c.classes, c.position, int(c.row.name), p["seed"],
                                  lx.conditions(explainer, c.x, c.features, c.info, c.train_X))
    write_parquet(table, smk.output.table)
    Path(smk.output.html).parent.mkdir(parents=True, exist_ok=True)
    Path(smk.output.html).write_text(lx.self_contained_html(exp, c.label, p["seed"]), encoding="utf-8")
    log.info("test row %d (CSV row %d): %s", c.position, c.row.name,
             ", ".join(f"P({k})={q:.3f}" for k, q in zip(c.classes, exp.predict_proba)))


run(main, snakemake)  # noqa: F821
