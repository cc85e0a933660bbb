"""How far the importance methods of each model agree: rank correlation and top-k overlap of
every pair of methods (impurity, permutation, mean |SHAP|, LIME weight, coefficient)."""
import pandas as pd

from mlviz.compute import trust
from mlviz.workflow.io import write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    table = pd.concat([pd.read_parquet(p) for p in smk.input.parts], ignore_index=True)
    write_parquet(trust.method_agreement(table, top_k=smk.params.top_k), smk.output[0])


run(main, snakemake)  # noqa: F821
