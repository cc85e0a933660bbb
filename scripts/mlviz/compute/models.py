"""Build, fit, save and load models — without pickle.

scikit-learn models go through skops with an explicit list of trusted types; XGBoost models
through its own UBJSON format. Neither format can run code when loaded.
"""
from __future__ import annotations

import importlib
import io
import re
import zipfile
from pathlib import Path

from ..errors import InputError
from ..workflow.io import fixed_zip
from ..config.estimators import ESTIMATORS

# Types a model file may contain beyond skops' defaults (builtins, numpy, scikit-learn estimators).
TRUSTED_TYPES = sorted({f"{module}.{cls}" for module, cls, _, fmt in ESTIMATORS.values() if fmt == "skops"}
                       | {"sklearn.tree._tree.Tree"})
# XGBoost refuses feature names holding [, ] or <; one-hot levels such as "< 0 DM" make them.
_FORBIDDEN = {"[": "(", "]": ")", "<": "lt"}


def model_names(features: list[str]) -> list[str]:
    """The names a model is fitted with: the features' own names, with the characters some model
    refuses replaced (unique). Tables and figures keep the original names."""
    out, seen = [], set()
    for f in features:
        name = "".join(_FORBIDDEN.get(ch, ch) for ch in f)
        base, i = name, 2
        while name in seen:
            name, i = f"{base}_{i}", i + 1
        seen.add(name)
        out.append(name)
    return out


def model_frame(table, features: list[str]):
    """The feature columns of a table as the model sees them (see model_names)."""
    X = table[features]
    names = model_names(features)
    return X if names == list(features) else X.set_axis(names, axis=1)


def build(model_type: str, task: str, params: dict, scaled: list[int] = ()):
    """The configured estimator. The linear model is a pipeline that standardises the columns at
    positions `scaled` (the dataset's preprocess.scale, fitted on the training rows it is given)
    and passes the others through: scaling belongs to the model that needs it, so that every other
    model, and every figure, sees the data's own units. Columns are picked by position, so the
    pipeline predicts from a plain array as from a named table."""
    module, cls, accepted, _ = ESTIMATORS[(model_type, task)]
    unknown = sorted(set(params) - set(accepted))
    if unknown:
        raise InputError(f"model parameter(s) {', '.join(unknown)} not accepted by {cls}")
    estimator = getattr(importlib.import_module(module), cls)(**params)
    if model_type == "xgboost":
        # One thread unless asked: with several, float summation order and so the bytes can vary.
        estimator.set_params(n_jobs=params.get("n_jobs", 1))
    if model_type == "linear":
        from sklearn.compose import ColumnTransformer
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        scaler = ColumnTransformer([("standardise", StandardScaler(), list(scaled))], remainder="passthrough",
                                   verbose_feature_names_out=False)
        estimator = Pipeline([("scale", scaler), ("model", estimator)])
    return estimator


def final_step(model):
    """The estimator at the end of a pipeline (the linear model's coefficients), or the model itself."""
    return model.steps[-1][1] if hasattr(model, "steps") else model


def scaled_positions(meta: dict) -> list[int]:
    """Positions of the columns the linear model standardises (meta.json's scale) among the features."""
    return [meta["features"].index(c) for c in meta.get("scale") or {}]


def _normalised_zip(blob: bytes) -> bytes:
    """skops names array members and object ids after id() and stamps entries with the current
    time; renumber them in order of first reference and fix the time, so that the same model
    gives the same file on every run."""
    src = zipfile.ZipFile(io.BytesIO(blob))
    schema = src.read("schema.json").decode()
    members = [n for n in src.namelist() if n != "schema.json"]
    ordered = sorted(members, key=lambda n: (schema.find(f'"{n}"') < 0, schema.find(f'"{n}"'), n))
    renamed = {old: f"{i}{Path(old).suffix}" for i, old in enumerate(ordered)}
    schema = re.sub(r'"file": "([^"]+)"', lambda m: f'"file": "{renamed.get(m.group(1), m.group(1))}"', schema)
    ids: dict[str, int] = {}  # "__id__" (an id() too) renumbered consistently: shared objects stay shared
    schema = re.sub(r'"__id__": (\d+)', lambda m: f'"__id__": {ids.setdefault(m.group(1), len(ids))}', schema)
    return fixed_zip([("schema.json", schema.encode())] + [(renamed[n], src.read(n)) for n in ordered])


def save(model, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".ubj":
        model.save_model(str(path))
    elif path.suffix == ".skops":
        import skops.io as sio

        path.write_bytes(_normalised_zip(sio.dumps(model)))
    else:
        raise ValueError(f"unknown model format {path.suffix!r}")


def load(path: str | Path, model_type: str, task: str):
    """Load a model file; a file holding anything but the trusted types is refused."""
    path = Path(path)
    if path.suffix == ".ubj":
        module, cls, _, _ = ESTIMATORS[(model_type, task)]
        model = getattr(importlib.import_module(module), cls)()
        model.load_model(str(path))
        return model
    import skops.io as sio

    untrusted = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if untrusted:
        raise InputError(f"{path}: refusing to load a model file with untrusted type(s) "
                         f"{', '.join(sorted(untrusted))} (expected only {', '.join(TRUSTED_TYPES)})")
    return sio.load(path, trusted=TRUSTED_TYPES)


def predictions(model, test, meta: dict):
    """A fitted model's predictions of the test split: y_true, y_pred and, for a classifier, one
    probability column per class (proba_columns), indexed by the split's rows."""
    import pandas as pd

    from .metrics import proba_columns

    X = model_frame(test, meta["features"])
    pred = pd.DataFrame({"y_true": test[meta["target"]].to_numpy()}, index=test.index)
    if meta["task"] == "classification":
        proba = model.predict_proba(X)
        pred["y_pred"] = proba.argmax(axis=1)
        for i, col in enumerate(proba_columns(meta["classes"])):
            pred[col] = proba[:, i]
    else:
        pred["y_pred"] = model.predict(X).astype("float64")
    return pred
