"""SHAP plots drawn from the stored values table (mlviz.compute.tree_shap) with shap.plots: waterfall and
force plots of one row, the beeswarm and the mean |SHAP| bars of every explained row, and the
dependence scatter of one feature. shap's waterfall and force plots open their own figures (no
ax=); the others draw into the given axes."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from .style import Style, plt, wrap_labels
from ..compute.features import NUMBER_KINDS, number_text, reading, value_text
from ..compute.tree_shap import RAW, SHAP, features_of, ranked_features

# Fixed seed for the random jitter and draw order that shap's beeswarm and scatter use (they take
# it from NumPy's global generator): two runs draw identical PNGs.
DRAW_SEED = 0


def explanation(table: pd.DataFrame):
    """shap.Explanation of the stored rows with feature values in the data's units: shap's plots
    take positions and colours from `data`, so axes read in the raw CSV's units."""
    import shap

    feats = features_of(table)
    return shap.Explanation(
        values=table[[SHAP + f for f in feats]].to_numpy(),
        base_values=table["base_value"].to_numpy(),
        data=table[[RAW + f for f in feats]].to_numpy(),
        feature_names=feats,
    )


def row_position(table: pd.DataFrame, row: int, what: str) -> int:
    if row not in table.index:
        shown = f"{table.index.min()}..{table.index.max()}" if len(table) else "none"
        raise InputError(f"config key figures.shap.instances: CSV row {row} is not among the {len(table)} rows "
                         f"SHAP explained for {what} (rows {shown}; see figures.shap.rows and max_rows)")
    return int(table.index.get_loc(row))


def rows_note(summary: dict) -> str:
    """Which rows the values cover, for a figure's subtitle."""
    which = {"all": "train + test", "train": "train split", "test": "test split"}[summary["rows"]]
    if summary["sampled"]:
        return (f"{summary['explained_rows']} of {summary['available_rows']} rows ({which}; seeded sample, "
                f"seed {summary['seed']})")
    return f"{summary['explained_rows']} rows ({which})"


def worded(exp_row, info: dict):
    """One row's Explanation whose feature names are its values in words ("age = 34", "sex = male",
    "work_industry ≠ Energy"), without data: shap's waterfall then labels each bar with the name only
    (it would write "0.000 = work_industry_Energy")."""
    import shap

    names = [reading(f, info[f], v) for f, v in zip(exp_row.feature_names, exp_row.data)]
    return shap.Explanation(values=exp_row.values, base_values=exp_row.base_values, feature_names=names)


def _whole_labels(ax) -> None:
    """shap's waterfall and bar plots write each label twice, grey and then its part after the last
    "=" in black over it (their "value = name"): a feature named "region = southwest", or a reading
    "age = 34", is written once, whole, in black."""
    ticks, labels = ax.get_yticks(), [t.get_text() for t in ax.get_yticklabels()]
    half = len(ticks) // 2
    ax.set_yticks(ticks[half:], labels[:half])
    for label in ax.get_yticklabels():
        label.set_color(plt.rcParams["text.color"])


def _number(text: str) -> float | None:
    try:
        return float(text.replace("−", "-"))
    except ValueError:
        return None


def force_labels(features: list[str], values, info: dict) -> tuple[list[str], list[str]]:
    """(names, values) for shap's force plot, which writes "name = value": a number's name and value,
    a yes/no column's name and level, a one-hot feature's column and its level ("not Energy" for 0)."""
    names, shown = [], []
    for f, v in zip(features, values):
        i = info[f]
        if i["kind"] in NUMBER_KINDS or i["kind"] == "binary":
            names.append(f if i["kind"] in NUMBER_KINDS else i["column"])
            shown.append(value_text(i, v))
        else:
            level = i["level"] if i["kind"] == "level" else i["label"]
            names.append(i["column"])
            shown.append(level if float(v) >= 0.5 else f"not {level}")
    return names, shown


