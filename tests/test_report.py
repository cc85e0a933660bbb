"""The article and the manifest, checked the way a reader would check them: every figure of the run
is in both documents, references resolve, each number in the text is the one in the run's tables,
the demo and Kaggle articles say different things where their data differ, both documents render
to something that is not blank, and the manifest is complete and reproducible.

Uses the session runs of tests/conftest.py (demo_run, real_run: the whole workflow, CNN aside)
and one small run of its own with the CNN.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO, scheduled_jobs, small_config, snakemake

sys.path.insert(0, str(REPO / "scripts"))

from mlviz import report as mreport  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOPPM = shutil.which("pdftoppm")


# =========================================================================== HTML parsing
class Article(HTMLParser):
    """The parts of article.html the tests look at."""

    SKIP = {"code", "script", "style", "nav", "header"}

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.images: list[bytes] = []
        self.facts: list[dict] = []       # attrs + text of each span.fact
        self.captions: list[str] = []     # figcaption texts
        self.table_captions: list[str] = []
        self.xrefs: list[str] = []        # hrefs of a.quarto-xref
        self.ids: set[str] = set()
        self.untraced: list[str] = []     # text with digits outside facts, labels, code, tables' names
        self.text_parts: list[str] = []
        self._stack: list[tuple[str, set, dict]] = []
        self._fact: dict | None = None
        self._capture: list | None = None
        self._colophon = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if a.get("id"):
            self.ids.add(a["id"])
            if a["id"] == "colophon":
                self._colophon = True
        if tag == "img":
            src = a.get("src", "")
            m = re.match(r"data:image/png;base64,(.*)", src, re.S)
            self.images.append(base64.b64decode(m.group(1)) if m else src.encode())
            return
        if tag == "a" and "quarto-xref" in classes:
            self.xrefs.append(a.get("href", ""))
        if tag == "span" and "fact" in classes:
            self._fact = {**{k.removeprefix("data-"): v for k, v in a.items() if k != "class"}, "text": ""}
        if tag in ("figcaption", "caption"):
            self._capture = []
        self._stack.append((tag, classes, a))

    def handle_endtag(self, tag):
        while self._stack:
            t, classes, _ = self._stack.pop()
            if t == "span" and "fact" in classes and self._fact is not None:
                self.facts.append(self._fact)
                self._fact = None
            if t in ("figcaption", "caption") and self._capture is not None:
                (self.captions if t == "figcaption" else self.table_captions).append("".join(self._capture).strip())
                self._capture = None
            if t == tag:
                break

    def handle_data(self, data):
        self.text_parts.append(data)
        if self._fact is not None:
            self._fact["text"] += data
        if self._capture is not None:
            self._capture.append(data)
        inside = {t for t, _, _ in self._stack}
        classes = set().union(*(c for _, c, _ in self._stack)) if self._stack else set()
        if (self._fact is None and not self._colophon and not inside & self.SKIP and "quarto-xref" not in classes
                and "caption-label" not in classes and "header-section-number" not in classes
                and "title" not in inside and re.search(r"[0-9]", data)):
            self.untraced.append(data.strip())

    @property
    def text(self) -> str:
        return "".join(self.text_parts)


def article(run_dir: Path) -> Article:
    return Article((run_dir / "report" / "article.html").read_text())


def pdf_text(run_dir: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(run_dir / "report" / "article.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout


def pdf_images(run_dir: Path) -> list[dict]:
    out = subprocess.run(["pdfimages", "-list", str(run_dir / "report" / "article.pdf")],
                         capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    rows = []
    for line in out:
        f = line.split()
        if f[2] == "image":
            rows.append({"page": int(f[0]), "width": int(f[3]), "height": int(f[4]),
                         "x_ppi": float(f[12]), "y_ppi": float(f[13])})
    return rows


def manifest(run_dir: Path) -> pd.DataFrame:
    return pd.read_parquet(run_dir / "manifest.parquet")


def png_figures(run_dir: Path) -> pd.DataFrame:
    m = manifest(run_dir)
    return m[(m.kind == "figure") & m.path.str.endswith(".png")]


# =========================================================================== facts, looked up again
def lookup(run_dir: Path, f: dict, config: dict):
    """The value a fact span names, read from its table independently of the report's code."""
    table, col = f["table"], f.get("col", "value")
    where = dict(kv.split("=", 1) for kv in f["where"].split(";")) if f.get("where") else {}
    if table == "config":
        node = config
        for key in where["key"].split("."):
            node = node[key]
        return node
    path = run_dir / table
    if path.suffix == ".json":
        node = json.loads(path.read_text())
        for key in col.split("."):
            node = node[key]
        return node
    df = pd.read_parquet(path)
    if df.index.name:
        df = df.reset_index()
    for k, v in where.items():
        df = df[df[k].astype(str) == v]
    agg = f.get("agg")
    if "-" in col and col not in df.columns:
        a, b = col.split("-")
        series = df[a] - df[b]
    elif agg not in ("count", "share", "count_negative", "rank"):
        series = df[col]
    if agg is None:
        assert len(series) == 1, f"{f}: {len(series)} rows match"
        return series.iloc[0]
    if agg == "rank":
        df = df.assign(_a=-df[f.get("by", "value")].abs()).sort_values(["_a", "feature"])
        return df[col].iloc[int(f["rank"]) - 1]
    if agg == "count":
        return len(df)
    if agg == "count_negative":
        return int((df["value"] < 0).sum())
    if agg == "share":
        full = pd.read_parquet(path)
        return len(df) / len(full)
    if agg == "last":
        return df.sort_values("step")[col].iloc[-1]
    if agg == "max+1":
        return series.max() + 1
    if agg == "argmin+1":
        return int(df.loc[df["value"].idxmin(), "step"]) + 1
    return getattr(series, agg)()


