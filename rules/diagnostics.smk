# Checks before explanations: redundant features, leakage suspects, duplicates, per-column caveats,
# each model against the trivial baseline, permutation importance with its floor and per redundant
# group, filled values under the explained rows and curves, top-k checks that cannot discriminate;
# and where the model fails (slices of the test rows). One rule per table; the target
# `diagnostics` builds them all (the article reads them once its claims are wired).

CHECKS = config["checks"]


def read_options(w):
    return config["sources"][config["datasets"][w.dataset]["source"]]


def fill_missing(w):
    return config["datasets"][w.dataset]["preprocess"]["fill_missing"]


def predictions_of(w):
    return [OUT.path("predictions", dataset=w.dataset, model=m) for m in dataset(w)["models"]]


def effects_of(ds):
    return [m for d, m in models_of("effects") if d == ds]


def explained_rows(w):
    """SHAP instances (CSV rows) and LIME test positions of the dataset's explained models."""
    shap = [{"model": m, "rows": list(config["figures"]["shap"]["instances"])}
            for d, m in models_of("shap") if d == w.dataset]
    lime = [{"model": m, "positions": list(config["figures"]["lime"]["rows"])}
            for d, m in models_of("lime") if d == w.dataset]
    return {"shap": shap, "lime": lime}


def top_k_of(w):
    """The top-k agreement checks run on the dataset: method agreement of each model with two
    importance methods, LIME's stability of each explained model."""
    checks = [{"check": "method_agreement", "model": m, "top_k": config["figures"]["trust"]["top_k"]}
              for m in dataset(w)["models"] if len(methods_of(w.dataset, m)) >= 2]
    checks += [{"check": "lime_stability", "model": m, "top_k": config["figures"]["lime"]["stability"]["top_k"]}
               for d, m in models_of("lime") if d == w.dataset]
    return checks


def slices_style():
    from mlviz.plots.style import Style

    return Style.of(config["style"], CHECKS["slices"]).__dict__


def diagnostic_outputs():
    """Every table and figure of this file, for the target `diagnostics`."""
    out = []
    for ds in DATASETS:
        out += [OUT.path(k, dataset=ds) for k in ("redundancy_groups", "redundancy_pairs", "leakage", "duplicates",
                                                  "column_caveats", "baseline", "filled_rows", "fill_jumps",
                                                  "top_k_checks")]
        featured = selection.featured(config["datasets"][ds])
        out += [OUT.path(k, dataset=ds, model=featured) for k in ("slices", "slices_figure")]
    out += [OUT.path("permutation_checked", dataset=ds, model=m) for ds, m in models_of("importance")]
    return out


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
