# SHAP and LIME: values computed once per explained model (parquet), then one draw rule per figure.
# Settings live in config figures.shap / figures.lime (defaults: scripts/mlviz/explain_config.py);
# each rule gets only the keys it uses, so editing one figure's setting redraws that figure alone.
# Imported under a prefix: every rule file shares one namespace (common.smk has importance_parts).


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
    conda:
        "../envs/figures.yaml"
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
    conda:
        "../envs/figures.yaml"
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
    conda:
        "../envs/figures.yaml"
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
    conda:
        "../envs/figures.yaml"
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
    conda:
        "../envs/figures.yaml"
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
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/shap_dependence.py"


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
    conda:
        "../envs/figures.yaml"
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
    conda:
        "../envs/figures.yaml"
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
    conda:
        "../envs/figures.yaml"
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
    conda:
        "../envs/figures.yaml"
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
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/lime_importance.py"