def check_facts(run_dir: Path, config: dict) -> tuple[list[str], list[dict]]:
    doc = article(run_dir)
    wrong = []
    for f in doc.facts:
        value = lookup(run_dir, f, config)
        expected = format(value, f["fmt"]) if f.get("fmt") else str(value)
        if re.sub(r"\s+", " ", html.unescape(f["text"])) != expected:
            wrong.append(f"{f['text']!r} != {expected!r} for {f}")
    return wrong, doc.facts


def run_config(run_dir: Path) -> dict:
    return yaml.safe_load((run_dir.parents[1] / "config.yaml").read_text())


def tiny_config(run: str = "tiny") -> dict:
    """The demo on little data, CNN included (3 epochs): every section of the article, fast."""
    cfg = small_config(run, neural=True)
    cfg["sources"]["mba"]["rows"], cfg["sources"]["insurance"]["rows"] = 800, 400
    cfg["figures"]["importance"]["n_repeats"] = 3
    cfg["figures"]["lime"].update(rows=[0, 5], num_samples=1000, stability={"seeds": 3, "top_k": 5})
    cfg["neural"]["epochs"] = 3
    cfg["neural"]["sanity"]["random_repeats"] = 2
    return cfg


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("tiny")
    snakemake(workdir, config=tiny_config())
    return workdir / "results" / "tiny"


RUNS = ["demo_run", "real_run", "tiny_run"]


# =========================================================================== figures in both documents
@pytest.mark.parametrize("which", RUNS)
def test_every_figure_of_the_manifest_is_embedded_in_the_html(which, request):
    run_dir = request.getfixturevalue(which)
    figures = png_figures(run_dir)
    assert len(figures) >= 20, f"only {len(figures)} figures in the manifest"
    doc = article(run_dir)
    embedded = {hashlib.sha256(b).hexdigest() for b in doc.images}
    missing = figures[~figures.sha256.isin(embedded)].path.tolist()
    assert not missing, f"figures of the run not embedded in article.html: {missing}"
    assert len(doc.images) == len(figures)
    assert all(not b.startswith(b"http") for b in doc.images)


