"""The article's facts: every number and name the prose of report/ uses, read from the run's tables
and written as fact spans that name the table they came from (so that a test can look each one up
again), the claims that choose between its sentences (mlviz.article.claims, and the few that choose
a word: singular or plural, "a" or "an"), and the contexts of the generated blocks whose length the
run decides (tables, lists, groups of figures), rendered from report/blocks/ (mlviz.article.blocks).
No word of a sentence is written here.

Output: variables (→ _variables.yml, {{< var >}}), metadata (→ _metadata.yml: section flags
has_*, claims.<section>.<name>, subjects) and blocks (→ _generated/<name>.md).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

from . import blocks as B
from . import claims as C
from .markdown import code, fact, md_escape
from ..compute.importance import ordered, within_noise

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


def deciding(pairs, decimals: int) -> int:
    """The fewest decimals (from `decimals`, at most 4 more) at which every pair (a, b) compares,
    rounded, as it does unrounded, so that a verdict beside printed numbers is what they show: a
    value above a threshold does not print as the threshold, two different values not alike."""
    sign = lambda x: (x > 0) - (x < 0)  # noqa: E731
    for d in range(decimals, decimals + 4):
        if all(sign(round(float(a), d) - round(float(b), d)) == sign(float(a) - float(b)) for a, b in pairs):
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


class Run:
    """The run's tables, read once; paths are relative to the run folder (results/<run>)."""

    def __init__(self, root: str | Path, decimals: int, readings: dict):
        self.root = Path(root)
        self.fmt = f".{decimals}f"
        self.r = readings  # config report.readings: where numbers become words
        self._cache: dict[str, object] = {}

    def reading(self, key: str, fmt: str) -> str:
        """A threshold of report.readings, as a fact of the config."""
        return fact(self.r[key], fmt, table="config", where={"key": f"report.readings.{key}"})

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

    def checks(self, ds: str) -> C.Checks | None:
        """What the checks before explanations found for a dataset (None when they did not run)."""
        base = f"diagnostics/{ds}"
        if not self.exists(f"{base}/baseline.parquet"):
            return None
        key = f"checks:{ds}"
        if key not in self._cache:
            optional = {k: self.table(f"{base}/{f}.parquet") if self.exists(f"{base}/{f}.parquet") else None
                        for k, f in (("filled", "filled_rows"), ("jumps", "fill_jumps"), ("top_k", "top_k"))}
            models = sorted(p.parent.name for p in (self.root / base).glob("*/permutation.parquet"))
            self._cache[key] = C.Checks(
                groups=self.table(f"{base}/redundancy_groups.parquet"), leakage=self.table(f"{base}/leakage.parquet"),
                duplicates=self.table(f"{base}/duplicates.parquet"), caveats=self.table(f"{base}/columns.parquet"),
                baseline=self.table(f"{base}/baseline.parquet"),
                permutation={m: self.table(f"{base}/{m}/permutation.parquet") for m in models}, **optional)
        return self._cache[key]

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
    def interval(self, ds: str, model: str, metric: str, fmt: str | None = None) -> dict:
        rel = f"comparison/{ds}/metrics.parquet"
        where = {"model": model, "metric": metric}
        t = self.table(rel)
        row = t[(t.model == model) & (t.metric == metric)].iloc[0]
        f = fmt or self.fmt
        return {c: fact(float(row[c]), f, table=rel, where=where, col=c) for c in ("lower", "upper")}

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
    """Names joined as the prose lists them; `more` further ones counted (count: the fact-span
    arguments that let a reader look the total up again)."""
    if not more:
        return B.listed(items)
    return B.listed(items, fact(more, "d", **count) if count else str(more))


# =============================================================================== data
def data_section(run: Run, config: dict, notes: dict) -> tuple[dict, dict, dict]:
    table, notes_ = [], []
    for ds, d in config["datasets"].items():
        mrel = f"data/{ds}/meta.json"
        meta = run.json(mrel)
        src = config["sources"][d["source"]]
        n = meta["rows"]
        table.append({"name": label(ds), "file": code(Path(src["path"]).name) if "path" in src else None,
                      "generator": code(src["generator"]) if "generator" in src else None,
                      "rows": fact(n["all"], ",d", table=mrel, col="rows.all"),
                      "train": fact(n["train"], ",d", table=mrel, col="rows.train"),
                      "test": fact(n["test"], ",d", table=mrel, col="rows.test"),
                      "classes": fact(len(meta["classes"]), "d", table=mrel, col="classes", agg="len")
                      if meta["task"] != "regression" else None,
                      "target": code(meta["target"]),
                      "features": fact(len(meta["features"]), "d", table=mrel, col="features", agg="len")})
        note = {"name": label(ds), "shares": [], "without_target": None, "dropped": [], "fills": [], "grouped": []}
        if meta["classes"]:
            prel = f"data/{ds}/test.parquet"
            counts = run.table(prel)[meta["target"]].value_counts()
            share = [float(counts.get(i, 0) / n["test"]) for i in range(len(meta["classes"]))]
            spec = f".{apart(share, 0, 100)}%"
            note["shares"] = [{"label": class_name(meta, c),
                               "share": fact(share[i], spec, table=prel, where={meta["target"]: i}, agg="share")}
                              for i, c in enumerate(meta["classes"])]
        if meta["rows"]["without_target"]:
            note["without_target"] = fact(meta["rows"]["without_target"], ",d", table=mrel, col="rows.without_target")
        note["dropped"] = [{"name": code(c), "why": B.dropped(dropped_facts(mrel, c, why))}
                           for c, why in meta["dropped"].items()]
        # The rule is one of median, mean, most_frequent: the template words it.
        note["fills"] = [{"name": code(c), "rule": str(f["rule"])} for c, f in meta["fills"].items()]
        note["grouped"] = [{"name": code(c), "levels": fact(len(v), "d", table=mrel, col="grouped_levels",
                                                             where={"key": c}, agg="len")}
                           for c, v in meta["grouped_levels"].items()]
        notes_.append(note)
    files = [Path(s["path"]).name for s in config["sources"].values() if "path" in s]
    generated = [s["generator"] for s in config["sources"].values() if "generator" in s]
    v = {"files": B.listed([code(f) for f in files]), "generators": B.listed([code(g) for g in generated])}
    claims = {"has_files": bool(files), "several_files": len(files) > 1, "has_generated": bool(generated)}
    return v, claims, {"data_table": B.render("data_table", datasets=table),
                       "data_notes": B.render("data_notes", datasets=notes_)}


