"""The article's facts: every number, ranking and data-dependent sentence of the article, composed
from the run's tables. Each number is written as a `fact` span naming the table it came from, so
that tests can look each one up again; sentences that read a result ("the measures disagree on
...") say only what the numbers show and change with them.

Output: variables for {{< var >}} (nested dict), generated markdown blocks for {{< include >}}
(tables and figure lists whose length the config decides) and metadata (title block, flags that
show or hide a section).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .article import code, fact, join_and, md_escape

METRIC_LABELS = {"accuracy": "accuracy", "balanced_accuracy": "balanced accuracy", "roc_auc": "ROC AUC",
                 "average_precision": "average precision", "pr_auc_trapezoid": "PR AUC (trapezoid)",
                 "r2": "R²", "rmse": "RMSE", "mae": "MAE"}


class Run:
    """The run's tables, read once; paths are relative to the run folder (results/<run>)."""

    def __init__(self, root: str | Path, decimals: int):
        self.root = Path(root)
        self.d = decimals
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
    def metric(self, ds: str, model: str, metric: str, fmt: str | None = None, split: str = "test"):
        m = self.table("metrics.parquet")
        row = m[(m.dataset == ds) & (m.model == model) & (m.split == split) & (m.metric == metric)]
        if len(row) != 1:
            return None, "n/a"
        value = float(row["value"].iloc[0])
        return value, fact(value, fmt or self.fmt, table="metrics.parquet",
                           where={"dataset": ds, "model": model, "split": split, "metric": metric})

    # -- importances.parquet
    def importance(self, ds: str, model: str, method: str) -> pd.DataFrame:
        from .importance import ordered

        t = self.table("importances.parquet")
        return ordered(t[(t.dataset == ds) & (t.model == model) & (t.method == method)])

    def ranked(self, ds: str, model: str, method: str, rank: int) -> str:
        """The feature at `rank` (1 = largest |value|), as a fact."""
        t = self.importance(ds, model, method)
        return fact(None, table="importances.parquet", where={"dataset": ds, "model": model, "method": method},
                    col="feature", agg="rank", rank=rank, by="value", text=t["feature"].iloc[rank - 1])

    def imp_value(self, ds: str, model: str, method: str, feature: str, fmt: str, col: str = "value") -> str:
        t = self.importance(ds, model, method)
        v = float(t.loc[t.feature == feature, col].iloc[0])
        return fact(v, fmt, table="importances.parquet",
                    where={"dataset": ds, "model": model, "method": method, "feature": feature}, col=col)


def label(ds: str, model: str | None = None) -> str:
    """How the text names a dataset or a model: its config name, as code."""
    return f"`{ds}`" if model is None else f"`{model}`"


def sig(x: float, digits: int = 3) -> str:
    """A format spec that shows `digits` significant figures of numbers like x."""
    x = abs(x)
    if x == 0 or x >= 10 ** digits:
        return ",.0f"
    import math

    decimals = max(0, digits - 1 - int(math.floor(math.log10(x))))
    return f",.{decimals}f"


def pct(share: float) -> str:
    return ".0%" if share < 0.995 else ".1%"


# =============================================================================== sections
def data_facts(config: dict) -> dict:
    sources = config["sources"]
    files = [Path(s["path"]).name for s in sources.values() if "path" in s]
    generated = [n for n, s in sources.items() if "generator" in s]
    if files and not generated:
        origin = (f"the files {join_and([f'{code(f)}' for f in files])}, the Kaggle data sets the "
                  "tutorial uses")
    elif generated and not files:
        origin = ("synthetic data that mlviz generates with the columns of the tutorial's two Kaggle files "
                  "(the MBA admissions and the medical insurance costs); the numbers below describe this "
                  "synthetic data, not the real applicants and policy holders")
    else:
        origin = (f"the files {join_and([f'{code(f)}' for f in files])} and synthetic data for "
                  f"{join_and([f'`{g}`' for g in generated])}")
    return {"origin": origin}


