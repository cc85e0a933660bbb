"""Which package modules a rule script uses, found from its imports (followed through the package),
so that each rule lists exactly the code it depends on as input: Snakemake reruns a script rule
when the script changes, not when a module it imports does."""
from __future__ import annotations

import ast
import json
import os
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # scripts/mlviz


def _module_file(name: str) -> Path | None:
    """mlviz.x.y → its file, or None when it is not a module of the package."""
    parts = name.split(".")
    if parts[0] != "mlviz":
        return None
    base = PACKAGE.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


# Parsing every script and module costs ~0.4 s of each workflow start (a no-op included), so
# the names found are kept between runs, by file path, mtime and size, like Python's own .pyc.
CACHE = PACKAGE / "__pycache__" / "mlviz-imports.json"
_unsaved: set[str] = set()  # paths parsed in this process, not yet written to CACHE


@lru_cache(maxsize=1)
def _cache() -> dict:
    try:
        return json.loads(CACHE.read_text())
    except (OSError, ValueError):
        return {}


def _save_cache() -> None:
    """Atomically (two runs may start at once); a read-only checkout simply does without."""
    try:
        CACHE.parent.mkdir(exist_ok=True)
        tmp = CACHE.with_name(f"{CACHE.name}.{os.getpid()}")
        tmp.write_text(json.dumps(_cache(), sort_keys=True))
        os.replace(tmp, CACHE)
    except OSError:
        pass


@lru_cache(maxsize=None)  # each module is read once per parse, however many scripts import it
def _imports(path: Path) -> frozenset[str]:
    st = path.stat()
    stamp = [st.st_mtime_ns, st.st_size]
    hit = _cache().get(str(path))
    if hit and hit[:2] == stamp:
        return frozenset(hit[2])
    names = _parse_imports(path)
    _cache()[str(path)] = [*stamp, sorted(names)]
    _unsaved.add(str(path))
    return names


def _parse_imports(path: Path) -> frozenset[str]:
    """Dotted names of mlviz modules a file imports (absolute or relative, anywhere in the file)."""
    tree = ast.parse(path.read_text())
    if path.parent == PACKAGE or PACKAGE in path.parents:
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        package = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    else:
        package = []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.split(".")[0] == "mlviz"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "mlviz":
                continue
            names.add(mod)
            names |= {f"{mod}.{a.name}" for a in node.names}  # `from mlviz import style`
    return frozenset(names)


@lru_cache(maxsize=None)
def _closure(path: Path) -> frozenset[Path]:
    seen: set[Path] = set()
    todo = [path]
    while todo:
        for name in _imports(todo.pop()):
            parts = name.split(".")
            # A module's parent packages run on import too.
            for i in range(1, len(parts) + 1):
                f = _module_file(".".join(parts[:i]))
                if f is not None and f not in seen:
                    seen.add(f)
                    todo.append(f)
    return frozenset(seen)


def used_by(script: str | Path) -> list[str]:
    """The package files a script imports, directly or through other package modules, sorted."""
    files = sorted(str(p) for p in _closure(Path(script).resolve()))
    if _unsaved:
        _save_cache()
        _unsaved.clear()
    return files
