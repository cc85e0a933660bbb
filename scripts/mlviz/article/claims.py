"""The article's readings of the results, as named claims computed from the run's tables.

A claim is a yes/no statement with a precondition folded in: "the measures agree on the leader"
holds only when each measure has a single leader (no tie) that stands out of the noise and the two
are the same feature. The article shows a sentence only under the claim that makes it true
(`[...]{.content-visible when-meta="claims.importance.same_leader"}`), and tests/test_report.py
recomputes every claim from the tables by its own code. The thresholds that turn a number into a
word are the config's report.readings, quoted in the article where it uses them.

Each function returns (claims: {name: bool}, subjects: {name: value}): the subjects are what a claim
is about (the leading feature, the winning model), which mlviz.article.facts writes as fact spans.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..compute.importance import ordered, within_noise

# The thresholds at which a number becomes a word come from the config (report.readings, documented
# in config/README.md): each function that needs them takes that mapping, `r`.
AUC_BANDS = ("excellent", "good", "fair", "moderate")  # then weak


@dataclass
class Checks:
    """What the checks before explanations found for one dataset (mlviz.compute.diagnostics' tables),
    as the claims that read importances and effects consult it: a model no better than guessing has
    no drivers, a leaked column explains nothing, redundant features share their importance, a
    filled value is not an observation, a drop a single test row can make is not a signal."""
    groups: pd.DataFrame        # redundancy_groups
    leakage: pd.DataFrame
    duplicates: pd.DataFrame
    caveats: pd.DataFrame       # column_caveats
    baseline: pd.DataFrame
    permutation: dict = field(default_factory=dict)  # model -> permutation_checked
    filled: pd.DataFrame | None = None
    jumps: pd.DataFrame | None = None
    top_k: pd.DataFrame | None = None

    def group_of(self, feature: str) -> list[str]:
        """Every member of the feature's redundant group ([] when it is in none)."""
        g = self.groups[self.groups["feature"] == feature]
        if not len(g):
            return []
        return self.groups.loc[self.groups["group"] == g["group"].iloc[0], "feature"].tolist()

    def suspects(self) -> list[str]:
        """Model features that alone predict the target almost perfectly, or that follow an
        identifier or the row order that does (leakage suspects among what the models read)."""
        rows = self.leakage[self.leakage["suspect"] & self.leakage["in_model"]]
        return [f for fs in rows["features"] for f in fs]

    def better(self, model: str) -> bool:
        """The model's headline score beats the trivial baseline's (the paired interval excludes 0)."""
        b = self.baseline[(self.baseline["model"] == model) & self.baseline["headline"]]
        return bool(len(b) and b["better"].iloc[0] and not b["one_class"].iloc[0])

    def learned_nothing(self) -> bool:
        """No model of the dataset beats the trivial baseline (as with shuffled labels)."""
        return not any(self.better(m) for m in self.baseline["model"].unique())

    def informative(self, check: str, model: str) -> bool:
        """A top-k agreement that can discriminate: its k is below the number of features."""
        if self.top_k is None:
            return True
        rows = self.top_k[(self.top_k["check"] == check) & (self.top_k["model"] == model)]
        return bool(rows["informative"].all()) if len(rows) else True

    def signal(self, model: str) -> dict | None:
        """feature -> whether its permutation drop is a signal (beyond its noise and beyond what a
        single changed test row makes); None when the model's drops were not checked."""
        p = self.permutation.get(model)
        if p is None:
            return None
        single = p[p["method"] == "permutation"]
        return dict(zip(single["feature"], single["signal"].astype(bool)))


def unique_top(values) -> bool:
    """A single largest value (no tie at the top); a single value counts as unique."""
    v = list(values)
    return len(v) == 1 or (len(v) > 1 and v[0] > v[1])


# ----------------------------------------------------------------------------- sections
def classes_of(y: pd.Series) -> tuple[dict, dict]:
    """Claims about a target's class counts (most common class unique)."""
    counts = y.value_counts()
    top = counts.sort_values(ascending=False, kind="mergesort")
    claims = {"majority_unique": unique_top(top.to_numpy())}
    return claims, {"majority": int(top.index[0]), "majority_share": float(top.iloc[0] / len(y))}


def tree(pred: pd.DataFrame, comparison: pd.DataFrame, model: str, task: str) -> tuple[dict, dict]:
    """A classification tree against always answering the most common class of the test split:
    better only when its accuracy's bootstrap interval lies above that share, worse when below."""
    if task == "regression":
        r2 = comparison[(comparison.model == model) & (comparison.metric == "r2")].iloc[0]
        return {"regression": True, "beats_mean": bool(r2["lower"] > 0), "above_baseline": False,
                "below_baseline": False, "indistinct": False, "majority_unique": False}, {}
    claims, subjects = classes_of(pred["y_true"])
    acc = comparison[(comparison.model == model) & (comparison.metric == "accuracy")].iloc[0]
    share = subjects["majority_share"]
    claims.update(regression=False, beats_mean=False, above_baseline=bool(acc["lower"] > share),
                  below_baseline=bool(acc["upper"] < share))
    claims["indistinct"] = not (claims["above_baseline"] or claims["below_baseline"])
    return claims, subjects


def importance(imp: pd.DataFrame | None, perm: pd.DataFrame, top_k: int, checks: Checks | None = None,
               model: str | None = None) -> tuple[dict, dict]:
    """Readings of impurity and permutation importance, gated on the checks (when given): a drop is
    noise unless it stands out of its spread and of what one changed test row makes; no driver is
    named for a model that does no better than guessing; a leader that leaks or shares its
    information with redundant features is not called the leader."""
    perm = ordered(perm)
    noise = pd.Series(within_noise(perm["value"], perm["spread"]), index=perm.index)
    signal = checks.signal(model) if checks is not None else None
    if signal is not None:
        noise = ~perm["feature"].map(signal).fillna(False).astype(bool)
    clear = unique_top(perm["value"]) and not noise.iloc[0]
    claims = {"has_impurity": imp is not None and len(imp) > 0, "permutation_leader_clear": bool(clear),
              "has_noise": bool(noise.any()), "all_noise": bool(noise.all()),
              "some_noise": bool(noise.any() and not noise.all()),
              "has_drop": bool((perm["value"] > 0).any()), "has_negative": bool((perm["value"] < 0).any())}
    claims["unclear_drop"] = claims["has_drop"] and not claims["permutation_leader_clear"]
    leader = perm["feature"].iloc[0]
    group = checks.group_of(leader) if checks is not None else []
    grouped = set(checks.groups["feature"]) if checks is not None else set()
    claims.update(no_better=checks is not None and not checks.better(model),
                  leader_suspect=checks is not None and leader in checks.suspects())
    claims["drivers"] = not claims["no_better"]
    claims["leader_grouped"] = bool(group) and bool(clear) and claims["drivers"] and not claims["leader_suspect"]
    claims["leader_suspect"] = claims["leader_suspect"] and claims["drivers"]
    # A single member of a redundant group is not called noise: shuffling it alone costs nothing
    # while the model reads its twin; the group is named, and its drop shuffled together shown.
    noisy = [f for f in perm.loc[noise.to_numpy(), "feature"] if f not in grouped]
    claims.update(has_noise=bool(noisy), all_noise=bool(noisy) and len(noisy) == len(perm),
                  some_noise=bool(noisy) and len(noisy) < len(perm))
    subjects = {"permutation_leader": leader, "noise_features": noisy, "leader_group": [f for f in group if f != leader],
                "drops": int((perm["value"] > 0).sum())}
    # The leader's sentences: only for a model that learned something, about a leader that neither
    # leaks nor shares its information.
    named = claims["drivers"] and not claims["leader_suspect"] and not group
    if claims["has_impurity"]:
        imp = ordered(imp)
        lead = unique_top(imp["value"])
        claims["impurity_leader_unique"] = bool(lead)
        same = imp["feature"].iloc[0] == leader
        claims["same_leader"] = bool(named and lead and clear and same and not checks_group(checks, imp["feature"].iloc[0]))
        claims["different_leader"] = bool(named and lead and clear and not same
                                          and not checks_group(checks, imp["feature"].iloc[0]))
        top = imp["feature"].head(top_k).tolist()
        top_noisy = [f for f in top if f in set(noisy)]
        claims["impurity_top_noisy"] = bool(top_noisy) and claims["drivers"]
        subjects.update(impurity_leader=imp["feature"].iloc[0], impurity_top_noisy=top_noisy)
    else:
        claims.update(impurity_leader_unique=False, same_leader=False, different_leader=False,
                      impurity_top_noisy=False)
    return claims, subjects


def checks_group(checks: Checks | None, feature: str) -> bool:
    return checks is not None and bool(checks.group_of(feature))


def shap(values: pd.DataFrame, mean_abs: pd.DataFrame, perm: pd.DataFrame | None, instance: int,
         additivity_passed: bool, r: dict, checks: Checks | None = None, model: str | None = None) -> tuple[dict, dict]:
    mean_abs = ordered(mean_abs)
    leader = mean_abs["feature"].iloc[0]
    x, s = values[f"x:{leader}"], values[f"shap:{leader}"]
    rho = float(x.rank().corr(s.rank())) if x.nunique() > 1 and s.nunique() > 1 else 0.0
    row = values.loc[instance]
    feats = mean_abs["feature"].tolist()
    contrib = pd.Series({f: float(row[f"shap:{f}"]) for f in feats})
    claims = {"leader_unique": unique_top(mean_abs["value"]), "direction_up": rho > r["shap_direction"],
              "direction_down": rho < -r["shap_direction"], "additivity_passed": bool(additivity_passed),
              "has_push_up": bool((contrib > 0).any()), "has_push_down": bool((contrib < 0).any()),
              "has_permutation": perm is not None}
    claims["direction_mixed"] = not (claims["direction_up"] or claims["direction_down"])
    if perm is not None:
        p = ordered(perm)
        clear = unique_top(p["value"]) and not within_noise(p["value"], p["spread"])[0]
        claims["agrees_with_permutation"] = bool(claims["leader_unique"] and clear and p["feature"].iloc[0] == leader)
        claims["differs_from_permutation"] = bool(claims["leader_unique"] and clear and not claims["agrees_with_permutation"])
    else:
        claims["agrees_with_permutation"] = claims["differs_from_permutation"] = False
    up = contrib[contrib > 0].sort_values(ascending=False, kind="mergesort")
    down = contrib[contrib < 0].sort_values(kind="mergesort")
    subjects = {"leader": leader, "rho": rho, "push_up": up.index[0] if len(up) else None,
                "push_down": down.index[0] if len(down) else None}
    # Gated on the checks: no reading of drivers for a model no better than guessing; a leader that
    # leaks or has redundant twins is named as such; a push from a filled value says so.
    claims["no_better"] = checks is not None and not checks.better(model)
    claims["leader_suspect"] = checks is not None and leader in checks.suspects()
    group = checks.group_of(leader) if checks is not None else []
    claims["leader_grouped"] = bool(group)
    subjects["leader_group"] = [f for f in group if f != leader]
    drivers = not claims["no_better"] and not claims["leader_suspect"]
    for k in ("direction_up", "direction_down", "direction_mixed", "agrees_with_permutation",
              "differs_from_permutation"):
        claims[k] = bool(claims[k] and drivers and not group)
    # Only features that move some explained row are named as leaders: a feature the model never
    # reads has a mean |SHAP| of exactly zero, and naming it third would rank nothing.
    moving = int((mean_abs["value"] > 0).sum())
    claims["top_named"] = not claims["no_better"] and moving >= 2
    claims["top_alone"] = not claims["no_better"] and moving == 1
    claims["top_rest_zero"] = not claims["no_better"] and 2 <= moving < min(3, len(mean_abs))
    subjects["top"] = mean_abs["feature"].iloc[:min(3, moving)].tolist()
    claims["leader_named_grouped"] = bool(group) and drivers
    if claims["no_better"]:
        claims.update(has_push_up=False, has_push_down=False)
    filled = filled_features(checks, model, "shap", row=instance)
    for side in ("up", "down"):
        f = subjects[f"push_{side}"]
        claims[f"push_{side}_filled"] = f is not None and f in filled
        claims[f"push_{side}_suspect"] = (f is not None and checks is not None and f in checks.suspects()
                                          and not claims["no_better"])
    return claims, subjects


def filled_features(checks: Checks | None, model: str | None, source: str, row: int | None = None,
                    position: int | None = None) -> dict:
    """feature -> (fill rule, fill value) of the explained row's features whose value was missing and
    filled (checks' filled_rows)."""
    if checks is None or checks.filled is None or not len(checks.filled):
        return {}
    f = checks.filled[(checks.filled["model"] == model) & (checks.filled["source"] == source)]
    f = f[f["row"] == row] if row is not None else f[f["position"] == position]
    return {feat: (r.fill_rule, r.fill_value) for r in f.itertuples() for feat in r.features}


def lime(explanation: pd.DataFrame, agreement: pd.Series, other: pd.DataFrame | None, r: dict,
         checks: Checks | None = None, model: str | None = None) -> tuple[dict, dict]:
    probs = {c[6:]: float(explanation[c].iloc[0]) for c in explanation.columns if c.startswith("proba_")}
    predicted = max(probs, key=probs.get)
    jac = float(agreement["mean_jaccard"])
    claims = {"explains_predicted": str(explanation["class"].iloc[0]) == predicted,
              "stable": jac >= r["lime_stable"], "partly_stable": r["lime_partly_stable"] <= jac < r["lime_stable"],
              "unstable": jac < r["lime_partly_stable"],
              "has_support": bool((explanation["weight"] > 0).any()),
              "has_against": bool((explanation["weight"] < 0).any()),
              "has_second_row": other is not None}
    subjects = {"predicted": predicted}
    if other is not None:
        a = explanation.set_index("feature")["weight"]
        b = other.set_index("feature")["weight"]
        common = [f for f in a.index if f in b.index]
        flipped = [f for f in common if a[f] * b[f] < 0]
        claims.update(rows_flip=bool(flipped), rows_share=bool(common) and not flipped)
        subjects["flipped"] = flipped
    else:
        claims.update(rows_flip=False, rows_share=False)
    # The conditions are a model's reasons: none for a model no better than guessing; a condition on
    # a value that was missing and filled is said to be one.
    claims["no_better"] = checks is not None and not checks.better(model)
    if claims["no_better"]:
        claims.update(has_support=False, has_against=False, rows_flip=False, rows_share=False)
    filled = filled_features(checks, model, "lime", position=int(explanation["test_position"].iloc[0]))
    shown = explanation.sort_values("rank")
    named = list(shown[shown.weight > 0].head(2)["feature"]) + list(shown[shown.weight < 0].head(2)["feature"])
    subjects["filled"] = [f for f in named if f in filled]
    claims["conditions_filled"] = bool(subjects["filled"]) and not claims["no_better"]
    # a condition on a column that may leak the target is a reason only as the leak is
    suspects = set(checks.suspects()) if checks is not None else set()
    subjects["suspects"] = [f for f in named if f in suspects]
    claims["conditions_suspect"] = bool(subjects["suspects"]) and not claims["no_better"]
    claims["stability_uninformative"] = checks is not None and not checks.informative("lime_stability", model)
    if claims["stability_uninformative"]:
        claims.update(stable=False, partly_stable=False, unstable=False)
    return claims, subjects


def linear(coef: pd.DataFrame, differences: pd.DataFrame, metrics: pd.DataFrame, model: str,
           others: list[str], pred: pd.DataFrame, scaled: list[str], data: pd.DataFrame,
           levels: dict | None = None, r: dict | None = None, checks: Checks | None = None) -> tuple[dict, dict]:
    """Coefficients, and the linear model against the best model of the other family (the highest
    test R² among the dataset's other models): better or worse only when the paired bootstrap
    interval of the difference in R² excludes zero. What a coefficient's unit is: one standard
    deviation for a standardised feature; for a level of a one-hot column whose reference level was
    dropped (`levels`, meta.json's), that level against the reference; yes against no for another 0/1
    feature (in `data`, the prepared splits); else one unit."""
    within = coef.loc[coef["value"].abs() < 2 * coef["spread"], "feature"].tolist()
    # Redundant features split one weight between them and inflate each other's standard errors:
    # within two of them says nothing about one alone. A model no better than guessing has no
    # coefficients to read.
    grouped = set(checks.groups["feature"]) if checks is not None else set()
    weak = [f for f in within if f not in grouped]
    no_better = checks is not None and not checks.better(model)
    claims = {"has_weak": bool(weak) and not no_better, "has_positive": bool((coef["value"] > 0).any()) and not no_better,
              "has_negative": bool((coef["value"] < 0).any()) and not no_better, "has_other": bool(others),
              "weak_grouped": any(f in grouped for f in within) and not no_better,
              "none_weak": not within and not no_better, "no_better": no_better}
    unscaled = [f for f in coef["feature"] if f not in set(scaled)]
    levels = levels or {}
    compared = [f for f in unscaled if (levels.get(f) or {}).get("reference") is not None]
    yes_no = [f for f in unscaled if f not in compared and data[f].dropna().isin([0, 1]).all()]
    claims.update(all_scaled=not unscaled, none_scaled=len(unscaled) == len(coef),
                  unscaled_levels=bool(compared), unscaled_yes_no=bool(yes_no),
                  unscaled_numbers=len(yes_no) + len(compared) < len(unscaled))
    references = {levels[f]["column"]: levels[f]["reference"] for f in compared}
    subjects = {"weak": weak, "weak_grouped": [f for f in within if f in grouped],
                "scaled": [f for f in scaled if f in set(coef["feature"])], "references": references}
    claims.update(better_than_best=False, worse_than_best=False, same_as_best=False)
    if others:
        r2 = metrics[(metrics.metric == "r2") & metrics.model.isin(others)].sort_values(
            ["value", "model"], ascending=[False, True], kind="mergesort")
        best = r2["model"].iloc[0]
        subjects["best_other"] = best
        row = pair_row(differences, model, best, "r2")
        claims["better_than_best"] = bool(row["lower"] > 0)
        claims["worse_than_best"] = bool(row["upper"] < 0)
        claims["same_as_best"] = not (claims["better_than_best"] or claims["worse_than_best"])
    res = pred["y_true"] - pred["y_pred"]
    gap = (res.mean() - res.median()) / (res.std() or 1.0)
    skew = r["residual_skew"]
    claims.update(right_skewed=bool(gap > skew), left_skewed=bool(gap < -skew))
    claims["symmetric"] = not (claims["right_skewed"] or claims["left_skewed"])
    return claims, subjects


def pair_row(differences: pd.DataFrame, a: str, b: str, metric: str) -> dict:
    """The paired bootstrap difference a − b of a metric (the table stores each pair once)."""
    d = differences[differences.metric == metric]
    row = d[(d.model_a == a) & (d.model_b == b)]
    if len(row):
        r = row.iloc[0]
        return {"difference": float(r["difference"]), "lower": float(r["lower"]), "upper": float(r["upper"])}
    r = d[(d.model_a == b) & (d.model_b == a)].iloc[0]
    return {"difference": -float(r["difference"]), "lower": -float(r["upper"]), "upper": -float(r["lower"])}


def auc_band(auc: float, r: dict) -> str:
    return next((name for name in AUC_BANDS if auc >= r[f"auc_{name}"]), "weak")


def performance(metrics: pd.DataFrame, pred: pd.DataFrame, classes: list[str], r: dict) -> tuple[dict, dict]:
    m = metrics.set_index("metric")["value"]
    band = auc_band(float(m["roc_auc"]), r)
    claims = {"binary": len(classes) == 2, **{f"auc_{name}": band == name for name in (*AUC_BANDS, "weak")}}
    predicted = pred["y_pred"].unique()
    claims["one_class"] = len(predicted) == 1  # a ranking may still separate the classes
    subjects = {"one_class": int(predicted[0]) if len(predicted) == 1 else None}
    if len(classes) == 2:
        prevalence = float((pred["y_true"] == 1).mean())
        ratio = float(m["average_precision"]) / prevalence
        claims.update(ap_far_above=ratio >= r["ap_far_above"], ap_above=r["ap_above"] <= ratio < r["ap_far_above"],
                      ap_close=ratio < r["ap_above"], trapezoid_above_ap=bool(m["pr_auc_trapezoid"] > m["average_precision"]))
        claims["trapezoid_not_above_ap"] = not claims["trapezoid_above_ap"]
        subjects["prevalence"] = prevalence
    else:
        claims.update(ap_far_above=False, ap_above=False, ap_close=False, trapezoid_above_ap=False,
                      trapezoid_not_above_ap=False)
    return claims, subjects


def threshold(summary: dict, r: dict) -> tuple[dict, dict]:
    moved = abs(summary["best_f1_threshold"] - summary["default_threshold"]) > r["threshold_move"]
    gain = summary["f1_at_best"] - summary["f1_at_default"] > r["f1_gain"]
    return {"moves": bool(moved), "gains": bool(gain), "default_near_best": not (moved and gain)}, {}


def comparison(metrics: pd.DataFrame, differences: pd.DataFrame, metric: str,
               checks: Checks | None = None) -> tuple[dict, dict]:
    """The model with the best point estimate of the dataset's headline metric, and whom it beats
    (paired bootstrap interval of the difference on the good side of zero)."""
    from ..compute.comparison import higher_is_better

    rows = metrics[metrics.metric == metric].sort_values(
        ["value", "model"], ascending=[not higher_is_better(metric), True], kind="mergesort")
    leader = rows["model"].iloc[0]
    others = rows["model"].iloc[1:].tolist()
    sign = 1 if higher_is_better(metric) else -1
    beaten = [o for o in others if sign * pair_row(differences, leader, o, metric)["lower" if sign > 0 else "upper"] > 0]
    tied_top = len(rows) > 1 and rows["value"].iloc[0] == rows["value"].iloc[1]
    claims = {"several": len(rows) > 1, "leader_unique": not tied_top,
              "beats_all": bool(others) and not tied_top and len(beaten) == len(others),
              "beats_some": 0 < len(beaten) < len(others) and not tied_top,
              "beats_none": bool(others) and not beaten}
    # Against the trivial baseline: models that cannot be told apart from it are named; when none
    # beats it, no model is said to beat another.
    models = rows["model"].tolist()
    guessing = [mm for mm in models if checks is not None and not checks.better(mm)]
    one_class = [mm for mm in models if checks is not None and one_class_model(checks, mm)]
    nothing = checks is not None and len(guessing) == len(models)
    claims.update(learned_nothing=nothing, some_guess=bool(guessing) and not nothing,
                  one_class=bool(one_class), leader_guesses=leader in guessing)
    if nothing or leader in guessing:
        claims.update(beats_all=False, beats_some=False, beats_none=False)
    return claims, {"leader": leader, "beaten": beaten, "not_beaten": [o for o in others if o not in beaten],
                    "guessing": guessing, "one_class": one_class}


def one_class_model(checks: Checks, model: str) -> bool:
    """The model predicts one class for every test row (checks' baseline table)."""
    b = checks.baseline[(checks.baseline["model"] == model) & checks.baseline["headline"]]
    return bool(len(b) and b["one_class"].iloc[0])


def calibration(scores: pd.DataFrame, positive: str | None, r: dict) -> tuple[dict, dict]:
    """Per model: the expected calibration error of the positive class (two classes) or the
    class-wise mean (more), against report.readings.well_calibrated_ece."""
    cls = positive if positive is not None else "all"
    rows = scores[scores["class"] == cls].sort_values(["brier", "model"], kind="mergesort")
    well = rows.loc[rows["ece"] <= r["well_calibrated_ece"], "model"].tolist()
    claims = {"all_well": len(well) == len(rows), "none_well": not well,
              "some_well": 0 < len(well) < len(rows), "best_unique": unique_top(-rows["brier"].to_numpy())}
    return claims, {"well": well, "best": rows["model"].iloc[0], "class": cls}


def effects(summary: pd.DataFrame, checks: Checks | None = None, model: str | None = None) -> tuple[dict, dict]:
    """The shapes of the drawn features' average curves; none is read for a model no better than
    guessing; a curve that jumps at the value that filled missing cells is named."""
    shown = summary[summary["shown"]]
    flat = shown.loc[shown["monotone"] == "flat", "feature"].tolist()
    monotone = shown["monotone"].isin(["increasing", "decreasing"])
    no_better = checks is not None and not checks.better(model)
    jumps = checks.jumps if checks is not None and checks.jumps is not None else pd.DataFrame(columns=["model", "feature", "jumps"])
    jumped = [f for f in jumps.loc[(jumps["model"] == model) & jumps["jumps"].astype(bool), "feature"]
              if f in set(shown["feature"])]
    return ({"has_flat": bool(flat), "all_monotone": bool(monotone.all()) and not no_better,
             "has_mixed": bool((shown["monotone"] == "mixed").any()), "no_better": no_better,
             "shapes": not no_better, "fill_jump": bool(jumped)},
            {"flat": flat, "fill_jumps": jumped})


def trust(agreement: pd.DataFrame, areas: pd.DataFrame | None, r: dict, checks: Checks | None = None) -> tuple[dict, dict]:
    """Agreement of the model with the most importance methods (ties: by name), and SHAP's
    deletion check when the run has one."""
    counts = agreement.groupby("model").size().sort_index()
    model = counts.sort_values(ascending=False, kind="mergesort").index[0] if len(counts) else None
    claims = {"has_agreement": model is not None, "methods_agree": False, "methods_disagree": False,
              "has_deletion": areas is not None, "shap_faithful": False}
    subjects = {"model": model}
    if model is not None:
        rho = agreement.loc[agreement["model"] == model, "spearman"].dropna()
        claims["methods_agree"] = bool(len(rho) and (rho >= r["methods_agree"]).all())
        claims["methods_disagree"] = bool((rho < r["methods_disagree"]).any())
        claims["methods_mixed"] = not (claims["methods_agree"] or claims["methods_disagree"])
    else:
        claims["methods_mixed"] = False
    if areas is not None:
        a = areas.set_index("order")["area"]
        claims["shap_faithful"] = bool(a["shap"] > a["random"])
    # An overlap of the top k when k is the number of features or more is complete by construction.
    claims["top_k_uninformative"] = model is not None and checks is not None and not checks.informative(
        "method_agreement", model)
    return claims, subjects


def neural(history: pd.DataFrame, metrics: pd.DataFrame, pred: pd.DataFrame, threshold: float,
           r: dict) -> tuple[dict, dict]:
    vl = history[(history.split == "validation") & (history.metric == "loss")].sort_values("step")
    last = lambda split: float(history[(history.split == split) & (history.metric == "accuracy")]  # noqa: E731
                               .sort_values("step")["value"].iloc[-1])
    best = int(vl.loc[vl["value"].idxmin(), "step"])
    epochs = int(history["step"].max()) + 1
    overfit = best + 1 < epochs and float(vl["value"].iloc[-1]) > r["overfit"] * float(vl["value"].min())
    gap = last("train") - last("validation")
    m = metrics.set_index("metric")["value"]
    wrong = pred[pred.y_true != pred.y_pred]
    pairs = wrong.groupby(["y_true", "y_pred"]).size().sort_values(ascending=False, kind="stable")
    close = r["close_accuracy"]
    claims = {"overfits": bool(overfit), "gap_close": abs(gap) < close,
              "train_above": gap >= close, "validation_above": gap <= -close,
              "randomization_pass": bool(m["gradcam_randomization_spearman_mean"] < threshold),
              "deletion_pass": bool(m["gradcam_deletion_drop_salient"] > m["gradcam_deletion_drop_random"]),
              "no_mistake": len(wrong) == 0, "mistake_unique": unique_top(pairs.to_numpy()) and len(wrong) > 0}
    subjects = {"mistake": tuple(int(v) for v in pairs.index[0]) if len(pairs) else None}
    return claims, subjects
