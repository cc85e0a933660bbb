"""The article and the manifest, checked the way a reader would check them: every figure of the run
is in both documents, references resolve, each number in the text is the one in the run's tables,
every claim a sentence rests on is recomputed from the tables (tests/articlecheck.py), the PDF's
pages are typeset (none more than half blank, nothing outside the page, nothing after the
Colophon), the HTML needs no network, the manifest is complete and reproducible, and an edit reruns
only what depends on it. Real Quarto renders every article here.

Uses the session runs of tests/conftest.py (demo_run, real_run: the whole workflow, CNN aside)
and one small run of its own with the CNN.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from articlecheck import (alt_text_problems, article, check_claims, check_facts, check_readings, colophon_is_last,
                          glued_punctuation, layout_problems, resolved_config)
from conftest import REPO, scheduled_jobs, small_config, snakemake, without_venv_on_path, write_config
from qmdtext import between
from qmdtext import read as qmd_read

from mlviz.article.markdown import fact

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def tiny_config(run: str = "tiny") -> dict:
    """The demo on little data, CNN included (3 epochs): every chapter of the article, fast."""
    cfg = small_config(run, neural=True)
    cfg["sources"]["mba"]["rows"], cfg["sources"]["insurance"]["rows"] = 800, 400
    cfg["figures"]["importance"]["n_repeats"] = 3
    cfg["figures"]["lime"].update(rows=[0, 5], num_samples=1000, stability={"seeds": 3, "top_k": 5})
    cfg["figures"]["comparison"] = {"n_boot": 200}
    cfg["neural"]["epochs"] = 3
    cfg["neural"]["sanity"] = {"random_repeats": 2}
    return cfg


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    """Run as the README's cluster section writes it: .venv/bin/snakemake with the environment not
    activated, so the article's Quarto is found only beside the interpreter, where the set-up linked it."""
    workdir = tmp_path_factory.mktemp("tiny")
    snakemake(workdir, config=tiny_config(), env=without_venv_on_path())
    return workdir / "results" / "tiny"


RUNS = ["demo_run", "real_run", "tiny_run"]


