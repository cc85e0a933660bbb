"""Markdown the article's generated parts are written in: literal text escaped for pandoc, inline
code, and fact spans that name the run table (and row) a number or name came from, so that a test
can look each one up again."""
from __future__ import annotations

import re

# Markdown's own characters, and those pandoc's smart typography would turn into others (..., ', -).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|$@~^\"'.-])")


# A Quarto shortcode ({{< var x >}}) is expanded anywhere, a code span or an attribute included;
# tripled braces print it as written.
_SHORTCODE = re.compile(r"\{\{(<.*?>)\}\}", re.S)


def md_escape(text: str) -> str:
    """Literal text in pandoc markdown (feature names hold _ / & and the like). A Quarto shortcode in
    it ({{< var run >}}) gets tripled braces: Quarto expands a backslash-escaped one that reaches it
    through a variable, and prints a tripled one as written."""
    parts = _SHORTCODE.split(str(text))  # text, shortcode body, text, ...
    return "".join("{{{" + s + "}}}" if i % 2 else _MD_SPECIAL.sub(r"\\\1", s) for i, s in enumerate(parts))


def literal(text) -> str:
    """The text with every Quarto shortcode in it printed as written (tripled braces), for an
    attribute or a code span, where Quarto would otherwise expand it."""
    return _SHORTCODE.sub(r"{{{\1}}}", str(text))


def code(text) -> str:
    """Inline code: the text as it is (a code span takes no backslash escapes; a Quarto shortcode in it
    is escaped the way Quarto reads literally)."""
    text = literal(text)
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fact(value, fmt: str | None = None, *, table: str, where: dict | None = None, col: str = "value",
         agg: str | None = None, rank: int | None = None, text: str | None = None) -> str:
    """A number or a name from a run table, as a bracketed span that says where it came from, so a
    test can look it up again: [0.87]{.fact table="metrics.parquet" where="dataset=mba;metric=roc_auc" fmt=".2f"}.
    table: a file of the run, or `config` (where key=dotted.key) or `constant` (a threshold of
    mlviz.article.claims). agg: None (the one matching row), count, mean, max, min, sum, share (count / all
    rows), rank (the `col` of the rank-th row in the importance order), and the few named in
    tests/articlecheck.py."""
    shown = text if text is not None else (format(value, fmt) if fmt else str(value))
    attrs = [f'table="{table}"']
    if where:
        attrs.append('where="' + ";".join(f"{k}={literal(v)}" for k, v in where.items()) + '"')
    if col != "value":
        attrs.append(f'col="{literal(col)}"')
    if agg:
        attrs.append(f'agg="{agg}"')
    if rank is not None:
        attrs.append(f'rank="{rank}"')
    if fmt:
        attrs.append(f'fmt="{fmt}"')
    return f"[{md_escape(shown)}]{{.fact {' '.join(attrs)}}}"


def join_and(items: list[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]
