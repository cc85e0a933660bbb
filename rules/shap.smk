# SHAP: values computed once per explained model (figures.shap.explain), then one rule per figure.


rule shap_values:
    input:
        model=model_file,
        train=OUT.pattern("train"),
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        code=code("shap_values"),
    output:
        values=OUT.pattern("shap_values"),
        summary=OUT.pattern("shap_summary"),
        importance=OUT.pattern("shap_importance"),
    params:
        shap=lambda w: {"class": explained("shap", w).get("class"), "model_type": model_cfg(w)["type"],
                        **keys("shap", "rows", "max_rows", "seed", "rtol", "instances")},
    log:
        OUT.log("shap_values", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("shap_values", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/shap_values.py"


rule shap_waterfall:
    input:
        values=OUT.pattern("shap_values"),
        summary=OUT.pattern("shap_summary"),
        code=code("shap_waterfall"),
    output:
        figure_output("shap_waterfall_figure"),
    params:
        style=figure_style("shap", "waterfall"),
        max_display=config["figures"]["shap"]["waterfall"]["max_display"],
    log:
        OUT.log("shap_waterfall", "{dataset}/{model}/row{row}"),
    benchmark:
        OUT.benchmark("shap_waterfall", "{dataset}/{model}/row{row}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/shap_waterfall.py"


rule shap_force:
    input:
        values=OUT.pattern("shap_values"),
        summary=OUT.pattern("shap_summary"),
        code=code("shap_force"),
    output:
        figure_output("shap_force_figure"),
    params:
        style=figure_style("shap", "force"),
        force=config["figures"]["shap"]["force"],
    log:
        OUT.log("shap_force", "{dataset}/{model}/row{row}"),
    benchmark:
        OUT.benchmark("shap_force", "{dataset}/{model}/row{row}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/shap_force.py"


rule shap_beeswarm:
    input:
        values=OUT.pattern("shap_values"),
        summary=OUT.pattern("shap_summary"),
        code=code("shap_beeswarm"),
    output:
        figure_output("shap_beeswarm_figure"),
    params:
        style=figure_style("shap", "beeswarm"),
        max_display=config["figures"]["shap"]["beeswarm"]["max_display"],
    log:
        OUT.log("shap_beeswarm", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("shap_beeswarm", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/shap_beeswarm.py"


rule shap_bar:
    input:
        values=OUT.pattern("shap_values"),
        summary=OUT.pattern("shap_summary"),
        code=code("shap_bar"),
    output:
        figure_output("shap_bar_figure"),
    params:
        style=figure_style("shap", "bar"),
        max_display=config["figures"]["shap"]["bar"]["max_display"],
    log:
        OUT.log("shap_bar", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("shap_bar", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/shap_bar.py"


rule shap_dependence:
    input:
        values=OUT.pattern("shap_values"),
        summary=OUT.pattern("shap_summary"),
        code=code("shap_dependence"),
    output:
        figure_output("shap_dependence_figure"),
    params:
        # top_k decides how many rank files exist (rule all), not how one is drawn.
        style=figure_style("shap", "dependence"),
    log:
        OUT.log("shap_dependence", "{dataset}/{model}/top{rank}"),
    benchmark:
        OUT.benchmark("shap_dependence", "{dataset}/{model}/top{rank}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/shap_dependence.py"