def dropped_facts(mrel: str, column: str, why: dict) -> dict:
    """A dropped column's reason (meta.json's dropped) with its numbers as facts of the meta table."""
    fmts = {"missing": ",d", "rows": ",d", "distinct": ",d", "present": ",d", "words": ".1f", "share": ".0%"}
    out = {"reason": why["reason"], "numeric": why.get("numeric"),
           "every": why.get("distinct") is not None and why.get("distinct") == why.get("present")}
    for k, v in why.items():
        where = {"key": column, "field": k}
        if k in fmts:
            out[k] = fact(v, fmts[k], table=mrel, col="dropped", where=where)
        elif k == "value":
            out[k] = fact(None, table=mrel, col="dropped", where=where, text=str(v))
    return out


# =============================================================================== sections
def tree_section(run: Run, config: dict, ds: str, model: str) -> tuple[dict, dict, dict]:
    meta = run.json(f"data/{ds}/meta.json")
    params = config["datasets"][ds]["models"][model]["params"]
    depth = params.get("max_depth")
    prel = f"predictions/{ds}/{model}.parquet"
    claims, subjects = C.tree(run.table(prel), run.table(f"comparison/{ds}/metrics.parquet"), model, meta["task"])
    claims["depth_limited"] = bool(depth)
    v = {"dataset": label(ds), "model": label(model), "target": target_words(meta),
         "max_depth": fact(depth, "d", table="config", where={"key": f"datasets.{ds}.models.{model}.params.max_depth"})
         if depth else ""}
    t = run.table(f"comparison/{ds}/metrics.parquet")
    if meta["task"] == "regression":
        # The digits that decide whether the interval lies above zero, as the sentence says.
        r2 = t[(t.model == model) & (t.metric == "r2")].iloc[0]
        spec = f".{deciding([(r2['lower'], 0), (r2['upper'], 0)], int(run.fmt[1:-1]))}f"
        v.update(r2=run.metric(ds, model, "r2"), r2_interval=run.interval(ds, model, "r2", spec))
    else:
        major = subjects["majority"]
        # The digits (of the percentages) that decide whether the interval lies above, below or around the share.
        acc = t[(t.model == model) & (t.metric == "accuracy")].iloc[0]
        share = subjects["majority_share"]
        spec = f".{deciding([(100 * acc['lower'], 100 * share), (100 * acc['upper'], 100 * share)], 1)}%"
        v.update(accuracy=run.metric(ds, model, "accuracy", ".1%"),
                 balanced_accuracy=run.metric(ds, model, "balanced_accuracy", ".1%"),
                 accuracy_interval=run.interval(ds, model, "accuracy", spec),
                 majority=class_name(meta, meta["classes"][major]),
                 majority_share=fact(share, spec, table=prel, where={"y_true": major}, agg="share"))
    return v, claims, {"majority": meta["classes"][subjects["majority"]] if "majority" in subjects else None}


def importance_section(run: Run, ds: str, model: str, top_k: int) -> tuple[dict, dict, dict, str]:
    perm = run.importance(ds, model, "permutation")
    imp = run.importance(ds, model, "impurity")
    checks = run.checks(ds)
    claims, subjects = C.importance(imp if len(imp) else None, perm, top_k, checks, model)
    v = {"dataset": label(ds), "model": label(model), "top_k": fact(top_k, "d", table="config", where={"key": "report.top_k"}),
         "features": fact(len(perm), "d", table="importances.parquet",
                          where={"dataset": ds, "model": model, "method": "permutation"}, agg="count")}

    def top(method, frame, n=3):
        n = min(n, len(frame))
        return B.listed([f"{run.ranked(ds, model, method, r)} ({run.imp_value(ds, model, method, frame.feature.iloc[r - 1], '.3f')})"
                         for r in range(1, n + 1)])

    # Only a positive value is a drop: features whose shuffling left the score as it was are not listed.
    drops = subjects["drops"]
    claims.update(many_drops=claims["drivers"] and drops > 1, one_drop=claims["drivers"] and drops == 1,
                  impurity_named=claims["has_impurity"] and claims["drivers"])
    v["leader_group"] = B.listed([code(f) for f in subjects["leader_group"]])
    v["guessing"] = guessing(run, ds, model, checks)
    groups = group_drops(run, ds, model, checks)
    claims["has_groups"] = bool(groups)
    v["drops"] = top("permutation", perm, min(3, drops)) if drops else ""
    v["permutation_leader"] = run.ranked(ds, model, "permutation", 1)
    noise = subjects["noise_features"]
    # Counted where the drops were checked (beyond noise and the one-row floor, redundant features
    # apart), else by the noise rule of the importance table.
    checked = run.checks(ds) is not None and model in run.checks(ds).permutation
    count = ({"table": f"diagnostics/{ds}/{model}/permutation.parquet", "where": {"method": "permutation"},
              "agg": "count_no_signal"} if checked else
             {"table": "importances.parquet", "where": {"dataset": ds, "model": model, "method": "permutation"},
              "agg": "count_noise"})
    v["noise_count"] = fact(len(noise), "d", **count)
    v["noise_features"] = listed([run.named(ds, model, "permutation", f) for f in noise[:8]], max(0, len(noise) - 8),
                                 count={**count, "agg": count["agg"] + "_beyond", "rank": 8})
    if claims["has_impurity"]:
        v["impurity_top"] = top("impurity", imp)
        v["impurity_leader"] = run.ranked(ds, model, "impurity", 1)
        v["impurity_top_noisy"] = B.listed([run.named(ds, model, "permutation", f) for f in subjects["impurity_top_noisy"]])
    claims["one_top_noisy"] = len(subjects.get("impurity_top_noisy", [])) == 1
    rows = []
    for r in range(1, min(top_k, len(perm)) + 1):
        fp = perm.feature.iloc[r - 1]
        row = {"impurity": "", "impurity_value": "", "permutation": run.ranked(ds, model, "permutation", r),
               "permutation_value": run.imp_value(ds, model, "permutation", fp, ".3f"),
               "spread": run.imp_value(ds, model, "permutation", fp, ".3f", col="spread")}
        if claims["has_impurity"] and r <= len(imp):
            row.update(impurity=run.ranked(ds, model, "impurity", r),
                       impurity_value=run.imp_value(ds, model, "impurity", imp.feature.iloc[r - 1], ".3f"))
        rows.append(row)
    table = B.render("importance_table", impurity=claims["has_impurity"], rows=rows, model=label(model), groups=groups)
    return v, claims, {"permutation_leader": subjects["permutation_leader"],
                       "impurity_leader": subjects.get("impurity_leader"), "noise_features": noise}, table


