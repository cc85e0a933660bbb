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


# --------------------------------------------------------------------------- the whole article
_INCLUDE = re.compile(r"\{\{< include _generated/([a-z_]+)\.md >\}\}")
_ATTRS = re.compile(r'([a-z-]+)="([^"]*)"')


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(text: str, meta: dict) -> str:
    """Markdown inline to the HTML Quarto writes for the few elements the article check reads:
    conditional spans (kept as <span data-when-meta> or dropped), fact spans, code, cross-references;
    escapes read, emphasis dropped."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(" " if text[i + 1] == " " else _escape(text[i + 1]))
            i += 2
            continue
        if c == "`":
            n = len(text[i:]) - len(text[i:].lstrip("`"))
            end = text.find("`" * n, i + n)
            if end > 0:
                out.append(f"<code>{_escape(text[i + n:end].strip())}</code>")
                i = end + n
                continue
        if c == "[":
            depth, j = 1, i + 1
            while j < len(text) and depth:
                if text[j] == "\\":
                    j += 2
                    continue
                depth += {"[": 1, "]": -1}.get(text[j], 0)
                j += 1
            if depth == 0 and j < len(text) and text[j] == "{":
                close = text.find("}", j)
                attr = text[j + 1:close]
                inner = text[i + 1:j - 1]
                m = _ATTR.match(text, j)
                if m:
                    if bool(_lookup(meta, m.group(2))) == (m.group(1) == "when"):
                        out.append(f'<span data-{m.group(1)}-meta="{m.group(2)}">{_inline(inner, meta)}</span>')
                    i = m.end()
                    continue
                if attr.startswith(".fact"):
                    data = " ".join(f'data-{k}="{v}"' for k, v in _ATTRS.findall(attr))
                    out.append(f'<span class="fact" {data}>{_inline(inner, meta)}</span>')
                    i = close + 1
                    continue
        if c == "@" and re.match(r"@(fig|tbl)-[\w-]+", text[i:]):
            ref = re.match(r"@((fig|tbl)-[\w-]+)", text[i:]).group(1)
            out.append(f'<a class="quarto-xref" href="#{ref}">{"Figure" if ref.startswith("fig") else "Table"}</a>')
            i += len(ref) + 1
            continue
        if c == "*":
            i += 1
            continue
        out.append(_escape(c) if c in "<>&" else c)
        i += 1
    return "".join(out)


def _blocks(lines: list[str], meta: dict) -> list[str]:
    """Block elements: headings, paragraphs, figures, figure groups (fenced divs with an id), tables
    with their captions; fenced conditional divs unwrapped or dropped, as Quarto does."""
    html, para, i = [], [], 0

    def flush():
        if para:
            html.append(f"<p>{_inline(' '.join(para), meta)}</p>")
            para.clear()

    while i < len(lines):
        line = lines[i].strip()
        if line.startswith(":::"):
            flush()
            if line == ":::":
                html.append("</div>")
                i += 1
                continue
            depth, j = 1, i + 1
            while j < len(lines) and depth:
                s = lines[j].strip()
                depth += 1 if s.startswith(":::") and s != ":::" else -1 if s == ":::" else 0
                j += 1
            inner = lines[i + 1:j - 1]
            m = _ATTR.search(line)
            if m:
                if bool(_lookup(meta, m.group(2))) == (m.group(1) == "when"):
                    html += _blocks(inner, meta)
            else:
                ident = re.search(r"#([\w-]+)", line).group(1)
                body = _blocks(inner, meta)
                caption = next((k for k in range(len(body) - 1, -1, -1) if body[k].startswith("<p>")), None)
                if caption is not None:
                    body[caption] = f"<figcaption>{body[caption][3:-4]}</figcaption>"
                html += [f'<div id="{ident}">', *body, "</div>"]
            i = j
            continue
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            html.append(f"<h{level}>{_inline(re.sub(r' {[^}]*}$', '', line.lstrip('#').strip()), meta)}</h{level}>")
        elif line.startswith("!["):
            flush()
            m = re.match(r"!\[(.*)\]\(([^)]*)\)\{#([\w-]+)", " ".join(lines[i:i + 3]).strip())
            full = line
            while not re.search(r"\)\{#[\w-]+[^}]*\}\s*$", full):
                i += 1
                full += " " + lines[i].strip()
            m = re.match(r"!\[(.*)\]\(([^)]*)\)\{#([\w-]+)[^}]*\}$", full)
            html.append(f'<div id="{m.group(3)}"><figure><img src="{m.group(2)}">'
                        f"<figcaption>{_inline(m.group(1), meta)}</figcaption></figure></div>")
        elif line.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append([c.strip() for c in lines[i].strip().strip("|").split(" | ")])
                i += 1
            while i < len(lines) and not lines[i].strip():
                i += 1
            caption, ident = "", "tbl-?"
            if i < len(lines) and lines[i].startswith(": "):
                m = re.match(r": (.*) \{#([\w-]+)\}$", lines[i].strip())
                caption, ident = m.group(1), m.group(2)
                i += 1
            head = "".join(f"<th>{_inline(c, meta)}</th>" for c in rows[0])
            body = "".join("<tr>" + "".join(f"<td>{_inline(c, meta)}</td>" for c in r) + "</tr>" for r in rows[2:])
            html.append(f'<div id="{ident}"><figure><figcaption>{_inline(caption, meta)}</figcaption>'
                        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></figure></div>")
            continue
        else:
            para.append(line)
        i += 1
    flush()
    return html


def html(variables: dict, metadata: dict, blocks: dict) -> str:
    """article.qmd as the HTML Quarto writes, for the elements tests/articlecheck.Article reads (no
    Quarto: a test of the facts runs in a second). Colophon heading included, styling left out."""
    text = ARTICLE.read_text()
    text = text.split("---", 2)[2]
    text = _INCLUDE.sub(lambda m: blocks.get(m.group(1), ""), text)

    def var(m):
        try:
            return str(_lookup(variables, m.group(1)))
        except KeyError:
            return f"?var:{m.group(1)}"  # as Quarto writes a variable it lacks (only hidden parts may have one)

    text = _VAR.sub(var, text)
    body = "\n".join(_blocks(text.splitlines(), metadata))
    return body.replace("<h1>Colophon</h1>", '<h1 id="colophon">Colophon</h1>')
