"""Checks of the resolved config that the JSON schema cannot express, run at parse time before any
job: references between sections, models that fit their figures, the rows and instances to
explain against the data's size, the neural section's files. Each failure is one InputError line
naming the config key and what was expected."""
from __future__ import annotations

import math
from pathlib import Path

from ..errors import InputError
from .selection import FAMILIES, TREE_TYPES

BINARY_ONLY_SCORERS = ("roc_auc", "average_precision")
CLASSIFICATION_SCORERS = ("accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "neg_log_loss",
                          "roc_auc_ovr", "roc_auc", "average_precision")
REGRESSION_SCORERS = ("r2", "neg_root_mean_squared_error", "neg_mean_absolute_error", "neg_mean_squared_error")


def n_test(rows: int, test_size: float) -> int:
    """Rows of the test split: scikit-learn's train_test_split takes ceil(test_size · n)."""
    return math.ceil(test_size * rows)


def _model(cfg: dict, key: str, ref: dict) -> tuple[dict, dict]:
    datasets = cfg["datasets"]
    ds, m = ref["dataset"], ref["model"]
    if ds not in datasets:
        raise InputError(f"config key {key}.dataset: unknown dataset {ds!r} (expected one of: {', '.join(datasets)})")
    if m not in datasets[ds]["models"]:
        raise InputError(f"config key {key}.model: dataset {ds!r} has no model {m!r} "
                         f"(expected one of: {', '.join(datasets[ds]['models'])})")
    return datasets[ds], datasets[ds]["models"][m]


def check_figures(cfg: dict) -> None:
    figures = cfg["figures"]
    for family, list_key in FAMILIES.items():
        seen = set()
        for i, ref in enumerate(figures[family][list_key]):
            key = f"figures.{family}.{list_key}[{i}]"
            ds, model = _model(cfg, key, ref)
            pair = (ref["dataset"], ref["model"])
            if pair in seen:
                raise InputError(f"config key {key}: {pair[0]}/{pair[1]} is listed twice")
            seen.add(pair)
            mtype, task = model["type"], ds["task"]
            if family == "tree" and mtype != "decision_tree":
                raise InputError(f"config key {key}.model: {ref['model']!r} is a {mtype}; expected a model of "
                                 "type decision_tree")
            if family == "linear" and (task != "regression" or mtype != "linear"):
                raise InputError(f"config key {key}: {ref['dataset']}/{ref['model']} is a {mtype} {task} model; "
                                 "expected a linear model on a regression dataset")
            if family == "performance" and task != "classification":
                raise InputError(f"config key {key}: dataset {ref['dataset']!r} is a regression task; expected a "
                                 "classification dataset (confusion matrix, ROC, PR)")
            if family == "shap" and mtype not in TREE_TYPES:
                raise InputError(f"config key {key}.model: {ref['model']!r} is a {mtype} model; expected a tree model "
                                 f"({', '.join(TREE_TYPES)}) for Tree SHAP")
            if family == "lime" and task != "classification":
                raise InputError(f"config key {key}.dataset: {ref['dataset']!r} is a {task} dataset; expected a "
                                 "classification dataset (LIME explains class probabilities here)")
            if family == "effects" and (ref["dataset"], ref["model"]) not in \
                    {(r["dataset"], r["model"]) for r in figures["importance"]["models"]}:
                raise InputError(f"config key {key}: {ref['dataset']}/{ref['model']} has no permutation importance "
                                 "to pick its top features (list it under figures.importance.models too)")
            if family == "threshold" and (task != "classification" or len(ds["target"]["classes"]) != 2):
                raise InputError(f"config key {key}: dataset {ref['dataset']!r} is not a two-class classification "
                                 "(the threshold analysis moves the cut between two classes)")
            if "class" in ref and task != "classification":
                raise InputError(f"config key {key}.class: dataset {ref['dataset']!r} is a regression task; "
                                 "remove class")
            if "class" in ref and ref["class"] not in ds["target"]["classes"]:
                raise InputError(f"config key {key}.class: {ref['class']!r} is not a class of {ref['dataset']!r} "
                                 f"(expected one of: {', '.join(ds['target']['classes'])})")
    scoring = figures["importance"]["scoring"]
    if scoring is not None:
        for i, ref in enumerate(figures["importance"]["models"]):
            ds = cfg["datasets"][ref["dataset"]]
            allowed = CLASSIFICATION_SCORERS if ds["task"] == "classification" else REGRESSION_SCORERS
            if scoring not in allowed or (scoring in BINARY_ONLY_SCORERS and len(ds["target"]["classes"]) != 2):
                raise InputError(f"config key figures.importance.scoring: {scoring!r} does not fit dataset "
                                 f"{ref['dataset']!r} ({ds['task']}); expected one of: {', '.join(allowed)}"
                                 + (" (roc_auc and average_precision: two classes only)"
                                    if ds["task"] == "classification" else ""))