@pytest.mark.parametrize("which", RUNS)
def test_every_figure_is_in_the_pdf_and_fits_its_page_legibly(which, request):
    run_dir = request.getfixturevalue(which)
    figures = png_figures(run_dir)
    images = pdf_images(run_dir)
    assert len(images) == len(figures), f"{len(images)} images in the PDF, {len(figures)} figures in the run"
    sizes = sorted((mreport.png_size(run_dir / p)[:2]) for p in figures.path)
    assert sorted((i["width"], i["height"]) for i in images) == sizes
    pages = pdf_page_sizes(run_dir)
    margin = 2 * 1.5 / 2.54  # inches; pdfimages rounds ppi to integers, hence 1% slack
    for img in images:
        w_in, h_in = img["width"] / img["x_ppi"], img["height"] / img["y_ppi"]
        page_w, page_h = pages[img["page"]]
        assert w_in <= (page_w - margin) * 1.01 and h_in <= (page_h - margin) * 1.01, \
            f"image on page {img['page']} ({w_in:.1f} x {h_in:.1f} in) does not fit the page"
    for p in figures.path:  # printed at no less than half the size it was drawn at: 10 pt labels stay >= 5 pt
        w, h, dpi = mreport.png_size(run_dir / p)
        img = next(i for i in images if (i["width"], i["height"]) == (w, h))
        assert dpi / img["x_ppi"] >= 0.5, f"{p} printed at {dpi / img['x_ppi']:.0%} of its size"


