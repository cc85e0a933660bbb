"""The article's facts: every number and name the prose of report/article.qmd uses, read from the
run's tables and written as fact spans that name the table they came from (so that a test can
look each one up again), the claims that choose between its sentences (mlviz.article.claims), and the
generated blocks whose length the run decides (tables, groups of figures).

Output: variables (→ _variables.yml, {{< var >}}), metadata (→ _metadata.yml: section flags
has_*, claims.<section>.<name>, subjects) and blocks (→ _generated/<name>.md).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from . import claims as C
from .markdown import code, fact, join_and, md_escape
from ..compute.importance import ordered, within_noise

METRIC_LABELS = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "roc_auc": "ROC AUC",
                 "average_precision": "average precision", "pr_auc_trapezoid": "PR AUC (trapezoid)",
                 "brier": "Brier score", "r2": "R²", "rmse": "RMSE", "mae": "MAE"}
METHOD_LABELS = {"impurity": "impurity", "permutation": "permutation", "mean_abs_shap": "mean |SHAP|",
                 "lime_weight": "LIME weight", "coefficient": "coefficient"}


def sig(x: float, digits: int = 3) -> str:
    """A format spec that shows `digits` significant figures of numbers like x."""
    x = abs(x)
    if x == 0 or x >= 10 ** digits:
        return ",.0f"
    return f",.{max(0, digits - 1 - int(math.floor(math.log10(x))))}f"


def apart(shares, decimals: int, scale: float = 1.0) -> int:
    """The fewest decimals (from `decimals`) at which no share strictly between 0 and 1 reads as 0
    or as the whole: one row in 844 is 0.1 %, not 0 %."""
    inner = [float(x) * scale for x in shares if 0 < x < 1]
    for d in range(decimals, decimals + 4):
        if all(0 < round(x, d) < scale for x in inner):
            return d
    return decimals + 4


def nonzero_decimals(values, decimals: int) -> int:
    """The fewest decimals (from `decimals`, at most 4 more) at which no value other than zero
    rounds to zero."""
    for d in range(decimals, decimals + 4):
        if all(round(abs(float(x)), d) > 0 for x in values if x != 0):
            return d
    return decimals + 4


def plain(obj):
    """NumPy scalars and tuples as plain YAML-able values (claims are computed with pandas)."""
    import numpy as np

    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    return obj


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Run:
    """The run's tables, read once; paths are relative to the run folder (results/<run>)."""

    def __init__(self, root: str | Path, decimals: int):
        self.root = Path(root)
        self.fmt = f".{decimals}f"
        self._cache: dict[str, object] = {}

    def table(self, rel: str) -> pd.DataFrame:
        if rel not in self._cache:
            self._cache[rel] = pd.read_parquet(self.root / rel)
        return self._cache[rel]

    def json(self, rel: str) -> dict:
        if rel not in self._cache:
            self._cache[rel] = json.loads((self.root / rel).read_text())
        return self._cache[rel]

    def exists(self, rel: str) -> bool:
        return (self.root / rel).is_file()

    # -- metrics.parquet
    def metric_value(self, ds: str, model: str, metric: str) -> float | None:
        m = self.table("metrics.parquet")
        row = m[(m.dataset == ds) & (m.model == model) & (m.split == "test") & (m.metric == metric)]
        return float(row["value"].iloc[0]) if len(row) == 1 else None

    def metric(self, ds: str, model: str, metric: str, fmt: str | None = None) -> str:
        value = self.metric_value(ds, model, metric)
        return fact(value, fmt or self.fmt, table="metrics.parquet",
                    where={"dataset": ds, "model": model, "split": "test", "metric": metric})

    # -- comparison/<ds>/metrics.parquet: bootstrap intervals
    def interval(self, ds: str, model: str, metric: str, fmt: str | None = None) -> str:
        rel = f"comparison/{ds}/metrics.parquet"
        where = {"model": model, "metric": metric}
        t = self.table(rel)
        row = t[(t.model == model) & (t.metric == metric)].iloc[0]
        f = fmt or self.fmt
        return (f"{fact(float(row['lower']), f, table=rel, where=where, col='lower')} to "
                f"{fact(float(row['upper']), f, table=rel, where=where, col='upper')}")

    # -- importances.parquet
    def importance(self, ds: str, model: str, method: str) -> pd.DataFrame:
        t = self.table("importances.parquet")
        return ordered(t[(t.dataset == ds) & (t.model == model) & (t.method == method)])

    def ranked(self, ds: str, model: str, method: str, rank: int) -> str:
        """The feature at `rank` (1 = most important, mlviz.compute.importance.ordered), as a fact."""
        t = self.importance(ds, model, method)
        return fact(None, table="importances.parquet", where={"dataset": ds, "model": model, "method": method},
                    col="feature", agg="rank", rank=rank, text=t["feature"].iloc[rank - 1])

    def imp_value(self, ds: str, model: str, method: str, feature: str, fmt: str, col: str = "value") -> str:
        t = self.importance(ds, model, method)
        v = float(t.loc[t.feature == feature, col].iloc[0])
        return fact(v, fmt, table="importances.parquet",
                    where={"dataset": ds, "model": model, "method": method, "feature": feature}, col=col)

    def named(self, ds: str, model: str, method: str, feature: str) -> str:
        """A feature name, checked to be a row of the importance table."""
        return fact(None, table="importances.parquet",
                    where={"dataset": ds, "model": model, "method": method, "feature": feature},
                    col="feature", text=feature)


def label(name: str) -> str:
    return f"`{name}`"


def class_name(meta: dict, label: str) -> str:
    """A class label (text or a number) as a fact of the dataset's meta table, in italics."""
    rel = f"data/{meta['dataset']}/meta.json"
    i = meta["classes"].index(label)
    return f"*{fact(None, table=rel, col='classes', agg=f'item{i}', text=label)}*"


