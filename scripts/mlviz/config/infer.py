"""What a dataset's config leaves to the data (`auto`), decided from the summary of its table
(mlviz.sources.profile): the task, the classes, the preprocessing recipe and the models. The result is
the dataset's config with every choice spelt out, so that a user can copy it from the run's
resolved config and edit any one of them.

Rules (config/README.md says the same):
- task: classification for text or yes/no targets and for whole-number targets with at most
  MAX_INTEGER_CLASSES distinct values; regression otherwise.
- classes: numbers in numeric order; for two classes the positive (second) one is the "yes" of a
  yes/no pair (1, true, yes, ...), else the rarer class; for more, text labels in sorted order.
- columns: empty, constant and ID-like columns are dropped (ID-like: a text column with a
  different value in every row, or a whole-number column with a different value in every row
  named like an ID, counting up or numbering the rows in any order, unless named as a time);
  text with more distinct values than half its rows is dropped (free text when its values hold
  several words, else nearly an identifier); text columns with two levels become 0/1;
  other text columns are one-hot encoded with the most frequent level as reference, levels rarer
  than `rare_levels` (and beyond the `max_levels` most frequent) joining one infrequent group
  unless only one level would; numbers are kept; the linear model standardises those with more
  than two values; missing values are filled with the median (numbers) or the most frequent value
  (text), fitted on the train split.
"""
from __future__ import annotations

import re

from ..errors import InputError
from .estimators import ESTIMATORS

MAX_INTEGER_CLASSES = 20
MIN_ROWS_PER_CLASS = 5  # on average, for a whole-number target to be read as classes
MOSTLY_EMPTY = 0.5  # a column empty in more than this share of rows is dropped, not filled
MAX_CLASSES = 100
FREE_TEXT_WORDS = 3  # mean words per value from which a column with mostly distinct values is prose
ROW_NUMBER_SPAN = 2  # unique whole numbers spanning less than this many values per row number the rows
FILL_RULES = ("median", "mean", "most_frequent")
# (negative, positive) spellings of a yes/no pair, compared in lower case.
YES_NO = [("0", "1"), ("false", "true"), ("no", "yes"), ("n", "y"), ("f", "t"), ("off", "on"),
          ("negative", "positive"), ("neg", "pos"), ("absent", "present"), ("fail", "pass")]
_ID_NAME = re.compile(r"(^|[_\W])(id|ids|uuid|guid|key|index|idx)$|^(id|uuid|guid)([_\W]|$)|^row_?(id|num|number)$",
                      re.IGNORECASE)

# A whole number that counts time (year 1950, 1951, ...) rises by one per row like a row number, but
# it is a quantity the models can use (a trend), not a label of the row.
_TIME_NAME = re.compile(r"(^|[_\W])(year|yr|month|week|day|hour|quarter|period|season|time)s?([_\W]|$)",
                        re.IGNORECASE)

DEFAULT_MODELS = {
    "classification": {
        "decision_tree": {"type": "decision_tree", "params": {"max_depth": 3, "random_state": 42}},
        "random_forest": {"type": "random_forest", "params": {"n_estimators": 100, "random_state": 42,
                                                              "n_jobs": 1}},
        "xgboost": {"type": "xgboost", "params": {"random_state": 42, "n_jobs": 1}},
        "linear": {"type": "linear", "params": {"max_iter": 1000}},
    },
    "regression": {
        "decision_tree": {"type": "decision_tree", "params": {"max_depth": 3, "random_state": 42}},
        "random_forest": {"type": "random_forest", "params": {"n_estimators": 100, "random_state": 42,
                                                              "n_jobs": 1}},
        "xgboost": {"type": "xgboost", "params": {"random_state": 42, "n_jobs": 1}},
        "linear": {"type": "linear", "params": {}},
    },
}


# ----------------------------------------------------------------------------- labels
def canonical(value, numeric: bool) -> str:
    """A label as text: numbers without a trailing .0 (1, 2.5), text as written."""
    if numeric:
        x = float(value)
        return str(int(x)) if x.is_integer() else repr(x)
    return str(value)


