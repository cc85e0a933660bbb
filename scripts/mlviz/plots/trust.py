"""Figures of mlviz.compute.trust: agreement between importance methods (heat-maps of Spearman correlations)
and SHAP deletion curves against random order."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import TwoSlopeNorm
from matplotlib.ticker import MaxNLocator

from ..errors import InputError
from .style import Style, legend_below
from ..compute.trust import AGREEMENT_COLUMNS, DELETION_COLUMNS

# Method order and names as readers know them.
METHODS = {"impurity": "impurity", "permutation": "permutation", "mean_abs_shap": "mean |SHAP|",
           "lime_weight": "LIME weight", "coefficient": "|coefficient|"}
MAX_PANELS = 4


def _method_order(methods) -> list[str]:
    return sorted(set(methods), key=lambda m: (list(METHODS).index(m) if m in METHODS else len(METHODS), m))


def _matrix(part: pd.DataFrame, methods: list[str]) -> np.ndarray:
    """Symmetric matrix of Spearman correlations over `methods`; NaN where a pair was not computed
    (the diagonal is 1 for the methods this model has)."""
    index = {m: i for i, m in enumerate(methods)}
    M = np.full((len(methods), len(methods)), np.nan)
    for m in set(part["method_a"]) | set(part["method_b"]):
        M[index[m], index[m]] = 1.0
    for a, b, rho in part[["method_a", "method_b", "spearman"]].itertuples(index=False):
        M[index[a], index[b]] = M[index[b], index[a]] = rho
    return M


def draw_agreement(table: pd.DataFrame, *, style: Style, title: str | None = None):
    """One heat-map per model (up to 4, two per row) of the Spearman correlation between the
    feature rankings of each pair of importance methods: annotated cells, a diverging colour map
    centred at 0 (-1..1), one colour bar. Every panel lists the same methods (all those in the
    table) so that panels compare at a glance; a grey cell "–" is a pair not computed for that model
    or an undefined correlation. Draws its own grid of axes, so it takes no `ax`."""
    missing = [c for c in AGREEMENT_COLUMNS if c not in table.columns]
    if missing or table.empty:
        raise InputError(f"method agreement table: missing columns {missing} or no rows (expected "
                         f"{AGREEMENT_COLUMNS}, as mlviz.compute.trust.method_agreement writes)")
    panels = list(table.groupby(["dataset", "model"], sort=False))
    if len(panels) > MAX_PANELS:
        raise InputError(f"method agreement table: {len(panels)} (dataset, model) pairs; expected at most "
                         f"{MAX_PANELS} in one figure (filter the table)")
    several_datasets = table["dataset"].nunique() > 1
    methods = _method_order(list(table["method_a"]) + list(table["method_b"]))
    names = [METHODS.get(m, m) for m in methods]
    ncols = 1 if len(panels) == 1 else 2
    nrows = int(np.ceil(len(panels) / ncols))
    scale = style.font_size / 10
    # Room for the method names (left, below) and the colour bar beside the square panels.
    side = min((style.width - 2.4 * scale) / ncols, 0.6 * scale * len(methods) + 0.2)
    fig, axes = style.figure(width=side * ncols + 2.4 * scale,
                             height=nrows * (side + 0.25) + 0.9 * scale + (0.35 if title else 0.0),
                             nrows=nrows, ncols=ncols, squeeze=False, sharex=True, sharey=True,
                             layout="constrained")
    cmap = colormaps["RdBu_r"].with_extremes(bad="0.88")  # grey: not computed or undefined
    norm = TwoSlopeNorm(vcenter=0.0, vmin=-1.0, vmax=1.0)
    image = None
    for ax, ((dataset, model), part) in zip(axes.flat, panels):
        M = _matrix(part, methods)
        image = ax.imshow(np.ma.masked_invalid(M), cmap=cmap, norm=norm)
        for i in range(len(methods)):
            for j in range(len(methods)):
                text = "–" if np.isnan(M[i, j]) else f"{M[i, j]:.2f}"
                dark = np.isfinite(M[i, j]) and abs(M[i, j]) > 0.7  # white text on the saturated cells
                ax.text(j, i, text, ha="center", va="center", fontsize=style.font_size * 0.85,
                        color="white" if dark else "black")
        ax.set_title(f"{dataset} / {model}" if several_datasets else model, fontsize=style.font_size + 1)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
    axes[0, 0].set_xticks(range(len(methods)), names)
    axes[0, 0].set_yticks(range(len(methods)), names)
    for ax in axes.flat:
        ax.tick_params(labelbottom=False)
    for j, ax in enumerate(axes.flat[:len(panels)]):
        if j + ncols >= len(panels):  # lowest panel of its column: method names below
            ax.tick_params(labelbottom=True)
            for label in ax.get_xticklabels():
                label.set(rotation=35, ha="right", rotation_mode="anchor")
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    bar = fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8)
    bar.set_label("Spearman correlation of the feature rankings")
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=style.font_size + 2)
    return fig


def draw_deletion(curve: pd.DataFrame, areas: pd.DataFrame, *, style: Style, ax=None, title: str | None = None,
                  output_name: str = "model output"):
    """Mean |change in the output| against the number of features replaced, in SHAP order and in
    random order, the areas under both curves in the legend (below the axes)."""
    missing = [c for c in DELETION_COLUMNS if c not in curve.columns]
    if missing or curve.empty or not {"order", "area"} <= set(areas.columns):
        raise InputError(f"deletion curve/areas: missing columns {missing} or no rows (expected "
                         "mlviz.compute.trust.shap_deletion's curve and deletion_area's table)")
    fig, ax = style.axes(ax, width=min(style.width, 6.7), height=style.height, layout="constrained")
    looks = {"shap": ("SHAP order (largest |SHAP| first)", style.colour(0), "o", "-"),
             "random": ("random order", style.colour(1), "s", "--")}
    for order, (label, colour, marker, line) in looks.items():
        part = curve[curve["order"] == order].sort_values("k")
        if part.empty:
            continue
        area = areas.loc[areas["order"] == order, "area"]
        text = f"{label}, area = {float(area.iloc[0]):.4g}" if len(area) == 1 else label
        ax.plot(part["k"], part["change"], color=colour, marker=marker, linestyle=line, linewidth=1.6,
                markersize=5, label=text)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("features replaced by background values (k)")
    ax.set_ylabel(f"mean |change in {output_name}|")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(title)
    legend_below(ax, widen=False, title="area: under the curve against k / k_max", alignment="left")
    return fig
