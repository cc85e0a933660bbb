# One fitted model per (dataset, model) entry of config; its test-split predictions and metrics.


rule train:
    input:
        train=OUT.pattern("train"),
        meta=OUT.pattern("meta"),
        code=code("train"),
    output:
        OUT.pattern("model"),
    params:
        model=lambda w: config["datasets"][w.dataset]["models"][w.model],
    log:
        OUT.log("train", "{dataset}/{model}.{fmt}"),
    benchmark:
        OUT.benchmark("train", "{dataset}/{model}.{fmt}")
    conda:
        "../envs/models.yaml"
    script:
        "../scripts/train.py"


rule evaluate:
    input:
        model=model_file,
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        code=code("evaluate"),
    output:
        predictions=OUT.pattern("predictions"),
        metrics=OUT.pattern("metrics_part"),
    params:
        model=lambda w: config["datasets"][w.dataset]["models"][w.model],
    log:
        OUT.log("evaluate", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("evaluate", "{dataset}/{model}")
    conda:
        "../envs/models.yaml"
    script:
        "../scripts/evaluate.py"


rule gather_metrics:
    input:
        parts=metric_parts,
        code=code("gather_metrics"),
    output:
        report(OUT.pattern("metrics"), caption="../report/captions/metrics.rst", category="Tables"),
    log:
        OUT.log("gather_metrics", "metrics"),
    benchmark:
        OUT.benchmark("gather_metrics", "metrics")
    conda:
        "../envs/models.yaml"
    script:
        "../scripts/gather_metrics.py"
