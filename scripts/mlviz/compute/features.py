"""What each model feature is, in the data's own words and units (meta.json's `feature_info`, written
by mlviz.compute.data), and how a reader sees its values and the conditions placed on it.

Kinds: number, integer (every value a whole number), binary (a two-level column coded 0/1: `levels`
[level coded 0, level coded 1]), level (one level of a one-hot column: `level`), rare_levels (a
one-hot column's infrequent group: `members`).

Cuts (a tree's threshold, a LIME bin's bound) are shown rounded, never so that the shown condition
changes its verdict: a cut stays between the same two training values (the same training rows
fall on each side) and, for a bound of an explained row, on the same side of that row's value.
Whole-number features get whole-number cuts ("x <= 2" for a threshold of 2.5). Standard library
only: the plots and the tests read it too.
"""
from __future__ import annotations

import bisect
import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

NUMBER_KINDS = ("number", "integer")
LEVEL_KINDS = ("binary", "level", "rare_levels")
NOT_EQUAL = "≠"


# ----------------------------------------------------------------------------- names
def level_feature(column: str, level: str) -> str:
    """A one-hot level's feature name: the column and the level as the data writes it."""
    return f"{column} = {level}"


def rare_label(n: int, levels) -> str:
    """The infrequent group's stand-in for a level: says what it is, and is no level of the column."""
    label = f"({n} rare levels)"
    while label in set(levels):
        label = f"({label})"
    return label