def guessing(run: Run, ds: str, model: str, checks: C.Checks | None) -> dict:
    """The model's headline score against the trivial baseline's (diagnostics/<ds>/baseline.parquet),
    as facts: metric, the model's value, the baseline's, and the interval of their difference."""
    if checks is None:
        return {}
    rel = f"diagnostics/{ds}/baseline.parquet"
    b = checks.baseline
    row = b[(b["model"] == model) & b["headline"]]
    if not len(row):
        return {}
    r, where = row.iloc[0], {"model": model, "headline": True}
    spec = f"+.{nonzero_decimals([r['lower'], r['upper']], int(run.fmt[1:-1]))}f"
    return {"metric": md_escape(B.labels()["metrics"][r["metric"]]), "mean": r["metric"] == "r2",
            "value": fact(float(r["value"]), run.fmt, table=rel, where=where, col="value"),
            "baseline": fact(float(r["baseline"]), run.fmt, table=rel, where=where, col="baseline"),
            "lower": fact(float(r["lower"]), spec, table=rel, where=where, col="lower"),
            "upper": fact(float(r["upper"]), spec, table=rel, where=where, col="upper")}


def group_drops(run: Run, ds: str, model: str, checks: C.Checks | None) -> list[dict]:
    """Each redundant group's permutation drop when its members are shuffled together, beside the
    largest drop of a member shuffled alone (diagnostics/<ds>/<model>/permutation.parquet)."""
    if checks is None or model not in checks.permutation:
        return []
    rel = f"diagnostics/{ds}/{model}/permutation.parquet"
    p = checks.permutation[model]
    rows = []
    for g in p[p["method"] == "permutation_group"].itertuples():
        w = {"method": "permutation_group", "feature": g.feature}
        alone = p[(p["method"] == "permutation") & p["feature"].isin(list(g.members))]
        best = alone.sort_values(["value", "feature"], ascending=[False, True], kind="mergesort").iloc[0]
        rows.append({"members": B.listed([code(m) for m in g.members]),
                     "together": fact(float(g.value), ".3f", table=rel, where=w),
                     "spread": fact(float(g.spread), ".3f", table=rel, where=w, col="spread"),
                     "alone": fact(float(best["value"]), ".3f", table=rel,
                                   where={"method": "permutation", "feature": best["feature"]})})
    return rows


def shap_section(run: Run, ds: str, model: str, instance: int, perm_models: set, top_k: int, describe: dict):
    base = f"shap/{ds}/{model}"
    summary = run.json(f"{base}/summary.json")
    vrel = f"{base}/values.parquet"
    values = run.table(vrel)
    mean_abs = run.importance(ds, model, "mean_abs_shap")
    perm = run.importance(ds, model, "permutation") if (ds, model) in perm_models else None
    checks = run.checks(ds)
    claims, subjects = C.shap(values, mean_abs, perm if perm is not None and len(perm) else None, instance,
                              summary["additivity"]["passed"], run.r, checks, model)
    claims["softmax_margin"] = bool(summary["softmax_margin"])
    claims["row_an"] = describe["row"][:1].lower() in "aeiou"  # "an applicant", "a policy holder"
    claims["train_row"] = str(values.loc[instance, "split"]) == "train"
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
         "instance": fact(instance, "d", table=vrel, where={"row": instance}, col="row"),
         "row_word": md_escape(describe["row"]),
         "base_value": fact(float(row["base_value"]), num, table=vrel, where={"row": instance}, col="base_value"),
         "prediction": fact(float(row["output"]), num, table=vrel, where={"row": instance}, col="output"),
         "leader": run.ranked(ds, model, "mean_abs_shap", 1)}

    info = run.json(f"data/{ds}/meta.json").get("feature_info", {})

    def push(f):
        raw = row.get(f"raw:{f}")
        shown = code(f)
        kind = info.get(f, {}).get("kind")
        if kind == "binary" and f"text:{f}" in row:  # a yes/no column by its level: `sex` = male
            shown += f" = {fact(None, table=vrel, where={'row': instance}, col=f'text:{f}', text=str(row[f'text:{f}']))}"
        elif kind in ("level", "rare_levels") and raw is not None and pd.notna(raw):  # `region` ≠ `southwest`
            level = info[f]["level"] if kind == "level" else info[f]["label"]
            shown = f"{code(info[f]['column'])} {'=' if float(raw) >= 0.5 else '≠'} {code(level)}"
        elif raw is not None and pd.notna(raw):
            # A value as the data has it: whole numbers below 10,000 ungrouped (a year is 1931, not 1,931).
            fmt = (",.0f" if abs(float(raw)) >= 10_000 else ".0f") if float(raw).is_integer() else sig(float(raw))
            shown += f" = {fact(float(raw), fmt, table=vrel, where={'row': instance}, col=f'raw:{f}')}"
        c = float(row[f"shap:{f}"])
        return f"{shown} ({'+' if c > 0 else ''}{fact(c, sig(c), table=vrel, where={'row': instance}, col=f'shap:{f}')})"

    if subjects["push_up"]:
        v["push_up"] = push(subjects["push_up"])
    if subjects["push_down"]:
        v["push_down"] = push(subjects["push_down"])
    n = len(subjects["top"])
    v["top"] = B.listed([f"{run.ranked(ds, model, 'mean_abs_shap', r)} "
                         f"({run.imp_value(ds, model, 'mean_abs_shap', mean_abs.feature.iloc[r - 1], sig(float(mean_abs.value.iloc[r - 1])))})"
                         for r in range(1, n + 1)])
    if claims["has_permutation"]:
        v["permutation_leader"] = run.ranked(ds, model, "permutation", 1)
    v["leader_group"] = B.listed([code(f) for f in subjects["leader_group"]])
    v["guessing"] = guessing(run, ds, model, checks)
    rows = [{"feature": run.ranked(ds, model, "mean_abs_shap", r),
             "value": run.imp_value(ds, model, "mean_abs_shap", mean_abs.feature.iloc[r - 1],
                                    sig(float(mean_abs.value.iloc[r - 1])))}
            for r in range(1, min(top_k, len(mean_abs)) + 1)]
    table = B.render("shap_table", rows=rows, model=label(model))
    return v, claims, {"leader": subjects["leader"], "push_up": subjects["push_up"],
                       "push_down": subjects["push_down"]}, table


