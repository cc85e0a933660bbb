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

import gating


# =========================================================================== HTML parsing
class Article(HTMLParser):
    """The parts of article.html the tests look at. Also fed the poor man's rendering of
    tests/qmdtext.py (the fast tests), which writes the same few elements."""

    SKIP = {"code", "script", "style", "nav", "header"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.images: list[bytes] = []
        self.facts: list[dict] = []
        self.conditions: list[dict] = []  # visible spans shown under a claim: {when|unless, text}
        self.blocks: list[dict] = []  # every element shown under a condition: kind, meta, text, atoms
        self.paragraphs: list[dict] = []  # {text, chapter}
        self.headings: list[dict] = []  # {level, text}
        self.captions: list[str] = []
        self.table_captions: list[str] = []
        self.figcaptions: list[dict] = []  # {text, ids: the ids around it, innermost last}
        self.tables: list[dict] = []  # {ids, headers}
        self.xrefs: list[str] = []
        self.ids: set[str] = set()
        self.enclosing: dict[str, set[str]] = {}  # id -> the ids of the elements around it
        self.untraced: list[str] = []
        self.text_parts: list[str] = []
        self.prose_parts: list[str] = []  # the running text: no code, styles, scripts, navigation
        self._stack: list[tuple[str, set, dict]] = []
        self._fact: dict | None = None
        self._code: list | None = None
        self._capture: list | None = None
        self._paragraph: list | None = None
        self._heading: list | None = None
        self._open_blocks: list[dict] = []
        self._colophon = False
        self._chapter = ""
        self.feed(text)

    def _ids(self) -> list[str]:
        return [x["id"] for _, _, x in self._stack if x.get("id")]

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
        if tag == "code":
            self._code = []
        block = None
        for key in ("data-when-meta", "data-unless-meta"):
            if key in a:
                block = {"kind": key[5:9], "meta": a[key], "parts": [], "atoms": [], "tag": tag}
                if a[key].startswith("claims."):
                    self.conditions.append({"kind": key[5:9], "claim": a[key][len("claims."):]})
        if block is not None:
            self.blocks.append(block)
            self._open_blocks.append(block)
        if tag in ("figcaption", "caption"):
            self._capture = []
        if tag == "p":
            self._paragraph = []
        if tag in ("h1", "h2"):
            self._heading = []
        if tag == "table":
            self.tables.append({"ids": self._ids(), "headers": []})
        self._stack.append((tag, classes, {**a, "_block": block}))

    def handle_endtag(self, tag):
        while self._stack:
            t, classes, a = self._stack.pop()
            if t == "span" and "fact" in classes and self._fact is not None:
                self.facts.append(self._fact)
                for b in self._open_blocks:
                    b["atoms"].append(("fact", self._fact["text"], self._fact))
                self._fact = None
            if t == "code" and self._code is not None:
                for b in self._open_blocks:
                    b["atoms"].append(("code", "".join(self._code), {}))
                self._code = None
            if t in ("figcaption", "caption") and self._capture is not None:
                text = "".join(self._capture).strip()
                (self.captions if t == "figcaption" else self.table_captions).append(text)
                self.figcaptions.append({"text": squeeze(text), "ids": [x["id"] for _, _, x in self._stack if x.get("id")]})
                self._capture = None
            if t == "p" and self._paragraph is not None:
                self.paragraphs.append({"text": squeeze("".join(self._paragraph)), "chapter": self._chapter})
                self._paragraph = None
            if t in ("h1", "h2") and self._heading is not None:
                text = re.sub(r"^[\d.]+\s+", "", squeeze("".join(self._heading)))
                self.headings.append({"level": int(t[1]), "text": text})
                if t == "h1":
                    self._chapter = text
                self._heading = None
            if a.get("_block") is not None:
                a["_block"]["text"] = squeeze("".join(a["_block"]["parts"]))
                self._open_blocks.remove(a["_block"])
            if t == tag:
                break

    def handle_data(self, data):
        self.text_parts.append(data)
        if self._fact is not None:
            self._fact["text"] += data
        if self._code is not None:
            self._code.append(data)
        if self._capture is not None:
            self._capture.append(data)
        if self._paragraph is not None:
            self._paragraph.append(data)
        if self._heading is not None:
            self._heading.append(data)
        for b in self._open_blocks:
            b["parts"].append(data)
        if self._stack and self._stack[-1][0] == "th" and self.tables:
            self.tables[-1]["headers"].append(data.strip())
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

    def shown(self, meta: str, kind: str = "when") -> list[dict]:
        """The elements shown under a condition ("claims.x.y" or a section flag "has_x")."""
        return [b for b in self.blocks if b["meta"] == meta and b["kind"] == kind]


def squeeze(text: str) -> str:
    """Text as a reader compares it: one space for any run of white space, straight apostrophes."""
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\xa0", " ")).strip()


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
    if agg == "count_weak_alone_beyond":  # coefficients within two standard errors, redundant features apart
        groups = path.parent / "diagnostics" / where["dataset"] / "redundancy_groups.parquet"
        grouped = set(pd.read_parquet(groups)["feature"]) if groups.exists() else set()
        weak = df[(df["value"].abs() < 2 * df["spread"]) & ~df["feature"].isin(grouped)]
        return len(weak) - int(f["rank"])
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


def check_facts(run_dir: Path, doc: Article | None = None) -> tuple[list[str], list[dict]]:
    config = resolved_config(run_dir)
    doc = doc or article(run_dir)
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


def _imp(run_dir, ds, model, method) -> pd.DataFrame:
    t = pd.read_parquet(run_dir / "importances.parquet")
    return _rank_order(t[(t.dataset == ds) & (t.model == model) & (t.method == method)]).reset_index(drop=True)


def _json(path: Path) -> dict:
    return json.loads(path.read_text())


# Claims that only say whether a part of a section is there (a second LIME row, a permutation table
# for the SHAP model): what they show is checked by the sentences they show, not recomputed.
SECTION_FLAGS: set[str] = set()


def recompute(run_dir: Path, sections: dict, config: dict) -> dict:
    """Every claim of the article, from the tables, by this test's own reading of them."""
    return expectations(run_dir, sections, config)[0]


def expectations(run_dir: Path, sections: dict, config: dict) -> tuple[dict, dict]:
    """(claims, subjects): every claim of the article and every name or number a sentence gives
    (a leader, a push, a model beaten, a class), from the tables by this module's own arithmetic,
    with the thresholds of the run's config (report.readings), never mlviz.article's code. The
    tables are read here; the reasoning on them is in the reading_* functions below, which the
    fast tests also run against mlviz.article.claims on tables of their own."""
    R = config["report"]["readings"]  # the thresholds, from the run's config: not from mlviz.article.claims
    out, E = {}, {}
    read = lambda rel: pd.read_parquet(run_dir / rel)  # noqa: E731
    metrics = read("metrics.parquet")
    metrics = metrics[metrics.split == "test"] if "split" in metrics else metrics
    models = metrics[["dataset", "model"]].drop_duplicates()
    out["intro"] = {"one_model": len(models) == 1, "neural": bool(sections.get("neural"))}
    sources = list(config["sources"].values())
    files = [s["path"] for s in sources if "path" in s]
    out["data"] = {"has_files": bool(files), "several_files": len(files) > 1,
                   "has_generated": any("generator" in s for s in sources)}
    if "tree" in sections:
        ds, model = sections["tree"]
        meta = _json(run_dir / f"data/{ds}/meta.json")
        c, e = reading_tree(read(f"predictions/{ds}/{model}.parquet"), read(f"comparison/{ds}/metrics.parquet"), model,
                            meta["task"], meta["classes"])
        c["depth_limited"] = bool(config["datasets"][ds]["models"][model]["params"].get("max_depth"))
        out["tree"], E["tree"] = c, e
    if "importance" in sections:
        ds, model = sections["importance"]
        perm, imp = _imp(run_dir, ds, model, "permutation"), _imp(run_dir, ds, model, "impurity")
        c, e = reading_importance(perm, imp, config["report"]["top_k"])
        out["importance"], E["importance"] = gating.importance(
            c, e, _rank_order(perm).reset_index(drop=True), _rank_order(imp).reset_index(drop=True) if len(imp) else None,
            config["report"]["top_k"], gating.found(run_dir, ds), model)
    if "shap" in sections:
        ds, model = sections["shap"]
        dmeta = _json(run_dir / f"data/{ds}/meta.json")
        # XGBoost's margins are log-odds for two classes only; with more, a softmax turns them into probabilities.
        softmax = (config["datasets"][ds]["models"][model]["type"] == "xgboost"
                   and dmeta["task"] == "classification" and len(dmeta["classes"]) > 2)
        out["shap"], E["shap"] = reading_shap(
            read(f"shap/{ds}/{model}/values.parquet"), _imp(run_dir, ds, model, "mean_abs_shap"),
            _imp(run_dir, ds, model, "permutation"), config["figures"]["shap"]["instances"][0],
            _json(run_dir / f"shap/{ds}/{model}/summary.json")["additivity"]["passed"], R,
            softmax=softmax, row_word=config["datasets"][ds]["describe"]["row"])
        instance = config["figures"]["shap"]["instances"][0]
        out["shap"], E["shap"] = gating.shap(out["shap"], E["shap"], gating.found(run_dir, ds), model, instance)
        values = read(f"shap/{ds}/{model}/values.parquet")
        out["shap"]["train_row"] = str(values.loc[instance, "split"]) == "train"
        # A push reads in the data's words: a yes/no column by its level (`sex` = male), a one-hot
        # level as its column = or ≠ the level (no value after it).
        info = dmeta.get("feature_info", {})
        for side in ("push_up", "push_down"):
            if side in E["shap"]:
                f, value, raw = E["shap"][side]
                kind = info.get(f, {}).get("kind")
                if kind in ("level", "rare_levels"):
                    level = info[f]["level"] if kind == "level" else info[f]["label"]
                    E["shap"][side] = (f"{info[f]['column']} {'=' if float(raw) >= 0.5 else '≠'} {level}", value, None)
                elif kind == "binary":
                    E["shap"][f"{side}_text"] = values.loc[instance, f"text:{f}"]
    if "lime" in sections:
        ds, model, rows = sections["lime"]
        base = f"lime/{ds}/{model}"
        out["lime"], E["lime"] = reading_lime(
            read(f"{base}/test{rows[0]}/explanation.parquet"), read(f"{base}/test{rows[0]}/agreement.parquet").iloc[0],
            read(f"{base}/test{rows[1]}/explanation.parquet") if len(rows) > 1 else None, R)
        out["lime"], E["lime"] = gating.lime(out["lime"], E["lime"], read(f"{base}/test{rows[0]}/explanation.parquet"),
                                             gating.found(run_dir, ds), model)
    if "linear" in sections:
        ds, model = sections["linear"]
        dmeta = _json(run_dir / f"data/{ds}/meta.json")
        splits = [read(f"data/{ds}/{s}.parquet") for s in ("train", "test") if (run_dir / f"data/{ds}/{s}.parquet").exists()]
        out["linear"], E["linear"] = reading_linear(
            _imp(run_dir, ds, model, "coefficient"), metrics[metrics.dataset == ds], model,
            read(f"comparison/{ds}/differences.parquet"), read(f"predictions/{ds}/{model}.parquet"),
            dmeta["scale"] or {}, dmeta.get("levels") or {}, splits, R)
        out["linear"], E["linear"] = gating.linear(out["linear"], E["linear"], gating.found(run_dir, ds), model)
    if "effects" in sections:
        ds, model = sections["effects"]
        summary = read(f"effects/{ds}/{model}/summary.parquet")
        out["effects"], E["effects"] = reading_effects(summary)
        out["effects"] = gating.effects(out["effects"], summary, gating.found(run_dir, ds), model)
    if "performance" in sections:
        ds, model = sections["performance"]
        out["performance"], E["performance"] = reading_performance(
            metrics[(metrics.dataset == ds) & (metrics.model == model)], read(f"predictions/{ds}/{model}.parquet"),
            _json(run_dir / f"data/{ds}/meta.json")["classes"], R)
    if "threshold" in sections:
        ds, model = sections["threshold"]
        out["threshold"] = reading_threshold(_json(run_dir / f"threshold/{ds}/{model}.json"), R)
    if "comparison" in sections:
        ds, metric = sections["comparison"]
        table = read(f"comparison/{ds}/metrics.parquet")
        out["comparison"], E["comparison"] = reading_comparison(table, read(f"comparison/{ds}/differences.parquet"), metric)
        out["comparison"], E["comparison"] = gating.comparison(out["comparison"], E["comparison"],
                                                               list(dict.fromkeys(table.model)), gating.found(run_dir, ds))
    if "calibration" in sections:
        ds, cls = sections["calibration"]
        out["calibration"], E["calibration"] = reading_calibration(read(f"calibration/{ds}/scores.parquet"), cls, R)
    if "trust" in sections:
        ds, deletion = sections["trust"]
        path = run_dir / f"trust/{ds}/agreement.parquet"
        agree = pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=["model", "spearman"])
        areas = read(f"trust/{deletion[0]}/{deletion[1]}/deletion_area.parquet") if deletion else None
        out["trust"], e = reading_trust(agree, areas, R)
        F = gating.found(run_dir, ds)
        out["trust"]["top_k_uninformative"] = bool(e) and F is not None and not F.informative("method_agreement",
                                                                                              e["model"])
        if e:
            E["trust"] = e
    if sections.get("neural"):
        ds = sections["neural"]["dataset"]
        cnn = metrics[(metrics.dataset == ds) & (metrics.model == "cnn")]
        out["neural"], E["neural"] = reading_neural(
            read(f"neural/{ds}/history.parquet"), cnn, read(f"predictions/{ds}/cnn.parquet"),
            config["neural"]["sanity"]["max_rank_correlation"], R)
    datasets = list(config["datasets"])
    out["checks"] = gating.checks_section(run_dir, datasets)
    first = sections.get("comparison", (None,))[0]
    out["glance"] = {"shown": first is not None and gating.found(run_dir, first) is not None}
    if "slices" in sections:
        out["slices"] = gating.slices(run_dir, *sections["slices"])
    manifest = run_dir / "manifest.parquet"
    if manifest.exists():  # the run's own record of its checkout, written after the article
        out["colophon"] = {"dirty": bool(pd.read_parquet(manifest, columns=["git_dirty"]).git_dirty.any())}
    return out, E