def manifest(run_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(run_dir / "manifest.parquet")


def png_figures(run_dir: Path) -> pd.DataFrame:
    m = manifest(run_dir)
    return m[(m.kind == "figure") & m.path.str.endswith(".png")]


def pdf_text(run_dir: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(run_dir / "report" / "article.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout


def pdf_image_count(run_dir: Path) -> int:
    out = subprocess.run(["pdfimages", "-list", str(run_dir / "report" / "article.pdf")],
                         capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return sum(1 for line in out if line.split()[2] == "image")


# =========================================================================== figures in both documents
@pytest.mark.parametrize("which", RUNS)
def test_every_figure_of_the_run_is_in_both_documents(which, request):
    run_dir = request.getfixturevalue(which)
    figures = png_figures(run_dir)
    assert len(figures) >= 20, f"only {len(figures)} figures in the manifest"
    doc = article(run_dir)
    embedded = {hashlib.sha256(b).hexdigest() for b in doc.images}
    missing = figures[~figures.sha256.isin(embedded)].path.tolist()
    assert not missing, f"figures of the run not embedded in article.html: {missing}"
    assert len(doc.images) == len(figures)
    assert pdf_image_count(run_dir) == len(figures)


UNRESOLVED = ["??", "@fig-", "@tbl-", "{{<", "?var:", "?meta:", "{#fig-", "{#tbl-", "content-visible"]


@pytest.mark.parametrize("which", RUNS)
def test_references_resolve_and_every_figure_is_referred_to(which, request):
    run_dir = request.getfixturevalue(which)
    doc = article(run_dir)
    for text, where in ((doc.text, "article.html"), (pdf_text(run_dir), "article.pdf")):
        bad = [s for s in UNRESOLVED if s in text]
        assert not bad, f"{where} contains {bad}"
    missing = [h for h in doc.xrefs if h.lstrip("#") not in doc.ids]
    assert doc.xrefs and not missing, f"cross-references to nowhere: {missing}"
    figures = {i for i in doc.ids if i.startswith("fig-") and "-caption-" not in i}  # not Quarto's caption ids
    referred = {h.lstrip("#") for h in doc.xrefs}
    # a sub-figure is referred to through the group around it, or by itself; a group through itself
    # or its sub-figures
    inside = {g: {f for f in figures if g in doc.enclosing[f]} for g in figures}
    lonely = [f for f in figures if f not in referred and not doc.enclosing[f] & referred and not inside[f] & referred]
    assert not lonely, f"figures the text never refers to: {sorted(lonely)}"


@pytest.mark.parametrize("which", RUNS)
def test_numbering_starts_at_one(which, request):
    run_dir = request.getfixturevalue(which)
    text = re.sub(r"\s+", " ", pdf_text(run_dir))
    assert re.search(r"\b1 The data\b", text), "the first chapter is not numbered 1"
    assert not re.search(r"\b0\.\d+ ", text.split("Table of contents")[-1][:400])
    assert "Figure 1:" in text and "Table 1:" in text


# =========================================================================== numbers and claims
@pytest.mark.parametrize("which", RUNS)
def test_every_number_in_the_text_is_the_one_in_the_run_tables(which, request):
    run_dir = request.getfixturevalue(which)
    wrong, facts = check_facts(run_dir)
    assert not wrong, "\n".join(wrong[:20])
    tables = [f["table"] for f in facts]
    assert tables.count("metrics.parquet") >= 8 and tables.count("importances.parquet") >= 20
    untraced = article(run_dir).untraced
    assert not untraced, f"numbers in the text that no table backs: {untraced[:10]}"


@pytest.mark.parametrize("which", RUNS)
def test_every_claim_is_true_for_the_tables(which, request):
    problems = check_claims(request.getfixturevalue(which))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("which", RUNS)
def test_no_reading_misleads_a_careful_reader(which, request):
    """Chapters named are there, captions name what their tables show, sub-captions differ, no
    sentence refers back to one left out, verdicts hold for the printed numbers, ranges are the
    values' (tests/articlecheck.check_readings)."""
    problems = check_readings(request.getfixturevalue(which))
    assert not problems, "\n".join(problems)


def test_a_false_claim_is_caught(tiny_run, tmp_path):
    """The claims test, broken on purpose: one comparison flipped in a copy of the run's facts."""
    run_dir = tmp_path / "results" / "tiny"
    shutil.copytree(tiny_run, run_dir)
    facts_path = run_dir / "report" / "facts.yml"
    facts = yaml.safe_load(facts_path.read_text())
    facts["metadata"]["claims"]["comparison"]["beats_none"] ^= True
    facts_path.write_text(yaml.safe_dump(facts))
    problems = check_claims(run_dir)
    assert any("comparison.beats_none" in p for p in problems), problems


def test_a_wrong_name_in_the_rendered_article_is_caught(tiny_run, tmp_path):
    """The name check reads the rendered HTML: the SHAP push up swapped for the push down (each name
    keeps its own, true, fact spans), as the reviewer's bug of issue 21 wrote it, is caught."""
    run_dir = tmp_path / "results" / "tiny"
    shutil.copytree(tiny_run, run_dir)
    page = run_dir / "report" / "article.html"
    text = page.read_text()
    up = re.search(r'(<span data-when-meta="claims\.shap\.has_push_up">The largest push up comes from )(.*?)(</span>)',
                   text, re.S)
    down = re.search(r'<span data-when-meta="claims\.shap\.has_push_down">The largest push down comes from (.*?)</span>',
                     text, re.S)
    assert up and down, "the push sentences are not in the tiny article"
    page.write_text(text.replace(up.group(0), up.group(1) + down.group(1) + up.group(3)))
    assert any(p.startswith("the SHAP push up:") for p in check_claims(run_dir)), check_claims(run_dir)


def test_demo_and_kaggle_articles_read_their_own_data(demo_run, real_run):
    texts = {n: re.sub(r"\s+", " ", article(r).text) for n, r in (("demo", demo_run), ("real", real_run))}
    assert "synthetic demo data" in texts["demo"] and "MBA.csv" in texts["real"]
    assert "synthetic" not in texts["real"]
    claims = {n: yaml.safe_load((r / "report" / "facts.yml").read_text())["metadata"]["claims"]
              for n, r in (("demo", demo_run), ("real", real_run))}
    # the readings differ where the data do: the importance leaders on the real data disagree (tested
    # in tests/test_figures_basic.py), the demo's agree by construction
    assert claims["demo"]["importance"]["same_leader"]


# =========================================================================== layout
@pytest.mark.parametrize("which", RUNS)
def test_pdf_pages_are_typeset(which, request):
    run_dir = request.getfixturevalue(which)
    problems = layout_problems(run_dir)
    assert not problems, "\n".join(problems)
    assert colophon_is_last(run_dir), "a figure or table comes after the Colophon"


@pytest.mark.parametrize("which", RUNS)
def test_no_word_is_glued_to_the_punctuation_before_it(which, request):
    assert not glued_punctuation(request.getfixturevalue(which))


def spans_with_edge_spaces(text: str) -> list[str]:
    """Bracketed spans of Quarto Markdown (`[...]{.content-visible ...}`) whose text begins or ends
    with a plain space: Typst drops it, so the PDF glues two sentences ("performance.It then")."""
    found = []
    for m in re.finditer(r"\]\{\.", text):
        depth, i = 0, m.start()
        while i > 0:  # back to the bracket that opens this span
            i -= 1
            if text[i] == "]" and text[i - 1] != "\\":
                depth += 1
            elif text[i] == "[" and text[i - 1] != "\\":
                if depth == 0:
                    break
                depth -= 1
        inner = text[i + 1:m.start()]
        if inner[:1] == " " or (inner[-1:] == " " and inner[-2:-1] != "\\"):
            found.append(text[max(0, i - 20):m.start() + 30])
    return found


def test_no_conditional_span_begins_or_ends_with_a_space():
    """Write a span's edge space as `\\ ` (a non-breaking space in Pandoc's Markdown): it survives Typst."""
    sources = [REPO / "report" / "article.qmd", *sorted((REPO / "report" / "blocks").glob("*.md"))]
    found = {p.name: spans_with_edge_spaces(p.read_text()) for p in sources}
    assert not any(found.values()), {k: v for k, v in found.items() if v}
    assert spans_with_edge_spaces("a.[ It then asks.]{.content-visible when-meta=\"x\"} b")  # the check bites


# =========================================================================== self-contained
@pytest.mark.parametrize("which", RUNS)
def test_html_needs_no_network(which, request):
    text = (request.getfixturevalue(which) / "report" / "article.html").read_text()
    text = re.sub(r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+", "data:", text)
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"(https?:)?//", text)
    assert not re.search(r"@import|url\((['\"])?https?:", text)


@pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (apt-get install -y chromium)")
def test_html_renders_in_headless_chromium(demo_run, tmp_path):
    import numpy as np
    from PIL import Image

    shot = tmp_path / "page.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,4000", f"--screenshot={shot}",
                    (demo_run / "report" / "article.html").as_uri()],
                   capture_output=True, text=True, timeout=120, check=True)
    a = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert (a < 235).mean() > 0.02, "the screenshot of article.html is (almost) blank"


# =========================================================================== manifest
@pytest.mark.parametrize("which", RUNS)
def test_manifest_lists_every_file_with_its_rule_and_provenance(which, request):
    run_dir = request.getfixturevalue(which)
    m = manifest(run_dir)
    dirs = [p for p in m.path if p.endswith("/")]
    # not the manifest, nor its own benchmark (Snakemake writes it after the job)
    files = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*")
                   if p.is_file() and p.name != "manifest.parquet"
                   and not p.relative_to(run_dir).as_posix().startswith("benchmarks/manifest/"))
    files = sorted({next((d for d in dirs if f.startswith(d)), f) for f in files})
    assert m.path.tolist() == files
    assert {"figure", "table", "model", "log", "report"} <= set(m.kind)
    unknown = m[(m.rule == "unknown") & ~m.path.str.startswith("logs/manifest")]
    assert unknown.empty, unknown.path.tolist()
    rules = dict(zip(m.path, m.rule))
    assert rules["report/article.html"] == rules["report/article.pdf"] == "report"
    assert rules["metrics.parquet"] == "gather_metrics"
    hashed = m[m.kind != "log"]
    for row in hashed.sample(10, random_state=0).itertuples():
        data = (run_dir / row.path).read_bytes()
        assert row.sha256 == hashlib.sha256(data).hexdigest() and row.bytes == len(data)
    assert m.config_hash.nunique() == 1 and m.git_commit.nunique() == 1
    text = re.sub(r"\s+", " ", article(run_dir).text)
    assert f"commit {m.git_commit.iloc[0]}" in text and f"configuration hash is {m.config_hash.iloc[0]}" in text
    # a figure names the rule that drew it, as the manifest does
    from PIL import Image

    row = png_figures(run_dir).iloc[0]
    assert Image.open(run_dir / row.path).text["mlviz:rule"] == row.rule


def test_two_cold_runs_give_identical_manifests(tiny_run, tmp_path):
    snakemake(tmp_path, config=tiny_config())
    first, second = tiny_run / "manifest.parquet", tmp_path / "results" / "tiny" / "manifest.parquet"
    if first.read_bytes() != second.read_bytes():
        a, b = pd.read_parquet(first), pd.read_parquet(second)
        diff = a.merge(b, on="path", how="outer", indicator=True)
        diff = diff[(diff._merge != "both") | (diff.sha256_x.fillna("") != diff.sha256_y.fillna(""))]
        pytest.fail(f"manifests differ: {diff.path.tolist()[:20]}")


# =========================================================================== incremental
def jobs_but_all(proc) -> dict[str, int]:
    return {k: v for k, v in scheduled_jobs(proc).items() if k != "all"}


def test_changing_one_figure_reruns_the_report_and_nothing_else(demo_run):
    workdir = demo_run.parents[1]
    cfg = yaml.safe_load((workdir / "config.yaml").read_text())
    figure = demo_run / "figures" / "linear" / "insurance" / "linear" / "residuals.png"
    data = figure.read_bytes()
    try:
        figure.write_bytes(data + b"\0")  # a new version of one figure (Snakemake compares checksums)
        assert jobs_but_all(snakemake(workdir, "-n", config=cfg)) == {"report": 2, "manifest": 1}
        figure.write_bytes(data)
        edited = copy.deepcopy(cfg)
        edited["figures"]["linear"]["bins"] = 20
        jobs = jobs_but_all(snakemake(workdir, "-n", config=edited))
        # the resolved config the run writes records the new setting too
        assert jobs == {"draw_residual_distribution": 1, "resolved_config": 1, "report": 2, "manifest": 1}, jobs
    finally:
        figure.write_bytes(data)
        write_config(workdir, cfg)  # the run's own config back, for the tests that follow


def test_editing_a_sentence_reruns_only_the_report(demo_run, tmp_path):
    """A writer edits article.qmd in a copy of the workflow: only the article is rendered again."""
    workdir = demo_run.parents[1]
    cfg = yaml.safe_load((workdir / "config.yaml").read_text())
    qmd = REPO / "report" / "article.qmd"
    original = qmd.read_text()
    try:
        qmd.write_text(original.replace("Charts are the language", "Pictures are the language"))
        jobs = jobs_but_all(snakemake(workdir, "-n", config=cfg))
        assert jobs == {"report": 2, "manifest": 1}, jobs
    finally:
        qmd.write_text(original)


# =========================================================================== Snakemake's own report
def test_snakemake_report_lists_every_figure_with_caption_and_category(tiny_run, tmp_path):
    workdir = tiny_run.parents[1]
    out = tmp_path / "report.zip"
    snakemake(workdir, "--report", str(out), config=tiny_config())
    names = zipfile.ZipFile(out).namelist()
    pngs = {Path(n).name for n in names if n.endswith(".png")}
    figures = {Path(p).name for p in png_figures(tiny_run).path}
    assert figures <= pngs, sorted(figures - pngs)[:5]
    index = next(n for n in names if n.endswith("report.html"))
    html_text = zipfile.ZipFile(out).read(index).decode()
    for category in ("Trees", "SHAP", "LIME", "Model comparison", "Trust in explanations"):
        assert category in html_text, category


# =========================================================================== units
def test_fact_spans_escape_feature_names():
    span = fact(None, table="importances.parquet", where={"feature": "a_b"}, col="feature", agg="rank", rank=1,
                text="work_industry_Media/Entertainment")
    assert span.startswith(r"[work\_industry\_Media/Entertainment]{.fact ")


def test_missing_quarto_is_one_line_naming_how_to_get_it(monkeypatch, tmp_path):
    import sys

    from mlviz.article import quarto
    from mlviz.errors import InputError

    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))  # nothing beside it either
    with pytest.raises(InputError, match=r"the article needs Quarto >= 1\.4 \(no quarto on PATH or beside "
                                         r".*/bin/python\): run `bash scripts/mlviz\.sh setup`"):
        quarto.require()


