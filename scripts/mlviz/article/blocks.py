"""The words of the article's generated parts, which live in report/ like all of its prose: the
blocks whose length the run decides (tables, lists of notes, groups of figures) are Jinja templates
in report/blocks/, the names of metrics, methods and figures are report/labels.yml, and the words
that join a list ("a, b and c") are report/blocks/_words.md. This module only renders them with the
facts mlviz.article.facts prepares: Python gives facts, lists and claims, never words of a sentence.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

REPORT = Path(__file__).resolve().parents[3] / "report"
BLOCKS = REPORT / "blocks"
LABELS = REPORT / "labels.yml"
ALT = REPORT / "alt.yml"


@lru_cache(maxsize=1)
def _env():
    import jinja2

    # No autoescaping: the facts are Markdown already (fact spans, code spans, escaped names). Comments
    # are {## ##}: Jinja's own {# #} is how Quarto writes an id ({#tbl-data}).
    return jinja2.Environment(loader=jinja2.FileSystemLoader(BLOCKS), undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                              comment_start_string="{##", comment_end_string="##}",
                              extensions=["jinja2.ext.do"], autoescape=False)


def render(name: str, **context) -> str:
    """report/blocks/<name>.md with the given facts: "" when it says nothing, else its text ending
    in one newline."""
    text = _env().get_template(f"{name}.md").render(**context)
    return text.rstrip("\n") + "\n" if text.strip() else ""


def listed(items: list[str], more: str | None = None) -> str:
    """Names joined as a sentence lists them ("a, b and c"; with `more`, "a, b and <more> more")."""
    words = _env().get_template("_words.md").module
    return str(words.listed_more(list(items), more)) if more else str(words.listed(list(items)))


def dropped(reason: dict) -> str:
    """Why a column was dropped, in words (report/blocks/_words.md); its numbers already facts."""
    return str(_env().get_template("_words.md").module.dropped(reason))


def more_columns(n: int) -> str:
    """The count of further columns a list leaves out ("2 more columns")."""
    return str(_env().get_template("_words.md").module.more_columns(n))


@lru_cache(maxsize=1)
def labels() -> dict:
    import yaml

    return yaml.safe_load(LABELS.read_text())


@lru_cache(maxsize=1)
def _alt_templates() -> dict:
    import yaml

    return yaml.safe_load(ALT.read_text())


def alt(label: str, context: dict) -> str:
    """A figure's alt text (report/alt.yml): plain text, on one line, with no double quote (it is an
    attribute) and any Quarto shortcode in a name printed as written."""
    from .markdown import literal

    templates = _alt_templates()
    text = _env().from_string(templates.get(label, templates["default"])).render(**context)
    return literal(" ".join(text.split()).replace('"', "'"))


def files() -> list[str]:
    """Every file the words come from (the inputs of rule report_facts)."""
    return sorted(str(p) for p in [*BLOCKS.glob("*.md"), LABELS, ALT])
