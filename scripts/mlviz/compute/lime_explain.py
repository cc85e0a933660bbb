"""LIME for rows of a classifier's test split: one explanation with a fixed seed (table and lime's
HTML page) and the same explanation under several seeds (stability); mlviz.plots.lime draws them.

LIME fixes its random state when the explainer is built (repeated explain_instance calls on one
explainer draw different samples), so each seed gets its own explainer. It indexes a pandas
Series by position, so rows are passed as NumPy arrays.
"""
from __future__ import annotations

import itertools
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..errors import InputError


# ---------------------------------------------------------------- compute

def load_case(*, meta: dict, train: pd.DataFrame, test: pd.DataFrame, model, position: int, cls: str,
              what: str) -> SimpleNamespace:
    """What the LIME rules start from: features, what each is (meta.json's feature_info) and the
    classes, the explained class's index, the test row, the training matrix and a predict_proba
    over named columns."""
    features, classes = meta["features"], meta["classes"]
    row = test_row(test, position, what)
    return SimpleNamespace(
        features=features, classes=classes, position=position, row=row, label=classes.index(cls),
        info=meta["feature_info"],
        x=row[features].to_numpy(dtype="float64"),
        train_X=train[features].to_numpy(dtype="float64"),
        predict=predict_proba_fn(model, features),
    )


def case_from_files(*, meta: str, train: str, test: str, model: str, model_type: str, position: int, cls: str,
                    what: str) -> SimpleNamespace:
    """load_case from the run's files (the LIME rules' inputs)."""
    from . import models
    from ..workflow.io import read_json

    m = read_json(meta)
    return load_case(meta=m, train=pd.read_parquet(train), test=pd.read_parquet(test),
                     model=models.load(model, model_type, m["task"]), position=position, cls=cls, what=what)


def test_row(test: pd.DataFrame, position: int, what: str) -> pd.Series:
    if not 0 <= position < len(test):
        raise InputError(f"config key figures.lime.rows: test row {position} does not exist for {what} "
                         f"(its test split has {len(test)} rows: positions 0..{len(test) - 1})")
    return test.iloc[position]


def categorical(features: list[str], info: dict | None) -> list[int]:
    """Positions of the 0/1 features (yes/no columns, one-hot levels): LIME reads them as categories
    ("sex = male") instead of cutting them into quartiles like numbers."""
    from .features import LEVEL_KINDS

    return [i for i, f in enumerate(features) if (info or {}).get(f, {}).get("kind") in LEVEL_KINDS]


def make_explainer(train_X: np.ndarray, features: list[str], classes: list[str], seed: int, info: dict | None = None):
    from lime.lime_tabular import LimeTabularExplainer

    # The tutorial's settings: quartile discretisation of every number, LIME's default kernel. A yes/no
    # column's levels name its values on LIME's own page.
    names = {i: list(info[f]["levels"]) for i, f in enumerate(features)
             if (info or {}).get(f, {}).get("kind") == "binary"}
    return LimeTabularExplainer(training_data=train_X, feature_names=features, class_names=classes,
                                categorical_features=categorical(features, info), categorical_names=names,
                                mode="classification", random_state=seed)


def predict_proba_fn(model, features: list[str]):
    """LIME passes NumPy arrays; the model was fitted on a named DataFrame, so name the columns
    (with the names the model was fitted with, mlviz.compute.models.model_names)."""
    from .models import model_names

    names = model_names(features)

    def predict(a: np.ndarray) -> np.ndarray:
        return model.predict_proba(pd.DataFrame(a, columns=names))
    return predict


def explain(explainer, row: np.ndarray, predict, label: int, num_features: int, num_samples: int):
    return explainer.explain_instance(row, predict, labels=(label,), num_features=num_features,
                                      num_samples=num_samples)


def conditions(explainer, x: np.ndarray, features: list[str], info: dict, train_X: np.ndarray) -> list[dict]:
    """Per feature, the condition LIME's local model uses for the explained row, in data units and
    words (mlviz.compute.features): a number's quartile bin that holds the row, its bounds rounded
    only so far that the row and the training values stay on the same side of each; a 0/1 feature's
    level ("sex = male", "work_industry ≠ Energy")."""
    from . import features as F

    disc = explainer.discretizer
    out = []
    for i, f in enumerate(features):
        if info[f]["kind"] in F.LEVEL_KINDS:
            c = {**F.level_condition(info[f], x[i]), "lower": None, "lower_op": None, "upper": None, "upper_op": None}
        else:
            # LIME's bins: quartile boundaries q (np.searchsorted: bin k holds q[k-1] < x <= q[k]).
            q = np.asarray(disc.mins[i][1:], dtype="float64")
            k = int(np.searchsorted(q, x[i]))
            lower = float(q[k - 1]) if k > 0 else None
            upper = float(q[k]) if k < len(q) else None
            c = {**F.bin_condition(f, info[f], lower, upper, np.sort(train_X[:, i]).tolist()),
                 "level": None, "level_op": None}
        out.append({"feature": f, **c})
    return out


CONDITION_COLUMNS = ["lower", "lower_op", "upper", "upper_op", "level", "level_op"]


