# SHAP and LIME: values computed once per explained model (parquet), then one draw rule per figure.
# Settings live in config figures.shap / figures.lime (defaults: scripts/mlviz/explain_config.py);
# each rule gets only the keys it uses, so editing one figure's setting redraws that figure alone.
# Imported under a prefix: every rule file shares one namespace (common.smk has importance_parts).
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


rule shap_values:
    input:
        model=model_file,
        train=f"{RUN}/data/{{dataset}}/train.parquet",
        test=f"{RUN}/data/{{dataset}}/test.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("registry", "models", "explain_config", "explain_shap"),
    output:
        values=f"{SHAP_DIR}/values.parquet",
        summary=f"{SHAP_DIR}/summary.json",
        importance=f"{SHAP_DIR}/importance.parquet",
    params:
        shap=shap_compute_params,
    log:
        f"{RUN}/logs/shap/{{dataset}}/{{model}}/values.log",
    script:
        "../scripts/shap_values.py"


rule shap_waterfall:
    input:
        values=f"{SHAP_DIR}/values.parquet",
        summary=f"{SHAP_DIR}/summary.json",
        code=pkg("style", "explain_shap"),
    output:
        f"{SHAP_FIG}/waterfall_row{{row,\\d+}}.png",
    params:
        plot=shap_waterfall_params,
    log:
        f"{RUN}/logs/shap/{{dataset}}/{{model}}/waterfall_row{{row}}.log",
    script:
        "../scripts/shap_waterfall.py"


rule shap_force:
    input:
        values=f"{SHAP_DIR}/values.parquet",
        summary=f"{SHAP_DIR}/summary.json",
        code=pkg("style", "explain_shap"),
    output:
        f"{SHAP_FIG}/force_row{{row,\\d+}}.png",
    params:
        plot=shap_force_params,
    log:
        f"{RUN}/logs/shap/{{dataset}}/{{model}}/force_row{{row}}.log",
    script:
        "../scripts/shap_force.py"


rule shap_beeswarm:
    input:
        values=f"{SHAP_DIR}/values.parquet",
        summary=f"{SHAP_DIR}/summary.json",
        code=pkg("style", "explain_shap"),
    output:
        f"{SHAP_FIG}/beeswarm.png",
    params:
        plot=shap_beeswarm_params,
    log:
        f"{RUN}/logs/shap/{{dataset}}/{{model}}/beeswarm.log",
    script:
        "../scripts/shap_beeswarm.py"


rule shap_bar:
    input:
        values=f"{SHAP_DIR}/values.parquet",
        summary=f"{SHAP_DIR}/summary.json",
        code=pkg("style", "explain_shap"),
    output:
        f"{SHAP_FIG}/bar.png",
    params:
        plot=shap_bar_params,
    log:
        f"{RUN}/logs/shap/{{dataset}}/{{model}}/bar.log",
    script:
        "../scripts/shap_bar.py"


rule shap_dependence:
    input:
        values=f"{SHAP_DIR}/values.parquet",
        summary=f"{SHAP_DIR}/summary.json",
        code=pkg("style", "explain_shap"),
    output:
        f"{SHAP_FIG}/dependence_top{{rank,\\d+}}.png",
    params:
        plot=shap_dependence_params,
    log:
        f"{RUN}/logs/shap/{{dataset}}/{{model}}/dependence_top{{rank}}.log",
    script:
        "../scripts/shap_dependence.py"


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
    return [LIME_DIR.format(dataset=wildcards.dataset, model=wildcards.model, position=p) + "/stability.parquet"
            for p in rows]


_LIME_INPUT = {
    "model": model_file,
    "train": f"{RUN}/data/{{dataset}}/train.parquet",
    "test": f"{RUN}/data/{{dataset}}/test.parquet",
    "meta": f"{RUN}/data/{{dataset}}/meta.json",
    "code": pkg("registry", "models", "explain_config", "explain_lime"),
}


rule lime_explain:
    input:
        **_LIME_INPUT,
    output:
        table=f"{LIME_DIR}/explanation.parquet",
        html=f"{LIME_FIG}/test{{position}}.html",
    params:
        lime=lime_explain_params,
    log:
        f"{RUN}/logs/lime/{{dataset}}/{{model}}/test{{position}}/explain.log",
    script:
        "../scripts/lime_explain.py"


rule lime_stability:
    input:
        **_LIME_INPUT,
    output:
        runs=f"{LIME_DIR}/runs.parquet",
        stability=f"{LIME_DIR}/stability.parquet",
        agreement=f"{LIME_DIR}/agreement.parquet",
    params:
        lime=lime_stability_params,
    log:
        f"{RUN}/logs/lime/{{dataset}}/{{model}}/test{{position}}/stability.log",
    script:
        "../scripts/lime_stability.py"


rule lime_figure:
    input:
        table=f"{LIME_DIR}/explanation.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("style", "explain_lime"),
    output:
        f"{LIME_FIG}/test{{position}}.png",
    params:
        plot=lime_figure_params,
    log:
        f"{RUN}/logs/lime/{{dataset}}/{{model}}/test{{position}}/figure.log",
    script:
        "../scripts/lime_figure.py"


rule lime_stability_figure:
    input:
        stability=f"{LIME_DIR}/stability.parquet",
        agreement=f"{LIME_DIR}/agreement.parquet",
        code=pkg("style", "explain_lime"),
    output:
        f"{LIME_FIG}/stability_test{{position}}.png",
    params:
        plot=lime_stability_figure_params,
    log:
        f"{RUN}/logs/lime/{{dataset}}/{{model}}/test{{position}}/stability_figure.log",
    script:
        "../scripts/lime_stability_figure.py"


rule lime_importance:
    input:
        parts=lime_stability_parts,
        code=pkg("explain_lime"),
    output:
        f"{RUN}/lime/{{dataset}}/{{model}}/importance.parquet",
    log:
        f"{RUN}/logs/lime/{{dataset}}/{{model}}/importance.log",
    script:
        "../scripts/lime_importance.py"


# ------------------------------------------------------------------ outputs


def explain_importance_parts():
    return _xcfg.importance_parts(config, RUN)


def figures_explain_outputs():
    return _xcfg.explain_outputs(config, RUN)
