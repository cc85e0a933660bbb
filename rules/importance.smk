# Global feature importance, computed once into parts of the importance table: impurity (tree
# models), permutation (test split, every model of figures.importance), coefficients (linear
# regressions); SHAP and LIME add theirs (rules/shap.smk, rules/lime.smk).


rule importance_impurity:
    input:
        model=model_file,
        meta=OUT.pattern("meta"),
        code=code("importance_impurity"),
    output:
        OUT.path("importance_part", dataset="{dataset}", model="{model}", method="impurity"),
    params:
        model=lambda w: config["datasets"][w.dataset]["models"][w.model],
    log:
        OUT.log("importance_impurity", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("importance_impurity", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/importance_impurity.py"


rule importance_permutation:
    input:
        model=model_file,
        test=OUT.pattern("test"),
        meta=OUT.pattern("meta"),
        code=code("importance_permutation"),
    output:
        OUT.path("importance_part", dataset="{dataset}", model="{model}", method="permutation"),
    params:
        model=lambda w: config["datasets"][w.dataset]["models"][w.model],
        permutation=keys("importance", "n_repeats", "random_state", "scoring", "max_rows"),
    log:
        OUT.log("importance_permutation", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("importance_permutation", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/importance_permutation.py"


rule importance_coefficient:
    input:
        model=model_file,
        train=OUT.pattern("train"),
        meta=OUT.pattern("meta"),
        code=code("importance_coefficient"),
    output:
        OUT.path("importance_part", dataset="{dataset}", model="{model}", method="coefficient"),
    params:
        model=lambda w: config["datasets"][w.dataset]["models"][w.model],
    log:
        OUT.log("importance_coefficient", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("importance_coefficient", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/importance_coefficient.py"


rule gather_importances:
    input:
        parts=importance_parts,
        code=code("gather_importances"),
    output:
        report(OUT.pattern("importances"), caption="../report/captions/importances.rst", category="Tables"),
    log:
        OUT.log("gather_importances", "importances"),
    benchmark:
        OUT.benchmark("gather_importances", "importances")
    conda:
        "../envs/models.yaml"
    script:
        "../scripts/gather_importances.py"
