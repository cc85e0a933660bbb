"""Rendering the article with Quarto: the report/ project staged in a build folder beside the run's
figures and facts, rendered to one format of _quarto.yml per job (self-contained HTML, Typst PDF).
Quarto is found on PATH or beside the interpreter (mlviz.workflow.tools), where the set-up links it."""
from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import InputError
from ..workflow import tools


def require() -> tuple[int, ...]:
    """Quarto's version, or InputError in one line saying how to get it (mlviz.workflow.tools)."""
    why = tools.problem("quarto")
    if why:
        raise InputError(why)
    return tools.version(tools.find("quarto"))


# `quarto render --to`: the format of _quarto.yml that writes each output (Typst writes the PDF).
FORMATS = {"html": "html", "pdf": "typst"}


def render(build: Path, output: str, log) -> None:
    """quarto render article.qmd in the build folder to one output, article.html or article.pdf."""
    exe = tools.find("quarto")  # absolute: a relative PATH entry would not survive cwd=build
    proc = subprocess.run([exe or "quarto", "render", "article.qmd", "--to", FORMATS[output]], cwd=build,
                          capture_output=True, text=True)
    log.info("quarto render --to %s:\n%s", FORMATS[output], proc.stderr[-6000:])
    if proc.returncode != 0:
        raise RuntimeError(f"quarto render failed (exit {proc.returncode}); its output is in the log:\n"
                           f"{proc.stderr[-1500:]}")
