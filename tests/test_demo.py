"""Embedded demo data: deterministic bytes, the real files' formats, calibration to the real files,
and the documented ground truth as the tutorial's models see it through the project's own code."""
from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, SHARED_DATA, load_config, preprocess_in_process

from mlviz.compute import data, models

from mlviz.sources import demo

FILES = {"mba": "MBA.csv", "insurance": "insurance.csv"}
SIZES = {"mba": 6194, "insurance": 1338}

# What every value of a column looks like in the real files (checked against them below).
NUMBER = r"\d+(\.\d*[1-9])?"  # no trailing zeros, no ".0"
PATTERNS = {
    "mba": {"application_id": r"[1-9]\d*", "gpa": r"[234](\.\d?[1-9])?", "gmat": r"[5-7][0-9]0",
            "work_exp": r"[1-9]"},
    "insurance": {"age": r"[1-6]\d", "bmi": r"\d\d(\.(\d[1-9]?|\d\d5))?", "children": r"[0-5]",
                  "charges": NUMBER},
}
TEXT = {  # text columns and their levels ("" = blank)
    "mba": {"gender": {"Male", "Female"}, "international": {"TRUE", "FALSE"},
            "major": {"Business", "Humanities", "STEM"},
            "race": {"", "Asian", "Black", "Hispanic", "Other", "White"},
            "work_industry": set(demo.MBA_INDUSTRY), "admission": {"", "Admit", "Waitlist"}},
    "insurance": {"sex": {"male", "female"}, "smoker": {"yes", "no"},
                  "region": {"northeast", "northwest", "southeast", "southwest"}},
}


def real(name: str) -> pd.DataFrame:
    path = SHARED_DATA / FILES[name]
    if not path.is_file():
        pytest.skip(f"real data not found: {path} (calibration is checked against it)")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype(str).fillna("")


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory):
    """The demo run's files: default rows, seed 42 (what config/config.yaml generates)."""
    folder = tmp_path_factory.mktemp("demo")
    paths = {}
    for name in FILES:
        paths[name] = folder / f"{name}.csv"
        demo.write_csv(demo.generate(name, None, 42), paths[name])
    return paths


@pytest.fixture(scope="session")
def demo_text(demo_files):
    return {name: pd.read_csv(p, dtype=str, keep_default_na=False) for name, p in demo_files.items()}


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---- Determinism ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name", FILES)
def test_same_seed_gives_identical_bytes_and_another_seed_other_data(name, demo_files, tmp_path, monkeypatch):
    again = tmp_path / "again.csv"
    demo.write_csv(demo.generate(name, None, 42), again)
    assert sha(again) == sha(demo_files[name])
    # Chunked writing does not change a byte.
    monkeypatch.setattr(demo, "CHUNK_ROWS", 97)
    small_chunks = tmp_path / "chunks.csv"
    demo.write_csv(demo.generate(name, None, 42), small_chunks)
    assert sha(small_chunks) == sha(demo_files[name])
    other = demo.generate(name, None, 43)
    assert not other.equals(demo.generate(name, None, 42))
    demo.write_csv(other, tmp_path / "other.csv")
    assert sha(tmp_path / "other.csv") != sha(demo_files[name])


def test_rows_default_to_the_real_sizes_and_can_be_set():
    for name, n in SIZES.items():
        assert len(demo.generate(name, None, 1)) == n
        assert len(demo.generate(name, 250, 1)) == 250
    with pytest.raises(ValueError, match="unknown demo data set 'cars'"):
        demo.generate("cars", None, 1)


# ---- Columns and formats --------------------------------------------------------------------------

@pytest.mark.parametrize("name", FILES)
def test_header_line_ends_and_last_line_match_the_real_file(name, demo_files):
    ours = demo_files[name].read_bytes()
    assert ours.count(b"\n") == SIZES[name]  # header + rows, no newline after the last row
    assert not ours.endswith(b"\n")
    path = SHARED_DATA / FILES[name]
    if not path.is_file():
        pytest.skip(f"real data not found: {path}")
    theirs = path.read_bytes()
    assert ours.splitlines()[0] == theirs.splitlines()[0]
    crlf = theirs.count(b"\r\n")
    assert (crlf > 0) == (ours.count(b"\r\n") > 0) and ours.count(b"\r\n") in (0, SIZES[name])
    assert theirs.endswith(b"\n") == ours.endswith(b"\n")