def config_label(value, labels: list[str], key: str) -> str:
    """A label written in config (text, a number or a YAML boolean) as the data's label text."""
    if isinstance(value, bool):
        words = {v for pair in YES_NO for v in (pair[1] if value else pair[0],)}
        hits = [lab for lab in labels if lab.lower() in words]
        if len(hits) == 1:
            return hits[0]
        raise InputError(f"config key {key}: {str(value).lower()} was read by YAML as a yes/no value; quote the "
                         f"label as it is written in the data (one of: {', '.join(map(repr, labels))})")
    if isinstance(value, (int, float)):
        text = canonical(value, True)
        if text in labels:
            return text
        raise InputError(f"config key {key}: {value!r} is not a label of the data "
                         f"(expected one of: {', '.join(map(repr, labels))})")
    return str(value)


def _pair_order(labels: list[str]) -> list[str] | None:
    low = {lab.lower(): lab for lab in labels}
    for neg, pos in YES_NO:
        if set(low) == {neg, pos}:
            return [low[neg], low[pos]]
    return None


def target_counts(ds: dict, col: dict, path) -> tuple[dict[str, int], int, bool]:
    """Label → rows of the target after a constant fill and `map`, rows without a target, and
    whether the labels are numbers."""
    fill = ds["preprocess"]["fill_missing"].get(ds["target"]["column"])
    numeric = col["numeric"] and (fill is None or _is_number(fill))
    counts: dict[str, int] = {}
    for raw, n in col["levels"]:
        lab = canonical(raw, numeric)
        counts[lab] = counts.get(lab, 0) + n
    missing = col["missing"]
    if missing and fill is not None and fill not in FILL_RULES:
        lab = canonical(fill, numeric) if not isinstance(fill, bool) else str(fill)
        counts[lab] = counts.get(lab, 0) + missing
        missing = 0
    mapping = ds["target"].get("map") or {}
    if mapping:
        labels = list(counts)
        merged: dict[str, int] = {}
        for lab, n in counts.items():
            new = lab
            for k, v in mapping.items():
                if config_label(k, labels, "datasets.<name>.target.map") == lab:
                    new = canonical(v, True) if _is_number(v) else str(v)
            merged[new] = merged.get(new, 0) + n
        counts = merged
        numeric = all(_is_number(k) for k in counts)
    return counts, missing, numeric


def _is_number(x) -> bool:
    if isinstance(x, bool):
        return False
    try:
        float(x)
        return True
    except (TypeError, ValueError):
        return False


def infer_task(col: dict, counts: dict[str, int], numeric: bool) -> str:
    """Whole numbers with few distinct values, each shared by several rows, are classes (0/1, 1-5
    ratings, 0-9 digits); a count that is nearly unique per row is a quantity."""
    rows = sum(counts.values())
    if numeric and col.get("integer", False) and len(counts) <= MAX_INTEGER_CLASSES \
            and rows >= MIN_ROWS_PER_CLASS * len(counts):
        return "classification"
    return "regression" if numeric else "classification"


def order_classes(counts: dict[str, int], numeric: bool) -> list[str]:
    labels = list(counts)
    if numeric:
        return sorted(labels, key=float)
    if len(labels) == 2:
        pair = _pair_order(labels)
        if pair:
            return pair
        a, b = sorted(labels)
        # The rarer class is the positive one (the class of interest is usually the rare one).
        return [a, b] if counts[b] < counts[a] or counts[a] == counts[b] else [b, a]
    return sorted(labels)


# ----------------------------------------------------------------------------- columns
def _id_like(name: str, col: dict, rows: int) -> bool:
    """A different value in every row: text; or whole numbers named like an ID, or counting up, or
    numbering the rows in any order (R's row names, shuffled with their table: the numbers span
    about as many values as there are rows), unless named as a time (a year counts up like a row
    number, but is a quantity the models can use). A quantity can differ in every row too (2,118
    and 1,551,668 euros of turnover), but its numbers do not number the rows."""
    present = rows - col["missing"]
    if present < 2 or col["distinct"] != present:
        return False
    if not col["numeric"]:
        return True
    if not col.get("integer"):
        return False
    if _ID_NAME.search(name):
        return True
    dense = col["max"] - col["min"] < ROW_NUMBER_SPAN * present
    return (col.get("monotonic", False) or dense) and not _TIME_NAME.search(name)


def _target_id_like(name: str, col: dict, rows: int) -> bool:
    """A target that labels its row instead of describing it: different text in every row, or whole
    numbers named like an ID or counting up (a quantity may well differ in every row)."""
    present = rows - col["missing"]
    if present < 2 or col["distinct"] != present:
        return False
    if not col["numeric"]:
        return present >= 20  # fewer rows: the class checks say what is wrong
    return bool(col.get("integer")) and (bool(_ID_NAME.search(name)) or
                                         (col.get("monotonic", False) and not _TIME_NAME.search(name)))


