"""What a careful reader checks in an article of the run, as functions every test of an article uses
(the demo, the Kaggle files, the data zoo):

- every number and name in a fact span is the one its table holds (looked up again here);
- every claim the article's sentences rest on is recomputed here from the tables, by code of its own
  (not mlviz.article.claims), and must agree; every sentence shown under a claim must be shown rightly;
- the article names no data other than its own;
- the PDF: no page more than half blank but the last, no text outside the page.
"""
from __future__ import annotations

import base64
import html
import json
import math
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import yaml


# =========================================================================== HTML parsing
class Article(HTMLParser):
    """The parts of article.html the tests look at."""

    SKIP = {"code", "script", "style", "nav", "header"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.images: list[bytes] = []
        self.facts: list[dict] = []
        self.conditions: list[dict] = []  # visible spans shown under a claim: {when|unless, text}
        self.captions: list[str] = []
        self.table_captions: list[str] = []
        self.xrefs: list[str] = []
        self.ids: set[str] = set()
        self.enclosing: dict[str, set[str]] = {}  # id -> the ids of the elements around it
        self.untraced: list[str] = []
        self.text_parts: list[str] = []
        self.prose_parts: list[str] = []  # the running text: no code, styles, scripts, navigation
        self._stack: list[tuple[str, set, dict]] = []
        self._fact: dict | None = None
        self._capture: list | None = None
        self._colophon = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if a.get("id"):
            self.ids.add(a["id"])
            self.enclosing[a["id"]] = {x["id"] for _, _, x in self._stack if x.get("id")}
            if a["id"] == "colophon":
                self._colophon = True
        if tag == "img":
            m = re.match(r"data:image/png;base64,(.*)", a.get("src", ""), re.S)
            self.images.append(base64.b64decode(m.group(1)) if m else a.get("src", "").encode())
            return
        if tag == "a" and "quarto-xref" in classes:
            self.xrefs.append(a.get("href", ""))
        if tag == "span" and "fact" in classes:
            self._fact = {**{k.removeprefix("data-"): v for k, v in a.items() if k != "class"}, "text": ""}
        for key in ("data-when-meta", "data-unless-meta"):
            if key in a and a[key].startswith("claims."):
                self.conditions.append({"kind": key[5:9], "claim": a[key][len("claims."):]})
        if tag in ("figcaption", "caption"):
            self._capture = []
        self._stack.append((tag, classes, a))

    def handle_endtag(self, tag):
        while self._stack:
            t, classes, _ = self._stack.pop()
            if t == "span" and "fact" in classes and self._fact is not None:
                self.facts.append(self._fact)
                self._fact = None
            if t in ("figcaption", "caption") and self._capture is not None:
                (self.captions if t == "figcaption" else self.table_captions).append("".join(self._capture).strip())
                self._capture = None
            if t == tag:
                break

    def handle_data(self, data):
        self.text_parts.append(data)
        if self._fact is not None:
            self._fact["text"] += data
        if self._capture is not None:
            self._capture.append(data)
        inside = {t for t, _, _ in self._stack}
        if not inside & self.SKIP:
            self.prose_parts.append(data)
        classes = set().union(*(c for _, c, _ in self._stack)) if self._stack else set()
        if (self._fact is None and not self._colophon and not inside & self.SKIP and "quarto-xref" not in classes
                and "caption-label" not in classes and "header-section-number" not in classes
                and "title" not in inside and "toc-section-number" not in classes):
            # A number standing on its own (not part of a word such as F1 or R²), caption labels aside.
            text = re.sub(r"^\s*(Figure|Table)\xa0\d+:", "", data)
            if re.search(r"(?<![A-Za-z_\d])[−-]?\d", text):
                self.untraced.append(data.strip())

    @property
    def text(self) -> str:
        return "".join(self.text_parts)

    @property
    def prose(self) -> str:
        return "".join(self.prose_parts)


def article(run_dir: Path) -> Article:
    return Article((run_dir / "report" / "article.html").read_text())


def facts_file(run_dir: Path) -> dict:
    return yaml.safe_load((run_dir / "report" / "facts.yml").read_text())


def resolved_config(run_dir: Path) -> dict:
    return yaml.safe_load((run_dir / "config.resolved.yaml").read_text())


# =========================================================================== facts, looked up again
def _rank_order(df: pd.DataFrame) -> pd.DataFrame:
    """The importance order, written again: coefficients by magnitude, every other method by value."""
    key = df["value"].abs() if (df["method"] == "coefficient").all() else df["value"]
    return df.assign(_k=-key).sort_values(["_k", "feature"], kind="mergesort")


NOISE_SDS = 2.0


def lookup(run_dir: Path, f: dict, config: dict, tables: dict | None = None):
    """The value a fact span names, read from its table independently of the report's code.
    `tables`: parquet files already read (path -> frame, never modified here)."""
    table, col = f["table"], f.get("col", "value")
    where = dict(kv.split("=", 1) for kv in f["where"].split(";")) if f.get("where") else {}
    if table == "config":
        node = config
        for key in where["key"].split("."):
            node = node[key]
        return node
    path = run_dir / table
    if path.suffix == ".json":
        node = json.loads(path.read_text())
        for key in col.split("."):
            node = node[key]
        if "key" in where:
            node = node[where["key"]]
        if "field" in where:  # a dropped column's reason: one of its numbers
            node = node[where["field"]]
        agg = f.get("agg") or ""
        if agg.startswith("item"):
            return node[int(agg[4:])]
        if agg == "len":
            return len(node)
        if agg == "len_beyond":
            return len(node) - int(f["rank"])
        if agg == "min_rows":
            return min(config["figures"]["trust"]["deletion"]["rows"], node)
        return node
    tables = {} if tables is None else tables
    if path not in tables:
        tables[path] = pd.read_parquet(path)
    df = tables[path]
    if df.index.name:
        df = df.reset_index()
    for k, v in where.items():
        df = df[df[k].astype(str) == v]
    agg = f.get("agg")
    if agg == "count":
        return len(df)
    if agg == "models":
        return len(df[["dataset", "model"]].drop_duplicates())
    if agg == "count_noise":
        return int((df["value"] <= NOISE_SDS * df["spread"]).sum())
    if agg == "count_noise_beyond":
        return int((df["value"] <= NOISE_SDS * df["spread"]).sum()) - int(f["rank"])
    if agg in ("count_no_signal", "count_no_signal_beyond"):
        # diagnostics/<ds>/<model>/permutation.parquet: no signal (within noise, or no larger than
        # what one changed row makes), redundant features apart (they are named as a group)
        groups = pd.read_parquet(path.parents[1] / "redundancy_groups.parquet")
        # a drop equal to the floor (within rounding: 1e-12 of it) is what one row makes, not beyond it
        floor = df["floor"].fillna(-np.inf)
        quiet = df[(df["value"] <= NOISE_SDS * df["spread"])
                   | (df["value"] - floor <= 1e-12 * np.maximum(1.0, df["value"].abs()))]
        n = int((~quiet["feature"].isin(set(groups["feature"]))).sum())
        return n - int(f["rank"]) if agg.endswith("_beyond") else n
    if agg == "count_weak_beyond":
        return int((df["value"].abs() < 2 * df["spread"]).sum()) - int(f["rank"])
    if agg == "share":
        return len(df) / len(tables[path])
    if agg == "rank":
        return _rank_order(df)[col].iloc[int(f["rank"]) - 1]
    if "-" in col and col not in df.columns:
        a, b = col.split("-")
        series = df[a] - df[b]
    else:
        series = df[col]
    if agg is None:
        assert len(series) == 1, f"{f}: {len(series)} rows match"
        return series.iloc[0]
    if agg == "negate":
        assert len(series) == 1
        return -series.iloc[0]
    if agg == "last":
        return df.sort_values("step")[col].iloc[-1]
    if agg == "max+1":
        return series.max() + 1
    if agg == "argmin+1":
        return int(df.loc[df["value"].idxmin(), "step"]) + 1
    return getattr(series, agg)()


def check_facts(run_dir: Path) -> tuple[list[str], list[dict]]:
    config = resolved_config(run_dir)
    doc = article(run_dir)
    wrong, tables = [], {}
    for f in doc.facts:
        value = lookup(run_dir, f, config, tables)
        expected = format(value, f["fmt"]) if f.get("fmt") else str(value)
        if re.sub(r"\s+", " ", html.unescape(f["text"])) != expected:
            wrong.append(f"{f['text']!r} != {expected!r} for {f}")
    return wrong, doc.facts


# =========================================================================== claims, recomputed
def _unique_top(values) -> bool:
    v = list(values)
    return len(v) == 1 or (len(v) > 1 and v[0] > v[1])


def _interval(run_dir, ds, model, metric):
    t = pd.read_parquet(run_dir / f"comparison/{ds}/metrics.parquet")
    return t[(t.model == model) & (t.metric == metric)].iloc[0]


def _diff(run_dir, ds, a, b, metric):
    """Paired interval of a − b (the table holds each pair once)."""
    t = pd.read_parquet(run_dir / f"comparison/{ds}/differences.parquet")
    t = t[t.metric == metric]
    row = t[(t.model_a == a) & (t.model_b == b)]
    if len(row):
        return float(row.lower.iloc[0]), float(row.upper.iloc[0])
    row = t[(t.model_a == b) & (t.model_b == a)]
    return -float(row.upper.iloc[0]), -float(row.lower.iloc[0])


def _imp(run_dir, ds, model, method) -> pd.DataFrame:
    t = pd.read_parquet(run_dir / "importances.parquet")
    return _rank_order(t[(t.dataset == ds) & (t.model == model) & (t.method == method)]).reset_index(drop=True)


def recompute(run_dir: Path, sections: dict, config: dict) -> dict:
    """Every claim of the article, from the tables, by this test's own reading of them."""
    R = config["report"]["readings"]  # the thresholds, from the run's config: not from mlviz.article.claims
    out = {}
    metrics = pd.read_parquet(run_dir / "metrics.parquet")
    m = lambda ds, mod, k: float(metrics[(metrics.dataset == ds) & (metrics.model == mod)  # noqa: E731
                                         & (metrics.metric == k)].value.iloc[0])
    if "tree" in sections:
        ds, model = sections["tree"]
        meta = json.loads((run_dir / f"data/{ds}/meta.json").read_text())
        if meta["task"] == "regression":
            out["tree"] = {"regression": True, "beats_mean": _interval(run_dir, ds, model, "r2").lower > 0}
        else:
            y = pd.read_parquet(run_dir / f"predictions/{ds}/{model}.parquet").y_true
            counts = sorted(y.value_counts().tolist(), reverse=True)
            share = counts[0] / len(y)
            acc = _interval(run_dir, ds, model, "accuracy")
            out["tree"] = {"regression": False, "majority_unique": len(counts) == 1 or counts[0] > counts[1],
                           "above_baseline": acc.lower > share, "below_baseline": acc.upper < share,
                           "indistinct": acc.lower <= share <= acc.upper}
    if "importance" in sections:
        ds, model = sections["importance"]
        perm, imp = _imp(run_dir, ds, model, "permutation"), _imp(run_dir, ds, model, "impurity")
        noise = perm.value <= NOISE_SDS * perm.spread
        clear = _unique_top(perm.value) and not noise.iloc[0]
        c = {"has_impurity": len(imp) > 0, "permutation_leader_clear": clear, "has_noise": bool(noise.any()),
             "all_noise": bool(noise.all()), "some_noise": bool(noise.any() and not noise.all()),
             "has_drop": bool((perm.value > 0).any()), "has_negative": bool((perm.value < 0).any())}
        c["unclear_drop"] = c["has_drop"] and not clear
        if len(imp):
            lead = _unique_top(imp.value)
            c["same_leader"] = lead and clear and imp.feature[0] == perm.feature[0]
            c["different_leader"] = lead and clear and imp.feature[0] != perm.feature[0]
            top = set(imp.feature[:config["report"]["top_k"]])
            c["impurity_top_noisy"] = bool(top & set(perm.feature[noise]))
        out["importance"] = c
    if "shap" in sections:
        ds, model = sections["shap"]
        values = pd.read_parquet(run_dir / f"shap/{ds}/{model}/values.parquet")
        mean = _imp(run_dir, ds, model, "mean_abs_shap")
        lead = mean.feature[0]
        x, s = values[f"x:{lead}"], values[f"shap:{lead}"]
        rho = x.rank().corr(s.rank()) if x.nunique() > 1 and s.nunique() > 1 else 0.0
        row = values.loc[config["figures"]["shap"]["instances"][0]]
        contrib = np.array([row[f"shap:{f}"] for f in mean.feature])
        c = {"leader_unique": _unique_top(mean.value), "direction_up": rho > R["shap_direction"],
             "direction_down": rho < -R["shap_direction"], "direction_mixed": abs(rho) <= R["shap_direction"],
             "has_push_up": bool((contrib > 0).any()), "has_push_down": bool((contrib < 0).any()),
             "additivity_passed": json.loads((run_dir / f"shap/{ds}/{model}/summary.json").read_text())["additivity"]["passed"]}
        # XGBoost's margins are log-odds for two classes only; with more, a softmax turns them into probabilities.
        dmeta = json.loads((run_dir / f"data/{ds}/meta.json").read_text())
        c["softmax_margin"] = (config["datasets"][ds]["models"][model]["type"] == "xgboost"
                               and dmeta["task"] == "classification" and len(dmeta["classes"]) > 2)
        perm = _imp(run_dir, ds, model, "permutation")
        if len(perm):
            clear = _unique_top(perm.value) and not (perm.value[0] <= NOISE_SDS * perm.spread[0])
            c["agrees_with_permutation"] = c["leader_unique"] and clear and perm.feature[0] == lead
            c["differs_from_permutation"] = c["leader_unique"] and clear and perm.feature[0] != lead
        out["shap"] = c
    if "lime" in sections:
        ds, model, rows = sections["lime"]
        base = run_dir / f"lime/{ds}/{model}"
        exp = pd.read_parquet(base / f"test{rows[0]}/explanation.parquet")
        jac = float(pd.read_parquet(base / f"test{rows[0]}/agreement.parquet").mean_jaccard.iloc[0])
        probs = {c[6:]: exp[c].iloc[0] for c in exp.columns if c.startswith("proba_")}
        c = {"explains_predicted": exp["class"].iloc[0] == max(probs, key=probs.get),
             "stable": jac >= R["lime_stable"], "partly_stable": R["lime_partly_stable"] <= jac < R["lime_stable"],
             "unstable": jac < R["lime_partly_stable"], "has_support": bool((exp.weight > 0).any()),
             "has_against": bool((exp.weight < 0).any())}
        if len(rows) > 1:
            other = pd.read_parquet(base / f"test{rows[1]}/explanation.parquet").set_index("feature").weight
            a = exp.set_index("feature").weight
            common = a.index.intersection(other.index)
            flipped = [f for f in common if a[f] * other[f] < 0]
            c.update(rows_flip=bool(flipped), rows_share=len(common) > 0 and not flipped)
        out["lime"] = c
    if "linear" in sections:
        ds, model = sections["linear"]
        coef = _imp(run_dir, ds, model, "coefficient")
        c = {"has_weak": bool((coef.value.abs() < 2 * coef.spread).any()), "has_positive": bool((coef.value > 0).any()),
             "has_negative": bool((coef.value < 0).any())}
        others = metrics[(metrics.dataset == ds) & (metrics.metric == "r2") & (metrics.model != model)]
        c["has_other"] = len(others) > 0
        if len(others):
            best = others.sort_values(["value", "model"], ascending=[False, True]).model.iloc[0]
            lo, hi = _diff(run_dir, ds, model, best, "r2")
            c.update(better_than_best=lo > 0, worse_than_best=hi < 0, same_as_best=lo <= 0 <= hi)
        pred = pd.read_parquet(run_dir / f"predictions/{ds}/{model}.parquet")
        res = pred.y_true - pred.y_pred
        gap = (res.mean() - res.median()) / res.std()
        c.update(right_skewed=gap > R["residual_skew"], left_skewed=gap < -R["residual_skew"], symmetric=abs(gap) <= R["residual_skew"])
        # The unit of each coefficient: standardised (meta's scale), 0/1 in both splits, or a number.
        scale = json.loads((run_dir / f"data/{ds}/meta.json").read_text())["scale"] or {}
        splits = [pd.read_parquet(run_dir / f"data/{ds}/{s}.parquet") for s in ("train", "test")]
        # A one-hot level compares with its column's dropped reference level, when the recipe drops one.
        one_hot = config["datasets"][ds]["preprocess"]["one_hot"]
        compared = {f for f in coef.feature for col, spec in one_hot.items()
                    if f.startswith(f"{col} = ") and f not in one_hot and ("drop" in spec or spec.get("drop_first"))}
        kinds = {f: "scaled" if f in scale else "level" if f in compared else
                 "yes_no" if all(set(d[f].dropna().unique()) <= {0, 1} for d in splits) else "number"
                 for f in coef.feature}
        c.update(all_scaled=set(kinds.values()) == {"scaled"}, none_scaled="scaled" not in kinds.values(),
                 unscaled_levels="level" in kinds.values(), unscaled_yes_no="yes_no" in kinds.values(),
                 unscaled_numbers="number" in kinds.values())
        out["linear"] = c
    if "effects" in sections:
        ds, model = sections["effects"]
        s = pd.read_parquet(run_dir / f"effects/{ds}/{model}/summary.parquet")
        shown = s[s.shown]
        out["effects"] = {"all_monotone": bool(shown.monotone.isin(["increasing", "decreasing"]).all())}
    if "performance" in sections:
        ds, model = sections["performance"]
        meta = json.loads((run_dir / f"data/{ds}/meta.json").read_text())
        auc = m(ds, model, "roc_auc")
        bands = [(R[f"auc_{n}"], n) for n in ("excellent", "good", "fair", "moderate")] + [(-1, "weak")]
        band = next(n for b, n in bands if auc >= b)
        c = {"binary": len(meta["classes"]) == 2, **{f"auc_{n}": n == band for _, n in bands}}
        if c["binary"]:
            pred = pd.read_parquet(run_dir / f"predictions/{ds}/{model}.parquet")
            ratio = m(ds, model, "average_precision") / (pred.y_true == 1).mean()
            c.update(ap_far_above=ratio >= R["ap_far_above"], ap_above=R["ap_above"] <= ratio < R["ap_far_above"],
                     ap_close=ratio < R["ap_above"],
                     trapezoid_above_ap=m(ds, model, "pr_auc_trapezoid") > m(ds, model, "average_precision"))
            c["trapezoid_not_above_ap"] = not c["trapezoid_above_ap"]
        out["performance"] = c
    if "threshold" in sections:
        ds, model = sections["threshold"]
        s = json.loads((run_dir / f"threshold/{ds}/{model}.json").read_text())
        table = pd.read_parquet(run_dir / f"threshold/{ds}/{model}.parquet")
        assert s["best_f1"] == table.f1.max(), "the F1-best threshold is not the table's best F1"
        moved = abs(s["best_f1_threshold"] - 0.5) > R["threshold_move"]
        gain = s["f1_at_best"] - s["f1_at_default"] > R["f1_gain"]
        out["threshold"] = {"default_near_best": not (moved and gain)}
    if "comparison" in sections:
        ds, metric = sections["comparison"]
        t = pd.read_parquet(run_dir / f"comparison/{ds}/metrics.parquet")
        t = t[t.metric == metric].sort_values(["value", "model"], ascending=[metric in ("rmse", "mae", "brier"), True])
        leader, others = t.model.iloc[0], t.model.iloc[1:].tolist()
        beaten = [o for o in others if _diff(run_dir, ds, leader, o, metric)[0] > 0]
        tied = len(t) > 1 and t.value.iloc[0] == t.value.iloc[1]
        out["comparison"] = {"several": len(t) > 1, "beats_all": bool(others) and not tied and beaten == others,
                             "beats_some": 0 < len(beaten) < len(others) and not tied,
                             "beats_none": bool(others) and not beaten}
    if "calibration" in sections:
        ds, cls = sections["calibration"]
        s = pd.read_parquet(run_dir / f"calibration/{ds}/scores.parquet")
        s = s[s["class"] == cls]
        well = (s.ece <= R["well_calibrated_ece"])
        briers = sorted(s.brier)
        out["calibration"] = {"all_well": bool(well.all()), "none_well": not well.any(),
                              "some_well": bool(well.any() and not well.all()),
                              "best_unique": len(briers) == 1 or briers[0] < briers[1]}
    if "trust" in sections:
        ds, deletion = sections["trust"]
        path = run_dir / f"trust/{ds}/agreement.parquet"
        agree = pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=["model", "spearman"])
        c = {"has_agreement": len(agree) > 0, "has_deletion": deletion is not None}
        if len(agree):
            n = agree.groupby("model").size()
            model = sorted(n.index, key=lambda k: (-n[k], k))[0]
            rho = agree[agree.model == model].spearman.dropna()
            c.update(methods_agree=len(rho) > 0 and bool((rho >= R["methods_agree"]).all()),
                     methods_disagree=bool((rho < R["methods_disagree"]).any()))
        if deletion:
            a = pd.read_parquet(run_dir / f"trust/{deletion[0]}/{deletion[1]}/deletion_area.parquet").set_index("order").area
            c["shap_faithful"] = bool(a["shap"] > a["random"])
        out["trust"] = c
    return out