def pdf_page_sizes(run_dir: Path) -> dict[int, tuple[float, float]]:
    out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(run_dir / "report" / "article.pdf")],
                         capture_output=True, text=True, check=True).stdout
    sizes = {}
    for m in re.finditer(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", out):
        sizes[int(m.group(1))] = (float(m.group(2)) / 72, float(m.group(3)) / 72)
    return sizes


# =========================================================================== references and numbering
UNRESOLVED = ["??", "@fig-", "@tbl-", "{{<", "?var:", "?meta:", "{#fig-", "{#tbl-"]


@pytest.mark.parametrize("which", RUNS)
def test_no_unresolved_reference_in_either_document(which, request):
    run_dir = request.getfixturevalue(which)
    doc = article(run_dir)
    for text, where in ((doc.text, "article.html"), (pdf_text(run_dir), "article.pdf")):
        bad = [s for s in UNRESOLVED if s in text]
        assert not bad, f"{where} contains {bad}"
    missing = [h for h in doc.xrefs if h.lstrip("#") not in doc.ids]
    assert doc.xrefs and not missing, f"cross-references to nowhere: {missing}"


@pytest.mark.parametrize("which", RUNS)
def test_figures_and_tables_are_numbered_alike_in_html_and_pdf(which, request):
    run_dir = request.getfixturevalue(which)
    doc = article(run_dir)
    n_fig = len(png_figures(run_dir))
    assert [re.match(r"Figure (\d+):", c).group(1) for c in doc.captions] == [str(i) for i in range(1, n_fig + 1)]
    tables = [re.match(r"Table (\d+):", c).group(1) for c in doc.table_captions]
    assert tables == [str(i) for i in range(1, len(tables) + 1)] and len(tables) >= 4
    text = re.sub(r"\s+", " ", pdf_text(run_dir))
    for i in range(1, n_fig + 1):
        assert f"Figure {i}:" in text, f"PDF lacks the caption of Figure {i}"
    for i in range(1, len(tables) + 1):
        assert f"Table {i}:" in text
    # every figure is referred to in the text, in both documents
    refs = {int(n) for n in re.findall(r"Figure\xa0(\d+)", doc.text)}
    assert refs == set(range(1, n_fig + 1)), f"figures never referred to: {set(range(1, n_fig + 1)) - refs}"


# =========================================================================== numbers from the run
@pytest.mark.parametrize("which", RUNS)
def test_every_number_in_the_text_is_the_one_in_the_run_tables(which, request):
    run_dir = request.getfixturevalue(which)
    wrong, facts = check_facts(run_dir, run_config(run_dir))
    assert not wrong, "\n".join(wrong[:20])
    tables = [f["table"] for f in facts]
    assert tables.count("metrics.parquet") >= 15 and tables.count("importances.parquet") >= 25
    # and no number in the prose comes from anywhere else (names in code, labels and colophon aside)
    untraced = article(run_dir).untraced
    assert not untraced, f"numbers in the text that no table backs: {untraced[:10]}"


def test_headline_numbers_are_the_metrics(demo_run):
    """Spot checks a reader would make: the ROC AUC and the top SHAP feature quoted in the text."""
    doc = article(demo_run)
    m = pd.read_parquet(demo_run / "metrics.parquet")
    auc = m[(m.dataset == "mba_binary") & (m.model == "random_forest") & (m.metric == "roc_auc")].value.item()
    assert f"area under it, {auc:.2f}" in re.sub(r"\s+", " ", doc.text)
    imp = pd.read_parquet(demo_run / "importances.parquet")
    shap = imp[(imp.dataset == "insurance") & (imp.method == "mean_abs_shap")]
    top = shap.loc[shap.value.abs().idxmax(), "feature"]
    assert f"{top} leads" in re.sub(r"\s+", " ", doc.text)


def test_demo_and_kaggle_articles_differ_where_their_data_differ(demo_run, real_run):
    texts = {n: re.sub(r"\s+", " ", article(r).text) for n, r in (("demo", demo_run), ("real", real_run))}
    assert "synthetic data" in texts["demo"] and "MBA.csv" in texts["real"] and "synthetic" not in texts["real"]
    # the same facts (same table, same row) take the run's own values
    facts = {n: {json.dumps({k: v for k, v in f.items() if k != "text"}, sort_keys=True): f["text"]
                 for f in article(r).facts} for n, r in (("demo", demo_run), ("real", real_run))}
    shared = set(facts["demo"]) & set(facts["real"])
    differ = [k for k in shared if facts["demo"][k] != facts["real"][k] and '"metrics.parquet"' in k]
    assert len(differ) >= 10, "the two articles quote the same metrics"
    # sentences that read the data follow each run's numbers
    for name, run_dir in (("demo", demo_run), ("real", real_run)):
        text = texts[name]
        m = pd.read_parquet(run_dir / "metrics.parquet")
        r2 = m[(m.dataset == "insurance") & (m.metric == "r2")].set_index("model").value
        tie = abs(r2["linear"] - r2["xgboost"]) < 0.01
        assert ("practically the same score" in text) == tie, name
        assert ("straight lines fit this data better" in text) == (not tie and r2["linear"] > r2["xgboost"]), name
        assert ("trees capture structure" in text) == (not tie and r2["linear"] < r2["xgboost"]), name
        imp = pd.read_parquet(run_dir / "importances.parquet")
        first = {meth: imp[(imp.dataset == "mba") & (imp.model == "random_forest") & (imp.method == meth)]
                 .assign(a=lambda d: -d.value.abs()).sort_values(["a", "feature"]).feature.iloc[0]
                 for meth in ("impurity", "permutation")}
        assert ("Both measures put" in text) == (first["impurity"] == first["permutation"]), name
        assert ("disagree on what matters most" in text) == (first["impurity"] != first["permutation"]), name


# =========================================================================== self-contained, not blank
@pytest.mark.parametrize("which", RUNS)
def test_html_needs_no_network(which, request):
    text = (request.getfixturevalue(which) / "report" / "article.html").read_text()
    text = re.sub(r"data:[a-z/+.-]+;base64,[A-Za-z0-9+/=]+", "data:", text)  # embedded images
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=\"(https?:)?//", text)
    assert not re.search(r"@import|url\((['\"])?https?:", text)
    assert "mathjax" not in text.lower() and "katex" not in text.lower()


