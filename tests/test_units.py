"""Every cut, condition and value a reader sees is in the data's own units and words — checked on
every zoo table in this process (no workflow run): the config resolved and the table preprocessed
as the workflow does (conftest.preprocess_in_process), a small tree fitted, its questions tabled
(mlviz.compute.trees), LIME's conditions built for a few test rows of the classifiers
(mlviz.compute.lime_explain). What is checked, as a reader would:

- every tree question puts exactly the training rows on each side that the model's own threshold
  does; whole-number features get whole-number cuts; a yes/no or one-hot question reads by its level;
- every LIME condition shown is true of the explained row's value; whole numbers get whole bounds;
  a yes/no or one-hot condition is never a number;
- every feature's name is its column's, or "column = level" with the level as the file writes it;
- identifiers are dropped, with the reason; numbers written the European way read right.
"""
from __future__ import annotations

import re
import tempfile

import numpy as np
import pandas as pd
import pytest
import zoo
from conftest import preprocess_in_process

from mlviz.compute import features as F
from mlviz.compute import lime_explain as lx
from mlviz.compute import models, trees, tree_shap

LIME_ROWS = 6  # test rows explained per classification table
_NUMBER = re.compile(r"-?[\d,]*\.?\d+")


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict:
    return zoo.write(tmp_path_factory.mktemp("zoo-units"))


_PREPARED: dict = {}


def prepared(name: str, tables: dict):
    if name not in _PREPARED:
        _PREPARED[name] = preprocess_in_process(zoo.minimal_config(name, tables[name]), name)
    return _PREPARED[name]


def _model(p, kind: str):
    X = models.model_frame(p.train, p.meta["features"])
    y = p.train[p.meta["target"]].to_numpy()
    params = {"max_depth": 4, "random_state": 0} if kind == "decision_tree" else \
        {"n_estimators": 20, "max_depth": 6, "random_state": 0, "n_jobs": 1}
    return models.build(kind, p.meta["task"], params).fit(X, y)


def _shown_number(text: str) -> float:
    return float(text.replace(",", ""))


# ----------------------------------------------------------------------------- the checks
def tree_problems(table: pd.DataFrame, train: pd.DataFrame, info: dict) -> list[str]:
    """What a reader checking the tree's questions against the training rows would find wrong."""
    out = []
    for q in table[~table["leaf"]].itertuples():
        f, i = q.feature, info[q.feature]
        if i["kind"] in F.NUMBER_KINDS:
            x = train[f].to_numpy(dtype="float64")
            moved = int(((x <= q.threshold) != (x <= q.cut)).sum())
            if moved:
                out.append(f"node {q.node}: {q.condition!r} sends {moved} training rows the other way than "
                           f"{f} <= {q.threshold!r}")
            m = re.fullmatch(rf"{re.escape(f)} <= ({_NUMBER.pattern})", q.condition)
            if not m or _shown_number(m.group(1)) != q.cut:
                out.append(f"node {q.node}: {q.condition!r} does not show its cut {q.cut!r}")
            if i["kind"] == "integer" and not float(q.cut).is_integer():
                out.append(f"node {q.node}: whole-number feature {f} cut at {q.cut!r}")
        else:
            words = F.level_words(i) if i["kind"] != "binary" else i["levels"][0]
            op = "=" if i["kind"] == "binary" else F.NOT_EQUAL
            if q.condition != f"{i['column']} {op} {words}" or not np.isnan(q.cut):
                out.append(f"node {q.node}: a 0/1 feature asked as {q.condition!r} (cut {q.cut!r})")
    return out


def lime_problems(table: pd.DataFrame, row: pd.Series, info: dict) -> list[str]:
    """Conditions of one LIME explanation that are false of the explained row, or not in words."""
    out = []
    for c in table.itertuples():
        f, i, x = c.feature, info[c.feature], float(row[c.feature])
        cond = {k: getattr(c, k) for k in lx.CONDITION_COLUMNS}
        cond = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in cond.items()}
        cond["text"] = c.rule
        if not F.holds(cond, i, x):
            out.append(f"{c.rule!r} is false of the row's {f} = {x!r}")
        if i["kind"] in F.LEVEL_KINDS:
            words = i["levels"] if i["kind"] == "binary" else [F.level_words(i)]
            bare = c.rule.replace(i["column"], "", 1)
            for w in words:
                bare = bare.replace(w, "")
            if cond["lower"] is not None or cond["upper"] is not None or re.search(r"[<>\d]", bare):
                out.append(f"{c.rule!r}: a 0/1 feature shown as a number")
            if c.rule != F.level_condition(i, x)["text"]:
                out.append(f"{c.rule!r}: expected {F.level_condition(i, x)['text']!r}")
            continue
        bounds = [b for b in (cond["lower"], cond["upper"]) if b is not None]
        shown = [_shown_number(t) for t in _NUMBER.findall(c.rule.replace(f, ""))]
        if sorted(shown) != sorted(bounds):
            out.append(f"{c.rule!r}: shows {shown}, stores {bounds}")
        # The shown text itself, read as a reader reads it, holds for the row.
        expr = c.rule.replace(f, "x").replace(",", "")
        if not re.fullmatch(r"[-\d.]+ <=? x <= [-\d.]+|x (<=|>|>=|=) [-\d.]+", expr) or \
                not eval(expr.replace(" = ", " == "), {"x": x}):  # noqa: S307 - our own digits and operators
            out.append(f"{c.rule!r}: as written, false of x = {x!r}")
        if i["kind"] == "integer" and not all(float(b).is_integer() for b in bounds):
            out.append(f"{c.rule!r}: whole-number feature with a fractional bound")
    return out


