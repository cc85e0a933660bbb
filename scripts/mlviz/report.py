"""The article: which run figure plays which part in it, markdown helpers for the facts, and the
two ways to render the same Quarto sources (Quarto itself, or pandoc + Typst).

Light on purpose (standard library only): rules/report.smk imports it at parse time.
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

DEFAULTS = {
    "enabled": True,
    "title": "Seeing inside machine-learning models",
    "engine": "auto",     # auto: quarto when >= 1.4 is on PATH, else pandoc + typst | quarto | pandoc
    "top_k": 5,           # rows of the importance tables
    "decimals": 2,        # of scores in the text (AUC, R², accuracy, ...)
}

QUARTO_MIN = (1, 4)


def settings(config: dict) -> dict:
    return {**DEFAULTS, **(config.get("report") or {})}


# ----------------------------------------------------------------------------- figure plan
# The article names its main figures by stable ids (@fig-tree, @fig-roc, ...). The run's figures
# get those ids from their place in config (the first model listed under figures.importance is
# the one the trees section discusses, and so on). Figures of lists whose length is up to the
# config (SHAP dependence plots, LIME rows, further models) go into generated blocks placed in
# their section; anything else lands in an appendix, so that every figure of the run is shown.

def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def figure_plan(config: dict, paths: list[str], run_dir: str) -> list[dict]:
    """One entry per PNG in `paths` (in article order): id, the run file (src), the staged name
    (file), the generated block it belongs to (None: placed by article.qmd), dataset, model, kind."""
    from .basicfig import entry
    from .explain_config import lime_settings, shap_settings

    prefix = f"{run_dir}/figures/"
    names = [p[len(prefix):-4] for p in paths if p.startswith(prefix) and p.endswith(".png")]

    imp = entry(config, "importance")
    perf = entry(config, "performance")
    shap, lime = shap_settings(config), lime_settings(config)
    first = {
        "importance": (imp["models"][0]["dataset"], imp["models"][0]["model"]) if imp and imp["models"] else None,
        "performance": (perf["models"][0]["dataset"], perf["models"][0]["model"]) if perf and perf["models"] else None,
        "shap": (shap["explain"][0]["dataset"], shap["explain"][0]["model"]) if shap["explain"] else None,
        "lime": (lime["explain"][0]["dataset"], lime["explain"][0]["model"]) if lime["explain"] else None,
    }
    instance = shap["instances"][0] if shap["instances"] else None

    plan = []
    for name in names:
        parts = name.split("/")
        group, ds, model = parts[0], (parts[1] if len(parts) > 2 else None), (parts[2] if len(parts) > 2 else None)
        leaf = parts[-1]
        fig_id, block, kind = None, "appendix", leaf
        if group == "tree":
            fig_id, block, kind = "fig-tree", None, "tree"
        elif group == "importance":
            kind = leaf
            if (ds, model) == first["importance"]:
                fig_id, block = f"fig-{leaf}", None
            else:
                block = "importance_more"
        elif group == "linear":
            fig_id, block = "fig-" + _slug(leaf), None
        elif group == "performance":
            if (ds, model) == first["performance"]:
                fig_id, block = {"confusion_matrix": "fig-confusion"}.get(leaf, f"fig-{leaf}"), None
            else:
                block = "performance_more"
        elif group == "shap":
            if (ds, model) == first["shap"]:
                m = re.fullmatch(r"(waterfall|force)_row(\d+)", leaf)
                d = re.fullmatch(r"dependence_top(\d+)", leaf)
                if m and int(m.group(2)) == instance:
                    fig_id, block = f"fig-shap-{m.group(1)}", None
                elif leaf in ("beeswarm", "bar"):
                    fig_id, block = f"fig-shap-{leaf}", None
                elif d:
                    fig_id, block, kind = f"fig-shap-dependence-{d.group(1)}", "shap_dependence", "dependence"
        elif group == "lime":
            if (ds, model) == first["lime"]:
                m = re.fullmatch(r"(stability_)?test(\d+)", leaf)
                if m:
                    kind = "lime_stability" if m.group(1) else "lime"
                    fig_id = f"fig-lime-{'stability-' if m.group(1) else ''}{m.group(2)}"
                    block = "lime_rows"
        elif group == "neural":
            ids = {"architecture": "fig-cnn-architecture", "training_curves": "fig-cnn-curves",
                   "confusion_matrix": "fig-cnn-confusion", "gradcam_grid": "fig-gradcam",
                   "gradcam_randomization": "fig-gradcam-sanity"}
            if leaf in ids:
                fig_id, block = ids[leaf], None
            elif leaf == "resnet50_gradcam":
                fig_id, block = "fig-resnet-gradcam", "neural_more"
        if fig_id is None:
            fig_id = "fig-" + _slug(name)
        plan.append({"id": fig_id, "name": name, "src": f"{prefix}{name}.png", "file": f"figures/{fig_id}.png",
                     "block": block, "group": group, "dataset": ds, "model": model, "kind": kind})
    ids = [p["id"] for p in plan]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"figure ids used twice in the article: {dupes}")
    return plan


# ----------------------------------------------------------------------------- markdown helpers
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|$@~^\"])")


def md_escape(text: str) -> str:
    """Literal text in pandoc markdown (feature names hold _ / & and the like)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def code(text) -> str:
    """Inline code: the text as it is (a code span takes no backslash escapes)."""
    text = str(text)
    ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fact(value, fmt: str | None = None, *, table: str, where: dict | None = None, col: str = "value",
         agg: str | None = None, rank: int | None = None, by: str | None = None, text: str | None = None) -> str:
    """A number or a name from a run table, as a bracketed span that says where it came from, so a
    test can look it up again: [0.87]{.fact table="metrics.parquet" where="dataset=mba;metric=roc_auc" fmt=".2f"}.
    agg: None (the one matching row), count, mean, max, min, sum, share (count / all rows),
    rank (the `col` of the rank-th row by descending |by|)."""
    shown = text if text is not None else (format(value, fmt) if fmt else str(value))
    attrs = [f'table="{table}"']
    if where:
        attrs.append('where="' + ";".join(f"{k}={v}" for k, v in where.items()) + '"')
    if col != "value":
        attrs.append(f'col="{col}"')
    if agg:
        attrs.append(f'agg="{agg}"')
    if rank is not None:
        attrs.append(f'rank="{rank}"')
    if by:
        attrs.append(f'by="{by}"')
    if fmt:
        attrs.append(f'fmt="{fmt}"')
    return f"[{md_escape(shown)}]{{.fact {' '.join(attrs)}}}"


