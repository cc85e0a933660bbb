"""Render the article: stage report/ + the run's figures + the facts in a build folder, then let
Quarto render article.qmd to one format: self-contained HTML or PDF (Typst), as wildcard `format` says."""
import os
import shutil
import tempfile
from pathlib import Path

import yaml

from mlviz.article import blocks as B
from mlviz.article import quarto
from mlviz.article.markdown import code
from mlviz.article.facts import colophon
from mlviz.workflow.jobs import log, run


def stage(smk, build: Path, facts: dict) -> None:
    src_root = next(Path(p).parent for p in smk.input.sources if Path(p).name == "_quarto.yml")
    for p in smk.input.sources:
        dest = build / Path(p).relative_to(src_root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, dest)
    for entry in smk.params.plan:
        dest = build / entry["file"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(entry["src"], dest)  # byte for byte: the manifest's sha256 is the embedded image's
    (build / "_generated").mkdir(exist_ok=True)
    for name, text in facts["blocks"].items():
        (build / "_generated" / f"{name}.md").write_text(text)
    (build / "_variables.yml").write_text(yaml.safe_dump(facts["variables"], allow_unicode=True, width=100000))
    (build / "_metadata.yml").write_text(yaml.safe_dump(facts["metadata"], allow_unicode=True, width=100000))


def add_provenance(facts: dict, prov: dict, version: tuple) -> None:
    """Title block and colophon: the run, the commit and config hash that the manifest records."""
    facts["metadata"]["subtitle"] = B.render("subtitle", run=code(prov["run"]), commit=f"`{prov['commit'][:12]}`",
                                             dirty=prov["dirty"], config_hash=f"`{prov['config_hash']}`").rstrip("\n")
    facts["metadata"]["claims"]["colophon"] = {"dirty": bool(prov["dirty"])}
    facts["variables"]["colophon"] = {**colophon(prov), "quarto": ".".join(map(str, version))}


def main(smk):
    version = quarto.require()
    facts = yaml.safe_load(Path(smk.input.facts).read_text())
    add_provenance(facts, smk.params.provenance, version)
    with tempfile.TemporaryDirectory(prefix="mlviz-report-") as tmp:
        build = Path(tmp)
        stage(smk, build, facts)
        try:
            quarto.render(build, smk.wildcards.format, log)
        finally:
            keep = os.environ.get("MLVIZ_REPORT_BUILD")  # to look at (or preview) what Quarto rendered
            if keep:
                shutil.copytree(build, keep, dirs_exist_ok=True)
        out = Path(smk.output[0])
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build / out.name, out)


run(main, snakemake)  # noqa: F821