def target_words(meta: dict) -> str:
    """The target as the article names it: the config's describe.target, with the column."""
    words = meta.get("describe", {}).get("target")
    col = code(meta["target"])
    return col if not words or words == meta["target"] else f"{md_escape(words)} ({col})"


def listed(items: list[str], more: int = 0, count: dict | None = None) -> str:
    """Names joined with "and"; `more` further ones counted (count: the fact-span arguments that
    let a reader look the total up again)."""
    if not more:
        return join_and(items)
    shown = fact(more, "d", **count) if count else str(more)
    return f"{', '.join(items)} and {shown} more"


# =============================================================================== data
def data_section(run: Run, config: dict, notes: dict) -> tuple[dict, dict, dict]:
    rows = ["| Data set | File | Rows (train / test) | Task | Target | Features |", "|:---|:---|---:|:---|:---|---:|"]
    lines = []
    for ds, d in config["datasets"].items():
        mrel = f"data/{ds}/meta.json"
        meta = run.json(mrel)
        src = config["sources"][d["source"]]
        file = code(Path(src["path"]).name) if "path" in src else f"generated ({code(src['generator'])})"
        n = meta["rows"]
        split = (f"{fact(n['all'], ',d', table=mrel, col='rows.all')} ({fact(n['train'], ',d', table=mrel, col='rows.train')}"
                 f" / {fact(n['test'], ',d', table=mrel, col='rows.test')})")
        task = (meta["task"] if meta["task"] == "regression" else
                f"{fact(len(meta['classes']), 'd', table=mrel, col='classes', agg='len')} classes")
        rows.append(f"| {label(ds)} | {file} | {split} | {task} | {code(meta['target'])} | "
                    f"{fact(len(meta['features']), 'd', table=mrel, col='features', agg='len')} |")
        parts = []
        if meta["classes"]:
            prel = f"data/{ds}/test.parquet"
            counts = run.table(prel)[meta["target"]].value_counts()
            share = [float(counts.get(i, 0) / n["test"]) for i in range(len(meta["classes"]))]
            spec = f".{apart(share, 0, 100)}%"
            shares = [f"{class_name(meta, c)} {fact(share[i], spec, table=prel, where={meta['target']: i}, agg='share')}"
                      for i, c in enumerate(meta["classes"])]
            parts.append(f"its test rows divide into {join_and(shares)}")
        if meta["rows"]["without_target"]:
            parts.append(f"{fact(meta['rows']['without_target'], ',d', table=mrel, col='rows.without_target')} rows "
                         "without a target value were left out")
        if meta["dropped"]:
            dropped = [f"{code(c)} ({fact(None, table=mrel, col='dropped', where={'key': c}, text=why)})"
                       for c, why in meta["dropped"].items()]
            parts.append(f"dropped: {'; '.join(dropped)}")
        if meta["fills"]:
            fills = [f"{code(c)} ({md_escape(str(f['rule']).replace('_', ' '))})" for c, f in meta["fills"].items()]
            parts.append(f"missing values filled from the train split: {', '.join(fills)}")
        if meta["grouped_levels"]:
            grouped = [f"{code(c)} ({fact(len(v), 'd', table=mrel, col='grouped_levels', where={'key': c}, agg='len')} rare levels)"
                       for c, v in meta["grouped_levels"].items()]
            parts.append(f"rare levels joined into one group per column: {', '.join(grouped)}")
        if parts:
            lines.append(f"- {label(ds)}: " + "; ".join(parts) + ".")
    table = "\n".join(rows) + ("\n\n: The data sets of the run after preprocessing. Features count the model's "
                               "input columns (a text column becomes one column per level). {#tbl-data}\n")
    files = [Path(s["path"]).name for s in config["sources"].values() if "path" in s]
    generated = [s["generator"] for s in config["sources"].values() if "generator" in s]
    origin = []
    if files:
        origin.append(f"The data comes from the file{'s' if len(files) > 1 else ''} {join_and([code(f) for f in files])}.")
    if generated:
        origin.append(f"mlviz generated the {join_and([code(g) for g in generated])} data itself: synthetic "
                      "demo data with a known answer, not real records.")
    notes_block = ("About each data set:\n\n" + "\n".join(lines) + "\n") if lines else ""
    return {"origin": " ".join(origin)}, {"data_table": table, "data_notes": notes_block}, {}


# =============================================================================== sections
def tree_section(run: Run, config: dict, ds: str, model: str) -> tuple[dict, dict, dict]:
    meta = run.json(f"data/{ds}/meta.json")
    params = config["datasets"][ds]["models"][model]["params"]
    depth = params.get("max_depth")
    depth_text = (f"at most {fact(depth, 'd', table='config', where={'key': f'datasets.{ds}.models.{model}.params.max_depth'})} "
                  "levels deep, to keep it readable" if depth else "without a depth limit")
    prel = f"predictions/{ds}/{model}.parquet"
    claims, subjects = C.tree(run.table(prel), run.table(f"comparison/{ds}/metrics.parquet"), model, meta["task"])
    v = {"dataset": label(ds), "model": label(model), "target": target_words(meta), "depth": depth_text}
    if meta["task"] == "regression":
        v.update(r2=run.metric(ds, model, "r2"), r2_interval=run.interval(ds, model, "r2"))
    else:
        major = subjects["majority"]
        v.update(accuracy=run.metric(ds, model, "accuracy", ".1%"),
                 balanced_accuracy=run.metric(ds, model, "balanced_accuracy", ".1%"),
                 accuracy_interval=run.interval(ds, model, "accuracy", ".1%"),
                 majority=class_name(meta, meta["classes"][major]),
                 majority_share=fact(subjects["majority_share"], ".1%", table=prel, where={"y_true": major}, agg="share"))
    return v, claims, {"majority": meta["classes"][subjects["majority"]] if "majority" in subjects else None}


