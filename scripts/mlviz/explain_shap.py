"""Tree SHAP: values computed once per explained model and stored in one table; plots drawn from
that table with shap.plots.

The stored table (index `row`, the raw CSV's 0-based data-row number, in CSV order) has
  split        train / test
  base_value   the explainer's expected value
  output       the model output that SHAP explains (regression: prediction; scikit-learn
               classifier: probability of the explained class; XGBoost classifier: its log-odds)
  shap:<f>     SHAP value of feature f
  x:<f>        f as the model saw it (standardised when the dataset scales it)
  raw:<f>      f in its original units (x·std + mean, with the training split's mean and std)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError

SHAP, X, RAW = "shap:", "x:", "raw:"
# Fixed seed for the random jitter and draw order that shap's beeswarm and scatter use (they take
# it from NumPy's global generator): two runs draw identical PNGs.
DRAW_SEED = 0


# ---------------------------------------------------------------- compute

def explained_rows(train: pd.DataFrame, test: pd.DataFrame, which: str, max_rows: int, seed: int) -> pd.DataFrame:
    """The rows to explain, in CSV order, with a `split` column; a seeded sample beyond max_rows."""
    parts = {"train": [("train", train)], "test": [("test", test)],
             "all": [("train", train), ("test", test)]}[which]
    table = pd.concat([df.assign(split=name) for name, df in parts]).sort_index()
    if len(table) > max_rows:
        keep = np.sort(np.random.default_rng(seed).choice(len(table), size=max_rows, replace=False))
        table = table.iloc[keep]
    return table


def output_label(task: str, model_type: str, target: str, cls: str | None) -> str:
    if task == "regression":
        return f"predicted {target}"
    return f"log-odds({cls})" if model_type == "xgboost" else f"P({cls})"


def tree_shap(model, X_model: pd.DataFrame, model_type: str, task: str, class_index: int | None):
    """SHAP values (rows × features), base values and the explained model output, all float64.

    For classifiers, the explained class's output: scikit-learn trees explain probabilities,
    XGBoost its margin (log-odds), each as SHAP's TreeExplainer does by default."""
    import shap

    explanation = shap.TreeExplainer(model)(X_model)
    values = np.asarray(explanation.values, dtype="float64")
    base = np.asarray(explanation.base_values, dtype="float64")
    if task == "regression":
        output = model.predict(X_model, output_margin=True) if model_type == "xgboost" else model.predict(X_model)
        sign = 1.0
    elif model_type == "xgboost":
        output = model.predict(X_model, output_margin=True)
        sign = 1.0
        if output.ndim == 1:  # binary: one margin, that of class 1; class 0's is its negative
            sign = 1.0 if class_index == 1 else -1.0
        else:
            output = output[:, class_index]
    else:
        output = model.predict_proba(X_model)[:, class_index]
        sign = 1.0
    if values.ndim == 3:
        values, base = values[:, :, class_index], base[:, class_index]
    base = np.broadcast_to(base, (len(values),)).astype("float64")
    return sign * values, sign * base, sign * np.asarray(output, dtype="float64")


def original_units(X_model: pd.DataFrame, scale: dict) -> pd.DataFrame:
    raw = X_model.astype("float64").copy()
    for col, s in scale.items():
        if col in raw.columns:
            raw[col] = raw[col] * s["std"] + s["mean"]
    return raw


def values_table(rows: pd.DataFrame, features: list[str], scale: dict, values, base, output) -> pd.DataFrame:
    X_model = rows[features].astype("float64")
    raw = original_units(X_model, scale)
    table = pd.concat([
        pd.DataFrame({"split": rows["split"].astype(str), "base_value": base, "output": output}, index=rows.index),
        pd.DataFrame(values, index=rows.index, columns=[SHAP + f for f in features]),
        X_model.add_prefix(X),
        raw.add_prefix(RAW),
    ], axis=1)
    table.index.name = "row"
    return table


def features_of(table: pd.DataFrame) -> list[str]:
    return [c[len(SHAP):] for c in table.columns if c.startswith(SHAP)]


