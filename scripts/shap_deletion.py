"""Faithfulness of SHAP's ranking: replace the features with the largest |SHAP| of each explained
row by background (training) values and record how far the model's output moves, against the same
number of features in random order."""
import numpy as np
import pandas as pd

from mlviz.compute import models, trust, tree_shap
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta, d, summary = read_json(smk.input.meta), smk.params.deletion, read_json(smk.input.summary)
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    values = pd.read_parquet(smk.input.values)
    features = tree_shap.features_of(values)
    rows = values.sample(n=min(d["rows"], len(values)), random_state=d["seed"]).sort_index()
    X = rows[[tree_shap.X + f for f in features]].set_axis(features, axis=1)
    shap = rows[[tree_shap.SHAP + f for f in features]].set_axis(features, axis=1)
    background = pd.read_parquet(smk.input.train)[features]
    names = models.model_names(features)
    cls = summary["class"]

    def output(frame: pd.DataFrame) -> np.ndarray:
        """The output SHAP explains (mlviz.compute.tree_shap): a probability, a margin or a prediction."""
        frame = frame.set_axis(names, axis=1)
        if meta["task"] == "regression":
            return model.predict(frame)
        k = meta["classes"].index(cls)
        if summary["model_type"] == "xgboost":
            margin = model.predict(frame, output_margin=True)
            return margin[:, k] if margin.ndim == 2 else (margin if k == 1 else -margin)
        return model.predict_proba(frame)[:, k]

    curve = trust.shap_deletion(output, X, shap, background, k_max=min(d["k_max"], len(features)),
                                n_random=d["n_random"], seed=d["seed"], n_background=d["n_background"])
    area = trust.deletion_area(curve)
    write_parquet(curve, smk.output.curve)
    write_parquet(area, smk.output.area)
    log.info("deletion areas: %s", dict(zip(area["order"], area["area"].round(4))))


run(main, snakemake)  # noqa: F821
