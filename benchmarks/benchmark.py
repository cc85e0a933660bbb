"""Benchmarks of the workflow; prints Markdown tables (not run by the tests: minutes of work).

    .venv/bin/python benchmarks/benchmark.py [--rows 10000 100000 1000000] [--skip-scale] [--skip-demo]

1. Demo (CNN and article off): a cold run (no warm worker running), a run from nothing with the
   worker up, a run with the worker off, against the same work in one Python process (the
   libraries imported once plus every job's own seconds, measured inside the worker); a no-op run;
   then, with the article on, an edit of one figure's style (the SHAP beeswarm's max_display):
   which jobs rerun and the time until the article holds the new figure.
2. Scale: the insurance-like generator at each row count through preprocessing → XGBoost → SHAP
   values (on figures.shap.max_rows sampled rows) → beeswarm and bar; wall time and peak memory of
   each step, one snakemake call per step (its start-up, ~the no-op time, is included).
Everything runs in a temporary directory with --cores 2.
"""
from __future__ import annotations

import argparse
import copy
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SNAKEMAKE = str(BIN / "snakemake")
# Jobs find the venv's tools first (rule report calls `quarto`; .venv/bin holds the link to it).
os.environ["PATH"] = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
sys.path.insert(0, str(REPO / "scripts"))
from mlviz.workflow import warm
from mlviz.workflow.dag import job_stats


def demo_config(run: str) -> dict:
    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    cfg["run"] = run
    cfg["neural"]["enabled"] = False
    cfg["report"]["enabled"] = False
    return cfg


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MiB of the largest process in the tree (GNU time's %M), output."""
    rss_file = Path(tempfile.mktemp(suffix=".rss"))
    t0 = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *cmd], cwd=cwd,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    peak = int(rss_file.read_text().split()[-1]) / 1024
    rss_file.unlink()
    return wall, peak, proc.stdout + proc.stderr


def smk(workdir: Path, cfg: dict, *args: str) -> list[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "2", "--nolock",
            *args, "--configfile", str(path)]


def table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def stop_warm_servers() -> None:
    """End every warm-worker server of this user, so that the next run starts cold."""
    for proc in psutil.process_iter(["cmdline", "uids"]):
        cmd = proc.info["cmdline"] or []
        if proc.info["uids"] and proc.info["uids"].real == os.getuid() and any(c.endswith("mlviz/workflow/warm.py") for c in cmd) \
                and "serve" in cmd:
            proc.terminate()
            proc.wait(10)


def in_process_work(run: Path) -> tuple[float, int, int]:
    """The CPU seconds each job spent on its own work inside the warm worker (its `# mlviz-warm` log
    line), summed; and how many jobs ran warm, of how many."""
    usages = [warm.read_usage(p) for p in sorted((run / "logs").rglob("*.log"))]
    done = [u for u in usages if u]
    # CPU seconds, not wall: two jobs sharing the two cores would count their waiting twice
    return sum(u["cpu_s"] for u in done), len(done), len(usages)


def import_seconds() -> float:
    """One interpreter importing what the worker preloads (the one-process run pays this once); best of 3."""
    code = "import matplotlib; matplotlib.use('Agg'); " + "; ".join(f"import {m}" for m in warm.PRELOAD)
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run([str(BIN / "python"), "-c", code], check=True, capture_output=True)
        best = min(best, time.perf_counter() - t0)
    return best


def demo(root: Path, repeats: int) -> None:
    cfg = demo_config("bench")
    rows = []
    for i in range(repeats):
        stop_warm_servers()
        cold, cold_mem, _ = timed(smk(root / f"cold{i}", cfg))  # the first job starts the worker
        again, _, _ = timed(smk(root / f"again{i}", cfg))  # from nothing, the worker already up
        work, warm_jobs, jobs = in_process_work(root / f"again{i}" / "results" / "bench")
        off, _, _ = timed(["env", "MLVIZ_WARM=0", *smk(root / f"off{i}", cfg)])
        rows.append((cold, cold_mem, again, work, warm_jobs, jobs, off))
    med = lambda k: statistics.median(r[k] for r in rows)  # noqa: E731
    imports = import_seconds()
    one = imports + med(3)
    noops = [timed(smk(root / "again0", cfg))[0] for _ in range(3)]
    assert "Nothing to be done" in timed(smk(root / "again0", cfg))[2]
    print(f"### Demo run (CNN and article off), --cores 2, median of {repeats}\n")
    print(table(["measure", "seconds", "target", "result"], [
        ["cold workflow run (no worker running; its first job starts it)", f"{med(0):.1f}", "", ""],
        ["run from nothing, worker already up", f"{med(2):.1f}", "", ""],
        ["cold run with the worker off (MLVIZ_WARM=0)", f"{med(6):.1f}", "", ""],
        [f"same work in one process: imports once ({imports:.1f} s) + every job's own CPU seconds "
         f"({int(med(4))} of {int(med(5))} jobs measured in the worker)", f"{one:.1f}", "", ""],
        ["cold / one process", f"{med(0) / one:.2f}", "≤ 2.5", "met" if med(0) <= 2.5 * one else "missed"],
        ["worker off / one process", f"{med(6) / one:.2f}", "", ""],
        ["no-op run (median of 3)", f"{statistics.median(noops):.2f}", "≤ 1.5",
         "met" if statistics.median(noops) <= 1.5 else "missed"],
    ]))
    print(f"\nPeak RSS of the largest process of the cold run: {med(1):.0f} MiB.\n")


