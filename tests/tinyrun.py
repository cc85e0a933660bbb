"""The fast tests' run: tests/fixtures/tinyrun/ holds the tables rule report_facts read in a tiny run
of the demo (tests/test_report.py's tiny config: every chapter, the CNN's included) with that job's
parameters (refresh them with tests/fixtures/make_tinyrun.py). Here the facts are built from them in
this process, as rule report_facts builds them, and the article is read without Quarto
(tests/qmdtext.html), so that a test can change a table, or plant a bug in mlviz.article, and run
the article check (tests/articlecheck.py) in a second."""
from __future__ import annotations

import runpy
import shutil
from pathlib import Path
from types import SimpleNamespace

import yaml

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "tinyrun"  # run/: results/tiny of that run
REPO = Path(__file__).resolve().parents[1]


def load(text: str):
    """YAML read by libyaml's safe loader where PyYAML has it: the job's parameters and the facts are
    large, and the pure-Python loader took a third of each fast article test."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 (a safe loader)


def copy(dest: Path) -> Path:
    """A copy of the run's tables in dest (a workdir); returns the run folder (dest/results/tiny)."""
    shutil.copytree(FIXTURE / "run", dest / "results" / "tiny", dirs_exist_ok=True)
    shutil.copyfile(FIXTURE / "report_facts.yml", dest / "report_facts.yml")
    return dest / "results" / "tiny"


def job(run_dir: Path) -> dict:
    return load((run_dir.parents[1] / "report_facts.yml").read_text())


def build_facts(run_dir: Path) -> dict:
    """report/facts.yml of the run, written by scripts/report_facts.py in this process."""
    spec = job(run_dir)
    workdir = run_dir.parents[1]
    out = run_dir / "report" / "facts.yml"
    out.parent.mkdir(parents=True, exist_ok=True)
    params = SimpleNamespace(**spec["params"])
    params.plan = [{**p, "src": str(workdir / p["src"])} for p in params.plan]
    smk = SimpleNamespace(params=params, config=spec["config"], output=[str(out)], log=[],
                          input=SimpleNamespace(tables=[str(workdir / t) for t in spec["params"]["tables"]]))
    runpy.run_path(str(REPO / "scripts" / "report_facts.py"), init_globals={"snakemake": smk})
    return load(out.read_text())


def article_html(run_dir: Path, facts: dict | None = None) -> str:
    """The article of the run as tests/qmdtext.html reads it (no Quarto), from its facts."""
    from qmdtext import html

    facts = facts or load((run_dir / "report" / "facts.yml").read_text())
    # The colophon's claim and values, which rule report adds when it renders (no git here).
    metadata = {**facts["metadata"], "claims": {**facts["metadata"]["claims"], "colophon": {"dirty": False}}}
    variables = {**facts["variables"], "colophon": {"commit": "`0`", "config_hash": "`0`", "packages": "", "quarto": "1"}}
    return html(variables, metadata, facts["blocks"])
