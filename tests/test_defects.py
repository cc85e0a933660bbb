"""The perturbation zoo (tests/defects.py): each defect injected by code into several zoo tables must be
found by the check meant for it, and on the clean zoo no check may fire where nothing is wrong.

A few things the checks report on the clean tables are properties of those tables, not defects, and
each is verified here by a path of its own (TRUE_FINDINGS); anything else a check reports on a clean
table is a false alarm. All in process (no workflow, no article) but the last tests, which take a few
defects through the whole workflow and read what the article then says."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
import zoo
from articlecheck import article, check_claims
from defects import DEFECTS, findings, found, inject_csv, run, top_number
from qmdtext import between

# The tables each defect is injected into. The identifier numbers the rows in the target's order;
# diabetes' flipped slice is left out: its noisy target leaves a mirrored slice's error interval too
# wide to clear the overall error (the slice test of tests/test_diagnostics.py covers regression).
TABLES = {
    "leak": ["breast_cancer", "wine", "diabetes", "credit", "penguins", "cars", "digits"],
    "identifier": ["breast_cancer", "wine", "diabetes", "credit", "penguins", "cars"],
    "duplicates": ["breast_cancer", "wine", "diabetes", "credit", "penguins", "cars"],
    "near_copy": ["breast_cancer", "wine", "diabetes", "credit", "penguins", "cars"],
    "shuffled": ["breast_cancer", "wine", "diabetes", "credit", "penguins", "cars"],
    "flipped": ["breast_cancer", "wine", "credit", "penguins", "cars", "digits"],
}
CASES = [(name, defect) for defect in DEFECTS for name in TABLES[defect]]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("perturbation-zoo")


@pytest.mark.parametrize("name, defect", CASES, ids=[f"{d}-{n}" for n, d in CASES])
def test_each_defect_is_found_by_its_check(name, defect, folder):
    top = top_number(name, folder / name) if defect == "near_copy" else None
    result = run(name, folder / name, defect, top=top)
    assert found(result), f"{name} with {defect} ({result.info.get('column') or result.info.get('slice')}): " \
                          f"not found; the checks report {findings(result)}"


# ---------------------------------------------------------------- the clean zoo


def _true_breast_cancer(result) -> set:
    """Radius, perimeter and area of the same nuclei are one measurement (perimeter ~ 2 pi r, area ~
    pi r^2; "worst" is the mean of the three largest nuclei): every pair ranks the rows alike."""
    from sklearn.datasets import load_breast_cancer

    b = load_breast_cancer()
    df = pd.DataFrame(b.data, columns=b.feature_names)
    members = ["mean radius", "mean perimeter", "mean area", "worst radius", "worst perimeter", "worst area"]
    assert df[members].corr(method="spearman").abs().min().min() > 0.97
    return {("redundancy", ", ".join(members))}


def _true_digits(result) -> set:
    """The image's left and right borders: blank (0) in at least 98 % of the digits."""
    df, _, _ = zoo.digits()
    border = [c for c in df.columns if c.startswith("pixel") and 0.98 <= (df[c] == 0).mean() < 1.0]
    return {("columns", f"{c}: near_constant") for c in border}


def _true_linnerud(result) -> set:
    """20 rows, 5 of them test rows: no interval from 5 rows can show a model beating the mean."""
    assert result.info["meta"]["rows"]["test"] == 5
    base = result.tables["baseline"]
    row = base[base["headline"]].iloc[0]
    assert row["lower"] < 0 < row["upper"]
    return {("baseline", "forest not better than the trivial predictor on r2")}


def _true_rare_wide(result) -> set:
    """1 positive in 51: the forest's probabilities rank the rows (its ROC AUC beats 0.5), yet never
    reach 0.5, so it predicts "no" for every test row."""
    base = result.tables["baseline"]
    row = base[base["headline"]].iloc[0]
    assert row["better"] and row["predicted_classes"] == 1
    return {("one_class", "forest predicts one class for every test row")}


def _true_churn(result) -> set:
    """As in the telecom churn tables it imitates, a customer has voice-mail messages exactly when
    they have the voice-mail plan: the plan is a function of the message count."""
    df, _, _ = zoo.churn()
    assert ((df["number_vmail_messages"] > 0) == (df["voice_mail_plan"] == "yes")).all()
    return {("redundancy", "voice_mail_plan, number_vmail_messages")}


TRUE_FINDINGS = {"breast_cancer": _true_breast_cancer, "digits": _true_digits, "linnerud": _true_linnerud,
                 "rare_wide": _true_rare_wide, "churn": _true_churn}


@pytest.fixture(scope="module")
def clean_zoo(folder) -> dict:
    return {name: run(name, folder / name) for name in zoo.TABLES}