def tree_facts(run: Run, config: dict, plan_entry: dict) -> dict:
    ds, model = plan_entry["dataset"], plan_entry["model"]
    meta = run.json(f"data/{ds}/meta.json")
    params = config["datasets"][ds]["models"][model].get("params", {})
    depth = params.get("max_depth")
    depth_text = (f"at most {fact(depth, 'd', table='config', where={'key': f'datasets.{ds}.models.{model}.params.max_depth'})} "
                  "levels deep, to keep it readable" if depth else "without a depth limit")
    acc_v, acc = run.metric(ds, model, "accuracy", ".1%")
    bacc_v, bacc = run.metric(ds, model, "balanced_accuracy", ".1%")
    pred_rel = f"predictions/{ds}/{model}.parquet"
    pred = run.table(pred_rel)
    counts = pred["y_true"].value_counts()
    top = int(counts.index[0]) if counts.iloc[0] != counts.iloc[-1] or len(counts) == 1 else int(counts.index.min())
    base_v = float((pred["y_true"] == top).mean())
    base = fact(base_v, ".1%", table=pred_rel, where={"y_true": top}, agg="share")
    cls = md_escape(meta["classes"][top])
    if acc_v is None:
        gain = ""
    elif acc_v <= base_v:
        gain = "so the tree does not beat that trivial rule"
    elif acc_v - base_v < 0.05:
        gain = "so the tree adds little to that trivial rule"
    else:
        gain = "so the tree has learned more than the class balance"
    return {
        "dataset": label(ds), "model": label(ds, model), "target": f"{code(meta['target'])}",
        "depth": depth_text, "classes": join_and([f"*{md_escape(c)}*" for c in meta["classes"]]),
        "accuracy": acc, "balanced_accuracy": bacc,
        "baseline": (f"Always answering *{cls}*, the most common class, would already be right for {base} of "
                     f"the test rows, {gain}; the balanced accuracy, which gives every class the same weight, "
                     f"is {bacc}."),
    }


def importance_facts(run: Run, ds: str, model: str, top_k: int) -> dict:
    imp = run.importance(ds, model, "impurity")
    perm = run.importance(ds, model, "permutation")
    out = {"dataset": label(ds), "model": label(ds, model)}
    n = min(3, len(imp))
    out["impurity_top"] = join_and([f"{run.ranked(ds, model, 'impurity', r)} "
                                    f"({run.imp_value(ds, model, 'impurity', imp.feature[r - 1], '.3f')})"
                                    for r in range(1, n + 1)])
    out["permutation_top"] = join_and([f"{run.ranked(ds, model, 'permutation', r)} "
                                       f"({run.imp_value(ds, model, 'permutation', perm.feature[r - 1], '.3f')})"
                                       for r in range(1, min(3, len(perm)) + 1)])
    if imp.feature[0] == perm.feature[0]:
        out["first"] = f"Both measures put {run.ranked(ds, model, 'impurity', 1)} first."
    else:
        out["first"] = (f"The two measures disagree on what matters most: impurity puts "
                        f"{run.ranked(ds, model, 'impurity', 1)} first, permutation "
                        f"{run.ranked(ds, model, 'permutation', 1)}.")
    # Features the forest splits on a lot whose shuffling costs no more than the noise between repeats.
    k = min(top_k, len(imp))
    ktext = (fact(k, "d", table="config", where={"key": "report.top_k"}) if k == top_k else
             fact(k, "d", table="importances.parquet", where={"dataset": ds, "model": model, "method": "impurity"},
                  agg="count"))
    top_imp = list(imp.feature[:k])
    noisy = [f for f in top_imp if float(perm.loc[perm.feature == f, "value"].iloc[0])
             <= float(perm.loc[perm.feature == f, "spread"].iloc[0])]
    if noisy:
        out["disagreement"] = (
            f"Permutation importance disagrees with impurity on "
            f"{join_and([f'{code(f)}' for f in noisy])}: impurity ranks "
            f"{'it' if len(noisy) == 1 else 'them'} among its top {ktext}, yet shuffling "
            f"{'it' if len(noisy) == 1 else 'them'} on the test split lowers the score by no more than "
            "the standard deviation between repeats. Impurity is measured on the training data and favours "
            "features with many distinct values; permutation importance asks what the model loses on new data.")
    else:
        out["disagreement"] = (f"Every feature in impurity's top {ktext} also costs the model more than the noise "
                               "between repeats when it is shuffled on the test split, so here the two measures "
                               "tell the same story about the leading features.")
    negative = int((perm["value"] < 0).sum())
    out["negative"] = (f"Permutation importance is negative for "
                       f"{fact(negative, 'd', table='importances.parquet', where={'dataset': ds, 'model': model, 'method': 'permutation'}, agg='count_negative')} "
                       f"{'feature' if negative == 1 else 'features'}: shuffling "
                       f"{'it' if negative == 1 else 'them'} made the score slightly better, which is noise, not "
                       "information."
                       if negative else "No feature gets a negative permutation importance.")
    # table: top_k of both measures side by side
    rows = ["| Impurity | Mean decrease in impurity | Permutation | Score drop (± sd) |",
            "|:---|---:|:---|---:|"]
    for r in range(1, min(top_k, len(imp), len(perm)) + 1):
        fi, fp = imp.feature[r - 1], perm.feature[r - 1]
        rows.append(f"| {run.ranked(ds, model, 'impurity', r)} | "
                    f"{run.imp_value(ds, model, 'impurity', fi, '.3f')} | {run.ranked(ds, model, 'permutation', r)} | "
                    f"{run.imp_value(ds, model, 'permutation', fp, '.3f')} ± "
                    f"{run.imp_value(ds, model, 'permutation', fp, '.3f', col='spread')} |")
    out["table"] = "\n".join(rows)
    return out


