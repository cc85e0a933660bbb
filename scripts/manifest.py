"""The run's manifest, written after everything else: one row per file under results/<run>/ with
its role (table, model, figure, report, log: mlviz.workflow.layout), the rule that wrote it, sha256 and size,
and the provenance of the run (config hash, git commit and whether the tree was dirty, package
versions).

Paths are relative to the run folder and rows are sorted, nothing records a time, so two cold runs
of one commit and config give the same bytes. Logs and benchmark records are listed without
checksum and size: they hold timings. A directory() output (TensorBoard's) is one row, path ending
in /: its event files are named after the time and host."""
import hashlib
import json
import re
from pathlib import Path

import pandas as pd

from mlviz.workflow.io import write_parquet
from mlviz.workflow.jobs import run
from mlviz.workflow.layout import Layout

COLUMNS = ["path", "kind", "rule", "sha256", "bytes", "config_hash", "git_commit", "git_dirty", "packages"]


def producer(path: str, producers: list[dict]) -> str:
    """The rule whose output (or log) pattern matches; a pattern without wildcards wins over one
    with (as in Snakemake's own choice between rules), then the one with fewer wildcards."""
    best = None
    for p in producers:
        rx = p["regex"]
        if p["directory"]:
            rx = rx[:-1] + "(/.*)?$" if rx.endswith("$") else rx + "(/.*)?$"
        if re.match(rx, path):
            key = (p["wildcards"], p["rule"])
            if best is None or key < best[0]:
                best = (key, p["rule"])
    return best[1] if best else "unknown"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def artifacts(root: Path, directories: list[str], skip: Path) -> dict[Path, list[Path]]:
    """Files of the run, each directory() output counting as one artifact."""
    dirs = [Path(d) for d in directories]
    out: dict[Path, list[Path]] = {}
    for f in sorted(p for p in root.rglob("*") if p.is_file() and p != skip):
        key = next((d for d in dirs if d in f.parents), f)
        out.setdefault(key, []).append(f)
    return out


def digest(key: Path, files: list[Path]) -> tuple[str, int]:
    if files == [key]:
        return sha256(key), key.stat().st_size
    h = hashlib.sha256()
    for f in files:  # a directory: names and contents, in sorted order
        h.update(f"{f.relative_to(key).as_posix()}\0{sha256(f)}\n".encode())
    return h.hexdigest(), sum(f.stat().st_size for f in files)


def main(smk):
    out = Path(smk.output[0])
    root = out.parent  # results/<run>
    layout, prov = Layout(root.as_posix()), smk.params.provenance
    packages = json.dumps(prov["packages"], sort_keys=True)
    rows = []
    for key, files in artifacts(root, smk.params.directories, out).items():
        rel = layout.relative(key.as_posix()) + ("/" if files != [key] else "")
        entry = layout.classify(key.as_posix())
        kind = entry.role if entry else "table"
        digest_, size = digest(key, files) if kind != "log" else (None, None)
        rows.append({"path": rel, "kind": kind, "rule": producer(key.as_posix(), smk.params.producers),
                     "sha256": digest_, "bytes": size, "config_hash": prov["config_hash"],
                     "git_commit": prov["commit"], "git_dirty": prov["dirty"], "packages": packages})
    rows.sort(key=lambda r: r["path"])
    table = pd.DataFrame(rows, columns=COLUMNS).astype({"bytes": "Int64", "git_dirty": "bool"})
    write_parquet(table, out)


run(main, snakemake)  # noqa: F821