def name_problems(meta: dict, raw: pd.DataFrame) -> list[str]:
    out = []
    for f, i in meta["feature_info"].items():
        col = i["column"]
        levels = set(raw[col].dropna().astype(str).str.strip()) if col in raw else set()
        if i["kind"] in (*F.NUMBER_KINDS, "binary"):
            if f != col:
                out.append(f"{f!r}: expected the column's name {col!r}")
        elif i["kind"] == "level":
            if f != f"{col} = {i['level']}" or i["level"] not in levels:
                out.append(f"{f!r}: not '{col} = <a level as the file writes it>'")
        else:
            if not set(i["members"]) <= levels or i["label"] in levels or len(i["members"]) < 2:
                out.append(f"{f!r}: the rare group {i['members']} must hold 2+ of the file's levels, named apart")
        if f.startswith(f"{col}_{col}"):
            out.append(f"{f!r} repeats its column")
    return out


# ----------------------------------------------------------------------------- per zoo table
@pytest.mark.parametrize("name", list(zoo.TABLES))
def test_tree_questions_are_in_data_units_and_words(name, tables):
    p = prepared(name, tables)
    tree = _model(p, "decision_tree")
    table = trees.questions(tree, p.meta["features"], p.meta["feature_info"], p.train, p.meta["classes"])
    assert (~table["leaf"]).any(), f"{name}: the tree asked nothing"
    assert tree_problems(table, p.train, p.meta["feature_info"]) == []


@pytest.mark.parametrize("name", [n for n in zoo.TABLES if n not in ("diabetes", "linnerud", "cars", "visits",
                                                                     "euro")])
def test_every_lime_condition_shown_is_true_of_its_row(name, tables):
    p = prepared(name, tables)
    assert p.meta["task"] == "classification"
    model = _model(p, "random_forest")
    features, info = p.meta["features"], p.meta["feature_info"]
    problems = []
    for position in range(min(LIME_ROWS, len(p.test))):
        c = lx.load_case(meta=p.meta, train=p.train, test=p.test, model=model, position=position,
                         cls=p.meta["classes"][-1], what=name)
        explainer = lx.make_explainer(c.train_X, features, c.classes, 42, info)
        exp = lx.explain(explainer, c.x, c.predict, c.label, min(10, len(features)), 300)
        table = lx.explanation_table(exp, c.label, features, c.classes, position, int(c.row.name), 42,
                                     lx.conditions(explainer, c.x, features, info, c.train_X))
        problems += [f"test row {position}: {m}" for m in lime_problems(table, c.row, info)]
    assert problems == []


@pytest.mark.parametrize("name", list(zoo.TABLES))
def test_feature_names_are_the_columns_and_levels_as_written(name, tables):
    from mlviz.compute import data

    p = prepared(name, tables)
    raw = data.read_source(p.path, p.resolved["sources"][p.ds["source"]])
    assert name_problems(p.meta, raw) == []
    assert len(set(p.meta["features"])) == len(p.meta["features"])


@pytest.mark.parametrize("name", ["churn", "markup", "credit", "penguins"])
def test_shap_values_are_stored_in_words(name, tables):
    p = prepared(name, tables)
    features, info = p.meta["features"], p.meta["feature_info"]
    rows = p.test.assign(split="test")
    zeros = np.zeros((len(rows), len(features)))
    table = tree_shap.values_table(rows, features, info, zeros, np.zeros(len(rows)), np.zeros(len(rows)))
    for f in features:
        shown = set(table[f"text:{f}"])
        if info[f]["kind"] == "binary":
            assert shown <= set(info[f]["levels"]), (f, shown)
        elif info[f]["kind"] in ("level", "rare_levels"):
            assert shown <= {"yes", "no"}, (f, shown)