def lime_section(run: Run, ds: str, model: str, positions: list[int]) -> tuple[dict, dict, dict]:
    first = positions[0]
    rel = f"lime/{ds}/{model}/test{first}"
    erel, arel = f"{rel}/explanation.parquet", f"{rel}/agreement.parquet"
    exp = run.table(erel).sort_values("rank")
    agree = run.table(arel).iloc[0]
    other = run.table(f"lime/{ds}/{model}/test{positions[1]}/explanation.parquet") if len(positions) > 1 else None
    checks = run.checks(ds)
    claims, subjects = C.lime(exp, agree, other, run.r, checks, model)
    support, against = exp[exp.weight > 0].head(2), exp[exp.weight < 0].head(2)
    claims.update(one_support=len(support) == 1, one_against=len(against) == 1,
                  one_flipped=len(subjects.get("flipped", [])) == 1)
    cls = str(exp["class"].iloc[0])
    predicted = subjects["predicted"]
    meta = run.json(f"data/{ds}/meta.json")

    def rules(df):
        return B.listed([f"{code(r.rule)} ({fact(float(r.weight), '+.3f', table=erel, where={'rank': int(r.rank)}, col='weight')})"
                         for r in df.itertuples()])

    v = {"dataset": label(ds), "model": label(model),
         "position": fact(first, "d", table=erel, where={"rank": 1}, col="test_position"),
         "row": fact(int(exp["row"].iloc[0]), "d", table=erel, where={"rank": 1}, col="row"),
         "predicted": class_name(meta, predicted), "class": class_name(meta, cls),
         "p_predicted": fact(float(exp[f'proba_{predicted}'].iloc[0]), ".2f", table=erel, where={"rank": 1},
                             col=f"proba_{predicted}"),
         "support": rules(support), "against": rules(against),
         "seeds": fact(int(agree["seeds"]), "d", table=arel, col="seeds"),
         "top_k": fact(int(agree["top_k"]), "d", table=arel, col="top_k"),
         "jaccard": fact(float(agree["mean_jaccard"]), ".2f", table=arel, col="mean_jaccard"),
         "flipped": B.listed([code(f) for f in subjects.get("flipped", [])]),
         "filled": B.listed([code(f) for f in subjects["filled"]]),
         "suspects": B.listed([code(f) for f in subjects["suspects"]]), "guessing": guessing(run, ds, model, checks)}
    return v, claims, {"predicted": predicted, "flipped": subjects.get("flipped", [])}


def lime_block(run: Run, plan: list[dict], ds: str, model: str, positions: list[int]) -> str:
    """The first row's pair of figures (explanation and stability, side by side), then each other
    row's pair with a caption of its own numbers."""
    figs = {p["id"]: p for p in plan if p["block"] == "lime_rows"}
    rows = []
    for pos in positions:
        a, b = figs.get(f"fig-lime-{pos}"), figs.get(f"fig-lime-stability-{pos}")
        if not a or not b:
            continue
        erel = f"lime/{ds}/{model}/test{pos}/explanation.parquet"
        arel = f"lime/{ds}/{model}/test{pos}/agreement.parquet"
        exp, agree = run.table(erel), run.table(arel).iloc[0]
        rows.append({"pair_id": "fig-lime-pair" if not rows else f"fig-lime-pair-{pos}", "explanation": a,
                     "stability": b, "position": fact(pos, "d", table=erel, where={"rank": 1}, col="test_position"),
                     "cls": class_name(run.json(f"data/{ds}/meta.json"), str(exp["class"].iloc[0])),
                     "seeds": fact(int(agree["seeds"]), "d", table=arel, col="seeds"),
                     "top_k": fact(int(agree["top_k"]), "d", table=arel, col="top_k"),
                     "jaccard": fact(float(agree["mean_jaccard"]), ".2f", table=arel, col="mean_jaccard")})
    return B.render("lime_rows", rows=rows)


def references_text(references: dict, shown: int = 4) -> str:
    items = [f"{code(c)}: {code(str(r))}" for c, r in references.items()]  # a level as the data writes it
    more = len(items) - shown
    return B.listed(items[:shown] + ([B.more_columns(more)] if more > 0 else []))


def units_claims(claims: dict) -> dict:
    """Which words say what one coefficient measures (report/article.qmd, "Coefficients"): for the
    features not standardised, numbers (per unit), levels of text columns (against their reference
    level) and other yes/no features (yes against no); the first kind present is the main reading,
    the others asides (in parentheses after "per unit"; after "(references)", joined by a semicolon,
    since a second parenthesis would read as a list of two)."""
    numbers, levels, yes_no = (claims[f"unscaled_{k}"] for k in ("numbers", "levels", "yes_no"))
    return {"some_scaled": not claims["all_scaled"] and not claims["none_scaled"], "units_numbers": numbers, "units_levels": levels and not numbers,
            "units_yes_no": yes_no and not numbers and not levels,
            "units_asides": numbers and (levels or yes_no), "units_aside_levels": numbers and levels,
            "units_aside_both": numbers and levels and yes_no, "units_aside_yes_no": numbers and yes_no,
            "units_then_yes_no": levels and yes_no and not numbers}


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
                                list(meta.get("scale") or {}), data, meta.get("levels"), run.r, run.checks(ds))

    def c(f):
        val = float(coef.loc[coef.feature == f, "value"].iloc[0])
        return f"{code(f)} ({run.imp_value(ds, model, 'coefficient', f, sig(val))})"

    pos = coef[coef.value > 0].sort_values(["value", "feature"], ascending=[False, True], kind="mergesort")
    neg = coef[coef.value < 0].sort_values(["value", "feature"], kind="mergesort")
    scaled = subjects["scaled"]
    v = {"dataset": label(ds), "model": label(model), "target": target_words(meta),
         "positive": B.listed([c(f) for f in pos.feature[:3]]), "negative": B.listed([c(f) for f in neg.feature[:2]]),
         "weak": listed([code(f) for f in subjects["weak"][:8]], max(0, len(subjects["weak"]) - 8),
                        count={"table": "importances.parquet", "agg": "count_weak_alone_beyond", "rank": 8,
                               "where": {"dataset": ds, "model": model, "method": "coefficient"}}),
         "weak_grouped": B.listed([code(f) for f in subjects["weak_grouped"]]),
         "guessing": guessing(run, ds, model, run.checks(ds)),
         "scaled": listed([code(f) for f in scaled[:6]], max(0, len(scaled) - 6),
                          count={"table": f"data/{ds}/meta.json", "col": "scale", "agg": "len_beyond", "rank": 6}),
         "references": references_text(subjects["references"]),
         "r2": run.metric(ds, model, "r2")}
    claims.update(one_weak=len(subjects["weak"]) == 1, one_positive=len(pos) == 1, one_negative=len(neg) == 1,
                  one_scaled=len(scaled) == 1)
    claims.update(units_claims(claims))
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
        v["difference_interval"] = {"lower": lo, "upper": hi}
    res = pred["y_true"] - pred["y_pred"]
    expr = "y_true-y_pred"
    scale = sig(max(abs(float(res.mean())), abs(float(res.median())), 1.0))
    v["res_mean"] = fact(float(res.mean()), scale, table=prel, col=expr, agg="mean")
    v["res_median"] = fact(float(res.median()), scale, table=prel, col=expr, agg="median")
    v["res_max"] = fact(float(res.max()), sig(float(res.max())), table=prel, col=expr, agg="max")
    v["res_min"] = fact(float(res.min()), sig(float(res.min())), table=prel, col=expr, agg="min")
    rows = [{"model": label(mod), "r2": run.metric(ds, mod, "r2"),
             **{k: run.metric(ds, mod, k, sig(run.metric_value(ds, mod, k) or 1)) for k in ("rmse", "mae")}}
            for mod in models]
    table = B.render("regression_table", rows=rows, dataset=label(ds))
    return v, claims, {"best_other": subjects.get("best_other"), "weak": subjects["weak"]}, table


