# One fitted model per (dataset, model) entry of config; test-split predictions and metrics.


rule train:
    input:
        train=f"{RUN}/data/{{dataset}}/train.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("registry", "models"),
    output:
        f"{RUN}/models/{{dataset}}/{{model}}.{{fmt}}",
    wildcard_constraints:
        dataset=DATASETS,
        fmt="skops|ubj",
    params:
        model=model_params,
    log:
        f"{RUN}/logs/train/{{dataset}}/{{model}}.{{fmt}}.log",
    conda:
        "../envs/models.yaml"
    script:
        "../scripts/train.py"


rule evaluate:
    wildcard_constraints:
        dataset=DATASETS,
    input:
        model=model_file,
        test=f"{RUN}/data/{{dataset}}/test.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
        code=pkg("registry", "models", "metrics"),
    output:
        predictions=f"{RUN}/predictions/{{dataset}}/{{model}}.parquet",
        metrics=f"{RUN}/metrics/{{dataset}}/{{model}}.parquet",
    params:
        model=model_params,
    log:
        f"{RUN}/logs/evaluate/{{dataset}}/{{model}}.log",
    conda:
        "../envs/models.yaml"
    script:
        "../scripts/evaluate.py"


rule metrics:
    input:
        parts=metric_parts,
        code=pkg(),
    output:
        f"{RUN}/metrics.parquet",
    log:
        f"{RUN}/logs/metrics.log",
    conda:
        "../envs/models.yaml"
    script:
        "../scripts/gather_metrics.py"


rule importances:
    input:
        parts=importance_parts,
        code=pkg(),
    output:
        f"{RUN}/importances.parquet",
    log:
        f"{RUN}/logs/importances.log",
    conda:
        "../envs/models.yaml"
    script:
        "../scripts/gather_importances.py"
