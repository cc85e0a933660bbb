"""LIME explanation of one test row with the configured seed: a table and lime's own HTML page."""
from pathlib import Path

from mlviz import explain_lime
from mlviz.runtime import log, run, write_parquet


def main(smk):
    c = explain_lime.load_case(smk)
    p = c.p
    explainer = explain_lime.make_explainer(c.train_X, c.features, c.classes, p["seed"])
    exp = explain_lime.explain(explainer, c.x, explain_lime.predict_proba_fn(c.model, c.features), c.label,
                               p["num_features"], p["num_samples"])
    table = explain_lime.explanation_table(exp, c.label, c.features, c.classes, c.position, int(c.row.name),
                                           p["seed"])
    write_parquet(table, smk.output.table)
    Path(smk.output.html).parent.mkdir(parents=True, exist_ok=True)
    Path(smk.output.html).write_text(explain_lime.self_contained_html(exp, c.label, p["seed"]), encoding="utf-8")
    log.info("test row %d (CSV row %d): %s", c.position, c.row.name,
             ", ".join(f"P({k})={q:.3f}" for k, q in zip(c.classes, exp.predict_proba)))


run(main, snakemake)  # noqa: F821
