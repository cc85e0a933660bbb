# Feature effects (figures.effects): partial dependence with ICE lines of a model's top features by
# permutation importance, and the two-way partial dependence of its top pair; computed once into
# tables, drawn by their own rules.


rule partial_dependence:
    input:
        model=model_file,
        train=OUT.pattern("train"),
        meta=OUT.pattern("meta"),
        permutation=OUT.path("importance_part", dataset="{dataset}", model="{model}", method="permutation"),
        code=code("partial_dependence"),
    output:
        pdp=OUT.pattern("pdp"),
        pair=OUT.pattern("pdp_pair"),
        summary=OUT.pattern("pdp_summary"),
    params:
        model=lambda w: config["datasets"][w.dataset]["models"][w.model],
        cls=lambda w: explained("effects", w).get("class"),
        effects=keys("effects", "top_k", "summary_features", "grid_resolution", "ice_rows", "pair_rows", "seed"),
        flat=config["report"]["readings"]["flat_effect"],  # a curve's share of the largest effect below which it is flat
    log:
        OUT.log("partial_dependence", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("partial_dependence", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/partial_dependence.py"


rule draw_pdp:
    input:
        pdp=OUT.pattern("pdp"),
        summary=OUT.pattern("pdp_summary"),
        meta=OUT.pattern("meta"),
        code=code("draw_pdp"),
    output:
        figure_output("pdp_figure"),
    params:
        cls=lambda w: explained("effects", w).get("class"),
        style=figure_style("effects"),
    log:
        OUT.log("draw_pdp", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_pdp", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_pdp.py"


rule draw_pdp_pair:
    input:
        pair=OUT.pattern("pdp_pair"),
        meta=OUT.pattern("meta"),
        code=code("draw_pdp_pair"),
    output:
        figure_output("pdp_pair_figure"),
    params:
        cls=lambda w: explained("effects", w).get("class"),
        style=figure_style("effects"),
    log:
        OUT.log("draw_pdp_pair", "{dataset}/{model}"),
    benchmark:
        OUT.benchmark("draw_pdp_pair", "{dataset}/{model}")
    conda:
        "../envs/figures.yaml"
    script:
        "../scripts/draw_pdp_pair.py"
