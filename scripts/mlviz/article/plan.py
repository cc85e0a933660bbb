"""The article's plan: which run figure plays which part (each figure gets a stable id such as
fig-tree from its kind in mlviz.workflow.layout) and which generated block holds the others.

Light on purpose (standard library only): rules/report.smk imports it at parse time.
"""
from __future__ import annotations

import re

from ..workflow.layout import Layout
from ..workflow.registry import BY_KIND


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def figure_plan(paths: list[str], run_dir: str, subjects: dict) -> list[dict]:
    """One entry per PNG in `paths` (in article order): id, the run file (src), the staged name
    (file), the generated block it belongs to (None: placed by article.qmd), dataset, model, kind.
    The figure a chapter discusses gets its registry entry's main id (@fig-tree, @fig-roc, ...) and
    place; the same figure of other models or datasets goes to the entry's `more` block.
    subjects: chapter → the wildcards of what it discusses ({dataset, model}, the SHAP chapter's
    {dataset, model, row}, the dataset of a per-dataset chapter), or None when it has none."""
    out = Layout(run_dir)
    plan = []
    for src in paths:
        entry = out.classify(src)
        if entry is None or entry.role != "figure":
            continue
        fig, w = BY_KIND[entry.kind], entry.wildcards
        subject = subjects.get(fig.chapter) or {}
        discussed = all(k in subject and str(w.get(k)) == str(subject[k]) for k in fig.subject)
        fig_id, block = (fig.main.format(**w), fig.block) if discussed else (None, fig.more)
        name = out.relative(src).removeprefix("figures/").removesuffix(".png")
        if fig_id is None:
            fig_id = "fig-" + _slug(name)
        plan.append({"id": fig_id, "name": name, "src": src, "file": f"figures/{fig_id}.png", "block": block,
                     "group": fig.family, "dataset": w.get("dataset"), "model": w.get("model"),
                     "kind": fig.label.format(**w)})
    ids = [p["id"] for p in plan]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"figure ids used twice in the article: {dupes}")
    return plan