def _finish_title(fig, title: str, subtitle: str | None = None) -> None:
    """Title just above everything the library drew (shap puts f(x) labels on a twin axis on
    top, so an axes title would collide with them)."""
    wrap_labels(fig)
    renderer = fig.canvas.get_renderer()
    top = max(ax.get_tightbbox(renderer).y1 for ax in fig.axes) / fig.bbox.height
    text = title if subtitle is None else f"{title}\n{subtitle}"
    fig.suptitle(text, x=0.01, y=top + 0.02, ha="left", va="bottom", fontweight="bold",
                 fontsize=plt.rcParams["axes.titlesize"])


def draw_waterfall(exp_row, *, style: Style, title: str, subtitle: str, output_name: str, max_display: int):
    """shap.plots.waterfall has no ax=: it draws on (and resizes) the current figure."""
    import shap

    style.apply()
    plt.figure()
    shap.plots.waterfall(exp_row, max_display=max_display, show=False)
    fig = plt.gcf()
    ax = fig.axes[0]
    _whole_labels(ax)
    for text in ax.texts:  # the bars' SHAP values, written as the article writes numbers
        value = _number(text.get_text())
        if value is not None:
            text.set_text(("+" if value > 0 else "−" if value < 0 else "") + number_text(abs(value)))
    # shap writes f(x) and E[f(X)] as pairs of tick labels on twin axes, which land on the first
    # feature's name or on each other when the values lie near the plot's edge: the values go into
    # the subtitle instead, the dashed lines that mark them stay.
    for twin in fig.axes[1:]:
        twin.set_xticklabels([])
    base, fx = float(exp_row.base_values), float(exp_row.base_values + exp_row.values.sum())
    fig.axes[0].set_xlabel(f"{output_name}: base value E[f(X)] plus each feature's SHAP value")
    _finish_title(fig, title, f"{subtitle}\nfrom E[f(X)] = {base:,.6g} at the bottom to f(x) = {fx:,.6g} at the top")
    return fig


def draw_force(base_value: float, values, display_values, *, features: list[str], style: Style, title: str,
               subtitle: str, output_name: str, threshold: float, text_rotation: float):
    """force(..., matplotlib=True) draws one row (its own figure); feature values in words
    (force_labels). Its labels do not avoid each other: text_rotation (degrees) keeps neighbours apart."""
    import shap

    style.apply()
    fig = shap.plots.force(float(base_value), np.asarray(values), np.array(display_values, dtype=object),
                           feature_names=features,
                           out_names=output_name, matplotlib=True, show=False, figsize=(style.width, style.height),
                           contribution_threshold=threshold, text_rotation=text_rotation)
    ax = fig.axes[0]
    prediction = float(base_value) + float(np.sum(values))
    renderer = fig.canvas.get_renderer()
    for t in list(ax.texts):
        text = t.get_text()
        if text in ("higher", "lower", "$\\leftarrow$", "$\\rightarrow$") or text.strip() in ("←", "→"):
            t.remove()  # shap's colour key overlaps itself; the axis label says the same
        elif text == "base value":
            t.set_text(f"base value\n{number_text(base_value)}")
        elif _number(text) is not None:  # the prediction, written as the article writes numbers
            t.set_text(number_text(_number(text)))
    # Tick labels that the prediction's or the base value's line runs through are dropped.
    fig.canvas.draw()
    to_px = ax.transData.transform
    for label, tick in zip(ax.get_xticklabels(), ax.get_xticks()):
        box = label.get_window_extent(renderer)
        for x in (prediction, float(base_value)):
            px = to_px((x, 0))[0]
            if box.x0 - 4 <= px <= box.x1 + 4:
                label.set_visible(False)
    # shap fixes the y-range at (-0.5, 0.15) whatever its labels need: fit it to the lowest label so
    # the axis label sits right under them, neither far below nor on top of them.
    to_data = ax.transData.inverted()
    lowest = min((to_data.transform(t.get_window_extent(renderer))[0][1] for t in ax.texts), default=-0.2)
    ax.set_ylim(min(lowest, -0.2) - 0.03, ax.get_ylim()[1])
    # Room at the sides for labels that shap places beyond the outermost bars.
    lo, hi = ax.get_xlim()
    extent = [to_data.transform(t.get_window_extent(renderer))[:, 0] for t in ax.texts]
    if extent:
        left, right = min(e.min() for e in extent), max(e.max() for e in extent)
        span = hi - lo
        ax.set_xlim(min(lo, left - 0.02 * span), max(hi, right + 0.02 * span))
    ax.set_xlabel(f"{output_name} (scale at the top; red raises the prediction, blue lowers it)")
    _finish_title(fig, title, subtitle)
    return fig


