"""Filled values where the article reads single rows and curves: the explained rows (SHAP instances,
LIME test rows) whose cells were empty and filled, and partial-dependence curves that jump at a
fill value."""
import pandas as pd

from mlviz.compute import data, diagnostics
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    meta, p = read_json(smk.input.meta), smk.params
    raw = data.read_source(smk.input.raw, p.read)
    test = pd.read_parquet(smk.input.test, columns=[meta["target"]])
    explained = [{"model": e["model"], "source": "shap", "row": r, "position": -1}
                 for e in p.shap for r in e["rows"]]
    explained += [{"model": e["model"], "source": "lime", "row": int(test.index[pos]), "position": pos}
                  for e in p.lime for pos in e["positions"]]
    rows = diagnostics.filled_rows(raw, meta, explained, fill_missing=p.fill_missing, dataset=smk.wildcards.dataset)
    jumps = [diagnostics.fill_jumps(pd.read_parquet(path), meta, fill_missing=p.fill_missing, model=m,
                                    dataset=smk.wildcards.dataset) for m, path in zip(p.effects, smk.input.pdp)]
    jumps = pd.concat(jumps, ignore_index=True) if jumps else pd.DataFrame(columns=diagnostics.JUMP_COLUMNS)
    write_parquet(rows, smk.output.rows)
    write_parquet(jumps, smk.output.jumps)
    log.info("%d filled cell(s) in %d explained row(s); %d curve(s) jump at the fill value", len(rows),
             len(explained), int(jumps["jumps"].sum()) if len(jumps) else 0)


run(main, snakemake)  # noqa: F821