def join_and(items: list[str], word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


# ----------------------------------------------------------------------------- Quarto shortcodes
# What the pandoc path does in place of Quarto: {{< include file >}} (text, recursively, paths
# relative to the including file) and {{< var a.b >}} (a value of _variables.yml, as markdown).
# A var that is missing shows as ?var:name, as Quarto shows it.
_INCLUDE = re.compile(r"^\{\{<\s*include\s+(\S+)\s*>\}\}[ \t]*$", re.M)
_VAR = re.compile(r"\{\{<\s*var\s+([A-Za-z0-9_.-]+)\s*>\}\}")
_META = re.compile(r"\{\{<\s*meta\s+([A-Za-z0-9_.-]+)\s*>\}\}")


def _lookup(tree: dict, dotted: str):
    node = tree
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def expand_shortcodes(text: str, variables: dict, metadata: dict, base: Path, depth: int = 0) -> str:
    if depth > 10:
        raise ValueError("{{< include >}} nested more than 10 deep")

    def include(m):
        path = base / m.group(1)
        return expand_shortcodes(path.read_text(), variables, metadata, path.parent, depth + 1)

    def value(tree, m, kind):
        v = _lookup(tree, m.group(1))
        if v is None or isinstance(v, (dict, list)):
            return f"?{kind}:{m.group(1)}"
        return "true" if v is True else "false" if v is False else str(v)

    text = _INCLUDE.sub(include, text)
    text = _VAR.sub(lambda m: value(variables, m, "var"), text)
    return _META.sub(lambda m: value(metadata, m, "meta"), text)


# ----------------------------------------------------------------------------- images
def png_size(path: str | Path) -> tuple[int, int, float | None]:
    """(width px, height px, dpi or None) from a PNG's IHDR and pHYs chunks."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    dpi, pos = None, 8
    while pos + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        if ctype == b"pHYs":
            ppu, _, unit = struct.unpack(">IIB", data[pos + 8:pos + 17])
            if unit == 1:
                dpi = ppu * 0.0254
            break
        if ctype == b"IDAT":
            break
        pos += 12 + length
    return width, height, dpi


# ----------------------------------------------------------------------------- engines
def quarto_version(exe: str = "quarto") -> tuple[int, ...] | None:
    path = shutil.which(exe)
    if not path:
        return None
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", out)
    return tuple(int(x) for x in m.groups() if x is not None) if m else None


def choose_engine(requested: str) -> str:
    """quarto or pandoc: `auto` takes Quarto when >= 1.4 is installed."""
    if requested == "pandoc":
        return "pandoc"
    version = quarto_version()
    if version and version[:2] >= QUARTO_MIN:
        return "quarto"
    if requested == "quarto":
        found = ".".join(map(str, version)) if version else "not on PATH"
        raise RuntimeError(f"config report.engine is quarto but Quarto >= 1.4 was not found ({found}); "
                           "install it (conda install -c conda-forge quarto) or set report.engine: auto")
    return "pandoc"
