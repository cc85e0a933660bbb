"""What Snakemake says a run or a dry run will do: the rule → job count table it prints under
"Job stats" (the tests and the benchmarks read it to see what an edit reruns)."""
from __future__ import annotations


def job_stats(output: str) -> dict[str, int]:
    """Rule → number of jobs from a run's output (stdout and stderr together); {} when there is
    nothing to be done."""
    lines = output.splitlines()
    if "Nothing to be done" in output or not any(line.startswith("Job stats") for line in lines):
        return {}
    start = next(i for i, line in enumerate(lines) if line.startswith("Job stats"))
    jobs: dict[str, int] = {}
    for line in lines[start + 3:]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        jobs[parts[0]] = int(parts[1])
    return jobs
