"""Raw CSV → validated, preprocessed train and test tables, driven only by a dataset's resolved
recipe (mlviz.config.infer spells out every column's treatment).

The recipe runs in a fixed order: drop → constant fill of the target → target (rows without one
are left out, labels mapped and encoded) → split → numeric check → one scikit-learn
ColumnTransformer fitted on the train split: SimpleImputer fills (median, mean, most frequent or a
constant), OrdinalEncoder turns two-level columns into 0/1 in the recipe's order, OneHotEncoder
writes one column per level (reference level dropped; levels rarer than min_frequency in the train
split join one infrequent group; a level seen only in the test split joins that group, or no
column). Statistics come from the train split only, so nothing of the test rows leaks into
training. Every feature stays in the data's own units: scaling belongs to the linear model
(mlviz.compute.models), and meta.json records the train split's mean and standard deviation of the
columns it standardises. Every check raises InputError naming the file, the column and what was
expected.

One name per feature, built here once: a number or a yes/no column keeps its column's name, a level
is "column = level" (the level as the data writes it), the infrequent group "column = (3 rare
levels)"; meta.json's feature_info says what each feature is (mlviz.compute.features).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..config.infer import FILL_RULES, canonical
from . import features as F

INDEX = "row"  # 0-based data-row number in the raw CSV, kept as the parquet index
INFREQUENT = "infrequent_sklearn"  # OneHotEncoder's name for the infrequent group


def file_line(raw: pd.DataFrame):
    """row → the line of the file it starts on (mlviz.sources.csvfile.read_table records them when
    blank lines or quoted line breaks make them differ from row + 2)."""
    lines = raw.attrs.get("lines")
    return (lambda row: int(row) + 2) if lines is None else (lambda row: int(lines[int(row)]))


def target_name(ds: dict) -> str:
    return ds["target"].get("rename", ds["target"]["column"])


def _numeric(values: pd.Series, col: str, path, line) -> pd.Series:
    num = pd.to_numeric(values.str.strip() if values.dtype == object or pd.api.types.is_string_dtype(values)
                        else values, errors="coerce")
    bad = values.notna() & num.isna()
    if bad.any():
        i = values.index[bad][0]
        raise InputError(f"{path}: column {col!r} has text {values[i]!r} at line {line(i)} "
                         "(expected a number; list the column under preprocess.one_hot, binary or drop)")
    return num.astype("float64")


def _encode_target(y: pd.Series, ds: dict, path, line) -> pd.Series:
    tcol = ds["target"]["column"]
    if ds["task"] == "regression":
        return _numeric(y, tcol, path, line)
    classes = ds["target"]["classes"]
    numeric = all(_is_number(c) for c in classes) and pd.to_numeric(y, errors="coerce").notna().all()
    if numeric:
        y = y.map(lambda v: canonical(v, True))
    y = y.replace(ds["target"].get("map", {}))
    unknown = ~y.isin(classes)
    if unknown.any():
        labels = sorted(set(y[unknown]))
        raise InputError(f"{path}: column {tcol!r} (target) has label(s) {', '.join(map(repr, labels))}, first at "
                         f"line {line(y.index[unknown][0])} (expected one of {', '.join(map(repr, classes))} after "
                         "fill_missing and map)")
    return y.map({c: i for i, c in enumerate(classes)}).astype("int64")
def _is_number(x) -> bool:
    try:
        float(x)
        return True
    except (TypeError, ValueError):
        return False


def split_index(index: np.ndarray, y: pd.Series, split: dict) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.model_selection import train_test_split

    strat = y.to_numpy() if split["stratify"] else None
    return train_test_split(index, test_size=split["test_size"], random_state=split["random_state"], stratify=strat)


def _check_classes_in_splits(y: pd.Series, train_idx, test_idx, ds: dict, path) -> None:
    """A class missing from the train split cannot be learned; one missing from the test split leaves
    its ROC, precision-recall and calibration undefined. Said here, before any model is trained."""
    classes = ds["target"]["classes"]
    counts = y.value_counts()
    for part, idx in (("train", train_idx), ("test", test_idx)):
        absent = [classes[k] for k in sorted(set(range(len(classes))) - set(y.loc[idx]))]
        if absent:
            rows = ", ".join(f"{c!r}: {int(counts.get(classes.index(c), 0))}" for c in absent)
            raise InputError(f"{path}: column {ds['target']['column']!r} (target): the {part} split has no row of "
                             f"class(es) {rows} row(s) in all; every class needs rows in both splits (merge rare "
                             "classes with the dataset's target.map, or change its split)")


def _imputer(col: str, rule, numeric: bool, train: pd.Series, path):
    """SimpleImputer of a column's fill rule (None: no fill)."""
    from sklearn.impute import SimpleImputer

    if rule is None:
        return None
    if rule in FILL_RULES:
        if train.isna().all():
            raise InputError(f"{path}: column {col!r} has no value in the train split to take the {rule.replace('_', ' ')} "
                             "of (expected some values; drop the column or fill it with a constant)")
        return SimpleImputer(strategy=rule)
    value = str(rule)
    if numeric:
        if not _is_number(rule) or isinstance(rule, bool):
            raise InputError(f"config key preprocess.fill_missing.{col}: {rule!r} is not a number, but column {col!r} "
                             "holds numbers")
        value = float(rule)
    return SimpleImputer(strategy="constant", fill_value=value)


