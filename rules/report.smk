# The article and the manifest.
#   report_facts: the run's tables → report/facts.yml (numbers, rankings, sentences, tables, flags)
#   report:       facts + every figure it embeds + report/ sources → article.html, article.pdf (Quarto;
#                 one job per format)
#   manifest:     after everything else: one row per file of the run (sha256, rule, provenance)
# Changing one figure reruns `report` and `manifest` only.


rule report_facts:
    input:
        tables=report_tables,
        words=report_words(),
        code=code("report_facts"),
    output:
        OUT.path("facts"),
    params:
        plan=report_plan(),
        sections=report_sections(),
        report=config["report"],
        notes=NOTES,
    log:
        OUT.log("report_facts", "facts"),
    benchmark:
        OUT.benchmark("report_facts", "facts")
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/report_facts.py"


rule report:
    # One job per format: HTML and PDF render side by side on two cores (about 8 s and 12 s with
    # Quarto 1.11 here, 18 s one after the other in a single `quarto render`).
    input:
        facts=OUT.path("facts"),
        figures=[p["src"] for p in report_plan()],
        sources=report_sources(),
        code=code("report"),
    output:
        report(OUT.pattern("article"), caption="../report/captions/article.rst", category="Article"),
    params:
        plan=report_plan(),
        provenance=provenance.run_provenance(config, CONFIGFILES),
    log:
        OUT.log("report", "article_{format}"),
    benchmark:
        OUT.benchmark("report", "article_{format}")
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/report.py"


rule manifest:
    input:
        [f for f in all_outputs() if f != OUT.path("manifest")],
        code=code("manifest"),
    output:
        OUT.path("manifest"),
    params:
        provenance=provenance.run_provenance(config, CONFIGFILES),
        directories=[OUT.path("tensorboard")],
        producers=lambda w: manifest_producers(),
    log:
        OUT.log("manifest", "manifest"),
    benchmark:
        OUT.benchmark("manifest", "manifest")
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/manifest.py"