def draw_beeswarm(exp, *, style: Style, title: str, subtitle: str, output_name: str, max_display: int):
    import matplotlib
    import shap

    np.random.seed(DRAW_SEED)
    style.apply()
    plt.figure(figsize=(style.width, style.height))
    shap.plots.beeswarm(exp, max_display=max_display, show=False, plot_size=(style.width, style.height),
                        color=matplotlib.colormaps[style.cmap])
    fig = plt.gcf()
    fig.axes[0].set_xlabel(f"SHAP value: change in {output_name}")
    fig.axes[0].set_ylabel("feature (by mean |SHAP|)")
    _finish_title(fig, title, subtitle)
    return fig


def draw_bar(exp, *, style: Style, title: str, subtitle: str, output_name: str, max_display: int, ax=None):
    """Mean |SHAP| bars in the importance table's order (ties by name), shap.plots.bar drawing."""
    import shap

    fig, ax = style.axes(ax)
    ranked = ranked_features_of(exp)
    order = np.array([list(exp.feature_names).index(f) for f in ranked])
    shap.plots.bar(exp, max_display=max_display, order=order, ax=ax, show=False)
    _whole_labels(ax)
    for patch in ax.patches:  # shap's bars are its fixed red/blue; use the configured colour
        patch.set_facecolor(style.bar_color)
    ax.set_xlabel(f"mean |SHAP value| (average impact on {output_name})")
    ax.set_ylabel("feature")
    _finish_title(fig, title, subtitle)
    return fig


def ranked_features_of(exp) -> list[str]:
    table = pd.DataFrame(exp.values, columns=[SHAP + f for f in exp.feature_names])
    return ranked_features(table)


def drawn_bar_features(ax) -> list[str]:
    """Feature names as drawn by shap.plots.bar, top to bottom."""
    ticks = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())), key=lambda t: -t[0])
    return list(dict.fromkeys(label for _, label in ticks if label))


def draw_dependence(exp, feature: str, *, style: Style, title: str, subtitle: str, output_name: str,
                    info: dict, ax=None):
    """SHAP value of one feature against its value (the data's units; a yes/no or one-hot feature's
    two values named by their levels: `info`, meta.json's feature_info), coloured by the feature that
    shap.utils.approximate_interactions finds interacts most with it."""
    import matplotlib
    import shap

    np.random.seed(DRAW_SEED)
    fig, ax = style.axes(ax)
    levels = np.unique(exp[:, feature].data)
    # shap's background histogram of the feature's values turns into a few huge blocks for a 0/1
    # or count feature: only continuous features get it.
    shap.plots.scatter(exp[:, feature], color=exp, ax=ax, show=False, cmap=matplotlib.colormaps[style.cmap],
                       hist=len(levels) > 10)
    ax.set_xlabel(feature)
    if len(levels) <= 10 and np.all(levels == np.round(levels)):  # 0/1 and counts: tick the levels only
        ax.set_xticks(levels, [value_text(info[feature], v) for v in levels])
    for cax in fig.axes:  # the colour bar names the interacting feature shap picked
        if cax.get_label() == "<colorbar>":
            cax.set_ylabel(f"colour: {cax.get_ylabel()}")
    ax.set_ylabel(f"SHAP value of {feature} ({output_name})")
    _finish_title(fig, title, subtitle)
    return fig