def additivity(table: pd.DataFrame, rtol: float) -> dict:
    """base value + Σ SHAP = model output, per row; tolerance rtol × max(1, max |output|)
    (XGBoost sums its trees in float32, so errors scale with the output's magnitude)."""
    shap_sum = table[[SHAP + f for f in features_of(table)]].to_numpy().sum(axis=1)
    err = np.abs(table["base_value"].to_numpy() + shap_sum - table["output"].to_numpy())
    out_scale = max(1.0, float(np.abs(table["output"]).max()))
    worst = int(np.argmax(err))
    return {
        "rows": int(len(table)),
        "max_abs_error": float(err.max()),
        "worst_row": int(table.index[worst]),
        "max_abs_output": float(np.abs(table["output"]).max()),
        "rtol": float(rtol),
        "tolerance": float(rtol * out_scale),
        "passed": bool(err.max() <= rtol * out_scale),
    }


def importance_order(mean_abs: np.ndarray, features: list[str]) -> np.ndarray:
    """Feature indices by descending mean |SHAP|, ties by name: the order of the importance table
    (scripts/gather_importances.py) and of the bar figure."""
    return np.lexsort((np.array(features, dtype=object), -np.asarray(mean_abs)))


def importance(table: pd.DataFrame, dataset: str, model: str) -> pd.DataFrame:
    """Mean |SHAP| per feature over the explained rows; spread = standard deviation of |SHAP|."""
    feats = features_of(table)
    a = np.abs(table[[SHAP + f for f in feats]].to_numpy())
    mean, sd = a.mean(axis=0), a.std(axis=0)
    order = importance_order(mean, feats)
    return pd.DataFrame({"dataset": dataset, "model": model, "method": "mean_abs_shap",
                         "feature": [feats[i] for i in order], "value": mean[order], "spread": sd[order]})


# ---------------------------------------------------------------- draw

def explanation(table: pd.DataFrame):
    """shap.Explanation of the stored rows with feature values in original units: shap's plots
    take positions and colours from `data` (display_data only names categories), so waterfall
    labels and dependence x-axes read in the units of the raw CSV."""
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


def scaled_note(feature: str, scale: dict) -> str:
    s = scale.get(feature)
    return "" if s is None else f" (original units; the model saw (x − {s['mean']:.4g}) / {s['std']:.4g})"


def _finish_title(fig, title: str, subtitle: str | None = None) -> None:
    """Title just above everything the library drew (shap puts f(x) labels on a twin axis on
    top, so an axes title would collide with them)."""
    renderer = fig.canvas.get_renderer()
    top = max(ax.get_tightbbox(renderer).y1 for ax in fig.axes) / fig.bbox.height
    text = title if subtitle is None else f"{title}\n{subtitle}"
    fig.suptitle(text, x=0.01, y=top + 0.02, ha="left", va="bottom", fontweight="bold",
                 fontsize=plt_rc("axes.titlesize"))


def plt_rc(key: str):
    import matplotlib.pyplot as plt

    return plt.rcParams[key]


def draw_waterfall(exp_row, title: str, subtitle: str, output_name: str, max_display: int):
    """shap.plots.waterfall has no ax=: it draws on (and resizes) the current figure."""
    import matplotlib.pyplot as plt
    import shap

    plt.figure()
    shap.plots.waterfall(exp_row, max_display=max_display, show=False)
    fig = plt.gcf()
    # Below shap's own E[f(X)] label, which sits under the tick labels on a twin axis.
    fig.axes[0].set_xlabel(f"{output_name}: base value E[f(X)] plus each feature's SHAP value", labelpad=26)
    _finish_title(fig, title, subtitle)
    return fig