def check_claims(run_dir: Path) -> list[str]:
    """Claims of the facts file against this module's own reading of the tables, and every sentence
    the HTML shows under a claim against that claim's truth."""
    facts = facts_file(run_dir)
    meta, config = facts["metadata"], resolved_config(run_dir)
    # The colophon's claim is set when the article is rendered, from the provenance the manifest records.
    dirty = bool(pd.read_parquet(run_dir / "manifest.parquet", columns=["git_dirty"])["git_dirty"].iloc[0])
    written = {**meta["claims"], "colophon": {"dirty": dirty}}
    sections = sections_of(run_dir, meta, config)
    problems = []
    for section, claims in recompute(run_dir, sections, config).items():
        for name, truth in claims.items():
            if section not in written or name not in written[section]:
                problems.append(f"claim {section}.{name} is missing from the facts")
            elif bool(written[section][name]) != bool(truth):
                problems.append(f"claim {section}.{name}: the article says {written[section][name]}, the tables "
                                f"say {bool(truth)}")
    for cond in article(run_dir).conditions:
        section, name = cond["claim"].split(".", 1)
        value = written.get(section, {}).get(name)
        if value is None:
            problems.append(f"a sentence is shown under claims.{cond['claim']}, which the facts do not hold")
        elif (cond["kind"] == "when") != bool(value):
            problems.append(f"a sentence is shown {cond['kind']} claims.{cond['claim']}, which is {value}")
    return problems


