"""LIME figures from the stored tables (mlviz.compute.lime_explain): lime's own bar chart of one
explanation, rebuilt without the model, and the weights' spread over seeds."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .style import Style, plt


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


def draw_explanation(table: pd.DataFrame, *, classes: list[str], style: Style, title: str):
    """lime's as_pyplot_figure (green: supports the class, red: against it) with our labels; it
    opens its own figure (no ax=), sized from the style."""
    exp, label = stored_explanation(table, classes)
    style.apply()
    plt.rcParams["figure.figsize"] = (style.width, style.height)
    fig = exp.as_pyplot_figure(label=label)
    ax = fig.axes[0]
    probs = ", ".join(f"P({c}) = {p:.2f}" for c, p in zip(classes, exp.predict_proba))
    ax.set_title(f"{title}\nmodel: {probs}; weights toward {classes[label]} (seed {int(table['seed'].iloc[0])})",
                 loc="left")
    ax.set_xlabel(f"LIME weight (local linear model; > 0 supports {classes[label]})")
    ax.set_ylabel("feature condition")
    ax.axvline(0, color="#444444", linewidth=0.8)
    return fig


def draw_stability(summary: pd.DataFrame, agreement: pd.Series, *, style: Style, title: str, max_features: int,
                   ax=None):
    """Mean LIME weight per feature over the seeds with ±1 standard deviation, and how often each
    feature made the top k."""
    shown = summary.head(max_features).iloc[::-1]
    fig, ax = style.axes(ax)
    pos, neg = style.colour(2), style.colour(3)
    colours = [pos if w > 0 else neg for w in shown["mean_weight"]]
    y = np.arange(len(shown))
    ax.barh(y, shown["mean_weight"], xerr=shown["std_weight"], color=colours, edgecolor=style.edge_color,
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
