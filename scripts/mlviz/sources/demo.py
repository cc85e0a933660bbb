"""Embedded demo data: seeded generators shaped like the tutorial's two Kaggle files.

The demo run needs no download. `generate(name, rows, seed)` returns a table with the real
file's columns, value formats, size, ranges, level frequencies and class balance (from summary
statistics hard-coded below; no row of the real files is used or read; at the real size every
text column has exactly the real file's level counts), and `write_csv` writes
it byte for byte the way the real file is written (MBA.csv with CRLF line ends, insurance.csv
with LF, neither with a final newline). The same (name, rows, seed) always gives the same bytes.
Everything is vectorised and written in chunks: a million rows take a few seconds and a bounded
amount of memory.

Unlike the real files, the demo data has a known answer, so every explanation the workflow
draws can be checked against it (`GROUND_TRUTH` holds the same facts as data):

**mba** — target `admission` (blank = not admitted, `Admit`, `Waitlist`). Every applicant gets a
hidden score 1.00·z(gpa) + 0.70·z(gmat) + 0.60·z(work_exp) + logistic noise (scale 0.75), where
z() standardises a column with its population mean and standard deviation. The top 900 of every
6194 scores are admitted and the next 100 waitlisted (the real file's 14.5 % and 1.6 %).
Admission is therefore driven by **gpa, then gmat, then work_exp**, in that order of strength.
gpa and gmat are correlated (0.58, as in the real file); work_exp is independent of both.
**gender, international, major, race and work_industry have no effect at all**: each is drawn
independently of every other column, with the real file's level frequencies (race is blank for
every international applicant, as in the real file). In the real file gmat weighs more than gpa,
work_exp hardly counts, and gender and race are associated with admission; the demo makes the
order unambiguous instead.

**insurance** — target `charges` (dollars).
charges = max(E + noise_s, 1121.87) + noise, where the expected charges
E = 280·age − 4500 + 700·children + 100·(bmi − 30.66)
    + smoker·(20500 + 6000·s(bmi) + 400·(bmi − 30.66)),
s(bmi) rises smoothly from 0 to 1 around bmi 30 (obese smokers pay more, as in the real file),
noise_s is a smokers-only spread (normal, sd 9000, clipped to −1.5…+2.5 sd) and noise is a
small half-normal band (sd 400) plus an extra 3000–22000 for about 6 % of people (the real
file's band of costly non-smokers). Noise is unrelated to every column. Charges are therefore
driven by **smoker ≫ age > bmi > children** (children's effect is small), and **sex and region
have no effect at all**. In the real file the obese smokers' surcharge is larger (bmi then
rivals age), sex and region have small effects and bmi differs between regions; here sex and
region are independent of everything. Mean, standard deviation, skew and the smoker gap of
charges are within a few percent of the real file's.

`admission_score()` and `expected_charges()` compute the noise-free parts above, for checking
an explanation against the truth.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

NAMES = ("mba", "insurance")

GROUND_TRUTH = {
    "mba": {
        "target": "admission",
        "drivers": ["gpa", "gmat", "work_exp"],
        "no_effect": ["gender", "international", "major", "race", "work_industry"],
    },
    "insurance": {
        "target": "charges",
        "drivers": ["smoker", "age", "bmi", "children"],
        "no_effect": ["sex", "region"],
    },
}

# ---- Facts about the real files (summary statistics only) ---------------------------------------

MBA_ROWS = 6194
MBA_COLUMNS = ["application_id", "gender", "international", "gpa", "major", "race", "gmat",
               "work_exp", "work_industry", "admission"]
MBA_ADMIT, MBA_WAITLIST = 900 / 6194, 100 / 6194
MBA_GENDER = {"Male": 3943, "Female": 2251}
MBA_INTERNATIONAL = {"FALSE": 4352, "TRUE": 1842}
MBA_MAJOR = {"Humanities": 2481, "STEM": 1875, "Business": 1838}
MBA_RACE = {"White": 1456, "Asian": 1147, "Black": 916, "Hispanic": 596, "Other": 237}  # domestic only
MBA_INDUSTRY = {"Consulting": 1619, "PE/VC": 907, "Technology": 716, "Nonprofit/Gov": 651,
                "Investment Banking": 580, "Financial Services": 451, "Other": 421,
                "Health Care": 334, "Investment Management": 166, "CPG": 114, "Real Estate": 111,
                "Media/Entertainment": 59, "Retail": 33, "Energy": 32}
MBA_ADMISSION = ["Admit", "Waitlist"]  # blank: not admitted
GPA_MEAN, GPA_SD, GPA_RANGE = 3.25, 0.151, (2.65, 3.77)
# gmat is a multiple of 10 in 570..780 with piles at both ends (6.8 % at 570, 1 % at 780): a
# normal with these parameters, rounded to 10 and clipped, reproduces them.
GMAT_LATENT_MEAN, GMAT_LATENT_SD, GMAT_RANGE = 653.0, 52.4, (570, 780)
GMAT_MEAN, GMAT_SD = 651.1, 49.3  # of the written values: used to standardise
GPA_GMAT_CORR = 0.61  # before rounding and clipping; 0.58 after, as in the real file
WORK_EXP_MEAN, WORK_EXP_SD, WORK_EXP_RANGE = 5.02, 0.98, (1, 9)

INSURANCE_ROWS = 1338
INSURANCE_COLUMNS = ["age", "sex", "bmi", "children", "smoker", "region", "charges"]
AGE_RANGE = (18, 64)
AGE_WEIGHT_18_19 = 2.5  # 18- and 19-year-olds are 2.5 times as frequent as any other age
SEX = {"female": 662, "male": 676}
BMI_MEAN, BMI_SD, BMI_SKEW, BMI_RANGE = 30.66, 6.10, 0.28, (15.96, 53.13)
# bmi is written with mixed precision: steps of 0.005 ending in 5 (23.7 %), of 0.1 (24.4 %),
# else of 0.01.
BMI_HALF_STEP, BMI_TENTH = 0.237, 0.244
CHILDREN = {0: 574, 1: 324, 2: 240, 3: 157, 4: 25, 5: 18}
SMOKER = {"no": 1064, "yes": 274}
REGION = {"northeast": 324, "northwest": 325, "southeast": 364, "southwest": 325}
# charges are written with 3 to 5 decimals (trailing zeros dropped), like the real file.
CHARGES_DECIMALS = {3: 0.23, 4: 0.44, 5: 0.33}
CHARGES_MIN = 1121.8739  # the real file's minimum: the floor of expected charges

# ---- Parameters of the ground truth (see the module docstring) ---------------------------------

MBA_WEIGHTS = {"gpa": 1.0, "gmat": 0.70, "work_exp": 0.60}
MBA_NOISE = 0.75  # logistic scale of the score's noise: how well a model can do (RF AUC ~0.85)

CHARGES_INTERCEPT, CHARGES_AGE, CHARGES_CHILD, CHARGES_BMI = -4500.0, 280.0, 700.0, 100.0
SMOKER_BASE, SMOKER_OBESE, SMOKER_BMI = 20500.0, 6000.0, 400.0
OBESE_BMI, OBESE_WIDTH = 30.0, 1.0
BAND_SD, HIGH_COST_SHARE, HIGH_COST_RANGE, SMOKER_NOISE_SD = 400.0, 0.06, (3000.0, 22000.0), 9000.0

CHUNK_ROWS = 100_000  # rows formatted at a time by write_csv (bounds its memory)


def generate(name: str, rows: int | None = None, seed: int = 42) -> pd.DataFrame:
    """A demo table shaped like the real file `name` ("mba" or "insurance").

    Numbers are int64/float64 holding exactly the written values; text columns are categoricals
    holding the file's exact strings; blank cells are missing values. `rows` defaults to the real
    file's row count."""
    if name not in NAMES:
        raise ValueError(f"unknown demo data set {name!r} (expected one of {', '.join(NAMES)})")
    n = (MBA_ROWS if name == "mba" else INSURANCE_ROWS) if rows is None else int(rows)
    if n < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    rng = np.random.default_rng(seed)
    return _mba(n, rng) if name == "mba" else _insurance(n, rng)


