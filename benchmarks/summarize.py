"""Per-rule cost of one run, from what the run left behind.

    .venv/bin/python benchmarks/summarize.py results/<run>

One row per rule: jobs, total and median wall seconds, max and median peak RSS (MiB), CPU seconds.
Where each number comes from:
- wall: Snakemake's benchmark files (results/<run>/benchmarks/<rule>/...tsv, column `s`): the job's
  wall time as Snakemake saw it, warm or cold.
- memory and CPU of a job run by the warm worker (scripts/mlviz/workflow/warm.py): the `# mlviz-warm {...}`
  line the worker appends to the job's log (getrusage of the job's own process, and of the
  processes it waited for). Snakemake's benchmark of such a job measures only the thin client
  that waited for it (a few MiB). Its peak RSS includes the libraries the server had imported
  (shared with it), as a cold job's includes the ones it imported itself; `inherited` is that part.
- memory and CPU of a cold job: the benchmark file (`max_rss`, `cpu_time`: psutil's samples of the
  job's process tree; a job shorter than the first sample has none: "NA").
A job without benchmark file (the manifest) has no wall time here.
"""
from __future__ import annotations

import csv
import importlib.util
import statistics
import sys
from pathlib import Path

_spec = importlib.util.spec_from_file_location("_mlviz_warm", Path(__file__).resolve().parents[1] / "scripts" / "mlviz" / "warm.py")
warm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(warm)


def _num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def jobs(run: Path) -> list[dict]:
    """One dict per job: rule, wall (benchmark), rss, cpu, inherited, source of rss/cpu ('warm log',
    'benchmark', or None)."""
    out = {}
    for tsv in sorted((run / "benchmarks").rglob("*.tsv")):
        rel = tsv.relative_to(run / "benchmarks").with_suffix("")
        with open(tsv, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        if not rows:
            continue
        r = rows[-1]
        out[rel] = {"rule": rel.parts[0], "wall": _num(r.get("s")), "rss": _num(r.get("max_rss")),
                    "cpu": _num(r.get("cpu_time")), "inherited": None, "source": "benchmark"}
        if out[rel]["rss"] is None:
            out[rel]["source"] = None
    for log in sorted((run / "logs").rglob("*.log")) if (run / "logs").is_dir() else []:
        rel = log.relative_to(run / "logs").with_suffix("")
        job = out.setdefault(rel, {"rule": rel.parts[0], "wall": None, "rss": None, "cpu": None,
                                   "inherited": None, "source": None})
        usage = warm.read_usage(log)
        if usage:
            job.update(rss=usage["max_rss_mib"], cpu=usage["cpu_s"], inherited=usage["inherited_rss_mib"],
                       source="warm log")
    return list(out.values())


def table(run: Path) -> str:
    by_rule: dict[str, list[dict]] = {}
    for j in jobs(run):
        by_rule.setdefault(j["rule"], []).append(j)
    head = ["rule", "jobs", "warm", "wall s (total)", "wall s (median)", "max RSS MiB", "median RSS MiB",
            "inherited MiB", "CPU s (total)", "memory from"]
    rows, total_wall, n = [], 0.0, 0
    for rule, js in sorted(by_rule.items()):
        walls = [j["wall"] for j in js if j["wall"] is not None]
        rss = [j["rss"] for j in js if j["rss"] is not None]
        cpu = [j["cpu"] for j in js if j["cpu"] is not None]
        inh = [j["inherited"] for j in js if j["inherited"] is not None]
        sources = sorted({j["source"] for j in js if j["source"]})
        total_wall += sum(walls)
        n += len(js)
        fmt = lambda v, d=1: f"{v:.{d}f}" if v is not None else "NA"  # noqa: E731
        rows.append([rule, len(js), sum(j["source"] == "warm log" for j in js),
                     fmt(sum(walls) if walls else None, 2), fmt(statistics.median(walls) if walls else None, 2),
                     fmt(max(rss) if rss else None), fmt(statistics.median(rss) if rss else None),
                     fmt(max(inh) if inh else None), fmt(sum(cpu) if cpu else None, 2), " + ".join(sources) or "NA"])
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    lines.append(f"\n{n} jobs, {total_wall:.1f} s of job wall time (sum over jobs; the run's own wall "
                 "time is shorter when jobs ran in parallel).")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    run = Path(argv[0])
    if not (run / "benchmarks").is_dir() and not (run / "logs").is_dir():
        print(f"{run}: no benchmarks/ or logs/ folder: not a run folder (results/<run>)", file=sys.stderr)
        return 2
    print(f"### {run}\n")
    print(table(run))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
