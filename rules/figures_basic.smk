# Tree, impurity/permutation importance, linear-model and classification-performance figures.
# Importances are computed once into parts of the importance table; every figure has its own draw
# rule whose params are only its own config entry (figures.tree, .importance, .linear,
# .performance) merged with the global style — so editing one figure's setting redraws that figure.
from mlviz import basicfig


BASIC_WILDCARDS = {"dataset": "[A-Za-z][A-Za-z0-9_]*", "model": "[A-Za-z][A-Za-z0-9_]*"}


def basic_entry(figure):
    return basicfig.entry(config, figure)


def basic_style(figure):
    """Global style ← the figure's defaults and its config entry (mlviz.basicfig)."""
    from mlviz.style import resolve

    return resolve(config.get("style"), basic_entry(figure) or basicfig.DEFAULTS[figure])


def importance_models():
    entry = basic_entry("importance")
    return [(m["dataset"], m["model"]) for m in entry["models"]] if entry else []


def performance_models():
    entry = basic_entry("performance")
    return [(m["dataset"], m["model"]) for m in entry["models"]] if entry else []


def basic_importance_methods():
    """(dataset, model, method) computed here: impurity (tree models) and permutation for every
    model of figures.importance, coefficients of figures.linear's model."""
    specs = []
    for ds, m in importance_models():
        if model_cfg(ds, m)["type"] in basicfig.IMPURITY_TYPES:
            specs.append((ds, m, "impurity"))
        specs.append((ds, m, "permutation"))
    linear = basic_entry("linear")
    if linear:
        specs.append((linear["dataset"], linear["model"], "coefficient"))
    return specs


def basic_importance_parts():
    return [f"{RUN}/importances/{ds}/{m}/{method}.parquet" for ds, m, method in basic_importance_methods()]


def figures_basic_named():
    """Every figure of this file by name (for the report): {name: path under results/<run>/}."""
    names = []
    tree = basic_entry("tree")
    if tree:
        names.append(f"tree/{tree['dataset']}/{tree['model']}")
    for ds, m, method in basic_importance_methods():
        names.append(f"linear/{ds}/{m}/coefficients" if method == "coefficient" else f"importance/{ds}/{m}/{method}")
    linear = basic_entry("linear")
    if linear:
        names += [f"linear/{linear['dataset']}/{linear['model']}/{n}" for n in ("residuals", "residual_distribution")]
    for ds, m in performance_models():
        names += [f"performance/{ds}/{m}/{n}" for n in ("confusion_matrix", "roc", "pr")]
    return {name: f"{RUN}/figures/{name}.png" for name in names}


def figures_basic_outputs():
    return list(figures_basic_named().values())


# Params: named functions, each returning only what its rule depends on.
def tree_style(wildcards):
    return basic_style("tree")


def tree_settings(wildcards):
    return basicfig.rule_params(config, "tree", "tree")


def permutation_settings(wildcards):
    return basicfig.rule_params(config, "importance", "permutation")


def importance_style(wildcards):
    return basic_style("importance")


def importance_draw_settings(wildcards):
    return basicfig.rule_params(config, "importance", "importance_draw")


def importance_draw_permutation(wildcards):
    """The permutation figure names its score and repeats; the impurity figure needs neither."""
    if wildcards.method == "permutation":
        return basicfig.rule_params(config, "importance", "permutation")
    return None


def linear_style(wildcards):
    return basic_style("linear")


def residual_distribution_settings(wildcards):
    return basicfig.rule_params(config, "linear", "residual_distribution")


def performance_style(wildcards):
    return basic_style("performance")


def confusion_matrix_settings(wildcards):
    return basicfig.rule_params(config, "performance", "confusion_matrix")


def importance_part(wildcards):
    return f"{RUN}/importances/{wildcards.dataset}/{wildcards.model}/{wildcards.method}.parquet"


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
