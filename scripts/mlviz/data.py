"""Raw CSV → validated, preprocessed feature table, driven only by a dataset's config entry.

The recipe runs in a fixed order: drop → fill_missing → target map/encode → binary → one-hot →
numeric check. Scaling is fitted on the training split only (the tutorial scales before
splitting, which leaks test statistics into training; the columns are the same either way).
Every check raises InputError naming the file, the column and what was expected.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .rawcsv import read_header
from .recipe import referenced_columns

INDEX = "row"  # 0-based data-row number in the raw CSV, kept as the parquet index


def _line(row: int) -> int:
    return int(row) + 2  # header is line 1


def read_raw(path: str | Path) -> pd.DataFrame:
    """All columns as text (so that nothing is guessed), empty cells as missing. Never writes."""
    read_header(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    df.columns = [c.strip() for c in df.columns]
    df.index.name = INDEX
    return df


def target_name(ds: dict) -> str:
    return ds["target"].get("rename", ds["target"]["column"])


def prepare(raw: pd.DataFrame, ds: dict, path: str | Path) -> pd.DataFrame:
    """Validated features plus the encoded target (last column), before scaling."""
    pre = ds.get("preprocess", {})
    tcol = ds["target"]["column"]
    missing = [c for c in referenced_columns(ds) if c not in raw.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(map(repr, missing))} "
                         f"(expected by the dataset's preprocess/target config)")
    df = raw.drop(columns=pre.get("drop", []))
    empty = [c for c in df.columns if df[c].isna().all()]
    if empty:
        raise InputError(f"{path}: column {empty[0]!r} is empty in every row "
                         "(expected values; drop it under preprocess.drop)")
    fills = pre.get("fill_missing", {})
    for col, value in fills.items():
        if col in df.columns:
            df[col] = df[col].fillna(str(value))

    # Target.
    y = df.pop(tcol)
    if y.isna().any():
        raise InputError(f"{path}: column {tcol!r} (target) has {int(y.isna().sum())} empty value(s), first at line "
                         f"{_line(y.index[y.isna()][0])} (expected a label; add it under preprocess.fill_missing)")
    if ds["task"] == "classification":
        y = y.replace(ds["target"].get("map", {}))
        classes = ds["target"]["classes"]
        unknown = sorted(set(y.unique()) - set(classes))
        if unknown:
            raise InputError(f"{path}: column {tcol!r} (target) has label(s) {', '.join(map(repr, unknown))} "
                             f"(expected one of {', '.join(map(repr, classes))} after fill_missing and map)")
        y = y.map({c: i for i, c in enumerate(classes)}).astype("int64")
    else:
        y = _numeric(y, tcol, path)

    # Two-valued columns → 0/1, in place.
    for col, mapping in pre.get("binary", {}).items():
        values = df[col]
        bad = values[~values.isin(list(mapping))]
        if len(bad):
            shown = "empty" if pd.isna(bad.iloc[0]) else repr(bad.iloc[0])
            raise InputError(f"{path}: column {col!r} has value {shown} at line {_line(bad.index[0])} "
                             f"(expected one of {', '.join(map(repr, mapping))})")
        df[col] = values.map(mapping).astype("int64")

    # One-hot columns → dummies appended at the end, reference level dropped.
    dummies = []
    for col, spec in pre.get("one_hot", {}).items():
        values = df.pop(col)
        if values.isna().any():
            raise InputError(f"{path}: column {col!r} has {int(values.isna().sum())} empty value(s), first at line "
                             f"{_line(values.index[values.isna()][0])} (expected a category; add it under preprocess.fill_missing)")
        d = pd.get_dummies(values, prefix=col, prefix_sep="_", dtype="int64")
        d = d[sorted(d.columns)]
        if spec.get("drop_first"):
            d = d.iloc[:, 1:]
        elif "drop" in spec:
            ref = f"{col}_{spec['drop']}"
            if ref not in d.columns:
                raise InputError(f"{path}: column {col!r} has no level {spec['drop']!r} to drop as reference "
                                 f"(levels: {', '.join(sorted(values.unique()))})")
            d = d.drop(columns=ref)
        dummies.append(d)

    # Everything else must be a number.
    for col in df.columns:
        if col in pre.get("binary", {}):
            continue
        df[col] = _numeric(df[col], col, path)
        if df[col].isna().any():
            raise InputError(f"{path}: column {col!r} has {int(df[col].isna().sum())} empty value(s), first at line "
                             f"{_line(df.index[df[col].isna()][0])} (expected a number; add it under preprocess.fill_missing or drop the column)")

    out = pd.concat([df, *dummies], axis=1)
    out[target_name(ds)] = y
    return out


def _numeric(values: pd.Series, col: str, path) -> pd.Series:
    num = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & num.isna()
    if bad.any():
        i = values.index[bad][0]
        raise InputError(f"{path}: column {col!r} has text {values[i]!r} at line {_line(i)} "
                         "(expected a number; list the column under preprocess.one_hot, binary or drop)")
    return num.astype("float64")


def split(table: pd.DataFrame, ds: dict, name: str = "<dataset>") -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.model_selection import train_test_split

    cfg = {"test_size": 0.25, "random_state": 42, "stratify": False, **ds.get("split", {})}
    target = target_name(ds)
    strat = table[target] if cfg["stratify"] else None
    if strat is not None and strat.value_counts().min() < 2:
        raise InputError(f"config key datasets.{name}.split.stratify: class {strat.value_counts().idxmin()} has fewer "
                         "than 2 rows; stratification needs at least 2 per class")
    train, test = train_test_split(table, test_size=cfg["test_size"], random_state=cfg["random_state"],
                                   stratify=strat)
    if len(train) == 0 or len(test) == 0:
        raise InputError(f"config key datasets.{name}.split.test_size: {cfg['test_size']} leaves an empty split "
                         f"for {len(table)} rows")
    scale = ds.get("preprocess", {}).get("scale", [])
    if scale:
        mean = train[scale].mean()
        std = train[scale].std(ddof=0).replace(0.0, 1.0)
        train, test = train.copy(), test.copy()
        train[scale] = (train[scale] - mean) / std
        test[scale] = (test[scale] - mean) / std
    return train, test


def feature_columns(table: pd.DataFrame, ds: dict) -> list[str]:
    return [c for c in table.columns if c != target_name(ds)]


def xy(table: pd.DataFrame, ds: dict) -> tuple[pd.DataFrame, np.ndarray]:
    return table[feature_columns(table, ds)], table[target_name(ds)].to_numpy()