def test_no_check_fires_on_the_clean_zoo(clean_zoo):
    alarms, true = [], 0
    for name, result in clean_zoo.items():
        reported = set(findings(result))
        expected = TRUE_FINDINGS[name](result) if name in TRUE_FINDINGS else set()
        assert expected <= reported, f"{name}: the checks no longer report {sorted(expected - reported)}"
        true += len(expected)
        alarms += [f"{name}: {check}: {what}" for check, what in sorted(reported - expected)]
    print(f"\nclean zoo: {len(clean_zoo)} tables, {true} findings that are true of the table, "
          f"{len(alarms)} false alarm(s)" + "".join(f"\n  {a}" for a in alarms))
    assert not alarms, "false alarms on the clean zoo:\n" + "\n".join(alarms)


def test_the_clean_zoo_keeps_its_margins(clean_zoo):
    """The thresholds sit well away from what the clean tables give, so that a small change of data or
    seed does not make an alarm: the best single feature (iris' petal width) below the leak threshold,
    the strongest correlation of distinct measurements below the redundancy threshold."""
    best = max(float(r.tables["leakage"].query("kind == 'feature'")["skill"].max()) for r in clean_zoo.values())
    assert best < 0.95
    for name, r in clean_zoo.items():
        slices = r.tables["slices"]
        if len(slices):
            assert not slices["flagged"].any(), name
        dup = r.tables["duplicates"].set_index("check").loc["test_in_train"]
        assert dup["share"] - dup["expected"] < 0.03, name


# ---------------------------------------------------------------- what the article then says
ARTICLE_CASES = ["leak", "shuffled", "near_copy"]


@pytest.fixture(scope="module")
def defect_articles(tmp_path_factory) -> dict:
    """The wine table with one defect injected in its CSV, each through the whole workflow to its
    article, from the config a user writes first (a path and a target column)."""
    from conftest import snakemake

    out = {}
    for defect in ARTICLE_CASES:
        folder = tmp_path_factory.mktemp(f"wine-{defect}")
        df, target, _ = zoo.TABLES["wine"]()
        top = top_number("wine", folder) if defect == "near_copy" else None
        info = inject_csv(df, target, defect, np.random.default_rng(0), top=top)
        path = folder / "wine.csv"
        df.to_csv(path, index=False)
        snakemake(folder / "w", config=zoo.minimal_config("wine", {"path": str(path), "target": target}))
        run_dir = folder / "w" / "results" / "wine"
        out[defect] = {"run": run_dir, "info": info,
                       "facts": yaml.safe_load((run_dir / "report" / "facts.yml").read_text()),
                       "text": article(run_dir).text}
    return out


@pytest.mark.slow
@pytest.mark.parametrize("defect", ARTICLE_CASES)
def test_the_article_withholds_or_rewords_what_a_defect_makes_misleading(defect, defect_articles):
    """A leaked column is named as a possible leak and not presented as the leader; with shuffled
    labels the article says the models learned nothing and names no driver; a near-copy of the top
    feature is named with its twin, and neither is ranked above the other. Every claim still holds
    by the article check's own reading of the tables."""
    a = defect_articles[defect]
    claims, text = a["facts"]["metadata"]["claims"], a["text"]
    assert check_claims(a["run"]) == []
    assert claims["checks"]["found"], "the checks found nothing"
    imp = claims["importance"]
    if defect == "leak":
        assert "A possible leak." in text and a["info"]["column"] in text
        assert not imp["same_leader"] and not imp["different_leader"]
        assert imp["leader_suspect"] or a["facts"]["metadata"]["subjects"]["importance"]["permutation_leader"] != a["info"]["column"]
    if defect == "shuffled":
        assert claims["comparison"]["learned_nothing"] and "No model does better than guessing" in text
        assert not imp["drivers"] and not imp["many_drops"] and not imp["one_drop"] and not imp["same_leader"]
        assert "By permutation, the largest drops come from" not in text and "Drivers." not in text
        assert not claims["shap"]["top_named"] and not claims["effects"]["shapes"]
    if defect == "near_copy":
        assert "Redundant features." in text and a["info"]["column"] in text and a["info"]["of"] in text
        leader = a["facts"]["metadata"]["subjects"]["importance"]["permutation_leader"]
        if leader in (a["info"]["column"], a["info"]["of"]):
            assert not imp["same_leader"] and not imp["different_leader"]


def test_clean_tables_say_nothing_was_found():
    """Quiet when nothing is wrong: the words for a clean run are the one sentence that nothing was found."""
    text = between("## Before reading the explanations", "{{< include _generated/checks.md >}}")
    assert "Nothing of the kind was found here" in text