# --------------------------------------------------------------------------- the readings, on frames
def reading_tree(pred: pd.DataFrame, comparison: pd.DataFrame, model: str, task: str, classes) -> tuple[dict, dict]:
    """A tree against the trivial answer: the mean (regression: R² interval above 0) or the most
    common class of the test split (its share against the accuracy interval)."""
    rows = comparison[comparison.model == model].set_index("metric")
    if task == "regression":
        return {"regression": True, "beats_mean": bool(rows.loc["r2", "lower"] > 0), "above_baseline": False,
                "below_baseline": False, "indistinct": False, "majority_unique": False}, {}
    counts = pred.y_true.value_counts()
    top = counts[counts == counts.max()].index
    share = counts.max() / len(pred)
    lo, hi = rows.loc["accuracy", "lower"], rows.loc["accuracy", "upper"]
    return ({"regression": False, "beats_mean": False, "majority_unique": len(top) == 1, "above_baseline": lo > share,
             "below_baseline": hi < share, "indistinct": lo <= share <= hi},
            {"majority": classes[int(min(top))], "share": share})


def reading_importance(perm: pd.DataFrame, imp: pd.DataFrame | None, top_k: int) -> tuple[dict, dict]:
    """Permutation importance (the leader clear of ties and of its noise, drops, noise) and, when
    the model has one, impurity importance beside it."""
    perm = _rank_order(perm).reset_index(drop=True)
    noise = perm.value <= NOISE_SDS * perm.spread
    clear = _unique_top(perm.value) and not noise.iloc[0]
    drops = int((perm.value > 0).sum())
    c = {"has_impurity": imp is not None and len(imp) > 0, "permutation_leader_clear": clear,
         "has_noise": bool(noise.any()), "all_noise": bool(noise.all()), "some_noise": bool(noise.any() and not noise.all()),
         "has_drop": drops > 0, "has_negative": bool((perm.value < 0).any()), "many_drops": drops > 1,
         "one_drop": drops == 1}
    c["unclear_drop"] = c["has_drop"] and not clear
    e = {"permutation_leader": perm.feature[0], "drops": list(zip(perm.feature, perm.value))[:min(3, drops)],
         "noise": perm.feature[noise].tolist(), "features": len(perm)}
    if c["has_impurity"]:
        imp = _rank_order(imp).reset_index(drop=True)
        lead = _unique_top(imp.value)
        noisy = [f for f in imp.feature[:top_k] if f in set(perm.feature[noise])]
        c.update(impurity_leader_unique=lead, same_leader=lead and clear and imp.feature[0] == perm.feature[0],
                 different_leader=lead and clear and imp.feature[0] != perm.feature[0],
                 impurity_top_noisy=bool(noisy), one_top_noisy=len(noisy) == 1)
        e.update(impurity_leader=imp.feature[0], impurity_top=list(zip(imp.feature, imp.value))[:3],
                 impurity_top_noisy=noisy)
    else:
        c.update(impurity_leader_unique=False, same_leader=False, different_leader=False,
                 impurity_top_noisy=False, one_top_noisy=False)
    return c, e


