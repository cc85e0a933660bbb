"""A fitted decision tree drawn with scikit-learn's plot_tree: filled boxes, feature and class
names, class counts as whole percentages, long conditions wrapped, a font that keeps boxes apart."""
from __future__ import annotations

import logging
import re

import numpy as np

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
    """Split a long split condition ("work_industry_Health Care <= 0.5") in two at the underscore
    or space that makes the longer half shortest; short lines stay as they are."""
    if len(line) <= width:
        return line
    cuts = [i + 1 for i, c in enumerate(line) if c == "_"] + [i for i, c in enumerate(line) if c == " "]
    cuts = [i for i in cuts if 0 < i < len(line)]
    if not cuts:
        return line
    best = min(cuts, key=lambda i: max(len(line[:i].rstrip()), len(line[i:].lstrip())))
    return line[:best].rstrip() + "\n" + line[best:].lstrip()


def compact_values(nodes, classes: list[str] | None) -> None:
    """Wrap long conditions; for classifiers, rewrite each box's class-count line
    ("value = [687, 3881, 77]") as whole percentages "15/84/2" (the root names the classes once).
    plot_tree has no such option, and the bracketed list is what makes a depth-4 tree too wide to
    read at report width."""
    for node in nodes:
        lines = node.get_text().split("\n")
        for i, line in enumerate(lines):
            if i == 0 and " <= " in line:
                lines[i] = wrap_condition(line)
                continue
            match = _VALUE_LINE.match(line)
            if not match or not classes:
                continue
            values = np.array([float(v) for v in match.group(2).split(",")])
            shares = "/".join(f"{v:.0f}" for v in 100 * values / (values.sum() or 1.0))
            lines[i] = f"% {'/'.join(classes)} = {shares}" if match.group(1) else shares
        node.set_text("\n".join(lines))


def draw_tree(estimator, *, features: list[str], classes: list[str] | None, style: Style, title: str,
              max_depth: int | None = None, impurity: bool = False, proportion: bool = False,
              label: str = "root", precision: int = 2, compact: bool = True):
    """plot_tree of a classifier or a regressor. If the configured font makes boxes overlap, the
    largest whole size below it that keeps them apart is used (a warning in the rule's log)."""
    from sklearn.tree import plot_tree

    def draw(fontsize):
        fig, ax = style.figure()
        nodes = plot_tree(estimator, max_depth=max_depth, feature_names=list(features),
                          class_names=list(classes) if classes else None, label=label, filled=True,
                          impurity=impurity, proportion=proportion, rounded=True, precision=precision,
                          ax=ax, fontsize=fontsize)
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
