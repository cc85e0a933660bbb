"""Shared test helpers: paths, configs in temporary directories, running the workflow, and the
two in-process entry points the workflow itself uses (mlviz.config.settings.resolve at parse time,
mlviz.compute.data.preprocess in rule preprocess)."""
from __future__ import annotations

import copy
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
VENV_BIN = Path(sys.executable).parent  # the venv's bin, not resolved: snakemake and quarto live there
SNAKEMAKE = str(VENV_BIN / "snakemake")

sys.path.insert(0, str(REPO / "scripts"))

# Every subprocess (the workflow, its jobs, quarto, the set-up script) finds the venv's tools first:
# rule report calls `quarto` from PATH, and .venv/bin holds the link to it.
if os.environ.get("PATH", "").split(os.pathsep)[0] != str(VENV_BIN):
    os.environ["PATH"] = os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")])

# Ctrl-C as a terminal sends it: a suite started in the background by a non-interactive shell inherits
# SIGINT ignored, and every workflow it starts would too (the Ctrl-C tests would then see a run that
# cannot be interrupted). A handler, unlike SIG_IGN, is not inherited: the children get the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


# ------------------------------------------------------------------ the fast loop and the full one
def pytest_configure(config):
    config.addinivalue_line("markers", "slow: runs the workflow (jobs, not only a dry run) or renders an article; "
                                       "the fast loop leaves these out: bash scripts/mlviz.sh test -m 'not slow'")