def importance_section(run: Run, ds: str, model: str, top_k: int) -> tuple[dict, dict, dict, str]:
    perm = run.importance(ds, model, "permutation")
    imp = run.importance(ds, model, "impurity")
    claims, subjects = C.importance(imp if len(imp) else None, perm, top_k)
    v = {"dataset": label(ds), "model": label(model), "top_k": fact(top_k, "d", table="config", where={"key": "report.top_k"}),
         "features": fact(len(perm), "d", table="importances.parquet",
                          where={"dataset": ds, "model": model, "method": "permutation"}, agg="count")}

    def top(method, frame, n=3):
        n = min(n, len(frame))
        return join_and([f"{run.ranked(ds, model, method, r)} ({run.imp_value(ds, model, method, frame.feature.iloc[r - 1], '.3f')})"
                         for r in range(1, n + 1)])

    # Only a positive value is a drop: features whose shuffling left the score as it was are not listed.
    drops = subjects["drops"]
    v["permutation_top"] = (f"the largest drops come from {top('permutation', perm, min(3, drops))}" if drops > 1
                            else f"only shuffling {top('permutation', perm, 1)} lowers the test score" if drops
                            else "")
    v["permutation_leader"] = run.ranked(ds, model, "permutation", 1)
    noise = subjects["noise_features"]
    v["noise_count"] = fact(len(noise), "d", table="importances.parquet",
                            where={"dataset": ds, "model": model, "method": "permutation"}, agg="count_noise")
    v["noise_features"] = listed([run.named(ds, model, "permutation", f) for f in noise[:8]], max(0, len(noise) - 8),
                                 count={"table": "importances.parquet", "agg": "count_noise_beyond",
                                        "where": {"dataset": ds, "model": model, "method": "permutation"}, "rank": 8})
    if claims["has_impurity"]:
        v["impurity_top"] = top("impurity", imp)
        v["impurity_leader"] = run.ranked(ds, model, "impurity", 1)
        v["impurity_top_noisy"] = join_and([run.named(ds, model, "permutation", f) for f in subjects["impurity_top_noisy"]])
    if claims["has_impurity"]:
        rows = ["| Impurity | Mean decrease | Permutation | Score drop (± sd) |", "|:---|---:|:---|---:|"]
    else:
        rows = ["| Permutation | Score drop (± sd) |", "|:---|---:|"]
    for r in range(1, min(top_k, len(perm)) + 1):
        fp = perm.feature.iloc[r - 1]
        cells = []
        if claims["has_impurity"] and r <= len(imp):
            cells += [run.ranked(ds, model, "impurity", r), run.imp_value(ds, model, "impurity", imp.feature.iloc[r - 1], ".3f")]
        elif claims["has_impurity"]:
            cells += ["", ""]
        cells += [run.ranked(ds, model, "permutation", r),
                  f"{run.imp_value(ds, model, 'permutation', fp, '.3f')} ± {run.imp_value(ds, model, 'permutation', fp, '.3f', col='spread')}"]
        rows.append("| " + " | ".join(cells) + " |")
    table = "\n".join(rows) + (f"\n\n: The top features of the {label(model)} model by each measure; the spread is "
                               "the standard deviation over the permutation repeats. {#tbl-importance}\n")
    return v, claims, {"permutation_leader": subjects["permutation_leader"],
                       "impurity_leader": subjects.get("impurity_leader"), "noise_features": noise}, table


def shap_section(run: Run, ds: str, model: str, instance: int, perm_models: set, top_k: int, describe: dict):
    base = f"shap/{ds}/{model}"
    summary = run.json(f"{base}/summary.json")
    vrel = f"{base}/values.parquet"
    values = run.table(vrel)
    mean_abs = run.importance(ds, model, "mean_abs_shap")
    perm = run.importance(ds, model, "permutation") if (ds, model) in perm_models else None
    claims, subjects = C.shap(values, mean_abs, perm if perm is not None and len(perm) else None, instance,
                              summary["additivity"]["passed"])
    claims["softmax_margin"] = bool(summary["softmax_margin"])
    row = values.loc[instance]
    num = sig(float(row["output"]))
    add = summary["additivity"]
    v = {"dataset": label(ds), "model": label(model),
         "output": fact(None, table=f"{base}/summary.json", col="output", text=summary["output"]),
         "rows": fact(summary["explained_rows"], ",d", table=f"{base}/summary.json", col="explained_rows"),
         "classes": fact(summary["classes"], "d", table=f"{base}/summary.json", col="classes"),
         "row_noun": md_escape(describe["rows"]),
         "additivity_error": fact(add["max_abs_error"], sig(add["max_abs_error"], 2), table=f"{base}/summary.json",
                                  col="additivity.max_abs_error"),
         "instance_label": f"row {fact(instance, 'd', table=vrel, where={'row': instance}, col='row')} of the CSV "
                           f"({'an' if describe['row'][:1].lower() in 'aeiou' else 'a'} {md_escape(describe['row'])} "
                           f"of the {md_escape(str(row['split']))} split)",
         "base_value": fact(float(row["base_value"]), num, table=vrel, where={"row": instance}, col="base_value"),
         "prediction": fact(float(row["output"]), num, table=vrel, where={"row": instance}, col="output"),
         "leader": run.ranked(ds, model, "mean_abs_shap", 1)}

    def push(f):
        raw = row.get(f"raw:{f}")
        shown = code(f)
        if raw is not None and pd.notna(raw):
            # A value as the data has it: whole numbers below 10,000 ungrouped (a year is 1931, not 1,931).
            fmt = (",.0f" if abs(float(raw)) >= 10_000 else ".0f") if float(raw).is_integer() else sig(float(raw))
            shown += f" = {fact(float(raw), fmt, table=vrel, where={'row': instance}, col=f'raw:{f}')}"
        c = float(row[f"shap:{f}"])
        return f"{shown} ({'+' if c > 0 else ''}{fact(c, sig(c), table=vrel, where={'row': instance}, col=f'shap:{f}')})"

    if subjects["push_up"]:
        v["push_up"] = push(subjects["push_up"])
    if subjects["push_down"]:
        v["push_down"] = push(subjects["push_down"])
    n = min(3, len(mean_abs))
    v["top"] = join_and([f"{run.ranked(ds, model, 'mean_abs_shap', r)} "
                         f"({run.imp_value(ds, model, 'mean_abs_shap', mean_abs.feature.iloc[r - 1], sig(float(mean_abs.value.iloc[r - 1])))})"
                         for r in range(1, n + 1)])
    if claims["has_permutation"]:
        v["permutation_leader"] = run.ranked(ds, model, "permutation", 1)
    rows = ["| Feature | Mean \\|SHAP\\| |", "|:---|---:|"]
    for r in range(1, min(top_k, len(mean_abs)) + 1):
        val = float(mean_abs.value.iloc[r - 1])
        rows.append(f"| {run.ranked(ds, model, 'mean_abs_shap', r)} | "
                    f"{run.imp_value(ds, model, 'mean_abs_shap', mean_abs.feature.iloc[r - 1], sig(val))} |")
    table = "\n".join(rows) + (f"\n\n: Features with the largest mean absolute SHAP value for the {label(model)} "
                               "model. {#tbl-shap}\n")
    return v, claims, {"leader": subjects["leader"], "push_up": subjects["push_up"],
                       "push_down": subjects["push_down"]}, table


