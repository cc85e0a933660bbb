# Paths, config look-ups and input functions shared by every rule file.
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from mlviz.configcheck import check_config
from mlviz.errors import InputError
from mlviz.registry import model_format

try:
    check_config(config)
except InputError as e:
    raise WorkflowError(f"mlviz: {e}")

RUN = f"results/{config['run']}"
# Tabular datasets only, so that the CNN's metrics/digits/... paths never match the tabular rules.
DATASETS = "|".join(config["datasets"])
PKG = os.path.join(workflow.basedir, "scripts", "mlviz")


def pkg(*modules):
    """The package modules a script imports: inputs of its rule, so that editing them reruns it."""
    return [f"{PKG}/{m}.py" for m in ("__init__", "errors", "runtime", *modules)]


def dataset(name):
    return config["datasets"][name]


def model_cfg(ds, model):
    return config["datasets"][ds]["models"][model]


def raw_csv(wildcards):
    """The raw CSV of a dataset: the user's file, or the demo generator's output."""
    src = config["sources"][dataset(wildcards.dataset)["source"]]
    if "path" in src:
        return src["path"]
    return f"{RUN}/raw/{dataset(wildcards.dataset)['source']}.csv"


def model_path(ds, model):
    m = model_cfg(ds, model)
    return f"{RUN}/models/{ds}/{model}.{model_format(m['type'], dataset(ds)['task'])}"


def model_file(wildcards):
    return model_path(wildcards.dataset, wildcards.model)


def all_models():
    return [(ds, m) for ds, d in config["datasets"].items() for m in d["models"]]


def metric_parts(wildcards=None):
    """Per-model metric tables; the neural rules add theirs (neural_metric_parts, rules/neural.smk)."""
    return [f"{RUN}/metrics/{ds}/{m}.parquet" for ds, m in all_models()] + neural_metric_parts()


def importance_parts(wildcards=None):
    """Per-method importance tables, defined next to the rules that compute them."""
    return basic_importance_parts() + explain_importance_parts()


def style_params(figure=None):
    """Global style merged with one figure's own settings (config figures.<figure>)."""
    from mlviz.style import resolve

    return resolve(config.get("style"), config.get("figures", {}).get(figure) if figure else None)


def all_outputs():
    # Each rule file defines the function that lists its final outputs.
    return [
        f"{RUN}/metrics.parquet",
        f"{RUN}/importances.parquet",
        *figures_basic_outputs(),
        *figures_explain_outputs(),
        *neural_outputs(),
        *report_outputs(),
    ]


# Params: each rule gets exactly the config it depends on, so that an edit reruns only what it touches.
def source_params(wildcards):
    return config["sources"][wildcards.source]


def dataset_params(wildcards):
    """A dataset's recipe without its models: editing a model must not redo the data."""
    return {k: v for k, v in dataset(wildcards.dataset).items() if k != "models"}


def model_params(wildcards):
    return model_cfg(wildcards.dataset, wildcards.model)
