# Raw data → validated, preprocessed train/test tables per dataset; the resolved config.


rule demo_data:
    input:
        code("demo_data"),
    output:
        OUT.pattern("raw_csv"),
    params:
        source=lambda w: config["sources"][w.source],
    log:
        OUT.log("demo_data", "{source}"),
    benchmark:
        OUT.benchmark("demo_data", "{source}")
    conda:
        "../envs/data.yaml"
    script:
        "../scripts/demo_data.py"


rule preprocess:
    input:
        raw=raw_csv,
        code=code("preprocess"),
    output:
        train=OUT.pattern("train"),
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
    params:
        # The dataset's recipe without its models (editing a model must not redo the data), how
        # its file is read, and what was dropped and why (for the meta table and the article).
        dataset=lambda w: {k: v for k, v in config["datasets"][w.dataset].items() if k != "models"},
        read=lambda w: config["sources"][config["datasets"][w.dataset]["source"]],
        dropped=lambda w: NOTES[w.dataset]["dropped"],
    log:
        OUT.log("preprocess"),
    benchmark:
        OUT.benchmark("preprocess")
    conda:
        "../envs/data.yaml"
    script:
        "../scripts/preprocess.py"


# The configuration with every default and inference spelt out: copy it, edit it, rerun.
rule resolved_config:
    input:
        code("resolved_config"),
    output:
        OUT.pattern("resolved_config"),
    params:
        config=lambda w: config,
    log:
        OUT.log("resolved_config", "config"),
    benchmark:
        OUT.benchmark("resolved_config", "config")
    conda:
        "../envs/data.yaml"
    script:
        "../scripts/resolved_config.py"
