"""LIME for rows of a classifier's test split: one explanation with a fixed seed (table, lime's
HTML page and its bar chart) and the same explanation under several seeds (stability).

LIME fixes its random state when the explainer is built (repeated explain_instance calls on one
explainer draw different samples), so each seed gets its own explainer. It indexes a pandas
Series by position, so rows are passed as NumPy arrays.
"""
from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .errors import InputError


# ---------------------------------------------------------------- compute

def load_case(smk) -> SimpleNamespace:
    """What the LIME rules start from: the settings, features and classes, the explained class's
    index, the test row, the training matrix and the model."""
    from . import models
    from .explain_config import explained_class

    p = smk.params.lime
    meta = json.loads(Path(smk.input.meta).read_text())
    features, classes = meta["features"], meta["classes"]
    position = int(smk.wildcards.position)
    row = test_row(pd.read_parquet(smk.input.test), position, f"{smk.wildcards.dataset}/{smk.wildcards.model}")
    return SimpleNamespace(
        p=p, features=features, classes=classes, position=position, row=row,
        label=classes.index(explained_class({"class": p["class"]} if p["class"] else {}, classes)),
        x=row[features].to_numpy(dtype="float64"),
        train_X=pd.read_parquet(smk.input.train)[features].to_numpy(dtype="float64"),
        model=models.load(smk.input.model, p["model_type"], meta["task"]),
    )


def test_row(test: pd.DataFrame, position: int, what: str) -> pd.Series:
    if not 0 <= position < len(test):
        raise InputError(f"config key figures.lime.rows: test row {position} does not exist for {what} "
                         f"(its test split has {len(test)} rows: positions 0..{len(test) - 1})")
    return test.iloc[position]


def make_explainer(train_X: np.ndarray, features: list[str], classes: list[str], seed: int):
    from lime.lime_tabular import LimeTabularExplainer

    # The tutorial's settings: quartile discretisation of every column, LIME's default kernel.
    return LimeTabularExplainer(training_data=train_X, feature_names=features, class_names=classes,
                                mode="classification", random_state=seed)


def predict_proba_fn(model, features: list[str]):
    """LIME passes NumPy arrays; the model was fitted on a named DataFrame, so name the columns."""
    def predict(a: np.ndarray) -> np.ndarray:
        return model.predict_proba(pd.DataFrame(a, columns=features))
    return predict


def explain(explainer, row: np.ndarray, predict, label: int, num_features: int, num_samples: int):
    return explainer.explain_instance(row, predict, labels=(label,), num_features=num_features,
                                      num_samples=num_samples)


def explanation_table(exp, label: int, features: list[str], classes: list[str], position: int, row: int,
                      seed: int) -> pd.DataFrame:
    """One line per feature in the explanation, by descending |weight|, with the row's predicted
    probabilities and the local model's intercept, prediction and R² repeated on every line."""
    # as_list gives the rule text ("gmat > 680.00") in as_map's order of feature ids.
    mapped = {i: rule for (i, _), (rule, _) in zip(exp.as_map()[label], exp.as_list(label=label))}
    pairs = sorted(exp.as_map()[label], key=lambda p: (-abs(p[1]), features[p[0]]))
    table = pd.DataFrame({
        "test_position": position, "row": row, "seed": seed, "class": classes[label],
        "rank": np.arange(1, len(pairs) + 1),
        "feature": [features[i] for i, _ in pairs],
        "rule": [mapped[i] for i, _ in pairs],
        "weight": [float(w) for _, w in pairs],
    })
    for c, p in zip(classes, exp.predict_proba):
        table[f"proba_{c}"] = float(p)
    table["intercept"] = float(exp.intercept[label])
    table["local_pred"] = float(np.ravel(exp.local_pred)[0])
    table["score"] = float(exp.score)
    return table