def article_edit(root: Path) -> None:
    """The article on: one figure's style edited, time until the article holds it."""
    with_article = demo_config("bench")
    with_article["report"]["enabled"] = True
    timed(smk(root / "article", with_article))
    edited = copy.deepcopy(with_article)
    edited["figures"]["shap"].setdefault("beeswarm", {})["max_display"] = 8
    plan = job_stats(timed(smk(root / "article", edited, "-n"))[2])
    edit, _, _ = timed(smk(root / "article", edited))
    print(table(["measure", "seconds", "target", "result"], [
        ["one-figure style edit → updated article (HTML and PDF)", f"{edit:.1f}", "≤ 10",
         "met" if edit <= 10 else "missed"]]))
    print(f"\nJobs rerun after the edit: {', '.join(f'{k} ×{v}' for k, v in plan.items()) or 'none'}\n")


def scale(root: Path, rows: list[int]) -> None:
    """Each step a run of its own up to one file; memory is the peak RSS of the step's job (the
    worker's forked child or the job's own process, from summarize.jobs), not of Snakemake."""
    import summarize

    steps = [
        ("generate CSV", "demo_data", "raw/insurance.csv"),
        ("preprocess", "preprocess", "data/insurance/train.parquet"),
        ("train XGBoost", "train", "models/insurance/xgboost.ubj"),
        ("SHAP values", "shap_values", "shap/insurance/xgboost/values.parquet"),
        ("beeswarm", "shap_beeswarm", "figures/shap/insurance/xgboost/beeswarm.png"),
        ("bar", "shap_bar", "figures/shap/insurance/xgboost/bar.png"),
    ]
    result = []
    for n in rows:
        cfg = demo_config(f"scale{n}")
        cfg["sources"]["insurance"]["rows"] = n
        work = root / f"scale{n}"
        run = work / "results" / f"scale{n}"
        for name, rule, target in steps:
            wall, _, _ = timed(smk(work, cfg, f"results/scale{n}/{target}"))
            rss = [j["rss"] for j in summarize.jobs(run) if j["rule"] == rule and j["rss"] is not None]
            result.append([f"{n:,}", name, f"{wall:.1f}", f"{max(rss):.0f}" if rss else "not recorded"])
        raw = run / "raw" / "insurance.csv"
        result.append([f"{n:,}", "(raw CSV size)", "", f"{raw.stat().st_size / 2**20:.0f} MiB on disk"])
    print("### Scale: insurance-like rows → preprocess → XGBoost → SHAP (sampled) → beeswarm, bar\n")
    print("Each step is a workflow run of its own (Snakemake's start-up included).\n")
    print(table(["rows", "step", "seconds", "peak RSS of the step's job, MiB"], result))
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-demo", action="store_true")
    ap.add_argument("--skip-edit", action="store_true")
    ap.add_argument("--repeats", type=int, default=3, help="demo runs of each kind (the median is shown)")
    args = ap.parse_args()
    cpu = next((m.group(1) for m in re.finditer(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())),
               platform.processor())
    print(f"Machine: {cpu}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
          f"{platform.platform()}, Python {platform.python_version()}\n")
    with tempfile.TemporaryDirectory(prefix="mlviz-bench-") as tmp:
        if not args.skip_demo:
            demo(Path(tmp), args.repeats)
        if not args.skip_edit:
            article_edit(Path(tmp))
        if not args.skip_scale:
            scale(Path(tmp), args.rows)


if __name__ == "__main__":
    main()