def shap_facts(run: Run, ds: str, model: str, instance: int, perm_models: set, top_k: int) -> dict:
    base = f"shap/{ds}/{model}"
    summary = run.json(f"{base}/summary.json")
    values = run.table(f"{base}/values.parquet")
    features = [c[5:] for c in values.columns if c.startswith("shap:")]
    vrel = f"{base}/values.parquet"
    out = {"dataset": label(ds), "model": label(ds, model),
           "instance": fact(instance, "d", table=vrel, where={"row": instance}, col="row"),
           "output": md_escape(summary.get("output", "the model's output"))}
    out["rows"] = fact(summary["explained_rows"], ",d", table=f"{base}/summary.json", col="explained_rows")
    add = summary["additivity"]
    out["additivity"] = (
        f"For every explained row the base value plus the SHAP values gives back the model's output to within "
        f"{fact(add['max_abs_error'], sig(add['max_abs_error'], 2), table=f'{base}/summary.json', col='additivity.max_abs_error')}"
        + (" (the check passed)." if add["passed"] else ", which is more than the tolerance: the check failed."))
    # the instance of the waterfall and force plots
    row = values.loc[instance]
    contrib = pd.Series({f: float(row[f"shap:{f}"]) for f in features})
    num = sig(float(row["output"]))
    out["base_value"] = fact(float(row["base_value"]), num, table=vrel, where={"row": instance}, col="base_value")
    out["prediction"] = fact(float(row["output"]), num, table=vrel, where={"row": instance}, col="output")

    def push(f):
        raw = row.get(f"raw:{f}")
        shown = f"{code(f)}"
        if raw is not None and pd.notna(raw):
            fmt = ",.0f" if float(raw).is_integer() else sig(float(raw))
            shown += f" = {fact(float(raw), fmt, table=vrel, where={'row': instance}, col=f'raw:{f}')}"
        return (f"{shown} ({'+' if contrib[f] > 0 else ''}"
                f"{fact(contrib[f], sig(contrib[f]), table=vrel, where={'row': instance}, col=f'shap:{f}')})")

    up = contrib[contrib > 0].sort_values(ascending=False)
    down = contrib[contrib < 0].sort_values()
    parts = []
    if len(up):
        parts.append(f"the largest push up comes from {push(up.index[0])}")
    if len(down):
        parts.append(f"the largest push down from {push(down.index[0])}")
    sentence = "; ".join(parts)
    out["pushes"] = sentence[0].upper() + sentence[1:] + "." if parts else "No feature moves this prediction."
    # global ranking by mean |SHAP| (importances.parquet, method mean_abs_shap)
    shap_imp = run.importance(ds, model, "mean_abs_shap")
    n = min(3, len(shap_imp))
    out["top"] = join_and([f"{run.ranked(ds, model, 'mean_abs_shap', r)} "
                           f"({run.imp_value(ds, model, 'mean_abs_shap', shap_imp.feature[r - 1], sig(float(shap_imp.value[r - 1])))})"
                           for r in range(1, n + 1)])
    out["first"] = run.ranked(ds, model, "mean_abs_shap", 1)
    # direction of the leading feature: rank correlation of its values with its SHAP values
    f1 = shap_imp.feature[0]
    x, s = values[f"x:{f1}"].rank(), values[f"shap:{f1}"].rank()
    rho = float(x.corr(s)) if x.nunique() > 1 else 0.0
    if rho > 0.3:
        out["direction"] = (f"High values of {code(f1)} (red in @fig-shap-beeswarm) sit on the right: "
                            "they raise the prediction, low values lower it.")
    elif rho < -0.3:
        out["direction"] = (f"High values of {code(f1)} (red in @fig-shap-beeswarm) sit on the left: "
                            "they lower the prediction, low values raise it.")
    else:
        out["direction"] = (f"Its effect has no single direction: high and low values of {code(f1)} "
                            "appear on both sides of zero.")
    # agreement with the permutation importance of the same model, when the run has it
    if (ds, model) in perm_models:
        perm = run.importance(ds, model, "permutation")
        if perm.feature[0] == f1:
            out["agreement"] = (f"Permutation importance of the same model agrees on the leader: it also ranks "
                                f"{run.ranked(ds, model, 'permutation', 1)} first.")
        else:
            out["agreement"] = (f"Permutation importance of the same model ranks {run.ranked(ds, model, 'permutation', 1)} "
                                f"first instead: SHAP measures how much a feature moves predictions, permutation "
                                "how much the score suffers without it, and the two need not agree.")
    else:
        out["agreement"] = ""
    rows = ["| Feature | Mean \\|SHAP\\| |", "|:---|---:|"]
    for r in range(1, min(top_k, len(shap_imp)) + 1):
        v = float(shap_imp.value[r - 1])
        rows.append(f"| {run.ranked(ds, model, 'mean_abs_shap', r)} | "
                    f"{run.imp_value(ds, model, 'mean_abs_shap', shap_imp.feature[r - 1], sig(v))} |")
    out["table"] = "\n".join(rows)
    return out