# LIME's page inlines its JavaScript bundle (d3 and the like), so it loads nothing from a CDN; the
# only reference out of the file is the bundle's source-map comment, which names a file that is
# not there: drop it.
_SOURCE_MAP = re.compile(r"//# sourceMappingURL=\S+")
# What a browser would fetch by itself: src/href attributes, CSS url(...) and @import.
_EXTERNAL = re.compile(r"""(?:\b(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//)"""
                       r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)""",
                       re.IGNORECASE)


def self_contained_html(exp, label: int, seed: int) -> str:
    # lime does not hand the explainer's random state to the Explanation, so the page's element
    # id would come from NumPy's global generator: seed it for identical pages run after run.
    exp.random_state = np.random.RandomState(seed)
    html = exp.as_html(labels=(label,))
    html = _SOURCE_MAP.sub("", html)
    found = external_references(html)
    if found:
        raise RuntimeError(f"LIME's HTML loads external resources: {found[:3]}")
    return html


def external_references(html: str) -> list[str]:
    """Places where the page would load something from another host."""
    return [html[max(0, m.start() - 40):m.end() + 60] for m in _EXTERNAL.finditer(html)]


def seeds_for(seed: int, n: int) -> list[int]:
    return [seed + i for i in range(n)]


def top_k(run: pd.DataFrame, k: int) -> frozenset:
    """The k features with the largest |weight| in one run (ties by name)."""
    ordered = run.assign(a=-run["weight"].abs()).sort_values(["a", "feature"])
    return frozenset(ordered["feature"].head(k))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def stability(runs: pd.DataFrame, features: list[str], k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-feature weight over seeds (a feature a run did not select counts as weight 0) and the
    agreement of the top-k feature sets (mean and minimum pairwise Jaccard index)."""
    seeds = sorted(runs["seed"].unique())
    wide = (runs.pivot(index="seed", columns="feature", values="weight")
            .reindex(index=seeds, columns=features).fillna(0.0))
    sets = {s: top_k(runs[runs["seed"] == s], k) for s in seeds}
    in_top = pd.DataFrame({f: [f in sets[s] for s in seeds] for f in features}, index=seeds)
    rules = runs.drop_duplicates("feature").set_index("feature")["rule"]
    summary = pd.DataFrame({
        "feature": features,
        "rule": [rules.get(f, "") for f in features],
        "mean_weight": wide.mean().to_numpy(),
        "std_weight": wide.std(ddof=0).to_numpy(),
        "selected_frac": (runs.groupby("feature")["seed"].nunique().reindex(features).fillna(0) / len(seeds)).to_numpy(),
        "top_k_frac": in_top.mean().to_numpy(),
    })
    summary = (summary.assign(a=-summary["mean_weight"].abs()).sort_values(["a", "feature"])
               .drop(columns="a").reset_index(drop=True))
    pairs = [jaccard(sets[a], sets[b]) for a, b in itertools.combinations(seeds, 2)]
    first = runs.iloc[0]
    agreement = pd.DataFrame([{
        "test_position": int(first["test_position"]), "row": int(first["row"]), "class": first["class"],
        "seeds": len(seeds), "top_k": k,
        "mean_jaccard": float(np.mean(pairs)) if pairs else 1.0,
        "min_jaccard": float(np.min(pairs)) if pairs else 1.0,
        "always_top_k": int((in_top.all()).sum()),
    }])
    for col in [c for c in runs.columns if c.startswith("proba_")]:
        agreement[col] = float(first[col])
    return summary, agreement


def importance(summaries: list[pd.DataFrame], dataset: str, model: str) -> pd.DataFrame:
    """Per feature: mean over the explained rows of |mean weight over seeds|; spread: mean over
    rows of the weight's standard deviation across seeds."""
    both = pd.concat(summaries, ignore_index=True)
    agg = both.assign(abs_mean=both["mean_weight"].abs()).groupby("feature", sort=True).agg(
        value=("abs_mean", "mean"), spread=("std_weight", "mean")).reset_index()
    agg = agg.assign(a=-agg["value"]).sort_values(["a", "feature"]).drop(columns="a")
    return pd.DataFrame({"dataset": dataset, "model": model, "method": "lime_weight",
                         "feature": agg["feature"].to_numpy(), "value": agg["value"].to_numpy(),
                         "spread": agg["spread"].to_numpy()})


