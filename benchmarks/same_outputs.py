"""Do two versions of mlviz give the same outputs, byte for byte? For a change that must not alter
what a user sees (a restructuring, a speed-up).

    .venv/bin/python benchmarks/same_outputs.py BASE [OTHER] [--tables demo credit penguins]

BASE and OTHER are git revisions; OTHER defaults to the working tree as it is (uncommitted changes
included). Each version runs the whole workflow on each table (`demo`: the demo config with the
CNN; any other name: that table of tests/zoo.py from its minimal config) in a folder of its own,
then every file of the two runs is compared. Compared by their bytes: every parquet, JSON, YAML,
model and PNG file. Where the commit is written into a file (the manifest's provenance columns,
the article's subtitle and colophon), what a reader sees is compared with the commit blanked out:
the manifest's other columns, the HTML's text and images, the PDF's text (pdftotext) and images
(pdfimages); white space is made single.
Logs and benchmark records differ by nature and are not compared. Prints one line per run and
exits 1 when anything differs.
"""
from __future__ import annotations

import argparse
import filecmp
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
SKIP = ("logs/", "benchmarks/", "tensorboard/")  # per-job records and event files (wall-clock stamps)


def checkout(rev: str | None, dest: Path) -> Path:
    """The tree of `rev` at dest (a detached worktree), or the working tree itself for None."""
    if rev is None:
        return REPO
    subprocess.run(["git", "worktree", "add", "--detach", str(dest), rev], cwd=REPO, check=True,
                   capture_output=True)
    return dest


def config_for(table: str, data: Path, run: str) -> dict:
    if table == "demo":
        cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
        cfg["run"] = run
        return cfg
    import zoo

    entry = zoo.write(data, [table])[table]
    return zoo.minimal_config(table, entry, run=run)


def run_workflow(tree: Path, workdir: Path, cfg: dict) -> None:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "config.yaml").write_text(yaml.safe_dump(cfg, sort_keys=False))
    env = {**os.environ, "PATH": f"{REPO / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([str(REPO / ".venv" / "bin" / "snakemake"), "-s", str(tree / "Snakefile"), "-d",
                           str(workdir), "--cores", "2", "--configfile", str(workdir / "config.yaml")],
                          capture_output=True, text=True, env=env)
    if proc.returncode:
        raise SystemExit(f"the workflow failed in {workdir}:\n{proc.stderr[-3000:]}")


def files(run_dir: Path) -> set[str]:
    return {str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file()
            and not str(p.relative_to(run_dir)).startswith(SKIP)}


def _commits(run_dir: Path) -> list[str]:
    import pandas as pd

    m = pd.read_parquet(run_dir / "manifest.parquet")
    commit = str(m["git_commit"].iloc[0]) if "git_commit" in m else ""
    return [c for c in {commit, commit[:12]} if c]


def _blank(text: str, commits: list[str]) -> str:
    """The text with the commit and what is said of the working tree's changes taken out, and its
    white space made single (a line break and a space read the same)."""
    for c in sorted(commits, key=len, reverse=True):
        text = text.replace(c, "<commit>")
    text = re.sub(r" ?\(with uncommitted changes\)|The working tree had (no )?uncommitted changes[^.]*\.", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _html_seen(path: Path) -> tuple[str, list[str]]:
    """What a reader of the HTML sees: its text (tags, scripts and styles left out) and the sha256 of
    each embedded image, in order."""
    from html.parser import HTMLParser

    class Seen(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.text, self.images, self.skip = [], [], 0

        def handle_starttag(self, tag, attrs):
            self.skip += tag in ("script", "style")
            src = dict(attrs).get("src") or ""
            if tag == "img" and src.startswith("data:"):
                self.images.append(hashlib.sha256(src.encode()).hexdigest())
            if dict(attrs).get("alt"):
                self.text.append(f" [alt: {dict(attrs)['alt']}] ")

        def handle_endtag(self, tag):
            self.skip -= tag in ("script", "style")

        def handle_data(self, data):
            if not self.skip:
                self.text.append(data)

    seen = Seen()
    seen.feed(path.read_text())
    return "".join(seen.text), seen.images


def differs(rel: str, a: Path, b: Path) -> str | None:
    """Why the file `rel` of runs a and b differs (None when it does not)."""
    fa, fb = a / rel, b / rel
    if filecmp.cmp(fa, fb, shallow=False):
        return None
    if rel == "manifest.parquet":
        import pandas as pd

        ma, mb = pd.read_parquet(fa), pd.read_parquet(fb)
        volatile = ["git_commit", "git_dirty"]
        keep = [c for c in ma.columns if c not in volatile]
        # Rows of the article (which embed the commit) are compared on their own, above.
        def stable(m):  # the article (it embeds the commit) is compared on its own; logs are not compared
            path = m["path"].astype(str)
            return m.loc[~path.str.contains(r"report/article\.") & ~path.str.startswith(SKIP), keep].reset_index(drop=True)

        if ma["path"].tolist() == mb["path"].tolist() and stable(ma).equals(stable(mb)):
            return None
        return "manifest rows differ beyond the commit"
    if rel.endswith("article.html"):
        (ta, ia), (tb, ib) = _html_seen(fa), _html_seen(fb)
        if _blank(ta, _commits(a)) != _blank(tb, _commits(b)):
            return "the HTML's text differs beyond the commit"
        return None if ia == ib else "the HTML's images differ"
    if rel.endswith("article.pdf"):
        def text(p):
            return subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True).stdout

        def images(p):
            with tempfile.TemporaryDirectory() as tmp:
                subprocess.run(["pdfimages", "-png", str(p), f"{tmp}/i"], check=True)
                return [hashlib.sha256(f.read_bytes()).hexdigest() for f in sorted(Path(tmp).iterdir())]

        if _blank(text(fa), _commits(a)) != _blank(text(fb), _commits(b)):
            return "PDF text differs beyond the commit"
        return None if images(fa) == images(fb) else "PDF images differ"
    return "bytes differ"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base")
    ap.add_argument("other", nargs="?", help="a revision (default: the working tree)")
    ap.add_argument("--tables", nargs="+", default=["demo", "credit", "penguins"])
    ap.add_argument("--keep", help="a folder to keep the runs in (default: a temporary one)")
    args = ap.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="mlviz-same-"))
    root.mkdir(parents=True, exist_ok=True)
    trees = {"a": checkout(args.base, root / "tree-a"), "b": checkout(args.other, root / "tree-b")}
    bad = 0
    try:
        for table in args.tables:
            runs = {}
            for side, tree in trees.items():
                run = f"same_{table}"
                run_workflow(tree, root / side / table, config_for(table, root / "data", run))
                runs[side] = root / side / table / "results" / run
            fa, fb = files(runs["a"]), files(runs["b"])
            problems = [f"{rel}: only in {'the base' if rel in fa else 'the other'}" for rel in sorted(fa ^ fb)]
            problems += [f"{rel}: {why}" for rel in sorted(fa & fb) if (why := differs(rel, runs["a"], runs["b"]))]
            bad += bool(problems)
            print(f"{table}: {len(fa & fb)} files compared, "
                  + ("identical" if not problems else f"{len(problems)} differ:\n  " + "\n  ".join(problems)))
    finally:
        for side, tree in trees.items():
            if tree != REPO:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=REPO, capture_output=True)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
