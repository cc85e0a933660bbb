# LIME on rows of a classifier's test split (figures.lime): one explanation with the configured
# seed (table and lime's own HTML page), the same under several seeds (stability), their figures,
# and LIME's part of the importance table.


rule lime_explain:
    input:
        model=model_file,
        train=OUT.pattern("train"),
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        code=code("lime_explain"),
    output:
        table=OUT.pattern("lime_explanation"),
        html=OUT.pattern("lime_page"),
    params:
        lime=lambda w: {"class": explained("lime", w)["class"], "model_type": model_cfg(w)["type"],
                        **keys("lime", "seed", "num_features", "num_samples")},
    log:
        OUT.log("lime_explain", "{dataset}/{model}/test{position}"),
    benchmark:
        OUT.benchmark("lime_explain", "{dataset}/{model}/test{position}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/lime_explain.py"


rule lime_stability:
    input:
        model=model_file,
        train=OUT.pattern("train"),
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        code=code("lime_stability"),
    output:
        runs=OUT.pattern("lime_runs"),
        stability=OUT.pattern("lime_stability"),
        agreement=OUT.pattern("lime_agreement"),
    params:
        lime=lambda w: {"class": explained("lime", w)["class"], "model_type": model_cfg(w)["type"],
                        **keys("lime", "seed", "num_features", "num_samples"),
                        **config["figures"]["lime"]["stability"]},
    log:
        OUT.log("lime_stability", "{dataset}/{model}/test{position}"),
    benchmark:
        OUT.benchmark("lime_stability", "{dataset}/{model}/test{position}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/lime_stability.py"


rule lime_figure:
    input:
        table=OUT.pattern("lime_explanation"),
        meta=OUT.pattern("meta"),
        code=code("lime_figure"),
    output:
        figure_output("lime_figure"),
    params:
        style=figure_style("lime", "explanation"),
    log:
        OUT.log("lime_figure", "{dataset}/{model}/test{position}"),
    benchmark:
        OUT.benchmark("lime_figure", "{dataset}/{model}/test{position}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/lime_figure.py"


rule lime_stability_figure:
    input:
        stability=OUT.pattern("lime_stability"),
        agreement=OUT.pattern("lime_agreement"),
        code=code("lime_stability_figure"),
    output:
        figure_output("lime_stability_figure"),
    params:
        style=figure_style("lime", "stability_figure"),
        max_features=config["figures"]["lime"]["stability_figure"]["max_features"],
    log:
        OUT.log("lime_stability_figure", "{dataset}/{model}/test{position}"),
    benchmark:
        OUT.benchmark("lime_stability_figure", "{dataset}/{model}/test{position}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/lime_stability_figure.py"


rule lime_importance:
    input:
        parts=lambda w: [OUT.path("lime_stability", dataset=w.dataset, model=w.model, position=p)
                         for p in config["figures"]["lime"]["rows"]],
        code=code("lime_importance"),
    output:
        OUT.pattern("lime_importance"),
    log:
        OUT.log("lime_importance", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("lime_importance", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/lime_importance.py"