def dependence_block(run: Run, plan: list[dict], ds: str, model: str) -> str:
    figs = [p for p in plan if p["block"] == "shap_dependence"]
    if not figs:
        return ""
    shap_imp = run.importance(ds, model, "mean_abs_shap")
    lines = []
    refs = []
    for p in sorted(figs, key=lambda p: int(p["id"].rsplit("-", 1)[1])):
        k = int(p["id"].rsplit("-", 1)[1])
        if k > len(shap_imp):
            continue
        refs.append(f"@{p['id']}")
        lines.append(f"![SHAP dependence plot of {run.ranked(ds, model, 'mean_abs_shap', k)}: each dot is one "
                     f"row, placed by the feature's value and its SHAP value.]({p['file']}){{#{p['id']}}}\n")
    intro = (f"Dependence plots ({join_and(refs)}) take one feature at a time and plot its SHAP value against "
             "its value, which shows the shape of its effect: a step for a yes/no feature, a slope or a curve "
             "for a numeric one.\n\n")
    return intro + "\n".join(lines)


def lime_block(run: Run, plan: list[dict], ds: str, model: str, positions: list[int]) -> tuple[str, dict]:
    figs = {p["id"]: p for p in plan if p["block"] == "lime_rows"}
    out, blocks, signs = {}, [], {}
    for pos in positions:
        rel = f"lime/{ds}/{model}/test{pos}"
        if not run.exists(f"{rel}/explanation.parquet"):
            continue
        exp = run.table(f"{rel}/explanation.parquet").sort_values("rank")
        agree = run.table(f"{rel}/agreement.parquet").iloc[0]
        cls = str(exp["class"].iloc[0])
        proba_cols = [c for c in exp.columns if c.startswith("proba_")]
        probs = {c[6:]: float(exp[c].iloc[0]) for c in proba_cols}
        predicted = max(probs, key=probs.get)
        csv_row = int(exp["row"].iloc[0])
        erel = f"{rel}/explanation.parquet"
        p_pred = fact(probs[predicted], ".2f", table=erel, where={"rank": 1}, col=f"proba_{predicted}")
        pos_rules = exp[exp.weight > 0].head(2)
        neg_rules = exp[exp.weight < 0].head(2)

        def rules(df):
            return join_and([f"{code(r.rule)} ({fact(float(r.weight), '+.3f', table=erel, where={'rank': int(r['rank'])}, col='weight')})"
                             for _, r in df.iterrows()])

        toward = (f"The conditions that raise it most are {rules(pos_rules)}" if len(pos_rules) else
                  "No condition raises it")
        against = (f"; those that lower it most are {rules(neg_rules)}." if len(neg_rules) else
                   "; none lowers it.")
        arel = f"{rel}/agreement.parquet"
        jac = float(agree["mean_jaccard"])
        stable = ("a stable explanation" if jac >= 0.9 else
                  "so the leading conditions are dependable but the lower ranks shift from seed to seed" if jac >= 0.6
                  else "so LIME's ranking for this row changes noticeably with the seed: read it with care")
        at = f"{fact(pos, 'd', table=erel, where={'rank': 1}, col='test_position')}"
        csv = f"{fact(csv_row, 'd', table=erel, where={'rank': 1}, col='row')}"
        topk = fact(int(agree["top_k"]), "d", table=arel, col="top_k")
        text = (f"Test row {at} (row {csv} of the CSV): the model gives *{md_escape(predicted)}* a probability "
                f"of {p_pred}, and LIME explains the probability of *{md_escape(cls)}* (@fig-lime-{pos}). "
                f"{toward}{against} Run with {fact(int(agree['seeds']), 'd', table=arel, col='seeds')} different "
                f"seeds, the top {topk} conditions overlap with a "
                f"mean Jaccard similarity of {fact(jac, '.2f', table=arel, col='mean_jaccard')}, and "
                f"{fact(int(agree['always_top_k']), 'd', table=arel, col='always_top_k')} features are in the top "
                f"{topk} every time (@fig-lime-stability-{pos}), {stable}.")
        blocks.append(text + "\n")
        last_text = len(blocks) - 1
        if f"fig-lime-{pos}" in figs:
            blocks.append(f"![LIME explanation of test row {at}: the conditions that move the model's probability "
                          f"of *{md_escape(cls)}* for this applicant, green towards it and red against it.]"
                          f"({figs[f'fig-lime-{pos}']['file']}){{#fig-lime-{pos}}}\n")
        if f"fig-lime-stability-{pos}" in figs:
            blocks.append(f"![Stability of the LIME explanation of test row {at} over "
                          f"{fact(int(agree['seeds']), 'd', table=arel, col='seeds')} seeds: mean weight and spread "
                          f"of each feature, and how often it was among the top {topk}.]"
                          f"({figs[f'fig-lime-stability-{pos}']['file']}){{#fig-lime-stability-{pos}}}\n")
        signs[pos] = {r.feature: float(r.weight) for r in exp.itertuples()}
    # the same feature pushing opposite ways for two rows, as in the tutorial's pair
    rows = list(signs)
    out["contrast"] = ""
    if len(rows) >= 2:
        a, b = rows[0], rows[1]
        common = [f for f in signs[a] if f in signs[b]]
        flipped = [f for f in common if signs[a][f] * signs[b][f] < 0]
        if flipped:
            out["contrast"] = (f"Of the features the two explanations share, "
                               f"{join_and([f'{code(f)}' for f in flipped])} "
                               f"{'pushes' if len(flipped) == 1 else 'push'} in opposite directions for the two "
                               "rows: LIME's weights describe one neighbourhood, not the model as a whole.")
        elif common:
            out["contrast"] = ("Every feature the two explanations share pushes the same way for both rows.")
        else:
            out["contrast"] = "The two explanations have no feature in common."
    if out["contrast"]:  # after the last row's text, ahead of its figures (which float)
        blocks[last_text] = blocks[last_text].rstrip("\n") + " " + out["contrast"] + "\n"
    return "\n".join(blocks), out


