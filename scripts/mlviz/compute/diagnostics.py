"""Checks before explanations: what in the data or in the models makes an explanation misleading,
computed into tables like any other result, so that the article's claims can depend on them.

Every function takes plain tables (the preprocessed train/test parquet, meta.json, the raw CSV read
as text, stored predictions) and returns a DataFrame with the columns listed here; an empty table
keeps its columns. Nothing here reads scaled values as data units or parses one-hot column names:
a feature's raw column comes from meta.json's `levels` (a one-hot level names its column there) or
is the feature itself, and its kind from meta.json's `kinds` when present, else from its values.
Whether a check fires is a boolean column (`suspect`, `flagged`, `signal`, ...) beside the numbers
it was decided from, so that a claim can quote both.

redundancy_groups (per dataset): dataset, group, feature, column, size
    Features that carry the same information, as connected components of the pairs below. group
    1, 2, ... (largest first, then in feature order); column: the raw column the feature was made
    from; size: features in the group.
redundancy_pairs (per dataset): dataset, group, a, b, kind, spearman, mutual
    kind "rank_correlation": features a and b (of different raw columns) with |Spearman| >=
    checks.redundancy.min_rank_correlation on the train split (spearman: signed; mutual: NaN).
    kind "determined": raw column b is a function of raw column a on the train split (every value
    of a, a one-hot column's level included, goes with one value of b) beyond what chance gives
    (see determined_pairs); spearman: when both are single features, else NaN; mutual: a is also
    a function of b.
leakage (per dataset): dataset, candidate, kind, in_model, features, metric, score, skill, skill_cv,
        threshold, identifier_like, follows_row_order, suspect, reason
    One small model of one candidate alone, fitted on the train split and scored on the test split
    (score: balanced accuracy or R²; skill: balanced accuracy rescaled so that guessing (1/k) is 0
    and a perfect score 1, or R²); skill_cv: the same out of fold on the train split, computed when
    the test skill reaches the threshold. kind "feature": a raw column the models read (a one-hot
    column's levels together); "dropped": a column the config dropped that has a different value in
    (nearly) every row; "row_number": the CSV row number. features: the model features of a
    "feature" candidate. identifier_like: a different whole number in (nearly) every row (kept
    columns) or a different value (dropped ones); follows_row_order: it counts the rows (|Spearman|
    with the row number >= FOLLOWS_ORDER). reason: why a candidate that predicts the target is or
    is not a suspect ("" when it does not predict it). See leakage() for when each is a suspect.
duplicates (per dataset): dataset, check, rows, share, expected, lower, threshold, suspect, csv_rows
    check "test_in_train": test rows whose features (as the models read them) equal some train
    row's; expected: the share that chance gives, the larger of that of raw columns varying
    independently and the share of train rows that repeat another train row (columns that go together);
    lower: the share's lower confidence bound (Clopper-Pearson). check "conflicting_labels": rows of
    either split whose features equal another row's with a different target. csv_rows: the rows.
column_caveats (per dataset): dataset, column, kind, features, missing, missing_share, fill_rule,
        fill_value, skewness, top_value, top_share, heavy_missing, skewed, near_constant, flagged
    Per raw column the models read, over the labelled rows (skewness over the train rows' observed
    numbers): kind "number" | "category" (text, yes/no, one-hot); features: its model features;
    empty cells and what filled them (fill_rule: median, mean, most_frequent or constant; fill_value
    as text; both null when nothing was empty), skewness of numbers with more than two values (else
    NaN), the most common value (as text) and its share among the present values; each flag against
    checks.columns; flagged: any of the three.
baseline (per dataset): dataset, model, metric, headline, value, baseline, difference, lower, upper,
        level, n_boot, higher_is_better, better, worse, predicted_classes, one_class
    Each model against the trivial predictor of the train split (class shares / mean), paired
    bootstrap over the test rows (mlviz.compute.comparison, same resamples and level as the model
    comparison). headline: ROC AUC for classification (the baseline's is exactly 0.5), R² for
    regression. better/worse: the whole interval of the difference on the good/bad side of 0.
    predicted_classes: distinct predictions on the test rows; one_class: a classifier predicting
    one class for every test row.
permutation_checked (per dataset and model): dataset, model, method, feature, members, value, spread,
        floor, beyond_floor, beyond_noise, signal, rows, repeats
    method "permutation": each feature, recomputed with scikit-learn's shuffles (value and spread
    equal the importance table's); "permutation_group": each redundant group shuffled together
    (feature: "group <id>"); members: the features shuffled. rows: test rows scored (max_rows);
    repeats: shuffles per feature. floor: the part of the drop that the single most-changed test row
    makes (see permutation_checked); beyond_floor: value > floor; beyond_noise: value > NOISE_SDS
    spreads (mlviz.compute.importance.within_noise); signal: both.
filled_rows (per dataset): dataset, model, source, row, position, column, features, fill_rule,
        fill_value
    The explained rows (source "shap": a SHAP instance, position -1; "lime": a LIME test row and its
    position in the test split; row: the CSV row) with a raw column that was empty and filled, one
    line per such column (features: the model features made from it).
fill_jumps (per dataset): dataset, model, feature, fill_value, jump, largest_other, jumps
    Partial-dependence curves of numbers that were filled: the step across the fill value and the
    largest other step; jumps: the step at the fill is more than JUMP_RATIO times any other.
top_k (per dataset): dataset, check, model, top_k, features, informative
    A top-k agreement that cannot discriminate: top_k >= the number of features compared.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..errors import InputError

# A pair looks "determined" (b a function of a) by chance with a probability below this, over all
# ordered pairs of raw columns tried (Bonferroni).
ALPHA_DETERMINED = 1e-3
# A column "counts the rows" when its rank correlation with the CSV row number is at least this.
FOLLOWS_ORDER = 0.99
# A column with a different value in at least this share of its present cells is identifier-like,
# when present in at least half the rows.
IDENTIFIER_DISTINCT = 0.95
# Folds of the out-of-fold confirmation of a candidate's skill on the train split.
CV_FOLDS = 5
# A partial-dependence step at the fill value "jumps" when larger than this many times any other step.
JUMP_RATIO = 2.0

GROUP_COLUMNS = ["dataset", "group", "feature", "column", "size"]
PAIR_COLUMNS = ["dataset", "group", "a", "b", "kind", "spearman", "mutual"]
LEAKAGE_COLUMNS = ["dataset", "candidate", "kind", "in_model", "features", "metric", "score", "skill", "skill_cv",
                   "threshold", "identifier_like", "follows_row_order", "suspect", "reason"]
DUPLICATE_COLUMNS = ["dataset", "check", "rows", "share", "expected", "lower", "threshold", "suspect", "csv_rows"]
CAVEAT_COLUMNS = ["dataset", "column", "kind", "features", "missing", "missing_share", "fill_rule", "fill_value",
                  "skewness", "top_value", "top_share", "heavy_missing", "skewed", "near_constant", "flagged"]
BASELINE_COLUMNS = ["dataset", "model", "metric", "headline", "value", "baseline", "difference", "lower", "upper",
                    "level", "n_boot", "higher_is_better", "better", "worse", "predicted_classes", "one_class"]
PERMUTATION_COLUMNS = ["dataset", "model", "method", "feature", "members", "value", "spread", "floor",
                       "beyond_floor", "beyond_noise", "signal", "rows", "repeats"]
FILLED_COLUMNS = ["dataset", "model", "source", "row", "position", "column", "features", "fill_rule", "fill_value"]
JUMP_COLUMNS = ["dataset", "model", "feature", "fill_value", "jump", "largest_other", "jumps"]
TOP_K_COLUMNS = ["dataset", "check", "model", "top_k", "features", "informative"]
HEADLINE = {"classification": "roc_auc", "regression": "r2"}


# ---------------------------------------------------------------- features, raw columns, kinds

def _features(meta: dict, table: pd.DataFrame | None = None) -> list[str]:
    features = list(meta["features"])
    if table is not None:
        missing = [f for f in features if f not in table.columns]
        if missing:
            raise InputError(f"table of dataset {meta.get('dataset')!r}: missing feature column(s) {missing[:3]} "
                             "(expected every feature of meta.json)")
    return features


def source_columns(meta: dict, features: list[str] | None = None) -> dict[str, str]:
    """feature → the raw column it was made from: a one-hot level's column as meta.json's `levels`
    (or a `kinds` entry with a column) names it, else the feature itself."""
    levels = meta.get("levels") or {}
    kinds = meta.get("kinds") or {}
    out = {}
    for f in features if features is not None else meta["features"]:
        info = levels.get(f) if isinstance(levels, dict) else None
        kind = kinds.get(f) if isinstance(kinds, dict) else None
        if isinstance(info, dict) and info.get("column") is not None:
            out[f] = str(info["column"])
        elif isinstance(kind, dict) and kind.get("column") is not None:
            out[f] = str(kind["column"])
        else:
            out[f] = f
    return out


def units(meta: dict, features: list[str] | None = None) -> dict[str, list[str]]:
    """raw column → its features, in feature order (a one-hot column's levels together)."""
    out: dict[str, list[str]] = {}
    for f, col in source_columns(meta, features).items():
        out.setdefault(col, []).append(f)
    return out


def feature_kinds(meta: dict, table: pd.DataFrame) -> dict[str, str]:
    """feature → "one_hot" | "binary" | "number": meta.json's word when it has one, else a one-hot
    level (listed under `levels`), a 0/1 column, or a number."""
    kinds = meta.get("kinds") or {}
    levels = meta.get("levels") or {}
    out = {}
    for f in _features(meta, table):
        word = kinds.get(f) if isinstance(kinds, dict) else None
        word = word.get("kind") if isinstance(word, dict) else word
        word = str(word).lower() if word is not None else ""
        if any(w in word for w in ("hot", "level", "categor")) or f in levels:
            out[f] = "one_hot"
        elif "bin" in word:
            out[f] = "binary"
        elif word:
            out[f] = "number"
        else:
            values = pd.unique(table[f].dropna())
            out[f] = "binary" if len(values) <= 2 and set(np.asarray(values, dtype=float)) <= {0.0, 1.0} else "number"
    return out


def raw_numbers(values: pd.Series) -> pd.Series | None:
    """A raw text column as numbers (float, NaN where empty), or None when some cell is not a number."""
    present = values.dropna()
    text = present.astype(str).str.strip()
    num = pd.to_numeric(text, errors="coerce")
    if len(present) and num.isna().any():
        return None
    return pd.to_numeric(values.astype("string").str.strip(), errors="coerce").astype("float64")


def as_ordinal(values: pd.Series) -> pd.Series:
    """A raw column as numbers a one-column model can split: the numbers it holds, or its texts'
    positions in sorted order (identifiers such as "A-0012" sort the way they were issued). NaN stays."""
    num = raw_numbers(values)
    if num is not None:
        return num
    text = values.astype("string")
    order = {t: i for i, t in enumerate(sorted(text.dropna().unique()))}
    return text.map(order).astype("float64")


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3:
        return np.nan
    ra, rb = pd.Series(a[ok]).rank().to_numpy(), pd.Series(b[ok]).rank().to_numpy()
    if ra.std() == 0 or rb.std() == 0:
        return np.nan
    return float(np.corrcoef(ra, rb)[0, 1])


# ---------------------------------------------------------------- redundant features

def _codes(frame: pd.DataFrame) -> np.ndarray:
    """One integer per distinct row of a frame (a raw column's value, a one-hot column's level)."""
    if frame.shape[1] == 1:
        return pd.factorize(frame.iloc[:, 0], use_na_sentinel=False)[0]
    return pd.factorize(pd.util.hash_pandas_object(frame, index=False), use_na_sentinel=False)[0]


def determined_pairs(train: pd.DataFrame, meta: dict) -> list[dict]:
    """Ordered pairs (a, b) of raw columns where b is a function of a on the train split, beyond chance.

    Every value of a must go with one value of b. With a different value of a in every row that
    holds for any b, so the evidence is in the values of a that repeat: the chance that a column b
    unrelated to a is constant within each of a's groups is the product over a's groups of
    sum_v p_v^size (p_v: b's value shares). The pair counts when that chance, without a's largest
    group (a fill value or a default shared by many rows must not decide alone), is below
    ALPHA_DETERMINED / (pairs tried)."""
    groups = units(meta, _features(meta, train))
    names = list(groups)
    n = len(train)
    if len(names) < 2 or n < 3:
        return []
    codes = pd.DataFrame({c: _codes(train[groups[c]]) for c in names}, index=train.index)
    matrix = codes.to_numpy()
    distinct = codes.nunique()
    shares = {c: codes[c].value_counts(normalize=True).to_numpy() for c in names}
    limit = math.log(ALPHA_DETERMINED / (len(names) * (len(names) - 1)))
    out = []
    for a in names:
        sizes = codes[a].value_counts().to_numpy()
        repeated = np.sort(sizes[sizes >= 2])[::-1][1:]  # without the largest group
        if not len(repeated):
            continue
        candidates = [b for b in names if b != a and 2 <= distinct[b] <= distinct[a]]
        if not candidates:
            continue
        # The least chance any b could have (uniform over as many values as the most varied candidate):
        # when even that is not small enough, a's repeats are too few to show anything (no ties, mostly).
        most = max(distinct[b] for b in candidates)
        if float(np.sum(repeated - 1)) * -math.log(most) >= limit:
            continue
        # Only rows whose value of a repeats can break the rule (a single row is its own group); b is
        # pure when every row holds its group's first row's value of b.
        column = matrix[:, names.index(a)]
        rows = np.flatnonzero(np.bincount(column)[column] >= 2)
        group = pd.factorize(column[rows])[0]
        first = np.full(group.max() + 1, -1)
        first[group[::-1]] = np.arange(len(group))[::-1]
        cols = [names.index(b) for b in candidates]
        sub = matrix[np.ix_(rows, cols)]
        pure = (sub == sub[first[group]]).all(axis=0)
        for b in [c for c, ok in zip(candidates, pure) if ok]:
            chance = float(sum(math.log(float(np.sum(shares[b] ** s))) for s in repeated))
            if chance < limit:
                out.append({"a": a, "b": b})
    return out


def redundancy(train: pd.DataFrame, meta: dict, *, min_rank_correlation: float,
               dataset: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(groups, pairs): see the module's docstring. Pairs of one raw column's own one-hot levels are
    not compared: they are one column."""
    dataset = dataset or meta.get("dataset")
    features = _features(meta, train)
    column = source_columns(meta, features)
    pairs = []
    if len(features) >= 2 and len(train) >= 3:
        ranks = train[features].rank(method="average").to_numpy(dtype="float64")
        varied = ranks.std(axis=0) > 0
        idx = np.flatnonzero(varied)
        rho = np.corrcoef(ranks[:, idx], rowvar=False) if len(idx) >= 2 else np.zeros((len(idx), len(idx)))
        rho = np.atleast_2d(rho)
        for i, j in zip(*np.triu_indices(len(idx), k=1)):
            fa, fb = features[idx[i]], features[idx[j]]
            if column[fa] != column[fb] and abs(rho[i, j]) >= min_rank_correlation:
                pairs.append({"a": fa, "b": fb, "kind": "rank_correlation", "spearman": float(rho[i, j]),
                              "mutual": np.nan})
    found = determined_pairs(train, meta)
    both = {(p["a"], p["b"]) for p in found}
    members = units(meta, features)
    for p in found:
        a, b = p["a"], p["b"]
        if (b, a) in both and b < a:
            continue  # a bijection: one row
        single = len(members[a]) == 1 and len(members[b]) == 1
        rho = _spearman(train[members[a][0]].to_numpy(float), train[members[b][0]].to_numpy(float)) if single \
            else np.nan
        pairs.append({"a": a, "b": b, "kind": "determined", "spearman": rho, "mutual": (b, a) in both})

    # Connected components over features (union-find); a determined pair joins both columns' features.
    parent = {f: f for f in features}

    def find(f):
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    def join(fs):
        roots = [find(f) for f in fs]
        for r in roots[1:]:
            parent[r] = roots[0]

    for p in pairs:
        if p["kind"] == "rank_correlation":
            join([p["a"], p["b"]])
        else:
            join(members[p["a"]] + members[p["b"]])
    order = {f: i for i, f in enumerate(features)}
    components: dict[str, list[str]] = {}
    for f in features:
        components.setdefault(find(f), []).append(f)
    grouped = sorted((fs for fs in components.values() if len(fs) >= 2), key=lambda fs: (-len(fs), order[fs[0]]))
    group_of = {f: g for g, fs in enumerate(grouped, start=1) for f in fs}
    groups = pd.DataFrame([{"dataset": dataset, "group": g, "feature": f, "column": column[f], "size": len(fs)}
                           for g, fs in enumerate(grouped, start=1) for f in fs], columns=GROUP_COLUMNS)
    for p in pairs:
        first = p["a"] if p["kind"] == "rank_correlation" else members[p["a"]][0]
        p["group"] = group_of[first]
        p["dataset"] = dataset
    table = pd.DataFrame(pairs, columns=PAIR_COLUMNS)
    if len(table):
        table = table.sort_values(["group", "kind", "a", "b"], kind="mergesort").reset_index(drop=True)
    return groups.astype({"group": "int64", "size": "int64"}), table.astype({"group": "int64"})


def group_members(groups: pd.DataFrame) -> dict[str, list[str]]:
    """"group <id>" → its features, from the redundancy_groups table."""
    return {f"group {g}": part["feature"].tolist() for g, part in groups.groupby("group", sort=True)}


# ---------------------------------------------------------------- leakage

def _task_of(meta: dict) -> tuple[str, int]:
    task = meta["task"]
    if task not in ("classification", "regression"):
        raise InputError(f"meta.json: task {task!r} (expected classification or regression)")
    return task, len(meta.get("classes") or [])


def skill_of(task: str, k: int, y_true, y_pred) -> tuple[float, float]:
    """(score, skill): balanced accuracy and its rescaling (guessing 1/k → 0, perfect → 1), or R² twice."""
    from sklearn.metrics import balanced_accuracy_score, r2_score

    if task == "classification":
        score = float(balanced_accuracy_score(y_true, y_pred))
        return score, (score - 1.0 / k) / (1.0 - 1.0 / k)
    if len(y_true) < 2 or np.var(np.asarray(y_true, dtype=float)) == 0:
        return np.nan, np.nan
    score = float(r2_score(y_true, y_pred))
    return score, score


def _one_column_model(task: str, n_train: int, seed: int):
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    # Leaves of at least 5 rows (0.5 % of large tables): a step function fine enough to follow a
    # leaked copy of the target, coarse enough not to memorise single rows.
    leaf = max(5, n_train // 200)
    cls = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor
    return cls(min_samples_leaf=leaf, random_state=seed)


def _filled(x: np.ndarray) -> np.ndarray:
    """Empty cells as their own value below the others (a tree can split them off)."""
    x = np.asarray(x, dtype="float64")
    if x.ndim == 1:
        x = x[:, None]
    if np.isnan(x).any():
        low = np.nanmin(x) if np.isfinite(np.nanmin(x)) else 0.0
        x = np.where(np.isnan(x), low - 1.0, x)
    return x


def candidate_skill(x_train, y_train, x_test, y_test, *, task: str, k: int, seed: int) -> tuple[float, float]:
    """(score, skill) on the test rows of a one-candidate tree fitted on the train rows."""
    model = _one_column_model(task, len(y_train), seed).fit(_filled(x_train), y_train)
    return skill_of(task, k, y_test, model.predict(_filled(x_test)))


def cv_skill(x_train, y_train, *, task: str, k: int, seed: int) -> float:
    """The same skill out of fold on the train split (CV_FOLDS folds, stratified for classes)."""
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict

    y_train = np.asarray(y_train)
    if task == "classification":
        counts = np.bincount(y_train.astype(int)) if len(y_train) else np.zeros(1, int)
        smallest = int(counts[counts > 0].min()) if (counts > 0).any() else 0
        folds = min(CV_FOLDS, smallest)
        if folds < 2:
            return np.nan
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    else:
        folds = min(CV_FOLDS, len(y_train) // 2)
        if folds < 2:
            return np.nan
        cv = KFold(n_splits=folds, shuffle=True, random_state=seed)
    pred = cross_val_predict(_one_column_model(task, len(y_train) * (folds - 1) // folds, seed),
                             _filled(x_train), y_train, cv=cv)
    return skill_of(task, k, y_train, pred)[1]


def identifier_like(values: pd.Series, rows: int) -> bool:
    """A different value in (nearly) every row where present, present in at least half the rows."""
    present = values.dropna()
    if len(present) < max(3, 0.5 * rows):
        return False
    return present.astype(str).nunique() >= IDENTIFIER_DISTINCT * len(present)


def _whole_numbers(values: pd.Series) -> bool:
    num = raw_numbers(values)
    return num is not None and bool(num.notna().any()) and bool((num.dropna() % 1 == 0).all())


def leakage(train: pd.DataFrame, test: pd.DataFrame, meta: dict, raw: pd.DataFrame | None, *, min_skill: float,
            identifier_skill: float, seed: int = 0, dataset: str | None = None) -> pd.DataFrame:
    """Leakage suspects (columns in the module's docstring). A candidate's model sees only it; skill_cv
    confirms a test skill that reaches its threshold on the train split, so that a lucky test split
    of a few rows does not decide alone. Suspects:

    - feature: skill and skill_cv >= min_skill (it predicts the target almost by itself); or an
      identifier the models read (identifier-like whole numbers named like an identifier or counting
      the rows, as mlviz.config.infer drops them) with skill and skill_cv >= identifier_skill;
    - dropped: an identifier-like column the config dropped with skill and skill_cv >=
      identifier_skill, unless it counts the rows (then it says what the row number says);
    - row_number: skill and skill_cv >= identifier_skill while a column the models read counts the
      rows (a file sorted by the target is no leak as long as the models cannot see the order: the
      split is shuffled).
    """
    from ..config.infer import _ID_NAME  # the identifier names mlviz.config.infer drops

    dataset = dataset or meta.get("dataset")
    task, k = _task_of(meta)
    target = meta["target"]
    features = _features(meta, train)
    y_train, y_test = train[target].to_numpy(), test[target].to_numpy()
    labelled = train.index.union(test.index)
    raw_rows = raw.loc[labelled] if raw is not None else None
    row_number = pd.Series(labelled.to_numpy(dtype="float64"), index=labelled)

    def counts_rows(values: pd.Series) -> bool:
        return abs(_spearman(values.to_numpy(float), row_number.to_numpy(float))) >= FOLLOWS_ORDER

    rows = []

    def judge(candidate, kind, in_model, feats, x_train, x_test, threshold, identifier, follows, rule):
        score, skill = candidate_skill(x_train, y_train, x_test, y_test, task=task, k=k, seed=seed)
        skill_cv = cv_skill(x_train, y_train, task=task, k=k, seed=seed) \
            if np.isfinite(skill) and skill >= threshold else np.nan
        predicts = bool(np.isfinite(skill_cv) and skill >= threshold and skill_cv >= threshold)
        suspect, reason = rule(predicts)
        rows.append({"dataset": dataset, "candidate": candidate, "kind": kind, "in_model": in_model,
                     "features": list(feats), "metric": "balanced_accuracy" if task == "classification" else "r2",
                     "score": score, "skill": skill, "skill_cv": skill_cv, "threshold": threshold,
                     "identifier_like": identifier, "follows_row_order": follows, "suspect": suspect,
                     "reason": reason})

    counters = []
    for col, feats in units(meta, features).items():
        values = raw_rows[col] if raw_rows is not None and col in raw_rows.columns else None
        identifier = bool(values is not None and len(feats) == 1 and identifier_like(values, len(labelled))
                          and _whole_numbers(values))
        follows = bool(values is not None and identifier and counts_rows(as_ordinal(values)))
        named = bool(_ID_NAME.search(col))
        if identifier and follows:
            counters.append(col)
        # An identifier the models read is judged at the identifier's (lower) threshold.
        is_id = identifier and (named or follows)

        def rule(predicts, is_id=is_id):
            if not predicts:
                return False, ""
            return True, ("an identifier the models read predicts the target" if is_id
                          else "predicts the target almost by itself")
        threshold = identifier_skill if is_id else min_skill
        judge(col, "feature", True, feats, train[feats].to_numpy(float), test[feats].to_numpy(float), threshold,
              identifier, follows, rule)

    if raw_rows is not None:
        for col in meta.get("dropped") or {}:
            if col not in raw_rows.columns or col == meta.get("target_column"):
                continue
            values = raw_rows[col]
            if not identifier_like(values, len(labelled)):
                continue
            x = as_ordinal(values)
            follows = counts_rows(x)

            def rule(predicts, follows=follows):
                if not predicts:
                    return False, ""
                if follows:
                    return False, "predicts the target, but only as the row order does"
                return True, "a dropped identifier predicts the target"
            judge(col, "dropped", False, [], x.loc[train.index].to_numpy(), x.loc[test.index].to_numpy(),
                  identifier_skill, True, follows, rule)

    def row_rule(predicts):
        if not predicts:
            return False, ""
        if counters:
            return True, f"the rows are ordered by the target and {', '.join(counters)} counts them"
        return False, "the rows are ordered by the target; no column the models read follows the order"
    judge("row number", "row_number", False, [], row_number.loc[train.index].to_numpy(),
          row_number.loc[test.index].to_numpy(), identifier_skill, False, True, row_rule)
    return pd.DataFrame(rows, columns=LEAKAGE_COLUMNS)


# ---------------------------------------------------------------- duplicates

def clopper_pearson(k: int, n: int, level: float) -> tuple[float, float]:
    """Exact two-sided interval of a proportion k/n at the given level."""
    from scipy.stats import beta

    alpha = 1.0 - level
    lower = 0.0 if k == 0 else float(beta.ppf(alpha / 2, k, n - k + 1))
    upper = 1.0 if k == n else float(beta.ppf(1 - alpha / 2, k + 1, n - k))
    return lower, upper


def _row_hashes(table: pd.DataFrame, features: list[str]) -> pd.Series:
    return pd.util.hash_pandas_object(table[features], index=False)


def chance_collisions(train: pd.DataFrame, test: pd.DataFrame, meta: dict) -> float:
    """The share of test rows expected to equal some train row if the raw columns varied independently
    (each column's value shares from the train split): near 0 when some column is a measurement
    with many values, large for tables of a few categories."""
    features = _features(meta, train)
    log_q = np.zeros(len(test))
    for col, feats in units(meta, features).items():
        both = pd.concat([train[feats], test[feats]])
        codes = _codes(both)
        tr, te = codes[:len(train)], codes[len(train):]
        share = np.bincount(tr, minlength=codes.max() + 1) / len(train)
        with np.errstate(divide="ignore"):
            log_q += np.log(share[te])
    q = np.exp(log_q)
    return float(np.mean(1.0 - (1.0 - q) ** len(train)))


def duplicates(train: pd.DataFrame, test: pd.DataFrame, meta: dict, *, max_share: float, max_conflicts: float,
               level: float = 0.95, dataset: str | None = None) -> pd.DataFrame:
    """Test rows that are also train rows, and identical features with different targets (columns in
    the module's docstring). test_in_train is suspect when its share exceeds chance collisions by at
    least max_share and its lower confidence bound exceeds them too; conflicting_labels, for a
    classification target, when the share of rows in conflict is at least max_conflicts."""
    dataset = dataset or meta.get("dataset")
    features = _features(meta, train)
    target = meta["target"]
    h_train, h_test = _row_hashes(train, features), _row_hashes(test, features)
    twins = h_test.isin(set(h_train.to_numpy())).to_numpy()
    k, n = int(twins.sum()), len(test)
    share = k / n if n else 0.0
    # What chance gives: the columns varying independently, or, where they go together (a day's
    # rain, wind and weather), the share of train rows that repeat another train row, which a random
    # split gives the test rows too; only a split that copied rows puts more repeats across it.
    within = float(h_train.duplicated(keep=False).mean()) if len(h_train) > 1 else 0.0
    expected = max(chance_collisions(train, test, meta), within) if n else 0.0
    lower, _ = clopper_pearson(k, n, level) if n else (0.0, 0.0)
    suspect = bool(share - expected >= max_share and lower > expected)
    out = [{"dataset": dataset, "check": "test_in_train", "rows": k, "share": share, "expected": expected,
            "lower": lower, "threshold": max_share, "suspect": suspect,
            "csv_rows": [int(r) for r in test.index[twins]]}]
    both = pd.concat([train, test])
    h = pd.concat([h_train, h_test]).to_numpy()
    labels = pd.DataFrame({"h": h, "y": both[target].to_numpy()}, index=both.index)
    kinds = labels.groupby("h")["y"].transform("nunique")
    conflict = (kinds > 1).to_numpy()
    m = int(conflict.sum())
    c_share = m / len(both) if len(both) else 0.0
    out.append({"dataset": dataset, "check": "conflicting_labels", "rows": m, "share": c_share, "expected": np.nan,
                "lower": clopper_pearson(m, len(both), level)[0] if len(both) else 0.0, "threshold": max_conflicts,
                # Only a class can conflict: equal features with different numbers are a regression's noise.
                "suspect": bool(meta.get("task") == "classification" and m > 0 and c_share >= max_conflicts),
                "csv_rows": sorted(int(r) for r in both.index[conflict])})
    return pd.DataFrame(out, columns=DUPLICATE_COLUMNS)


# ---------------------------------------------------------------- per-column caveats

def fill_rules(meta: dict, fill_missing: dict | None = None) -> dict[str, tuple[str, object]]:
    """raw column → (rule, value) of what filled its empty cells: meta.json's `fills` (median, mean,
    most frequent, fitted on the train split), else a constant of the recipe's fill_missing."""
    out = {}
    for col, value in (fill_missing or {}).items():
        out[col] = ("constant", value)
    for col, fill in (meta.get("fills") or {}).items():
        if isinstance(fill, dict):
            out[col] = (str(fill.get("rule", "constant")), fill.get("value"))
    return out


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def column_caveats(raw: pd.DataFrame, train: pd.DataFrame, test: pd.DataFrame, meta: dict, *,
                   missing_share: float, skewness: float, top_share: float, fill_missing: dict | None = None,
                   dataset: str | None = None) -> pd.DataFrame:
    """Per raw column the models read (columns in the module's docstring)."""
    dataset = dataset or meta.get("dataset")
    features = _features(meta, train)
    kinds = feature_kinds(meta, train)
    fills = fill_rules(meta, fill_missing)
    labelled = train.index.union(test.index)
    rows = []
    for col, feats in units(meta, features).items():
        if col not in raw.columns:
            continue  # a column the preprocessing made (none today): nothing raw to read
        values = raw.loc[labelled, col]
        present = values.dropna()
        missing = int(values.isna().sum())
        num = raw_numbers(values)
        kind = "number" if num is not None and len(feats) == 1 and kinds[feats[0]] == "number" else "category"
        skew = np.nan
        if kind == "number":
            observed = num.loc[train.index].dropna()
            if observed.nunique() > 2:
                skew = float(observed.skew())
        counts = (num.dropna() if num is not None else present.astype(str)).value_counts()
        top = counts.index[0] if len(counts) else None
        top_sh = float(counts.iloc[0] / counts.sum()) if len(counts) else np.nan
        rule, value = fills.get(col, (None, None)) if missing else (None, None)
        heavy = bool(len(values) and missing / len(values) >= missing_share)
        skewed = bool(np.isfinite(skew) and abs(skew) >= skewness)
        constant = bool(np.isfinite(top_sh) and top_sh >= top_share)
        rows.append({"dataset": dataset, "column": col, "kind": kind, "features": list(feats), "missing": missing,
                     "missing_share": missing / len(values) if len(values) else 0.0, "fill_rule": rule,
                     "fill_value": _text(value), "skewness": skew, "top_value": _text(top), "top_share": top_sh,
                     "heavy_missing": heavy, "skewed": skewed, "near_constant": constant,
                     "flagged": heavy or skewed or constant})
    return pd.DataFrame(rows, columns=CAVEAT_COLUMNS)


# ---------------------------------------------------------------- each model against the trivial baseline

BASELINE = "_baseline"  # a name no configured model can have (names start with a letter)


def trivial_predictions(reference: pd.DataFrame, y_train, *, task: str, classes: list | None) -> pd.DataFrame:
    """The predictor that ignores the features: the train split's class shares (and its most common
    class) or its mean, on the rows of a predictions table."""
    from .metrics import proba_columns

    out = pd.DataFrame({"y_true": reference["y_true"].to_numpy()}, index=reference.index)
    y_train = np.asarray(y_train)
    if task == "classification":
        shares = np.bincount(y_train.astype(int), minlength=len(classes)) / len(y_train)
        out["y_pred"] = int(np.argmax(shares))
        for c, s in zip(proba_columns(classes), shares):
            out[c] = float(s)
    else:
        out["y_pred"] = float(np.mean(y_train.astype(float)))
    return out


def baseline(predictions: dict[str, pd.DataFrame], y_train, *, task: str, classes: list | None, n_boot: int,
             seed: int, level: float, dataset: str | None = None) -> pd.DataFrame:
    """Each model against the trivial predictor (columns in the module's docstring), on the resamples
    of mlviz.compute.comparison.pairwise_differences (same seed: the model comparison's resamples)."""
    from . import comparison

    if BASELINE in predictions:
        raise InputError(f"predictions: model name {BASELINE!r} is reserved for the baseline")
    reference = next(iter(predictions.values())) if predictions else None
    if reference is None:
        raise InputError("predictions: expected at least one model's predictions table, got none")
    both = {**predictions, BASELINE: trivial_predictions(reference, y_train, task=task, classes=classes)}
    diffs = comparison.pairwise_differences(both, task=task, classes=classes, n_boot=n_boot, seed=seed, level=level)
    # Point values only (one resample is the least bootstrap_metrics draws).
    points = comparison.bootstrap_metrics(both, task=task, classes=classes, n_boot=1, seed=seed, level=level)
    points = points.set_index(["model", "metric"])["value"]
    rows = []
    for model, pred in predictions.items():
        distinct = int(pred["y_pred"].nunique())
        for _, d in diffs[(diffs["model_a"] == model) | (diffs["model_b"] == model)].iterrows():
            if BASELINE not in (d["model_a"], d["model_b"]):
                continue
            sign = 1.0 if d["model_a"] == model else -1.0
            diff, lower, upper = sign * d["difference"], sign * d["lower"], sign * d["upper"]
            if sign < 0:
                lower, upper = upper, lower
            hib = bool(d["higher_is_better"])
            finite = bool(np.isfinite(lower) and np.isfinite(upper))
            better = finite and (lower > 0 if hib else upper < 0)
            worse = finite and (upper < 0 if hib else lower > 0)
            metric = d["metric"]
            rows.append({"dataset": dataset, "model": model, "metric": metric, "headline": metric == HEADLINE[task],
                         "value": float(points[(model, metric)]), "baseline": float(points[(BASELINE, metric)]),
                         "difference": float(diff), "lower": float(lower), "upper": float(upper), "level": level,
                         "n_boot": int(d["n_boot"]), "higher_is_better": hib, "better": bool(better),
                         "worse": bool(worse), "predicted_classes": distinct,
                         "one_class": task == "classification" and distinct == 1})
    return pd.DataFrame(rows, columns=BASELINE_COLUMNS)


# ---------------------------------------------------------------- permutation: groups and the floor

def _row_scores(scoring: str | None, estimator, task: str):
    """(needs, per_row) for a score that is a weighted sum over the test rows: per_row(y, output)
    gives each row's share of the score, so that the score is their sum. None for scores that are
    not such a sum (ROC AUC, average precision, F1, RMSE): they get no floor."""
    from sklearn.base import is_classifier

    kind = scoring or ("accuracy" if is_classifier(estimator) else "r2" if task == "regression" else None)

    def accuracy(y, pred):
        return (np.asarray(y) == np.ravel(pred)).astype("float64") / len(y)

    def balanced(y, pred):
        y = np.asarray(y)
        counts = pd.Series(y).value_counts()
        weight = 1.0 / (len(counts) * pd.Series(y).map(counts).to_numpy(dtype="float64"))
        return (y == np.ravel(pred)) * weight

    def r2(y, pred):
        y = np.asarray(y, dtype="float64")
        total = float(np.sum((y - y.mean()) ** 2))
        e2 = (y - np.ravel(pred).astype("float64")) ** 2
        return -e2 / total if total > 0 else np.zeros_like(y)

    def mse(y, pred):
        return -((np.asarray(y, float) - np.ravel(pred).astype(float)) ** 2) / len(y)

    def mae(y, pred):
        return -np.abs(np.asarray(y, float) - np.ravel(pred).astype(float)) / len(y)

    def log_loss(y, proba):
        proba = np.clip(np.asarray(proba, float), np.finfo(float).eps, 1.0)
        return np.log(proba[np.arange(len(y)), np.asarray(y).astype(int)]) / len(y)

    table = {"accuracy": ("predict", accuracy), "balanced_accuracy": ("predict", balanced),
             "r2": ("predict", r2), "neg_mean_squared_error": ("predict", mse),
             "neg_mean_absolute_error": ("predict", mae), "neg_log_loss": ("predict_proba", log_loss)}
    return table.get(kind)


def permutation_checked(estimator, X: pd.DataFrame, y, *, groups: dict[str, list[str]] | None = None,
                        n_repeats: int, random_state: int, scoring: str | None, max_rows: int | None = None,
                        task: str, dataset: str | None = None, model: str | None = None) -> pd.DataFrame:
    """Permutation importance of each feature and of each group of features shuffled together, with
    the floor (columns in the module's docstring).

    The shuffles are scikit-learn's permutation_importance's, drawn the same way (one seed drawn from
    random_state, each feature's repeats from that seed, the same rows when max_rows samples them),
    so a feature's value and spread are the importance table's, and a group's shuffles move its
    features together.

    The floor: for a score that is a sum over the test rows (accuracy, balanced accuracy, R², MSE,
    MAE, log loss), each row's part of the drop is known; the floor is the mean over the repeats of
    the largest single row's part. value > floor is the same as: the mean drop stays positive when
    each repeat's most-changed row is left out. For accuracy that row's part is 1/n, so a drop made
    by one row changed in every repeat (value 1/n, spread 0) is no signal. Other scores: floor NaN,
    beyond_floor true."""
    from sklearn.ensemble._bagging import _generate_indices  # the row sample permutation_importance draws
    from sklearn.metrics import check_scoring
    from sklearn.utils import check_random_state

    from .importance import NOISE_SDS, batched, own_score, unnamed_input

    y = np.asarray(y)
    features = list(X.columns)
    sets = [("permutation", f, [f]) for f in features]
    sets += [("permutation_group", name, list(members)) for name, members in (groups or {}).items()]
    missing = [m for _, _, ms in sets for m in ms if m not in features]
    if missing:
        raise InputError(f"redundant group: feature {missing[0]!r} is not a column of the model's data")
    array = X.to_numpy(dtype="float64")
    n = len(array)
    sample = max_rows if max_rows and max_rows < n else n
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max + 1)
    per_row = _row_scores(scoring, estimator, task)
    method = per_row[0] if per_row else "predict"

    with unnamed_input():
        # The importance rule's scorer (mlviz.compute.importance.permutation): the same scores, bit for bit.
        scorer = check_scoring(estimator, scoring=scoring if scoring is not None else
                               own_score(estimator, array, y))

    def compute():
        results = []
        base_all = scorer(estimator, array, y)
        for _, _, members in sets:
            cols = [features.index(m) for m in members]
            rng = check_random_state(seed)
            if sample < n:
                rows = _generate_indices(random_state=rng, bootstrap=False, n_population=n, n_samples=sample)
                Xp, yy = array[rows].copy(), y[rows]
            else:
                Xp, yy = array.copy(), y
            original = getattr(estimator, method)(Xp) if per_row else None
            idx = np.arange(len(Xp))
            scores, floors = [], []
            for _ in range(n_repeats):
                rng.shuffle(idx)
                Xp[:, cols] = Xp[idx][:, cols]
                scores.append(scorer(estimator, Xp, yy))
                if per_row:
                    part = per_row[1](yy, original) - per_row[1](yy, getattr(estimator, method)(Xp))
                    floors.append(max(0.0, float(np.max(part))))
            results.append((base_all, np.array(scores), floors))
        return results

    with unnamed_input():
        results = batched(estimator, compute)
    out = []
    for (kind, name, members), (base_all, scores, floors) in zip(sets, results):
        drops = base_all - scores
        value, spread = float(np.mean(drops)), float(np.std(drops))
        floor = float(np.mean(floors)) if floors else np.nan
        # Beyond rounding: an accuracy drop of 1/n, computed as 1 - (1 - 1/n), may exceed 1/n in its last bit.
        beyond_floor = bool(value - floor > 1e-12 * max(1.0, abs(value))) if floors else True
        beyond_noise = bool(value > NOISE_SDS * spread)
        out.append({"dataset": dataset, "model": model, "method": kind, "feature": name, "members": members,
                    "value": value, "spread": spread, "floor": floor, "beyond_floor": beyond_floor,
                    "beyond_noise": beyond_noise, "signal": beyond_floor and beyond_noise, "rows": int(sample),
                    "repeats": int(n_repeats)})
    return pd.DataFrame(out, columns=PERMUTATION_COLUMNS)


# ---------------------------------------------------------------- filled values

def filled_rows(raw: pd.DataFrame, meta: dict, explained: list[dict], *, fill_missing: dict | None = None,
                dataset: str | None = None) -> pd.DataFrame:
    """The explained rows' raw columns that were empty and filled. `explained`: dicts with model,
    source ("shap" | "lime"), row (CSV row) and position (test position, -1 for SHAP instances)."""
    dataset = dataset or meta.get("dataset")
    fills = fill_rules(meta, fill_missing)
    columns = units(meta)
    out = []
    for e in explained:
        row = int(e["row"])
        if row not in raw.index:
            raise InputError(f"explained row {row}: not a row of {meta.get('source', 'the raw CSV')}")
        for col, feats in columns.items():
            if col in raw.columns and pd.isna(raw.at[row, col]):
                rule, value = fills.get(col, (None, None))
                out.append({"dataset": dataset, "model": e["model"], "source": e["source"], "row": row,
                            "position": int(e.get("position", -1)), "column": col, "features": list(feats),
                            "fill_rule": rule, "fill_value": _text(value)})
    return pd.DataFrame(out, columns=FILLED_COLUMNS)


def fill_jumps(pdp: pd.DataFrame, meta: dict, *, fill_missing: dict | None = None, model: str | None = None,
               dataset: str | None = None) -> pd.DataFrame:
    """Partial-dependence curves (the average curves of mlviz.compute.effects' table) of numeric
    features whose empty cells were filled with a number: the step across the fill value against the
    other steps. The fill value is in data units, so the grid is read in data units (grid_raw when the
    table has it)."""
    dataset = dataset or meta.get("dataset")
    fills = fill_rules(meta, fill_missing)
    column = source_columns(meta)
    average = pdp[pdp["kind"] == "average"] if "kind" in pdp.columns else pdp
    grid_col = "grid_raw" if "grid_raw" in average.columns else "grid_value"
    out = []
    for feature, curve in average.groupby("feature", sort=False):
        col = column.get(feature, feature)
        if col != feature or col not in fills:
            continue  # a one-hot level: its curve has two points
        try:
            fill = float(fills[col][1])
        except (TypeError, ValueError):
            continue
        curve = curve.sort_values(grid_col)
        grid, value = curve[grid_col].to_numpy(float), curve["value"].to_numpy(float)
        steps = np.abs(np.diff(value))
        if len(steps) < 2 or not grid[0] <= fill <= grid[-1]:
            continue
        # The steps whose interval holds the fill (both neighbours when it is a grid point).
        at = [j for j in range(len(steps)) if grid[j] <= fill <= grid[j + 1]]
        jump = float(max(steps[j] for j in at))
        others = np.delete(steps, at)
        largest = float(others.max()) if len(others) else 0.0
        out.append({"dataset": dataset, "model": model, "feature": feature, "fill_value": fill, "jump": jump,
                    "largest_other": largest, "jumps": bool(jump > 0 and jump > JUMP_RATIO * largest)})
    return pd.DataFrame(out, columns=JUMP_COLUMNS)


# ---------------------------------------------------------------- top-k checks that cannot discriminate

def top_k_checks(meta: dict, checks: list[dict], *, dataset: str | None = None) -> pd.DataFrame:
    """Each top-k agreement check ({check, model, top_k}) against the number of features it ranks:
    with top_k at least that number every top-k set holds every feature, and the agreement is 1 by
    construction."""
    dataset = dataset or meta.get("dataset")
    n = len(meta["features"])
    rows = [{"dataset": dataset, "check": c["check"], "model": c.get("model"), "top_k": int(c["top_k"]),
             "features": n, "informative": int(c["top_k"]) < n} for c in checks]
    return pd.DataFrame(rows, columns=TOP_K_COLUMNS)