# ----------------------------------------------------------------------------- numbers
def number_text(x: float, digits: int = 3) -> str:
    """A value as the article writes it: whole numbers exact (grouped from 10,000 up, so a year stays
    1931), others to `digits` significant figures (grouped from 10,000 up)."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x.is_integer():
        return f"{x:,.0f}" if abs(x) >= 10_000 else f"{x:.0f}"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(x)))))
    text = f"{x:,.{decimals}f}" if abs(x) >= 10_000 else f"{x:.{decimals}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


def decimal_text(d: Decimal) -> str:
    """An exact decimal cut as written: no exponent, no trailing zeros, grouped from 10,000 up."""
    d = d.normalize() if d != 0 else Decimal(0)
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    whole, _, frac = text.lstrip("-").partition(".")
    if len(whole) > 4:
        whole = f"{int(whole):,}"
    return ("-" if text.startswith("-") else "") + whole + (f".{frac}" if frac else "")


def _dec(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def shortest(lo: float, hi: float, *, closed: bool) -> Decimal:
    """The number with the fewest significant digits in [lo, hi) ([lo, hi] when closed), found from
    the coarsest round number down; lo itself when the interval is empty."""
    lo_d, hi_d = _dec(lo), _dec(hi)
    for exponent in range(15, -17, -1):
        step = Decimal(1).scaleb(exponent)
        candidate = (lo_d / step).to_integral_value(ROUND_CEILING) * step
        if candidate < hi_d or (closed and candidate == hi_d):
            return candidate + 0  # + 0: -0 → 0
    return lo_d


def _neighbours(values, t: float) -> tuple[float | None, float | None]:
    """The largest of the sorted `values` at or below t and the smallest above it."""
    i = bisect.bisect_right(values, t)
    return (values[i - 1] if i else None), (values[i] if i < len(values) else None)


def upper_cut(t: float, values, *, any_x: bool, integer: bool = False) -> Decimal:
    """The shown bound r of "x <= t": x <= r holds for exactly the training `values` (sorted) with
    x <= t; with any_x (an explained row's bin, which a row outside the training values may fill)
    also for every x <= t (r >= t; for whole numbers r >= the whole part of t). The fewest digits
    that do both: a whole number for whole-number values."""
    below, above = _neighbours(values, t)
    lo = (math.floor(t) if integer else t) if any_x or below is None else below
    return shortest(lo, above, closed=False) if above is not None else _dec(lo)


def lower_cut(t: float, values, *, integer: bool = False) -> Decimal:
    """The shown bound r of "t < x": r < x holds for exactly the training `values` with t < x and for
    any x > t. Whole numbers: read as r <= x, with r the next whole number, when t is not whole."""
    if integer and not float(t).is_integer():
        return _dec(math.floor(t) + 1)
    below, _ = _neighbours(values, t)
    return shortest(below, t, closed=True) if below is not None else _dec(t)


# ----------------------------------------------------------------------------- words
def level_words(info: dict) -> str:
    """What a level or rare-levels feature stands for after its column's name."""
    return info["level"] if info["kind"] == "level" else info["label"]


def value_text(info: dict, value: float) -> str:
    """A feature's value in words: a number as written in the article, a yes/no column's level, a
    one-hot feature's "yes"/"no"."""
    kind = info["kind"]
    if kind in NUMBER_KINDS:
        return number_text(value)
    if kind == "binary":
        return str(info["levels"][int(round(float(value)))])
    return "yes" if float(value) >= 0.5 else "no"


def reading(feature: str, info: dict, value: float) -> str:
    """"age = 34", "sex = male", "work_industry = Energy" / "work_industry ≠ Energy"."""
    kind = info["kind"]
    if kind in NUMBER_KINDS:
        return f"{feature} = {number_text(value)}"
    if kind == "binary":
        return f"{info['column']} = {value_text(info, value)}"
    op = "=" if float(value) >= 0.5 else NOT_EQUAL
    return f"{info['column']} {op} {level_words(info)}"


def split_condition(feature: str, info: dict, threshold: float, values) -> dict:
    """The question of a tree's split "feature <= threshold" (true: the left branch) in data units and
    words: {text, cut (the shown number, None for levels), level, level_op}."""
    kind = info["kind"]
    if kind in NUMBER_KINDS:
        cut = upper_cut(threshold, values, any_x=False, integer=kind == "integer")
        return {"text": f"{feature} <= {decimal_text(cut)}", "cut": float(cut), "level": None, "level_op": None}
    return {**level_condition(info, 0.0), "cut": None}


def level_condition(info: dict, value: float) -> dict:
    """The condition a 0/1 feature's value states: {text, level, level_op}."""
    if info["kind"] == "binary":
        level = value_text(info, value)
        return {"text": f"{info['column']} = {level}", "level": level, "level_op": "="}
    op = "=" if float(value) >= 0.5 else NOT_EQUAL
    return {"text": f"{info['column']} {op} {level_words(info)}", "level": level_words(info), "level_op": op}


def bin_condition(feature: str, info: dict, lower: float | None, upper: float | None, values) -> dict:
    """The condition "lower < x <= upper" (either bound may be None) of a LIME bin in data units,
    rounded so that it holds for every x of the bin and for the same training values:
    {text, lower, lower_op, upper, upper_op} (whole numbers: closed bounds, "3 <= x <= 5")."""
    integer = info["kind"] == "integer"
    lo = None if lower is None else lower_cut(lower, values, integer=integer)
    hi = None if upper is None else upper_cut(upper, values, any_x=True, integer=integer)
    lo_op = None if lo is None else ("<=" if integer and not float(lower).is_integer() else "<")
    if lo_op == "<=" and hi is not None and lo == hi:
        text = f"{feature} = {decimal_text(lo)}"
    elif lo is not None and hi is not None:
        text = f"{decimal_text(lo)} {lo_op} {feature} <= {decimal_text(hi)}"
    elif hi is not None:
        text = f"{feature} <= {decimal_text(hi)}"
    elif lo is not None:
        text = f"{feature} {'>=' if lo_op == '<=' else '>'} {decimal_text(lo)}"
    else:
        text = feature
    return {"text": text, "lower": None if lo is None else float(lo), "lower_op": lo_op,
            "upper": None if hi is None else float(hi), "upper_op": None if hi is None else "<="}


def holds(condition: dict, info: dict, value: float) -> bool:
    """Whether a structured condition (bin_condition, level_condition) is true of a feature value."""
    if condition.get("level_op"):
        return level_condition(info, value)["text"] == condition["text"]
    ok = True
    if condition.get("lower") is not None:
        ok &= value >= condition["lower"] if condition["lower_op"] == "<=" else value > condition["lower"]
    if condition.get("upper") is not None:
        ok &= value <= condition["upper"]
    return bool(ok)