def lime_section(run: Run, ds: str, model: str, positions: list[int]) -> tuple[dict, dict, dict]:
    first = positions[0]
    rel = f"lime/{ds}/{model}/test{first}"
    erel, arel = f"{rel}/explanation.parquet", f"{rel}/agreement.parquet"
    exp = run.table(erel).sort_values("rank")
    agree = run.table(arel).iloc[0]
    other = run.table(f"lime/{ds}/{model}/test{positions[1]}/explanation.parquet") if len(positions) > 1 else None
    claims, subjects = C.lime(exp, agree, other)
    cls = str(exp["class"].iloc[0])
    predicted = subjects["predicted"]
    meta = run.json(f"data/{ds}/meta.json")

    def rules(df):
        return join_and([f"{code(r.rule)} ({fact(float(r.weight), '+.3f', table=erel, where={'rank': int(r.rank)}, col='weight')})"
                         for r in df.itertuples()])

    v = {"dataset": label(ds), "model": label(model),
         "position": fact(first, "d", table=erel, where={"rank": 1}, col="test_position"),
         "row_label": f"row {fact(int(exp['row'].iloc[0]), 'd', table=erel, where={'rank': 1}, col='row')} of the CSV",
         "predicted": class_name(meta, predicted), "class": class_name(meta, cls),
         "p_predicted": fact(float(exp[f'proba_{predicted}'].iloc[0]), ".2f", table=erel, where={"rank": 1},
                             col=f"proba_{predicted}"),
         "support": rules(exp[exp.weight > 0].head(2)), "against": rules(exp[exp.weight < 0].head(2)),
         "seeds": fact(int(agree["seeds"]), "d", table=arel, col="seeds"),
         "top_k": fact(int(agree["top_k"]), "d", table=arel, col="top_k"),
         "jaccard": fact(float(agree["mean_jaccard"]), ".2f", table=arel, col="mean_jaccard"),
         "flipped": join_and([code(f) for f in subjects.get("flipped", [])])}
    return v, claims, {"predicted": predicted, "flipped": subjects.get("flipped", [])}


def lime_block(run: Run, plan: list[dict], ds: str, model: str, positions: list[int]) -> str:
    """The first row's pair of figures (explanation and stability, side by side), then each other
    row's pair with a caption of its own numbers."""
    figs = {p["id"]: p for p in plan if p["block"] == "lime_rows"}
    out = []
    for i, pos in enumerate(positions):
        a, b = figs.get(f"fig-lime-{pos}"), figs.get(f"fig-lime-stability-{pos}")
        if not a or not b:
            continue
        erel = f"lime/{ds}/{model}/test{pos}/explanation.parquet"
        arel = f"lime/{ds}/{model}/test{pos}/agreement.parquet"
        exp, agree = run.table(erel), run.table(arel).iloc[0]
        cls = class_name(run.json(f"data/{ds}/meta.json"), str(exp["class"].iloc[0]))
        pair_id = "fig-lime-pair" if i == 0 else f"fig-lime-pair-{pos}"
        caption = (f"LIME for test row {fact(pos, 'd', table=erel, where={'rank': 1}, col='test_position')}: the "
                   f"conditions that move the probability of {cls} (green towards it, red against it), and their "
                   f"weights over {fact(int(agree['seeds']), 'd', table=arel, col='seeds')} seeds (mean Jaccard "
                   f"similarity of the top {fact(int(agree['top_k']), 'd', table=arel, col='top_k')}: "
                   f"{fact(float(agree['mean_jaccard']), '.2f', table=arel, col='mean_jaccard')}).")
        if i:  # the text above speaks of the first row; each further row is introduced here
            out.append(f"@{pair_id} explains test row {fact(pos, 'd', table=erel, where={'rank': 1}, col='test_position')} "
                       f"the same way.\n")
        out.append(f"::: {{#{pair_id} layout-ncol=\"1\"}}\n\n![Explanation with the configured seed.]({a['file']}){{#{a['id']}}}\n\n"
                   f"![Weights over seeds.]({b['file']}){{#{b['id']}}}\n\n{caption}\n\n:::\n")
    return "\n".join(out)


def references_text(references: dict, shown: int = 4) -> str:
    items = [f"{code(c)}: {code(str(r))}" for c, r in references.items()]  # a level as the data writes it
    more = len(items) - shown
    return join_and(items[:shown] + ([f"{more} more column{'s' if more > 1 else ''}"] if more > 0 else []))


