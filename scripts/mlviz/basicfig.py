"""Settings of the basic figures (config figures.tree, .importance, .linear, .performance):
defaults, and the split of each entry into what selects the model, what a compute rule needs and
what a draw rule needs — so that each rule gets only its own part of the config.

Light on purpose (no numpy, no sklearn): the rule file and the config check import it at parse time.
"""
from __future__ import annotations

# Keys a figure entry may set to override the global `style:` (mlviz.style.DEFAULTS).
STYLE_KEYS = ("dpi", "width", "height", "font_size", "palette", "cmap", "bar_color", "edge_color")

# An entry's defaults; an absent entry means the figure is not drawn.
DEFAULTS = {
    "tree": {
        "dataset": "mba", "model": "decision_tree",
        # A depth-4 tree has up to 16 leaves side by side: wide canvas, short box text.
        "width": 11.0, "height": 5.0, "font_size": 8,
        "max_depth": None, "impurity": False, "proportion": False, "label": "root", "precision": 2,
        "compact": True,
    },
    "importance": {
        "models": [{"dataset": "mba", "model": "random_forest"}],
        "n_repeats": 10, "random_state": 42, "scoring": None, "top_k": None,
    },
    "linear": {
        "dataset": "insurance", "model": "linear",
        "bins": 30,
    },
    "performance": {
        "models": [{"dataset": "mba_binary", "model": "random_forest"},
                   {"dataset": "mba", "model": "random_forest"}],
        "normalize": None,
    },
}

# Which settings each rule depends on (besides the style); editing any other key leaves it alone.
RULE_KEYS = {
    "tree": ("max_depth", "impurity", "proportion", "label", "precision", "compact"),
    "permutation": ("n_repeats", "random_state", "scoring"),
    "importance_draw": ("top_k",),
    "residual_distribution": ("bins",),
    "confusion_matrix": ("normalize",),
}

# Model types whose impurity importance (mean decrease in impurity) scikit-learn exposes.
IMPURITY_TYPES = ("decision_tree", "random_forest")

CLASSIFICATION_SCORERS = ("accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "neg_log_loss",
                          "roc_auc_ovr", "roc_auc", "average_precision")
REGRESSION_SCORERS = ("r2", "neg_root_mean_squared_error", "neg_mean_absolute_error",
                      "neg_mean_squared_error")
BINARY_ONLY_SCORERS = ("roc_auc", "average_precision")


def entry(config: dict, figure: str) -> dict | None:
    """The figure's settings with defaults filled in, or None when config has no such entry."""
    figures = config.get("figures") or {}
    if figure not in figures:
        return None
    return {**DEFAULTS[figure], **(figures[figure] or {})}


def rule_params(config: dict, figure: str, rule: str) -> dict:
    settings = entry(config, figure) or DEFAULTS[figure]
    return {k: settings[k] for k in RULE_KEYS[rule]}
