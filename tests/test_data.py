"""Preprocessing: the tutorial's recipes on the real files, any CSV by config, bad input at the door."""
from __future__ import annotations

import copy
import hashlib

import pandas as pd
import pytest
from conftest import SHARED_DATA, load_config, real_data_config, small_config, snakemake

from mlviz import data
from mlviz.errors import InputError

MBA_COLUMNS = ["gender", "international", "gpa", "gmat", "work_exp", "major_Business", "major_STEM",
               "race_Asian", "race_Black", "race_Hispanic", "race_Other", "race_White", "work_industry_CPG",
               "work_industry_Consulting", "work_industry_Energy", "work_industry_Financial Services",
               "work_industry_Health Care", "work_industry_Investment Banking",
               "work_industry_Investment Management", "work_industry_Media/Entertainment",
               "work_industry_Nonprofit/Gov", "work_industry_PE/VC", "work_industry_Real Estate",
               "work_industry_Retail", "work_industry_Technology"]
INSURANCE_COLUMNS = ["age", "sex", "bmi", "children", "smoker", "region_northwest", "region_southeast",
                     "region_southwest"]


def prepare(path, name):
    ds = real_data_config()["datasets"][name]
    return data.prepare(data.read_raw(path), ds, path), ds


def test_real_mba_gives_the_tutorials_columns_and_rows():
    table, ds = prepare(SHARED_DATA / "MBA.csv", "mba")
    assert len(table) == 6194
    assert list(table.columns) == MBA_COLUMNS + ["admission"]
    # Blank admission is Deny: 900 Admit, 5194 Deny, 100 Waitlist, encoded in config order.
    assert table["admission"].value_counts().sort_index().tolist() == [900, 5194, 100]
    assert table["international"].isin([0, 1]).all() and table["gender"].isin([0, 1]).all()
    binary, _ = prepare(SHARED_DATA / "MBA.csv", "mba_binary")
    assert list(binary.columns) == MBA_COLUMNS + ["is_admitted"]
    assert binary["is_admitted"].sum() == 900


def test_real_insurance_gives_the_tutorials_columns_and_rows():
    table, ds = prepare(SHARED_DATA / "insurance.csv", "insurance")
    assert len(table) == 1338
    assert list(table.columns) == INSURANCE_COLUMNS + ["charges"]
    train, test = data.split(table, ds)
    assert (len(train), len(test)) == (1003, 335)
    # Scaled with the training split's statistics.
    assert abs(train["age"].mean()) < 1e-9 and abs(train["age"].std(ddof=0) - 1) < 1e-9
    assert abs(test["age"].mean()) > 1e-6


def test_split_is_the_tutorials():
    from sklearn.model_selection import train_test_split

    table, ds = prepare(SHARED_DATA / "MBA.csv", "mba")
    train, test = data.split(table, ds)
    X = table.drop(columns="admission")
    _, X_test = train_test_split(X, test_size=0.25, random_state=42)
    assert list(test.index) == list(X_test.index)


def test_stratified_split_keeps_class_shares():
    table, ds = prepare(SHARED_DATA / "MBA.csv", "mba")
    ds = {**ds, "split": {"test_size": 0.25, "random_state": 1, "stratify": True}}
    train, test = data.split(table, ds)
    assert abs(test["admission"].mean() - train["admission"].mean()) < 0.01


def test_a_new_csv_by_config_only(tmp_path):
    """A CSV the project has never seen: new target, mixed columns, regression — config only."""
    csv = tmp_path / "houses.csv"
    rows = ["id,rooms,garden,city,price"]
    for i in range(120):
        rows.append(f"{i},{1 + i % 5},{'yes' if i % 3 else 'no'},{['Oslo', 'Bergen', 'Tromsø'][i % 3]},"
                    f"{100 + 30 * (1 + i % 5) + (20 if i % 3 else 0) + (i % 7)}")
    csv.write_text("\n".join(rows) + "\n")
    cfg = {
        "run": "houses",
        "sources": {"houses": {"path": str(csv)}},
        "datasets": {"houses": {
            "source": "houses", "task": "regression", "target": {"column": "price"},
            "preprocess": {"drop": ["id"], "binary": {"garden": {"no": 0, "yes": 1}},
                           "one_hot": {"city": {"drop": "Oslo"}}, "scale": ["rooms"]},
            "models": {"ols": {"type": "linear"}, "forest": {"type": "random_forest",
                                                            "params": {"n_estimators": 10, "random_state": 0}}},
        }},
    }
    before = csv.read_bytes()
    snakemake(tmp_path, "results/houses/metrics.parquet", config=cfg)
    metrics = pd.read_parquet(tmp_path / "results/houses/metrics.parquet")
    r2 = metrics.query("model == 'ols' and metric == 'r2'")["value"].item()
    assert r2 > 0.95
    test = pd.read_parquet(tmp_path / "results/houses/data/houses/test.parquet")
    assert list(test.columns) == ["rooms", "garden", "city_Bergen", "city_Tromsø", "price"]
    assert csv.read_bytes() == before