@pytest.mark.skipif(not CHROMIUM, reason="Debian's chromium is not installed (apt-get install -y chromium)")
@pytest.mark.parametrize("which", RUNS)
def test_html_renders_in_headless_chromium(which, request, tmp_path):
    run_dir = request.getfixturevalue(which)
    shot = tmp_path / "page.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    "--window-size=1200,4000", f"--screenshot={shot}",
                    (run_dir / "report" / "article.html").as_uri()],
                   capture_output=True, text=True, timeout=120, check=True)
    assert not_blank(shot) > 0.02, "the screenshot of article.html is (almost) blank"


@pytest.mark.skipif(not PDFTOPPM, reason="poppler-utils (pdftoppm) is not installed")
@pytest.mark.parametrize("which", RUNS)
def test_every_pdf_page_has_content(which, request, tmp_path):
    run_dir = request.getfixturevalue(which)
    subprocess.run([PDFTOPPM, "-r", "30", "-png", str(run_dir / "report" / "article.pdf"), str(tmp_path / "p")],
                   check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) >= 8
    blank = [p.name for p in pages if not_blank(p) < 0.005]
    assert not blank, f"blank PDF pages: {blank}"


def not_blank(png: Path) -> float:
    """Share of pixels that are not (near) white."""
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(png).convert("L"), dtype=float)
    return float((a < 235).mean())


# =========================================================================== manifest
@pytest.mark.parametrize("which", RUNS)
def test_manifest_lists_every_file_with_its_rule_and_provenance(which, request):
    run_dir = request.getfixturevalue(which)
    m = manifest(run_dir)
    dirs = [p for p in m.path if p.endswith("/")]  # directory() outputs: one row each
    files = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*")
                   if p.is_file() and p.name != "manifest.parquet")
    files = sorted({next((d for d in dirs if f.startswith(d)), f) for f in files})
    assert m.path.tolist() == files
    assert set(m.kind) == {"figure", "table", "model", "log", "report"}
    assert (m.rule != "unknown").all(), m[m.rule == "unknown"].path.tolist()
    rules = dict(zip(m.path, m.rule))
    assert rules["report/article.html"] == rules["report/article.pdf"] == "report"
    assert rules["metrics.parquet"] == "metrics" and rules["figures/tree/mba/decision_tree.png"] == "figure_tree"
    hashed = m[m.kind != "log"]
    for row in hashed.sample(10, random_state=0).itertuples():
        data = (run_dir / row.path).read_bytes()
        assert row.sha256 == hashlib.sha256(data).hexdigest() and row.bytes == len(data)
    assert m[m.kind == "log"].sha256.isna().all()
    assert m.config_hash.nunique() == 1 and m.git_commit.nunique() == 1 and m.git_dirty.nunique() == 1
    assert "pandas" in json.loads(m.packages.iloc[0])
    # the colophon and title block cite the manifest's commit and config hash
    text = re.sub(r"\s+", " ", article(run_dir).text)
    commit, chash = m.git_commit.iloc[0], m.config_hash.iloc[0]
    assert f"commit {commit}" in text and f"configuration hash is {chash}" in text
    from PIL import Image

    png = Image.open(run_dir / "figures" / "tree" / "mba" / "decision_tree.png")
    assert png.text["mlviz:config_hash"] == chash  # (its commit is the one it was drawn at)


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
    original = run_config(demo_run)
    cfg = copy.deepcopy(original)
    figure = demo_run / "figures" / "linear" / "insurance" / "linear" / "residuals.png"
    data = figure.read_bytes()
    try:
        # a new version of one figure (Snakemake compares checksums, so touching is not enough)
        figure.write_bytes(data + b"\0")
        assert jobs_but_all(snakemake(workdir, "-n", config=cfg)) == {"report": 1, "manifest": 1}
        figure.write_bytes(data)
        # editing a figure's look redraws that figure and re-renders the article; no fact is recomputed
        cfg["figures"]["linear"]["bins"] = 20
        jobs = jobs_but_all(snakemake(workdir, "-n", config=cfg))
        assert jobs == {"figure_residual_distribution": 1, "report": 1, "manifest": 1}, jobs
    finally:
        figure.write_bytes(data)
        snakemake(workdir, config=original)  # back to the fixture's state (nothing to do, or the same bytes)


