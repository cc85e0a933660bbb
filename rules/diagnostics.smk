# Checks before explanations: redundant features, leakage suspects, duplicates, per-column caveats,
# each model against the trivial baseline, permutation importance with its floor and per redundant
# group, filled values under the explained rows and curves, top-k checks that cannot discriminate;
# and where the model fails (slices of the test rows). One rule per table; the target
# `diagnostics` builds them all; the article reads them (claims gated on what they found).

rule diagnostics:
    input:
        diagnostic_outputs(),


rule check_redundancy:
    input:
        train=OUT.pattern("train"),
        meta=OUT.pattern("meta"),
        code=code("check_redundancy"),
    output:
        groups=OUT.pattern("redundancy_groups"),
        pairs=OUT.pattern("redundancy_pairs"),
    params:
        redundancy=CHECKS["redundancy"],
    log:
        OUT.log("check_redundancy"),
    benchmark:
        OUT.benchmark("check_redundancy")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/check_redundancy.py"


rule check_leakage:
    input:
        raw=raw_csv,
        train=OUT.pattern("train"),
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        code=code("check_leakage"),
    output:
        OUT.pattern("leakage"),
    params:
        leakage=CHECKS["leakage"],
        seed=CHECKS["seed"],
        read=read_options,
    log:
        OUT.log("check_leakage"),
    benchmark:
        OUT.benchmark("check_leakage")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/check_leakage.py"


rule check_duplicates:
    input:
        train=OUT.pattern("train"),
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        code=code("check_duplicates"),
    output:
        OUT.pattern("duplicates"),
    params:
        duplicates=CHECKS["duplicates"],
        level=CHECKS["level"],
    log:
        OUT.log("check_duplicates"),
    benchmark:
        OUT.benchmark("check_duplicates")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/check_duplicates.py"


rule check_columns:
    input:
        raw=raw_csv,
        train=OUT.pattern("train"),
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        code=code("check_columns"),
    output:
        OUT.pattern("column_caveats"),
    params:
        columns=CHECKS["columns"],
        fill_missing=fill_missing,
        read=read_options,
    log:
        OUT.log("check_columns"),
    benchmark:
        OUT.benchmark("check_columns")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/check_columns.py"


rule check_baseline:
    input:
        predictions=predictions_of,
        train=OUT.pattern("train"),
        meta=OUT.pattern("meta"),
        code=code("check_baseline"),
    output:
        OUT.pattern("baseline"),
    params:
        models=lambda w: list(dataset(w)["models"]),
        comparison=keys("comparison", "n_boot", "level", "seed"),
    log:
        OUT.log("check_baseline"),
    benchmark:
        OUT.benchmark("check_baseline")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/check_baseline.py"


rule check_permutation:
    input:
        model=model_file,
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        groups=OUT.pattern("redundancy_groups"),
        permutation=OUT.path("importance_part", dataset="{dataset}", model="{model}", method="permutation"),
        code=code("check_permutation"),
    output:
        OUT.pattern("permutation_checked"),
    params:
        model=model_cfg,
        permutation=keys("importance", "n_repeats", "random_state", "scoring", "max_rows"),
    log:
        OUT.log("check_permutation", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("check_permutation", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/check_permutation.py"


rule check_filled:
    input:
        raw=raw_csv,
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        pdp=lambda w: [OUT.path("pdp", dataset=w.dataset, model=m) for m in effects_of(w.dataset)],
        code=code("check_filled"),
    output:
        rows=OUT.pattern("filled_rows"),
        jumps=OUT.pattern("fill_jumps"),
    params:
        shap=lambda w: explained_rows(w)["shap"],
        lime=lambda w: explained_rows(w)["lime"],
        effects=lambda w: effects_of(w.dataset),
        fill_missing=fill_missing,
        read=read_options,
    log:
        OUT.log("check_filled"),
    benchmark:
        OUT.benchmark("check_filled")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/check_filled.py"


rule check_top_k:
    input:
        meta=OUT.pattern("meta"),
        code=code("check_top_k"),
    output:
        OUT.pattern("top_k_checks"),
    params:
        checks=top_k_of,
    log:
        OUT.log("check_top_k"),
    benchmark:
        OUT.benchmark("check_top_k")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/check_top_k.py"


rule slices:
    input:
        raw=raw_csv,
        predictions=OUT.pattern("predictions"),
        meta=OUT.pattern("meta"),
        code=code("slices"),
    output:
        OUT.pattern("slices"),
    params:
        slices=lambda w: {k: CHECKS["slices"][k] for k in ("min_share", "bins")},
        level=CHECKS["level"],
        read=read_options,
    log:
        OUT.log("slices", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("slices", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/slices.py"


rule draw_slices:
    input:
        slices=OUT.pattern("slices"),
        code=code("draw_slices"),
    output:
        figure_output("slices_figure"),
    params:
        max_drawn=CHECKS["slices"]["max_drawn"],
        style=slices_style(),
    log:
        OUT.log("draw_slices", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_slices", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_slices.py"
