"""What a sentence of report/article.qmd reads for given facts, without Quarto: its variables
({{<var x.y>}}) filled in and its conditional spans ([...]{.content-visible when-meta="claims.x.y"},
nested or not) kept or dropped by the claims, Markdown's escaped space (\\ ) read as a space and line
breaks as spaces. For fast tests of the article's grammar (singular or plural, which words a claim
picks); the full workflow tests read the rendered article itself."""
from __future__ import annotations

import re
from pathlib import Path

ARTICLE = Path(__file__).resolve().parents[1] / "report" / "article.qmd"
_VAR = re.compile(r"\{\{<var ([a-z_.]+)>\}\}")
_ATTR = re.compile(r'\{\.content-visible (when|unless)-meta="([a-z_.]+)"\}')


def _lookup(tree: dict, dotted: str):
    node = tree
    for k in dotted.split("."):
        node = node[k]
    return node


def _spans(text: str, meta: dict) -> str:
    """Resolve every conditional span, innermost first."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "[":
            depth, j = 1, i + 1
            while j < len(text) and depth:
                depth += {"[": 1, "]": -1}.get(text[j], 0) if text[j - 1] != "\\" else 0
                j += 1
            m = _ATTR.match(text, j)
            if depth == 0 and m:
                inner = _spans(text[i + 1:j - 1], meta)
                shown = bool(_lookup(meta, m.group(2))) == (m.group(1) == "when")
                out.append(inner if shown else "")
                i = m.end()
                continue
        out.append(text[i])
        i += 1
    return "".join(out)


def read(text: str, variables: dict, metadata: dict) -> str:
    """The text as a reader sees it (Markdown left as it is apart from spans and variables)."""
    text = _VAR.sub(lambda m: str(_lookup(variables, m.group(1))), text)
    text = _spans(text, metadata).replace("\\ ", " ")
    return re.sub(r"\s+", " ", text).strip()


def between(start: str, end: str) -> str:
    """The part of article.qmd from the line holding `start` up to (not including) the line holding `end`."""
    lines = ARTICLE.read_text().splitlines()
    a = next(i for i, line in enumerate(lines) if start in line)
    b = next(i for i, line in enumerate(lines[a + 1:], a + 1) if end in line)
    return "\n".join(lines[a:b])