def test_quarto_is_found_beside_the_interpreter_without_path(monkeypatch):
    """.venv/bin/snakemake run without activating the environment: PATH lacks .venv/bin, where the
    set-up linked Quarto beside the interpreter."""
    from mlviz.article import quarto

    monkeypatch.setenv("PATH", without_venv_on_path()["PATH"])
    assert quarto.require() >= (1, 4)


def test_the_article_writes_its_variables_in_the_compact_form():
    """{{<var name>}}, not {{< var name >}}: Quarto's PDF path parses the article once with plain
    pandoc, which scans on at every spaced shortcode (3 s of an 8 s render on the demo article)."""
    text = (REPO / "report" / "article.qmd").read_text()
    assert len(re.findall(r"\{\{<var [a-z_.]+>\}\}", text)) > 100
    assert not re.findall(r"\{\{<\s+var\b[^>]*>\}\}|\{\{<var [^>]*\s>\}\}", text)


def test_every_variable_of_the_article_is_written_by_the_facts(tiny_run):
    """No {{< var >}} of article.qmd is left to Quarto's ?var: placeholder in a full run."""
    facts = yaml.safe_load((tiny_run / "report" / "facts.yml").read_text())
    names = set(re.findall(r"\{\{<\s*var\s+([a-z_.]+)\s*>\}\}", (REPO / "report" / "article.qmd").read_text()))
    assert len(names) > 50
    variables, meta = facts["variables"], facts["metadata"]

    def present(dotted):
        node = variables
        for k in dotted.split("."):
            if not isinstance(node, dict) or k not in node:
                return False
            node = node[k]
        return True

    section_flags = {k[4:] for k, v in meta.items() if k.startswith("has_") and v}
    missing = [n for n in names if n.split(".")[0] in section_flags | {"run", "intro", "data"} and not present(n)
               and n.split(".")[0] != "colophon"]
    # optional subjects (no push down, no second LIME row...) are shown only under their claim
    optional = {"shap.push_down", "shap.push_up", "shap.permutation_leader", "importance.impurity_top",
                "importance.impurity_leader", "importance.impurity_top_noisy", "linear.best_other",
                "linear.best_other_r2", "linear.difference_interval.lower", "linear.difference_interval.upper",
                "neural.mistake_true", "neural.mistake_pred",
                "tree.accuracy", "tree.balanced_accuracy", "tree.accuracy_interval.lower",
                "tree.accuracy_interval.upper", "tree.majority", "tree.majority_share", "tree.r2",
                "tree.r2_interval.lower", "tree.r2_interval.upper", "trust.deletion_model", "trust.deletion_rows",
                "trust.area_shap", "trust.area_random", "performance.positive", "performance.negative",
                "performance.n_positive", "performance.n_negative", "performance.true_positives",
                "performance.false_negatives", "performance.true_negatives", "performance.false_positives",
                "performance.prevalence", "performance.trapezoid"}
    assert not [n for n in missing if n not in optional], missing


