"""Benchmarks of the workflow; prints Markdown tables (not run by the tests: minutes of work).

    .venv/bin/python benchmarks/benchmark.py [--rows 10000 100000 1000000] [--skip-scale] [--skip-demo]

1. Demo (CNN and article off): cold run vs the same work in one Python process
   (benchmarks/baseline.py), a no-op run, and an edit of one figure's style (the SHAP beeswarm's
   max_display): which jobs rerun and the time as a share of the cold run.
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


def jobs_of(output: str) -> dict[str, int]:
    lines = output.splitlines()
    if "Nothing to be done" in output or not any(x.startswith("Job stats") for x in lines):
        return {}
    start = next(i for i, x in enumerate(lines) if x.startswith("Job stats"))
    jobs = {}
    for line in lines[start + 3:]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        jobs[parts[0]] = int(parts[1])
    return jobs


def table(header: list[str], rows: list[list]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def demo(root: Path) -> None:
    work = root / "demo"
    cfg = demo_config("bench")
    cold, cold_mem, _ = timed(smk(work, cfg))
    noop, _, noop_out = timed(smk(work, cfg))
    assert "Nothing to be done" in noop_out, noop_out[-2000:]
    base, base_mem, _ = timed([str(BIN / "python"), str(REPO / "benchmarks" / "baseline.py"),
                               str(work / "results" / "bench" / "raw"), str(root / "baseline")])
    edited = copy.deepcopy(cfg)
    edited["figures"]["shap"]["beeswarm"]["max_display"] = 8
    plan = jobs_of(timed(smk(work, edited, "-n"))[2])
    edit, _, _ = timed(smk(work, edited))
    print("### Demo run (CNN and article off), --cores 2\n")
    print(table(["measure", "seconds", "peak MiB", "target", "result"], [
        ["cold workflow run", f"{cold:.1f}", f"{cold_mem:.0f}", "", ""],
        ["same work in one Python process", f"{base:.1f}", f"{base_mem:.0f}", "", ""],
        ["cold / one-process", f"{cold / base:.2f}", "", "≤ 1.0", "met" if cold <= base else "missed"],
        ["no-op run", f"{noop:.1f}", "", "≤ 2 s", "met" if noop <= 2 else "missed"],
        ["one-figure style edit", f"{edit:.1f}", "", "", ""],
        ["edit / cold", f"{edit / cold:.1%}", "", "≤ 10 %", "met" if edit <= 0.1 * cold else "missed"],
    ]))
    print(f"\nJobs rerun after the edit: {', '.join(f'{k} ×{v}' for k, v in plan.items()) or 'none'}\n")


def scale(root: Path, rows: list[int]) -> None:
    steps = [
        ("generate CSV", "raw/insurance.csv"),
        ("preprocess", "data/insurance/train.parquet"),
        ("train XGBoost", "models/insurance/xgboost.ubj"),
        ("SHAP values", "shap/insurance/xgboost/values.parquet"),
        ("beeswarm", "figures/shap/insurance/xgboost/beeswarm.png"),
        ("bar", "figures/shap/insurance/xgboost/bar.png"),
    ]
    result = []
    for n in rows:
        cfg = demo_config(f"scale{n}")
        cfg["sources"]["insurance"]["rows"] = n
        work = root / f"scale{n}"
        for name, target in steps:
            wall, peak, _ = timed(smk(work, cfg, f"results/scale{n}/{target}"))
            result.append([f"{n:,}", name, f"{wall:.1f}", f"{peak:.0f}"])
        raw = work / "results" / f"scale{n}" / "raw" / "insurance.csv"
        result.append([f"{n:,}", "(raw CSV size)", "", f"{raw.stat().st_size / 2**20:.0f} MiB on disk"])
    print("### Scale: insurance-like rows → preprocess → XGBoost → SHAP (sampled) → beeswarm, bar\n")
    print(table(["rows", "step", "seconds", "peak MiB (largest process)"], result))
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--skip-scale", action="store_true")
    ap.add_argument("--skip-demo", action="store_true")
    args = ap.parse_args()
    cpu = next((m.group(1) for m in re.finditer(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text())),
               platform.processor())
    print(f"Machine: {cpu}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB RAM, "
          f"{platform.platform()}, Python {platform.python_version()}\n")
    with tempfile.TemporaryDirectory(prefix="mlviz-bench-") as tmp:
        if not args.skip_demo:
            demo(Path(tmp))
        if not args.skip_scale:
            scale(Path(tmp), args.rows)


if __name__ == "__main__":
    main()
