"""SHAP values of one tree model for the configured rows (computed once; figures only read them),
the additivity check, and mean |SHAP| per feature for the importance table."""
import pandas as pd

from mlviz.compute import models, tree_shap
from mlviz.workflow.io import read_json, write_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    p, meta = smk.params.shap, read_json(smk.input.meta)
    features, classes, task = meta["features"], meta["classes"], meta["task"]
    cls = p["class"]
    class_index = classes.index(cls) if cls is not None else None
    train, test = pd.read_parquet(smk.input.train), pd.read_parquet(smk.input.test)
    rows = tree_shap.explained_rows(train, test, p["rows"], p["max_rows"], p["seed"], keep=p["instances"])
    available = {"train": len(train), "test": len(test), "all": len(train) + len(test)}[p["rows"]]
    model = models.load(smk.input.model, p["model_type"], task)
    values, base, output = tree_shap.tree_shap(model, models.model_frame(rows, features), p["model_type"], task,
                                               class_index)
    table = tree_shap.values_table(rows, features, meta["feature_info"], values, base, output)
    check = tree_shap.additivity(table, p["rtol"])
    what = f"{smk.wildcards.dataset}/{smk.wildcards.model}"
    log.info("%s: %d rows (%s), additivity max |error| %.3g, tolerance %.3g", what, len(table), p["rows"],
             check["max_abs_error"], check["tolerance"])
    if not check["passed"]:
        # Failing here (Snakemake then removes the outputs) keeps wrong values from every figure.
        raise RuntimeError(f"SHAP additivity violated for {what}: base value + Σ SHAP differs from the "
                           f"model output by {check['max_abs_error']:.4g} at CSV row {check['worst_row']} "
                           f"(tolerance {check['tolerance']:.4g} = rtol {p['rtol']} × max(1, max |output|))")
    write_parquet(table, smk.output.values)
    write_parquet(tree_shap.importance(table, smk.wildcards.dataset, smk.wildcards.model), smk.output.importance)
    write_json({
        "dataset": smk.wildcards.dataset, "model": smk.wildcards.model, "model_type": p["model_type"],
        "task": task, "class": cls,
        "output": tree_shap.output_label(task, p["model_type"], meta["target"], cls, classes),
        "softmax_margin": tree_shap.softmax_margin(task, p["model_type"], classes), "classes": len(classes or []),
        "rows": p["rows"], "available_rows": available, "explained_rows": len(table),
        "sampled": len(table) < available, "max_rows": p["max_rows"], "seed": p["seed"],
        "feature_info": meta["feature_info"],
        "additivity": check,
    }, smk.output.summary)


run(main, snakemake)  # noqa: F821