def _draw(rng: np.random.Generator, counts: dict, n: int) -> np.ndarray:
    """Level indices drawn with the real file's level frequencies."""
    p = np.array(list(counts.values()), dtype="float64")
    return rng.choice(len(p), size=n, p=p / p.sum())


def _shuffled(rng: np.random.Generator, counts: dict, n: int) -> np.ndarray:
    """Level indices in exactly the real file's proportions (its very counts at its size),
    shuffled. Shares that do not divide n go to the largest remainders."""
    share = np.array(list(counts.values()), dtype="float64")
    share = share / share.sum() * n
    k = np.floor(share).astype("int64")
    k[np.argsort(-(share - k), kind="stable")[:n - k.sum()]] += 1
    return rng.permutation(np.repeat(np.arange(len(k)), k))


def _text(codes: np.ndarray, levels) -> pd.Categorical:
    return pd.Categorical.from_codes(codes, categories=list(levels))


def _mba(n: int, rng: np.random.Generator) -> pd.DataFrame:
    # Columns without effect: drawn independently of everything else.
    gender = _shuffled(rng, MBA_GENDER, n)
    international = _shuffled(rng, MBA_INTERNATIONAL, n)
    major = _shuffled(rng, MBA_MAJOR, n)
    race = np.full(n, -1)  # blank for every international applicant
    race[international == 0] = _shuffled(rng, MBA_RACE, int(np.sum(international == 0)))
    industry = _shuffled(rng, MBA_INDUSTRY, n)

    # Drivers.
    z_gpa, z_other = rng.standard_normal(n), rng.standard_normal(n)
    gpa = np.round(np.clip(GPA_MEAN + GPA_SD * z_gpa, *GPA_RANGE), 2)
    z_gmat = GPA_GMAT_CORR * z_gpa + np.sqrt(1.0 - GPA_GMAT_CORR**2) * z_other
    gmat = np.clip(np.round((GMAT_LATENT_MEAN + GMAT_LATENT_SD * z_gmat) / 10) * 10, *GMAT_RANGE)
    work_exp = np.clip(np.round(WORK_EXP_MEAN + WORK_EXP_SD * rng.standard_normal(n)), *WORK_EXP_RANGE)

    # Admission: the best scores are admitted, the next ones waitlisted, in fixed shares.
    score = admission_score(gpa, gmat, work_exp) + rng.logistic(0.0, MBA_NOISE, n)
    n_admit, n_wait = round(n * MBA_ADMIT), round(n * MBA_WAITLIST)
    best = np.argsort(-score, kind="stable")
    admission = np.full(n, -1)
    admission[best[:n_admit]] = 0
    admission[best[n_admit:n_admit + n_wait]] = 1

    return pd.DataFrame({
        "application_id": np.arange(1, n + 1, dtype="int64"),
        "gender": _text(gender, MBA_GENDER),
        "international": _text(international, MBA_INTERNATIONAL),
        "gpa": gpa,
        "major": _text(major, MBA_MAJOR),
        "race": _text(race, MBA_RACE),
        "gmat": gmat.astype("int64"),
        "work_exp": work_exp.astype("int64"),
        "work_industry": _text(industry, MBA_INDUSTRY),
        "admission": _text(admission, MBA_ADMISSION),
    }, columns=MBA_COLUMNS)


