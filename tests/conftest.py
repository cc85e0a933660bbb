"""Shared test helpers: paths, configs in temporary directories, running the workflow."""
from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))

sys.path.insert(0, str(REPO / "scripts"))


def load_config(name: str = "config.yaml") -> dict:
    return yaml.safe_load((REPO / "config" / name).read_text())


def real_data_config(run: str = "real") -> dict:
    """config/kaggle.yaml with the sources pointing at ../shared/data."""
    if not (SHARED_DATA / "MBA.csv").is_file():
        pytest.skip(f"real data not found in {SHARED_DATA}")
    cfg = load_config("kaggle.yaml")
    cfg["run"] = run
    cfg["sources"]["mba"]["path"] = str(SHARED_DATA / "MBA.csv")
    cfg["sources"]["insurance"]["path"] = str(SHARED_DATA / "insurance.csv")
    return cfg


def write_config(workdir: Path, cfg: dict) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def snakemake(workdir: Path, *args: str, config: dict | None = None, check: bool = True,
              timeout: int = 1200) -> subprocess.CompletedProcess:
    """Run the repo's workflow in workdir (with workdir/config.yaml written from `config`)."""
    cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "2", *args]
    if config is not None:  # last: --configfile takes every argument after it
        cmd += ["--configfile", str(write_config(workdir, config))]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


def scheduled_jobs(proc: subprocess.CompletedProcess) -> dict[str, int]:
    """Rule → job count from a dry run's 'Job stats' table."""
    out = proc.stdout + proc.stderr
    jobs: dict[str, int] = {}
    if "Nothing to be done" in out:
        return jobs
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Job stats"))
    for line in lines[start + 3:]:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        jobs[parts[0]] = int(parts[1])
    return jobs


def small_config(run: str = "small", neural: bool = False) -> dict:
    """The demo config cut down to what the foundation needs: fast to run."""
    cfg = copy.deepcopy(load_config())
    cfg["run"] = run
    if isinstance(cfg.get("neural"), dict):
        cfg["neural"]["enabled"] = neural
    return cfg


@pytest.fixture(scope="session")
def real_run(tmp_path_factory) -> Path:
    """The whole workflow (CNN aside) on the tutorial's real files, run once per test session."""
    workdir = tmp_path_factory.mktemp("real")
    cfg = real_data_config("real")
    if isinstance(cfg.get("neural"), dict):
        cfg["neural"]["enabled"] = False
    snakemake(workdir, config=cfg)
    return workdir / "results" / "real"


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> Path:
    """The whole workflow (CNN aside) on the demo data, run once per test session."""
    workdir = tmp_path_factory.mktemp("demo")
    snakemake(workdir, config=small_config("demo"))
    return workdir / "results" / "demo"