def sections_of(run_dir: Path, meta: dict, config: dict) -> dict:
    """Which (dataset, model) each section read, from the article's own subjects and the config."""
    from mlviz.config import selection

    out = {}
    facts = facts_file(run_dir)["variables"]
    plain = lambda s: re.sub(r"[`*\\]", "", s)  # noqa: E731
    for key in ("tree", "importance", "shap", "linear", "effects", "performance", "threshold"):
        if meta.get(f"has_{key}"):
            out[key] = (plain(facts[key]["dataset"]), plain(facts[key]["model"]))
    if meta.get("has_lime"):
        out["lime"] = (plain(facts["lime"]["dataset"]), plain(facts["lime"]["model"]), config["figures"]["lime"]["rows"])
    if meta.get("has_comparison"):
        ds = plain(facts["comparison"]["dataset"])
        out["comparison"] = (ds, "roc_auc" if config["datasets"][ds]["task"] == "classification" else "r2")
    if meta.get("has_calibration"):
        ds = plain(facts["calibration"]["dataset"])
        classes = config["datasets"][ds]["target"]["classes"]
        out["calibration"] = (ds, classes[1] if len(classes) == 2 else "all")
    if meta.get("has_trust"):
        ds = plain(facts["trust"]["dataset"])
        deletion = None
        if "deletion_model" in facts["trust"]:
            deletion = (selection.entries(config, "shap")[0])
        out["trust"] = (ds, deletion)
    return out


