"""Gather every importance table (impurity, permutation, SHAP, LIME, coefficients) into one tidy
table: dataset, model, method, feature, value, spread — rows of each (dataset, model, method)
in descending order of |value|, the order every figure draws them in."""
import pandas as pd

from mlviz.runtime import run, write_parquet

COLUMNS = ["dataset", "model", "method", "feature", "value", "spread"]


def main(smk):
    parts = [pd.read_parquet(p)[COLUMNS] for p in smk.input.parts]
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)
    table = table.assign(abs_value=table["value"].abs())
    table = table.sort_values(["dataset", "model", "method", "abs_value", "feature"],
                              ascending=[True, True, True, False, True], ignore_index=True)
    write_parquet(table[COLUMNS], smk.output[0])


run(main, snakemake)  # noqa: F821
