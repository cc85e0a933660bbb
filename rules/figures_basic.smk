# Tree, impurity/permutation importance, linear-model and classification-performance figures.
# Importances are computed once into parts of the importance table; every figure has its own draw
# rule whose params are only its own config entry (figures.tree, .importance, .linear,
# .performance) merged with the global style — so editing one figure's setting redraws that figure.


# --- compute -----------------------------------------------------------------------------------


rule importance_impurity:
    input:
        model=model_file,
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("models", "registry", "importance"),
    output:
        f"{RUN}/importances/{{dataset}}/{{model}}/impurity.parquet",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        model=model_params,
    log:
        f"{RUN}/logs/importance_impurity/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/compute_impurity_importance.py"


rule importance_permutation:
    input:
        model=model_file,
        test=f"{RUN}/data/{{dataset}}/test.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("models", "registry", "importance"),
    output:
        f"{RUN}/importances/{{dataset}}/{{model}}/permutation.parquet",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        model=model_params,
        permutation=permutation_settings,
    log:
        f"{RUN}/logs/importance_permutation/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/compute_permutation_importance.py"


rule importance_coefficient:
    input:
        model=model_file,
        train=f"{RUN}/data/{{dataset}}/train.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("models", "registry", "importance"),
    output:
        f"{RUN}/importances/{{dataset}}/{{model}}/coefficient.parquet",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        model=model_params,
    log:
        f"{RUN}/logs/importance_coefficient/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/compute_coefficients.py"


# --- draw --------------------------------------------------------------------------------------


rule figure_tree:
    input:
        model=model_file,
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("models", "registry", "style", "plots_basic", "importance"),
    output:
        f"{RUN}/figures/tree/{{dataset}}/{{model}}.png",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        model=model_params,
        style=tree_style,
        tree=tree_settings,
    log:
        f"{RUN}/logs/figure_tree/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_tree.py"


rule figure_importance:
    input:
        part=importance_part,
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("style", "plots_basic", "importance"),
    output:
        f"{RUN}/figures/importance/{{dataset}}/{{model}}/{{method}}.png",
    wildcard_constraints:
        method="impurity|permutation",
        **BASIC_WILDCARDS,
    params:
        style=importance_style,
        draw=importance_draw_settings,
        permutation=importance_draw_permutation,
    log:
        f"{RUN}/logs/figure_importance/{{dataset}}/{{model}}/{{method}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_importance.py"


rule figure_coefficients:
    input:
        part=f"{RUN}/importances/{{dataset}}/{{model}}/coefficient.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("style", "plots_basic", "importance"),
    output:
        f"{RUN}/figures/linear/{{dataset}}/{{model}}/coefficients.png",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        style=linear_style,
    log:
        f"{RUN}/logs/figure_coefficients/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_coefficients.py"


rule figure_residuals:
    input:
        predictions=f"{RUN}/predictions/{{dataset}}/{{model}}.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("style", "plots_basic", "importance"),
    output:
        f"{RUN}/figures/linear/{{dataset}}/{{model}}/residuals.png",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        style=linear_style,
    log:
        f"{RUN}/logs/figure_residuals/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_residuals.py"


rule figure_residual_distribution:
    input:
        predictions=f"{RUN}/predictions/{{dataset}}/{{model}}.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("style", "plots_basic", "importance"),
    output:
        f"{RUN}/figures/linear/{{dataset}}/{{model}}/residual_distribution.png",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        style=linear_style,
        draw=residual_distribution_settings,
    log:
        f"{RUN}/logs/figure_residual_distribution/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_residual_distribution.py"


rule figure_confusion_matrix:
    input:
        predictions=f"{RUN}/predictions/{{dataset}}/{{model}}.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("style", "plots_basic", "importance"),
    output:
        f"{RUN}/figures/performance/{{dataset}}/{{model}}/confusion_matrix.png",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        figure="confusion_matrix",
        style=performance_style,
        draw=confusion_matrix_settings,
    log:
        f"{RUN}/logs/figure_confusion_matrix/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_performance.py"


# ROC and PR legends read their numbers from the model's metrics part (what metrics.parquet
# gathers), checked against the Display's own computation from the same predictions.
rule figure_roc:
    input:
        predictions=f"{RUN}/predictions/{{dataset}}/{{model}}.parquet",
        metrics=f"{RUN}/metrics/{{dataset}}/{{model}}.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("style", "plots_basic", "importance"),
    output:
        f"{RUN}/figures/performance/{{dataset}}/{{model}}/roc.png",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        figure="roc",
        style=performance_style,
    log:
        f"{RUN}/logs/figure_roc/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_performance.py"


rule figure_pr:
    input:
        predictions=f"{RUN}/predictions/{{dataset}}/{{model}}.parquet",
        metrics=f"{RUN}/metrics/{{dataset}}/{{model}}.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("style", "plots_basic", "importance"),
    output:
        f"{RUN}/figures/performance/{{dataset}}/{{model}}/pr.png",
    wildcard_constraints:
        **BASIC_WILDCARDS,
    params:
        figure="pr",
        style=performance_style,
    log:
        f"{RUN}/logs/figure_pr/{{dataset}}/{{model}}.log",
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_performance.py"
