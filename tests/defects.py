"""The perturbation zoo: zoo tables (tests/zoo.py) with one defect injected by code, taken through what
the workflow does before and after training — the config resolved from a path and a target column,
the CSV preprocessed, one model fitted, its test predictions — and every check of
mlviz.compute.diagnostics and mlviz.compute.slices run on the result, all in this process (no
workflow run, no article).

Defects (DEFECTS), and where each is injected:
- leak: a column equal to the target plus a little noise (the CSV; a class's code for classes);
- identifier: a whole-number column numbering the rows in the target's order (the CSV: the rows stay
  where they are, so the numbers do not count the rows unless the file is sorted by the target);
- duplicates: 10 % of the test rows copied into the train split (the split: copies of the rows join the
  train split under new row numbers, their raw cells with them, so that exactly those test rows are
  duplicated; copying rows in the CSV would leave the split to decide which land on both sides);
- near_copy: a near-copy of the most important feature (the CSV: the column plus noise of 1 % of its
  spread; "most important": the clean forest's largest impurity importance among numbers);
- shuffled: the target shuffled over the rows (the CSV);
- flipped: the labels of one slice of the test rows flipped after the model was fitted (the test split:
  the model meets a part of the data whose outcome was recorded the other way round; classes move
  one place on, a number is mirrored about the mean).

findings(result) lists what the checks report; each defect's expectation is in FOUND.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import zoo
from conftest import preprocess_in_process

from mlviz.compute import data, diagnostics, metrics, models
from mlviz.compute import slices as slicing

DEFECTS = ("leak", "identifier", "duplicates", "near_copy", "shuffled", "flipped")
LEAK, IDENT, COPY = "leaked_signal", "record_id", "near_copy"
FOREST = {"type": "random_forest", "params": {"n_estimators": 60, "random_state": 42, "n_jobs": 1}}


@dataclass
class Result:
    name: str
    defect: str | None
    tables: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)


# ---------------------------------------------------------------- injection in the CSV

def _target_codes(df: pd.DataFrame, target: str) -> tuple[np.ndarray, bool]:
    """The target as numbers (a class's position among the sorted labels for text) and whether numeric."""
    values = df[target]
    num = pd.to_numeric(values, errors="coerce")
    if num.notna().sum() == values.notna().sum():
        return num.to_numpy(dtype="float64"), True
    labels = sorted(values.dropna().astype(str).unique())
    return values.astype("string").map({v: i for i, v in enumerate(labels)}).astype("float64").to_numpy(), False


def inject_csv(df: pd.DataFrame, target: str, defect: str, rng: np.random.Generator, top: str | None = None) -> dict:
    """Inject a CSV-level defect into df (in place); returns what was injected."""
    codes, _ = _target_codes(df, target)
    labelled = ~np.isnan(codes)
    if defect == "leak":
        spread = np.nanstd(codes) or 1.0
        noise = rng.normal(0, 0.01 * spread, len(df))
        df[LEAK] = np.where(labelled, np.round(codes + noise, 6), np.nan)
        return {"column": LEAK}
    if defect == "identifier":
        order = np.lexsort((rng.random(len(df)), np.where(labelled, codes, np.inf)))
        ident = np.empty(len(df), dtype=np.int64)
        ident[order] = 100_000 + np.arange(len(df)) * 7  # issued in the target's order
        df[IDENT] = ident
        return {"column": IDENT}
    if defect == "near_copy":
        x = pd.to_numeric(df[top], errors="coerce")
        spread = float(x.std()) or 1.0
        df[COPY] = (x + rng.normal(0, 0.01 * spread, len(df))).round(6)
        return {"column": COPY, "of": top}
    if defect == "shuffled":
        df[target] = df[target].sample(frac=1.0, random_state=int(rng.integers(1 << 31))).to_numpy()
        return {}
    raise ValueError(defect)


# ---------------------------------------------------------------- the workflow's steps, in process

def _prepare(name: str, df: pd.DataFrame, target: str, folder: Path) -> tuple:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    opts = zoo.WRITE.get(name, {})
    df.to_csv(path, index=False, sep=opts.get("sep", ","), encoding=opts.get("encoding", "utf-8"))
    cfg = zoo.minimal_config(name, {"path": str(path), "target": target})
    cfg["datasets"][name]["models"] = {"forest": copy.deepcopy(FOREST)}
    case = preprocess_in_process(cfg, name)
    raw = data.read_source(path, case.resolved["sources"][case.ds["source"]])
    return case, raw


def _fit(case):
    meta = case.meta
    X, y = models.model_frame(case.train, meta["features"]), case.train[meta["target"]].to_numpy()
    model = models.build(FOREST["type"], meta["task"], FOREST["params"])
    return model.fit(X, y)


def _predictions(model, case) -> pd.DataFrame:
    return models.predictions(model, case.test, case.meta)


def top_number(name: str, folder: Path) -> str:
    """The number the clean forest leans on most (impurity importance): the column a near-copy copies."""
    df, target, _ = zoo.TABLES[name]()
    case, _ = _prepare(name, df, target, folder / "clean-top")
    model = _fit(case)
    kinds = diagnostics.feature_kinds(case.meta, case.train)
    ranked = sorted(zip(model.feature_importances_, case.meta["features"]), reverse=True)
    return next(f for _, f in ranked if kinds[f] == "number")


def flip_slice(case, raw: pd.DataFrame, pred: pd.DataFrame, rng) -> dict:
    """Flip the test labels of one slice: the largest level (15-50 % of the test rows) of the first
    column that has one, else the top quartile of the first number (in place, in case.test and pred)."""
    meta = case.meta
    columns = [c for c in diagnostics.units(meta) if c in raw.columns]
    chosen = None
    for col in columns:
        s = slicing.candidate_slices(raw.loc[pred.index, col].rename(col), bins=4)
        levels = [x for x in s if x["kind"] == "level" and 0.15 <= x["mask"].mean() <= 0.5]
        if levels:
            chosen = max(levels, key=lambda x: x["mask"].sum()) | {"column": col}
            break
    if chosen is None:
        for col in columns:
            bins = [x for x in slicing.candidate_slices(raw.loc[pred.index, col].rename(col), bins=4)
                    if x["kind"] == "bin"]
            if bins:
                chosen = bins[-1] | {"column": col}
                break
    mask = chosen["mask"]
    y = pred["y_true"].to_numpy()
    if meta["task"] == "classification":
        flipped = (y + 1) % len(meta["classes"])
    else:
        flipped = 2 * y.mean() - y
    y = np.where(mask, flipped, y)
    pred["y_true"] = y
    case.test[meta["target"]] = y
    return {"column": chosen["column"], "slice": chosen["slice"]}


def duplicate_split(case, raw: pd.DataFrame, rng) -> tuple[pd.DataFrame, dict]:
    """10 % of the test rows copied into the train split, with their raw cells under new row numbers."""
    test = case.test
    k = max(1, int(round(0.10 * len(test))))
    chosen = test.index[np.sort(rng.choice(len(test), size=k, replace=False))]
    start = int(raw.index.max()) + 1
    new = pd.RangeIndex(start, start + k, name=raw.index.name)
    copies = test.loc[chosen].set_axis(new)
    case.train = pd.concat([case.train, copies])
    raw = pd.concat([raw, raw.loc[chosen].set_axis(new)])
    return raw, {"rows": [int(r) for r in chosen]}


# ---------------------------------------------------------------- every check

def run(name: str, folder: Path, defect: str | None = None, *, top: str | None = None, seed: int = 0,
        permutation: bool = False) -> Result:
    """One zoo table, with one defect or none, through every check."""
    rng = np.random.default_rng(seed)
    df, target, _ = zoo.TABLES[name]()
    info = inject_csv(df, target, defect, rng, top) if defect in ("leak", "identifier", "near_copy", "shuffled") \
        else {}
    case, raw = _prepare(name, df, target, folder / (defect or "clean"))
    if defect == "duplicates":
        raw, info = duplicate_split(case, raw, rng)
    model = _fit(case)
    pred = _predictions(model, case)
    if defect == "flipped":
        info = flip_slice(case, raw, pred, rng)
    meta, cfg = case.meta, case.resolved["checks"]
    train, test = case.train, case.test
    t = {}
    t["groups"], t["pairs"] = diagnostics.redundancy(train, meta, **cfg["redundancy"])
    t["leakage"] = diagnostics.leakage(train, test, meta, raw, seed=cfg["seed"], **cfg["leakage"])
    t["duplicates"] = diagnostics.duplicates(train, test, meta, level=cfg["level"], **cfg["duplicates"])
    t["columns"] = diagnostics.column_caveats(raw, train, test, meta, fill_missing=case.ds["preprocess"]["fill_missing"],
                                              **cfg["columns"])
    comparison = case.resolved["figures"]["comparison"]
    t["baseline"] = diagnostics.baseline({"forest": pred}, train[meta["target"]].to_numpy(), task=meta["task"],
                                         classes=meta["classes"], n_boot=comparison["n_boot"],
                                         seed=comparison["seed"], level=comparison["level"])
    columns = [c for c in diagnostics.units(meta) if c in raw.columns]
    t["slices"] = slicing.slices(raw.loc[test.index], pred, task=meta["task"], columns=columns,
                                 min_share=cfg["slices"]["min_share"], bins=cfg["slices"]["bins"], level=cfg["level"])
    if permutation:
        imp = case.resolved["figures"]["importance"]
        t["permutation"] = diagnostics.permutation_checked(
            model, models.model_frame(test, meta["features"]).set_axis(meta["features"], axis=1),
            test[meta["target"]].to_numpy(), groups=diagnostics.group_members(t["groups"]),
            n_repeats=imp["n_repeats"], random_state=imp["random_state"], scoring=imp["scoring"],
            max_rows=imp["max_rows"], task=meta["task"])
    return Result(name, defect, t, {**info, "meta": meta})


def findings(result: Result) -> list[tuple[str, str]]:
    """(check, what) for everything the checks report."""
    t = result.tables
    out = []
    for g, part in t["groups"].groupby("group"):
        out.append(("redundancy", ", ".join(part["feature"])))
    for _, r in t["leakage"][t["leakage"]["suspect"]].iterrows():
        out.append(("leakage", f"{r['candidate']} ({r['kind']})"))
    for _, r in t["duplicates"][t["duplicates"]["suspect"]].iterrows():
        out.append(("duplicates", r["check"]))
    for _, r in t["columns"][t["columns"]["flagged"]].iterrows():
        flags = [f for f in ("heavy_missing", "skewed", "near_constant") if r[f]]
        out.append(("columns", f"{r['column']}: {', '.join(flags)}"))
    b = t["baseline"]
    for _, r in b[b["headline"] & ~b["better"]].iterrows():
        out.append(("baseline", f"{r['model']} not better than the trivial predictor on {r['metric']}"))
    for _, r in b[b["headline"] & b["one_class"]].iterrows():
        out.append(("one_class", f"{r['model']} predicts one class for every test row"))
    for _, r in t["slices"][t["slices"]["flagged"]].iterrows():
        out.append(("slices", r["slice"]))
    return out


def found(result: Result) -> bool:
    """Whether the right check found the injected defect."""
    t, info = result.tables, result.info
    if result.defect == "leak":
        lk = t["leakage"]
        return bool(((lk["candidate"] == info["column"]) & lk["suspect"] & lk["in_model"]).any())
    if result.defect == "identifier":
        lk = t["leakage"]
        return bool(((lk["candidate"] == info["column"]) & lk["suspect"]).any())
    if result.defect == "duplicates":
        d = t["duplicates"].set_index("check").loc["test_in_train"]
        return bool(d["suspect"]) and set(info["rows"]) <= set(d["csv_rows"])
    if result.defect == "near_copy":
        g = t["groups"]
        return any({info["column"], info["of"]} <= set(part["feature"]) for _, part in g.groupby("group"))
    if result.defect == "shuffled":
        b = t["baseline"]
        return not b.loc[b["headline"], "better"].any()
    if result.defect == "flipped":
        s = t["slices"]
        return bool((s["flagged"] & (s["slice"] == info["slice"])).any())
    raise ValueError(result.defect)