def units_sentence(claims: dict, scaled: str, references: str = "") -> str:
    """What one coefficient measures, for the standardised features (`scaled`, written out) and the
    others: numbers (per unit), levels of text columns (against their reference level, the one
    without a column: `references`, written out), other yes/no features (yes against no)."""
    kinds = [k for k in ("numbers", "levels", "yes_no") if claims[f"unscaled_{k}"]]
    main = {"numbers": "per unit", "levels": f"for a level against its column's reference level ({references})",
            "yes_no": "for yes against no"}
    aside = {"levels": f"for a level of a text column: against its column's reference level ({references})",
             "yes_no": "for a yes/no feature: yes against no"}
    rest = main[kinds[0]] if kinds else ""
    if kinds[1:]:
        # After a closing parenthesis, a second aside in parentheses would read as a list of two.
        rest += ("; " + "; ".join(aside[k].replace(": ", ", ", 1) for k in kinds[1:]) if rest.endswith(")")
                 else f" ({'; '.join(aside[k] for k in kinds[1:])})")
    if claims["all_scaled"]:
        return "Every feature was standardised, so each coefficient is the change in the prediction for one standard deviation."
    if claims["none_scaled"]:
        return f"No feature was standardised, so each coefficient is the change in the prediction {rest}."
    return (f"The features {scaled} were standardised, so their coefficients are the change in the prediction for "
            f"one standard deviation; for the others, each is the change {rest}.")


def linear_section(run: Run, ds: str, model: str) -> tuple[dict, dict, dict, str]:
    meta = run.json(f"data/{ds}/meta.json")
    coef = run.importance(ds, model, "coefficient")
    m = run.table("metrics.parquet")
    m = m[(m.dataset == ds) & (m.split == "test")]
    models = sorted(m.model.unique(), key=lambda x: (x != model, x))
    others = [o for o in models if o != model]
    prel = f"predictions/{ds}/{model}.parquet"
    pred = run.table(prel)
    data = pd.concat([run.table(f"data/{ds}/{split}.parquet") for split in ("train", "test")])
    claims, subjects = C.linear(coef, run.table(f"comparison/{ds}/differences.parquet"), m, model, others, pred,
                                list(meta.get("scale") or {}), data, meta.get("levels"))

    def c(f):
        val = float(coef.loc[coef.feature == f, "value"].iloc[0])
        return f"{code(f)} ({run.imp_value(ds, model, 'coefficient', f, sig(val))})"

    pos = coef[coef.value > 0].sort_values(["value", "feature"], ascending=[False, True], kind="mergesort")
    neg = coef[coef.value < 0].sort_values(["value", "feature"], kind="mergesort")
    scaled = subjects["scaled"]
    v = {"dataset": label(ds), "model": label(model), "target": target_words(meta),
         "positive": join_and([c(f) for f in pos.feature[:3]]), "negative": join_and([c(f) for f in neg.feature[:2]]),
         "weak_verb": "lies" if len(subjects["weak"]) == 1 else "lie",
         "weak_them": "it" if len(subjects["weak"]) == 1 else "them",
         "weak": cap(listed([code(f) for f in subjects["weak"][:8]], max(0, len(subjects["weak"]) - 8),
                            count={"table": "importances.parquet", "agg": "count_weak_beyond", "rank": 8,
                                   "where": {"dataset": ds, "model": model, "method": "coefficient"}})),
         "scaled": units_sentence(claims, listed([code(f) for f in scaled[:6]], max(0, len(scaled) - 6),
                                                 count={"table": f"data/{ds}/meta.json", "col": "scale",
                                                        "agg": "len_beyond", "rank": 6}),
                                  references_text(subjects["references"])),
         "r2": run.metric(ds, model, "r2")}
    rmse, mae = run.metric_value(ds, model, "rmse"), run.metric_value(ds, model, "mae")
    v["rmse"] = run.metric(ds, model, "rmse", sig(rmse or 1))
    v["mae"] = run.metric(ds, model, "mae", sig(mae or 1))
    if others:
        best = subjects["best_other"]
        v["best_other"] = label(best)
        v["best_other_r2"] = run.metric(ds, best, "r2")
        # The table stores each pair once (model_a < model_b, difference a − b): linear − best is
        # that row's interval, or the negated interval of the other order.
        drel = f"comparison/{ds}/differences.parquet"
        a, b = sorted([model, best])
        t = run.table(drel)
        r = t[(t.model_a == a) & (t.model_b == b) & (t.metric == "r2")].iloc[0]
        where = {"model_a": a, "model_b": b, "metric": "r2"}
        # Decimals enough that a bound that is not zero does not read as 0.00 ("-0.00 to +0.00").
        spec = f"+.{nonzero_decimals([r['lower'], r['upper']], int(run.fmt[1:-1]))}f"
        if a == model:
            lo, hi = (fact(float(r[c]), spec, table=drel, where=where, col=c) for c in ("lower", "upper"))
        else:
            lo, hi = (fact(-float(r[c]), spec, table=drel, where=where, col=c, agg="negate")
                      for c in ("upper", "lower"))
        v["difference_interval"] = f"{lo} to {hi}"
    res = pred["y_true"] - pred["y_pred"]
    expr = "y_true-y_pred"
    scale = sig(max(abs(float(res.mean())), abs(float(res.median())), 1.0))
    v["res_mean"] = fact(float(res.mean()), scale, table=prel, col=expr, agg="mean")
    v["res_median"] = fact(float(res.median()), scale, table=prel, col=expr, agg="median")
    v["res_max"] = fact(float(res.max()), sig(float(res.max())), table=prel, col=expr, agg="max")
    v["res_min"] = fact(float(res.min()), sig(float(res.min())), table=prel, col=expr, agg="min")
    rows = ["| Model | R² | RMSE | MAE |", "|:---|---:|---:|---:|"]
    for mod in models:
        cells = [run.metric(ds, mod, "r2")]
        for k in ("rmse", "mae"):
            cells.append(run.metric(ds, mod, k, sig(run.metric_value(ds, mod, k) or 1)))
        rows.append(f"| {label(mod)} | " + " | ".join(cells) + " |")
    table = "\n".join(rows) + f"\n\n: Test-split scores of the regression models on the {label(ds)} data. {{#tbl-regression}}\n"
    return v, claims, {"best_other": subjects.get("best_other"), "weak": subjects["weak"]}, table


