# Figures of the tabular models, one rule per figure, drawn from what the compute rules stored (and
# the decision tree's questions in data units, the table its figure writes from):
# the decision tree, importance bars, linear-model coefficients and residuals, confusion matrix,
# ROC and precision-recall curves. Each rule's params are only its own settings (and the style),
# so that editing one figure's setting redraws that figure and nothing else.


rule tree_questions:
    input:
        model=model_file,
        train=OUT.pattern("train"),
        meta=OUT.pattern("meta"),
        code=code("tree_questions"),
    output:
        OUT.pattern("tree_questions"),
    params:
        model=lambda w: config["datasets"][w.dataset]["models"][w.model],
    log:
        OUT.log("tree_questions", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("tree_questions", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/tree_questions.py"


rule draw_tree:
    input:
        model=model_file,
        questions=OUT.pattern("tree_questions"),
        meta=OUT.pattern("meta"),
        code=code("draw_tree"),
    output:
        figure_output("tree_figure"),
    params:
        model=lambda w: config["datasets"][w.dataset]["models"][w.model],
        style=figure_style("tree"),
        tree=keys("tree", "max_depth", "impurity", "proportion", "label", "precision", "compact"),
    log:
        OUT.log("draw_tree", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_tree", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_tree.py"


rule draw_importance:
    input:
        part=OUT.pattern("importance_part"),
        meta=OUT.pattern("meta"),
        code=code("draw_importance"),
    output:
        figure_output("importance_figure"),
    params:
        style=figure_style("importance"),
        draw=keys("importance", "top_k"),
        # The permutation figure names its score and repeats; the impurity figure needs neither.
        permutation=lambda w: keys("importance", "n_repeats", "scoring") if w.method == "permutation" else None,
    log:
        OUT.log("draw_importance", "{dataset}/{model}/{method}"),
    benchmark:
        OUT.benchmark("draw_importance", "{dataset}/{model}/{method}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_importance.py"


rule draw_coefficients:
    input:
        part=OUT.path("importance_part", dataset="{dataset}", model="{model}", method="coefficient"),
        meta=OUT.pattern("meta"),
        code=code("draw_coefficients"),
    output:
        figure_output("coefficients_figure"),
    params:
        style=figure_style("linear"),
        draw=keys("linear", "top_k"),
    log:
        OUT.log("draw_coefficients", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_coefficients", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_coefficients.py"


rule draw_residuals:
    input:
        predictions=OUT.pattern("predictions"),
        meta=OUT.pattern("meta"),
        code=code("draw_residuals"),
    output:
        figure_output("residuals_figure"),
    params:
        style=figure_style("linear"),
    log:
        OUT.log("draw_residuals", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_residuals", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_residuals.py"


rule draw_residual_distribution:
    input:
        predictions=OUT.pattern("predictions"),
        meta=OUT.pattern("meta"),
        code=code("draw_residual_distribution"),
    output:
        figure_output("residual_distribution_figure"),
    params:
        style=figure_style("linear"),
        draw=keys("linear", "bins"),
    log:
        OUT.log("draw_residual_distribution", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_residual_distribution", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_residual_distribution.py"


rule draw_confusion_matrix:
    input:
        predictions=OUT.pattern("predictions"),
        meta=OUT.pattern("meta"),
        code=code("draw_confusion_matrix"),
    output:
        figure_output("confusion_matrix_figure"),
    params:
        style=figure_style("performance"),
        draw=keys("performance", "normalize"),
    log:
        OUT.log("draw_confusion_matrix", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_confusion_matrix", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_confusion_matrix.py"


# ROC and PR legends read their numbers from the model's metrics part (what metrics.parquet
# gathers), checked against the Display's own computation from the same predictions.
rule draw_roc:
    input:
        predictions=OUT.pattern("predictions"),
        metrics=OUT.pattern("metrics_part"),
        meta=OUT.pattern("meta"),
        code=code("draw_roc"),
    output:
        figure_output("roc_figure"),
    params:
        style=figure_style("performance"),
    log:
        OUT.log("draw_roc", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_roc", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_roc.py"


rule draw_pr:
    input:
        predictions=OUT.pattern("predictions"),
        metrics=OUT.pattern("metrics_part"),
        meta=OUT.pattern("meta"),
        code=code("draw_pr"),
    output:
        figure_output("pr_figure"),
    params:
        style=figure_style("performance"),
    log:
        OUT.log("draw_pr", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_pr", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_pr.py"
