"""Gather every importance part (impurity, permutation, SHAP, LIME, coefficients) into one tidy
table — dataset, model, method, feature, value, spread — each method's rows most important first
(mlviz.compute.importance.ordered), the order every figure draws them in."""
import pandas as pd

from mlviz.compute.importance import COLUMNS, ordered
from mlviz.workflow.io import write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    parts = [pd.read_parquet(p)[COLUMNS] for p in smk.input.parts]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    write_parquet(ordered(table)[COLUMNS], smk.output[0])


run(main, snakemake)  # noqa: F821