def effects_section(run: Run, ds: str, model: str, cls: str | None) -> tuple[dict, dict, dict]:
    srel = f"effects/{ds}/{model}/summary.parquet"
    summary = run.table(srel)
    claims, subjects = C.effects(summary)
    shown = summary[summary["shown"]].sort_values("rank")
    shapes = [f"{code(f)} {fact(None, table=srel, where={'feature': f}, col='monotone', text=s)}"
              for f, s in zip(shown.feature, shown.monotone)]
    v = {"dataset": label(ds), "model": label(model), "shapes": join_and(shapes),
         "flat_share": fact(C.FLAT, ".0%", table="constant", where={"name": "FLAT"})}
    return v, claims, {"flat": subjects["flat"]}


def performance_section(run: Run, ds: str, model: str, describe: dict) -> tuple[dict, dict, dict]:
    meta = run.json(f"data/{ds}/meta.json")
    classes = meta["classes"]
    prel = f"predictions/{ds}/{model}.parquet"
    pred = run.table(prel)
    m = run.table("metrics.parquet")
    m = m[(m.dataset == ds) & (m.model == model) & (m.split == "test")]
    claims, subjects = C.performance(m, pred, classes)
    v = {"dataset": label(ds), "model": label(model), "target": target_words(meta),
         "rows": fact(len(pred), ",d", table=prel, agg="count"), "row_noun": md_escape(describe["rows"]),
         "roc_auc": run.metric(ds, model, "roc_auc"), "average_precision": run.metric(ds, model, "average_precision"),
         "bands": join_and([fact(b, "g", table="constant", where={"name": "AUC_BANDS"}, agg=f"bound{i}")
                            for i, (b, _) in enumerate(C.AUC_BANDS[:-1])])}
    if len(classes) == 2:
        neg, pos = class_name(meta, classes[0]), class_name(meta, classes[1])
        n = lambda t, p: fact(int(((pred.y_true == t) & (pred.y_pred == p)).sum()), ",d", table=prel,  # noqa: E731
                              where={"y_true": t, "y_pred": p}, agg="count")
        kpos, kneg = int((pred.y_true == 1).sum()), int((pred.y_true == 0).sum())
        npos = fact(kpos, ",d", table=prel, where={"y_true": 1}, agg="count")
        nneg = fact(kneg, ",d", table=prel, where={"y_true": 0}, agg="count")
        rows_are = "test row that is" if kpos == 1 else "test rows that are"
        v["confusion"] = (f"Of the {npos} {rows_are} {pos}, the model finds {n(1, 1)} (true positives) and "
                          f"misses {n(1, 0)} (false negatives); of the {nneg} that {'is' if kneg == 1 else 'are'} "
                          f"{neg}, it keeps {n(0, 0)} (true negatives) and wrongly calls {n(0, 1)} {pos} "
                          "(false positives).")
        v["positive"] = pos
        p = subjects["prevalence"]
        v["prevalence"] = fact(p, f".{apart([p], 2)}f", table=prel, where={"y_true": 1}, agg="share")
        v["trapezoid"] = run.metric(ds, model, "pr_auc_trapezoid")
    return v, claims, {}


def threshold_section(run: Run, ds: str, model: str) -> tuple[dict, dict, dict]:
    rel = f"threshold/{ds}/{model}.json"
    s = run.json(rel)
    claims, _ = C.threshold(s)
    f = lambda k, fmt=".2f": fact(float(s[k]), fmt, table=rel, col=k)  # noqa: E731
    v = {"dataset": label(ds), "model": label(model), "default": f("default_threshold", "g"),
         "move": fact(C.THRESHOLD_MOVE, "g", table="constant", where={"name": "THRESHOLD_MOVE"}),
         "gain": fact(C.F1_GAIN, "g", table="constant", where={"name": "F1_GAIN"}),
         "precision_default": f("precision_at_default"),
         "recall_default": f("recall_at_default"), "f1_default": f("f1_at_default"), "f1_best": f("f1_at_best"),
         "best": f("best_f1_threshold", ".3f")}
    return v, claims, {}


def headline_metric(task: str) -> str:
    return "roc_auc" if task == "classification" else "r2"


def comparison_section(run: Run, config: dict, ds: str) -> tuple[dict, dict, dict, str]:
    meta = run.json(f"data/{ds}/meta.json")
    mrel, drel = f"comparison/{ds}/metrics.parquet", f"comparison/{ds}/differences.parquet"
    metric = headline_metric(meta["task"])
    claims, subjects = C.comparison(run.table(mrel), run.table(drel), metric)
    c = config["figures"]["comparison"]
    leader = subjects["leader"]
    t = run.table(mrel)
    v = {"dataset": label(ds), "metric": METRIC_LABELS[metric], "leader": label(leader),
         "level": fact(c["level"], ".0%", table="config", where={"key": "figures.comparison.level"}),
         "n_boot": fact(c["n_boot"], ",d", table="config", where={"key": "figures.comparison.n_boot"}),
         "leader_value": fact(float(t[(t.model == leader) & (t.metric == metric)]["value"].iloc[0]), run.fmt,
                              table=mrel, where={"model": leader, "metric": metric}),
         "beaten": join_and([label(b) for b in subjects["beaten"]]),
         "not_beaten": join_and([label(b) for b in subjects["not_beaten"]])}
    return v, claims, subjects, comparison_table(run, ds, meta["task"])