def check_rows(cfg: dict, notes: dict) -> None:
    """SHAP instances and LIME rows against the data's size, before anything is trained: the SHAP
    sample always contains the instances (mlviz.compute.tree_shap), so each must be a row that is explained."""
    shap = cfg["figures"]["shap"]
    if shap["instances"] == "auto":
        shap["instances"] = sorted({notes[e["dataset"]]["first_labelled_row"] for e in shap["explain"]}) or [0]
    for e in shap["explain"]:
        n = notes[e["dataset"]]
        rows, unlabelled = n["rows"], n["rows_without_target"]
        for r in shap["instances"]:
            if r >= rows:
                raise InputError(f"config key figures.shap.instances: CSV row {r} does not exist in dataset "
                                 f"{e['dataset']!r} ({rows} data rows: 0..{rows - 1})")
            if shap["rows"] != "all":
                split = split_rows(cfg["datasets"][e["dataset"]], n)
                if r not in split[shap["rows"]]:
                    raise InputError(f"config key figures.shap.instances: CSV row {r} of {e['dataset']!r} is in the "
                                     f"{'test' if shap['rows'] == 'train' else 'train'} split, but figures.shap.rows "
                                     f"is {shap['rows']!r} (choose rows of that split, or rows: all)")
        if unlabelled:
            missing = set(n.get("unlabelled_rows", []))
            bad = [r for r in shap["instances"] if r in missing]
            if bad:
                raise InputError(f"config key figures.shap.instances: CSV row {bad[0]} of {e['dataset']!r} has no "
                                 "target value and is left out of the data")
    lime = cfg["figures"]["lime"]
    for e in lime["explain"]:
        ds, n = cfg["datasets"][e["dataset"]], notes[e["dataset"]]
        test = n_test(n["rows"] - n["rows_without_target"], ds["split"]["test_size"])
        for p in lime["rows"]:
            if p >= test:
                raise InputError(f"config key figures.lime.rows: test row {p} does not exist for "
                                 f"{e['dataset']}/{e['model']} (its test split has {test} rows: positions "
                                 f"0..{test - 1})")


def split_rows(ds: dict, note: dict) -> dict[str, set[int]]:
    """The CSV rows of each split, as mlviz.compute.data.split draws them (only needed to check SHAP
    instances against figures.shap.rows train/test)."""
    from sklearn.model_selection import train_test_split

    rows = [r for r in range(note["rows"]) if r not in set(note.get("unlabelled_rows", []))]
    strat = None
    if ds["split"]["stratify"]:
        raise InputError("config key figures.shap.rows: train/test with explicit instances needs an unstratified "
                         "split to be checked at start; use rows: all or split.stratify: false")
    train, test = train_test_split(rows, test_size=ds["split"]["test_size"],
                                   random_state=ds["split"]["random_state"], stratify=strat)
    return {"train": set(train), "test": set(test)}


def check_neural(cfg: dict) -> None:
    """Files the neural section names must exist before TensorFlow is loaded."""
    neural = cfg["neural"]
    if not neural["enabled"]:
        return
    if neural["dataset"] in cfg["datasets"]:
        raise InputError(f"config key neural.dataset: {neural['dataset']!r} is also the name of a tabular dataset; "
                         "rename the dataset")
    resnet = neural["resnet50"]
    if not resnet["enabled"]:
        return
    weights = resnet["weights"]
    if weights not in (None, "imagenet") and not Path(weights).is_file():
        raise InputError(f"config key neural.resnet50.weights: file {weights!r} not found (expected 'imagenet', "
                         "null for random weights, or the path of a ResNet50 .h5/.keras weights file)")
    image = resnet["image"]
    if image is not None and not Path(image).is_file():
        raise InputError(f"config key neural.resnet50.image: file {image!r} not found "
                         "(expected a photo, e.g. JPEG or PNG, or null for scikit-image's bundled sample)")


def check_split(cfg: dict, notes: dict) -> None:
    for name, ds in cfg["datasets"].items():
        n = notes[name]
        labelled = n["rows"] - n["rows_without_target"]
        test = n_test(labelled, ds["split"]["test_size"])
        if test < 1 or labelled - test < 1:
            raise InputError(f"config key datasets.{name}.split.test_size: {ds['split']['test_size']} leaves an empty "
                             f"split for {labelled} rows")
        if ds["split"]["stratify"] and ds["task"] == "classification":
            few = [c for c, k in n["class_counts"].items() if 0 < k < 2]
            if few:
                raise InputError(f"config key datasets.{name}.split.stratify: class {few[0]!r} has fewer than 2 rows; "
                                 "stratification needs at least 2 per class")


# Thresholds of report.readings that name bands, from the highest: each must be above the next.
READING_ORDERS = [("auc_excellent", "auc_good", "auc_fair", "auc_moderate"), ("ap_far_above", "ap_above"),
                  ("lime_stable", "lime_partly_stable"), ("methods_agree", "methods_disagree")]


def check_readings(cfg: dict) -> None:
    r = cfg["report"]["readings"]
    for order in READING_ORDERS:
        for high, low in zip(order, order[1:]):
            if not r[high] > r[low]:
                raise InputError(f"config key report.readings.{low}: {r[low]} is not below report.readings.{high} "
                                 f"({r[high]}); the bands' words assume {' > '.join(order)}")


def check(cfg: dict, notes: dict) -> None:
    check_readings(cfg)
    check_split(cfg, notes)
    check_figures(cfg)
    check_rows(cfg, notes)
    check_neural(cfg)
