# Look-ups for rules/figures_basic.smk: outputs, params and inputs of the tree, importance, linear and performance figures.
# (Functions and constants only: Snakemake's linter wants them apart from rules.)

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