# =========================================================================== other data's words
DEMO_AND_TUTORIAL_WORDS = ["applicant", "admission", "admit", "waitlist", "mba", "gpa", "gmat", "work_exp",
                           "insurance", "policy holder", "smoker", "charges", "kaggle", "medical"]


def foreign_words(run_dir: Path, own: set[str]) -> list[str]:
    """Words of the demo's or the tutorial's data in an article about other data (its own column
    names, labels and file names aside)."""
    text = re.sub(r"\s+", " ", article(run_dir).text).lower()
    found = []
    for word in DEMO_AND_TUTORIAL_WORDS:
        if any(word in o.lower() for o in own):
            continue
        if re.search(rf"\b{re.escape(word)}", text):
            found.append(word)
    return found


# =========================================================================== the PDF's pages
def pdf_pages(pdf: Path, dpi: int = 30) -> list[dict]:
    """Per page: the share of the text block (inside the 2 cm margins) in empty bands taller than
    4 % of it (the gaps between lines do not count), and the page's text boxes."""
    import tempfile

    from PIL import Image

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        # Plain PGM: 20 % less CPU than PNG, which pdftoppm would compress only for this loop to read.
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), f"{tmp}/p"], check=True, capture_output=True)
        for f in sorted(Path(tmp).glob("p-*.pgm")):
            a = np.asarray(Image.open(f).convert("L"))
            h = a.shape[0]
            used = (a[int(h * 20 / 297):int(h * 277 / 297)] < 235).any(axis=1)
            runs, run = [], 0
            for u in [*used, True]:
                if u:
                    if run:
                        runs.append(run)
                    run = 0
                else:
                    run += 1
            n = len(used)
            out.append({"empty": sum(r for r in runs if r >= 0.04 * n) / n})
    return out