def admission_score(gpa, gmat, work_exp) -> np.ndarray:
    """The MBA ground truth: the hidden admission score before noise (higher is better)."""
    return (MBA_WEIGHTS["gpa"] * (np.asarray(gpa) - GPA_MEAN) / GPA_SD
            + MBA_WEIGHTS["gmat"] * (np.asarray(gmat) - GMAT_MEAN) / GMAT_SD
            + MBA_WEIGHTS["work_exp"] * (np.asarray(work_exp) - WORK_EXP_MEAN) / WORK_EXP_SD)


def _insurance(n: int, rng: np.random.Generator) -> pd.DataFrame:
    ages = np.arange(AGE_RANGE[0], AGE_RANGE[1] + 1)
    weight = np.where(ages <= 19, AGE_WEIGHT_18_19, 1.0)
    age = ages[rng.choice(len(ages), size=n, p=weight / weight.sum())]
    sex = _shuffled(rng, SEX, n)
    # A standardised gamma: a bell with the real file's slight right skew.
    shape = (2.0 / BMI_SKEW) ** 2
    bmi = np.clip(BMI_MEAN + BMI_SD * (rng.standard_gamma(shape, n) - shape) / np.sqrt(shape), *BMI_RANGE)
    step = rng.random(n)
    bmi = np.where(step < BMI_HALF_STEP, np.floor(bmi * 100) / 100 + 0.005,
                   np.where(step < BMI_HALF_STEP + BMI_TENTH, np.round(bmi, 1), np.round(bmi, 2)))
    bmi = np.round(np.clip(bmi, *BMI_RANGE), 3)
    children = np.array(list(CHILDREN))[_shuffled(rng, CHILDREN, n)]
    smoker = _shuffled(rng, SMOKER, n)
    region = _shuffled(rng, REGION, n)

    band = BAND_SD * np.abs(rng.standard_normal(n))
    high = np.where(rng.random(n) < HIGH_COST_SHARE, rng.uniform(*HIGH_COST_RANGE, n), 0.0)
    # Clipped below so that no smoker's charges fall to a non-smoker's floor.
    spread = smoker * SMOKER_NOISE_SD * np.clip(rng.standard_normal(n), -1.5, 2.5)
    charges = np.maximum(expected_charges(age, bmi, children, smoker) + spread, CHARGES_MIN) + band + high
    decimals = np.array(list(CHARGES_DECIMALS))[_draw(rng, CHARGES_DECIMALS, n)]
    charges = np.round(charges * 10.0**decimals) / 10.0**decimals

    return pd.DataFrame({
        "age": age.astype("int64"),
        "sex": _text(sex, SEX),
        "bmi": bmi,
        "children": children.astype("int64"),
        "smoker": _text(smoker, SMOKER),
        "region": _text(region, REGION),
        "charges": charges,
    }, columns=INSURANCE_COLUMNS)


