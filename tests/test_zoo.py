"""The data zoo: twelve tables nobody on the team wrote (tests/zoo.py), each run from the config a
user writes first — a path and a target column — to a complete article, on the first try. Each
article is then read as its data's owner would: every number is its table's, every claim holds,
no word of the demo's or the tutorial's data appears, the pages are typeset, and the resolved
config, run again, resolves to itself."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
import zoo
from articlecheck import (alt_text_problems, article, check_claims, check_facts, check_readings, colophon_is_last,
                          foreign_words, glued_punctuation, layout_problems)
from conftest import snakemake

from mlviz.config import settings

pytestmark = pytest.mark.slow  # every zoo table through the whole workflow


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict:
    return zoo.write(tmp_path_factory.mktemp("zoo-data"))


@pytest.fixture(scope="module")
def zoo_runs(tables, tmp_path_factory, request):
    """Every selected table through the whole workflow from its minimal config, two runs at a time
    (one run leaves the cores idle between its steps and while Quarto renders); `-k credit` runs one."""
    from concurrent.futures import ThreadPoolExecutor

    wanted = {item.callspec.params["name"] for item in request.session.items
              if item.module.__name__ == __name__ and hasattr(item, "callspec")}
    if any(item.module.__name__ == __name__ and item.name.startswith("test_feature_names")
           for item in request.session.items):
        wanted.add("credit")

    # Largest file first, so that no long run starts last while the other worker has nothing left.
    order = sorted(wanted, key=lambda name: -Path(tables[name]["path"]).stat().st_size)
    workdirs = {name: tmp_path_factory.mktemp(f"zoo-{name}") for name in order}

    def run(name: str):
        proc = snakemake(workdirs[name], config=zoo.minimal_config(name, tables[name]), check=False)
        try:  # read now, while the other run still computes; the test asserts what was found
            found = read_article(name, workdirs[name] / "results" / name, tables[name]) if proc.returncode == 0 else None
        except Exception as e:  # noqa: BLE001 - raised again by the test that reads it
            found = e
        return workdirs[name], proc, found

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(workdirs, pool.map(run, workdirs)))


def read_article(name: str, run_dir: Path, entry: dict) -> dict:
    """Everything the test checks of one table's article, as its data's owner would read it."""
    found = {"missing": [f for f in ("report/article.html", "report/article.pdf", "manifest.parquet",
                                     "config.resolved.yaml") if not (run_dir / f).is_file()]}
    if found["missing"]:
        return found
    found["wrong"], found["facts"] = check_facts(run_dir)
    found["claims"] = check_claims(run_dir)
    found["readings"] = check_readings(run_dir)
    resolved = yaml.safe_load((run_dir / "config.resolved.yaml").read_text())
    ds = resolved["datasets"][name]
    own = {ds["target"]["column"], *ds["target"].get("classes", []), Path(entry["path"]).name,
           *pd_columns(entry["path"], resolved["sources"][ds["source"]])}
    found["foreign"] = foreign_words(run_dir, own)
    found["layout"] = layout_problems(run_dir)
    found["colophon_last"] = colophon_is_last(run_dir)
    found["glued"] = glued_punctuation(run_dir)
    found["untraced"] = article(run_dir).untraced
    found["alt"] = alt_text_problems(run_dir)
    return found


@pytest.mark.parametrize("name", list(zoo.TABLES))
def test_a_minimal_config_gives_a_complete_true_article(name, zoo_runs, tables):
    workdir, proc, found = zoo_runs[name]
    assert proc.returncode == 0, f"{name} ({tables[name]['about']}) failed:\n{proc.stderr[-3000:]}"
    if isinstance(found, Exception):
        raise found
    assert not found["missing"], f"{name}: no {found['missing']}"
    assert not found["wrong"], f"{name}: " + "\n".join(found["wrong"][:10])
    assert len(found["facts"]) >= 30
    assert not found["claims"], f"{name}: " + "\n".join(found["claims"])
    assert not found["readings"], f"{name}: " + "\n".join(found["readings"])
    assert not found["foreign"], f"{name}: the article speaks of {found['foreign']}"
    assert not found["layout"], f"{name}: " + "\n".join(found["layout"])
    assert found["colophon_last"]
    assert not found["glued"], f"{name}: no space after punctuation in {found['glued'][:5]}"
    assert not found["untraced"], f"{name}: untraced numbers {found['untraced'][:5]}"
    assert not found["alt"], f"{name}: " + "\n".join(found["alt"][:5])


def pd_columns(path: str, source: dict) -> list[str]:
    from mlviz.sources import csvfile

    return csvfile.read_header(path, encoding=source["encoding"], sep=source["sep"])


@pytest.mark.parametrize("name", list(zoo.TABLES))
def test_the_resolved_config_resolves_to_itself(name, zoo_runs):
    """Copy the run's resolved config, run it: the same choices, nothing left to infer."""
    workdir, proc, _ = zoo_runs[name]
    if proc.returncode != 0:
        pytest.skip(f"{name} did not run (see the test above)")
    written = yaml.safe_load((workdir / "results" / name / "config.resolved.yaml").read_text())
    again, _ = settings.resolve(written, cache=None)
    assert again == written


def test_what_the_inference_decided_on_the_zoo(tables):
    """The choices a user would make by hand, made from the data."""
    got = {}
    for name, entry in tables.items():
        cfg, notes = settings.resolve(zoo.minimal_config(name, entry), cache=None)
        got[name] = (cfg, notes[name], cfg["datasets"][name])
    assert got["credit"][0]["sources"]["credit"]["sep"] == ";"
    assert got["credit"][0]["sources"]["credit"]["encoding"] in ("cp1252", "latin-1")
    assert got["credit"][2]["target"]["classes"] == ["1", "2"]  # numeric labels, 2 (bad) positive
    assert "id" in got["credit"][1]["dropped"] and "bank" in got["credit"][1]["dropped"]
    assert got["credit"][2]["preprocess"]["binary"]["foreign_worker"] == {"FALSE": 0, "TRUE": 1}
    assert got["credit"][2]["preprocess"]["fill_missing"]["age"] == "median"
    assert got["iris"][2]["task"] == "classification" and got["diabetes"][2]["task"] == "regression"
    assert got["linnerud"][2]["task"] == "regression"  # a whole-number target, nearly one value per row
    assert got["digits"][2]["target"]["classes"] == [str(i) for i in range(10)]
    assert any(why["reason"] == "constant" for why in got["digits"][1]["dropped"].values())
    assert got["breast_cancer"][2]["target"]["classes"] == ["benign", "malignant"]  # the rarer class positive
    assert got["rare_wide"][2]["target"]["classes"] == ["no", "yes"] and got["rare_wide"][2]["split"]["stratify"]
    assert got["cars"][1]["rows_without_target"] > 0 and "Name" in got["cars"][1]["dropped"]
    assert got["penguins"][2]["preprocess"]["fill_missing"]["bill_length_mm"] == "median"
    assert "Comments" in got["penguins_raw"][1]["dropped"] and "Individual ID" in got["penguins_raw"][1]["dropped"]
    assert "date" in got["seattle_weather"][1]["dropped"]


def test_feature_names_that_xgboost_refuses_reach_the_figures_as_written(zoo_runs):
    workdir, proc, _ = zoo_runs["credit"]
    if proc.returncode != 0:
        pytest.skip("credit did not run")
    text = re.sub(r"\s+", " ", article(workdir / "results" / "credit").text)
    assert "< 0 DM" in text or "&lt; 0 DM" in text or "checking_status" in text
