# "Can you trust these explanations?": agreement between the importance methods of each model
# (rank correlation, top-k overlap), and the faithfulness of SHAP's ranking (removing the features
# SHAP ranks first against removing random ones). LIME's stability and Grad-CAM's sanity checks are
# computed with their methods (rules/lime.smk, rules/neural.smk); the article gathers them.


rule explanation_agreement:
    input:
        parts=lambda w: importance_parts(dataset=w.dataset),
        code=code("explanation_agreement"),
    output:
        OUT.pattern("agreement"),
    params:
        top_k=config["figures"]["trust"]["top_k"],
    log:
        OUT.log("explanation_agreement"),
    benchmark:
        OUT.benchmark("explanation_agreement")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/explanation_agreement.py"


rule draw_agreement:
    input:
        agreement=OUT.pattern("agreement"),
        code=code("draw_agreement"),
    output:
        figure_output("agreement_figure"),
    params:
        style=figure_style("trust"),
    log:
        OUT.log("draw_agreement"),
    benchmark:
        OUT.benchmark("draw_agreement")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_agreement.py"


rule shap_deletion:
    input:
        model=model_file,
        values=OUT.pattern("shap_values"),
        summary=OUT.pattern("shap_summary"),
        train=OUT.pattern("train"),
        meta=OUT.pattern("meta"),
        code=code("shap_deletion"),
    output:
        curve=OUT.pattern("deletion"),
        area=OUT.pattern("deletion_area"),
    params:
        model=lambda w: config["datasets"][w.dataset]["models"][w.model],
        deletion=config["figures"]["trust"]["deletion"],
    log:
        OUT.log("shap_deletion", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("shap_deletion", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/shap_deletion.py"


rule draw_deletion:
    input:
        curve=OUT.pattern("deletion"),
        area=OUT.pattern("deletion_area"),
        summary=OUT.pattern("shap_summary"),
        code=code("draw_deletion"),
    output:
        figure_output("deletion_figure"),
    params:
        style=figure_style("trust"),
    log:
        OUT.log("draw_deletion", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_deletion", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_deletion.py"