def expected_charges(age, bmi, children, smoker) -> np.ndarray:
    """The insurance ground truth: expected charges before noise and floor (smoker as 0/1)."""
    age, bmi, children, smoker = (np.asarray(v, dtype="float64") for v in (age, bmi, children, smoker))
    obese = 1.0 / (1.0 + np.exp(-(bmi - OBESE_BMI) / OBESE_WIDTH))
    return (CHARGES_INTERCEPT + CHARGES_AGE * age + CHARGES_CHILD * children + CHARGES_BMI * (bmi - BMI_MEAN)
            + smoker * (SMOKER_BASE + SMOKER_OBESE * obese + SMOKER_BMI * (bmi - BMI_MEAN)))


# ---- Writing ------------------------------------------------------------------------------------

def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def _number_strings(values: np.ndarray) -> np.ndarray:
    """Numbers as the real files write them: no trailing zeros, no '.0' on whole numbers. Each
    distinct value is formatted once (most columns have few)."""
    unique, inverse = np.unique(values, return_inverse=True)
    if values.dtype.kind == "f":
        if np.any(np.abs(unique[unique != 0]) < 1e-4) or np.any(np.abs(unique) >= 1e11):
            raise ValueError("write_csv writes numbers between 1e-4 and 1e11 only")
        # 12 significant digits show every generated value exactly (at most 11 digits).
        text = ["%.12g" % v for v in unique.tolist()]
    else:
        text = [str(v) for v in unique.tolist()]
    return np.array(text, dtype=object)[inverse.reshape(-1)]


def _column_strings(column: pd.Series) -> np.ndarray:
    if isinstance(column.dtype, pd.CategoricalDtype):
        levels = np.array([_quote(str(c)) for c in column.cat.categories] + [""], dtype=object)
        return levels[column.cat.codes.to_numpy()]  # code -1 (missing) picks the last: blank
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = column.to_numpy()
        out = np.full(len(values), "", dtype=object)
        present = ~pd.isna(values)
        if present.any():
            out[present] = _number_strings(values[present])
        return out
    return np.array([_quote(str(v)) if not pd.isna(v) else "" for v in column.tolist()], dtype=object)


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write a generated table the way the real file is written: MBA.csv (recognised by its
    columns) with CRLF line ends, any other with LF; no newline after the last row; blanks are
    empty fields. Formats CHUNK_ROWS rows at a time, so memory does not grow with the table."""
    path = Path(path)
    newline = "\r\n" if list(df.columns) == MBA_COLUMNS else "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(_quote(str(c)) for c in df.columns))
        for start in range(0, len(df), CHUNK_ROWS):
            chunk = df.iloc[start:start + CHUNK_ROWS]
            columns = [_column_strings(chunk[c]).tolist() for c in chunk.columns]
            fh.write(newline)
            fh.write(newline.join(map(",".join, zip(*columns))))
