# How good the models are and how far their probabilities can be read as such: every model of a
# dataset on one page (curves overlaid, metrics with paired bootstrap intervals), calibration of
# the classifiers, and the decision threshold of two-class ones. Computed once per dataset (or
# model) into tables; one rule per figure.


rule compare_models:
    input:
        predictions=lambda w: [OUT.path("predictions", dataset=w.dataset, model=m) for m in dataset(w)["models"]],
        meta=OUT.pattern("meta"),
        code=code("compare_models"),
    output:
        metrics=OUT.pattern("comparison_metrics"),
        differences=OUT.pattern("comparison_differences"),
    params:
        models=lambda w: list(dataset(w)["models"]),
        comparison=keys("comparison", "n_boot", "level", "seed"),
    log:
        OUT.log("compare_models"),
    benchmark:
        OUT.benchmark("compare_models")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/compare_models.py"


rule draw_roc_comparison:
    input:
        predictions=lambda w: [OUT.path("predictions", dataset=w.dataset, model=m) for m in dataset(w)["models"]],
        metrics=OUT.pattern("comparison_metrics"),
        meta=OUT.pattern("meta"),
        code=code("draw_roc_comparison"),
    output:
        figure_output("roc_comparison_figure"),
    params:
        models=lambda w: list(dataset(w)["models"]),
        style=figure_style("comparison"),
    log:
        OUT.log("draw_roc_comparison"),
    benchmark:
        OUT.benchmark("draw_roc_comparison")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_roc_comparison.py"


rule draw_pr_comparison:
    input:
        predictions=lambda w: [OUT.path("predictions", dataset=w.dataset, model=m) for m in dataset(w)["models"]],
        metrics=OUT.pattern("comparison_metrics"),
        meta=OUT.pattern("meta"),
        code=code("draw_pr_comparison"),
    output:
        figure_output("pr_comparison_figure"),
    params:
        models=lambda w: list(dataset(w)["models"]),
        style=figure_style("comparison"),
    log:
        OUT.log("draw_pr_comparison"),
    benchmark:
        OUT.benchmark("draw_pr_comparison")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_pr_comparison.py"


rule draw_predicted_vs_actual:
    input:
        predictions=lambda w: [OUT.path("predictions", dataset=w.dataset, model=m) for m in dataset(w)["models"]],
        metrics=OUT.pattern("comparison_metrics"),
        meta=OUT.pattern("meta"),
        code=code("draw_predicted_vs_actual"),
    output:
        figure_output("predicted_vs_actual_figure"),
    params:
        models=lambda w: list(dataset(w)["models"]),
        style=figure_style("comparison"),
    log:
        OUT.log("draw_predicted_vs_actual"),
    benchmark:
        OUT.benchmark("draw_predicted_vs_actual")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_predicted_vs_actual.py"


rule draw_metric_intervals:
    input:
        metrics=OUT.pattern("comparison_metrics"),
        code=code("draw_metric_intervals"),
    output:
        figure_output("intervals_figure"),
    params:
        style=figure_style("comparison"),
    log:
        OUT.log("draw_metric_intervals"),
    benchmark:
        OUT.benchmark("draw_metric_intervals")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_metric_intervals.py"


rule calibration:
    input:
        predictions=lambda w: [OUT.path("predictions", dataset=w.dataset, model=m) for m in dataset(w)["models"]],
        meta=OUT.pattern("meta"),
        code=code("calibration"),
    output:
        curve=OUT.pattern("calibration_curve"),
        histogram=OUT.pattern("calibration_histogram"),
        scores=OUT.pattern("calibration_scores"),
    params:
        models=lambda w: list(dataset(w)["models"]),
        calibration=keys("calibration", "bins", "strategy"),
    log:
        OUT.log("calibration"),
    benchmark:
        OUT.benchmark("calibration")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/calibration.py"


rule draw_calibration:
    input:
        curve=OUT.pattern("calibration_curve"),
        histogram=OUT.pattern("calibration_histogram"),
        scores=OUT.pattern("calibration_scores"),
        code=code("draw_calibration"),
    output:
        figure_output("calibration_figure"),
    params:
        style=figure_style("calibration"),
    log:
        OUT.log("draw_calibration"),
    benchmark:
        OUT.benchmark("draw_calibration")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_calibration.py"


rule threshold:
    input:
        predictions=OUT.pattern("predictions"),
        meta=OUT.pattern("meta"),
        code=code("threshold"),
    output:
        table=OUT.pattern("threshold_table"),
        summary=OUT.pattern("threshold_summary"),
    log:
        OUT.log("threshold", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("threshold", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/threshold.py"


rule draw_threshold:
    input:
        table=OUT.pattern("threshold_table"),
        summary=OUT.pattern("threshold_summary"),
        meta=OUT.pattern("meta"),
        code=code("draw_threshold"),
    output:
        figure_output("threshold_figure"),
    params:
        style=figure_style("threshold"),
    log:
        OUT.log("draw_threshold", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_threshold", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_threshold.py"
