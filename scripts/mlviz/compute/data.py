"""Raw CSV → validated, preprocessed train and test tables, driven only by a dataset's resolved
recipe (mlviz.config.infer spells out every column's treatment).

The recipe runs in a fixed order: drop → constant fills → target (rows without one are left out,
labels mapped and encoded) → split → fills fitted on the train split (median, mean, most
frequent) → two-level columns to 0/1 → one-hot (levels rarer than min_frequency in the train
split join one level, other) → numeric check → scaling fitted on the train split. Statistics come
from the train split only, so nothing of the test rows leaks into training (the tutorial scales
before splitting; the columns are the same either way). Fills, grouping and scaling are plain
pandas so that text columns stay text until they are encoded and an explicit recipe gives the
same numbers as mlviz always has. Every check raises InputError naming the file, the column and
what was expected.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError
from ..config.infer import FILL_RULES, canonical

INDEX = "row"  # 0-based data-row number in the raw CSV, kept as the parquet index
OTHER = "other"


def _line(row: int) -> int:
    return int(row) + 2  # the header is line 1


def target_name(ds: dict) -> str:
    return ds["target"].get("rename", ds["target"]["column"])


def _numeric(values: pd.Series, col: str, path) -> pd.Series:
    num = pd.to_numeric(values.str.strip() if values.dtype == object or pd.api.types.is_string_dtype(values)
                        else values, errors="coerce")
    bad = values.notna() & num.isna()
    if bad.any():
        i = values.index[bad][0]
        raise InputError(f"{path}: column {col!r} has text {values[i]!r} at line {_line(i)} "
                         "(expected a number; list the column under preprocess.one_hot, binary or drop)")
    return num.astype("float64")


def _encode_target(y: pd.Series, ds: dict, path) -> pd.Series:
    tcol = ds["target"]["column"]
    if ds["task"] == "regression":
        return _numeric(y, tcol, path)
    classes = ds["target"]["classes"]
    numeric = all(_is_number(c) for c in classes) and pd.to_numeric(y, errors="coerce").notna().all()
    if numeric:
        y = y.map(lambda v: canonical(v, True))
    y = y.replace(ds["target"].get("map", {}))
    unknown = ~y.isin(classes)
    if unknown.any():
        labels = sorted(set(y[unknown]))
        raise InputError(f"{path}: column {tcol!r} (target) has label(s) {', '.join(map(repr, labels))}, first at "
                         f"line {_line(y.index[unknown][0])} (expected one of {', '.join(map(repr, classes))} after "
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


def _fill_value(values: pd.Series, rule, numeric: bool):
    if rule == "median":
        return float(values.median())
    if rule == "mean":
        return float(values.mean())
    if rule == "most_frequent":
        counts = values.value_counts()
        # Ties go to the smallest value, as scikit-learn's SimpleImputer does.
        return sorted(counts.index[counts == counts.max()])[0]
    return rule


def preprocess(raw: pd.DataFrame, ds: dict, path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(train, test, notes): features then the encoded target (last column), index `row`."""
    pre = ds["preprocess"]
    tcol = ds["target"]["column"]
    named = [tcol, *pre["drop"], *pre["fill_missing"], *pre["binary"], *pre["one_hot"], *pre["scale"]]
    missing = [c for c in dict.fromkeys(named) if c not in raw.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(map(repr, missing))} "
                         "(expected by the dataset's preprocess/target config)")
    df = raw.drop(columns=pre["drop"])
    for col, value in pre["fill_missing"].items():
        if value not in FILL_RULES and col in df.columns:
            df[col] = df[col].fillna(str(value))

    y = df.pop(tcol)
    unlabelled = y.isna()
    notes = {"rows_without_target": int(unlabelled.sum())}
    if unlabelled.all():
        raise InputError(f"{path}: column {tcol!r} (target) is empty in every row")
    df, y = df[~unlabelled], y[~unlabelled]
    y = _encode_target(y, ds, path)
    train_idx, test_idx = split_index(df.index.to_numpy(), y, ds["split"])
    if ds["task"] == "classification":
        _check_classes_in_splits(y, train_idx, test_idx, ds, path)

    numbers = [c for c in df.columns if c not in pre["binary"] and c not in pre["one_hot"]]
    for col in numbers:
        df[col] = _numeric(df[col], col, path)
    fills = {}
    for col, rule in pre["fill_missing"].items():
        if rule in FILL_RULES and col in df.columns:
            value = _fill_value(df.loc[train_idx, col].dropna(), rule, col in numbers)
            fills[col] = {"rule": rule, "value": value}
            df[col] = df[col].fillna(value)
    notes["fills"] = fills

    # Two-valued columns → 0/1, in place.
    for col, mapping in pre["binary"].items():
        values = df[col]
        bad = values[~values.isin(list(mapping))]
        if len(bad):
            shown = "empty" if pd.isna(bad.iloc[0]) else repr(bad.iloc[0])
            raise InputError(f"{path}: column {col!r} has value {shown} at line {_line(bad.index[0])} "
                             f"(expected one of {', '.join(map(repr, mapping))})")
        df[col] = values.map(mapping).astype("int64")

    # One-hot columns → dummies appended at the end, reference level dropped.
    dummies, grouped, levels = [], {}, {}
    for col, spec in pre["one_hot"].items():
        values = df.pop(col)
        if values.isna().any():
            raise InputError(f"{path}: column {col!r} has {int(values.isna().sum())} empty value(s), first at line "
                             f"{_line(values.index[values.isna()][0])} (expected a category; add it under "
                             "preprocess.fill_missing)")
        if spec.get("min_frequency"):
            share = values.loc[train_idx].value_counts(normalize=True)
            keep = set(share.index[share >= spec["min_frequency"]])
            rare = sorted(set(values) - keep)
            if rare:
                grouped[col] = rare
                values = values.where(values.isin(keep), OTHER)
        d = pd.get_dummies(values, prefix=col, prefix_sep="_", dtype="int64")
        d = d[sorted(d.columns)]
        reference = None
        if spec.get("drop_first"):
            reference = d.columns[0][len(col) + 1:]
            d = d.iloc[:, 1:]
        elif "drop" in spec:
            ref = f"{col}_{spec['drop']}"
            if ref not in d.columns:
                raise InputError(f"{path}: column {col!r} has no level {spec['drop']!r} to drop as reference "
                                 f"(levels: {', '.join(sorted(map(str, values.unique())))})")
            reference = str(spec["drop"])
            d = d.drop(columns=ref)
        # What a level's coefficient compares: the level against the dropped one (or against the rest).
        levels.update({c: {"column": col, "reference": reference} for c in d.columns})
        dummies.append(d)
    notes["grouped_levels"] = grouped
    notes["levels"] = levels

    for col in numbers:
        if df[col].isna().any():
            raise InputError(f"{path}: column {col!r} has {int(df[col].isna().sum())} empty value(s), first at line "
                             f"{_line(df.index[df[col].isna()][0])} (expected a number; add it under "
                             "preprocess.fill_missing or drop the column)")
    table = pd.concat([df, *dummies], axis=1)
    if table.columns.duplicated().any():
        dup = table.columns[table.columns.duplicated()][0]
        raise InputError(f"{path}: the encoded column {dup!r} is made twice (a column of that name exists beside "
                         "a one-hot level); rename the column or drop one")
    table[target_name(ds)] = y
    table.index.name = INDEX
    train, test = table.loc[train_idx], table.loc[test_idx]
    scale = pre["scale"]
    notes["scale"] = {}
    if scale:
        mean = train[scale].mean()
        std = train[scale].std(ddof=0).replace(0.0, 1.0)
        train, test = train.copy(), test.copy()
        train[scale] = (train[scale] - mean) / std
        test[scale] = (test[scale] - mean) / std
        notes["scale"] = {c: {"mean": float(mean[c]), "std": float(std[c])} for c in scale}
    return train, test, notes


def feature_columns(table: pd.DataFrame, ds: dict) -> list[str]:
    return [c for c in table.columns if c != target_name(ds)]


def read_source(path, source: dict) -> pd.DataFrame:
    from ..sources.csvfile import read_table

    return read_table(path, encoding=source["encoding"], sep=source["sep"], na_values=source["na_values"])


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
        # Training-split statistics, so figures can show scaled features in their own units.
        "scale": notes["scale"],
        "fills": notes["fills"],
        "grouped_levels": notes["grouped_levels"],
        "levels": notes["levels"],
        "dropped": dropped,
    }