@pytest.mark.parametrize("name", FILES)
def test_values_are_written_like_the_real_file(name, demo_text):
    ours = demo_text[name]
    theirs = real(name)
    assert list(ours.columns) == list(theirs.columns)
    for col, pattern in PATTERNS[name].items():
        for who, table in (("real", theirs), ("demo", ours)):
            bad = table[col][~table[col].str.fullmatch(pattern)]
            assert bad.empty, f"{who} {col}: {bad.iloc[0]!r} does not match {pattern}"
    for col, levels in TEXT[name].items():
        assert set(theirs[col]) == levels, f"the real file's {col} levels changed"
        assert set(ours[col]) == levels, col
    # Same share of each number of decimals (the real files mix precisions).
    for col in {"mba": ["gpa"], "insurance": ["bmi", "charges"]}[name]:
        def decimals(s):
            return s.str.partition(".")[2].str.len().value_counts(normalize=True)
        share = pd.concat([decimals(ours[col]), decimals(theirs[col])], axis=1).fillna(0)
        assert (share.iloc[:, 0] - share.iloc[:, 1]).abs().max() < 0.05, (col, share)  # 3.5 sd at 1338 rows


def test_mba_race_is_blank_exactly_for_international_applicants(demo_text):
    mba = demo_text["mba"]
    assert ((mba["race"] == "") == (mba["international"] == "TRUE")).all()
    assert (mba["race"] == "").any()
    frame = demo.generate("mba", 1000, 5)
    assert (frame["race"].isna() == (frame["international"] == "TRUE")).all()


def demo_config(demo_files) -> dict:
    """config/config.yaml reading the demo files written by the generator (what rule demo_data writes)."""
    cfg = load_config()
    cfg["sources"] = {name: {"path": str(path)} for name, path in demo_files.items()}
    return cfg


def test_the_configs_preprocessing_runs_unchanged_on_demo_data(demo_files):
    cfg = demo_config(demo_files)
    for name, ds in cfg["datasets"].items():
        prepared = preprocess_in_process(cfg, name)
        table = pd.concat([prepared.train, prepared.test])
        assert len(table) == SIZES[ds["source"]]
        # Reference levels dropped: Humanities, Unknown (blank race) and Other; first region.
        if ds["source"] == "mba":
            assert {"major = STEM", "race = White", "work_industry = PE/VC"} <= set(table.columns)
            assert not {"major = Humanities", "race = Unknown", "work_industry = Other"} & set(table.columns)
        else:
            assert "region = northeast" not in table.columns and "region = southwest" in table.columns


# ---- Calibration to the real files ----------------------------------------------------------------

def numbers(table: pd.DataFrame, cols) -> pd.DataFrame:
    return table[cols].apply(pd.to_numeric)


@pytest.mark.parametrize("name, col, mean_rel, std_rel", [
    ("mba", "gpa", 0.01, 0.05), ("mba", "gmat", 0.01, 0.05), ("mba", "work_exp", 0.02, 0.05),
    ("insurance", "age", 0.03, 0.05), ("insurance", "bmi", 0.02, 0.05),
    ("insurance", "children", 0.08, 0.08), ("insurance", "charges", 0.05, 0.05),
])
def test_numbers_have_the_real_files_mean_spread_and_range(name, col, mean_rel, std_rel, demo_text):
    ours, theirs = numbers(demo_text[name], [col])[col], numbers(real(name), [col])[col]
    assert ours.mean() == pytest.approx(theirs.mean(), rel=mean_rel)
    assert ours.std() == pytest.approx(theirs.std(), rel=std_rel)
    assert abs(ours.skew() - theirs.skew()) < 0.3
    if col != "charges":  # the other columns are clipped to the real file's range
        assert theirs.min() <= ours.min() and ours.max() <= theirs.max()
        assert ours.max() - ours.min() >= 0.6 * (theirs.max() - theirs.min())


def test_charges_smoker_gap_and_quantiles_match_the_real_file(demo_text):
    ours, theirs = demo_text["insurance"], real("insurance")

    def gap(t):
        c = pd.to_numeric(t["charges"])
        return c[t["smoker"] == "yes"].mean() - c[t["smoker"] == "no"].mean()
    assert gap(ours) == pytest.approx(gap(theirs), rel=0.05)
    q = [0.05, 0.25, 0.5, 0.75, 0.95]
    ours_q = pd.to_numeric(ours["charges"]).quantile(q).to_numpy()
    theirs_q = pd.to_numeric(theirs["charges"]).quantile(q).to_numpy()
    assert np.all(np.abs(ours_q / theirs_q - 1) < 0.15), (ours_q, theirs_q)


