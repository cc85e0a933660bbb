# The article and the manifest.
#   report_facts: the run's tables → report/facts.yml (numbers, rankings, sentences, tables)
#   report:       facts + every figure it embeds + report/ sources → report/article.html, .pdf
#   manifest:     after everything else: one row per file of the run (sha256, rule, provenance)
# Quarto renders the article where it is installed (>= 1.4); elsewhere pandoc + Typst render the
# same sources (scripts/mlviz/report.py). Changing one figure reruns `report` and `manifest` only.


rule report_facts:
    input:
        tables=report_tables,
        code=pkg("report", "reportfacts"),
    output:
        f"{REPORT_DIR}/facts.yml",
    params:
        plan=report_plan,
        sections=report_sections,
        report=report_settings,
    log:
        f"{RUN}/logs/report/facts.log",
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/report_facts.py"


rule report:
    input:
        facts=f"{REPORT_DIR}/facts.yml",
        figures=report_figures,
        sources=report_sources,
        code=pkg("report", "reportfacts"),
    output:
        html=f"{REPORT_DIR}/article.html",
        pdf=f"{REPORT_DIR}/article.pdf",
    params:
        plan=report_plan,
        report=report_settings,
        provenance=report_provenance,
    log:
        f"{RUN}/logs/report/render.log",
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/report_render.py"


rule manifest:
    input:
        manifest_inputs,
        code=pkg(),
    output:
        MANIFEST,
    params:
        producers=manifest_producers,
        provenance=report_provenance,
    log:
        f"{RUN}/logs/report/manifest.log",
    conda:
        "../envs/report.yaml"
    script:
        "../scripts/manifest.py"
