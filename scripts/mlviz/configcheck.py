"""Checks of the config that the JSON schema cannot express, run at parse time before any job.

Each failure raises InputError naming the config key and what was expected.
"""
from __future__ import annotations

from .errors import InputError
from .rawcsv import read_header
from .recipe import referenced_columns
from .registry import ESTIMATORS


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
    check_neural(config)
    check_figures_basic(config)
    check_figures_explain(config)
    check_report(config)


def check_figures_basic(config: dict) -> None:
    """figures.tree / .importance / .linear / .performance: the models they name exist and fit
    the figure (a decision tree to draw, a linear regression, classifiers for ROC/PR)."""
    from .basicfig import BINARY_ONLY_SCORERS, CLASSIFICATION_SCORERS, REGRESSION_SCORERS, entry

    datasets = config["datasets"]

    def model_of(key: str, ref: dict) -> tuple[dict, dict]:
        ds, m = ref["dataset"], ref["model"]
        if ds not in datasets:
            raise InputError(f"config key {key}.dataset: unknown dataset {ds!r} "
                             f"(expected one of: {', '.join(datasets)})")
        if m not in datasets[ds]["models"]:
            raise InputError(f"config key {key}.model: dataset {ds!r} has no model {m!r} "
                             f"(expected one of: {', '.join(datasets[ds]['models'])})")
        return datasets[ds], datasets[ds]["models"][m]

    tree = entry(config, "tree")
    if tree:
        _, model = model_of("figures.tree", tree)
        if model["type"] != "decision_tree":
            raise InputError(f"config key figures.tree.model: {tree['model']!r} is a {model['type']}; "
                             "expected a model of type decision_tree")
    imp = entry(config, "importance")
    if imp:
        for i, ref in enumerate(imp["models"]):
            ds, _ = model_of(f"figures.importance.models[{i}]", ref)
            scoring = imp["scoring"]
            if scoring is None:
                continue
            allowed = CLASSIFICATION_SCORERS if ds["task"] == "classification" else REGRESSION_SCORERS
            if scoring not in allowed or (scoring in BINARY_ONLY_SCORERS and len(ds["target"]["classes"]) != 2):
                raise InputError(f"config key figures.importance.scoring: {scoring!r} does not fit dataset "
                                 f"{ref['dataset']!r} ({ds['task']}); expected one of: {', '.join(allowed)}"
                                 + (" (roc_auc and average_precision: two classes only)"
                                    if ds["task"] == "classification" else ""))
    linear = entry(config, "linear")
    if linear:
        ds, model = model_of("figures.linear", linear)
        if ds["task"] != "regression" or model["type"] != "linear":
            raise InputError(f"config key figures.linear: {linear['dataset']}/{linear['model']} is a "
                             f"{model['type']} {ds['task']} model; expected a linear model on a regression dataset")
    perf = entry(config, "performance")
    if perf:
        for i, ref in enumerate(perf["models"]):
            ds, _ = model_of(f"figures.performance.models[{i}]", ref)
            if ds["task"] != "classification":
                raise InputError(f"config key figures.performance.models[{i}]: dataset {ref['dataset']!r} is a "
                                 "regression task; expected a classification dataset (confusion matrix, ROC, PR)")


# >>> neural
def check_neural(config: dict) -> None:
    """Files the neural section names must exist before TensorFlow is loaded."""
    from pathlib import Path

    neural = config.get("neural") or {}
    resnet = neural.get("resnet50") or {}
    if not (neural.get("enabled", True) and resnet.get("enabled", False)):
        return
    weights = resnet.get("weights", "imagenet")
    if weights not in (None, "imagenet") and not Path(weights).is_file():
        raise InputError(f"config key neural.resnet50.weights: file {weights!r} not found (expected 'imagenet', "
                         "null for random weights, or the path of a ResNet50 .h5/.keras weights file)")
    image = resnet.get("image")
    if image is not None and not Path(image).is_file():
        raise InputError(f"config key neural.resnet50.image: file {image!r} not found "
                         "(expected a photo, e.g. JPEG or PNG, or null for scikit-image's bundled sample)")
# <<< neural


# >>> figures_explain
def check_figures_explain(config: dict) -> None:
    """figures.shap / figures.lime: each explained model exists; SHAP's is a tree model, LIME's a
    classifier; a multi-class dataset names its class. Rows and instances are checked when the
    data exist (run time)."""
    from .explain_config import TREE_TYPES, lime_settings, shap_settings

    datasets = config["datasets"]
    for section, settings in (("shap", shap_settings(config)), ("lime", lime_settings(config))):
        seen = set()
        for i, ref in enumerate(settings["explain"]):
            key = f"figures.{section}.explain[{i}]"
            ds_name, m_name = ref["dataset"], ref["model"]
            if ds_name not in datasets:
                raise InputError(f"config key {key}.dataset: unknown dataset {ds_name!r} "
                                 f"(expected one of: {', '.join(datasets)})")
            ds = datasets[ds_name]
            if m_name not in ds["models"]:
                raise InputError(f"config key {key}.model: dataset {ds_name!r} has no model {m_name!r} "
                                 f"(expected one of: {', '.join(ds['models'])})")
            if (ds_name, m_name) in seen:
                raise InputError(f"config key {key}: {ds_name}/{m_name} is listed twice")
            seen.add((ds_name, m_name))
            mtype = ds["models"][m_name]["type"]
            if section == "shap" and mtype not in TREE_TYPES:
                raise InputError(f"config key {key}.model: {m_name!r} is a {mtype} model; expected a tree model "
                                 f"({', '.join(TREE_TYPES)}) for Tree SHAP")
            if section == "lime" and ds["task"] != "classification":
                raise InputError(f"config key {key}.dataset: {ds_name!r} is a {ds['task']} dataset; expected a "
                                 "classification dataset (LIME explains class probabilities here)")
            classes = ds["target"].get("classes")
            if "class" in ref:
                if classes is None:
                    raise InputError(f"config key {key}.class: dataset {ds_name!r} is a regression task; "
                                     "remove class")
                if ref["class"] not in classes:
                    raise InputError(f"config key {key}.class: {ref['class']!r} is not a class of {ds_name!r} "
                                     f"(expected one of: {', '.join(classes)})")
            elif classes is not None and len(classes) > 2:
                raise InputError(f"config key {key}.class: dataset {ds_name!r} has {len(classes)} classes; "
                                 f"name the one to explain (one of: {', '.join(classes)})")
# <<< figures_explain


# >>> report
def check_report(config: dict) -> None:
    """report.engine: quarto needs Quarto >= 1.4 on PATH; say so before any job runs."""
    from .report import QUARTO_MIN, quarto_version, settings

    if settings(config)["engine"] != "quarto":
        return
    version = quarto_version()
    if not version or version[:2] < QUARTO_MIN:
        found = "version " + ".".join(map(str, version)) if version else "no quarto on PATH"
        raise InputError(f"config key report.engine: quarto needs Quarto >= {'.'.join(map(str, QUARTO_MIN))} "
                         f"({found}); install it (conda install -c conda-forge quarto, or quarto.org) "
                         "or set report.engine: auto (pandoc + Typst when Quarto is missing)")
# <<< report