def reading_shap(values: pd.DataFrame, mean: pd.DataFrame, perm: pd.DataFrame | None, instance, additivity: bool,
                 R: dict, softmax: bool = False, row_word: str = "row") -> tuple[dict, dict]:
    """The SHAP leader, the direction of its effect (rank correlation of its values with its SHAP
    values), the pushes of the explained row, and permutation's leader beside it."""
    mean = _rank_order(mean).reset_index(drop=True)
    lead = mean.feature[0]
    x, s = values[f"x:{lead}"], values[f"shap:{lead}"]
    rho = x.rank().corr(s.rank()) if x.nunique() > 1 and s.nunique() > 1 else 0.0
    row = values.loc[instance]
    contrib = pd.Series({f: float(row[f"shap:{f}"]) for f in mean.feature})
    c = {"leader_unique": _unique_top(mean.value), "direction_up": rho > R["shap_direction"],
         "direction_down": rho < -R["shap_direction"], "direction_mixed": abs(rho) <= R["shap_direction"],
         "has_push_up": bool((contrib > 0).any()), "has_push_down": bool((contrib < 0).any()),
         "additivity_passed": bool(additivity), "softmax_margin": bool(softmax),
         "row_an": row_word.strip()[:1].lower() in set("aeiou"),
         "has_permutation": perm is not None and len(perm) > 0,
         "agrees_with_permutation": False, "differs_from_permutation": False}
    # Rule shap_dependence draws the feature of each rank by mean |SHAP| over the stored rows.
    by_mean = values[[f"shap:{f}" for f in mean.feature]].abs().mean()
    # the leaders named: those with a mean |SHAP| above zero (a feature no row's prediction uses is not a leader)
    moving = [(f, v) for f, v in zip(mean.feature, mean.value) if v > 0]
    c.update(top_named=len(moving) >= 2, top_alone=len(moving) == 1, top_rest_zero=2 <= len(moving) < min(3, len(mean)))
    e = {"leader": lead, "top": moving[:3], "instance": instance,
         "ranked": sorted(mean.feature, key=lambda f: (-by_mean[f"shap:{f}"], f))}
    if c["has_permutation"]:
        perm = _rank_order(perm).reset_index(drop=True)
        clear = _unique_top(perm.value) and not (perm.value[0] <= NOISE_SDS * perm.spread[0])
        c["agrees_with_permutation"] = c["leader_unique"] and clear and perm.feature[0] == lead
        c["differs_from_permutation"] = c["leader_unique"] and clear and perm.feature[0] != lead
        e["permutation_leader"] = perm.feature[0]
    for side, sign in (("push_up", 1), ("push_down", -1)):
        pushes = contrib[contrib * sign > 0]
        if len(pushes):
            f = (pushes * sign).idxmax()  # the largest push that way (first in importance order on a tie)
            e[side] = (f, float(contrib[f]), row.get(f"raw:{f}"))
    return c, e


def reading_lime(exp: pd.DataFrame, agreement, other: pd.DataFrame | None, R: dict) -> tuple[dict, dict]:
    """LIME's explanation of one row: the class it explains against the predicted one, its stability
    over seeds (mean Jaccard), its conditions for and against, and the features a second row flips."""
    exp = exp.sort_values("rank")
    jac = float(agreement["mean_jaccard"])
    probs = {k[6:]: float(exp[k].iloc[0]) for k in exp.columns if k.startswith("proba_")}
    predicted = max(probs, key=probs.get)
    c = {"explains_predicted": str(exp["class"].iloc[0]) == predicted,
         "stable": jac >= R["lime_stable"], "partly_stable": R["lime_partly_stable"] <= jac < R["lime_stable"],
         "unstable": jac < R["lime_partly_stable"], "has_support": bool((exp.weight > 0).any()),
         "has_against": bool((exp.weight < 0).any()), "has_second_row": other is not None,
         "rows_flip": False, "rows_share": False}
    e = {"predicted": predicted, "class": str(exp["class"].iloc[0]), "p": probs[predicted],
         "support": list(zip(exp.rule[exp.weight > 0], exp.weight[exp.weight > 0]))[:2],
         "against": list(zip(exp.rule[exp.weight < 0], exp.weight[exp.weight < 0]))[:2], "flipped": []}
    if other is not None:
        b = other.set_index("feature").weight
        a = exp.set_index("feature").weight
        common = [f for f in a.index if f in b.index]
        e["flipped"] = [f for f in common if a[f] * b[f] < 0]
        c.update(rows_flip=bool(e["flipped"]), rows_share=len(common) > 0 and not e["flipped"])
    c.update(one_support=len(e["support"]) == 1, one_against=len(e["against"]) == 1, one_flipped=len(e["flipped"]) == 1)
    return c, e


def _pair(differences: pd.DataFrame, a: str, b: str, metric: str) -> tuple[float, float]:
    """The paired interval of a − b (the table holds each pair once, in either order)."""
    t = differences[differences.metric == metric]
    row = t[(t.model_a == a) & (t.model_b == b)]
    if len(row):
        return float(row.lower.iloc[0]), float(row.upper.iloc[0])
    row = t[(t.model_a == b) & (t.model_b == a)]
    return -float(row.upper.iloc[0]), -float(row.lower.iloc[0])


def reading_linear(coef: pd.DataFrame, metrics: pd.DataFrame, model: str, differences: pd.DataFrame,
                   pred: pd.DataFrame, scale, levels: dict, splits: list[pd.DataFrame], R: dict) -> tuple[dict, dict]:
    """Coefficients (signs, those within two standard errors, the unit of each), the linear model
    against the best other model by test R², and the residuals' skew."""
    coef = _rank_order(coef).reset_index(drop=True)
    weak = coef.feature[coef.value.abs() < 2 * coef.spread].tolist()
    pos = coef[coef.value > 0].sort_values(["value", "feature"], ascending=[False, True])
    neg = coef[coef.value < 0].sort_values(["value", "feature"])
    c = {"has_weak": bool(weak), "one_weak": len(weak) == 1, "has_positive": len(pos) > 0, "has_negative": len(neg) > 0,
         "none_weak": not weak, "weak_grouped": False, "no_better": False,
         "one_positive": len(pos) == 1, "one_negative": len(neg) == 1, "better_than_best": False,
         "worse_than_best": False, "same_as_best": False}
    e = {"positive": list(zip(pos.feature, pos.value))[:3], "negative": list(zip(neg.feature, neg.value))[:2],
         "weak": weak}
    others = metrics[(metrics.metric == "r2") & (metrics.model != model)]
    c["has_other"] = len(others) > 0
    if len(others):
        best = others.sort_values(["value", "model"], ascending=[False, True]).model.iloc[0]
        lo, hi = _pair(differences, model, best, "r2")
        c.update(better_than_best=lo > 0, worse_than_best=hi < 0, same_as_best=lo <= 0 <= hi)
        e["best_other"] = best
    res = pred.y_true - pred.y_pred
    gap = (res.mean() - res.median()) / (res.std() or 1.0)
    c.update(right_skewed=gap > R["residual_skew"], left_skewed=gap < -R["residual_skew"],
             symmetric=abs(gap) <= R["residual_skew"])
    # The unit of each coefficient: standardised (meta's scale), a one-hot level against its
    # column's reference level, 0/1 in both splits (yes against no), or a number (per unit).
    kinds = {f: "scaled" if f in scale else "level" if (levels.get(f) or {}).get("reference") is not None else
             "yes_no" if all(set(d[f].dropna().unique()) <= {0, 1} for d in splits) else "number"
             for f in coef.feature}
    n, lv, yn = ("number" in kinds.values(), "level" in kinds.values(), "yes_no" in kinds.values())
    c.update(all_scaled=set(kinds.values()) == {"scaled"}, none_scaled="scaled" not in kinds.values(),
             unscaled_levels=lv, unscaled_yes_no=yn, unscaled_numbers=n)
    c["some_scaled"] = not c["all_scaled"] and not c["none_scaled"]
    # Which words say the unit (report/article.qmd, "Coefficients"): the first kind present is the
    # main reading, the others asides.
    c.update(units_numbers=n, units_levels=lv and not n, units_yes_no=yn and not n and not lv,
             units_asides=n and (lv or yn), units_aside_levels=n and lv, units_aside_both=n and lv and yn,
             units_aside_yes_no=n and yn, units_then_yes_no=lv and yn and not n)
    e["scaled"] = [f for f in scale if kinds.get(f) == "scaled"]  # in the data's order, as meta lists them
    c["one_scaled"] = len(e["scaled"]) == 1
    return c, e