def linear_facts(run: Run, ds: str, model: str, config: dict) -> dict:
    meta = run.json(f"data/{ds}/meta.json")
    coef = run.importance(ds, model, "coefficient")
    out = {"dataset": label(ds), "model": label(ds, model), "target": f"{code(meta['target'])}"}
    pos = coef[coef.value > 0].sort_values("value", ascending=False)
    neg = coef[coef.value < 0].sort_values("value")

    def c(f):
        v = float(coef.loc[coef.feature == f, "value"].iloc[0])
        return f"{code(f)} ({run.imp_value(ds, model, 'coefficient', f, sig(v))})"

    out["positive"] = (f"The largest positive coefficients belong to {join_and([c(f) for f in pos.feature[:3]])}"
                       if len(pos) else "No coefficient is positive")
    out["negative"] = (f"the most negative to {join_and([c(f) for f in neg.feature[:2]])}" if len(neg)
                       else "none is negative")
    out["first"] = run.ranked(ds, model, "coefficient", 1)
    scaled = list(meta.get("scale") or {})
    out["scaled"] = (f"The features {join_and([f'{code(f)}' for f in scaled])} were standardised, so their "
                     "coefficients are the change in the prediction for one standard deviation; the others are "
                     "per unit (for a yes/no feature: yes against no)." if scaled else
                     "No feature was standardised, so each coefficient is the change in the prediction per unit.")
    weak = [f for f, v, s in zip(coef.feature, coef.value, coef.spread) if abs(v) < 2 * s]
    out["weak"] = (f"{join_and([f'{code(f)}' for f in weak])} "
                   f"{'has a coefficient' if len(weak) == 1 else 'have coefficients'} smaller than twice "
                   f"{'its' if len(weak) == 1 else 'their'} standard error (twice the error bar): the data cannot tell "
                   f"{'it' if len(weak) == 1 else 'them'} apart from zero." if weak else
                   "Every coefficient is more than twice its standard error away from zero.")
    # test metrics of every regression model on this dataset
    m = run.table("metrics.parquet")
    models = sorted(m[(m.dataset == ds) & (m.split == "test")].model.unique(), key=lambda x: (x != model, x))
    r2_v, out["r2"] = run.metric(ds, model, "r2")
    rmse_v, out["rmse"] = run.metric(ds, model, "rmse", sig(run.metric(ds, model, "rmse")[0] or 1))
    _, out["mae"] = run.metric(ds, model, "mae", sig(run.metric(ds, model, "mae")[0] or 1))
    others = [o for o in models if o != model]
    if others and r2_v is not None:
        o = others[0]
        r2_o, r2_o_txt = run.metric(ds, o, "r2")
        verdict = ("practically the same score, so the trees add nothing that straight lines miss here"
                   if abs(r2_v - r2_o) < 0.01 else
                   "so the straight lines fit this data better than the trees" if r2_v > r2_o else
                   "so the trees capture structure that straight lines miss")
        out["versus"] = f"The `{o}` model reaches R² {r2_o_txt} on the same test rows, {verdict}."
    else:
        out["versus"] = ""
    rows = ["| Model | R² | RMSE | MAE |", "|:---|---:|---:|---:|"]
    for mod in models:
        cells = [run.metric(ds, mod, k, None if k == "r2" else sig(run.metric(ds, mod, k)[0] or 1))[1]
                 for k in ("r2", "rmse", "mae")]
        rows.append(f"| `{mod}` | " + " | ".join(cells) + " |")
    out["table"] = "\n".join(rows)
    # residuals of the test predictions
    prel = f"predictions/{ds}/{model}.parquet"
    pred = run.table(prel)
    res = pred["y_true"] - pred["y_pred"]
    expr = "y_true-y_pred"
    mean, median = float(res.mean()), float(res.median())
    scale = sig(max(abs(mean), abs(median), 1.0))
    out["res_mean"] = fact(mean, scale, table=prel, col=expr, agg="mean")
    out["res_median"] = fact(median, scale, table=prel, col=expr, agg="median")
    out["res_max"] = fact(float(res.max()), sig(float(res.max())), table=prel, col=expr, agg="max")
    out["res_min"] = fact(float(res.min()), sig(float(res.min())), table=prel, col=expr, agg="min")
    spread = float(res.std())
    if mean - median > 0.1 * spread:
        out["res_reading"] = ("The mean lies above the median: a minority of rows is under-predicted by a lot, "
                              "a long tail on the positive side that a well-specified linear model would not leave.")
    elif median - mean > 0.1 * spread:
        out["res_reading"] = ("The mean lies below the median: a minority of rows is over-predicted by a lot, "
                              "a long tail on the negative side.")
    else:
        out["res_reading"] = ("Mean and median are close, so the residuals are roughly symmetric around their centre.")
    return out