def comparison_table(run: Run, ds: str, task: str) -> str:
    mrel = f"comparison/{ds}/metrics.parquet"
    t = run.table(mrel)
    metrics = [k for k in (["accuracy", "balanced_accuracy", "roc_auc", "average_precision", "brier"]
                           if task == "classification" else ["r2", "rmse", "mae"]) if k in set(t.metric)]
    rows = ["| Model | " + " | ".join(METRIC_LABELS[k] for k in metrics) + " |",
            "|:---|" + "---:|" * len(metrics)]
    for model in dict.fromkeys(t.model):
        cells = []
        for k in metrics:
            r = t[(t.model == model) & (t.metric == k)].iloc[0]
            fmt = run.fmt if k not in ("rmse", "mae") else sig(float(r["value"]) or 1)
            w = {"model": model, "metric": k}
            cells.append(f"{fact(float(r['value']), fmt, table=mrel, where=w)} "
                         f"({fact(float(r['lower']), fmt, table=mrel, where=w, col='lower')}–"
                         f"{fact(float(r['upper']), fmt, table=mrel, where=w, col='upper')})")
        rows.append(f"| {label(model)} | " + " | ".join(cells) + " |")
    tid = "tbl-comparison" if ds else ""
    return "\n".join(rows) + (f"\n\n: Test-split scores of every model on the {label(ds)} data, each with its "
                               f"bootstrap interval in brackets (lower is better for the Brier score, RMSE and MAE). "
                               f"{{#{tid}}}\n")


def calibration_section(run: Run, ds: str, classes: list[str], threshold: float) -> tuple[dict, dict, dict, str]:
    srel = f"calibration/{ds}/scores.parquet"
    scores = run.table(srel)
    positive = classes[1] if len(classes) == 2 else None
    claims, subjects = C.calibration(scores, positive)
    cls = subjects["class"]
    best = subjects["best"]
    brier = float(scores[(scores.model == best) & (scores["class"] == cls)]["brier"].iloc[0])
    v = {"dataset": label(ds), "well": join_and([label(m) for m in subjects["well"]]), "best": label(best),
         "threshold": fact(threshold, ".2f", table="constant", where={"name": "WELL_CALIBRATED_ECE"}),
         "best_brier": fact(brier, ".3f", table=srel, where={"model": best, "class": cls}, col="brier")}
    rows = ["| Model | Brier score | Reliability | Resolution | ECE |", "|:---|---:|---:|---:|---:|"]
    for r in scores[scores["class"] == cls].sort_values(["brier", "model"], kind="mergesort").itertuples():
        w = {"model": r.model, "class": cls}
        rows.append(f"| {label(r.model)} | " + " | ".join(
            fact(float(getattr(r, k)), ".3f", table=srel, where=w, col=k)
            for k in ("brier", "reliability", "resolution", "ece")) + " |")
    what = (f"of the positive class {class_name(run.json(f'data/{ds}/meta.json'), cls)}" if positive
            else "summed over the classes (ECE: their mean)")
    table = "\n".join(rows) + (f"\n\n: Calibration of every classifier on the {label(ds)} test rows, {what}; "
                               "Brier score ≈ reliability − resolution + uncertainty. {#tbl-calibration}\n")
    return v, claims, subjects, table


def trust_section(run: Run, ds: str, deletion: tuple | None, config: dict) -> tuple[dict, dict, dict, str]:
    arel = f"trust/{ds}/agreement.parquet"
    agreement = run.table(arel) if run.exists(arel) else pd.DataFrame(
        columns=["dataset", "model", "method_a", "method_b", "features", "spearman", "top_k", "overlap"])
    areas = None
    if deletion:
        dds, dm = deletion
        areas = run.table(f"trust/{dds}/{dm}/deletion_area.parquet")
    claims, subjects = C.trust(agreement, areas)
    v = {"dataset": label(ds), "model": label(subjects["model"]) if subjects["model"] else "",
         "top_k": fact(config["figures"]["trust"]["top_k"], "d", table="config", where={"key": "figures.trust.top_k"}),
         "agree": fact(C.AGREE, ".1f", table="constant", where={"name": "AGREE"}),
         "disagree": fact(C.DISAGREE, ".1f", table="constant", where={"name": "DISAGREE"})}
    if deletion:
        drel = f"trust/{dds}/{dm}/deletion_area.parquet"
        fmt = sig(float(areas["area"].abs().max()) or 1)
        v.update(deletion_model=label(dm),
                 deletion_rows=fact(min(config["figures"]["trust"]["deletion"]["rows"],
                                        run.json(f"shap/{dds}/{dm}/summary.json")["explained_rows"]), ",d",
                                    table=f"shap/{dds}/{dm}/summary.json", col="explained_rows", agg="min_rows"),
                 area_shap=fact(float(areas.set_index("order").loc["shap", "area"]), fmt, table=drel,
                                where={"order": "shap"}, col="area"),
                 area_random=fact(float(areas.set_index("order").loc["random", "area"]), fmt, table=drel,
                                  where={"order": "random"}, col="area"))
    rows = ["| Model | Methods | Spearman ρ | Top-k overlap |", "|:---|:---|---:|---:|"]
    for r in agreement.itertuples():
        w = {"model": r.model, "method_a": r.method_a, "method_b": r.method_b}
        rho = "–" if pd.isna(r.spearman) else fact(float(r.spearman), "+.2f", table=arel, where=w, col="spearman")
        rows.append(f"| {label(r.model)} | {md_escape(METHOD_LABELS[r.method_a])} vs "
                    f"{md_escape(METHOD_LABELS[r.method_b])} | {rho} | "
                    f"{fact(float(r.overlap), '.0%', table=arel, where=w, col='overlap')} |")
    table = ("\n".join(rows) + f"\n\n: Agreement between the importance methods of each model on the {label(ds)} data: "
             "rank correlation of the features and the share of the top k they have in common. {#tbl-agreement}\n"
             if len(agreement) else "")
    return v, claims, subjects, table


