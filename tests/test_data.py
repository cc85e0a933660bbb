"""Preprocessing: the tutorial's recipes on the real files, any CSV by config (or by inference), bad
input stopped at the door with one line naming the file, column or key — whether the config's
resolution at parse time (mlviz.config.settings) or rule preprocess (mlviz.compute.data) finds it."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import (SHARED_DATA, input_error, load_config, preprocess_in_process, real_data_config,
                      resolve_error, small_config, snakemake)

MBA_COLUMNS = ["gender", "international", "gpa", "gmat", "work_exp", "major = Business", "major = STEM",
               "race = Asian", "race = Black", "race = Hispanic", "race = Other", "race = White",
               "work_industry = CPG", "work_industry = Consulting", "work_industry = Energy",
               "work_industry = Financial Services", "work_industry = Health Care",
               "work_industry = Investment Banking", "work_industry = Investment Management",
               "work_industry = Media/Entertainment", "work_industry = Nonprofit/Gov", "work_industry = PE/VC",
               "work_industry = Real Estate", "work_industry = Retail", "work_industry = Technology"]
INSURANCE_COLUMNS = ["age", "sex", "bmi", "children", "smoker", "region = northwest", "region = southeast",
                     "region = southwest"]


def unshared(cfg: dict) -> dict:
    """The config without YAML anchors' sharing, so that one dataset can be edited alone."""
    return json.loads(json.dumps(cfg))


def both(prepared) -> pd.DataFrame:
    return pd.concat([prepared.train, prepared.test]).sort_index()


def test_real_mba_gives_the_tutorials_columns_and_rows():
    mba = preprocess_in_process(real_data_config(), "mba")
    table = both(mba)
    assert len(table) == 6194 and list(table.index) == list(range(6194))
    assert list(table.columns) == MBA_COLUMNS + ["admission"]
    # Blank admission is Deny: 900 Admit, 5194 Deny, 100 Waitlist, encoded in config order.
    assert table["admission"].value_counts().sort_index().tolist() == [900, 5194, 100]
    assert table["international"].isin([0, 1]).all() and table["gender"].isin([0, 1]).all()
    assert mba.meta["features"] == MBA_COLUMNS and mba.meta["classes"] == ["Admit", "Deny", "Waitlist"]
    assert mba.meta["dropped"] == {"application_id": {"reason": "listed"}}
    binary = both(preprocess_in_process(real_data_config(), "mba_binary"))
    assert list(binary.columns) == MBA_COLUMNS + ["is_admitted"]
    assert binary["is_admitted"].sum() == 900


def test_real_insurance_gives_the_tutorials_columns_and_rows():
    ins = preprocess_in_process(real_data_config(), "insurance")
    train, test = ins.train, ins.test
    assert (len(train), len(test)) == (1003, 335)
    assert list(train.columns) == INSURANCE_COLUMNS + ["charges"]
    # Every feature in the file's own units; the linear model's scaling statistics (train split) recorded.
    raw = pd.read_csv(SHARED_DATA / "insurance.csv")
    for split in (train, test):
        np.testing.assert_array_equal(split[["age", "bmi", "children"]], raw.loc[split.index, ["age", "bmi", "children"]])
    s = ins.meta["scale"]["age"]
    assert s == {"mean": pytest.approx(raw.loc[train.index, "age"].mean()),
                 "std": pytest.approx(raw.loc[train.index, "age"].std(ddof=0))}
    info = ins.meta["feature_info"]
    assert info["sex"] == {"column": "sex", "kind": "binary", "levels": ["male", "female"], "filled": None}
    assert info["age"]["kind"] == "integer" and info["bmi"]["kind"] == "number"
    assert info["region = southeast"] == {"column": "region", "kind": "level", "level": "southeast",
                                          "reference": "northeast", "filled": None}


