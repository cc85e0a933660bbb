"""The workflow as a whole: incremental (an edit reruns only what depends on it) and reproducible
(two cold runs give identical bytes)."""
from __future__ import annotations

import copy
import hashlib

import pytest
from conftest import scheduled_jobs, small_config, snakemake

TARGET = "results/inc/metrics.parquet"


def digests(root):
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.suffix in {".parquet", ".skops", ".ubj", ".csv", ".json"}}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("inc")
    cfg = small_config("inc")
    snakemake(workdir, TARGET, config=cfg)
    return workdir, cfg


def plan(workdir, cfg):
    return scheduled_jobs(snakemake(workdir, TARGET, "-n", config=cfg))


def test_noop_run_schedules_nothing(built):
    workdir, cfg = built
    assert plan(workdir, cfg) == {}


def test_changing_one_hyper_parameter_reruns_that_model_only(built):
    workdir, cfg = built
    cfg = copy.deepcopy(cfg)
    cfg["datasets"]["mba"]["models"]["random_forest"]["params"]["n_estimators"] = 30
    assert plan(workdir, cfg) == {"train": 1, "evaluate": 1, "metrics": 1}
    out = snakemake(workdir, TARGET, "-n", config=cfg).stdout
    assert "models/mba/random_forest.skops" in out and "models/mba/decision_tree" not in out
    assert "models/mba_binary/random_forest" not in out


def test_changing_the_demo_seed_reruns_everything_downstream_of_that_data(built):
    workdir, cfg = built
    cfg = copy.deepcopy(cfg)
    cfg["sources"]["insurance"]["seed"] = 7
    assert plan(workdir, cfg) == {"demo_data": 1, "preprocess": 1, "train": 2, "evaluate": 2, "metrics": 1}


def test_changing_the_split_reruns_the_dataset_and_its_models(built):
    workdir, cfg = built
    cfg = copy.deepcopy(cfg)
    cfg["datasets"]["mba_binary"]["split"] = {"test_size": 0.3, "random_state": 42, "stratify": False}
    assert plan(workdir, cfg) == {"preprocess": 1, "train": 1, "evaluate": 1, "metrics": 1}


def test_two_cold_runs_give_identical_files(built, tmp_path):
    workdir, cfg = built
    snakemake(tmp_path, TARGET, config=cfg)
    first, second = digests(workdir / "results/inc"), digests(tmp_path / "results/inc")
    assert len(first) >= 20
    assert first == second