# ---------------------------------------------------------------- bad input, one message each

MBA_HEADER = "application_id,gender,international,gpa,major,race,gmat,work_exp,work_industry,admission"
GOOD_ROW = "1,Female,TRUE,3.3,Humanities,,620,3,Other,Admit"  # holds every reference level


def mba_csv(tmp_path, *rows, header=MBA_HEADER):
    path = tmp_path / "mba.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def mba_ds():
    return copy.deepcopy(load_config()["datasets"]["mba"])


@pytest.mark.parametrize(
    "header, rows, expected",
    [
        (MBA_HEADER, [GOOD_ROW, "2,Male,FALSE,abc,STEM,Black,650,4,Other,"],
         r"mba\.csv: column 'gpa' has text 'abc' at line 3 \(expected a number"),
        (MBA_HEADER, [GOOD_ROW, "2,Male,FALSE,3.1,STEM,Black,650,4,Other,Maybe"],
         r"mba\.csv: column 'admission' \(target\) has label\(s\) 'Maybe' \(expected one of 'Admit', 'Deny', 'Waitlist'"),
        (MBA_HEADER, [GOOD_ROW, "2,Other,FALSE,3.1,STEM,Black,650,4,Other,Admit"],
         r"mba\.csv: column 'gender' has value 'Other' at line 3 \(expected one of 'Male', 'Female'\)"),
        (MBA_HEADER, ["1,Female,TRUE,3.3,Humanities,,,3,Other,Admit", "2,Male,FALSE,3.1,STEM,Black,,4,Other,"],
         r"mba\.csv: column 'gmat' is empty in every row"),
        (MBA_HEADER.replace("major", "majors"), [GOOD_ROW, "2,Male,FALSE,3.1,STEM,Black,650,4,Retail,"],
         r"mba\.csv: missing column\(s\) 'major'"),
        (MBA_HEADER.replace("race", "gpa"), [GOOD_ROW, "2,Male,FALSE,3.1,STEM,Black,650,4,Retail,"],
         r"mba\.csv: duplicate column name\(s\) 'gpa'"),
        (MBA_HEADER, [],
         r"mba\.csv: has a header but no data rows"),
        (MBA_HEADER, [GOOD_ROW, "2,Male,FALSE,3.1,STEM,Black,600,,Other,"],
         r"mba\.csv: column 'work_exp' has 1 empty value\(s\), first at line 3 \(expected a number"),
    ],
    ids=["text-in-number", "unknown-label", "binary-label", "all-empty", "missing-column", "duplicate",
         "no-rows", "missing-number"],
)
def test_bad_csv_is_stopped_with_one_clear_message(tmp_path, header, rows, expected):
    path = mba_csv(tmp_path, *rows, header=header)
    before = path.read_bytes()
    with pytest.raises(InputError, match=expected):
        data.prepare(data.read_raw(path), mba_ds(), path)
    assert path.read_bytes() == before


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError, match=r"nope\.csv: file not found"):
        data.read_raw(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match=r"empty\.csv: file is empty"):
        data.read_raw(tmp_path / "empty.csv")


def test_missing_reference_level(tmp_path):
    path = mba_csv(tmp_path, GOOD_ROW.replace(",Other,", ",Technology,"), "2,Male,FALSE,3.1,STEM,Black,650,4,Retail,")
    with pytest.raises(InputError, match=r"column 'work_industry' has no level 'Other' to drop"):
        data.prepare(data.read_raw(path), mba_ds(), path)


def test_bad_cell_stops_the_workflow_before_training(tmp_path):
    """Through Snakemake: the one-line message reaches the terminal, nothing downstream runs,
    nothing is half-written and the raw file is untouched."""
    ins = (SHARED_DATA / "insurance.csv").read_text().splitlines()
    ins[5] = ins[5].replace(ins[5].split(",")[2], "heavy", 1)
    bad = tmp_path / "insurance.csv"
    bad.write_text("\n".join(ins) + "\n")
    digest = hashlib.sha256(bad.read_bytes()).hexdigest()
    cfg = small_config("bad")
    cfg["sources"]["insurance"] = {"path": str(bad)}
    proc = snakemake(tmp_path, "results/bad/metrics/insurance/linear.parquet", config=cfg, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"mlviz: {bad}: column 'bmi' has text 'heavy' at line 6 (expected a number" in out, out[-3000:]
    assert not (tmp_path / "results/bad/data/insurance").exists() or not any(
        (tmp_path / "results/bad/data/insurance").iterdir())
    assert not (tmp_path / "results/bad/models").exists()
    assert hashlib.sha256(bad.read_bytes()).hexdigest() == digest