def _words(col: dict) -> float:
    """Mean words per value (over the column's most frequent values, weighted by their rows)."""
    levels = col["levels"]
    rows = sum(n for _, n in levels) or 1
    return sum(len(str(v).split()) * n for v, n in levels) / rows


def _binary_map(levels: list[str]) -> dict[str, int]:
    pair = _pair_order(levels) or sorted(levels)
    return {pair[0]: 0, pair[1]: 1}


def _kept_levels(col: dict, rows: int, rare: float) -> int:
    present = max(rows - col["missing"], 1)
    common = sum(1 for _, n in col["levels"] if n / present >= rare)
    others = col["distinct"] - common
    return common + (1 if others else 0)


def resolve_columns(name: str, ds: dict, profile: dict, path) -> tuple[dict, dict]:
    """The recipe with every column's treatment spelt out, and notes on what was inferred
    ({dropped: {column: {reason, and the numbers behind it}}})."""
    pre = ds["preprocess"]
    key = f"datasets.{name}.preprocess"
    cols = profile["profile"]
    rows = profile["rows"]
    tcol = ds["target"]["column"]
    for role in ("fill_missing", "binary", "one_hot"):
        for c in pre[role]:
            if c not in cols:
                raise _missing_column(path, c, f"{key}.{role}", profile)
    for role in ("drop", "scale"):
        if isinstance(pre[role], list):
            for c in pre[role]:
                if c not in cols:
                    raise _missing_column(path, c, f"{key}.{role}", profile)

    # Why each column is dropped, as a reason and the numbers behind it (the article words it:
    # report/blocks/_words.md, `dropped`).
    dropped: dict[str, dict] = {}
    if pre["drop"] == "auto":
        explicit = set(pre["binary"]) | set(pre["one_hot"]) | set(pre["fill_missing"])
        if isinstance(pre["scale"], list):
            explicit |= set(pre["scale"])
        for c in profile["columns"]:
            col = cols[c]
            if c == tcol or c in explicit:
                continue
            present = rows - col["missing"]
            if col["missing"] == rows:
                dropped[c] = {"reason": "empty"}
            elif col["missing"] > MOSTLY_EMPTY * rows:
                dropped[c] = {"reason": "mostly_empty", "missing": col["missing"], "rows": rows}
            elif col["distinct"] == 1:
                dropped[c] = {"reason": "constant", "value": str(col["levels"][0][0])}
            elif col.get("date") and (col["distinct"] > 0.5 * present or
                                      not 2 <= _kept_levels(col, rows, pre["rare_levels"]) <= pre["max_levels"]):
                # Too many dates to make each one a level; a few (survey waves, model years) are kept.
                dropped[c] = {"reason": "dates", "distinct": col["distinct"], "present": present}
            elif _id_like(c, col, rows):
                dropped[c] = {"reason": "identifier", "numeric": bool(col["numeric"])}
            elif not col["numeric"] and col["distinct"] > 2 and col["distinct"] > 0.5 * present:
                # A label of (nearly) each row, or prose: no level common enough to learn from.
                dropped[c] = ({"reason": "free_text", "distinct": col["distinct"], "present": present,
                               "words": round(_words(col), 1)} if _words(col) >= FREE_TEXT_WORDS else
                              {"reason": "nearly_identifier", "distinct": col["distinct"], "present": present})
            elif not col["numeric"] and col["distinct"] > 2 and _kept_levels(col, rows, pre["rare_levels"]) < 2:
                dropped[c] = {"reason": "rare_levels", "distinct": col["distinct"], "share": pre["rare_levels"]}
        drop = list(dropped)
    else:
        drop = list(pre["drop"])
        dropped = {c: {"reason": "listed"} for c in drop}
    if tcol in drop:
        raise InputError(f"config key {key}.drop: {tcol!r} is the target column")

    features = [c for c in profile["columns"] if c != tcol and c not in drop]
    binary = {c: dict(m) for c, m in pre["binary"].items()}
    for c, mapping in binary.items():
        bad = [k for k in mapping if not isinstance(k, str)]
        if bad:
            raise InputError(f"config key {key}.binary.{c}: label {bad[0]!r} is not text; quote labels such as "
                             "\"TRUE\", \"no\" so YAML keeps them as written")
        if sorted(mapping.values()) != [0, 1]:
            raise InputError(f"config key {key}.binary.{c}: expected one label mapped to 0 and one to 1")
    one_hot = {c: dict(s) for c, s in pre["one_hot"].items()}
    for c, spec in one_hot.items():
        if "drop" in spec and spec.get("drop_first"):
            raise InputError(f"config key {key}.one_hot.{c}: give either drop or drop_first, not both")
        if "drop" in spec:
            spec["drop"] = str(spec["drop"])
    roles: dict[str, str] = {}
    for role, members in (("drop", drop), ("binary", binary), ("one_hot", one_hot),
                          ("scale", pre["scale"] if isinstance(pre["scale"], list) else [])):
        for c in members:
            if c in roles:
                raise InputError(f"config key {key}: column {c!r} is under both {roles[c]} and {role}")
            if c == tcol:
                raise InputError(f"config key {key}.{role}: {tcol!r} is the target column")
            roles[c] = role

    numbers = []
    for c in features:
        col = cols[c]
        if c in binary or c in one_hot:
            continue
        if col["numeric"]:
            numbers.append(c)
            continue
        if col["missing"] == rows:
            raise InputError(f"{path}: column {c!r} is empty in every row "
                             f"(expected values; drop it under {key}.drop)")
        share = col["numeric_share"]
        if share >= 0.9 and "first_text" in col and col["first_text"]["distinct"] <= 3:
            t = col["first_text"]
            raise InputError(f"{path}: column {c!r} holds numbers except for text such as {t['value']!r} at line "
                             f"{t['line']} (expected a number; add the text to the source's na_values if it "
                             f"means missing, or list the column under {key}.one_hot or drop)")
        levels = [lv for lv, _ in col["levels"]]
        if col["distinct"] == 2:
            binary[c] = _binary_map(levels)
        else:
            one_hot[c] = {"drop": levels[0], "min_frequency": pre["rare_levels"], "max_levels": pre["max_levels"]}

    if pre["scale"] == "auto":
        scale = [c for c in numbers if cols[c]["distinct"] > 2]
    else:
        scale = list(pre["scale"])
        for c in scale:
            if c in binary or c in one_hot or c not in features:
                raise InputError(f"config key {key}.scale: {c!r} is not a numeric feature column")
            if not cols[c]["numeric"]:
                raise InputError(f"config key {key}.scale: column {c!r} holds text, not numbers")

    fill = {}
    for c, rule in pre["fill_missing"].items():
        fill[c] = rule
    for c in features:
        if c not in fill and cols[c]["missing"]:
            fill[c] = "median" if c in numbers else "most_frequent"
    for c, rule in fill.items():
        if rule in ("median", "mean") and c != tcol and c not in numbers:
            raise InputError(f"config key {key}.fill_missing.{c}: {rule} needs numbers, but column {c!r} "
                             "holds text (use most_frequent or a constant)")
    notes = {"dropped": dropped, "columns_kept": len(features)}
    recipe = {"drop": drop, "fill_missing": fill, "binary": binary, "one_hot": one_hot, "scale": scale,
              "rare_levels": pre["rare_levels"], "max_levels": pre["max_levels"]}
    return recipe, notes


