"""PLACEHOLDER — being rewritten (calibrated generators + documented ground truth)."""
import numpy as np
import pandas as pd


def generate(name, rows=None, seed=42):
    rng = np.random.default_rng(seed)
    if name == "mba":
        n = rows or 6194
        intl = rng.random(n) < 0.3
        gpa = np.round(rng.normal(3.25, 0.15, n), 2)
        gmat = np.round(rng.normal(650, 50, n) / 10) * 10
        we = rng.integers(1, 9, n)
        score = 4 * (gpa - 3.25) / 0.15 + 3 * (gmat - 650) / 50 + 1.5 * (we - 5) / 2
        p = 1 / (1 + np.exp(-(score - 6) / 2))
        u = rng.random(n)
        adm = np.where(u < p, "Admit", np.where(u < p * 1.1, "Waitlist", ""))
        return pd.DataFrame({"application_id": np.arange(1, n + 1), "gender": rng.choice(["Male", "Female"], n),
                             "international": np.where(intl, "TRUE", "FALSE"), "gpa": gpa,
                             "major": rng.choice(["Business", "Humanities", "STEM"], n),
                             "race": np.where(intl, "", rng.choice(["Asian", "Black", "Hispanic", "Other", "White"], n)),
                             "gmat": gmat.astype(int), "work_exp": we,
                             "work_industry": rng.choice(["Consulting", "Technology", "Other", "Health Care"], n),
                             "admission": adm})
    n = rows or 1338
    age = rng.integers(18, 65, n)
    bmi = np.round(rng.normal(30.6, 6, n), 2)
    ch = rng.integers(0, 5, n)
    sm = rng.random(n) < 0.2
    charges = 250 * age + 300 * (bmi - 30) + 500 * ch + 23000 * sm + rng.normal(0, 3000, n) + 2000
    return pd.DataFrame({"age": age, "sex": rng.choice(["male", "female"], n), "bmi": bmi, "children": ch,
                         "smoker": np.where(sm, "yes", "no"),
                         "region": rng.choice(["northeast", "northwest", "southeast", "southwest"], n),
                         "charges": np.round(np.abs(charges), 4)})


def write_csv(df, path):
    df.to_csv(path, index=False)
