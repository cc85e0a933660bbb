"""Render the article: stage report/ + the run's figures + the facts in a build folder, then render
article.qmd to self-contained HTML and to PDF (Typst), with Quarto where it is installed (>= 1.4),
otherwise with the engines Quarto itself drives: pandoc (pypandoc's bundled binary) and Typst (the
typst wheel). The pandoc path does in Python and Lua what Quarto adds to pandoc: {{< var >}} and
{{< include >}} shortcodes, conditional content, figure/table numbering and cross-references."""
import os
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

import yaml

from mlviz.errors import InputError
from mlviz.report import choose_engine, code, expand_shortcodes, quarto_version
from mlviz.reportfacts import colophon
from mlviz.runtime import log, run


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


def render_quarto(build: Path, flags: dict) -> None:
    meta = [a for k, v in sorted(flags.items()) for a in ("-M", f"{k}:{'true' if v else 'false'}")]
    for fmt in ("html", "typst"):
        proc = subprocess.run(["quarto", "render", "article.qmd", "--to", fmt, *meta], cwd=build,
                              capture_output=True, text=True)
        log.info("quarto render --to %s:\n%s", fmt, proc.stderr[-4000:])
        if proc.returncode != 0:
            raise RuntimeError(f"quarto render --to {fmt} failed (see the log)")


def pandoc_options(quarto: dict) -> tuple[list[str], list[str], dict]:
    """The _quarto.yml settings as pandoc arguments (HTML, Typst) and Typst template variables."""
    html, typst = quarto["format"]["html"], quarto["format"]["typst"]
    common = []
    if quarto.get("toc"):
        common += ["--toc", f"--toc-depth={quarto.get('toc-depth', 3)}"]
    html_args = [*common, "--embed-resources", "--standalone"]
    if quarto.get("number-sections"):
        html_args.append("--number-sections")
    if html.get("css"):
        html_args += ["--css", html["css"]]
    typst_args = [*common, "--standalone"]
    if typst.get("include-in-header"):
        typst_args += ["--include-in-header", typst["include-in-header"]]
    variables = {k: typst[k] for k in ("papersize", "margin", "fontsize", "mainfont", "section-numbering") if k in typst}
    variables["page-numbering"] = "1"
    return html_args, typst_args, variables


def render_pandoc(build: Path, facts: dict) -> None:
    import pypandoc
    import typst

    pandoc = pypandoc.get_pandoc_path()
    text = expand_shortcodes((build / "article.qmd").read_text(), facts["variables"], facts["metadata"], build)
    (build / "article.md").write_text(text)
    quarto = yaml.safe_load((build / "_quarto.yml").read_text())
    html_args, typst_args, typst_vars = pandoc_options(quarto)
    (build / "_typst.yml").write_text(yaml.safe_dump(typst_vars))
    filters = ["--lua-filter", "filters/quarto-compat.lua", "--lua-filter", "filters/pdf-layout.lua"]
    base = [pandoc, "article.md", "--from", "markdown", "--metadata-file", "_metadata.yml", *filters]

    def pandoc_run(args):
        proc = subprocess.run([*base, *args], cwd=build, capture_output=True, text=True)
        if proc.stderr.strip():
            log.info("pandoc %s:\n%s", " ".join(args[-2:]), proc.stderr[-4000:])
        if proc.returncode != 0:
            raise InputError(f"pandoc failed: {proc.stderr.strip()[-1500:]}")

    pandoc_run([*html_args, "--to", "html5", "--output", "article.html"])
    pandoc_run([*typst_args, "--metadata-file", "_typst.yml", "--to", "typst", "--output", "article.typ"])
    # Typst's bundled fonts only: the PDF looks the same on every machine.
    typst.compile(str(build / "article.typ"), output=str(build / "article.pdf"), root=str(build),
                  ignore_system_fonts=True)


def engine_name(engine: str) -> str:
    if engine == "quarto":
        return f"Quarto {'.'.join(map(str, quarto_version() or ()))} (HTML and Typst)"
    import pypandoc

    return (f"pandoc {pypandoc.get_pandoc_version()} (HTML and Typst source) and the typst Python package "
            f"{metadata.version('typst')} (PDF), the engines Quarto drives, without Quarto itself")


def add_provenance(facts: dict, prov: dict, engine: str) -> None:
    """Title block and colophon: the run, the commit and config hash that the manifest records."""
    dirty = " (with uncommitted changes)" if prov["dirty"] else ""
    facts["metadata"]["subtitle"] = (f"mlviz run {code(prov['run'])} · commit `{prov['commit'][:12]}`{dirty}"
                                     f" · config `{prov['config_hash']}`")
    facts["variables"]["colophon"] = {**colophon(prov, prov["packages"]), "engine": engine_name(engine)}
    facts["blocks"]["packages"] = (facts["variables"]["colophon"].pop("packages") + "\n\n: Versions of Python "
                                   "and of the packages the workflow used. {#tbl-packages}\n")


def main(smk):
    facts = yaml.safe_load(Path(smk.input.facts).read_text())
    engine = choose_engine(smk.params.report["engine"])
    add_provenance(facts, smk.params.provenance, engine)
    log.info("engine: %s", facts["variables"]["colophon"]["engine"])
    with tempfile.TemporaryDirectory(prefix="mlviz-report-") as tmp:
        build = Path(tmp)
        stage(smk, build, facts)
        if engine == "quarto":
            flags = {k: v for k, v in facts["metadata"].items() if isinstance(v, bool)}
            render_quarto(build, flags)
        else:
            render_pandoc(build, facts)
        keep = os.environ.get("MLVIZ_REPORT_BUILD")  # debugging: keep the build folder there
        if keep:
            shutil.copytree(build, keep, dirs_exist_ok=True)
        for key in ("html", "pdf"):
            out = Path(smk.output[key])
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(build / f"article.{key}", out)


run(main, snakemake)  # noqa: F821
