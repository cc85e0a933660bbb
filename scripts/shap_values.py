"""SHAP values of one tree model for the configured rows (computed once; figures only read them),
the additivity check, and mean |SHAP| per feature for the importance table."""
import json

import pandas as pd

from mlviz import explain_shap, models
from mlviz.explain_config import explained_class
from mlviz.runtime import log, run, write_json, write_parquet


def main(smk):
    p = smk.params.shap
    meta = json.loads(open(smk.input.meta).read())
    features, classes, task = meta["features"], meta["classes"], meta["task"]
    cls = explained_class({"class": p["class"]} if p["class"] else {}, classes)
    class_index = classes.index(cls) if cls is not None else None
    train, test = pd.read_parquet(smk.input.train), pd.read_parquet(smk.input.test)
    rows = explain_shap.explained_rows(train, test, p["rows"], p["max_rows"], p["seed"])
    available = {"train": len(train), "test": len(test), "all": len(train) + len(test)}[p["rows"]]
    model = models.load(smk.input.model, p["model_type"], task)
    values, base, output = explain_shap.tree_shap(model, rows[features], p["model_type"], task, class_index)
    table = explain_shap.values_table(rows, features, meta["scale"], values, base, output)
    check = explain_shap.additivity(table, p["rtol"])
    what = f"{smk.wildcards.dataset}/{smk.wildcards.model}"
    log.info("%s: %d rows (%s), additivity max |error| %.3g, tolerance %.3g", what, len(table), p["rows"],
             check["max_abs_error"], check["tolerance"])
    if not check["passed"]:
        # Failing here (Snakemake then removes the outputs) keeps wrong values from every figure.
        raise RuntimeError(f"SHAP additivity violated for {what}: base value + Σ SHAP differs from the "
                           f"model output by {check['max_abs_error']:.4g} at CSV row {check['worst_row']} "
                           f"(tolerance {check['tolerance']:.4g} = rtol {p['rtol']} × max(1, max |output|))")
    write_parquet(table, smk.output.values)
    write_parquet(explain_shap.importance(table, smk.wildcards.dataset, smk.wildcards.model), smk.output.importance)
    write_json({
        "dataset": smk.wildcards.dataset, "model": smk.wildcards.model, "model_type": p["model_type"],
        "task": task, "class": cls,
        "output": explain_shap.output_label(task, p["model_type"], meta["target"], cls),
        "rows": p["rows"], "available_rows": available, "explained_rows": len(table),
        "sampled": len(table) < available, "max_rows": p["max_rows"], "seed": p["seed"],
        "scale": meta["scale"],
        "additivity": check,
    }, smk.output.summary)


run(main, snakemake)  # noqa: F821
