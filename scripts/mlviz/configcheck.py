"""Checks of the config that the JSON schema cannot express, run at parse time before any job.

Each failure raises InputError naming the config key and what was expected.
"""
from __future__ import annotations

from .errors import InputError
from .rawcsv import read_header
from .registry import ESTIMATORS


def referenced_columns(ds: dict) -> list[str]:
    """Raw columns a dataset's recipe names (and so must exist in its CSV)."""
    pre = ds.get("preprocess", {})
    cols = [ds["target"]["column"], *pre.get("drop", []), *pre.get("fill_missing", {}),
            *pre.get("binary", {}), *pre.get("one_hot", {}), *pre.get("scale", [])]
    return list(dict.fromkeys(cols))


def check_dataset(name: str, ds: dict, sources: dict) -> None:
    key = f"datasets.{name}"
    if ds["source"] not in sources:
        raise InputError(f"config key {key}.source: unknown source {ds['source']!r} "
                         f"(expected one of: {', '.join(sources)})")
    target = ds["target"]
    if ds["task"] == "classification" and "classes" not in target:
        raise InputError(f"config key {key}.target.classes: missing (a classification dataset lists its class labels)")
    if ds["task"] == "regression" and ("classes" in target or "map" in target):
        raise InputError(f"config key {key}.target: 'classes' and 'map' are for classification; task is regression")
    pre = ds.get("preprocess", {})
    for col, mapping in pre.get("binary", {}).items():
        bad = [k for k in mapping if not isinstance(k, str)]
        if bad:
            raise InputError(f"config key {key}.preprocess.binary.{col}: label {bad[0]!r} is not text; "
                             "quote labels such as \"TRUE\", \"no\" so YAML keeps them as written")
        if sorted(mapping.values()) != [0, 1]:
            raise InputError(f"config key {key}.preprocess.binary.{col}: expected one label mapped to 0 and one to 1")
    for col, spec in pre.get("one_hot", {}).items():
        if "drop" in spec and spec.get("drop_first"):
            raise InputError(f"config key {key}.preprocess.one_hot.{col}: give either drop or drop_first, not both")
    # A column may be transformed one way only.
    roles: dict[str, str] = {}
    for role in ("drop", "binary", "one_hot", "scale"):
        for col in pre.get(role, []):
            if col in roles:
                raise InputError(f"config key {key}.preprocess: column {col!r} is under both {roles[col]} and {role}")
            roles[col] = role
    if target["column"] in roles:
        raise InputError(f"config key {key}.preprocess.{roles[target['column']]}: {target['column']!r} is the target column")
    for mname, model in ds["models"].items():
        cls_module, cls_name, accepted, _ = ESTIMATORS[(model["type"], ds["task"])]
        for p in model.get("params", {}):
            if p not in accepted:
                raise InputError(f"config key {key}.models.{mname}.params.{p}: not a parameter of "
                                 f"{cls_name} (expected one of: {', '.join(sorted(accepted))})")


def check_source_file(name: str, src: dict, datasets: dict) -> None:
    """Header-level checks of a CSV source; the full content is checked by the preprocess rule."""
    header = read_header(src["path"])
    for dname, ds in datasets.items():
        if ds["source"] != name:
            continue
        missing = [c for c in referenced_columns(ds) if c not in header]
        if missing:
            raise InputError(f"{src['path']}: missing column(s) {', '.join(map(repr, missing))} "
                             f"named by config key datasets.{dname} (the file has: {', '.join(header)})")


def check_config(config: dict) -> None:
    sources, datasets = config["sources"], config["datasets"]
    for name, src in sources.items():
        if "generator" in src and "path" in src:
            raise InputError(f"config key sources.{name}: give either path or generator, not both")
        if "path" in src and ("rows" in src or "seed" in src):
            raise InputError(f"config key sources.{name}: rows and seed are for generators, not for a CSV path")
    for name, ds in datasets.items():
        check_dataset(name, ds, sources)
    for name, src in sources.items():
        if "path" in src:
            check_source_file(name, src, datasets)
    # >>> checks of later sections (figures, neural, report) are appended below