def classification_facts(run: Run, ds: str, model: str) -> dict:
    meta = run.json(f"data/{ds}/meta.json")
    classes = meta["classes"]
    prel = f"predictions/{ds}/{model}.parquet"
    pred = run.table(prel)
    out = {"dataset": label(ds), "model": label(ds, model), "target": f"{code(meta['target'])}",
           "rows": fact(len(pred), ",d", table=prel, agg="count")}
    auc_v, out["roc_auc"] = run.metric(ds, model, "roc_auc")
    ap_v, out["average_precision"] = run.metric(ds, model, "average_precision")
    _, out["accuracy"] = run.metric(ds, model, "accuracy")
    if len(classes) == 2:
        neg, pos = classes
        n = lambda t, p: fact(int(((pred.y_true == t) & (pred.y_pred == p)).sum()), ",d", table=prel,  # noqa: E731
                              where={"y_true": t, "y_pred": p}, agg="count")
        npos = fact(int((pred.y_true == 1).sum()), ",d", table=prel, where={"y_true": 1}, agg="count")
        nneg = fact(int((pred.y_true == 0).sum()), ",d", table=prel, where={"y_true": 0}, agg="count")
        P, N = md_escape(pos), md_escape(neg)
        out["confusion"] = (f"Of the {npos} test rows that are *{P}*, the model finds {n(1, 1)} (true positives) and "
                            f"misses {n(1, 0)} (false negatives); of the {nneg} that are *{N}*, it keeps {n(0, 0)} "
                            f"(true negatives) and wrongly calls {n(0, 1)} *{P}* (false positives).")
        prev_v = float((pred.y_true == 1).mean())
        out["prevalence"] = fact(prev_v, ".2f", table=prel, where={"y_true": 1}, agg="share")
        out["positive"] = f"*{P}*"
        trap_v, out["trapezoid"] = run.metric(ds, model, "pr_auc_trapezoid")
        if trap_v is not None and ap_v is not None:
            out["trapezoid_reading"] = (
                f"The trapezoid area under the same curve, the number the tutorial reports, is {out['trapezoid']}, "
                + ("higher than average precision: linear interpolation between the curve's points is optimistic, "
                   "which is why scikit-learn recommends average precision." if trap_v > ap_v else
                   "not higher than average precision this time, although linear interpolation between the curve's "
                   "points usually is optimistic."))
        else:
            out["trapezoid_reading"] = ""
        if ap_v is not None:
            ratio = ap_v / prev_v if prev_v else float("inf")
            out["pr_reading"] = ("far above" if ratio >= 2 else "above" if ratio >= 1.2 else "close to")
    else:
        out["confusion"] = ("The diagonal holds the correct predictions of each class; everything off it is an "
                            "error.")
        out["prevalence"] = out["positive"] = out["trapezoid"] = out["trapezoid_reading"] = out["pr_reading"] = ""
    if auc_v is not None:
        out["roc_reading"] = ("separates the classes almost perfectly" if auc_v >= 0.95 else
                              "separates the classes well" if auc_v >= 0.9 else
                              "ranks most positives above most negatives, with clear room to improve" if auc_v >= 0.8
                              else "separates the classes only moderately" if auc_v >= 0.7 else
                              "is a weak ranker, not far from guessing")
    out["binary"] = len(classes) == 2
    return out