def job_inputs(dry_run: str, rule: str) -> list[str]:
    block = re.search(rf"^(?:local)?rule {rule}:\n(.*?)(?:\n\n|\Z)", dry_run, re.M | re.S).group(1)
    line = re.search(r"^\s*input: (.*)$", block, re.M).group(1)
    return [p.strip() for p in line.split(",")]


def test_report_is_the_last_step_of_rule_all(demo_run):
    """The article embeds every figure; the manifest comes after everything, the article included."""
    workdir = demo_run.parents[1]
    out = snakemake(workdir, "-n", "--forceall", config=run_config(demo_run)).stdout
    figures = {f"results/demo/{p}" for p in png_figures(demo_run).path}
    assert figures <= set(job_inputs(out, "report"))
    manifest_in = set(job_inputs(out, "manifest"))
    assert {"results/demo/report/article.html", "results/demo/report/article.pdf"} <= manifest_in
    assert figures | {"results/demo/metrics.parquet", "results/demo/importances.parquet"} <= manifest_in
    assert set(job_inputs(out, "all")) >= {"results/demo/manifest.parquet", "results/demo/report/article.pdf"}


# =========================================================================== units
def test_shortcodes_expand_like_quarto(tmp_path):
    (tmp_path / "_part.md").write_text("Included {{< var a.b >}}.\n")
    text = "x {{< var a.b >}} {{< var nope >}} {{< meta flag >}}\n\n{{< include _part.md >}}\n"
    out = mreport.expand_shortcodes(text, {"a": {"b": "[1]{.fact}"}}, {"flag": True}, tmp_path)
    assert out == "x [1]{.fact} ?var:nope true\n\nIncluded [1]{.fact}.\n\n"


def test_fact_spans_escape_feature_names():
    span = mreport.fact(None, table="importances.parquet", where={"feature": "a_b"}, col="feature", agg="rank",
                        rank=1, text="work_industry_Media/Entertainment")
    assert span.startswith(r"[work\_industry\_Media/Entertainment]{.fact ")


def test_pandoc_path_numbers_hidden_figures_out(tmp_path):
    """Conditional content and cross-references of the pandoc path (filters/quarto-compat.lua)."""
    import pypandoc

    src = tmp_path / "a.md"
    src.write_text("---\nshow: false\n---\n\n::: {.content-visible when-meta=\"show\"}\n![A](a.png){#fig-a}\n:::\n\n"
                   "![B](b.png){#fig-b}\n\nSee @fig-b.\n")
    out = pypandoc.convert_file(str(src), "html5", extra_args=[
        "--lua-filter", str(REPO / "report" / "filters" / "quarto-compat.lua")])
    assert "a.png" not in out and "Figure 1:" in out and 'href="#fig-b"' in out
    typ = pypandoc.convert_file(str(src), "typst", extra_args=[
        "--lua-filter", str(REPO / "report" / "filters" / "quarto-compat.lua")])
    assert "#ref(<fig-b>)" in typ
    src.write_text("See @fig-missing.\n")
    with pytest.raises(RuntimeError, match="fig-missing"):
        pypandoc.convert_file(str(src), "html5", extra_args=[
            "--lua-filter", str(REPO / "report" / "filters" / "quarto-compat.lua")])


def test_bad_report_settings_stop_the_run_at_parse_time(tmp_path):
    cfg = small_config("bad")
    cfg["report"]["engine"] = "latex"
    proc = snakemake(tmp_path, "-n", config=cfg, check=False)
    assert proc.returncode != 0 and "engine" in proc.stdout + proc.stderr
    if mreport.quarto_version() is None:
        cfg["report"]["engine"] = "quarto"
        proc = snakemake(tmp_path, "-n", config=cfg, check=False)
        assert proc.returncode != 0
        assert "config key report.engine: quarto needs Quarto >= 1.4" in proc.stdout + proc.stderr
