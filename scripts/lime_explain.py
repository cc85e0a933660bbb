"""LIME explanation of one test row with the configured seed: a table and lime's own HTML page."""
import json
from pathlib import Path

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
    train_X = pd.read_parquet(smk.input.train)[features].to_numpy(dtype="float64")
    model = models.load(smk.input.model, p["model_type"], meta["task"])
    explainer = explain_lime.make_explainer(train_X, features, classes, p["seed"])
    exp = explain_lime.explain(explainer, row[features].to_numpy(dtype="float64"),
                               explain_lime.predict_proba_fn(model, features), label,
                               p["num_features"], p["num_samples"])
    table = explain_lime.explanation_table(exp, label, features, classes, position, int(row.name), p["seed"])
    write_parquet(table, smk.output.table)
    Path(smk.output.html).parent.mkdir(parents=True, exist_ok=True)
    Path(smk.output.html).write_text(explain_lime.self_contained_html(exp, label, p["seed"]), encoding="utf-8")
    log.info("test row %d (CSV row %d): %s", position, row.name,
             ", ".join(f"P({c})={q:.3f}" for c, q in zip(classes, exp.predict_proba)))


run(main, snakemake)  # noqa: F821