def classification_table(run: Run) -> str:
    m = run.table("metrics.parquet")
    m = m[m.split == "test"]
    cls = m[m.metric == "roc_auc"][["dataset", "model"]].drop_duplicates()
    rows = ["| Dataset | Model | Accuracy | Balanced accuracy | ROC AUC | Average precision |",
            "|:---|:---|---:|---:|---:|---:|"]
    for ds, mod in cls.itertuples(index=False):
        cells = [run.metric(ds, mod, k)[1] for k in ("accuracy", "balanced_accuracy", "roc_auc", "average_precision")]
        rows.append(f"| `{ds}` | `{mod}` | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def neural_facts(run: Run, ns: dict) -> dict:
    """ns: the dataset and the sanity threshold of config `neural` (rules/report.smk passes them)."""
    ds = ns["dataset"]
    ndir = f"neural/{ds}"
    out = {"dataset": f"`{ds}`"}
    layers = run.table(f"{ndir}/layers.parquet")
    lrel = f"{ndir}/layers.parquet"
    out["parameters"] = fact(int(layers["parameters"].sum()), ",d", table=lrel, col="parameters", agg="sum")
    out["layers"] = fact(len(layers), "d", table=lrel, agg="count")
    rows = ["| Layer | Type | Output shape | Parameters |", "|:---|:---|:---|---:|"]
    for r in layers.itertuples():
        rows.append(f"| {code(r.layer)} | {fact(None, table=lrel, where={'layer': r.layer}, col='type', text=r.type)} | "
                    f"{fact(None, table=lrel, where={'layer': r.layer}, col='output_shape', text=r.output_shape)} | "
                    f"{fact(int(r.parameters), ',d', table=lrel, where={'layer': r.layer}, col='parameters')} |")
    out["layer_table"] = "\n".join(rows)
    # training curves
    hrel = f"{ndir}/history.parquet"
    h = run.table(hrel)
    epochs = int(h["step"].max()) + 1
    out["epochs"] = fact(epochs, "d", table=hrel, col="step", agg="max+1")

    def last(split, metric):
        v = float(h[(h.split == split) & (h.metric == metric)].sort_values("step")["value"].iloc[-1])
        return v, fact(v, ".1%", table=hrel, where={"split": split, "metric": metric}, agg="last")

    tr_acc_v, out["train_accuracy"] = last("train", "accuracy")
    va_acc_v, out["val_accuracy"] = last("validation", "accuracy")
    vl = h[(h.split == "validation") & (h.metric == "loss")].sort_values("step")
    best = int(vl.loc[vl["value"].idxmin(), "step"])
    out["best_epoch"] = fact(best + 1, "d", table=hrel, where={"split": "validation", "metric": "loss"},
                             col="step", agg="argmin+1")
    last_loss, min_loss = float(vl["value"].iloc[-1]), float(vl["value"].min())
    if best + 1 < epochs and last_loss > 1.1 * min_loss:
        out["curve_reading"] = ("After that the validation loss rises again while the training loss keeps falling: "
                                "the network starts to memorise the training images, and fewer epochs (or early "
                                "stopping) would do as well.")
    else:
        out["curve_reading"] = "The validation loss stays near its minimum to the end: no sign of overfitting yet."
    gap = tr_acc_v - va_acc_v
    out["gap_reading"] = ("Training and validation accuracy end close together." if abs(gap) < 0.02 else
                          "Training accuracy ends above validation accuracy, the usual gap of a model that fits its "
                          "training data more closely than new data." if gap > 0 else
                          "Validation accuracy ends above training accuracy (dropout-free small networks can show "
                          "this when the validation images are easier).")
    _, out["accuracy"] = run.metric(ds, "cnn", "accuracy", ".1%")
    prel = f"predictions/{ds}/cnn.parquet"
    pred = run.table(prel)
    wrong = pred[pred.y_true != pred.y_pred]
    if len(wrong):
        pair = wrong.groupby(["y_true", "y_pred"]).size().sort_values(ascending=False, kind="stable")
        (t, p), count = pair.index[0], int(pair.iloc[0])
        out["confused"] = (f"The most frequent mistake is class `{t}` read as `{p}` "
                           f"({fact(count, 'd', table=prel, where={'y_true': t, 'y_pred': p}, agg='count')} "
                           f"{'time' if count == 1 else 'times'}).")
    else:
        out["confused"] = "It makes no mistake on the test images."
    # Grad-CAM sanity checks (the CNN's metrics part)
    mm = lambda k, f: run.metric(ds, "cnn", k, f)  # noqa: E731
    rho_v, out["rank_correlation"] = mm("gradcam_randomization_spearman_mean", ".2f")
    thr = ns["max_rank_correlation"]
    out["threshold"] = fact(thr, ".2f", table="config", where={"key": "neural.sanity.max_rank_correlation"})
    out["randomization_reading"] = (
        "below the threshold, so the maps depend on what the network learned: the check passes" if rho_v is not None
        and rho_v < thr else "not below the threshold, so the maps look much the same without the learned weights: "
        "the check fails and the heatmaps should not be trusted")
    sal_v, out["drop_salient"] = mm("gradcam_deletion_drop_salient", ".2f")
    rnd_v, out["drop_random"] = mm("gradcam_deletion_drop_random", ".2f")
    _, out["deletion_fraction"] = mm("gradcam_deletion_fraction", ".0%")
    _, out["salient_wins"] = mm("gradcam_deletion_salient_wins", ".0%")
    out["deletion_reading"] = ("Masking the pixels Grad-CAM marks hurts the prediction more than masking random ones, "
                               "so the highlighted regions do carry the evidence." if sal_v is not None and rnd_v is not None
                               and sal_v > rnd_v else
                               "Masking the pixels Grad-CAM marks hurts no more than masking random ones, so the "
                               "highlighted regions are not where the evidence is.")
    return out


def resnet_block(run: Run, plan: list[dict]) -> str:
    figs = [p for p in plan if p["block"] == "neural_more"]
    if not figs:
        return ""
    rel = "neural/resnet50/top_classes.parquet"
    top = run.table(rel).sort_values("rank")
    first = top.iloc[0]
    return (f"The tutorial's own example, ResNet50 on a photograph, is in @{figs[0]['id']}: the network's top class "
            f"is {fact(None, table=rel, where={'rank': 1}, col='label', text=str(first['label']))} with probability "
            f"{fact(float(first['probability']), '.2f', table=rel, where={'rank': 1}, col='probability')}.\n\n"
            f"![Grad-CAM of ResNet50 for its top class on the sample photograph.]({figs[0]['file']}){{#{figs[0]['id']}}}\n")


def more_block(plan: list[dict], block: str, intro: str) -> str:
    figs = [p for p in plan if p["block"] == block]
    if not figs:
        return ""
    lines = [intro.format(refs=join_and([f"@{p['id']}" for p in figs])) + "\n"]
    for p in figs:
        lines.append(f"![{caption_from_name(p)}]({p['file']}){{#{p['id']}}}\n")
    return "\n".join(lines)


CAPTION_KINDS = {"impurity": "Impurity importance", "permutation": "Permutation importance",
                 "confusion_matrix": "Confusion matrix", "roc": "ROC curve", "pr": "Precision-recall curve",
                 "coefficients": "Coefficients", "residuals": "Residuals against predictions",
                 "residual_distribution": "Distribution of the residuals", "beeswarm": "SHAP beeswarm",
                 "bar": "Mean |SHAP| per feature"}


def caption_from_name(p: dict) -> str:
    what = CAPTION_KINDS.get(p["kind"], md_escape(p["kind"].replace("_", " ")).capitalize())
    if p["dataset"]:
        return f"{md_escape(what)} of the `{p['model']}` model on the `{p['dataset']}` data."
    return f"{md_escape(what)} (`{p['name']}`)."


def colophon(provenance: dict, packages: dict) -> dict:
    commit, dirty = provenance["commit"], provenance["dirty"]
    rows = ["| Package | Version |", "|:---|:---|"]
    rows += [f"| {md_escape(k)} | {md_escape(v)} |" for k, v in sorted(packages.items())]
    return {
        "commit": f"`{commit}`",
        "dirty": (" The working tree had uncommitted changes, so the commit alone does not reproduce it." if dirty
                  else " The working tree had no uncommitted changes."),
        "config_hash": f"`{provenance['config_hash']}`",
        "packages": "\n".join(rows),
    }
