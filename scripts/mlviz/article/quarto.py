"""Rendering the article with Quarto: the report/ project staged in a build folder beside the run's
figures and facts, rendered to one format of _quarto.yml per job (self-contained HTML, Typst PDF).
Quarto is found on PATH (the set-up script installs or links it into the environment)."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from ..errors import InputError

MINIMUM = (1, 4)  # cross-references, Typst output, content-visible conditions, embed-resources


def version(exe: str = "quarto") -> tuple[int, ...] | None:
    path = shutil.which(exe)
    if not path:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(x) for x in m.groups() if x is not None) if m else None


def require() -> tuple[int, ...]:
    """Quarto's version, or InputError in one line saying how to get it."""
    found = version()
    if not found or found[:2] < MINIMUM:
        have = "version " + ".".join(map(str, found)) if found else "no quarto on PATH"
        raise InputError(f"the article needs Quarto >= {'.'.join(map(str, MINIMUM))} ({have}): run "
                         "`bash scripts/mlviz.sh setup`, or install it from https://quarto.org/docs/get-started/ "
                         "(or conda install -c conda-forge quarto), or set report.enabled: false")
    return found


# `quarto render --to`: the format of _quarto.yml that writes each output (Typst writes the PDF).
FORMATS = {"html": "html", "pdf": "typst"}


def render(build: Path, output: str, log) -> None:
    """quarto render article.qmd in the build folder to one output, article.html or article.pdf."""
    exe = shutil.which("quarto")  # absolute: a relative PATH entry would not survive cwd=build
    proc = subprocess.run([exe or "quarto", "render", "article.qmd", "--to", FORMATS[output]], cwd=build,
                          capture_output=True, text=True)
    log.info("quarto render --to %s:\n%s", FORMATS[output], proc.stderr[-6000:])
    if proc.returncode != 0:
        raise RuntimeError(f"quarto render failed (exit {proc.returncode}); its output is in the log:\n"
                           f"{proc.stderr[-1500:]}")
