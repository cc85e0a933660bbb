"""Partial dependence figures from mlviz.compute.effects' tables, drawn by scikit-learn's
PartialDependenceDisplay rebuilt from the stored results (its constructor takes precomputed
`pd_results`: Bunches of grid_values, average and individual), with the grid in the data's units and
a yes/no or one-hot feature's two values named by their levels."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from sklearn.utils import Bunch

from ..compute.effects import PD_COLUMNS, TWO_WAY_COLUMNS
from ..compute.features import LEVEL_KINDS, number_text, value_text
from ..errors import InputError
from .style import Style

# A feature with at most this many grid values is drawn as points at its values (0/1 indicators,
# small counts), not as a continuous axis.
FEW_LEVELS = 5


def _check(table: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing or table.empty:
        raise InputError(f"{what}: missing columns {missing} or no rows (expected {columns}, as mlviz.compute.effects "
                         "writes)")


def _bunch(part: pd.DataFrame) -> tuple[Bunch, np.ndarray]:
    """One feature's rows as partial_dependence's Bunch (one output) and its grid."""
    avg = part[part["kind"] == "average"].sort_values("grid_value")
    grid = avg["grid_value"].to_numpy(float)
    ice = part[part["kind"] == "individual"].pivot(index="line", columns="grid_value", values="value")
    ice = ice.reindex(columns=grid)
    return (Bunch(grid_values=[grid], average=avg["value"].to_numpy(float)[None, :],
                  individual=ice.to_numpy(float)[None, :, :]), grid)


def _is_levels(grid: np.ndarray, info: dict | None = None) -> bool:
    return len(grid) <= FEW_LEVELS or (info or {}).get("kind") in LEVEL_KINDS


def _tick_label(v: float, info: dict | None = None) -> str:
    """A grid value as the data writes it: a yes/no column's level, a one-hot feature's yes/no."""
    if (info or {}).get("kind") in LEVEL_KINDS:
        return value_text(info, v)
    return number_text(v)


def draw_pdp_ice(table: pd.DataFrame, *, style: Style, title: str | None = None,
                 ylabel: str = "partial dependence", info: dict | None = None):
    """One panel per feature (up to 3 columns, in table order, shared y-axis): thin translucent ICE
    lines, the bold average, x in the data's units with tick marks at the grid values at the bottom.
    A feature with few grid values (a count, a yes/no or one-hot feature: `info`, meta.json's
    feature_info) is drawn as points joined by lines, ticked at its values only, named by their
    levels. Draws its own grid of axes, so it takes no `ax`."""
    info = info or {}
    from sklearn.inspection import PartialDependenceDisplay

    _check(table, PD_COLUMNS, "partial dependence table")
    features = list(dict.fromkeys(table["feature"]))
    results, grids = zip(*(_bunch(table[table["feature"] == f]) for f in features))
    ncols = min(3, len(features))
    nrows = int(np.ceil(len(features) / ncols))
    panel_w = (style.width - 0.6) / ncols
    fig, axes = style.figure(width=style.width, height=nrows * min(panel_w * 0.85 + 0.6, 3.2) + 0.8,
                             nrows=nrows, ncols=ncols, sharey=True, squeeze=False, layout="constrained")
    for ax in axes.flat[len(features):]:
        ax.set_visible(False)
    used = axes.flat[:len(features)]
    n_ice = results[0]["individual"].shape[1]
    disp = PartialDependenceDisplay(
        list(results), features=[(i,) for i in range(len(features))], feature_names=features, target_idx=0,
        deciles={i: g for i, g in enumerate(grids)}, kind="both", subsample=None, random_state=0)
    ice_kw = {"color": style.colour(0), "alpha": float(np.clip(8.0 / max(n_ice, 1), 0.06, 0.4)), "linewidth": 0.6}
    avg_kw = {"color": "black", "linewidth": 2.2, "linestyle": "-", "label": "average (partial dependence)"}
    disp.plot(ax=np.array(list(used), dtype=object), ice_lines_kw=ice_kw, pd_line_kw=avg_kw)
    # Room under the lowest line for the grid tick marks (they take the bottom 5% of each panel).
    lo, hi = float(table["value"].min()), float(table["value"].max())
    span = hi - lo or 1.0
    used[0].set_ylim(lo - 0.12 * span, hi + 0.05 * span)
    for marks in disp.deciles_vlines_.ravel():
        if marks is not None:
            marks.set(color="0.35", linewidth=0.8)
    for i, (ax, grid, feature) in enumerate(zip(used, grids, features)):
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        if _is_levels(grid, info.get(feature)):
            for line in ax.get_lines():
                line.set_marker("o")
                line.set_markersize(5 if line.get_linewidth() > 1 else 2.5)
            ax.set_xticks(grid, [_tick_label(v, info.get(feature)) for v in grid])
            pad = 0.15 * (grid.max() - grid.min() or 1.0)
            ax.set_xlim(grid.min() - pad, grid.max() + pad)
        else:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4))  # fewer ticks: narrow panels
        ax.set_ylabel(ylabel if i % ncols == 0 else "")
        ax.tick_params(axis="y", labelleft=i % ncols == 0)
        ax.grid(alpha=0.3)
    handles = [Line2D([], [], **{**ice_kw, "alpha": 0.6}, label=f"single rows (ICE), {n_ice} rows"),
               Line2D([], [], **avg_kw), Line2D([], [], color="0.35", marker="|", linestyle="none",
                                                markersize=8, label="grid values")]
    fig.legend(handles=handles, loc="outside lower left", frameon=False, ncols=3 if style.width >= 6 else 1)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontweight="bold", fontsize=style.font_size + 2)
    return fig


def draw_pdp_2d(table: pd.DataFrame, *, style: Style, ax=None, title: str | None = None, info: dict | None = None):
    """Two-way partial dependence of one pair in the data's units: filled contours with a colour bar
    (PartialDependenceDisplay). A feature with few grid values (or a yes/no or one-hot one: `info`)
    makes the contours lie between its levels, so then the cells are drawn with pcolormesh instead,
    ticked at the levels and named by them; so is a flat surface (no contour levels), with its one
    value written on it."""
    info = info or {}
    from sklearn.inspection import PartialDependenceDisplay

    _check(table, TWO_WAY_COLUMNS, "two-way partial dependence table")
    pairs = table[["feature_x", "feature_y"]].drop_duplicates()
    if len(pairs) != 1:
        raise InputError(f"two-way partial dependence table: expected one pair of features, found {len(pairs)}")
    fx, fy = pairs.iloc[0]
    grid = table.sort_values(["x", "y"])
    gx = np.unique(grid["x"].to_numpy(float))
    gy = np.unique(grid["y"].to_numpy(float))
    Z = grid["value"].to_numpy(float).reshape(len(gx), len(gy))
    side = min(style.width, style.height)
    fig, ax = style.axes(ax, width=side + 1.4, height=side, layout="constrained")
    # A model whose output does not move over the grid (a dominant class) has no contours to draw.
    flat = not np.ptp(Z) > 0
    ix, iy = info.get(fx), info.get(fy)
    if flat or _is_levels(gx, ix) or _is_levels(gy, iy):
        mesh = ax.pcolormesh(_edges(gx), _edges(gy), Z.T, cmap=style.cmap, shading="flat")
        bar = fig.colorbar(mesh, ax=ax)
        for axis, g, fi in ((ax.xaxis, gx, ix), (ax.yaxis, gy, iy)):
            if _is_levels(g, fi):
                axis.set_ticks(g, [_tick_label(v, fi) for v in g])
        ax.set_xlabel(fx)
        ax.set_ylabel(fy)
        if flat:
            ax.text(0.5, 0.5, f"flat: {Z.flat[0]:.3g} everywhere on this grid", transform=ax.transAxes,
                    ha="center", va="center", fontsize=style.font_size, bbox={"facecolor": "white", "alpha": 0.85,
                                                                               "edgecolor": "none"})
    else:
        result = Bunch(grid_values=[gx, gy], average=Z[None, :, :])
        disp = PartialDependenceDisplay([result], features=[(0, 1)], feature_names=[fx, fy], target_idx=0,
                                        deciles={0: gx, 1: gy}, kind="average")
        # An array of one axes: draw in it (a bare Axes would be split into a grid of new axes).
        disp.plot(ax=np.array([ax], dtype=object), contour_kw={"cmap": style.cmap, "alpha": 0.9})
        for text in ax.texts:  # contour labels: the style's size, not scikit-learn's fixed 10 pt
            text.set_fontsize(style.font_size * 0.8)
        bar = fig.colorbar(disp.contours_[0], ax=ax)
    bar.set_label("partial dependence (average response)")
    if title:
        ax.set_title(title)
    return fig


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges halfway between grid values (pcolormesh's cells around each value)."""
    if len(centres) == 1:
        return np.array([centres[0] - 0.5, centres[0] + 0.5])
    mid = (centres[1:] + centres[:-1]) / 2
    return np.r_[centres[0] - (mid[0] - centres[0]), mid, centres[-1] + (centres[-1] - mid[-1])]