# The fixtures that run the whole workflow (or render an article): every test that uses one, even
# through another fixture, is slow without saying so.
RUN_FIXTURES = {"demo_run", "real_run", "tiny_run", "built", "nn_run", "zoo_runs", "demo", "real", "checkout"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        params = getattr(item, "callspec", None)
        named = {str(v) for v in params.params.values()} if params else set()  # request.getfixturevalue(which)
        if RUN_FIXTURES & (set(getattr(item, "fixturenames", ())) | named):
            item.add_marker(pytest.mark.slow)


_CURRENT: dict = {}  # the test being set up or run (set before its fixtures, session ones included)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _CURRENT["item"] = item


def _ran_jobs(proc: subprocess.CompletedProcess) -> bool:
    """Whether a snakemake call executed a job (a dry run or a stop at parse time executes none)."""
    return bool(re.search(r"^\d+ of \d+ steps \(", proc.stderr, re.M))


def _require_slow_marker(proc: subprocess.CompletedProcess) -> None:
    """A test that runs the workflow must be marked slow, or the fast loop would not stay fast."""
    item = _CURRENT.get("item")
    if item is not None and _ran_jobs(proc) and item.get_closest_marker("slow") is None:
        raise AssertionError(f"{item.nodeid} runs the workflow (its jobs ran): mark it @pytest.mark.slow")


def load_config(name: str = "config.yaml") -> dict:
    return yaml.safe_load((REPO / "config" / name).read_text())


def real_data_config(run: str = "real") -> dict:
    """config/kaggle.yaml with the sources pointing at ../shared/data."""
    if not (SHARED_DATA / "MBA.csv").is_file() or not (SHARED_DATA / "insurance.csv").is_file():
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
              timeout: int = 1200, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the repo's workflow in workdir (with workdir/config.yaml written from `config`)."""
    cmd = [SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(workdir), "--cores", "2", *args]
    if config is not None:  # last: --configfile takes every argument after it
        cmd += ["--configfile", str(write_config(workdir, config))]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    _require_slow_marker(proc)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


def without_venv_on_path() -> dict:
    """The environment of a user who runs .venv/bin/snakemake without activating the environment:
    no folder holding the venv's tools (or another Quarto) on PATH."""
    keep = [p for p in os.environ.get("PATH", "").split(os.pathsep)
            if p and p != str(VENV_BIN) and not (Path(p) / "quarto").exists()]
    return {**os.environ, "PATH": os.pathsep.join(keep)}


def scheduled_jobs(proc: subprocess.CompletedProcess) -> dict[str, int]:
    """Rule → job count from a dry run's 'Job stats' table."""
    from mlviz.workflow.dag import job_stats

    return job_stats(proc.stdout + proc.stderr)


def small_config(run: str = "small", neural: bool = False) -> dict:
    """The demo config cut down to what the foundation needs: fast to run."""
    cfg = copy.deepcopy(load_config())
    cfg["run"] = run
    if isinstance(cfg.get("neural"), dict):
        cfg["neural"]["enabled"] = neural
    return cfg


def layout(run_dir: Path):
    """mlviz.workflow.layout of a run folder: layout(run).path('model', dataset=..., ...) as a Path."""
    from mlviz.workflow.layout import Layout

    class _PathLayout(Layout):
        def path(self, kind: str, **wildcards) -> Path:  # type: ignore[override]
            return Path(super().path(kind, **wildcards))

        def classify(self, path):
            return super().classify(str(path))

    return _PathLayout(str(run_dir))


# ------------------------------------------------------------------ in process, as the workflow does
def resolve(cfg: dict, cache: Path | None = None) -> tuple[dict, dict]:
    """mlviz.config.settings.resolve, as rules/common.smk calls it (no profile cache unless given)."""
    from mlviz.config import settings

    return settings.resolve(copy.deepcopy(cfg), cache=cache)


def resolve_error(cfg: dict, cache: Path | None = None) -> str:
    """The one-line InputError that resolving `cfg` raises (the test fails if it resolves)."""
    from mlviz.errors import InputError

    try:
        resolve(cfg, cache)
    except InputError as e:
        message = str(e)
    else:
        pytest.fail("the config resolved, but an InputError was expected")
    assert "\n" not in message, f"not one line: {message!r}"
    return message


def _source_csv(resolved: dict, dataset: str, folder: Path) -> Path:
    """The dataset's raw CSV: the configured file, or the demo generator's output written to folder."""
    from mlviz.sources import demo

    name = resolved["datasets"][dataset]["source"]
    src = resolved["sources"][name]
    if "path" in src:
        return Path(src["path"])
    path = folder / f"{name}.csv"
    if not path.exists():
        demo.write_csv(demo.generate(src["generator"], rows=src.get("rows"), seed=src.get("seed", 42)), path)
    return path


def preprocess_in_process(cfg: dict, dataset: str) -> SimpleNamespace:
    """What the workflow does with a dataset before anything is trained, in this process: resolve
    the config (parse time, cache=None), read the raw CSV and run mlviz.compute.data.preprocess (rule
    preprocess). Returns train, test, notes, ds (the resolved dataset), path and the meta table.
    Bad input raises InputError from whichever of the two stages finds it."""
    from mlviz.compute import data

    resolved, notes = resolve(cfg)
    ds = resolved["datasets"][dataset]
    source = resolved["sources"][ds["source"]]
    with tempfile.TemporaryDirectory(prefix="mlviz-demo-") as tmp:
        path = _source_csv(resolved, dataset, Path(tmp))
        train, test, pre_notes = data.preprocess(data.read_source(path, source), ds, path)
    meta = data.meta(dataset, ds, path, train, test, pre_notes, notes[dataset]["dropped"])
    return SimpleNamespace(train=train, test=test, notes=pre_notes, ds=ds, path=path, meta=meta,
                           resolved=resolved, parse_notes=notes[dataset])


def input_error(cfg: dict, dataset: str) -> str:
    """The one-line InputError that resolving and preprocessing `dataset` raises."""
    from mlviz.errors import InputError

    try:
        preprocess_in_process(cfg, dataset)
    except InputError as e:
        message = str(e)
    else:
        pytest.fail(f"dataset {dataset!r} resolved and preprocessed, but an InputError was expected")
    assert "\n" not in message, f"not one line: {message!r}"
    return message


# ------------------------------------------------------------------ whole runs, once per session
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
