"""Permutation importance with its floor (the part of the drop one test row makes) for every
feature, and for every redundant group shuffled together; each feature's value is checked against
the importance table's."""
import numpy as np
import pandas as pd

from mlviz.compute import diagnostics, models
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta, p = read_json(smk.input.meta), smk.params.permutation
    model = models.load(smk.input.model, smk.params.model["type"], meta["task"])
    test = pd.read_parquet(smk.input.test)
    features = meta["features"]
    X = models.model_frame(test, features).set_axis(features, axis=1)
    groups = diagnostics.group_members(pd.read_parquet(smk.input.groups))
    table = diagnostics.permutation_checked(model, X, test[meta["target"]].to_numpy(), groups=groups,
                                            n_repeats=p["n_repeats"], random_state=p["random_state"],
                                            scoring=p["scoring"], max_rows=p["max_rows"], task=meta["task"],
                                            dataset=smk.wildcards.dataset, model=smk.wildcards.model)
    stored = pd.read_parquet(smk.input.permutation).set_index("feature")["value"]
    single = table[table["method"] == "permutation"].set_index("feature")["value"]
    if not np.allclose(single.loc[stored.index].to_numpy(), stored.to_numpy(), rtol=0, atol=1e-12):
        worst = (single.loc[stored.index] - stored).abs().idxmax()
        raise RuntimeError(f"permutation importance of {worst!r}: recomputed {single[worst]!r}, the importance "
                           f"table has {stored[worst]!r} (expected the same shuffles)")
    write_parquet(table, smk.output[0])
    log.info("%d feature(s), %d group(s); signal beyond the floor: %d", len(single), len(groups),
             int(table["signal"].sum()))


run(main, snakemake)  # noqa: F821
