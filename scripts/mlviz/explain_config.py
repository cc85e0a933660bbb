"""Settings of the SHAP and LIME figures (config figures.shap / figures.lime) with their defaults.

Light on purpose (no shap, lime or sklearn import): the rule file and the parse-time config check
read it. Every key is described in config/schema.yaml.
"""
from __future__ import annotations

import copy

# Model types SHAP's TreeExplainer handles exactly (path-dependent Tree SHAP).
TREE_TYPES = ("decision_tree", "random_forest", "xgboost")

SHAP_DEFAULTS = {
    "explain": [],            # [{dataset, model, class?}]; nothing is explained unless listed
    "rows": "all",            # all | train | test
    "max_rows": 10000,        # beyond this, a seeded sample of max_rows rows is explained
    "seed": 42,
    "rtol": 1.0e-5,           # additivity tolerance, relative to max(1, max |model output|)
    "instances": [0],         # CSV row numbers (the `row` index) for waterfall and force plots
    "waterfall": {"max_display": 10},
    "force": {"width": 20.0, "height": 4.0, "contribution_threshold": 0.05, "text_rotation": 30},
    "beeswarm": {"max_display": 10},
    "bar": {"max_display": 10},
    "dependence": {"top_k": 3},
}

LIME_DEFAULTS = {
    "explain": [],            # [{dataset, model, class?}]
    "rows": [0],              # positions in the test split: test.parquet.iloc[i]
    "seed": 42,
    "num_features": 10,
    "num_samples": 5000,
    "stability": {"seeds": 10, "top_k": 5},
    "explanation": {},        # style overrides of the explanation bar chart
    "stability_figure": {"max_features": 12},
}

# Sub-sections whose keys are merged one level deep with the defaults.
_NESTED = {"waterfall", "force", "beeswarm", "bar", "dependence", "stability", "explanation",
           "stability_figure"}


def _merge(defaults: dict, given: dict | None) -> dict:
    out = copy.deepcopy(defaults)
    for key, value in (given or {}).items():
        if key in _NESTED and isinstance(value, dict):
            out[key] = {**out.get(key, {}), **value}
        else:
            out[key] = copy.deepcopy(value)
    return out


def shap_settings(config: dict) -> dict:
    return _merge(SHAP_DEFAULTS, config.get("figures", {}).get("shap"))


def lime_settings(config: dict) -> dict:
    return _merge(LIME_DEFAULTS, config.get("figures", {}).get("lime"))


def explained_class(entry: dict, classes: list[str] | None) -> str | None:
    """The class whose output is explained: the configured one, else the positive (second) class
    of a binary task; None for regression. Multi-class tasks must name it (checked at start)."""
    if classes is None:
        return None
    if "class" in entry:
        return entry["class"]
    return classes[1] if len(classes) == 2 else None


def explain_outputs(config: dict, run_dir: str) -> list[str]:
    """Final outputs of the SHAP and LIME rules (rules/figures_explain.smk) for a config."""
    out = []
    s = shap_settings(config)
    for e in s["explain"]:
        base, fig = f"{run_dir}/shap/{e['dataset']}/{e['model']}", f"{run_dir}/figures/shap/{e['dataset']}/{e['model']}"
        out += [f"{base}/summary.json", f"{fig}/beeswarm.png", f"{fig}/bar.png"]
        out += [f"{fig}/waterfall_row{r}.png" for r in s["instances"]]
        out += [f"{fig}/force_row{r}.png" for r in s["instances"]]
        out += [f"{fig}/dependence_top{k}.png" for k in range(1, s["dependence"]["top_k"] + 1)]
    s = lime_settings(config)
    for e in s["explain"]:
        fig = f"{run_dir}/figures/lime/{e['dataset']}/{e['model']}"
        for p in s["rows"]:
            out += [f"{fig}/test{p}.png", f"{fig}/test{p}.html", f"{fig}/stability_test{p}.png"]
    return out


def importance_parts(config: dict, run_dir: str) -> list[str]:
    """Importance tables (methods mean_abs_shap, lime_weight) for the gather rule `importances`."""
    return ([f"{run_dir}/shap/{e['dataset']}/{e['model']}/importance.parquet" for e in shap_settings(config)["explain"]]
            + [f"{run_dir}/lime/{e['dataset']}/{e['model']}/importance.parquet" for e in lime_settings(config)["explain"]])