def _with_fill(imputer, step):
    from sklearn.pipeline import make_pipeline

    steps = [s for s in (imputer, step) if s is not None]
    return steps[0] if len(steps) == 1 else make_pipeline(*steps)


def _one_hot_plan(col: str, spec: dict, train: pd.Series, path) -> dict:
    """A one-hot column's reference level and rare levels, decided on the train split as
    OneHotEncoder(min_frequency, max_categories) groups them (a share below min_frequency, or beyond
    the max_levels most frequent, the group counting as one), except that a single rare level keeps
    its own column: grouping one level changes nothing but its name."""
    counts = train.value_counts()
    counts = counts.rename(index=str).sort_index()  # OneHotEncoder's order of categories
    levels = list(counts.index)
    n = counts.to_numpy()
    infrequent = n < n.sum() * spec["min_frequency"] if spec.get("min_frequency") else np.zeros(len(n), bool)
    most = spec.get("max_levels")
    if most is not None and most < len(n) - infrequent.sum() + 1:
        # Only the max_levels - 1 most frequent levels keep a column (the group is the last); ties as
        # OneHotEncoder(max_categories) breaks them: a stable sort by count.
        infrequent[np.argsort(n, kind="mergesort")[:len(n) - (most - 1)]] = True
    rare = [lv for lv, r in zip(levels, infrequent) if r]
    if len(rare) < 2:
        rare = []
    common = [lv for lv in levels if lv not in rare]
    reference = None
    if spec.get("drop_first"):
        reference = common[0] if common else None
    elif "drop" in spec:
        reference = str(spec["drop"])
        if reference in rare:
            raise InputError(f"{path}: column {col!r}: the reference level {reference!r} is rarer than min_frequency "
                             f"({spec['min_frequency']}) in the train split and joins the rare levels; choose a more "
                             "frequent reference level or lower min_frequency")
        if reference not in levels:
            raise InputError(f"{path}: column {col!r} has no level {reference!r} to drop as reference "
                             f"(levels: {', '.join(levels)})")
    return {"levels": levels, "rare": rare, "reference": reference}