def reading_effects(summary: pd.DataFrame) -> tuple[dict, dict]:
    shown = summary[summary.shown].sort_values("rank")
    return ({"all_monotone": bool(shown.monotone.isin(["increasing", "decreasing"]).all()),
             "has_flat": bool((shown.monotone == "flat").any()), "has_mixed": bool((shown.monotone == "mixed").any())},
            {"shapes": list(zip(shown.feature, shown.monotone))})


def reading_performance(metrics: pd.DataFrame, pred: pd.DataFrame, classes, R: dict) -> tuple[dict, dict]:
    """ROC AUC's band; for two classes, average precision against the positive share and the
    trapezoid area against average precision."""
    m = metrics.set_index("metric").value
    bands = [(R[f"auc_{n}"], n) for n in ("excellent", "good", "fair", "moderate")] + [(-1, "weak")]
    band = next(n for b, n in bands if m["roc_auc"] >= b)
    binary = len(classes) == 2
    c = {"binary": binary, **{f"auc_{n}": n == band for _, n in bands}, "ap_far_above": False, "ap_above": False,
         "ap_close": False, "trapezoid_above_ap": False, "trapezoid_not_above_ap": False}
    if binary:
        ratio = m["average_precision"] / (pred.y_true == 1).mean()
        c.update(ap_far_above=ratio >= R["ap_far_above"], ap_above=R["ap_above"] <= ratio < R["ap_far_above"],
                 ap_close=ratio < R["ap_above"], trapezoid_above_ap=m["pr_auc_trapezoid"] > m["average_precision"],
                 one_positive=int((pred.y_true == 1).sum()) == 1, one_negative=int((pred.y_true == 0).sum()) == 1)
        c["trapezoid_not_above_ap"] = not c["trapezoid_above_ap"]
    c["one_class"] = pred.y_pred.nunique() == 1  # decisions of one class, whatever its ranking
    return c, {"classes": classes}


def reading_threshold(s: dict, R: dict) -> dict:
    moved = abs(s["best_f1_threshold"] - s["default_threshold"]) > R["threshold_move"]
    gain = s["f1_at_best"] - s["f1_at_default"] > R["f1_gain"]
    return {"moves": moved, "gains": gain, "default_near_best": not (moved and gain)}


def reading_comparison(t: pd.DataFrame, differences: pd.DataFrame, metric: str) -> tuple[dict, dict]:
    """The model with the best score of the headline metric, and whom the paired intervals say it beats."""
    lower_better = metric in ("rmse", "mae", "brier")
    t = t[t.metric == metric].sort_values(["value", "model"], ascending=[lower_better, True])
    leader, others = t.model.iloc[0], t.model.iloc[1:].tolist()
    beaten = [o for o in others if (_pair(differences, leader, o, metric)[1] < 0 if lower_better
                                    else _pair(differences, leader, o, metric)[0] > 0)]
    tied = len(t) > 1 and t.value.iloc[0] == t.value.iloc[1]
    return ({"several": len(t) > 1, "leader_unique": not tied, "beats_all": bool(others) and not tied and beaten == others,
             "beats_some": 0 < len(beaten) < len(others) and not tied, "beats_none": bool(others) and not beaten},
            {"leader": leader, "value": float(t.value.iloc[0]), "beaten": beaten,
             "not_beaten": [o for o in others if o not in beaten]})


def reading_calibration(scores: pd.DataFrame, cls: str, R: dict) -> tuple[dict, dict]:
    s = scores[scores["class"] == cls].sort_values(["brier", "model"])
    well = s.ece <= R["well_calibrated_ece"]
    briers = s.brier.tolist()
    return ({"all_well": bool(well.all()), "none_well": not well.any(), "some_well": bool(well.any() and not well.all()),
             "best_unique": len(briers) == 1 or briers[0] < briers[1], "one_well": int(well.sum()) == 1,
             "one_other": int((~well).sum()) == 1},
            {"well": s.model[well].tolist(), "others": s.model[~well].tolist(), "best": s.model.iloc[0],
             "brier": briers[0]})


def reading_trust(agree: pd.DataFrame, areas: pd.DataFrame | None, R: dict) -> tuple[dict, dict]:
    """Agreement of the model with the most method pairs (ties by name), and SHAP's deletion check."""
    c = {"has_agreement": len(agree) > 0, "has_deletion": areas is not None, "methods_agree": False,
         "methods_disagree": False, "methods_mixed": False, "shap_faithful": False}
    e = {}
    if len(agree):
        n = agree.groupby("model").size()
        model = sorted(n.index, key=lambda k: (-n[k], k))[0]
        rho = agree[agree.model == model].spearman.dropna()
        c.update(methods_agree=len(rho) > 0 and bool((rho >= R["methods_agree"]).all()),
                 methods_disagree=bool((rho < R["methods_disagree"]).any()))
        c["methods_mixed"] = not (c["methods_agree"] or c["methods_disagree"])
        c["one_pair"] = len(rho) == 1
        e = {"model": model, "rho": rho.tolist()}
    if areas is not None:
        a = areas.set_index("order").area
        c["shap_faithful"] = bool(a["shap"] > a["random"])
    return c, e


def reading_neural(h: pd.DataFrame, metrics: pd.DataFrame, pred: pd.DataFrame, max_rank_correlation: float,
                   R: dict) -> tuple[dict, dict]:
    """The CNN: overfitting (validation loss up again after its minimum), the final gap of the
    accuracies, Grad-CAM's two sanity checks, and its most frequent mistake."""
    m = metrics.set_index("metric").value
    last = {sp: h[(h.split == sp) & (h.metric == "accuracy")].sort_values("step").value.iloc[-1]
            for sp in ("train", "validation")}
    vl = h[(h.split == "validation") & (h.metric == "loss")].sort_values("step")
    epochs = int(h.step.max()) + 1
    best = int(vl.step[vl.value == vl.value.min()].iloc[0])
    gap = last["train"] - last["validation"]
    wrong = pred[pred.y_true != pred.y_pred]
    pairs = wrong.groupby(["y_true", "y_pred"]).size()
    most = pairs[pairs == pairs.max()] if len(pairs) else pairs
    return ({"overfits": best + 1 < epochs and vl.value.iloc[-1] > R["overfit"] * vl.value.min(),
             "gap_close": abs(gap) < R["close_accuracy"], "train_above": gap >= R["close_accuracy"],
             "validation_above": gap <= -R["close_accuracy"],
             "randomization_pass": m["gradcam_randomization_spearman_mean"] < max_rank_correlation,
             "deletion_pass": m["gradcam_deletion_drop_salient"] > m["gradcam_deletion_drop_random"],
             "no_mistake": len(wrong) == 0, "mistake_unique": len(most) == 1},
            {"mistake": tuple(int(v) for v in most.index[0]) if len(most) == 1 else None})