def default_readings() -> dict:
    """report.readings as the schema sets them."""
    from mlviz.config.schema import schema

    return {k: v["default"] for k, v in schema()["definitions"]["readings"]["properties"].items()}


STD = "were standardised, so their coefficients are the change in the prediction for one standard deviation"


@pytest.mark.parametrize("scaled, levels, sentence", [
    (["age", "bmi", "smoker", "region_north"], False,
     "Every feature was standardised, so each coefficient is the change in the prediction for one standard deviation."),
    (["age", "bmi"], False, f"The features A {STD}; for the others, each is the change for yes against no."),
    (["age", "bmi"], True, f"The features A {STD}; for the others, each is the change for a level against its "
                           "column's reference level (R); for a yes/no feature, yes against no."),
    (["age", "bmi", "smoker"], True, f"The features A {STD}; for the others, each is the change for a level against "
                                     "its column's reference level (R)."),
    (["age", "smoker", "region_north"], False, f"The features A {STD}; for the others, each is the change per unit."),
    (["smoker"], False, "The feature A was standardised, so its coefficient is the change in the prediction for one "
                        "standard deviation; for the others, each is the change per unit (for a yes/no feature: yes "
                        "against no)."),
    ([], True, "No feature was standardised, so each coefficient is the change in the prediction per unit (for a "
               "level of a text column: against its column's reference level (R); for a yes/no feature: yes against "
               "no)."),
])
def test_the_coefficients_unit_is_said_for_the_features_there_are(scaled, levels, sentence):
    """Standardised features are per standard deviation; a one-hot level whose reference level was
    dropped compares with that reference (not with 'no'); other 0/1 features yes against no; other
    numbers per unit. The sentence (report/article.qmd, read for the claims) names only the kinds the
    model has."""
    from mlviz.article import claims as C
    from mlviz.article.facts import units_claims

    paragraph = between("{{<var linear.dataset>}} data.", "[The {{<var linear.model>}} model cannot be told apart")
    paragraph = paragraph[paragraph.index("data.") + len("data."):]

    def said(claims):
        one = {"one_scaled": len(scaled) == 1}  # the number of "The feature(s) A" (mlviz.article.facts)
        return qmd_read(paragraph, {"linear": {"scaled": "A", "references": "R"}},
                        {"claims": {"linear": {**claims, **units_claims(claims), **one}}})

    data = pd.DataFrame({"age": [0.5, -1.2, 0.7], "bmi": [1.0, 0.0, 2.5], "smoker": [0, 1, 1],
                         "region_north": [1, 0, 0]})
    coef = pd.DataFrame({"feature": list(data), "value": [1.0, -2.0, 3.0, 0.5], "spread": 0.1})
    pred = pd.DataFrame({"y_true": [1.0, 2.0, 3.0], "y_pred": [1.1, 1.9, 3.2]})
    meta_levels = {"region_north": {"column": "region", "reference": "east"}} if levels else {}
    claims, subjects = C.linear(coef, pd.DataFrame(), pd.DataFrame(), "ols", [], pred, scaled + ["gone"], data,
                                meta_levels, default_readings())
    assert subjects["scaled"] == scaled
    assert subjects["references"] == ({"region": "east"} if levels and "region_north" not in scaled else {})
    assert said(claims) == sentence
    yes_no = data[["smoker", "region_north"]]
    claims, _ = C.linear(coef[coef.feature.isin(list(yes_no))], pd.DataFrame(), pd.DataFrame(), "ols", [], pred,
                         [], yes_no, None, default_readings())
    assert said(claims) == ("No feature was standardised, so each coefficient is the change in the prediction for "
                            "yes against no.")


