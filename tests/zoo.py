"""The data zoo: tables nobody on the team wrote, written to CSV files exactly as a user would point
mlviz at them, plus generated tables (a few hundred rows each) that gather the edge cases real
tables rarely combine.
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


STATES = ("AK AL AR AZ CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE NH NJ NM "
          "NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY").split()


def churn():
    """Generated: telecom churn as R hands it on (Rdatasets' first column of row names, `rownames`,
    here shuffled), a state code of 51 levels, area codes whose levels repeat the column's name, yes/no
    text plans, whole-number counts the models lean on (LIME explains them)."""
    rng = np.random.default_rng(21)
    n = 400
    calls = rng.poisson(1.6, n)
    day = np.round(rng.normal(180, 50, n), 1)
    intl = rng.choice(["yes", "no"], n, p=[0.15, 0.85])
    vmail = rng.choice(["yes", "no"], n, p=[0.3, 0.7])
    account = rng.integers(1, 240, n)  # days: quartiles fall between whole numbers
    score = (0.9 * (calls - 1.6) + (day - 180) / 40 + 1.4 * (intl == "yes") - 0.8 * (vmail == "yes")
             + (account - 120) / 60 + rng.normal(0, 1, n))
    df = pd.DataFrame({"rownames": rng.permutation(n) + 1, "state": rng.choice(STATES, n),
                       "account_length": account,
                       "area_code": rng.choice(["area_code_408", "area_code_415", "area_code_510"], n),
                       "international_plan": intl, "voice_mail_plan": vmail,
                       "number_vmail_messages": np.where(vmail == "yes", rng.integers(5, 45, n), 0),
                       "total_day_minutes": day, "number_customer_service_calls": calls,
                       "churn": np.where(score > np.quantile(score, 0.8), "yes", "no")})
    return df, "churn", ("generated: R's shuffled row names, 51 state codes, levels repeating their column, "
                         "yes/no text columns, whole-number counts")


def visits():
    """Generated: a survey whose target is a count (regression: many values), a channel with a level
    the file already calls "other" beside rare levels, a weekday with a single rare level."""
    rng = np.random.default_rng(5)
    n = 300
    channel = rng.choice(["web", "phone", "other", "store", "kiosk", "fax", "mail"], n,
                         p=[0.4, 0.25, 0.15, 0.15, 0.02, 0.015, 0.015])
    day = rng.choice(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], n, p=[0.2, 0.2, 0.2, 0.2, 0.195, 0.005])
    age = rng.integers(18, 80, n)
    members = rng.integers(1, 7, n)
    rate = np.exp(2.6 + 0.012 * (age - 45) + 0.15 * members + 0.4 * (channel == "web"))
    return (pd.DataFrame({"age": age, "household": members, "channel": channel, "weekday": day,
                          "visits": rng.poisson(rate)}), "visits",
            "generated: a count target, a level named 'other' beside rare levels, a single rare level")


def euro():
    """Generated: a table saved by a German spreadsheet: semicolons, decimal commas ("51,89") and dots
    for thousands ("2.118" is two thousand one hundred and eighteen)."""
    rng = np.random.default_rng(9)
    n = 250
    weight = np.round(rng.uniform(40, 120, n), 2)
    turnover = rng.integers(1000, 2_500_000, n)
    staff = rng.integers(1, 60, n)
    profit = np.round(0.05 * turnover / 1000 + 0.3 * weight + 2 * staff + rng.normal(0, 10, n), 2)

    def comma(x):
        return f"{x:.2f}".replace(".", ",")

    def dots(x):
        return f"{x:,d}".replace(",", ".")
    df = pd.DataFrame({"Gewicht": [comma(w) for w in weight], "Umsatz": [dots(t) for t in turnover],
                       "Mitarbeiter": staff, "Region": rng.choice(["Nord", "Süd", "Ost", "West"], n),
                       "Gewinn": [comma(p) for p in profit]})
    return df, "Gewinn", "generated: semicolons, decimal commas and dots for thousands (2.118 = 2118)"


def markup():
    """Generated: names that Quarto, Markdown, HTML, LaTeX and Typst would read as markup, as column
    names and as levels."""
    rng = np.random.default_rng(13)
    n = 240
    a = rng.normal(0, 1, n)
    b = rng.integers(0, 10, n)
    kind = rng.choice(["{{< var run >}}", "@fig-tree", "*x*", "<b>bold</b>", "$a$", "#1"], n)
    flag = rng.choice(["<i>yes</i>", "no"], n)
    score = a + 0.3 * b + (kind == "@fig-tree") + (flag == "no") + rng.normal(0, 1, n)
    df = pd.DataFrame({"{{< var run >}}": a.round(3), "#": b, "@fig-tree": kind, "<b>": flag,
                       "*x*": rng.normal(0, 1, n).round(3), "$a$": rng.choice(["$x$", "`y`", "_z_"], n),
                       "label": np.where(score > np.median(score), "@tbl-up", "{{< meta title >}}")})
    return df, "label", "generated: Quarto shortcodes, cross-references, Markdown, HTML and maths as names and levels"


TABLES = {
    "iris": iris, "wine": wine, "breast_cancer": breast_cancer, "diabetes": diabetes, "digits": digits,
    "linnerud": linnerud, "penguins": penguins, "penguins_raw": penguins_raw, "seattle_weather": seattle_weather,
    "cars": cars, "credit": credit, "rare_wide": rare_wide, "churn": churn, "visits": visits, "euro": euro,
    "markup": markup,
}
# How each table is written: most as plain UTF-8 CSV; the credit and euro tables as such files often come.
WRITE = {"credit": {"sep": ";", "encoding": "latin-1"}, "euro": {"sep": ";", "encoding": "utf-8"}}


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