# ---------------------------------------------------------------- draw

def stored_explanation(table: pd.DataFrame, classes: list[str]):
    """A lime Explanation rebuilt from the stored table, so that lime draws its own bar chart
    without the model or the explainer."""
    from lime.explanation import DomainMapper, Explanation

    class StoredRules(DomainMapper):
        def __init__(self, rules):
            super().__init__()
            self.rules = rules

        def map_exp_ids(self, exp, **kwargs):
            return [(self.rules[i], w) for i, w in exp]

    label = classes.index(table["class"].iloc[0])
    exp = Explanation(StoredRules(list(table["rule"])), mode="classification", class_names=classes)
    exp.local_exp = {label: [(i, float(w)) for i, w in enumerate(table["weight"])]}
    exp.predict_proba = np.array([table[f"proba_{c}"].iloc[0] for c in classes])
    return exp, label


def draw_explanation(table: pd.DataFrame, classes: list[str], title: str, width: float, height: float):
    """lime's as_pyplot_figure (green: supports the class, red: against it) with our labels."""
    import matplotlib.pyplot as plt

    exp, label = stored_explanation(table, classes)
    plt.rcParams["figure.figsize"] = (width, height)  # as_pyplot_figure opens its own figure
    fig = exp.as_pyplot_figure(label=label)
    ax = fig.axes[0]
    probs = ", ".join(f"P({c}) = {p:.2f}" for c, p in zip(classes, exp.predict_proba))
    ax.set_title(f"{title}\nmodel: {probs}; weights toward {classes[label]} (seed {int(table['seed'].iloc[0])})",
                 loc="left")
    ax.set_xlabel(f"LIME weight (local linear model; > 0 supports {classes[label]})")
    ax.set_ylabel("feature condition")
    ax.axvline(0, color="#444444", linewidth=0.8)
    return fig


def draw_stability(summary: pd.DataFrame, agreement: pd.Series, title: str, max_features: int, style: dict):
    """Mean LIME weight per feature over the seeds with ±1 standard deviation, and how often each
    feature made the top k."""
    from .style import figure

    shown = summary.head(max_features).iloc[::-1]
    fig, ax = figure(style)
    pos, neg = style["palette"][2 % len(style["palette"])], style["palette"][3 % len(style["palette"])]
    colours = [pos if w > 0 else neg for w in shown["mean_weight"]]
    y = np.arange(len(shown))
    ax.barh(y, shown["mean_weight"], xerr=shown["std_weight"], color=colours, edgecolor=style["edge_color"],
            linewidth=0.6, capsize=3, error_kw={"elinewidth": 1, "ecolor": "#333333"})
    labels = [f"{r or f}" for r, f in zip(shown["rule"], shown["feature"])]
    ax.set_yticks(y, labels)
    ax.axvline(0, color="#444444", linewidth=0.8)
    k, n = int(agreement["top_k"]), int(agreement["seeds"])
    for yi, (w, sd, frac) in enumerate(zip(shown["mean_weight"], shown["std_weight"], shown["top_k_frac"])):
        ax.annotate(f"top {k}: {frac * n:.0f}/{n}", xy=(1.0, yi), xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize="small", color="#333333")
    ax.set_xlabel(f"LIME weight toward {agreement['class']}: mean over {n} seeds, bars ±1 s.d.")
    ax.set_ylabel("feature condition")
    ax.set_title(f"{title}\ntop-{k} agreement: mean pairwise Jaccard {agreement['mean_jaccard']:.2f} "
                 f"(min {agreement['min_jaccard']:.2f}); {int(agreement['always_top_k'])} feature(s) in every top {k}",
                 loc="left")
    return fig
