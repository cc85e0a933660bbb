# Raw data → validated, preprocessed train/test parquet per dataset.


rule demo_data:
    output:
        f"{RUN}/raw/{{source}}.csv",
    input:
        pkg("demo"),
    params:
        source=source_params,
    log:
        f"{RUN}/logs/demo_data/{{source}}.log",
    conda:
        "../envs/data.yaml"
    script:
        "../scripts/demo_data.py"


rule preprocess:
    input:
        raw=raw_csv,
        code=pkg("recipe", "rawcsv", "data"),
    output:
        train=f"{RUN}/data/{{dataset}}/train.parquet",
        test=f"{RUN}/data/{{dataset}}/test.parquet",
        meta=f"{RUN}/data/{{dataset}}/meta.json",
    params:
        dataset=dataset_params,
    log:
        f"{RUN}/logs/preprocess/{{dataset}}.log",
    conda:
        "../envs/data.yaml"
    script:
        "../scripts/preprocess.py"