def test_split_is_the_tutorials():
    from sklearn.model_selection import train_test_split

    mba = preprocess_in_process(real_data_config(), "mba")
    _, test_rows = train_test_split(np.arange(6194), test_size=0.25, random_state=42)
    assert list(mba.test.index) == list(test_rows)


def test_stratified_split_keeps_class_shares():
    cfg = unshared(real_data_config())
    cfg["datasets"]["mba"]["split"] = {"test_size": 0.25, "random_state": 1, "stratify": True}
    mba = preprocess_in_process(cfg, "mba")
    assert abs(mba.test["admission"].mean() - mba.train["admission"].mean()) < 0.01


def houses_csv(tmp_path):
    csv = tmp_path / "houses.csv"
    rows = ["id,rooms,garden,city,price"]
    for i in range(120):
        rows.append(f"{i},{1 + i % 5},{'yes' if i % 3 else 'no'},{['Oslo', 'Bergen', 'Tromsø'][i % 3]},"
                    f"{100 + 30 * (1 + i % 5) + (20 if i % 3 else 0) + (i % 7)}")
    csv.write_text("\n".join(rows) + "\n")
    return csv


@pytest.mark.slow  # the whole workflow on a new CSV
def test_a_new_csv_by_config_only(tmp_path):
    """A CSV the project has never seen: new target, mixed columns, regression — config only."""
    csv = houses_csv(tmp_path)
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
    assert list(test.columns) == ["rooms", "garden", "city = Bergen", "city = Tromsø", "price"]
    assert csv.read_bytes() == before


def test_a_new_csv_with_everything_inferred(tmp_path):
    """Only the file and the target column: the ID is dropped, the two-level column becomes 0/1, the
    city is one-hot encoded (reference: the most frequent level, ties by name), numbers are scaled."""
    csv = houses_csv(tmp_path)
    prepared = preprocess_in_process({"run": "h", "datasets": {"houses": {"source": str(csv),
                                                                          "target": {"column": "price"}}}}, "houses")
    ds = prepared.ds
    assert ds["task"] == "regression"
    assert ds["preprocess"]["drop"] == ["id"]
    assert ds["preprocess"]["binary"] == {"garden": {"no": 0, "yes": 1}}
    assert ds["preprocess"]["one_hot"] == {"city": {"drop": "Bergen", "min_frequency": 0.01, "max_levels": 30}}
    assert ds["preprocess"]["scale"] == ["rooms"]
    assert list(prepared.test.columns) == ["rooms", "garden", "city = Oslo", "city = Tromsø", "price"]
    assert prepared.meta["dropped"] == {"id": {"reason": "identifier", "numeric": True}}
    # A level's coefficient compares it with Bergen, the level left without a column.
    assert prepared.meta["levels"] == {"city = Oslo": {"column": "city", "reference": "Bergen"},
                                       "city = Tromsø": {"column": "city", "reference": "Bergen"}}