def preprocess(raw: pd.DataFrame, ds: dict, path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(train, test, notes): features then the encoded target (last column), index `row`."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    pre = ds["preprocess"]
    tcol = ds["target"]["column"]
    line = file_line(raw)
    named = [tcol, *pre["drop"], *pre["fill_missing"], *pre["binary"], *pre["one_hot"], *pre["scale"]]
    missing = [c for c in dict.fromkeys(named) if c not in raw.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(map(repr, missing))} "
                         "(expected by the dataset's preprocess/target config)")
    df = raw.drop(columns=pre["drop"])
    fill = pre["fill_missing"]
    if tcol in fill and fill[tcol] not in FILL_RULES:
        df[tcol] = df[tcol].fillna(str(fill[tcol]))

    y = df.pop(tcol)
    unlabelled = y.isna()
    notes = {"rows_without_target": int(unlabelled.sum())}
    if unlabelled.all():
        raise InputError(f"{path}: column {tcol!r} (target) is empty in every row")
    df, y = df[~unlabelled], y[~unlabelled]
    y = _encode_target(y, ds, path, line)
    train_idx, test_idx = split_index(df.index.to_numpy(), y, ds["split"])
    if ds["task"] == "classification":
        _check_classes_in_splits(y, train_idx, test_idx, ds, path)

    binary, one_hot = pre["binary"], pre["one_hot"]
    numbers = [c for c in df.columns if c not in binary and c not in one_hot]
    for col in numbers:
        df[col] = _numeric(df[col], col, path, line)
        if col not in fill and df[col].isna().any():
            raise InputError(f"{path}: column {col!r} has {int(df[col].isna().sum())} empty value(s), first at line "
                             f"{line(df.index[df[col].isna()][0])} (expected a number; add it under "
                             "preprocess.fill_missing or drop the column)")
    train = df.loc[train_idx]
    transformers, info, plans = [], {}, {}
    for col in df.columns:
        if col in one_hot:
            continue
        imputer = _imputer(col, fill.get(col), col in numbers, train[col], path)
        if col in binary:
            mapping = binary[col]
            order = sorted(mapping, key=mapping.get)
            values = df[col]
            constant = fill.get(col) not in (None, *FILL_RULES)
            bad = values[(values.notna() | (col not in fill)) & ~values.isin(order)]
            if constant and str(fill[col]) not in order:
                raise InputError(f"config key preprocess.fill_missing.{col}: {fill[col]!r} is not one of the column's "
                                 f"two labels ({', '.join(map(repr, order))})")
            if len(bad):
                shown = "empty" if pd.isna(bad.iloc[0]) else repr(bad.iloc[0])
                raise InputError(f"{path}: column {col!r} has value {shown} at line {line(bad.index[0])} "
                                 f"(expected one of {', '.join(map(repr, mapping))})")
            step = OrdinalEncoder(categories=[order], dtype="int64")
            info[col] = {"column": col, "kind": "binary", "levels": order}
        else:
            step = None
            info[col] = {"column": col, "kind": "number"}
        transformers.append((col, _with_fill(imputer, step) or "passthrough", [col]))
    grouped, levels = {}, {}
    for col, spec in one_hot.items():
        values = df[col]
        if col not in fill and values.isna().any():
            raise InputError(f"{path}: column {col!r} has {int(values.isna().sum())} empty value(s), first at line "
                             f"{line(values.index[values.isna()][0])} (expected a category; add it under "
                             "preprocess.fill_missing)")
        imputer = _imputer(col, fill.get(col), False, train[col], path)
        filled = train[col] if imputer is None else pd.Series(
            imputer.fit_transform(train[[col]]).ravel(), index=train.index)
        plan = plans[col] = _one_hot_plan(col, spec, filled.astype(str), path)
        encoder = OneHotEncoder(drop=None if plan["reference"] is None else [plan["reference"]],
                                min_frequency=spec.get("min_frequency") if plan["rare"] else None,
                                max_categories=spec.get("max_levels") if plan["rare"] else None,
                                handle_unknown="infrequent_if_exist", sparse_output=False, dtype="int64",
                                feature_name_combiner=F.level_feature)
        transformers.append((col, _with_fill(imputer, encoder), [col]))
    ct = ColumnTransformer(transformers, verbose_feature_names_out=False).set_output(transform="pandas")
    with warnings.catch_warnings():
        # A level only the test split has: no column of its own (the infrequent group's, if any).
        warnings.filterwarnings("ignore", message="Found unknown categories")
        ct.fit(train)
        table = ct.transform(df)
    names = {}
    for col, plan in plans.items():
        reference = plan["reference"]
        kept = [lv for lv in plan["levels"] if lv not in plan["rare"] and lv != reference]
        for lv in kept:
            info[F.level_feature(col, lv)] = {"column": col, "kind": "level", "level": lv, "reference": reference}
            levels[F.level_feature(col, lv)] = {"column": col, "reference": reference}
        if plan["rare"]:
            label = F.rare_label(len(plan["rare"]), plan["levels"])
            name = names[F.level_feature(col, INFREQUENT)] = F.level_feature(col, label)
            info[name] = {"column": col, "kind": "rare_levels", "label": label, "members": plan["rare"],
                          "reference": reference}
            levels[name] = {"column": col, "reference": reference}
            grouped[col] = plan["rare"]
        unseen = sorted(set(df.loc[test_idx, col].dropna().astype(str)) - set(plan["levels"]))
        if unseen:
            notes.setdefault("unseen_levels", {})[col] = unseen
    for col, plan in plans.items():
        step = ct.named_transformers_[col]
        encoder = step[-1] if hasattr(step, "steps") else step
        found = encoder.infrequent_categories_[0] if plan["rare"] else None
        if sorted(map(str, found if found is not None else [])) != plan["rare"]:
            raise RuntimeError(f"{col!r}: OneHotEncoder grouped {found}, the plan {plan['rare']}")
    table = table.rename(columns=names)
    if table.columns.duplicated().any():
        dup = table.columns[table.columns.duplicated()][0]
        raise InputError(f"{path}: the encoded column {dup!r} is made twice (a column of that name exists beside "
                         "a one-hot level); rename the column or drop one")
    for col in numbers:
        values = table[col]
        info[col]["kind"] = "integer" if bool((values == np.round(values)).all()) else "number"
    fills = {}
    for col, rule in fill.items():
        if col == tcol or col not in ct.named_transformers_:
            continue
        step = ct.named_transformers_[col]
        imputer = step[0] if hasattr(step, "steps") else step
        value = imputer.statistics_[0] if hasattr(imputer, "statistics_") else None
        value = value.item() if hasattr(value, "item") else value
        if rule in FILL_RULES:
            fills[col] = {"rule": rule, "value": value}
        if df[col].isna().any():
            for f in info.values():
                if f["column"] == col:
                    f["filled"] = {"rule": rule if rule in FILL_RULES else "constant", "value": value}
    notes["fills"] = fills
    notes["grouped_levels"] = grouped
    notes["levels"] = levels
    features = [c for c in table.columns]
    notes["feature_info"] = {f: {"filled": None, **info[f]} for f in features}

    table = pd.concat([table, y.rename(target_name(ds))], axis=1)  # one block: no fragmented frame
    table.index.name = INDEX
    train, test = table.loc[train_idx], table.loc[test_idx]
    # What the linear model standardises (its own pipeline's scaler, fitted on the same rows): the
    # train split's mean and standard deviation (ddof 0; a constant column keeps 1).
    notes["scale"] = {}
    for c in pre["scale"]:
        std = float(train[c].std(ddof=0))
        notes["scale"][c] = {"mean": float(train[c].mean()), "std": std if std > 0 else 1.0}
    return train, test, notes


