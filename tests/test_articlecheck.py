"""The article check (tests/articlecheck.py) bites: a bug planted in the code that writes the
article's facts (mlviz.article), or a false table, is caught by it, fast, on the tiny run's tables
(tests/fixtures/tinyrun, read without Quarto by tests/qmdtext.html). Each planted bug of issue 21
has its test here; the same checks run on every rendered article (tests/test_report.py, the zoo)."""
from __future__ import annotations

import subprocess

import pytest
import tinyrun

from mlviz.workflow import provenance


def test_an_untracked_config_file_in_the_checkout_makes_the_run_dirty(tmp_path):
    """The colophon said 'no uncommitted changes' while the run's config was an untracked file."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, check=True, capture_output=True)  # noqa: E731
    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start")
    (repo / "tracked.yaml").write_text("run: a\n")
    git("add", "tracked.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "config")
    outside = tmp_path / "mine.yaml"
    outside.write_text("run: b\n")
    assert provenance.checkout_state(repo)[1] is False
    assert provenance.checkout_state(repo, [str(repo / "tracked.yaml"), str(outside)])[1] is False
    (repo / "houses.yaml").write_text("run: c\n")
    assert provenance.checkout_state(repo, [str(repo / "houses.yaml")])[1] is True
    (repo / "tracked.yaml").write_text("run: changed\n")
    assert provenance.checkout_state(repo, [str(repo / "tracked.yaml")])[1] is True