def check_claims(run_dir: Path) -> list[str]:
    """Claims of the facts file against this module's own reading of the tables, every sentence the
    HTML shows under a claim against that claim's truth, every claim of the facts recomputed here
    (a claim this module does not know is a problem: a new sentence without a test), and every name
    or number a sentence gives against this module's own subject."""
    return check_document(run_dir, article(run_dir))


def check_document(run_dir: Path, doc: Article) -> list[str]:
    facts = facts_file(run_dir)
    meta, config = facts["metadata"], resolved_config(run_dir)
    written = dict(meta["claims"])
    if "colophon" not in written and (run_dir / "manifest.parquet").exists():
        # added by rule report when it renders: what the colophon shows
        shown = [c for c in doc.conditions if c["claim"] == "colophon.dirty"]
        if shown:
            written["colophon"] = {"dirty": any(c["kind"] == "when" for c in shown)}
    sections = sections_of(run_dir, meta, config)
    claims, subjects = expectations(run_dir, sections, config)
    problems = []
    for section, values in claims.items():
        for name, truth in values.items():
            if section not in written or name not in written[section]:
                if section in written or section in ("tree", "importance", "shap", "lime", "linear", "effects"):
                    problems.append(f"claim {section}.{name} is missing from the facts")
            elif bool(written[section][name]) != bool(truth):
                problems.append(f"claim {section}.{name}: the article says {written[section][name]}, the tables "
                                f"say {bool(truth)}")
    for section, values in written.items():
        for name in values:
            if name not in claims.get(section, {}) and f"{section}.{name}" not in SECTION_FLAGS:
                problems.append(f"claim {section}.{name} of the facts is not recomputed by tests/articlecheck.py")
    for cond in doc.conditions:
        section, name = cond["claim"].split(".", 1)
        value = written.get(section, {}).get(name)
        if section == "colophon" and section not in written:
            continue  # no manifest to read the checkout's state from (the fast tests' runs)
        if value is None:
            problems.append(f"a sentence is shown under claims.{cond['claim']}, which the facts do not hold")
        elif (cond["kind"] == "when") != bool(value):
            problems.append(f"a sentence is shown {cond['kind']} claims.{cond['claim']}, which is {value}")
    problems += check_names(doc, subjects, claims, config)
    return problems


# =========================================================================== names, recomputed
def printed(text: str) -> tuple[float, float]:
    """A number as printed ("−5,773", "+0.046", "83.0%") and half a unit of its last digit."""
    t = text.strip().replace("\u2212", "-").replace(",", "").replace("+", "")
    pct = t.endswith("%")
    t = t.rstrip("%").strip()
    decimals = len(t.split(".")[1]) if "." in t else 0
    scale = 100 if pct else 1
    return float(t) / scale, 0.5 * 10 ** -decimals / scale


def prints(text: str, value: float) -> bool:
    """Whether `text` is `value` rounded as printed."""
    try:
        v, half = printed(text)
    except ValueError:
        return False
    return abs(v - float(value)) <= half * (1 + 1e-9) + 1e-12


