"""The article check's own reading of the checks before explanations (results/<run>/diagnostics/):
how what they found changes the claims the sections make, recomputed here from the tables with the
rules the article states, not with mlviz.article's code. tests/articlecheck.py applies it to its
readings of the sections (expectations), and reads the claims of the checks' own section, the
article at a glance and the slices of where the model fails.

The rules (the article's chapters say them in words):
- a model whose headline score cannot be told apart from the trivial baseline's, or that predicts
  one class for every test row, has no drivers: no leader, drop, effect, condition, push or
  comparison is read of it;
- a permutation drop is a signal only beyond twice its spread and beyond what the single most
  changed test row makes (its floor); members of a redundant group are not called noise alone, and
  a leader with redundant twins is named with them, not ranked;
- a leader that alone predicts the target (a leakage suspect) is named as such, not as the leader;
- a push, a condition or a curve's jump at a value that was missing and filled says so;
- a top-k overlap whose k is at least the number of features says nothing.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

NOISE_SDS = 2.0


def _read(path: Path) -> pd.DataFrame | None:
    return pd.read_parquet(path) if path.exists() else None


class Found:
    """The diagnostics tables of one dataset, read as they are."""

    def __init__(self, run_dir: Path, ds: str):
        base = run_dir / "diagnostics" / ds
        self.base = base
        self.baseline = pd.read_parquet(base / "baseline.parquet")
        self.groups = pd.read_parquet(base / "redundancy_groups.parquet")
        self.pairs = _read(base / "redundancy_pairs.parquet")
        self.leakage = pd.read_parquet(base / "leakage.parquet")
        self.duplicates = pd.read_parquet(base / "duplicates.parquet")
        self.columns = pd.read_parquet(base / "columns.parquet")
        self.filled = _read(base / "filled_rows.parquet")
        self.jumps = _read(base / "fill_jumps.parquet")
        self.top_k = _read(base / "top_k.parquet")

    def headline(self, model: str) -> pd.Series | None:
        rows = self.baseline[(self.baseline.model == model) & self.baseline.headline.astype(bool)]
        return rows.iloc[0] if len(rows) else None

    def one_class(self, model: str) -> bool:
        row = self.headline(model)
        return row is not None and int(row.predicted_classes) == 1 and self.is_classification()

    def is_classification(self) -> bool:
        return bool((self.baseline.metric == "roc_auc").any())

    def better(self, model: str) -> bool:
        """The interval of the difference with the baseline wholly on the good side, and more than one class predicted."""
        row = self.headline(model)
        if row is None:
            return False
        good = row.lower > 0 if bool(row.higher_is_better) else row.upper < 0
        return bool(good) and not self.one_class(model)

    def suspects(self) -> set[str]:
        rows = self.leakage[self.leakage.suspect.astype(bool) & self.leakage.in_model.astype(bool)]
        return {f for fs in rows.features for f in fs}

    def group(self, feature: str) -> list[str]:
        g = self.groups[self.groups.feature == feature]
        return self.groups[self.groups.group == g.group.iloc[0]].feature.tolist() if len(g) else []

    def signal(self, model: str) -> dict | None:
        path = self.base / model / "permutation.parquet"
        if not path.exists():
            return None
        p = pd.read_parquet(path)
        p = p[p.method == "permutation"]
        floor = p.floor.fillna(-np.inf)
        beyond = (p.value > NOISE_SDS * p.spread) & (p.value - floor > 1e-12 * np.maximum(1.0, p.value.abs()))
        return dict(zip(p.feature, beyond.astype(bool)))

    def groups_shuffled(self, model: str) -> bool:
        path = self.base / model / "permutation.parquet"
        return path.exists() and bool((pd.read_parquet(path).method == "permutation_group").any())

    def filled_features(self, model: str, source: str, *, row=None, position=None) -> set[str]:
        if self.filled is None or not len(self.filled):
            return set()
        f = self.filled[(self.filled.model == model) & (self.filled.source == source)]
        f = f[f.row == row] if row is not None else f[f.position == position]
        return {x for fs in f.features for x in fs}

    def informative(self, check: str, model: str) -> bool:
        if self.top_k is None:
            return True
        rows = self.top_k[(self.top_k.check == check) & (self.top_k.model == model)]
        return bool((rows.top_k < rows.features).all()) if len(rows) else True


def found(run_dir: Path, ds: str) -> Found | None:
    return Found(run_dir, ds) if (run_dir / "diagnostics" / ds / "baseline.parquet").exists() else None


def _unique_top(values) -> bool:
    v = list(values)
    return len(v) == 1 or (len(v) > 1 and v[0] > v[1])


def importance(c: dict, e: dict, perm: pd.DataFrame, imp: pd.DataFrame | None, top_k: int, F: Found | None,
               model: str) -> tuple[dict, dict]:
    """perm and imp in their importance order."""
    drivers = F is None or F.better(model)
    signal = F.signal(model) if F is not None else None
    noise = (perm.value <= NOISE_SDS * perm.spread) if signal is None else ~perm.feature.map(signal).fillna(False)
    grouped = set(F.groups.feature) if F is not None else set()
    leader = perm.feature.iloc[0]
    group = F.group(leader) if F is not None else []
    suspect = F is not None and leader in F.suspects()
    clear = _unique_top(perm.value) and not bool(noise.iloc[0])
    noisy = [f for f, n in zip(perm.feature, noise) if n and f not in grouped]
    drops = int((perm.value > 0).sum())
    c = {**c, "permutation_leader_clear": clear, "unclear_drop": drops > 0 and not clear,
         "no_better": not drivers, "drivers": drivers, "leader_suspect": suspect and drivers,
         "leader_grouped": bool(group) and clear and drivers and not suspect,
         "has_noise": bool(noisy), "all_noise": bool(noisy) and len(noisy) == len(perm),
         "some_noise": bool(noisy) and len(noisy) < len(perm),
         "many_drops": drivers and drops > 1, "one_drop": drivers and drops == 1,
         "impurity_named": bool(c.get("has_impurity")) and drivers,
         "has_groups": F is not None and F.groups_shuffled(model)}
    e = {**e, "noise": noisy, "leader_group": [f for f in group if f != leader]}
    if imp is not None and len(imp):
        named = drivers and not suspect and not group
        lead_i = imp.feature.iloc[0]
        free = not (F is not None and F.group(lead_i))
        lead = _unique_top(imp.value)
        top_noisy = [f for f in imp.feature[:top_k] if f in set(noisy)]
        c.update(same_leader=bool(named and lead and clear and lead_i == leader and free),
                 different_leader=bool(named and lead and clear and lead_i != leader and free),
                 impurity_top_noisy=bool(top_noisy) and drivers, one_top_noisy=len(top_noisy) == 1)
        e["impurity_top_noisy"] = top_noisy
    return c, e


def shap(c: dict, e: dict, F: Found | None, model: str, instance: int) -> tuple[dict, dict]:
    lead = e["leader"]
    no_better = F is not None and not F.better(model)
    suspect = F is not None and lead in F.suspects()
    group = F.group(lead) if F is not None else []
    drivers = not no_better and not suspect
    c = {**c, "no_better": no_better, "leader_suspect": suspect, "leader_grouped": bool(group),
         "top_named": not no_better and c["top_named"], "top_alone": not no_better and c["top_alone"],
         "top_rest_zero": not no_better and c["top_rest_zero"], "leader_named_grouped": bool(group) and drivers}
    for k in ("direction_up", "direction_down", "direction_mixed", "agrees_with_permutation", "differs_from_permutation"):
        c[k] = bool(c.get(k)) and drivers and not group
    if no_better:
        c.update(has_push_up=False, has_push_down=False)
    filled = F.filled_features(model, "shap", row=instance) if F is not None else set()
    for side in ("up", "down"):
        f = e.get(f"push_{side}")
        name = f[0] if isinstance(f, (tuple, list)) else f
        c[f"push_{side}_filled"] = name is not None and name in filled
        c[f"push_{side}_suspect"] = name is not None and F is not None and name in F.suspects() and not no_better
    return c, {**e, "leader_group": [f for f in group if f != lead]}


def lime(c: dict, e: dict, exp: pd.DataFrame, F: Found | None, model: str) -> tuple[dict, dict]:
    no_better = F is not None and not F.better(model)
    c = {**c, "no_better": no_better}
    if no_better:
        c.update(has_support=False, has_against=False, rows_flip=False, rows_share=False)
    filled = F.filled_features(model, "lime", position=int(exp.test_position.iloc[0])) if F is not None else set()
    ranked = exp.sort_values("rank")
    named = list(ranked[ranked.weight > 0].head(2).feature) + list(ranked[ranked.weight < 0].head(2).feature)
    c["conditions_filled"] = any(f in filled for f in named) and not no_better
    suspects = [f for f in named if F is not None and f in F.suspects()]
    c["conditions_suspect"] = bool(suspects) and not no_better
    e = {**e, "suspects": suspects}
    c["stability_uninformative"] = F is not None and not F.informative("lime_stability", model)
    if c["stability_uninformative"]:
        c.update(stable=False, partly_stable=False, unstable=False)
    return c, e


def effects(c: dict, summary: pd.DataFrame, F: Found | None, model: str) -> dict:
    no_better = F is not None and not F.better(model)
    shown = set(summary[summary.shown.astype(bool)].feature)
    jumped = F is not None and F.jumps is not None and bool(
        F.jumps[(F.jumps.model == model) & F.jumps.jumps.astype(bool) & F.jumps.feature.isin(shown)].shape[0])
    return {**c, "no_better": no_better, "shapes": not no_better, "all_monotone": bool(c["all_monotone"]) and not no_better,
            "fill_jump": bool(jumped)}


def comparison(c: dict, e: dict, models: list[str], F: Found | None) -> tuple[dict, dict]:
    if F is None:
        return {**c, "learned_nothing": False, "some_guess": False, "one_class": False, "leader_guesses": False,
                "one_one_class": False}, e
    guessing = [m for m in models if not F.better(m)]
    one = [m for m in models if F.one_class(m)]
    nothing = len(guessing) == len(models)
    leader = e["leader"]
    c = {**c, "learned_nothing": nothing, "some_guess": bool(guessing) and not nothing, "one_class": bool(one),
         "leader_guesses": leader in guessing, "one_one_class": len(one) == 1}
    if nothing or leader in guessing:
        c.update(beats_all=False, beats_some=False, beats_none=False)
    return c, {**e, "guessing": guessing, "one_class": one}


def checks_section(run_dir: Path, datasets: list[str]) -> dict:
    """The claims of "Before reading the explanations": ran, found, nothing_found, several."""
    found_any, ran = False, 0
    for ds in datasets:
        F = found(run_dir, ds)
        if F is None:
            continue
        ran += 1
        dup = F.duplicates.set_index("check")
        finding = (F.pairs is not None and len(F.pairs) > 0) or bool(F.leakage.suspect.astype(bool).any()) or \
            bool(dup.suspect.astype(bool).any()) or bool(F.columns[["heavy_missing", "skewed", "near_constant"]]
                                                         .astype(bool).to_numpy().any()) or \
            any(not F.better(m) for m in F.baseline[F.baseline.headline.astype(bool)].model)
        found_any |= finding
    return {"ran": ran > 0, "found": found_any, "nothing_found": ran > 0 and not found_any, "several": ran > 1}


def slices(run_dir: Path, ds: str, model: str) -> dict:
    t = pd.read_parquet(run_dir / "diagnostics" / ds / model / "slices.parquet")
    flagged = int(t.flagged.astype(bool).sum())
    F = found(run_dir, ds)
    return {"classification": bool(len(t)) and t.metric.iloc[0] == "misclassification", "has_flagged": flagged > 0,
            "uniform": bool(len(t)) and flagged == 0, "one_flagged": flagged == 1, "more_flagged": flagged > 3,
            "none_tried": not len(t), "no_better": F is not None and not F.better(model)}


def linear(c: dict, e: dict, F: Found | None, model: str) -> tuple[dict, dict]:
    """A model no better than guessing: no coefficient read; redundant features within two standard
    errors of zero are not called indistinguishable from zero alone (they split one weight)."""
    no_better = F is not None and not F.better(model)
    grouped = set(F.groups.feature) if F is not None else set()
    alone = [f for f in e["weak"] if f not in grouped]
    shared = [f for f in e["weak"] if f in grouped]
    c = {**c, "no_better": no_better, "has_weak": bool(alone) and not no_better, "one_weak": len(alone) == 1,
         "weak_grouped": bool(shared) and not no_better, "none_weak": not e["weak"] and not no_better}
    if no_better:
        c.update(has_positive=False, has_negative=False)
    return c, {**e, "weak": alone, "weak_grouped": shared}