def draw_force(base_value: float, values, display_values, features: list[str], title: str, subtitle: str,
               output_name: str, width: float, height: float, threshold: float, text_rotation: float):
    """force(..., matplotlib=True) draws one row; feature values shown in original units.
    Its labels do not avoid each other: text_rotation (degrees) keeps neighbours apart."""
    import shap

    shown = np.array([float(f"{v:.4g}") for v in display_values])
    fig = shap.plots.force(float(base_value), np.asarray(values), shown, feature_names=features,
                           out_names=output_name, matplotlib=True, show=False, figsize=(width, height),
                           contribution_threshold=threshold, text_rotation=text_rotation)
    ax = fig.axes[0]
    # shap fixes the y-range at (-0.5, 0.15) whatever its labels need: fit it to the lowest label so
    # the axis label sits right under them, neither far below nor on top of them.
    renderer = fig.canvas.get_renderer()
    to_data = ax.transData.inverted()
    lowest = min((to_data.transform(t.get_window_extent(renderer))[0][1] for t in ax.texts), default=-0.2)
    ax.set_ylim(min(lowest, -0.2) - 0.03, ax.get_ylim()[1])
    ax.set_xlabel(f"{output_name} (scale at the top; base value = {base_value:.6g}; red raises the "
                  "prediction, blue lowers it)")
    _finish_title(fig, title, subtitle)
    return fig


def draw_beeswarm(exp, title: str, subtitle: str, output_name: str, max_display: int, cmap: str,
                  width: float, height: float):
    import matplotlib
    import matplotlib.pyplot as plt
    import shap

    np.random.seed(DRAW_SEED)
    plt.figure(figsize=(width, height))
    shap.plots.beeswarm(exp, max_display=max_display, show=False, plot_size=(width, height),
                        color=matplotlib.colormaps[cmap])
    fig = plt.gcf()
    fig.axes[0].set_xlabel(f"SHAP value: change in {output_name}")
    fig.axes[0].set_ylabel("feature (by mean |SHAP|)")
    _finish_title(fig, title, subtitle)
    return fig


def draw_bar(exp, title: str, subtitle: str, output_name: str, max_display: int, bar_color: str, style: dict):
    """Mean |SHAP| bars in the importance table's order (ties by name), shap.plots.bar drawing."""
    import shap

    from .style import figure

    fig, ax = figure(style)
    mean_abs = np.abs(exp.values).mean(axis=0)
    order = importance_order(mean_abs, list(exp.feature_names))
    shap.plots.bar(exp, max_display=max_display, order=order, ax=ax, show=False)
    for patch in ax.patches:  # shap's bars are its fixed red/blue; use the configured colour
        patch.set_facecolor(bar_color)
    ax.set_xlabel(f"mean |SHAP value| (average impact on {output_name})")
    ax.set_ylabel("feature")
    _finish_title(fig, title, subtitle)
    return fig, ax


def drawn_bar_features(ax) -> list[str]:
    """Feature names as drawn by shap.plots.bar, top to bottom."""
    ticks = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())), key=lambda t: -t[0])
    # shap draws the names twice (a grey value label behind the name): keep the first of each.
    return list(dict.fromkeys(label for _, label in ticks if label))


def draw_dependence(exp, feature: str, title: str, subtitle: str, output_name: str, scale: dict,
                    cmap: str, style: dict):
    """SHAP value of one feature against its value (original units), coloured by the feature that
    shap.utils.approximate_interactions finds interacts most with it."""
    import matplotlib
    import shap

    from .style import figure

    np.random.seed(DRAW_SEED)
    fig, ax = figure(style)
    shap.plots.scatter(exp[:, feature], color=exp, ax=ax, show=False, cmap=matplotlib.colormaps[cmap])
    ax.set_xlabel(f"{feature}{scaled_note(feature, scale)}")
    levels = np.unique(exp[:, feature].data)
    if len(levels) <= 10 and np.all(levels == np.round(levels)):  # 0/1 and counts: tick the levels only
        ax.set_xticks(levels, [f"{v:g}" for v in levels])
    for cax in fig.axes:  # the colour bar names the interacting feature shap picked
        if cax.get_label() == "<colorbar>":
            cax.set_ylabel(f"colour: {cax.get_ylabel()} (original units)")
    ax.set_ylabel(f"SHAP value of {feature} ({output_name})")
    _finish_title(fig, title, subtitle)
    return fig


def top_features(table: pd.DataFrame) -> list[str]:
    feats = features_of(table)
    mean_abs = np.abs(table[[SHAP + f for f in feats]].to_numpy()).mean(axis=0)
    return [feats[i] for i in importance_order(mean_abs, feats)]