def explanation_table(exp, label: int, features: list[str], classes: list[str], position: int, row: int,
                      seed: int, conditions: list[dict]) -> pd.DataFrame:
    """One line per feature in the explanation, by descending |weight|, with the row's predicted
    probabilities and the local model's intercept, prediction and R² repeated on every line.
    `rule` is the condition in the data's units and words (`conditions`), also stored structured
    (lower/upper with their operators, or a level with = or ≠); `lime_rule` is LIME's own text."""
    # as_list gives the rule text ("gmat > 680.00") in as_map's order of feature ids.
    mapped = {i: rule for (i, _), (rule, _) in zip(exp.as_map()[label], exp.as_list(label=label))}
    pairs = sorted(exp.as_map()[label], key=lambda p: (-abs(p[1]), features[p[0]]))
    table = pd.DataFrame({
        "test_position": position, "row": row, "seed": seed, "class": classes[label],
        "rank": np.arange(1, len(pairs) + 1),
        "feature": [features[i] for i, _ in pairs],
        "rule": [conditions[i]["text"] for i, _ in pairs],
        "lime_rule": [mapped[i] for i, _ in pairs],
        "weight": [float(w) for _, w in pairs],
    })
    for col in CONDITION_COLUMNS:
        table[col] = pd.Series([conditions[i][col] for i, _ in pairs], dtype="float64" if col in ("lower", "upper")
                               else object)
    for c, p in zip(classes, exp.predict_proba):
        table[f"proba_{c}"] = float(p)
    table["intercept"] = float(exp.intercept[label])
    table["local_pred"] = float(np.ravel(exp.local_pred)[0])
    table["score"] = float(exp.score)
    return table


# LIME's page inlines its JavaScript bundle (d3 and the like), so it loads nothing from a CDN; the
# only reference out of the file is the bundle's source-map comment, which names a file that is
# not there: drop it.
_SOURCE_MAP = re.compile(r"//# sourceMappingURL=\S+")
# What a browser would fetch by itself: src/href attributes, CSS url(...) and @import.
_EXTERNAL = re.compile(r"""(?:\b(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//)"""
                       r"""|(?:url\(\s*["']?\s*(?:https?:)?//)|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)""",
                       re.IGNORECASE)


def self_contained_html(exp, label: int, seed: int) -> str:
    # lime does not hand the explainer's random state to the Explanation, so the page's element
    # id would come from NumPy's global generator: seed it for identical pages run after run.
    exp.random_state = np.random.RandomState(seed)
    html = exp.as_html(labels=(label,))
    html = _SOURCE_MAP.sub("", html)
    found = external_references(html)
    if found:
        raise RuntimeError(f"LIME's HTML loads external resources: {found[:3]}")
    return html


def external_references(html: str) -> list[str]:
    """Places where the page would load something from another host."""
    return [html[max(0, m.start() - 40):m.end() + 60] for m in _EXTERNAL.finditer(html)]


def seeds_for(seed: int, n: int) -> list[int]:
    return [seed + i for i in range(n)]


def top_k(run: pd.DataFrame, k: int) -> frozenset:
    """The k features with the largest |weight| in one run (ties by name)."""
    ordered = run.assign(a=-run["weight"].abs()).sort_values(["a", "feature"])
    return frozenset(ordered["feature"].head(k))


def jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def stability(runs: pd.DataFrame, features: list[str], k: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-feature weight over seeds (a feature a run did not select counts as weight 0) and the
    agreement of the top-k feature sets (mean and minimum pairwise Jaccard index)."""
    seeds = sorted(runs["seed"].unique())
    wide = (runs.pivot(index="seed", columns="feature", values="weight")
            .reindex(index=seeds, columns=features).fillna(0.0))
    sets = {s: top_k(runs[runs["seed"] == s], k) for s in seeds}
    in_top = pd.DataFrame({f: [f in sets[s] for s in seeds] for f in features}, index=seeds)
    rules = runs.drop_duplicates("feature").set_index("feature")["rule"]
    summary = pd.DataFrame({
        "feature": features,
        "rule": [rules.get(f, "") for f in features],
        "mean_weight": wide.mean().to_numpy(),
        "std_weight": wide.std(ddof=0).to_numpy(),
        "selected_frac": (runs.groupby("feature")["seed"].nunique().reindex(features).fillna(0) / len(seeds)).to_numpy(),
        "top_k_frac": in_top.mean().to_numpy(),
    })
    summary = (summary.assign(a=-summary["mean_weight"].abs()).sort_values(["a", "feature"])
               .drop(columns="a").reset_index(drop=True))
    pairs = [jaccard(sets[a], sets[b]) for a, b in itertools.combinations(seeds, 2)]
    first = runs.iloc[0]
    agreement = pd.DataFrame([{
        "test_position": int(first["test_position"]), "row": int(first["row"]), "class": first["class"],
        "seeds": len(seeds), "top_k": k,
        "mean_jaccard": float(np.mean(pairs)) if pairs else 1.0,
        "min_jaccard": float(np.min(pairs)) if pairs else 1.0,
        "always_top_k": int((in_top.all()).sum()),
    }])
    for col in [c for c in runs.columns if c.startswith("proba_")]:
        agreement[col] = float(first[col])
    return summary, agreement


def importance(summaries: list[pd.DataFrame], dataset: str, model: str) -> pd.DataFrame:
    """Per feature: mean over the explained rows of |mean weight over seeds|; spread: mean over
    rows of the weight's standard deviation across seeds."""
    from .importance import tidy

    both = pd.concat(summaries, ignore_index=True)
    agg = both.assign(abs_mean=both["mean_weight"].abs()).groupby("feature", sort=True).agg(
        value=("abs_mean", "mean"), spread=("std_weight", "mean")).reset_index()
    return tidy(dataset, model, "lime_weight", agg["feature"], agg["value"], agg["spread"])


