"""The data zoo: tables nobody on the team wrote, written to CSV files exactly as a user would point
mlviz at them, plus two generated tables that gather the edge cases real tables rarely combine.
All offline: scikit-learn's bundled tables, the CSVs shipped in the palmerpenguins and
vega_datasets packages (read from the installed package, never downloaded).

Each entry: name → (file, target column, what it exercises). `write(folder)` writes every CSV
and returns {name: {"path", "target", "about"}}.
"""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd


def _frame(bunch, target: str) -> pd.DataFrame:
    df = pd.DataFrame(bunch.data, columns=list(bunch.feature_names))
    df[target] = bunch.target
    return df


def iris():
    from sklearn.datasets import load_iris

    b = load_iris()
    df = _frame(b, "species")
    df["species"] = np.array(b.target_names)[b.target]  # text labels, 3 classes
    return df, "species", "3 text classes, 4 numeric features with spaces and brackets in their names"


def wine():
    from sklearn.datasets import load_wine

    return _frame(load_wine(), "cultivar"), "cultivar", "3 classes coded 0/1/2, 13 numeric features"


def breast_cancer():
    from sklearn.datasets import load_breast_cancer

    b = load_breast_cancer()
    df = _frame(b, "diagnosis")
    df["diagnosis"] = np.where(b.target == 1, "benign", "malignant")
    return df, "diagnosis", "binary text labels (the rarer class positive), 30 correlated features"


def diabetes():
    from sklearn.datasets import load_diabetes

    b = load_diabetes(scaled=False)
    return _frame(b, "progression"), "progression", "regression, whole-number target with many values, sex as 1/2"


def digits():
    from sklearn.datasets import load_digits

    b = load_digits()
    df = _frame(b, "digit").sample(n=600, random_state=0).sort_index()
    return df, "digit", "10 classes coded 0-9, 64 pixel columns, several constant"


def linnerud():
    from sklearn.datasets import load_linnerud

    b = load_linnerud()
    df = pd.DataFrame(b.data, columns=b.feature_names)
    df["Weight"] = b.target[:, 0]
    return df, "Weight", "20 rows only: regression on a tiny table"


def _package_csv(package: str, name: str) -> pd.DataFrame:
    return pd.read_csv(resources.files(package).joinpath(name), keep_default_na=False, dtype=str)


def penguins():
    return (_package_csv("palmerpenguins", "data/penguins.csv"), "species",
            "palmerpenguins: text columns, NA text for missing values, a year column")


def penguins_raw():
    return (_package_csv("palmerpenguins", "data/penguins-raw.csv"), "Species",
            "palmerpenguins' raw table: long labels with parentheses, constant columns, an ID column, dates, "
            "free-text comments")


def seattle_weather():
    df = pd.read_csv(resources.files("vega_datasets").joinpath("_data/seattle-weather.csv"), dtype=str,
                     keep_default_na=False)
    return df, "weather", "vega_datasets: 5 unbalanced text classes, a date column"


def cars():
    rows = json.loads(resources.files("vega_datasets").joinpath("_data/cars.json").read_text())
    df = pd.DataFrame(rows)
    return df, "Miles_per_Gallon", "vega_datasets: regression whose target is missing in some rows, names"


def credit():
    """Generated: a credit table as such files come, Latin-1 and ;-separated, labels 1/2, levels
    with < > [ ] and commas, yes/no and TRUE/FALSE columns, an ID column, a constant column and
    NA / n/a / ? markers."""
    rng = np.random.default_rng(7)
    n = 400
    status = rng.choice(["< 0 DM", "0 <= ... < 200 DM", ">= 200 DM", "no checking account"], n)
    history = rng.choice(["[critical]", "[delayed, paid]", "[all paid]"], n)
    duration = rng.integers(4, 72, n)
    amount = np.round(rng.lognormal(8, 0.7, n)).astype(int)
    foreign = rng.choice(["TRUE", "FALSE"], n, p=[0.2, 0.8])
    phone = rng.choice(["yes", "no"], n)
    purpose = rng.choice(["car (new)", "car (used)", "furniture/equipment", "radio/télévision", "éducation"], n)
    age = rng.integers(19, 75, n).astype(object)
    age[rng.random(n) < 0.05] = "NA"
    savings = rng.choice(["< 100 DM", "100 <= ... < 500 DM", "?", "n/a"], n)
    score = (duration / 20 + amount / 4000 + (status == "< 0 DM") * 1.2 - (history == "[all paid]") * 0.8
             + rng.normal(0, 0.8, n))
    label = np.where(score > np.quantile(score, 0.7), 2, 1)  # 1 = good, 2 = bad (30 %)
    df = pd.DataFrame({"id": np.arange(1001, 1001 + n), "checking_status": status, "credit_history": history,
                       "duration_months": duration, "credit_amount": amount, "purpose": purpose,
                       "savings": savings, "age": age, "foreign_worker": foreign, "own_telephone": phone,
                       "bank": "Volksbank", "risk": label})
    return df, "risk", ("generated: Latin-1, semicolons, labels 1/2, levels with < > [ ] and commas, "
                        "TRUE/FALSE and yes/no columns, an ID and a constant column, NA n/a ? markers")


def rare_wide():
    """Generated: 200 numeric columns (3 of them carry the signal) and a 1:50 class imbalance."""
    rng = np.random.default_rng(11)
    n, p = 1020, 200
    X = rng.normal(size=(n, p))
    score = 2.5 * X[:, 0] + 1.5 * X[:, 1] - 1.0 * X[:, 2] + rng.normal(0, 1, n)
    positive = score >= np.sort(score)[-20]  # 20 of 1020: 1 in 51
    df = pd.DataFrame(X.round(4), columns=[f"x{i:03d}" for i in range(p)])
    df["event"] = np.where(positive, "yes", "no")
    return df, "event", "generated: 200 columns, a 1:50 class imbalance"


TABLES = {
    "iris": iris, "wine": wine, "breast_cancer": breast_cancer, "diabetes": diabetes, "digits": digits,
    "linnerud": linnerud, "penguins": penguins, "penguins_raw": penguins_raw, "seattle_weather": seattle_weather,
    "cars": cars, "credit": credit, "rare_wide": rare_wide,
}
# How each table is written: most as plain UTF-8 CSV; the credit table as such files often come.
WRITE = {"credit": {"sep": ";", "encoding": "latin-1"}}


def write(folder: str | Path, names=None) -> dict[str, dict]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in names or TABLES:
        df, target, about = TABLES[name]()
        path = folder / f"{name}.csv"
        opts = WRITE.get(name, {})
        df.to_csv(path, index=False, sep=opts.get("sep", ","), encoding=opts.get("encoding", "utf-8"))
        out[name] = {"path": str(path), "target": target, "about": about}
    return out


def minimal_config(name: str, entry: dict, run: str | None = None) -> dict:
    """The three-line config a user writes: a path and a target column."""
    return {"run": run or name, "datasets": {name: {"source": entry["path"], "target": {"column": entry["target"]}}}}