def test_only_a_positive_permutation_value_is_called_a_drop():
    """Six features, one drop (within its noise), the rest exactly zero: one drop to name, and every
    feature within noise (the article then says none can be told apart from zero)."""
    from mlviz.article import claims as C

    perm = pd.DataFrame({"dataset": "d", "model": "m", "method": "permutation", "feature": list("abcdef"),
                         "value": [0.4, 0, 0, 0, 0, 0], "spread": [0.2, 0, 0, 0, 0, 0]})
    claims, subjects = C.importance(None, perm, 5)
    assert subjects["drops"] == 1 and claims["has_drop"]
    assert claims["all_noise"] and not claims["some_noise"] and claims["has_noise"]
    claims, subjects = C.importance(None, perm.assign(value=[0.4, 0.3, 0.0, -0.1, 0, 0], spread=0.01), 5)
    assert subjects["drops"] == 2 and claims["some_noise"] and not claims["all_noise"] and claims["has_negative"]
    claims, _ = C.importance(None, perm.assign(value=0.0), 5)
    assert not claims["has_drop"] and not claims["unclear_drop"]  # nothing to call tied or noisy


def test_the_layout_check_finds_a_half_blank_page(tmp_path):
    """The checker itself: a body page with one line at the top is reported, full pages and the
    short last page are not."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    pdf = tmp_path / "report" / "article.pdf"
    pdf.parent.mkdir()
    with PdfPages(pdf) as pages:
        for lines in (40, 2, 40, 3):
            fig = plt.figure(figsize=(8.27, 11.69))
            for i in range(lines):
                fig.text(0.1, 0.92 - i * 0.021, "A line of text that fills the width of the page " * 2, fontsize=9)
            pages.savefig(fig)
            plt.close(fig)
    problems = layout_problems(tmp_path)
    assert [p.split(" is ")[0] for p in problems] == ["page 2 of 4"] and problems[0].endswith("% blank"), problems


def test_the_confusion_sentence_agrees_in_number():
    """One positive test row reads "the 1 test row that is", several "the 5 test rows that are"."""
    paragraph = between("[Of the {{<var performance.n_positive>}}", "Which error costs more")
    names = ("n_positive", "true_positives", "false_negatives", "n_negative", "true_negatives", "false_positives")
    variables = {"performance": {"positive": "*yes*", "negative": "*no*", **dict(zip(names, "1 1 0 9 8 1".split()))}}

    def said(one_positive, one_negative):
        return qmd_read(paragraph, variables, {"claims": {"performance": {
            "binary": True, "one_positive": one_positive, "one_negative": one_negative}}})

    assert said(True, False) == ("Of the 1 test row that is *yes*, the model finds 1 (true positives) and misses 0 "
                                 "(false negatives); of the 9 that are *no*, it keeps 8 (true negatives) and wrongly "
                                 "calls 1 *yes* (false positives).")
    assert said(False, True).startswith("Of the 1 test rows that are *yes*,") and "of the 9 that is *no*" in said(False, True)


def test_the_facts_hold_no_words_of_a_sentence(tiny_run):
    """Prose lives in report/: a variable of the facts is a fact span, a name, a list of them joined
    by report/blocks/_words.md, or a word of the data (config describe); never a phrase of Python's."""
    facts = yaml.safe_load((tiny_run / "report" / "facts.yml").read_text())
    config = resolved_config(tiny_run)
    data_words = {w.lower() for d in config["datasets"].values() for v in d["describe"].values()
                  for w in re.findall(r"[A-Za-z]{2,}", str(v))}
    # report/labels.yml is in report/: its names of metrics and methods are the article's own words
    labels = yaml.safe_load((REPO / "report" / "labels.yml").read_text())
    data_words |= {w.lower() for group in labels.values() for v in group.values() for w in re.findall(r"[A-Za-z]{2,}", v)}
    joiners = {"and", "more", "column", "columns"}  # report/blocks/_words.md

    def leaves(node, path=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from leaves(v, f"{path}.{k}" if path else k)
        elif isinstance(node, str):
            yield path, node

    problems = []
    for name, value in leaves(facts["variables"]):
        if name.startswith(("colophon.", "alt.")) or name == "slices.flagged":
            continue  # package names and versions; texts rendered from report/ (alt.yml, blocks/slice_list.md)
        bare = re.sub(r"\[(?:[^\[\]\\]|\\.)*\]\{\.fact [^}]*\}", "", value)  # fact spans
        bare = re.sub(r"`[^`]*`", "", bare)  # names
        words = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", bare)} - joiners - data_words
        if words:
            problems.append(f"{name}: {value!r} has words {sorted(words)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("which", RUNS)
def test_every_figure_of_the_html_has_alt_text_for_this_run(which, request):
    assert alt_text_problems(request.getfixturevalue(which)) == []
