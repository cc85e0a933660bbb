"""Which models each figure family draws: the `auto` of figures.<family>.models (or .explain)
spelt out from the resolved datasets, so that a minimal config gets every figure that applies.

- tree: every decision tree;  importance: every model;  linear: every linear regression;
- performance: one classifier per classification dataset (the featured one, below);
- shap: one tree model per dataset (XGBoost, else the random forest, else the decision tree);
- lime: one classifier per classification dataset (the featured one);
- effects (partial dependence): every tree ensemble (random forest, XGBoost) of figures.importance,
  whose permutation importance ranks the features to draw;
- threshold: the featured model of each two-class dataset.
The featured model of a dataset is its random forest, else XGBoost, else its decision tree, else
its first model: the model the tutorial reads its performance charts from.
An explained classifier's class defaults to the positive (second) class for two classes and to the
first class for more.
"""
from __future__ import annotations

TREE_TYPES = ("decision_tree", "random_forest", "xgboost")
FEATURED = ("random_forest", "xgboost", "decision_tree", "linear")
SHAP_PREFERENCE = ("xgboost", "random_forest", "decision_tree")


def _first_of(models: dict, order) -> str | None:
    for t in order:
        for name, m in models.items():
            if m["type"] == t:
                return name
    return None


def featured(ds: dict) -> str:
    return _first_of(ds["models"], FEATURED) or next(iter(ds["models"]))


def default_class(ds: dict) -> str | None:
    classes = ds["target"].get("classes")
    if not classes:
        return None
    return classes[1] if len(classes) == 2 else classes[0]


def auto(cfg: dict, family: str) -> list[dict]:
    out = []
    for dname, ds in cfg["datasets"].items():
        models, task = ds["models"], ds["task"]
        if family == "tree":
            names = [m for m, v in models.items() if v["type"] == "decision_tree"]
        elif family == "importance":
            names = list(models)
        elif family == "linear":
            names = [m for m, v in models.items() if v["type"] == "linear"] if task == "regression" else []
        elif family in ("performance", "lime"):
            names = [featured(ds)] if task == "classification" else []
        elif family == "shap":
            first = _first_of(models, SHAP_PREFERENCE)
            names = [first] if first else []
        elif family == "effects":
            ranked = {m for d, m in entries(cfg, "importance") if d == dname}
            names = [m for m, v in models.items() if v["type"] in ENSEMBLES and m in ranked]
        elif family == "threshold":
            binary = task == "classification" and len(ds["target"]["classes"]) == 2
            names = [featured(ds)] if binary else []
        else:
            raise ValueError(family)
        out += [{"dataset": dname, "model": m} for m in names]
    return out


# In resolution order: effects reads the resolved importance selection.
FAMILIES = {"tree": "models", "importance": "models", "linear": "models", "performance": "models",
            "shap": "explain", "lime": "explain", "effects": "models", "threshold": "models"}
ENSEMBLES = ("random_forest", "xgboost")


def resolve(cfg: dict) -> None:
    """In place: every `auto` selection becomes its list; explained classifiers get their class."""
    from .infer import config_label

    figures = cfg["figures"]
    for family, key in FAMILIES.items():
        section = figures[family]
        if section[key] == "auto":
            section[key] = auto(cfg, family)
        if family in ("shap", "lime", "effects"):
            for i, entry in enumerate(section[key]):
                ds = cfg["datasets"].get(entry["dataset"])
                if ds is None or ds["task"] != "classification":
                    continue
                if "class" in entry:
                    entry["class"] = config_label(entry["class"], ds["target"]["classes"],
                                                  f"figures.{family}.{key}[{i}].class")
                else:
                    entry["class"] = default_class(ds)


def entries(cfg: dict, family: str) -> list[tuple[str, str]]:
    """(dataset, model) pairs a family draws."""
    return [(e["dataset"], e["model"]) for e in cfg["figures"][family][FAMILIES[family]]]


def explained_class(cfg: dict, family: str, pair) -> str | None:
    """The class a family's entry explains (None for regression)."""
    key = FAMILIES[family]
    for e in cfg["figures"][family][key]:
        if (e["dataset"], e["model"]) == tuple(pair):
            return e.get("class")
    return None