def effects_section(run: Run, ds: str, model: str, cls: str | None) -> tuple[dict, dict, dict]:
    srel = f"effects/{ds}/{model}/summary.parquet"
    summary = run.table(srel)
    checks = run.checks(ds)
    claims, subjects = C.effects(summary, checks, model)
    shown = summary[summary["shown"]].sort_values("rank")
    shapes = [f"{code(f)} {fact(None, table=srel, where={'feature': f}, col='monotone', text=s)}"
              for f, s in zip(shown.feature, shown.monotone)]
    v = {"dataset": label(ds), "model": label(model), "shapes": B.listed(shapes),
         "flat_share": run.reading("flat_effect", ".0%"), "guessing": guessing(run, ds, model, checks),
         "fill_jumps": ""}
    if subjects["fill_jumps"]:
        jrel, jumps = f"diagnostics/{ds}/fill_jumps.parquet", checks.jumps.set_index(["model", "feature"])
        v["fill_jumps"] = B.listed([f"{code(f)} ({fact(None, table=jrel, where={'model': model, 'feature': f}, col='fill_value', text=str(jumps.loc[(model, f), 'fill_value']))})"
                                    for f in subjects["fill_jumps"]])
    return v, claims, {"flat": subjects["flat"], "fill_jumps": subjects["fill_jumps"]}


def performance_section(run: Run, ds: str, model: str, describe: dict) -> tuple[dict, dict, dict]:
    meta = run.json(f"data/{ds}/meta.json")
    classes = meta["classes"]
    prel = f"predictions/{ds}/{model}.parquet"
    pred = run.table(prel)
    m = run.table("metrics.parquet")
    m = m[(m.dataset == ds) & (m.model == model) & (m.split == "test")]
    claims, subjects = C.performance(m, pred, classes, run.r)
    one_class = class_name(meta, classes[subjects["one_class"]]) if claims["one_class"] else ""
    v = {"dataset": label(ds), "model": label(model), "target": target_words(meta),
         "rows": fact(len(pred), ",d", table=prel, agg="count"), "row_noun": md_escape(describe["rows"]),
         "one_class": one_class,
         "roc_auc": run.metric(ds, model, "roc_auc"), "average_precision": run.metric(ds, model, "average_precision"),
         "bands": B.listed([run.reading(f"auc_{name}", "g") for name in C.AUC_BANDS]),
         "ap_far_above": run.reading("ap_far_above", "g"), "ap_above": run.reading("ap_above", "g")}
    if len(classes) == 2:
        neg, pos = class_name(meta, classes[0]), class_name(meta, classes[1])
        n = lambda t, p: fact(int(((pred.y_true == t) & (pred.y_pred == p)).sum()), ",d", table=prel,  # noqa: E731
                              where={"y_true": t, "y_pred": p}, agg="count")
        kpos, kneg = int((pred.y_true == 1).sum()), int((pred.y_true == 0).sum())
        v.update(n_positive=fact(kpos, ",d", table=prel, where={"y_true": 1}, agg="count"),
                 n_negative=fact(kneg, ",d", table=prel, where={"y_true": 0}, agg="count"),
                 true_positives=n(1, 1), false_negatives=n(1, 0), true_negatives=n(0, 0), false_positives=n(0, 1),
                 negative=neg)
        claims.update(one_positive=kpos == 1, one_negative=kneg == 1)
        v["positive"] = pos
        p = subjects["prevalence"]
        v["prevalence"] = fact(p, f".{apart([p], 2)}f", table=prel, where={"y_true": 1}, agg="share")
        # Enough decimals that "higher than average precision" (or not) is what the two printed values show.
        ap, trap = run.metric_value(ds, model, "average_precision"), run.metric_value(ds, model, "pr_auc_trapezoid")
        fmt = f".{deciding([(trap, ap)], int(run.fmt[1:-1]))}f"
        v["average_precision"], v["trapezoid"] = (run.metric(ds, model, k, fmt)
                                                  for k in ("average_precision", "pr_auc_trapezoid"))
    return v, claims, {}