def _missing_column(path, column: str, key: str, profile: dict) -> InputError:
    return InputError(f"{path}: no column {column!r} (named by config key {key}; the file has: "
                      f"{', '.join(profile['columns'])})")


# ----------------------------------------------------------------------------- the dataset
def resolve_dataset(name: str, ds: dict, profile: dict, path) -> tuple[dict, dict]:
    """The dataset's config with task, classes, recipe, split and models decided, and notes."""
    key = f"datasets.{name}"
    tcol = ds["target"]["column"]
    if tcol not in profile["profile"]:
        raise _missing_column(path, tcol, f"{key}.target.column", profile)
    col = profile["profile"][tcol]
    counts, unlabelled, numeric = target_counts(ds, col, path)
    task = ds["task"] if ds["task"] != "auto" else infer_task(col, counts, numeric)
    target = {k: v for k, v in ds["target"].items()}
    notes = {"rows": profile["rows"], "rows_without_target": unlabelled}
    if unlabelled == profile["rows"]:
        raise InputError(f"{path}: column {tcol!r} (target) is empty in every row")
    if _target_id_like(tcol, col, profile["rows"]):
        raise InputError(f"{path}: column {tcol!r} (target) is an identifier: a different value in each of its "
                         f"{col['distinct']:,} rows, nothing to learn (expected a label or a quantity shared by "
                         f"several rows; set {key}.target.column to the column to predict)")
    if task == "classification":
        if col["distinct"] > MAX_CLASSES:
            advice = (f"set {key}.task: regression to predict it as a quantity" if numeric else
                      f"merge its labels into fewer classes with {key}.target.map, or predict another column")
            raise InputError(f"{path}: column {tcol!r} (target) has {col['distinct']:,} distinct values, too many "
                             f"classes for classification (expected at most {MAX_CLASSES}); {advice}")
        labels = list(counts)
        if ds["target"]["classes"] == "auto":
            classes = order_classes(counts, numeric)
        else:
            classes = [config_label(c, labels, f"{key}.target.classes") for c in ds["target"]["classes"]]
            unknown = sorted(set(labels) - set(classes))
            if unknown:
                raise InputError(f"{path}: column {tcol!r} (target) has label(s) {', '.join(map(repr, unknown))} "
                                 f"(expected one of {', '.join(map(repr, classes))} after fill_missing "
                                 f"and map; config key {key}.target.classes)")
        present = [c for c in classes if counts.get(c, 0) > 0]
        if len(present) < 2:
            only = repr(present[0]) if present else "none"
            raise InputError(f"{path}: column {tcol!r} (target) has a single class ({only}) in "
                             f"{sum(counts.values())} rows (expected at least two classes to classify)")
        few = [c for c in classes if counts.get(c, 0) < 2]
        if few:
            listed = ", ".join(f"{c!r} ({counts.get(c, 0)} row{'' if counts.get(c, 0) == 1 else 's'})" for c in few)
            raise InputError(f"{path}: column {tcol!r} (target): class(es) {listed} cannot be in both the train "
                             f"and the test split (expected at least 2 rows per class; merge rare classes with "
                             f"config key {key}.target.map, e.g. {{{few[0]}: other}}, or leave their rows out)")
        target["classes"] = classes
        notes["class_counts"] = {c: int(counts.get(c, 0)) for c in classes}
        if target.get("map"):
            target["map"] = {str(config_label(k, list(_raw_labels(col, numeric)), f"{key}.target.map")
                                 if not isinstance(k, str) else k): (canonical(v, True) if _is_number(v) else str(v))
                             for k, v in target["map"].items()}
    else:
        if not col["numeric"]:
            t = col.get("first_text") or {"value": col["levels"][0][0], "line": col.get("first_line")}
            raise InputError(f"{path}: column {tcol!r} (target) has text {t['value']!r} at line {t['line']} "
                             f"(expected numbers for regression; config key {key}.task)")
        if target.get("classes") not in (None, "auto") or target.get("map"):
            raise InputError(f"config key {key}.target: 'classes' and 'map' are for classification; "
                             "task is regression")
        target.pop("classes", None)
    recipe, col_notes = resolve_columns(name, ds, profile, path)
    notes.update(col_notes)
    split = dict(ds["split"])
    if split["stratify"] == "auto":
        split["stratify"] = task == "classification" and min(notes.get("class_counts", {0: 0}).values()) >= 2
    models = ds["models"] if ds["models"] != "auto" else DEFAULT_MODELS[task]
    for mname, model in models.items():
        cls_module, cls_name, accepted, _ = ESTIMATORS[(model["type"], task)]
        for p in model.get("params", {}):
            if p not in accepted:
                raise InputError(f"config key {key}.models.{mname}.params.{p}: not a parameter of "
                                 f"{cls_name} (expected one of: {', '.join(sorted(accepted))})")
    out = {**ds, "task": task, "target": target, "preprocess": recipe, "split": split,
           "models": {m: {"type": v["type"], "params": dict(v.get("params", {}))} for m, v in models.items()}}
    describe = dict(ds["describe"])
    describe.setdefault("rows", describe["row"] + "s")
    describe.setdefault("target", target.get("rename", tcol))
    out["describe"] = describe
    return out, notes


def _raw_labels(col: dict, numeric: bool) -> list[str]:
    return [canonical(v, numeric) for v, _ in col["levels"]]
