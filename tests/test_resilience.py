"""A run that is killed (kill -9, as a wall-time limit does) or interrupted (Ctrl-C) part-way resumes
with the same command and ends with the bytes of an uninterrupted run."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import REPO, SNAKEMAKE, small_config, write_config

pytestmark = pytest.mark.slow  # whole runs, killed and resumed

RUN = "r"
# data → models → SHAP → figures: long enough to be hit in the middle, short enough to run thrice.
TARGETS = [
    f"results/{RUN}/metrics.parquet",
    f"results/{RUN}/figures/shap/insurance/xgboost/beeswarm.png",
    f"results/{RUN}/figures/shap/insurance/xgboost/bar.png",
]


def command(workdir: Path) -> list[str]:
    # The default profile as a user gets it (rerun-incomplete); -d keeps the run in a temp dir.
    return [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--profile",
            str(REPO / "profiles" / "default"), "--cores", "2", *TARGETS,
            "--configfile", str(write_config(workdir, small_config(RUN)))]


def readme_command(workdir: Path) -> list[str]:
    """The README's run command, with the same workflow, folder and targets."""
    return ["bash", str(REPO / "scripts" / "mlviz.sh"), "run", *command(workdir)[1:]]


def run_to_end(workdir: Path, cmd: list[str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd or command(workdir), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"snakemake failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
    return proc


def digests(root: Path) -> dict[str, str]:
    """sha256 of every output (logs and benchmark records aside: they hold timings)."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*"))
            if p.is_file() and not {"logs", "benchmarks"} & set(p.relative_to(root).parts)}


def interrupt(workdir: Path, when: str, sig: int) -> int:
    """Start the run; once `when` (a path under the run) exists, send `sig` to snakemake.
    Returns snakemake's exit status."""
    log = open(workdir / f"interrupted-{sig}.log", "w")
    proc = subprocess.Popen(command(workdir), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    marker = workdir / "results" / RUN / when
    end = time.monotonic() + 300
    while not marker.exists() and proc.poll() is None and time.monotonic() < end:
        time.sleep(0.05)
    assert proc.poll() is None, f"the run ended before {when} appeared: nothing was interrupted"
    os.kill(proc.pid, sig)
    if sig == signal.SIGKILL:
        # What a wall-time limit does: the job's remaining processes die too. Without this, the
        # orphaned rule script would go on writing while the resumed run starts.
        time.sleep(0.2)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        return proc.wait(timeout=120)
    finally:
        log.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("uninterrupted")
    run_to_end(workdir)
    sums = digests(workdir / "results" / RUN)
    assert len(sums) >= 10
    return sums


@pytest.mark.parametrize(
    "sig, when",
    [
        (signal.SIGKILL, "data/insurance/train.parquet"),  # while models train
        (signal.SIGKILL, "models/insurance/xgboost.ubj"),  # while SHAP values are computed
        (signal.SIGINT, "models/insurance/xgboost.ubj"),  # Ctrl-C: snakemake stops its jobs itself
    ],
    ids=["kill9-training", "kill9-shap", "sigint-shap"],
)
def test_interrupted_run_resumes_to_identical_outputs(reference, tmp_path, sig, when):
    status = interrupt(tmp_path, when, sig)
    assert status != 0
    assert digests(tmp_path / "results" / RUN) != reference  # it was really cut short
    # The README command again: after kill -9 it removes the stale lock itself and carries on.
    resumed = run_to_end(tmp_path, readme_command(tmp_path))
    assert "Nothing to be done" not in resumed.stdout + resumed.stderr
    assert digests(tmp_path / "results" / RUN) == reference