def _and(items: list[str]) -> str:
    """Names joined as report/blocks/_words.md joins them."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _and_more(names: list[str], limit: int) -> str:
    """A list as the article prints it: all names up to `limit`, else the first ones "and N more"."""
    return _and(names) if len(names) <= limit else ", ".join(names[:limit]) + f" and {len(names) - limit} more"


def _listed(text: str, expected: list[tuple], what: str) -> list[str]:
    """A list "a (1.0), b (2.0) and c (3.0)" (values optional) against the expected names and values,
    in order."""
    if not expected:
        return [f"{what}: lists {text!r}, the tables give none"]
    pat = []
    for name, *value in expected:
        pat.append(re.escape(squeeze(str(name))) + (r" \((?P<v%d>[^()]*)\)" % len(pat) if value else ""))
    joined = pat[0] if len(pat) == 1 else ", ".join(pat[:-1]) + " and " + pat[-1]
    m = re.fullmatch(joined, text)
    if not m:
        names = _and([str(e[0]) for e in expected])
        return [f"{what}: the article says {text!r}, the tables give {names}"]
    return [f"{what}: {expected[i][0]} is printed {m.group(f'v{i}')!r}, the table gives {expected[i][1]}"
            for i in range(len(expected)) if len(expected[i]) > 1 and not prints(m.group(f"v{i}"), expected[i][1])]


def _under(doc: Article, claim: str, pattern: str, kind: str = "when") -> list[re.Match]:
    """Matches of `pattern` in the text of the elements shown under a claim."""
    return [m for b in doc.shown(f"claims.{claim}", kind) for m in [re.search(pattern, b["text"])] if m]


def _anywhere(doc: Article, pattern: str) -> list[re.Match]:
    return [m for p in doc.paragraphs for m in [re.search(pattern, p["text"])] if m]


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\s*[−+-]?[\d,]*\.?\d+\s*", text))


def check_names(doc: Article, E: dict, claims: dict, config: dict) -> list[str]:
    """Every name (and the number beside it) that a sentence gives, against the subject this module
    recomputed; a sentence its claim shows must still read as the pattern here expects, so that a
    reworded sentence is checked again rather than skipped; and the number of a verb or noun agrees
    with the number of names."""
    problems: list[str] = []

    def need(claim, pattern, kind="when", where=None):
        """The sentence under `claim`, or under none (where="text"): it must be there when shown."""
        section, _, name = claim.partition(".")
        shown = not name or claims.get(section, {}).get(name) == (kind == "when")
        found = _anywhere(doc, pattern) if where == "text" else _under(doc, claim, pattern, kind)
        if shown and not found:
            problems.append(f"no sentence under {kind} claims.{claim} reads /{pattern}/: reworded? update the check")
        return found

    def same(what, said, expected):
        if squeeze(str(said)) != squeeze(str(expected)):
            problems.append(f"{what}: the article says {said!r}, the tables give {expected!r}")

    def agree(what, word, n, one, many):
        if word != (one if n == 1 else many):
            problems.append(f"{what}: {word!r} for {n} (expected {one if n == 1 else many!r})")

    e = E.get("tree")
    if e:
        for m in need("tree.majority_unique", r"Always answering (?P<c>.+?), the most common class"):
            same("the tree's majority class", m["c"], e["majority"])
    e = E.get("importance")
    if e:
        for m in need("importance.same_leader", r"Both measures put (?P<f>.+) first\."):
            same("the permutation leader", m["f"], e["permutation_leader"])
        for m in need("importance.different_leader", r"impurity puts (?P<i>.+) first, permutation (?P<p>.+)\.$"):
            same("the impurity leader", m["i"], e["impurity_leader"])
            same("the permutation leader", m["p"], e["permutation_leader"])
        for m in need("importance.impurity_named", r"By impurity, the model leans most on (?P<l>.+)\.$"):
            problems += _listed(m["l"], e["impurity_top"], "the impurity leaders")
        for m in need("importance.many_drops", r"the largest drops come from (?P<l>.+)\.$"):
            problems += _listed(m["l"], e["drops"], "the largest permutation drops")
        for m in need("importance.one_drop", r"only shuffling (?P<l>.+) lowers the test score"):
            problems += _listed(m["l"], e["drops"], "the one permutation drop")
        for m in need("importance.impurity_top_noisy", r"top \S+, (?P<l>.+) (?P<v>costs?) no more than the noise"):
            problems += _listed(m["l"], [(f,) for f in e["impurity_top_noisy"]], "impurity's noisy leaders")
            agree("impurity's noisy leaders", m["v"], len(e["impurity_top_noisy"]), "costs", "cost")
        for claim in ("importance.some_noise", "importance.all_noise"):
            for m in need(claim, r"features? can(?:not)? be told apart from zero by permutation \((?P<l>.+)\)\.$"):
                same("the features within noise", m["l"], _and_more(e["noise"], 8))
    e = E.get("shap")
    if e:
        for side in ("push_up", "push_down"):
            for m in need(f"shap.has_{side}", rf"largest {side.replace('_', ' ')} comes from (?P<f>.+?)"
                                               r"(?: = (?P<raw>[^()]+))? \((?P<v>[^()]+)\)"
                                               r"(?:, a value that was missing and filled in, not observed)?"
                                               r"(?:, a column that may leak the target \(see the checks in the data chapter\))?\.$"):
                f, value, raw = e[side]
                # a one-hot level reads `column = level` whole (no value after it): the regex's
                # optional value is then the level's name, part of the feature's words
                named = m["f"] if raw is not None or m["raw"] is None else f"{m['f']} = {m['raw']}"
                same(f"the SHAP {side.replace('_', ' ')}", named, f)
                if squeeze(named) == squeeze(f) and not prints(m["v"], value):
                    problems.append(f"the SHAP {side.replace('_', ' ')}: printed {m['v']!r}, the table gives {value}")
                # a number as a number; a yes/no column by its level (the row's text:<f>)
                if m["raw"] is not None and raw is not None and not (
                        prints(m["raw"], float(raw)) if _is_number(m["raw"]) else squeeze(m["raw"]) == squeeze(str(e.get(f"{side}_text")))):
                    problems.append(f"the SHAP {side.replace('_', ' ')}: value {m['raw']!r}, the row has {raw}")
        for m in need("shap.top_named", r"the leaders are (?P<l>.+?)(?:, and no other feature moves any explained row's prediction)?$"):
            problems += _listed(m["l"], e["top"], "the mean |SHAP| leaders")
        for m in need("shap.top_alone", r"only (?P<l>.+) moves any explained row's prediction$"):
            problems += _listed(m["l"], e["top"], "the only feature with a mean |SHAP| above zero")
        for claim, pattern in (("shap.direction_up", r"High values of (?P<f>.+) sit on the right"),
                               ("shap.direction_down", r"High values of (?P<f>.+) sit on the left"),
                               ("shap.direction_mixed", r"The effect of (?P<f>.+) has no single direction")):
            for m in need(claim, pattern):
                same("the SHAP leader", m["f"], e["leader"])
        for m in need("shap.differs_from_permutation", r"ranks (?P<f>.+) first instead"):
            same("the permutation leader of the SHAP model", m["f"], e.get("permutation_leader"))
        for c in doc.figcaptions:
            rank = next((int(i.rsplit("-", 1)[1]) for i in c["ids"] if re.fullmatch(r"fig-shap-dependence-\d+", i)), None)
            if rank is not None:
                m = re.search(r"dependence plot of (?P<f>.+) for the", c["text"])
                if not m:
                    problems.append(f"the caption of fig-shap-dependence-{rank} names no feature: {c['text']!r}")
                else:
                    same(f"the feature of dependence plot {rank}", m["f"], e["ranked"][rank - 1])
    e = E.get("lime")
    if e:
        for m in need("lime", r"gives the class (?P<p>.+?) a probability of (?P<v>\S+), and LIME explains the "
                              r"probability of (?P<c>.+?) \(Figure", where="text"):  # a class may hold "("
            same("the class LIME's row is predicted", m["p"], e["predicted"])
            same("the class LIME explains", m["c"], e["class"])
            if not prints(m["v"], e["p"]):
                problems.append(f"LIME's predicted probability: printed {m['v']!r}, the table gives {e['p']}")
        for m in need("lime.conditions_suspect", r"Conditions on (?P<l>.+) rest on a possible leak"):
            problems += _listed(m["l"], [(f,) for f in e.get("suspects", [])], "LIME's conditions on a possible leak")
        for side, claim in (("support", "has_support"), ("against", "has_against")):
            verb = "raises? it most" if side == "support" else "lowers? it most"
            for m in need(f"lime.{claim}", rf"(?P<n>conditions? that|Those that|The one that) {verb} (?P<v>is|are) (?P<l>.+)\.$"):
                problems += _listed(m["l"], e[side], f"LIME's conditions ({side})")
                agree(f"LIME's conditions ({side})", m["v"], len(e[side]), "is", "are")
        for m in need("lime.rows_flip", r"share, (?P<l>.+) (?P<v>pushes|push) in opposite directions"):
            problems += _listed(m["l"], [(f,) for f in e["flipped"]], "the features LIME's two rows flip")
            agree("the features LIME's two rows flip", m["v"], len(e["flipped"]), "pushes", "push")
    e = E.get("linear")
    if e:
        for m in need("linear.has_positive", r"largest positive (?P<n>coefficients?) (?P<v>belongs?) to (?P<l>.+)\.$"):
            problems += _listed(m["l"], e["positive"], "the largest positive coefficients")
            agree("the largest positive coefficients", m["v"], len(e["positive"]), "belongs", "belong")
        for m in need("linear.has_negative", r"The most negative (?P<v>belongs?) to (?P<l>.+)\.$"):
            problems += _listed(m["l"], e["negative"], "the most negative coefficients")
            agree("the most negative coefficients", m["v"], len(e["negative"]), "belongs", "belong")
        for m in need("linear.has_weak", r"^(?P<l>.+) (?P<v>lies|lie) within two standard errors"):
            same("the coefficients within two standard errors", m["l"], _and_more(e["weak"], 8))
            agree("the coefficients within two standard errors", m["v"], len(e["weak"]), "lies", "lie")
        for m in need("linear.weak_grouped", r"Within two standard errors of zero, too: (?P<l>.+); but redundant"):
            problems += _listed(m["l"], [(f,) for f in e["weak_grouped"]], "the redundant coefficients near zero")
        for m in need("linear.some_scaled", r"The (?P<n>features?) (?P<l>.+) (?P<v>was|were) standardised"):
            same("the standardised features", m["l"], _and_more(e["scaled"], 6))
            agree("the standardised features", m["v"], len(e["scaled"]), "was", "were")
        for m in need("linear.has_other", r"The best model of the other family, (?P<m>.+?), reaches"):
            same("the best model of the other family", m["m"], e.get("best_other"))
    e = E.get("performance")
    if e and claims.get("performance", {}).get("binary"):
        for m in need("performance.binary", r"test rows? that (?:is|are) (?P<p>.+?), the model finds .* of the \S+ that "
                                            r"(?:is|are) (?P<n>.+?), it keeps .* wrongly calls \S+ (?P<p2>.+?) \(false"):
            same("the positive class", m["p"], e["classes"][1])
            same("the negative class", m["n"], e["classes"][0])
            same("the positive class", m["p2"], e["classes"][1])
    e = E.get("effects")
    if e:
        for m in need("effects.shapes", r": (?P<l>.+) \(a curve counts as flat"):
            same("the shapes of the feature effects", m["l"], _and([f"{f} {shape}" for f, shape in e["shapes"]]))
    e = E.get("comparison")
    if e:
        for m in need("comparison", r"By (?P<metric>.+?), (?P<m>\S+) scores highest", where="text"):
            same("the model that scores highest", m["m"], e["leader"])
        for m in need("comparison.beats_some", r"it beats (?P<b>.+), but not (?P<n>.+)\.$"):
            same("the models beaten", m["b"], _and(e["beaten"]))
            same("the models not beaten", m["n"], _and(e["not_beaten"]))
    e = E.get("calibration")
    if e:
        for m in need("calibration.some_well", r"Only (?P<l>.+) (?P<v>has|have) an ECE of at most \S+; the "
                                               r"(?P<o>other's|others'|other model's|other models')"):
            same("the well-calibrated models", m["l"], _and(e["well"]))
            agree("the well-calibrated models", m["v"], len(e["well"]), "has", "have")
            if (len(e["others"]) == 1) != (m["o"] in ("other's", "other model's")):
                problems.append(f"the other models: {m['o']!r} for {len(e['others'])}")
        for m in need("calibration.best_unique", r"The lowest Brier score, (?P<b>\S+), is (?P<m>.+)'s\."):
            same("the model with the lowest Brier score", m["m"], e["best"])
            if not prints(m["b"], e["brier"]):
                problems.append(f"the lowest Brier score: printed {m['b']!r}, the table gives {e['brier']}")
    e = E.get("trust")
    if e:
        for m in need("trust.has_agreement", r"For the (?P<m>.+?) model,", where="text"):
            same("the model whose methods are compared", m["m"], e["model"])
    e = E.get("neural")
    if e:
        for m in need("neural.mistake_unique", r"The most frequent mistake is class (?P<t>.+) read as (?P<p>.+)\.$"):
            same("the most frequent mistake", f"{m['t']} as {m['p']}", f"{e['mistake'][0]} as {e['mistake'][1]}"
                 if e["mistake"] else None)
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
    if meta.get("has_neural"):
        out["neural"] = {"dataset": config["neural"]["dataset"]}
    if meta.get("has_trust"):
        ds = plain(facts["trust"]["dataset"])
        deletion = None
        if "deletion_model" in facts["trust"]:
            deletion = (selection.entries(config, "shap")[0])
        out["trust"] = (ds, deletion)
    if meta.get("has_slices"):
        out["slices"] = (plain(facts["slices"]["dataset"]), plain(facts["slices"]["model"]))
    return out


# =========================================================================== readings a reader checks
def check_readings(run_dir: Path, doc: Article | None = None) -> list[str]:
    """What a careful reader finds wrong although each fact is its table's and each claim holds
    (issue 21, item 4): a sentence about a chapter that is absent, a caption naming a metric its
    table lacks, identical captions of the sub-figures of one figure, a sentence that refers back to
    one that was left out, a verdict that the printed numbers contradict, a range that misstates the
    values it summarises."""
    doc = doc or article(run_dir)
    facts = facts_file(run_dir)
    return (unresolved(doc) + absent_chapters(doc) + caption_metrics(doc) + same_captions(doc)
            + left_out_antecedents(facts["metadata"]) + printed_verdicts(doc, facts, resolved_config(run_dir)))


def unresolved(doc: Article) -> list[str]:
    """A variable or condition of article.qmd that the facts do not hold, as Quarto prints it."""
    return [f"unresolved in the article: {m}" for m in sorted(set(re.findall(r"\?(?:var|meta):[\w.]+", doc.text)))]


# A phrase that speaks of a chapter, and the heading of that chapter.
CHAPTER_WORDS = [(r"\bdecision trees?\b", "A decision tree"), (r"\bfeature importances?\b", "Which features matter"),
                 (r"\bSHAP\b", "Explaining predictions with SHAP"), (r"\bLIME\b", "Explaining predictions with LIME"),
                 (r"\bcoefficients?\b", "Linear models"), (r"\bfeature effects\b", "Feature effects"),
                 (r"\bclassification performance\b", "Classification performance"),
                 (r"\bneural network|\bCNN\b|\bimages\b", "Neural networks"),
                 (r"\bcan be trusted\b", "Can you trust these explanations?")]


def absent_chapters(doc: Article) -> list[str]:
    """The introduction names only chapters the article has, and a pointer to another chapter ("the
    last chapter") finds it there."""
    headings = [h["text"] for h in doc.headings]
    problems = []
    intro = [p["text"] for p in doc.paragraphs if p["chapter"] in ("", "Seeing inside machine-learning models")]
    for pattern, heading in CHAPTER_WORDS:
        for text in intro:
            if re.search(pattern, text) and heading not in headings:
                problems.append(f"the introduction speaks of {re.search(pattern, text).group(0)!r}, but the article "
                                f"has no chapter {heading!r}")
    chapters = [h["text"] for h in doc.headings if h["level"] == 1 and h["text"] not in ("Further figures", "Colophon")]
    for p in doc.paragraphs:
        if re.search(r"\bthe last chapter\b", p["text"]):
            last = chapters[-1] if chapters else None
            if last != "Can you trust these explanations?" or last == p["chapter"]:
                problems.append(f"{p['chapter']!r} points to the last chapter, which is {last!r}: "
                                f"{p['text'][:80]!r}")
    return problems


def _labels() -> dict:
    return yaml.safe_load((Path(__file__).resolve().parents[1] / "report" / "labels.yml").read_text())


def caption_metrics(doc: Article) -> list[str]:
    """A metric a table's caption names is a column of that table."""
    labels = sorted(_labels()["metrics"].values(), key=len, reverse=True)
    problems = []
    for table in doc.tables:
        owner = next((i for i in reversed(table["ids"]) if i.startswith("tbl-")), None)
        caption = next((c["text"] for c in doc.figcaptions if owner and owner in c["ids"]), "")
        headers = " | ".join(table["headers"]).lower()
        rest = caption
        for label in labels:
            pattern = rf"(?<![\w-]){re.escape(label)}(?![\w-])"
            if re.search(pattern, rest, re.I):
                rest = re.sub(pattern, " ", rest, flags=re.I)
                if label.lower() not in headers:
                    problems.append(f"the caption of {owner} names {label}, which its table does not show")
    return problems


def _caption_text(text: str) -> str:
    return re.sub(r"^(\([a-z]\)|(Figure|Table) \d+(\s*\([a-z]\))?:)\s*", "", text)


def same_captions(doc: Article) -> list[str]:
    """The sub-figures of one figure have captions of their own, and no two figures of the article
    share a caption (a reader could not tell them apart)."""
    problems, groups, whole = [], {}, {}
    for c in doc.figcaptions:
        figs = [i for i in c["ids"] if i.startswith("fig-")]
        if not figs:
            continue
        text = _caption_text(c["text"])
        if len(figs) >= 2:
            groups.setdefault(figs[0], []).append(text)
        else:
            whole.setdefault(text, []).append(figs[0])
    for parent, texts in groups.items():
        dupes = sorted({t for t in texts if texts.count(t) > 1})
        if dupes:
            problems.append(f"the sub-figures of {parent} share the caption {dupes[0]!r}")
    problems += [f"figures {', '.join(ids)} share the caption {t!r}" for t, ids in whole.items() if len(ids) > 1]
    return problems


ANAPHORA = ("Those", "These", "They", "It ", "Its ", "That ", "This ", "After that", "Yet ")
# Readings of which at most one is shown: a sentence under one of them follows its alternatives in
# the article, and refers back past them.
ALTERNATIVES = [{"comparison.beats_all", "comparison.beats_some", "comparison.beats_none"},
                {"tree.above_baseline", "tree.below_baseline", "tree.indistinct"},
                {"lime.stable", "lime.partly_stable", "lime.unstable"},
                {"shap.direction_up", "shap.direction_down", "shap.direction_mixed"},
                {"linear.better_than_best", "linear.worse_than_best", "linear.same_as_best"},
                {"linear.right_skewed", "linear.left_skewed", "linear.symmetric"},
                {"neural.gap_close", "neural.train_above", "neural.validation_above"},
                {"calibration.all_well", "calibration.some_well", "calibration.none_well"},
                {"trust.methods_agree", "trust.methods_disagree", "trust.methods_mixed"}]


def _alternative(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Two conditions (kind, key) that are never both true."""
    (ka, a), (kb, b) = a, b
    if a == b:
        return ka != kb
    a, b = a.removeprefix("claims."), b.removeprefix("claims.")
    return ka == kb == "when" and any(a in g and b in g for g in ALTERNATIVES)


def left_out_antecedents(metadata: dict, qmd: str | None = None) -> list[str]:
    """A sentence of report/article.qmd that starts by referring back ("Those that lower it most",
    "After that it rises", "Yet no interval") is shown only with the sentence before it: if that
    one sits in conditional spans, at least one of those right before it is shown too."""
    from qmdtext import ARTICLE, _lookup

    text = qmd if qmd is not None else ARTICLE.read_text()
    cond = re.compile(r'\]\{\.content-visible (when|unless)-meta="([a-z_.]+)"\}')

    def shown(kind, key):
        try:
            return bool(_lookup(metadata, key)) == (kind == "when")
        except KeyError:
            return False

    def span_end(start):
        depth, j = 1, start + 1
        while j < len(text) and depth:
            depth += {"[": 1, "]": -1}.get(text[j], 0) if text[j - 1] != "\\" else 0
            j += 1
        return cond.match(text, j - 1)

    def span_start(end):
        """The opening bracket of the span whose "]" is at `end`."""
        depth, j = 1, end - 1
        while j >= 0 and depth:
            depth += {"]": 1, "[": -1}.get(text[j], 0) if (j == 0 or text[j - 1] != "\\") else 0
            j -= 1
        return j + 1

    problems = []
    for m in re.finditer(r"\[(?=" + "|".join(re.escape(a) for a in ANAPHORA) + ")", text):
        me = span_end(m.start())
        if not me or not shown(me.group(1), me.group(2)):
            continue
        before, k = [], m.start()
        while True:
            k2 = k
            while k2 > 0 and text[k2 - 1] in " \n[":
                k2 -= 1
            prev = list(cond.finditer(text, max(0, k2 - 120), k2))
            if not prev or prev[-1].end() != k2:
                break
            if not _alternative((me.group(1), me.group(2)), (prev[-1].group(1), prev[-1].group(2))):
                before.append(shown(prev[-1].group(1), prev[-1].group(2)))
            k = span_start(prev[-1].start())
        if before and not any(before):
            problems.append(f"the sentence {text[m.start() + 1:m.start() + 40]!r}... (claims: {me.group(2)}) "
                            "refers back to a sentence that was left out")
    return problems


def _facts_where(doc: Article, table: str, col: str = "value", **where) -> list[dict]:
    """The fact spans of a table (and column) whose row matches `where`."""
    out = []
    for f in doc.facts:
        if f.get("table") != table or f.get("col", "value") != col:
            continue
        w = dict(kv.split("=", 1) for kv in f["where"].split(";")) if f.get("where") else {}
        if all(w.get(k) == str(v) for k, v in where.items()):
            out.append(f)
    return out


def _one(doc, table, col="value", **where) -> float | None:
    found = _facts_where(doc, table, col, **where)
    return printed(found[0]["text"])[0] if found else None


def printed_verdicts(doc: Article, facts: dict, config: dict) -> list[str]:
    """A verdict the article gives beside the numbers it prints holds for the numbers as printed:
    "higher than average precision" is not said of two values that both print as 0.87, nor "no ECE
    is as low as 0.05" beside a table printing 0.050 (the article prints the digits that decide)."""
    claims, variables = facts["metadata"]["claims"], facts["variables"]
    problems = []

    def said(section, name):
        return bool(claims.get(section, {}).get(name))

    def var(section, name):
        text = variables.get(section, {}).get(name)
        m = re.search(r"\[((?:[^\[\]\\]|\\.)*)\]\{\.fact", text or "")
        return printed(re.sub(r"\\(.)", r"\1", m.group(1)))[0] if m else None

    def verdict(ok, what):
        if not ok:
            problems.append(f"the printed numbers contradict: {what}")

    if "performance" in claims and said("performance", "binary"):
        trap, ap = var("performance", "trapezoid"), var("performance", "average_precision")
        if said("performance", "trapezoid_above_ap"):
            verdict(trap > ap, f"trapezoid area {trap} said higher than average precision {ap}")
        if said("performance", "trapezoid_not_above_ap"):
            verdict(trap <= ap, f"trapezoid area {trap} said not higher than average precision {ap}")
        prevalence = var("performance", "prevalence")
        R = config["report"]["readings"]
        if said("performance", "ap_far_above"):
            verdict(ap >= R["ap_far_above"] * prevalence, f"average precision {ap} far above {prevalence}")
        if said("performance", "ap_close"):
            verdict(ap < R["ap_above"] * prevalence, f"average precision {ap} close to {prevalence}")
    if "calibration" in claims:
        ds = re.sub(r"[`\\]", "", variables["calibration"]["dataset"])
        t = var("calibration", "threshold")
        rows = [f for f in doc.facts if f.get("table") == f"calibration/{ds}/scores.parquet" and f.get("col") == "ece"]
        eces = {dict(kv.split("=", 1) for kv in f["where"].split(";"))["model"]: printed(f["text"])[0] for f in rows}
        well = {m for m, v in eces.items() if v <= t}
        if said("calibration", "all_well"):
            verdict(well == set(eces), f"every ECE at most {t}: {eces}")
        if said("calibration", "none_well"):
            verdict(not well, f"no ECE as low as {t}: {eces}")
        if said("calibration", "some_well"):
            verdict(0 < len(well) < len(eces), f"only some ECEs at most {t}: {eces}")
        briers = {dict(kv.split("=", 1) for kv in f["where"].split(";"))["model"]: printed(f["text"])[0]
                  for f in doc.facts if f.get("table") == f"calibration/{ds}/scores.parquet" and f.get("col") == "brier"}
        if said("calibration", "best_unique") and briers:
            lowest = min(briers.values())
            verdict(sorted(briers.values()).count(lowest) == 1, f"one lowest Brier score among {briers}")
    if "trust" in claims and said("trust", "has_deletion"):
        shap_area, random_area = var("trust", "area_shap"), var("trust", "area_random")
        verdict((shap_area > random_area) == said("trust", "shap_faithful"),
                f"SHAP's area {shap_area} against random {random_area}, faithful: {said('trust', 'shap_faithful')}")
    if "trust" in claims and said("trust", "has_agreement"):
        ds = re.sub(r"[`\\]", "", variables["trust"]["dataset"])
        model = re.sub(r"[`\\]", "", variables["trust"]["model"])
        rhos = [printed(f["text"])[0] for f in _facts_where(doc, f"trust/{ds}/agreement.parquet", "spearman", model=model)
                if not f.get("agg")]  # the table's cells, not the range the sentence gives
        agree, disagree = var("trust", "agree"), var("trust", "disagree")
        if rhos and said("trust", "methods_agree"):
            verdict(min(rhos) >= agree, f"every correlation {rhos} at least {agree}")
        if rhos and said("trust", "methods_disagree"):
            verdict(min(rhos) < disagree, f"some correlation of {rhos} below {disagree}")
        if rhos and said("trust", "methods_mixed"):
            for b in doc.shown("claims.trust.methods_mixed"):
                num = r"([\u2212+-]?\d[\d,]*(?:\.\d+)?)"
                m = (re.search(rf"correlations? (?:between|run from|from) {num} (?:and|to) {num}", b["text"])
                     or re.search(rf"correlation, {num},()", b["text"]))
                if not m:
                    problems.append(f"the sentence under claims.trust.methods_mixed gives no range: {b['text']!r}")
                else:
                    lo, hi = printed(m.group(1))[0], printed(m.group(2) or m.group(1))[0]
                    verdict((lo, hi) == (min(rhos), max(rhos)),
                            f"the range {lo} to {hi} of the correlations {sorted(rhos)}")
    if "neural" in claims:
        rho, threshold = var("neural", "rank_correlation"), var("neural", "threshold")
        verdict((rho < threshold) == said("neural", "randomization_pass"),
                f"rank correlation {rho} against {threshold}, passes: {said('neural', 'randomization_pass')}")
        salient, random_ = var("neural", "drop_salient"), var("neural", "drop_random")
        verdict((salient > random_) == said("neural", "deletion_pass"),
                f"salient drop {salient} against random {random_}, passes: {said('neural', 'deletion_pass')}")
    if "tree" in claims and not said("tree", "regression") and variables.get("tree", {}).get("accuracy_interval"):
        spans = re.findall(r"\[((?:[^\[\]\\]|\\.)*)\]\{\.fact", " ".join(variables["tree"]["accuracy_interval"].values()))
        lo, hi = (printed(re.sub(r"\\(.)", r"\1", x))[0] for x in spans)
        share = var("tree", "majority_share")
        if said("tree", "above_baseline"):
            verdict(lo > share, f"the interval {lo} to {hi} above {share}")
        if said("tree", "below_baseline"):
            verdict(hi < share, f"the interval {lo} to {hi} below {share}")
        if said("tree", "indistinct"):
            verdict(lo <= share <= hi, f"the interval {lo} to {hi} includes {share}")
    if "tree" in claims and said("tree", "regression") and variables.get("tree", {}).get("r2_interval"):
        spans = re.findall(r"\[((?:[^\[\]\\]|\\.)*)\]\{\.fact", " ".join(variables["tree"]["r2_interval"].values()))
        lo, hi = (printed(re.sub(r"\\(.)", r"\1", x))[0] for x in spans)
        verdict((lo > 0) == said("tree", "beats_mean"), f"the R² interval {lo} to {hi} above zero: {said('tree', 'beats_mean')}")
    if "linear" in claims and said("linear", "has_other"):
        spans = re.findall(r"\[((?:[^\[\]\\]|\\.)*)\]\{\.fact", " ".join(variables["linear"]["difference_interval"].values()))
        lo, hi = (printed(re.sub(r"\\(.)", r"\1", x))[0] for x in spans)
        if said("linear", "better_than_best"):
            verdict(lo > 0, f"the difference {lo} to {hi} above zero")
        if said("linear", "worse_than_best"):
            verdict(hi < 0, f"the difference {lo} to {hi} below zero")
        if said("linear", "same_as_best"):
            verdict(lo <= 0 <= hi, f"the difference {lo} to {hi} includes zero")
    return problems


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