def text_outside(pdf: Path) -> list[str]:
    """Words whose box lies (partly) outside the page, from pdftotext -bbox."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    bad = []
    for page in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', xml, re.S):
        w, h = float(page.group(1)), float(page.group(2))
        for m in re.finditer(r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*?)</word>',
                             page.group(3)):
            x0, y0, x1, y1 = map(float, m.groups()[:4])
            if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
                bad.append(m.group(5))
    return bad


def layout_problems(run_dir: Path) -> list[str]:
    pdf = run_dir / "report" / "article.pdf"
    pages = pdf_pages(pdf)
    # The last page may be short, and so may the body's last page when the colophon has a page of its own.
    last = subprocess.run(["pdftotext", "-f", str(len(pages)), "-l", str(len(pages)), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    body = pages[:-2] if last.lstrip().startswith("Colophon") else pages[:-1]
    problems = [f"page {i + 1} of {len(pages)} is {p['empty']:.0%} blank" for i, p in enumerate(body)
                if p["empty"] > 0.5]
    outside = text_outside(pdf)
    if outside:
        problems.append(f"text outside the page: {outside[:5]}")
    return problems


def glued_punctuation(run_dir: Path) -> list[str]:
    """A colon or semicolon with a word straight after it ("0.79:stable"): a space lost where two
    conditional sentences meet."""
    prose = re.sub(r"\s+", " ", article(run_dir).prose)
    return [m.group(0) for m in re.finditer(r"\S{0,12}(?<=[0-9A-Za-z)])[:;](?=[A-Za-z])\S{0,12}", prose)]


def colophon_is_last(run_dir: Path) -> bool:
    """No figure or table after the Colophon heading, in the PDF's text order."""
    text = subprocess.run(["pdftotext", str(run_dir / "report" / "article.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    tail = text[text.rfind("Colophon"):]
    return not re.search(r"(Figure|Table) \d+:", tail)


def finite(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def alt_text_problems(run_dir: Path) -> list[str]:
    """Every figure of the HTML has alt text for this run: not empty, no placeholder of an unknown
    variable, no name left out ("the top bar is .")."""
    html_text = (run_dir / "report" / "article.html").read_text()
    problems = []
    for tag in re.findall(r"<img [^>]*>", html_text):
        m = re.search(r'alt="([^"]*)"', tag)
        text = html.unescape(m.group(1)) if m else ""
        if not text.strip():
            problems.append(f"an image without alt text: {tag[:120]}")
        elif "?var" in text or re.search(r"\b(is|are|on) \.", text):
            problems.append(f"alt text with a placeholder or a missing name: {text!r}")
    return problems