# ----------------------------------------------------------------------------- what the zoo says
def test_identifiers_are_dropped_with_their_reason(tables):
    dropped = {n: prepared(n, tables).meta["dropped"] for n in ("churn", "credit", "cars", "penguins_raw")}
    assert dropped["churn"]["rownames"] == {"reason": "identifier", "numeric": True}
    assert dropped["credit"]["id"] == {"reason": "identifier", "numeric": True}
    assert dropped["cars"]["Name"]["reason"] == "nearly_identifier"
    assert dropped["penguins_raw"]["Individual ID"]["reason"] == "nearly_identifier"
    # A quantity that differs in every row is no identifier: its numbers do not number the rows.
    assert "Umsatz" not in prepared("euro", tables).meta["dropped"]


def test_many_levels_are_kept_and_rare_ones_grouped_apart_from_a_real_other(tables):
    churn = prepared("churn", tables)
    state = [f for f, i in churn.meta["feature_info"].items() if i["column"] == "state"]
    assert "state" not in churn.meta["dropped"] and len(state) == 30 - 1  # max_levels, less the reference
    assert churn.meta["features"].count("area_code = area_code_408") == 1
    visits = prepared("visits", tables).meta
    assert "channel = other" in visits["features"]  # the file's own level, never merged into
    rare = [i for i in visits["feature_info"].values() if i["kind"] == "rare_levels"]
    assert [(i["column"], i["members"]) for i in rare] == [("channel", ["fax", "mail"])]
    assert "weekday = Sat" in visits["features"]  # a single rare level keeps its name
    assert visits["task"] == "regression"  # a count with many values


def test_european_numbers_read_as_written(tables):
    p = prepared("euro", tables)
    src = p.resolved["sources"][p.ds["source"]]
    assert (src["sep"], src["decimal"], src["thousands"]) == (";", ",", ".")
    raw = pd.read_csv(tables["euro"]["path"], sep=";", dtype=str)
    both = pd.concat([p.train, p.test]).sort_index()
    as_written = {"Gewicht": lambda t: float(t.replace(",", ".")), "Umsatz": lambda t: float(t.replace(".", "")),
                  "Gewinn": lambda t: float(t.replace(",", "."))}
    for col, parse in as_written.items():
        np.testing.assert_array_equal(both[col].to_numpy(), raw[col].map(parse).to_numpy())
    assert both["Umsatz"].min() >= 1000


def test_a_tree_figure_writes_the_tables_questions(tables):
    from mlviz.plots.style import Style, plt
    from mlviz.plots.tree import _boxes, draw_tree, wrap_condition

    p = prepared("churn", tables)
    tree = _model(p, "decision_tree")
    table = trees.questions(tree, p.meta["features"], p.meta["feature_info"], p.train, p.meta["classes"])
    fig = draw_tree(tree, table, classes=p.meta["classes"], style=Style.of({"width": 11, "height": 7}),
                    title="t", max_depth=3)
    shown = table[table["depth"] <= 3]
    texts = [b.get_text() for b in _boxes(fig.axes[0].texts)]
    plt.close(fig)
    assert len(texts) == len(shown)
    for text, q in zip(texts, shown.itertuples()):
        if not q.leaf:
            assert text.startswith(wrap_condition(q.condition) + "\n"), (text, q.condition)


def test_markup_in_names_is_drawn_as_written(tables):
    """"$a$" is a column's name, not maths: every label of the LIME figure is drawn as plain text."""
    from mlviz.plots.lime import draw_explanation
    from mlviz.plots.style import Style, plt

    p = prepared("markup", tables)
    model = _model(p, "random_forest")
    features, info = p.meta["features"], p.meta["feature_info"]
    c = lx.load_case(meta=p.meta, train=p.train, test=p.test, model=model, position=0, cls=p.meta["classes"][-1],
                     what="markup")
    explainer = lx.make_explainer(c.train_X, features, c.classes, 42, info)
    exp = lx.explain(explainer, c.x, c.predict, c.label, len(features), 300)
    table = lx.explanation_table(exp, c.label, features, c.classes, 0, int(c.row.name), 42,
                                 lx.conditions(explainer, c.x, features, info, c.train_X))
    fig = draw_explanation(table, classes=c.classes, style=Style.of({}), title="markup")
    labels = fig.axes[0].get_yticklabels()
    plt.close(fig)
    assert any("$a$" in t.get_text() for t in labels)
    assert not [t.get_text() for t in labels if t.get_parse_math()]


@pytest.mark.parametrize("name", ["credit", "markup"])
def test_xgboost_takes_every_feature_name(name, tables):
    """XGBoost refuses names holding [, ] or <; levels such as "< 0 DM" and "<b>bold</b>" make them."""
    p = prepared(name, tables)
    X = models.model_frame(p.train, p.meta["features"])
    assert any(ch in f for f in p.meta["features"] for ch in "[]<")
    model = models.build("xgboost", p.meta["task"], {"n_estimators": 3}).fit(X, p.train[p.meta["target"]])
    assert model.predict_proba(models.model_frame(p.test, p.meta["features"])).shape[0] == len(p.test)