def test_date_columns_are_called_dates_and_kept_when_they_are_few(tmp_path):
    """A date in every row is not an identifier; a date repeated across many rows is not free text;
    a handful of dates (model years, survey waves) stays a category."""
    import datetime as dt

    csv = houses_csv(tmp_path)
    df = pd.read_csv(csv)
    day = lambda i: (dt.date(2020, 1, 1) + dt.timedelta(days=int(i))).isoformat()  # noqa: E731
    df["listed"] = [day(i) for i in range(len(df))]
    df["sold"] = [day(i // 2) + " 10:30" for i in range(len(df))]
    df["wave"] = [f"{2018 + i % 3}-06-01" for i in range(len(df))]
    df["remark"] = ["fine" if i % 2 else "good" for i in range(len(df))]
    df["year"] = range(1900, 1900 + len(df))  # counts up like a row number, but is a time: kept
    df.to_csv(csv, index=False)
    prepared = preprocess_in_process({"run": "h", "datasets": {"houses": {"source": str(csv),
                                                                          "target": {"column": "price"}}}}, "houses")
    dropped = prepared.meta["dropped"]
    assert dropped["listed"] == {"reason": "dates", "distinct": 120, "present": 120}
    assert dropped["sold"] == {"reason": "dates", "distinct": 60, "present": 120}
    # the article's words for them (report/blocks/_words.md)
    from mlviz.article.facts import dropped_facts
    from mlviz.article import blocks

    said = {c: re.sub(r"\[([^\]]*)\]\{\.fact[^}]*\}", r"\1", blocks.dropped(dropped_facts("meta.json", c, dropped[c])))
            for c in ("listed", "sold", "id")}
    assert said == {"listed": "dates: a different one in every row, too many to use each date as a level",
                    "sold": "dates: 60 different dates in 120 rows, too many to use each date as a level",
                    "id": "an identifier: a different whole number in every row"}
    assert "wave" not in dropped and prepared.ds["preprocess"]["one_hot"]["wave"]["drop"] == "2018-06-01"
    assert "remark" not in dropped
    assert dropped["id"] == {"reason": "identifier", "numeric": True}
    assert "year" not in dropped and "year" in prepared.ds["preprocess"]["scale"]


def test_semicolons_and_latin1_are_detected(tmp_path):
    """The same table written the way a European spreadsheet saves it reads to the same split."""
    csv = houses_csv(tmp_path)
    other = tmp_path / "houses_semicolon.csv"
    other.write_bytes(csv.read_text().replace(",", ";").encode("latin-1"))
    cfg = lambda path: {"run": "h", "datasets": {"houses": {"source": str(path), "target": {"column": "price"}}}}  # noqa: E731
    a, b = preprocess_in_process(cfg(csv), "houses"), preprocess_in_process(cfg(other), "houses")
    assert b.resolved["sources"]["houses"]["sep"] == ";" and b.resolved["sources"]["houses"]["encoding"] == "cp1252"
    pd.testing.assert_frame_equal(a.train, b.train)
    pd.testing.assert_frame_equal(a.test, b.test)


# ---------------------------------------------------------------- bad input, one message each

MBA_HEADER = "application_id,gender,international,gpa,major,race,gmat,work_exp,work_industry,admission"
N_GOOD = 24
BAD_LINE = N_GOOD + 2  # the bad row comes after the header and the good rows


def good_rows(n: int = N_GOOD, admission=("Admit", "", "Waitlist", "")) -> list[str]:
    """Rows that hold every reference level (Humanities, blank race, Other) and several classes."""
    majors, races, industries = ["Humanities", "STEM", "Business"], ["", "Asian", "White", "Black"], \
        ["Other", "Technology", "Consulting"]
    return [f"{i},{'Female' if i % 2 else 'Male'},{'TRUE' if i % 5 == 0 else 'FALSE'},{3.0 + (i % 10) / 10:.1f},"
            f"{majors[i % 3]},{races[i % 4]},{600 + 10 * (i % 8)},{1 + i % 6},{industries[i % 3]},"
            f"{admission[i % len(admission)]}" for i in range(1, n + 1)]


BAD_ROW = "99,Male,FALSE,3.1,STEM,Black,650,4,Other,"


def mba_csv(tmp_path, rows, header=MBA_HEADER):
    path = tmp_path / "mba.csv"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


def mba_config(path, **source) -> dict:
    """The demo config's mba dataset, reading `path` (a source object when read options are given)."""
    ds = unshared(load_config())["datasets"]["mba"]
    ds["source"] = {"path": str(path), **source} if source else str(path)
    return {"run": "bad", "datasets": {"mba": ds}}


@pytest.mark.parametrize(
    "header, rows, expected",
    [
        (MBA_HEADER, good_rows() + [BAD_ROW.replace("3.1", "abc")],
         rf"mba\.csv: column 'gpa' holds numbers except for text such as 'abc' at line {BAD_LINE} \(expected a "
         r"number; add the text to the source's na_values if it means missing"),
        (MBA_HEADER, good_rows() + [BAD_ROW[:-1] + ",Maybe"],
         r"mba\.csv: column 'admission' \(target\) has label\(s\) 'Maybe' \(expected one of 'Admit', 'Deny', 'Waitlist'"),
        (MBA_HEADER, good_rows(admission=("Admit",)),
         rf"mba\.csv: column 'admission' \(target\) has a single class \('Admit'\) in {N_GOOD} rows \(expected at "
         "least two classes"),
        (MBA_HEADER, good_rows(admission=("Admit", "")) + good_rows(1, admission=("Waitlist",)),
         r"mba\.csv: column 'admission' \(target\): class\(es\) 'Waitlist' \(1 row\) cannot be in both the train "
         r"and the test split \(expected at least 2 rows per class; merge rare classes with config key "
         r"datasets\.mba\.target\.map"),
        (MBA_HEADER, good_rows() + [BAD_ROW.replace("Male", "Other")],
         rf"mba\.csv: column 'gender' has value 'Other' at line {BAD_LINE} \(expected one of 'Male', 'Female'\)"),
        (MBA_HEADER, [",".join(r.split(",")[:6] + [""] + r.split(",")[7:]) for r in good_rows()],
         r"mba\.csv: column 'gmat' is empty in every row \(expected values; drop it under datasets\.mba\.preprocess\.drop\)"),
        (MBA_HEADER.replace("major", "majors"), good_rows(),
         r"mba\.csv: no column 'major' \(named by config key datasets\.mba\.preprocess\.one_hot; the file has: "),
        (MBA_HEADER.replace("race", "gpa"), good_rows(),
         r"mba\.csv: duplicate column name\(s\) 'gpa'"),
        (MBA_HEADER, [],
         r"mba\.csv: has a header but no data rows"),
        (MBA_HEADER, [r.replace(",Other,", ",Technology,") for r in good_rows()],
         r"mba\.csv: column 'work_industry' has no level 'Other' to drop as reference"),
    ],
    ids=["text-in-number", "unknown-label", "one-class", "one-row-class", "binary-label", "all-empty", "missing-column",
         "duplicate", "no-rows", "missing-reference-level"],
)
def test_bad_csv_is_stopped_with_one_clear_message(tmp_path, header, rows, expected):
    path = mba_csv(tmp_path, rows, header=header)
    before = path.read_bytes()
    message = input_error(mba_config(path), "mba")
    assert re.search(expected, message), message
    assert path.read_bytes() == before


@pytest.mark.parametrize("source, expected", [
    ({"sep": ","}, r"mba\.csv: read with sep ',' the header is one column .*; it looks semicolon-separated: "
                   r"set sep: ';' for this source \(or sep: auto\)"),
    ({"encoding": "utf-8", "sep": ";"}, r"mba\.csv: not readable as utf-8 \(byte 0xe9 on line \d+\); set the "
                                        r"source's encoding"),
    ({"encoding": "klingon"}, r"mba\.csv: unknown encoding 'klingon'"),
])
def test_wrong_read_options_are_named(tmp_path, source, expected):
    rows = [r.replace("Consulting", "Conseil général é") for r in good_rows()]
    path = tmp_path / "mba.csv"
    path.write_bytes("\n".join([MBA_HEADER, *rows]).replace(",", ";").encode("latin-1") + b"\n")
    assert re.search(expected, input_error(mba_config(path, **source), "mba"))


def test_a_missing_number_is_filled_with_the_training_median(tmp_path):
    """No fill configured for work_exp: a blank gets the median of the training split (recorded)."""
    path = mba_csv(tmp_path, good_rows() + [BAD_ROW.replace(",4,", ",,")])
    prepared = preprocess_in_process(mba_config(path), "mba")
    table = both(prepared)
    fill = prepared.meta["fills"]["work_exp"]
    assert fill["rule"] == "median"
    assert fill["value"] == pd.read_csv(path).loc[prepared.train.index, "work_exp"].median()
    assert table.loc[N_GOOD, "work_exp"] == fill["value"]  # the bad row is data row N_GOOD


def test_missing_and_empty_files(tmp_path):
    cfg = mba_config(tmp_path / "nope.csv")
    assert resolve_error(cfg).startswith(f"{tmp_path / 'nope.csv'}: file not found")
    (tmp_path / "empty.csv").write_text("")
    assert resolve_error(mba_config(tmp_path / "empty.csv")).startswith(f"{tmp_path / 'empty.csv'}: file is empty")


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_on_a_spoilt_copy(tmp_path, source: str, line: int, spoil, target: str):
    """The real file of a source with one line spoilt, run to `target` through Snakemake, which must
    fail: (the copy, its sha256 before the run, the finished process)."""
    name = {"mba": "MBA.csv", "insurance": "insurance.csv"}[source]
    lines = (SHARED_DATA / name).read_text().splitlines()
    lines[line] = spoil(lines[line])
    bad = tmp_path / name
    bad.write_text("\n".join(lines) + "\n")
    digest = _sha(bad)
    cfg = small_config("bad")
    cfg["sources"][source] = {"path": str(bad)}
    proc = snakemake(tmp_path, target, config=cfg, check=False)
    assert proc.returncode != 0
    return bad, digest, proc


def test_bad_cell_stops_the_workflow_before_training(tmp_path):
    """Through Snakemake, a stray text in a number column: the one-line message reaches the terminal
    at parse time, no job runs, nothing is written and the raw file is untouched."""
    bad, digest, proc = _run_on_a_spoilt_copy(tmp_path, "insurance", 5, lambda line: line.replace(
        line.split(",")[2], "heavy", 1), "results/bad/metrics/insurance/linear.parquet")
    out = proc.stdout + proc.stderr
    assert f"mlviz: {bad}: column 'bmi' holds numbers except for text such as 'heavy' at line 6 (expected a " \
           "number" in out, out[-3000:]
    assert not (tmp_path / "results").exists()
    assert _sha(bad) == digest


def test_bad_label_stops_the_workflow_in_preprocess_before_training(tmp_path):
    """A label outside a binary mapping is found by rule preprocess: its one line reaches the terminal,
    nothing downstream runs, nothing is half-written and the raw file is untouched."""
    bad, digest, proc = _run_on_a_spoilt_copy(tmp_path, "mba", 4, lambda line: line.replace(
        ",Male,", ",Other,").replace(",Female,", ",Other,"), "results/bad/metrics/mba/decision_tree.parquet")
    out = proc.stdout + proc.stderr
    assert f"mlviz: {bad}: column 'gender' has value 'Other' at line 5 (expected one of 'Male', 'Female')" in out, \
        out[-3000:]
    data = tmp_path / "results/bad/data/mba"
    assert not data.exists() or not any(data.iterdir())
    assert not (tmp_path / "results/bad/models").exists()
    assert _sha(bad) == digest


def test_a_class_the_split_leaves_out_stops_preprocessing():
    """Two rows of a class, both drawn into the train split: stopped before any model is trained,
    naming the class and its rows."""
    from mlviz.compute.data import _check_classes_in_splits
    from mlviz.errors import InputError

    y = pd.Series([0, 0, 0, 1, 1, 2, 2, 0], index=range(8))
    ds = {"target": {"column": "kind", "classes": ["a", "b", "c"]}}
    _check_classes_in_splits(y, [0, 1, 3, 5, 7], [2, 4, 6], ds, "k.csv")  # every class in both: fine
    with pytest.raises(InputError, match=r"^k\.csv: column 'kind' \(target\): the test split has no row of "
                                         r"class\(es\) 'c': 2 row\(s\) in all; every class needs rows in both splits"):
        _check_classes_in_splits(y, [0, 1, 3, 5, 6], [2, 4, 7], ds, "k.csv")
    with pytest.raises(InputError, match="the train split has no row of class"):
        _check_classes_in_splits(y, [0, 1, 2, 3, 4], [5, 6, 7], ds, "k.csv")


# ---------------------------------------------------------------- input as its owner wrote it

def _houses(tmp_path, csv, **source):
    src = {"path": str(csv), **source} if source else str(csv)
    return preprocess_in_process({"run": "h", "datasets": {"houses": {"source": src, "target": {"column": "price"}}}},
                                 "houses")


@pytest.mark.parametrize("encoding, name", [("utf-16", "utf-16"), ("utf-32", "utf-32"), ("utf-16-le", "utf-16-le")])
def test_utf16_and_utf32_files_read_as_utf8(tmp_path, encoding, name):
    """With a byte-order mark (or, for UTF-16, without one but with every other byte NUL): the same split."""
    csv = houses_csv(tmp_path)
    other = tmp_path / f"houses_{name}.csv"
    other.write_bytes(csv.read_text().encode(encoding))
    a, b = _houses(tmp_path, csv), _houses(tmp_path, other)
    assert b.resolved["sources"]["houses"]["encoding"] == name
    pd.testing.assert_frame_equal(a.train, b.train)


def test_nul_bytes_are_refused_in_one_line_naming_the_encoding(tmp_path):
    csv = houses_csv(tmp_path)
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(csv.read_text().replace("ø", "o").encode("utf-16-le"))  # ASCII: decodes as UTF-8
    cfg = {"run": "h", "datasets": {"houses": {"source": {"path": str(utf16), "encoding": "utf-8"},
                                              "target": {"column": "price"}}}}
    assert re.search(r"utf16\.csv: read as utf-8, the text holds NUL characters .*set the source's encoding "
                     r"\(for example encoding: utf-16\)", resolve_error(cfg))
    utf16.write_bytes(csv.read_text().encode("utf-16-le"))  # "ø" is no UTF-8
    assert "it holds NUL bytes, as UTF-16 and UTF-32 text does: set the source's encoding" in resolve_error(cfg)
    utf16.write_bytes(csv.read_text().encode("utf-16"))  # with its byte-order mark
    assert re.search(r"utf16\.csv: not readable as utf-8 \(byte 0x\w\w on line 1\); the file begins with a utf-16 "
                     r"byte-order mark: set the source's encoding: utf-16 or leave it to auto", resolve_error(cfg))
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"a,b\n1,\x00\x00\x012\n")
    assert re.search(r"binary\.csv: holds NUL bytes, which no CSV text has", resolve_error(
        {"run": "h", "datasets": {"houses": {"source": str(binary), "target": {"column": "b"}}}}))


def test_line_numbers_are_the_files_own_with_blank_lines_and_quoted_breaks(tmp_path):
    """A bad cell is named by the line a reader finds it on, in either stage that finds it."""
    lines = [MBA_HEADER, *good_rows()]
    lines[3] = lines[3].replace(",STEM,", ',"STEM\nwith a break",').replace(",Business,", ',"Business\nbroken",')
    lines.insert(5, "")  # a blank line after the first rows
    path = tmp_path / "mba.csv"
    bad = BAD_ROW.replace("Male", "Other")
    path.write_text("\n".join(lines + [bad]) + "\n")
    text = path.read_text().splitlines()
    expected = text.index(bad) + 1
    assert expected != N_GOOD + 2  # the file's line is not the row number plus two
    assert input_error(mba_config(path), "mba") == (f"{path}: column 'gender' has value 'Other' at line {expected} "
                                                    "(expected one of 'Male', 'Female')")
    path.write_text("\n".join(lines + [BAD_ROW.replace("3.1", "abc")]) + "\n")
    assert f"such as 'abc' at line {expected} " in input_error(mba_config(path), "mba")


def test_an_identifier_named_as_target_is_refused_counted_on_the_whole_column(tmp_path):
    rows = ["name,age,survived"] + [f"Passenger {i:04d},{20 + i % 50},{i % 2}" for i in range(1309)]
    path = tmp_path / "titanic.csv"
    path.write_text("\n".join(rows) + "\n")
    cfg = {"run": "t", "datasets": {"t": {"source": str(path), "target": {"column": "name"}}}}
    assert resolve_error(cfg) == (f"{path}: column 'name' (target) is an identifier: a different value in each of its "
                                  "1,309 rows, nothing to learn (expected a label or a quantity shared by several "
                                  "rows; set datasets.t.target.column to the column to predict)")
    # Too many classes of text: advice that works on text (not task: regression), counted on every row.
    rows = ["code,age"] + [f"c{i % 250},{i}" for i in range(1000)]
    path.write_text("\n".join(rows) + "\n")
    cfg["datasets"]["t"]["target"]["column"] = "code"
    message = resolve_error(cfg)
    assert "has 250 distinct values, too many classes" in message and "target.map" in message
    assert "regression" not in message


def _euro_csv(tmp_path, weight_cells, turnover_cells) -> Path:
    rows = ["weight;turnover;region;profit"]
    for i, (w, t) in enumerate(zip(weight_cells, turnover_cells)):
        rows.append(f"{w};{t};{'Nord' if i % 2 else 'Süd'};{i % 7},{i % 10}")
    path = tmp_path / "euro.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_decimal_commas_and_thousands_dots_are_read_as_their_owner_meant(tmp_path):
    n = 60
    weights = [f"{50 + i},{i % 100:02d}" for i in range(n)]
    turnover = [f"{1 + i % 9}.{(i * 37) % 1000:03d}" for i in range(n)]
    prepared = _houses_like(_euro_csv(tmp_path, weights, turnover))
    src = prepared.resolved["sources"]["euro"]
    assert (src["decimal"], src["thousands"]) == (",", ".")
    both_ = both(prepared).sort_index()
    np.testing.assert_array_equal(both_["weight"], [float(w.replace(",", ".")) for w in weights])
    np.testing.assert_array_equal(both_["turnover"], [float(t.replace(".", "")) for t in turnover])


def _houses_like(path, **source):
    src = {"path": str(path), **source} if source else str(path)
    return preprocess_in_process({"run": "e", "datasets": {"euro": {"source": src, "target": {"column": "profit"}}}},
                                 "euro")


def test_numbers_that_read_two_ways_are_refused_or_settled_by_config(tmp_path):
    """"2,118" with no other decimal mark in the file: 2.118 or 2118? Refused, naming the keys."""
    path = tmp_path / "euro.csv"
    rows = ["weight,turnover,region,profit"] + [f'{50 + i},"{1 + i % 9},{(i * 37) % 1000:03d}",{"NS"[i % 2]},{i % 7}'
                                                for i in range(60)]
    path.write_text("\n".join(rows) + "\n")
    message = resolve_error({"run": "e", "datasets": {"euro": {"source": str(path), "target": {"column": "profit"}}}})
    assert re.fullmatch(r".*euro\.csv: column 'turnover' holds numbers such as '1,000' that read as 1\.000 with a "
                        r"decimal comma or as 1000 with a thousands comma, and no other number in the file tells "
                        r"which \(set the source's decimal: ',' or thousands: ','\)", message), message
    # Settled either way by the source's keys.
    assert both(_houses_like(path, thousands=","))["turnover"].min() == 1000
    assert both(_houses_like(path, decimal=","))["turnover"].max() < 10
    with pytest.raises(Exception, match="decimal and thousands are both"):
        _houses_like(path, decimal=",", thousands=",")
    cfg = {"run": "e", "datasets": {"euro": {"source": {"path": str(path), "decimal": ";"}, "target": {"column": "profit"}}}}
    assert "decimal" in resolve_error(cfg)
