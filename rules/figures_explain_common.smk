# Look-ups for rules/figures_explain.smk: SHAP and LIME outputs, params and inputs.
# (Functions and constants only: Snakemake's linter wants them apart from rules.)

from mlviz import explain_config as _xcfg
from mlviz.style import resolve as _resolve_style

SHAP_DIR = f"{RUN}/shap/{{dataset}}/{{model}}"
SHAP_FIG = f"{RUN}/figures/shap/{{dataset}}/{{model}}"
LIME_DIR = f"{RUN}/lime/{{dataset}}/{{model}}/test{{position}}"  # position: row of test.parquet
LIME_FIG = f"{RUN}/figures/lime/{{dataset}}/{{model}}"


def _explain_entry(section, wildcards):
    for e in section["explain"]:
        if e["dataset"] == wildcards.dataset and e["model"] == wildcards.model:
            return e
    raise WorkflowError(f"{wildcards.dataset}/{wildcards.model} is not listed under figures.*.explain")


# The style keys each figure uses: only these reach its params, so that e.g. a new cmap redraws
# the beeswarm and dependence plots but not the waterfall (scripts fill the rest with defaults).
_STYLE_KEYS = {
    "waterfall": ("dpi", "font_size"),  # shap sizes the waterfall and its fonts itself
    "force": ("dpi", "font_size", "width", "height"),
    "beeswarm": ("dpi", "font_size", "width", "height", "cmap"),
    "bar": ("dpi", "font_size", "width", "height", "bar_color"),
    "dependence": ("dpi", "font_size", "width", "height", "cmap"),
    "explanation": ("dpi", "font_size", "width", "height"),
    "stability_figure": ("dpi", "font_size", "width", "height", "palette", "edge_color"),
}


def _shap_plot_style(plot):
    """Global style ← figures.shap style keys ← figures.shap.<plot> style keys, used keys only."""
    full = _resolve_style(style_params("shap"), _xcfg.shap_settings(config)[plot])
    return {k: full[k] for k in _STYLE_KEYS[plot]}


def _lime_plot_style(plot):
    full = _resolve_style(style_params("lime"), _xcfg.lime_settings(config)[plot])
    return {k: full[k] for k in _STYLE_KEYS[plot]}


# ------------------------------------------------------------------ SHAP


def shap_compute_params(wildcards):
    s = _xcfg.shap_settings(config)
    return {
        "class": _explain_entry(s, wildcards).get("class"),
        "model_type": model_cfg(wildcards.dataset, wildcards.model)["type"],
        **{k: s[k] for k in ("rows", "max_rows", "seed", "rtol")},
    }


def shap_waterfall_params(wildcards):
    return {"max_display": _xcfg.shap_settings(config)["waterfall"]["max_display"],
            "style": _shap_plot_style("waterfall")}


def shap_force_params(wildcards):
    f = _xcfg.shap_settings(config)["force"]
    return {"contribution_threshold": f["contribution_threshold"], "text_rotation": f["text_rotation"],
            "style": _shap_plot_style("force")}


def shap_beeswarm_params(wildcards):
    return {"max_display": _xcfg.shap_settings(config)["beeswarm"]["max_display"],
            "style": _shap_plot_style("beeswarm")}


def shap_bar_params(wildcards):
    return {"max_display": _xcfg.shap_settings(config)["bar"]["max_display"], "style": _shap_plot_style("bar")}


def shap_dependence_params(wildcards):
    # top_k decides how many rank files exist (figures_explain_outputs), not how one is drawn.
    return {"style": _shap_plot_style("dependence")}


# ------------------------------------------------------------------ LIME


def lime_explain_params(wildcards):
    s = _xcfg.lime_settings(config)
    return {"class": _explain_entry(s, wildcards).get("class"),
            "model_type": model_cfg(wildcards.dataset, wildcards.model)["type"],
            **{k: s[k] for k in ("seed", "num_features", "num_samples")}}


def lime_stability_params(wildcards):
    s = _xcfg.lime_settings(config)
    return {**lime_explain_params(wildcards), "seeds": s["stability"]["seeds"], "top_k": s["stability"]["top_k"]}


def lime_figure_params(wildcards):
    return {"style": _lime_plot_style("explanation")}


def lime_stability_figure_params(wildcards):
    f = _xcfg.lime_settings(config)["stability_figure"]
    return {"max_features": f["max_features"], "style": _lime_plot_style("stability_figure")}


def lime_stability_parts(wildcards):
    rows = _xcfg.lime_settings(config)["rows"]
    folders = [LIME_DIR.format(dataset=wildcards.dataset, model=wildcards.model, position=p) for p in rows]
    return [f"{folder}/stability.parquet" for folder in folders]


_LIME_INPUT = {
    "model": model_file,
    "train": f"{RUN}/data/{{dataset}}/train.parquet",
    "test": f"{RUN}/data/{{dataset}}/test.parquet",
    "meta": f"{RUN}/data/{{dataset}}/meta.json",
    "code": pkg("registry", "models", "explain_config", "explain_lime"),
}


# ------------------------------------------------------------------ outputs


def explain_importance_parts():
    return _xcfg.importance_parts(config, RUN)


def figures_explain_outputs():
    return _xcfg.explain_outputs(config, RUN)