@pytest.mark.parametrize("name", FILES)
def test_level_frequencies_match_the_real_file(name, demo_text):
    ours, theirs = demo_text[name], real(name)
    # At the real size: the real file's very counts, class balance included.
    for col in [*TEXT[name], *(["children"] if name == "insurance" else [])]:
        assert ours[col].value_counts().to_dict() == theirs[col].value_counts().to_dict(), col
    # At any other size: the same shares, up to rounding.
    other = as_text(demo.generate(name, 10_000, 3))
    for col in TEXT[name]:
        a = other[col].value_counts(normalize=True)
        b = theirs[col].value_counts(normalize=True)
        assert (a.reindex(b.index, fill_value=0) - b).abs().max() < 2e-4, col
    if name == "mba":
        assert numbers(ours, ["gpa", "gmat"]).corr().iloc[0, 1] == pytest.approx(
            numbers(theirs, ["gpa", "gmat"]).corr().iloc[0, 1], abs=0.04)


# ---- The ground truth through the workflow's own code ---------------------------------------------

def fit(demo_files, dataset: str, model: str):
    """Resolve and preprocess with the dataset's entry from config/config.yaml (as the workflow does),
    then fit the tutorial model on the training split."""
    prepared = preprocess_in_process(demo_config(demo_files), dataset)
    ds, features = prepared.ds, prepared.meta["features"]
    target = data.target_name(ds)
    X_train, y_train = models.model_frame(prepared.train, features), prepared.train[target].to_numpy()
    X_test, y_test = models.model_frame(prepared.test, features), prepared.test[target].to_numpy()
    spec = ds["models"][model]
    estimator = models.build(spec["type"], ds["task"], spec["params"], models.scaled_positions(prepared.meta))
    estimator.fit(X_train, y_train)
    return estimator, X_test, y_test


def raw_column(feature: str, truth: dict) -> str:
    """The raw column a (one-hot) feature comes from."""
    for col in truth["drivers"] + truth["no_effect"]:
        if feature == col or feature.startswith(col + " = "):
            return col
    raise AssertionError(feature)


def by_column(values: pd.Series, truth: dict) -> pd.Series:
    """Per raw column: the largest value over its features (a one-hot column's best dummy)."""
    return values.groupby([raw_column(f, truth) for f in values.index]).max()


def permutation(estimator, X, y, scoring=None) -> pd.Series:
    from sklearn.inspection import permutation_importance

    result = permutation_importance(estimator, X, y, n_repeats=10, random_state=42, scoring=scoring, n_jobs=1)
    return pd.Series(result.importances_mean, X.columns)


@pytest.fixture(scope="session")
def mba_binary_forest(demo_files):
    return fit(demo_files, "mba_binary", "random_forest")


def test_binary_forest_auc_is_in_the_tutorials_range(mba_binary_forest):
    from sklearn.metrics import roc_auc_score

    estimator, X, y = mba_binary_forest
    assert 0.8 <= roc_auc_score(y, estimator.predict_proba(X)[:, 1]) <= 0.9


def test_forest_impurity_importance_ranks_the_drivers_first_in_order(mba_binary_forest):
    truth = demo.GROUND_TRUTH["mba"]
    estimator, X, _ = mba_binary_forest
    importance = pd.Series(estimator.feature_importances_, X.columns).sort_values(ascending=False)
    assert list(importance.index[:3]) == truth["drivers"]
    # Every no-effect dummy is far below the weakest driver.
    assert importance.drop(truth["drivers"]).max() < 0.5 * importance[truth["drivers"]].min()


@pytest.mark.parametrize("dataset, scoring", [("mba_binary", "roc_auc"), ("mba", None)])
def test_permutation_importance_ranks_mba_drivers_first_and_no_effect_near_zero(dataset, scoring, demo_files,
                                                                                mba_binary_forest):
    truth = demo.GROUND_TRUTH["mba"]
    estimator, X, y = mba_binary_forest if dataset == "mba_binary" else fit(demo_files, dataset, "random_forest")
    importance = by_column(permutation(estimator, X, y, scoring), truth).sort_values(ascending=False)
    assert list(importance.index[:3]) == truth["drivers"], importance
    noise = importance[truth["no_effect"]]
    assert noise.max() < 0.01 and noise.max() < 0.6 * importance[truth["drivers"]].min(), importance


