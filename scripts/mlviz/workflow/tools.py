"""The programs some jobs call — Quarto renders the article, Graphviz's dot draws the CNN — found
where the set-up put them and checked when the workflow starts, so that a missing one stops the run
in one line before any job rather than after the models are trained.

The set-up links Quarto into the environment's bin folder, beside its Python, and a run started as
`.venv/bin/snakemake` (without activating the environment) has that folder on no PATH: so the
interpreter's own folder is put first on PATH at parse time, for the checks and for every job (local
jobs inherit it; SLURM exports the submitting environment to its jobs).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# Which rule needs which program, and what the message says to do when it is missing.
NEEDS = {"report": ("quarto",), "cnn_architecture": ("dot",)}
MINIMUM = {"quarto": (1, 4)}  # cross-references, Typst output, content-visible conditions, embed-resources
WHY = {"quarto": "the article needs Quarto >= 1.4", "dot": "the CNN's architecture figure needs Graphviz's dot"}
HOW = {"quarto": "run `bash scripts/mlviz.sh setup`, or install it from https://quarto.org/docs/get-started/ "
                 "(or conda install -c conda-forge quarto), or set report.enabled: false",
       "dot": "install Graphviz (sudo apt-get install -y graphviz, or conda install -c conda-forge graphviz), "
              "or set neural.enabled: false"}


def interpreter_bin() -> Path:
    """The folder of the running Python as invoked (a venv's bin: not resolved past its symlink)."""
    return Path(sys.executable).parent


def put_interpreter_on_path() -> None:
    """The interpreter's folder first on PATH (once), so jobs and checks find what the set-up linked there."""
    here = str(interpreter_bin())
    parts = os.environ.get("PATH", "").split(os.pathsep)
    if here not in parts:
        os.environ["PATH"] = os.pathsep.join([here, *[p for p in parts if p]])


def find(tool: str) -> str | None:
    return shutil.which(tool) or (str(interpreter_bin() / tool) if (interpreter_bin() / tool).is_file() else None)


def version(path: str) -> tuple[int, ...] | None:
    """The version a program reports (`quarto --version`: 1.11.0), or None when it does not run."""
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(x) for x in m.groups() if x is not None) if m else None


def problem(tool: str) -> str | None:
    """What is wrong with a program, in one line (None when it is there and new enough)."""
    path = find(tool)
    where = f"on PATH or beside {sys.executable}"
    if path is None:
        return f"{WHY[tool]} (no {tool} {where}): {HOW[tool]}"
    if tool in MINIMUM:
        found = version(path)
        if not found or found[:2] < MINIMUM[tool]:
            have = "version " + ".".join(map(str, found)) if found else "it does not run"
            return f"{WHY[tool]} ({path}: {have}): {HOW[tool]}"
    return None


def problems(rules) -> list[str]:
    """One line per program the given rules need that is missing or too old."""
    tools = dict.fromkeys(t for r in sorted(rules) for t in NEEDS.get(r, ()))
    return [p for p in map(problem, tools) if p]