def threshold_section(run: Run, ds: str, model: str) -> tuple[dict, dict, dict]:
    rel = f"threshold/{ds}/{model}.json"
    s = run.json(rel)
    claims, _ = C.threshold(s, run.r)
    f = lambda k, fmt=".2f": fact(float(s[k]), fmt, table=rel, col=k)  # noqa: E731
    v = {"dataset": label(ds), "model": label(model), "default": f("default_threshold", "g"),
         "move": run.reading("threshold_move", "g"), "gain": run.reading("f1_gain", "g"),
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
    checks = run.checks(ds)
    claims, subjects = C.comparison(run.table(mrel), run.table(drel), metric, checks)
    c = config["figures"]["comparison"]
    leader = subjects["leader"]
    t = run.table(mrel)
    v = {"dataset": label(ds), "metric": md_escape(B.labels()["metrics"][metric]), "leader": label(leader),
         "level": fact(c["level"], ".0%", table="config", where={"key": "figures.comparison.level"}),
         "n_boot": fact(c["n_boot"], ",d", table="config", where={"key": "figures.comparison.n_boot"}),
         "leader_value": fact(float(t[(t.model == leader) & (t.metric == metric)]["value"].iloc[0]), run.fmt,
                              table=mrel, where={"model": leader, "metric": metric}),
         "beaten": B.listed([label(b) for b in subjects["beaten"]]),
         "not_beaten": B.listed([label(b) for b in subjects["not_beaten"]]),
         "guessing_models": B.listed([label(b) for b in subjects["guessing"]]),
         "one_class_models": B.listed([label(b) for b in subjects["one_class"]])}
    claims["one_one_class"] = len(subjects["one_class"]) == 1
    return v, claims, subjects, comparison_table(run, ds, meta["task"])


def comparison_table(run: Run, ds: str, task: str) -> str:
    mrel = f"comparison/{ds}/metrics.parquet"
    t = run.table(mrel)
    metrics = [k for k in (["accuracy", "balanced_accuracy", "roc_auc", "average_precision", "brier"]
                           if task == "classification" else ["r2", "rmse", "mae"]) if k in set(t.metric)]
    rows = []
    for model in dict.fromkeys(t.model):
        cells = []
        for k in metrics:
            r = t[(t.model == model) & (t.metric == k)].iloc[0]
            fmt = run.fmt if k not in ("rmse", "mae") else sig(float(r["value"]) or 1)
            w = {"model": model, "metric": k}
            cells.append({c: fact(float(r[c]), fmt, table=mrel, where=w, col=c) for c in ("value", "lower", "upper")})
        rows.append({"model": label(model), "cells": cells})
    from ..compute.comparison import higher_is_better

    names = B.labels()["metrics"]
    return B.render("comparison_table", metrics=[md_escape(names[k]) for k in metrics], rows=rows, dataset=label(ds),
                    lower=[md_escape(names[k]) for k in metrics if not higher_is_better(k)])


def calibration_section(run: Run, ds: str, classes: list[str]) -> tuple[dict, dict, dict, str]:
    srel = f"calibration/{ds}/scores.parquet"
    scores = run.table(srel)
    positive = classes[1] if len(classes) == 2 else None
    claims, subjects = C.calibration(scores, positive, run.r)
    cls = subjects["class"]
    models = scores.loc[scores["class"] == cls, "model"].nunique()
    claims.update(one_well=len(subjects["well"]) == 1, one_other=models - len(subjects["well"]) == 1)
    best = subjects["best"]
    brier = float(scores[(scores.model == best) & (scores["class"] == cls)]["brier"].iloc[0])
    own = scores[scores["class"] == cls].sort_values(["brier", "model"], kind="mergesort")
    # The digits that decide: each ECE printed on its side of the threshold, the lowest Brier score
    # apart from the next one.
    fmt = {"brier": f".{deciding(list(zip(own.brier, own.brier[1:2])), 3)}f",
           "ece": f".{deciding([(e, run.r['well_calibrated_ece']) for e in own.ece], 3)}f",
           "reliability": ".3f", "resolution": ".3f"}
    v = {"dataset": label(ds), "well": B.listed([label(m) for m in subjects["well"]]), "best": label(best),
         "threshold": run.reading("well_calibrated_ece", "g"),
         "best_brier": fact(brier, fmt["brier"], table=srel, where={"model": best, "class": cls}, col="brier")}
    rows = [{"model": label(r.model), **{k: fact(float(getattr(r, k)), fmt[k], table=srel, where={"model": r.model, "class": cls},
                                                col=k) for k in ("brier", "reliability", "resolution", "ece")}}
            for r in own.itertuples()]
    table = B.render("calibration_table", rows=rows, dataset=label(ds),
                     positive=class_name(run.json(f"data/{ds}/meta.json"), cls) if positive else None)
    return v, claims, subjects, table


def trust_section(run: Run, ds: str, deletion: tuple | None, config: dict) -> tuple[dict, dict, dict, str]:
    arel = f"trust/{ds}/agreement.parquet"
    agreement = run.table(arel) if run.exists(arel) else pd.DataFrame(
        columns=["dataset", "model", "method_a", "method_b", "features", "spearman", "top_k", "overlap"])
    areas = None
    if deletion:
        dds, dm = deletion
        areas = run.table(f"trust/{dds}/{dm}/deletion_area.parquet")
    claims, subjects = C.trust(agreement, areas, run.r, run.checks(ds))
    v = {"dataset": label(ds), "model": label(subjects["model"]) if subjects["model"] else "",
         "top_k": fact(config["figures"]["trust"]["top_k"], "d", table="config", where={"key": "figures.trust.top_k"}),
         "agree": run.reading("methods_agree", ".1f"), "disagree": run.reading("methods_disagree", ".1f")}
    if subjects["model"]:
        # The range the correlations of that model span, as the table prints them.
        w = {"model": subjects["model"]}
        rho = agreement.loc[agreement["model"] == subjects["model"], "spearman"].dropna()
        v.update(rho_min=fact(float(rho.min()), "+.2f", table=arel, where=w, col="spearman", agg="min") if len(rho) else "",
                 rho_max=fact(float(rho.max()), "+.2f", table=arel, where=w, col="spearman", agg="max") if len(rho) else "")
        claims["one_pair"] = len(rho) == 1
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
    methods = B.labels()["methods"]
    rows = []
    for r in agreement.itertuples():
        w = {"model": r.model, "method_a": r.method_a, "method_b": r.method_b}
        rows.append({"model": label(r.model), "method_a": md_escape(methods[r.method_a]),
                     "method_b": md_escape(methods[r.method_b]),
                     "rho": None if pd.isna(r.spearman) else fact(float(r.spearman), "+.2f", table=arel, where=w,
                                                                  col="spearman"),
                     "overlap": fact(float(r.overlap), ".0%", table=arel, where=w, col="overlap")})
    table = B.render("trust_table", rows=rows, dataset=label(ds))
    return v, claims, subjects, table


def neural_section(run: Run, ns: dict) -> tuple[dict, dict, dict, str]:
    ds = ns["dataset"]
    ndir = f"neural/{ds}"
    lrel, hrel, prel = f"{ndir}/layers.parquet", f"{ndir}/history.parquet", f"predictions/{ds}/cnn.parquet"
    layers, h, pred = run.table(lrel), run.table(hrel), run.table(prel)
    m = run.table("metrics.parquet")
    m = m[(m.dataset == ds) & (m.model == "cnn") & (m.split == "test")]
    claims, subjects = C.neural(h, m, pred, ns["max_rank_correlation"], run.r)
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
    rows = [{"layer": code(r.layer), "type": fact(None, table=lrel, where={"layer": r.layer}, col="type", text=r.type),
             "shape": fact(None, table=lrel, where={"layer": r.layer}, col="output_shape", text=r.output_shape),
             "parameters": fact(int(r.parameters), ",d", table=lrel, where={"layer": r.layer}, col="parameters")}
            for r in layers.itertuples()]
    table = B.render("layer_table", rows=rows)
    return v, claims, {"mistake": list(subjects["mistake"]) if subjects["mistake"] else None}, table


# =============================================================================== figure blocks
def placed(p: dict) -> dict:
    """A figure of the plan as the blocks' templates place it: its entry, with its short name
    (report/labels.yml) and the names of its model and dataset written out."""
    return {"feature": None, **p, "what": md_escape(B.labels()["figures"][p["kind"]]), "model_name": label(p["model"]),
            "dataset_name": label(p["dataset"]), "alt": p.get("alt", "")}


def chapters(flags: dict) -> str:
    """The chapters the article has, in its order, named as report/labels.yml names them."""
    names = B.labels()["chapters"]
    return B.listed([md_escape(words) for key, words in names.items() if flags.get(f"has_{key}")])


def more_block(plan: list[dict], block: str) -> str:
    """report/blocks/<block>.md: the figures of the plan's `block` (the same figure of other models or
    data sets, or the appendix), introduced."""
    figs = [placed(p) for p in plan if p["block"] == block]
    return B.render(block, figs=figs, refs=[f"@{p['id']}" for p in figs])


def colophon(provenance: dict) -> dict:
    commit = provenance["commit"]
    packages = ", ".join(f"{md_escape(k)} {md_escape(v)}" for k, v in sorted(provenance["packages"].items()))
    return {"commit": f"`{commit}`", "config_hash": f"`{provenance['config_hash']}`", "packages": packages}


# =============================================================================== checks before explanations
def checks_section(run: Run, config: dict) -> tuple[dict, dict, str]:
    """What the checks before explanations found, per dataset (report/blocks/checks.md words it):
    redundant features, leakage suspects, test rows repeated in train and conflicting labels, heavy
    missingness, extreme skew, near-constant columns, models no better than guessing."""
    datasets = []
    for ds in config["datasets"]:
        ck = run.checks(ds)
        if ck is None:
            continue
        base = f"diagnostics/{ds}"
        d = {"name": label(ds), "groups": [], "leaks": [], "identifiers": [], "test_in_train": None,
             "conflicts": None, "missing": [], "skewed": [], "near_constant": [], "guessing": [], "one_class": []}
        d["groups"] = redundant_groups(run, ds)
        lrel = f"{base}/leakage.parquet"
        for r in ck.leakage[ck.leakage["suspect"].astype(bool)].itertuples():
            where = {"candidate": r.candidate}
            item = {"name": code(r.candidate) if r.kind != "row_number" else None,
                    "metric": md_escape(B.labels()["metrics"].get(r.metric, r.metric)),
                    "score": fact(float(r.score), ".2f", table=lrel, where=where, col="score")}
            (d["leaks"] if r.in_model else d["identifiers"]).append(item)
        drel = f"{base}/duplicates.parquet"
        dup = ck.duplicates.set_index("check")
        for check, key in (("test_in_train", "test_in_train"), ("conflicting_labels", "conflicts")):
            if check in dup.index and bool(dup.loc[check, "suspect"]):
                w = {"check": check}
                d[key] = {"rows": fact(int(dup.loc[check, "rows"]), ",d", table=drel, where=w, col="rows"),
                          "share": fact(float(dup.loc[check, "share"]), f".{apart([dup.loc[check, 'share']], 0, 100)}%",
                                        table=drel, where=w, col="share")}
        crel = f"{base}/columns.parquet"
        for r in ck.caveats.itertuples():
            w = {"column": r.column}
            if r.heavy_missing:
                d["missing"].append({"name": code(r.column), "share": fact(float(r.missing_share), ".0%", table=crel,
                                                                             where=w, col="missing_share"),
                                     "rule": str(r.fill_rule) if isinstance(r.fill_rule, str) else None,
                                     "value": code(r.fill_value) if isinstance(r.fill_value, str) else None})
            if r.skewed:
                d["skewed"].append({"name": code(r.column), "skewness": fact(float(r.skewness), ".1f", table=crel,
                                                                               where=w, col="skewness")})
            if r.near_constant:
                d["near_constant"].append({"name": code(r.column), "share": fact(float(r.top_share), ".1%",
                                                                                   table=crel, where=w, col="top_share")})
        for m in ck.baseline.loc[ck.baseline["headline"].astype(bool), "model"]:
            if C.one_class_model(ck, m):
                d["one_class"].append(label(m))
            elif not ck.better(m):
                d["guessing"].append({"model": label(m), **guessing(run, ds, m, ck)})
        d["found"] = any(d[k] for k in ("groups", "leaks", "identifiers", "test_in_train", "conflicts", "missing",
                                       "skewed", "near_constant", "guessing", "one_class"))
        datasets.append(d)
    r = config["checks"]
    v = {"rank_correlation": fact(r["redundancy"]["min_rank_correlation"], "g", table="config",
                                  where={"key": "checks.redundancy.min_rank_correlation"}),
         "skill": fact(r["leakage"]["min_skill"], "g", table="config", where={"key": "checks.leakage.min_skill"})}
    claims = {"ran": bool(datasets), "found": any(d["found"] for d in datasets),
              "several": len(datasets) > 1}
    claims["nothing_found"] = claims["ran"] and not claims["found"]
    return v, claims, B.render("checks", datasets=[d for d in datasets if d["found"]], several=claims["several"])


def glance_section(run: Run, config: dict, s: dict) -> tuple[dict, dict, str]:
    """The article at a glance (report/blocks/glance.md): the best model against guessing, with the
    interval of the difference; the drivers that are safe to name (signal beyond noise and the
    one-row floor, no leak, redundant twins named together); the findings that change the reading."""
    ds = s["comparison"]
    ck = run.checks(ds) if ds else None
    if ck is None:
        return {}, {"shown": False}, ""
    meta = run.json(f"data/{ds}/meta.json")
    metric = headline_metric(meta["task"])
    mrel = f"comparison/{ds}/metrics.parquet"
    _, subjects = C.comparison(run.table(mrel), run.table(f"comparison/{ds}/differences.parquet"), metric, ck)
    best = subjects["leader"]
    ctx = {"dataset": label(ds), "best": label(best), "vs": guessing(run, ds, best, ck), "better": ck.better(best),
           "learned_nothing": ck.learned_nothing(), "drivers": [], "driver_model": None}
    imp = s["importance"]
    if imp and imp[0] == ds and ck.better(imp[1]) and imp[1] in ck.permutation:
        model = imp[1]
        perm = run.importance(ds, model, "permutation")
        signal, suspects, named, seen = ck.signal(model), set(ck.suspects()), [], set()
        for f in perm["feature"]:
            if len(named) == 3 or not signal.get(f):
                break
            if f in suspects or f in seen:
                continue
            group = ck.group_of(f) or [f]
            seen |= set(group)
            named.append([run.named(ds, model, "permutation", g) for g in [f, *(g for g in group if g != f)]])
        ctx.update(drivers=named, driver_model=label(model))
    return {}, {"shown": True}, B.render("glance", **ctx, warnings=_warnings(run, ds, ck))


def _warnings(run: Run, ds: str, ck: C.Checks) -> dict:
    """The findings of the checks that change how to read the explanations, named briefly."""
    leaks = [code(f) for f in ck.leakage.loc[ck.leakage["suspect"].astype(bool) & ck.leakage["in_model"].astype(bool),
                                             "candidate"]]
    groups = redundant_groups(run, ds)
    dup = ck.duplicates.set_index("check")
    repeated = "test_in_train" in dup.index and bool(dup.loc["test_in_train", "suspect"])
    filled = [code(c) for c in ck.caveats.loc[ck.caveats["heavy_missing"].astype(bool), "column"]]
    return {"leaks": leaks, "groups": groups, "repeated": repeated, "filled": filled}


def redundant_groups(run: Run, ds: str) -> list[dict]:
    """Each redundant group once (diagnostics/<ds>/redundancy_pairs.parquet, the pairs that link it):
    its links (kind rank_correlation: two features that rise and fall together; determined: column b a
    function of column a), its members in the order the links name them, and, for a group of many
    links, the count and range of its rank correlations and the count of its determined pairs, as facts."""
    rel = f"diagnostics/{ds}/redundancy_pairs.parquet"
    if not run.exists(rel):
        return []
    out = []
    grel = f"diagnostics/{ds}/redundancy_groups.parquet"
    # members in the order of the data's columns (the groups table's), not of the links
    order = {c: i for i, c in enumerate(dict.fromkeys(run.table(grel)["column"]))} if run.exists(grel) else {}
    for group, rows in run.table(rel).groupby("group", sort=True):
        links, members = {}, []
        # one link per pair of columns: where two copies both rise and fall together and determine
        # each other, the determination says it exactly
        for r in rows.sort_values("kind", key=lambda k: k != "determined", kind="mergesort").itertuples():
            w = {"a": r.a, "b": r.b}
            links.setdefault(frozenset((r.a, r.b)), {
                "kind": r.kind, "a": code(r.a), "b": code(r.b), "mutual": bool(r.mutual),
                "spearman": fact(float(r.spearman), "+.2f", table=rel, where=w, col="spearman")
                if pd.notna(r.spearman) else None})
            members += [m for m in (r.a, r.b) if m not in members]
        links = list(links.values())
        members = [code(m) for m in sorted(members, key=lambda m: order.get(m, len(order)))]
        rank = rows[rows["kind"] == "rank_correlation"]["spearman"]
        rw, dw = {"group": int(group), "kind": "rank_correlation"}, {"group": int(group), "kind": "determined"}
        out.append({"links": links, "members": members,
                    "rank": {"count": fact(len(rank), "d", table=rel, where=rw, agg="count"),
                             "low": fact(float(rank.min()), "+.2f", table=rel, where=rw, col="spearman", agg="min"),
                             "high": fact(float(rank.max()), "+.2f", table=rel, where=rw, col="spearman", agg="max")}
                    if len(rank) else None,
                    "determined": [x for x in links if x["kind"] == "determined"],
                    "determined_count": fact(len(rows) - len(rank), "d", table=rel, where=dw, agg="count")})
    return out


def slices_section(run: Run, ds: str, model: str) -> tuple[dict, dict, dict]:
    """Where the model fails: the flagged slices of the test rows (diagnostics/<ds>/<model>/slices.parquet)."""
    rel = f"diagnostics/{ds}/{model}/slices.parquet"
    t = run.table(rel)
    flagged = t[t["flagged"].astype(bool)].sort_values(["error", "column", "slice"], ascending=[False, True, True],
                                                        kind="mergesort")
    overall = float(t["overall_error"].iloc[0]) if len(t) else float("nan")
    fmt = ".1%" if len(t) and t["metric"].iloc[0] == "misclassification" else (sig(overall or 1) if len(t) else "g")
    items = []
    for r in flagged.head(3).itertuples():
        w = {"column": r.column, "slice": r.slice}
        items.append({"column": code(r.column), "kind": r.kind, "value": code(r.value) if r.kind == "level" else None,
                      "low": fact(None, table=rel, where=w, col="low", text=str(r.low)) if r.kind == "bin" else None,
                      "high": fact(None, table=rel, where=w, col="high", text=str(r.high)) if r.kind == "bin" else None,
                      "error": fact(float(r.error), fmt, table=rel, where=w, col="error"),
                      "lower": fact(float(r.lower), fmt, table=rel, where=w, col="lower"),
                      "rows": fact(int(r.rows), ",d", table=rel, where=w, col="rows")})
    v = {"dataset": label(ds), "model": label(model),
         "overall": fact(overall, fmt, table=rel, col="overall_error", agg="max") if len(t) else "",
         "tried": fact(int(t["tried"].iloc[0]), "d", table=rel, col="tried", agg="max") if len(t) else "",
         "flagged": B.render("slice_list", slices=items).strip(),
         "flagged_count": fact(len(flagged), "d", table=rel, where={"flagged": True}, agg="count")}
    claims = {"classification": bool(len(t)) and t["metric"].iloc[0] == "misclassification",
              "has_flagged": bool(len(flagged)), "uniform": bool(len(t)) and not len(flagged),
              "one_flagged": len(flagged) == 1, "more_flagged": len(flagged) > len(items),
              "none_tried": not len(t), "no_better": (ck := run.checks(ds)) is not None and not ck.better(model)}
    return v, claims, {"flagged": flagged["slice"].tolist()}


# =============================================================================== alt text
def alt(run: Run, p: dict) -> str:
    """The figure's alt text for this run (report/alt.yml, by its registry label), plain text."""
    ds, model, kind = p["dataset"], p["model"], p["kind"]
    ctx = {"model": model, "dataset": ds, "what": B.labels()["figures"].get(kind, kind), "leader": "",
           "features": "", "classes": 0}
    if ds and run.exists(f"data/{ds}/meta.json"):
        meta = run.json(f"data/{ds}/meta.json")
        ctx.update(features=len(meta["features"]), classes=len(meta["classes"] or []))
    method = {"impurity": "impurity", "permutation": "permutation", "coefficients": "coefficient",
              "shap_bar": "mean_abs_shap", "shap_beeswarm": "mean_abs_shap", "dependence": "mean_abs_shap"}.get(kind)
    if method and model:
        t = run.importance(ds, model, method)
        rank = int(p["name"].rsplit("top", 1)[1]) if kind == "dependence" else 1
        ctx["leader"] = t["feature"].iloc[rank - 1] if len(t) >= rank else ""
    elif kind == "shap_waterfall" and run.exists(f"shap/{ds}/{model}/values.parquet"):
        values, row = run.table(f"shap/{ds}/{model}/values.parquet"), int(p["name"].rsplit("row", 1)[1])
        contrib = values.loc[row, [c for c in values.columns if c.startswith("shap:")]].astype(float).abs()
        ctx["leader"] = contrib.idxmax()[len("shap:"):]
    elif kind == "tree" and run.exists(f"trees/{ds}/{model}.parquet"):
        root = run.table(f"trees/{ds}/{model}.parquet")
        ctx["leader"] = str(root.loc[root["node"] == 0, "column"].iloc[0]) if len(root) else ""
    elif kind == "pdp" and run.exists(f"effects/{ds}/{model}/summary.parquet"):
        s = run.table(f"effects/{ds}/{model}/summary.parquet")
        ctx["leader"] = str(s[s["shown"]].sort_values("rank")["feature"].iloc[0]) if s["shown"].any() else ""
    return B.alt(kind, ctx)