def test_linear_coefficients_rank_smoker_age_bmi_first(demo_files):
    truth = demo.GROUND_TRUTH["insurance"]
    estimator, X, _ = fit(demo_files, "insurance", "linear")
    # Per standard deviation for the columns the pipeline standardises (config: age, bmi, children).
    coef = pd.Series(np.abs(models.final_step(estimator).coef_), estimator[:-1].get_feature_names_out())
    coef = coef.sort_values(ascending=False)
    assert list(coef.index[:3]) == truth["drivers"][:3]


def test_xgboost_permutation_importance_ranks_the_drivers_first(demo_files):
    truth = demo.GROUND_TRUTH["insurance"]
    estimator, X, y = fit(demo_files, "insurance", "xgboost")
    importance = by_column(permutation(estimator, X, y), truth).sort_values(ascending=False)
    assert list(importance.index[:3]) == truth["drivers"][:3], importance
    assert importance[truth["no_effect"]].abs().max() < 0.02, importance  # R² points
    # children's effect is small: above the no-effect columns but may be lost in a 335-row test split.


def test_ground_truth_holds_exactly_on_a_large_sample():
    """With many rows sampling noise vanishes: the no-effect columns carry no signal at all and
    the linear coefficients follow the documented order, children included."""
    from sklearn.linear_model import LinearRegression

    from scipy.stats import chi2_contingency

    mba = demo.generate("mba", 200_000, 7)
    outcome = mba["admission"].astype(str)
    for col in demo.GROUND_TRUTH["mba"]["no_effect"]:
        p_value = chi2_contingency(pd.crosstab(mba[col].astype(str), outcome)).pvalue
        assert p_value > 0.001, f"{col} is associated with admission (p = {p_value:.2g})"
    admitted = outcome == "Admit"
    for col in demo.GROUND_TRUTH["mba"]["drivers"]:
        assert mba.loc[admitted, col].mean() > mba.loc[~admitted, col].mean()

    ins = demo.generate("insurance", 200_000, 7)
    X = pd.get_dummies(ins.drop(columns="charges"), drop_first=True, dtype=float)
    X = (X - X.mean()) / X.std()
    coef = pd.Series(np.abs(LinearRegression().fit(X, ins["charges"]).coef_), X.columns)
    coef = by_column(coef.rename(lambda c: c.rsplit("_", 1)[0] if c.rsplit("_", 1)[0] in ins else c),
                     demo.GROUND_TRUTH["insurance"]).sort_values(ascending=False)
    assert list(coef.index[:4]) == demo.GROUND_TRUTH["insurance"]["drivers"], coef
    assert coef[demo.GROUND_TRUTH["insurance"]["no_effect"]].max() < 0.05 * coef["children"], coef


# ---- Scale --------------------------------------------------------------------------------------

def test_a_million_insurance_rows_in_bounded_memory(tmp_path):
    """Generated and written in a fresh process, whose peak memory is then known exactly."""
    n, path = 1_000_000, tmp_path / "insurance_1m.csv"
    code = (f"import resource, sys; sys.path.insert(0, {str(REPO / 'scripts')!r}); from mlviz.sources import demo; "
            f"frame = demo.generate('insurance', {n}, 42); demo.write_csv(frame, {str(path)!r}); "
            "print(*frame.shape, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")
    rows, cols, peak_mib = map(int, subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                                   text=True).stdout.split())
    assert (rows, cols) == (n, 7)
    with path.open("rb") as fh:
        assert sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) == n
    # Python + pandas alone take ~100 MiB, the table ~40 MiB; writing adds one chunk's strings.
    print(f"1M insurance rows: peak memory {peak_mib} MiB, file {path.stat().st_size / 2**20:.0f} MiB")
    assert peak_mib < 512
    tail = pd.read_csv(path, skiprows=range(1, n - 999))
    assert len(tail) == 1000 and list(tail.columns) == demo.INSURANCE_COLUMNS
    assert tail["charges"].between(demo.CHARGES_MIN, 1e5).all()