def neural_section(run: Run, ns: dict) -> tuple[dict, dict, dict, str]:
    ds = ns["dataset"]
    ndir = f"neural/{ds}"
    lrel, hrel, prel = f"{ndir}/layers.parquet", f"{ndir}/history.parquet", f"predictions/{ds}/cnn.parquet"
    layers, h, pred = run.table(lrel), run.table(hrel), run.table(prel)
    m = run.table("metrics.parquet")
    m = m[(m.dataset == ds) & (m.model == "cnn") & (m.split == "test")]
    claims, subjects = C.neural(h, m, pred, ns["max_rank_correlation"])
    v = {"dataset": f"`{ds}`",
         "parameters": fact(int(layers["parameters"].sum()), ",d", table=lrel, col="parameters", agg="sum"),
         "layers": fact(len(layers), "d", table=lrel, agg="count"),
         "epochs": fact(int(h["step"].max()) + 1, "d", table=hrel, col="step", agg="max+1")}

    def last(split, metric):
        val = float(h[(h.split == split) & (h.metric == metric)].sort_values("step")["value"].iloc[-1])
        return fact(val, ".1%", table=hrel, where={"split": split, "metric": metric}, agg="last")

    v["train_accuracy"], v["val_accuracy"] = last("train", "accuracy"), last("validation", "accuracy")
    vl = h[(h.split == "validation") & (h.metric == "loss")]
    best = int(vl.loc[vl["value"].idxmin(), "step"])
    v["best_epoch"] = fact(best + 1, "d", table=hrel, where={"split": "validation", "metric": "loss"}, col="step",
                           agg="argmin+1")
    mm = lambda k, f: run.metric(ds, "cnn", k, f)  # noqa: E731
    v["accuracy"] = mm("accuracy", ".1%")
    if subjects["mistake"]:
        t, p = subjects["mistake"]
        v["mistake_true"], v["mistake_pred"] = f"`{t}`", f"`{p}`"
    v["rank_correlation"] = mm("gradcam_randomization_spearman_mean", ".2f")
    v["threshold"] = fact(ns["max_rank_correlation"], ".2f", table="config", where={"key": "neural.sanity.max_rank_correlation"})
    v["drop_salient"] = mm("gradcam_deletion_drop_salient", ".2f")
    v["drop_random"] = mm("gradcam_deletion_drop_random", ".2f")
    v["deletion_fraction"] = mm("gradcam_deletion_fraction", ".0%")
    rows = ["| Layer | Type | Output shape | Parameters |", "|:---|:---|:---|---:|"]
    for r in layers.itertuples():
        w = {"layer": r.layer}
        rows.append(f"| {code(r.layer)} | {fact(None, table=lrel, where=w, col='type', text=r.type)} | "
                    f"{fact(None, table=lrel, where=w, col='output_shape', text=r.output_shape)} | "
                    f"{fact(int(r.parameters), ',d', table=lrel, where=w, col='parameters')} |")
    table = "\n".join(rows) + "\n\n: The layers of the network, their output shapes and parameter counts. {#tbl-layers}\n"
    return v, claims, {"mistake": list(subjects["mistake"]) if subjects["mistake"] else None}, table


# =============================================================================== figure blocks
CAPTION_KINDS = {"impurity": "Impurity importance", "permutation": "Permutation importance",
                 "confusion_matrix": "Confusion matrix", "roc": "ROC curve", "pr": "Precision-recall curve",
                 "coefficients": "Coefficients", "residuals": "Residuals against predictions",
                 "residual_distribution": "Distribution of the residuals", "shap_beeswarm": "SHAP beeswarm",
                 "shap_bar": "Mean |SHAP| per feature", "shap_waterfall": "SHAP waterfall", "shap_force": "SHAP force plot",
                 "dependence": "SHAP dependence plot", "lime": "LIME explanation", "lime_stability": "LIME stability",
                 "tree": "Decision tree", "pdp": "Partial dependence and ICE", "pdp_pair": "Two-way partial dependence",
                 "threshold": "Precision, recall and F1 against the threshold", "roc_comparison": "ROC curves of every model",
                 "pr_comparison": "Precision-recall curves of every model",
                 "predicted_vs_actual": "Predicted against actual values of every model",
                 "intervals": "Test metrics with bootstrap intervals", "calibration": "Calibration of every classifier",
                 "agreement": "Agreement between importance methods", "deletion": "SHAP deletion check",
                 "resnet": "ResNet50 Grad-CAM"}


def caption_of(p: dict) -> str:
    what = CAPTION_KINDS.get(p["kind"], cap(p["kind"].replace("_", " ")))
    if p["model"]:
        return f"{md_escape(what)} of the {label(p['model'])} model on the {label(p['dataset'])} data."
    if p["dataset"]:
        return f"{md_escape(what)}, {label(p['dataset'])} data."
    return f"{md_escape(what)}."


def figure(p: dict, caption: str | None = None) -> str:
    return f"![{caption or caption_of(p)}]({p['file']}){{#{p['id']}}}\n"


def grouped(figs: list[dict], group_id: str, caption: str, ncol: int = 2) -> str:
    """Figures side by side (a Quarto figure with sub-figures), when there are several."""
    if len(figs) == 1:
        return figure(figs[0], caption)
    inner = "\n".join(figure(p) for p in figs)
    return f"::: {{#{group_id} layout-ncol=\"{ncol}\"}}\n\n{inner}\n{caption}\n\n:::\n"


def more_block(plan: list[dict], block: str, intro: str) -> str:
    figs = [p for p in plan if p["block"] == block]
    if not figs:
        return ""
    return intro.format(refs=join_and([f"@{p['id']}" for p in figs])) + "\n\n" + "\n".join(figure(p) for p in figs)


def colophon(provenance: dict) -> dict:
    commit, dirty = provenance["commit"], provenance["dirty"]
    packages = ", ".join(f"{md_escape(k)} {md_escape(v)}" for k, v in sorted(provenance["packages"].items()))
    return {"commit": f"`{commit}`",
            "dirty": ("The working tree had uncommitted changes, so the commit alone does not reproduce it." if dirty
                      else "The working tree had no uncommitted changes."),
            "config_hash": f"`{provenance['config_hash']}`", "packages": packages}
