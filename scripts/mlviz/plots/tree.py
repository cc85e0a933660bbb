"""A fitted decision tree drawn with scikit-learn's plot_tree: filled boxes, each question read from
the tree's table of questions (mlviz.compute.trees: data units and words, "age <= 34", "sex =
male", "work_industry ≠ Energy"), class counts as whole percentages, leaf values written as the
article writes numbers, long conditions wrapped, a font that keeps boxes apart."""
from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from ..compute.features import number_text
from .style import Style, plt

log = logging.getLogger("mlviz")

_VALUE_LINE = re.compile(r"^(value = )?\[([^\]]*)\]$")


def overlapping_boxes(fig, artists) -> list[tuple[int, int]]:
    """Pairs of node boxes (plot_tree's annotations) whose drawn boxes intersect."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(a.get_bbox_patch() or a).get_window_extent(renderer) for a in artists]
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]


def wrap_condition(line: str, width: int = 16) -> str:
    """Split a long question ("work_industry ≠ Health Care") in two at the space or underscore that
    makes the longer half shortest, never next to its operator; short lines stay as they are."""
    if len(line) <= width:
        return line
    ops = {"=", "≠", "<=", "<", ">", ">="}
    words = line.split(" ")
    cuts = [i + 1 for i, c in enumerate(line) if c == "_"]
    pos = 0
    for i, w in enumerate(words[:-1]):
        pos += len(w)
        if w not in ops and words[i + 1] not in ops:
            cuts.append(pos)
        pos += 1
    cuts = [i for i in cuts if 0 < i < len(line)]
    if not cuts:
        return line
    best = min(cuts, key=lambda i: max(len(line[:i].rstrip()), len(line[i:].lstrip())))
    return line[:best].rstrip() + "\n" + line[best:].lstrip()


def _boxes(nodes) -> list:
    """plot_tree's node boxes in drawing order: not the True/False edge labels, not the "(...)"
    boxes of nodes beyond max_depth."""
    return [n for n in nodes if n.get_bbox_patch() is not None and "(...)" not in n.get_text()]


def write_questions(nodes, table: pd.DataFrame, *, impurity: bool, max_depth: int | None) -> None:
    """Each drawn box's question from the tree's table (plot_tree would print the raw threshold,
    "x <= 0.5"), and a regression node's value as the article writes numbers (not "119088.1")."""
    shown = table if max_depth is None else table[table["depth"] <= max_depth]
    boxes = _boxes(nodes)
    if len(boxes) != len(shown):
        raise RuntimeError(f"tree: {len(boxes)} boxes drawn for {len(shown)} nodes of the table")
    regression = "share:" not in "".join(table.columns)
    for box, row in zip(boxes, shown.itertuples()):
        lines = box.get_text().split("\n")
        if not row.leaf:
            lines[0] = wrap_condition(row.condition)
        if regression:
            i = (0 if row.leaf else 1) + (1 if impurity else 0) + 1
            lines[i] = ("value = " if lines[i].startswith("value = ") else "") + number_text(row.value)
        box.set_text("\n".join(lines))


def compact_values(nodes, classes: list[str] | None) -> None:
    """For classifiers, rewrite each box's class-count line ("value = [687, 3881, 77]") as whole
    percentages "15/84/2" (the root names the classes once). plot_tree has no such option, and the
    bracketed list is what makes a depth-4 tree too wide to read at report width."""
    if not classes:
        return
    for node in nodes:
        lines = node.get_text().split("\n")
        for i, line in enumerate(lines):
            match = _VALUE_LINE.match(line)
            if not match:
                continue
            values = np.array([float(v) for v in match.group(2).split(",")])
            shares = "/".join(f"{v:.0f}" for v in 100 * values / (values.sum() or 1.0))
            lines[i] = f"% {'/'.join(classes)} = {shares}" if match.group(1) else shares
        node.set_text("\n".join(lines))


def draw_tree(estimator, table: pd.DataFrame, *, classes: list[str] | None, style: Style, title: str,
              max_depth: int | None = None, impurity: bool = False, proportion: bool = False,
              label: str = "root", precision: int = 2, compact: bool = True):
    """plot_tree of a classifier or a regressor, its questions written from `table`
    (mlviz.compute.trees.questions). If the configured font makes boxes overlap, the largest whole
    size below it that keeps them apart is used (a warning in the rule's log)."""
    from sklearn.tree import plot_tree

    placeholders = [f"x{i}" for i in range(estimator.n_features_in_)]  # the questions come from the table

    def draw(fontsize):
        fig, ax = style.figure()
        nodes = plot_tree(estimator, max_depth=max_depth, feature_names=placeholders,
                          class_names=list(classes) if classes else None, label=label, filled=True,
                          impurity=impurity, proportion=proportion, rounded=True, precision=precision,
                          ax=ax, fontsize=fontsize)
        write_questions(nodes, table, impurity=impurity, max_depth=max_depth)
        if compact:
            compact_values(nodes, classes)
        ax.set_title(title)
        return fig, nodes

    wanted = int(round(style.font_size))  # plot_tree takes whole points only
    for fontsize in [*range(wanted, 4, -1), None]:
        fig, nodes = draw(fontsize)
        if fontsize is None or not overlapping_boxes(fig, nodes):
            break
        plt.close(fig)
    if fontsize != wanted:
        log.warning("tree: node boxes overlap at font size %s on a %.1f x %.1f in canvas; drawn at %s "
                    "(raise figures.tree.width or shorten the boxes to keep the configured size)",
                    wanted, style.width, style.height, fontsize or "plot_tree's fitted size")
    return fig