def feature_columns(table: pd.DataFrame, ds: dict) -> list[str]:
    return [c for c in table.columns if c != target_name(ds)]


def read_source(path, source: dict) -> pd.DataFrame:
    from ..sources.csvfile import read_table

    return read_table(path, encoding=source["encoding"], sep=source["sep"], na_values=source["na_values"],
                      decimal=source.get("decimal", "."), thousands=source.get("thousands", "none"))


def meta(name: str, ds: dict, path, train: pd.DataFrame, test: pd.DataFrame, notes: dict, dropped: dict) -> dict:
    """What every later rule needs to know about the table, beside the table itself."""
    return {
        "dataset": name,
        "source": str(Path(path)),
        "task": ds["task"],
        "target": target_name(ds),
        "target_column": ds["target"]["column"],
        "describe": ds["describe"],
        "features": feature_columns(train, ds),
        "classes": ds["target"].get("classes"),
        "rows": {"all": len(train) + len(test), "train": len(train), "test": len(test),
                 "without_target": notes["rows_without_target"]},
        # The columns the linear model standardises, with the train split's mean and standard deviation.
        "scale": notes["scale"],
        "fills": notes["fills"],
        "grouped_levels": notes["grouped_levels"],
        "levels": notes["levels"],
        # What each feature is: kind, column, levels, fill (mlviz.compute.features).
        "feature_info": notes["feature_info"],
        "unseen_levels": notes.get("unseen_levels", {}),
        "dropped": dropped,
    }
