"""A fitted decision tree's questions as a table, in the data's own units and words: one row per
node, in the order plot_tree draws them (depth first, the "true" branch first), so the figure
(mlviz.plots.tree) can write each box from its row and a reader can check or reuse every question.

Columns: node (scikit-learn's node id), depth, parent (-1 at the root), branch (root, true, false:
whether the node's rows answer its parent's question with yes), leaf, feature, column, kind
(mlviz.compute.features), threshold (scikit-learn's, in data units), cut (the number the question
shows; None for a level or a yes/no question), condition (the question: true sends a row to the
first child), level and level_op (for a level question), rows (training rows at the node), value
(regression: the mean target; classification: the majority class) and, for classifiers, share:<class>
(the share of each class among the node's training rows).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import features as F


def preorder(estimator) -> list[tuple[int, int, int, str]]:
    """(node, depth, parent, branch) depth first, the left ("true") child first, as plot_tree draws."""
    tree = estimator.tree_
    out, stack = [], [(0, 0, -1, "root")]
    while stack:
        node, depth, parent, branch = stack.pop()
        out.append((node, depth, parent, branch))
        left, right = tree.children_left[node], tree.children_right[node]
        if left != right:  # not a leaf
            stack += [(right, depth + 1, node, "false"), (left, depth + 1, node, "true")]
    return out


def questions(estimator, features: list[str], info: dict, X: pd.DataFrame, classes: list[str] | None) -> pd.DataFrame:
    """The table described in the module's docstring; X: the training rows the tree was fitted on
    (their values decide how far each cut may be rounded)."""
    tree = estimator.tree_
    values = {}
    rows = []
    for node, depth, parent, branch in preorder(estimator):
        leaf = tree.children_left[node] == tree.children_right[node]
        row = {"node": int(node), "depth": int(depth), "parent": int(parent), "branch": branch, "leaf": bool(leaf),
               "feature": None, "column": None, "kind": None, "threshold": np.nan, "cut": np.nan,
               "condition": "", "level": None, "level_op": None, "rows": int(tree.n_node_samples[node])}
        if not leaf:
            feature = features[tree.feature[node]]
            kind_info = info[feature]
            if feature not in values:
                values[feature] = np.sort(X[feature].to_numpy(dtype="float64")).tolist()
            q = F.split_condition(feature, kind_info, float(tree.threshold[node]), values[feature])
            row.update(feature=feature, column=kind_info["column"], kind=kind_info["kind"],
                       threshold=float(tree.threshold[node]), cut=np.nan if q["cut"] is None else q["cut"],
                       condition=q["text"], level=q["level"], level_op=q["level_op"])
        value = tree.value[node][0]
        if classes:
            shares = value / (value.sum() or 1.0)
            row["value"] = classes[int(np.argmax(shares))]
            row.update({f"share:{c}": float(s) for c, s in zip(classes, shares)})
        else:
            row["value"] = float(value[0])
        rows.append(row)
    return pd.DataFrame(rows)
