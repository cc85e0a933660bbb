"""What a whole run leaves behind (the session runs of tests/conftest.py: the demo and the real
Kaggle files, CNN aside): the data and metrics are those the previous release produced (split
tables byte for byte, metrics to 1e-6), every figure names the rule that drew it, every job left
its log and its benchmark, and the gathered importance table follows the one ordering rule.

Re-record the reference digests (after an intended change of the numbers, or of a pinned package in
envs/requirements.lock) from two finished runs:
    python tests/test_outputs.py --record results/demo results/real
"""
from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import layout

GOLDEN = Path(__file__).with_name("golden") / "bytes.json"
# The split tables are pandas' work alone (pinned pyarrow writes them): the same bytes on any machine.
# Fitted models, predictions and explanations may differ in the last bits between CPUs (vectorised
# sums), so the previous release's numbers are compared through its metrics, to a relative 1e-6.
SPLITS = re.compile(r"^(raw/[^/]+\.csv|data/[^/]+/(train|test)\.parquet)$")
RUNS = ["demo_run", "real_run"]


def split_digests(run: Path) -> dict[str, str]:
    return {p.relative_to(run).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(run.rglob("*")) if p.is_file() and SPLITS.match(p.relative_to(run).as_posix())}


def metric_values(run: Path) -> dict[str, float]:
    table = pd.read_parquet(run / "metrics.parquet")
    return {f"{r.dataset}/{r.model}/{r.split}/{r.metric}": float(r.value) for r in table.itertuples()}


@pytest.mark.parametrize("which", RUNS)
def test_data_and_metrics_are_those_of_the_previous_release(which, request):
    """Recorded from the release before the restructuring (same config, same data, the pinned
    packages): byte-identical split tables and the same metrics for every model it trained."""
    run = request.getfixturevalue(which)
    expected = json.loads(GOLDEN.read_text())[which.removesuffix("_run")]
    got = split_digests(run)
    assert sorted(got) == sorted(expected["splits"]), f"files differ: only now {sorted(set(got) - set(expected['splits']))}, " \
                                                      f"only before {sorted(set(expected['splits']) - set(got))}"
    differ = sorted(k for k, v in expected["splits"].items() if got[k] != v)
    assert not differ, f"split tables differ from the previous release: {differ}"
    metrics = metric_values(run)
    missing = sorted(set(expected["metrics"]) - set(metrics))
    assert not missing, f"metrics of the previous release not computed now: {missing}"
    for key, value in expected["metrics"].items():
        assert metrics[key] == pytest.approx(value, rel=1e-6, abs=1e-9), key


def manifest(run: Path) -> pd.DataFrame:
    return pd.read_parquet(run / "manifest.parquet")


@pytest.mark.parametrize("which", RUNS)
def test_every_png_names_the_rule_that_drew_it(which, request):
    """A figure carries the rule that drew it and a digest of that job's params: the same as the
    manifest's rule for the file; the run's provenance (commit, config hash, packages) is the
    manifest's alone, so that an unrelated edit or a commit does not make an unchanged figure differ."""
    from PIL import Image

    run = request.getfixturevalue(which)
    table = manifest(run)
    pngs = table[table["path"].str.endswith(".png")]
    assert len(pngs) >= 20
    for row in pngs.itertuples():
        with Image.open(run / row.path) as img:
            text = dict(img.text)
        assert text.get("mlviz:rule") == row.rule, (row.path, text)
        assert re.fullmatch(r"[0-9a-f]{16}", text.get("mlviz:params", "")), (row.path, text)
        assert set(text) <= {"mlviz:rule", "mlviz:params"}, (row.path, text)


@pytest.mark.parametrize("which", RUNS)
def test_every_job_left_its_log_and_its_benchmark(which, request):
    """logs/<rule>/... and benchmarks/<rule>/... (wall time and memory of each job), one folder per rule."""
    run = request.getfixturevalue(which)
    logged = {p.name for p in (run / "logs").iterdir()}
    benchmarked = {p.name for p in (run / "benchmarks").iterdir()}
    assert logged == benchmarked, f"logged, no benchmark: {sorted(logged - benchmarked)}; " \
                                  f"benchmark, no log: {sorted(benchmarked - logged)}"
    for tsv in (run / "benchmarks").rglob("*.tsv"):
        head = tsv.read_text().splitlines()[0].split("\t")
        assert head[:2] == ["s", "h:m:s"] and "max_rss" in head, tsv


@pytest.mark.parametrize("which", RUNS)
def test_the_manifest_lists_every_file_with_its_kind_and_rule(which, request):
    run = request.getfixturevalue(which)
    table = manifest(run)
    files = {p.relative_to(run).as_posix() for p in run.rglob("*") if p.is_file()
             and not p.relative_to(run).as_posix().startswith("benchmarks/manifest/")} - {"manifest.parquet"}
    assert set(table["path"]) == files
    assert (table["rule"] != "unknown").all(), table[table["rule"] == "unknown"]
    out = layout(run)
    for row in table.itertuples():
        entry = out.classify(row.path)
        assert entry is not None and entry.role == row.kind, row
        if entry.kind not in ("log", "benchmark"):
            # The rule's name is the first folder of its log: logs/<rule>/...
            assert (run / "logs" / row.rule).is_dir(), row


@pytest.mark.parametrize("which", RUNS)
def test_the_gathered_importance_table_follows_the_ordering_rule(which, request):
    """Within each (dataset, model, method): most important first — by |value| for coefficients, by
    value otherwise, so a negative permutation importance (noise) ranks last; ties by feature name."""
    run = request.getfixturevalue(which)
    table = pd.read_parquet(run / "importances.parquet")
    assert list(table.columns) == ["dataset", "model", "method", "feature", "value", "spread"]
    assert {"impurity", "permutation", "coefficient", "mean_abs_shap", "lime_weight"} <= set(table["method"])
    for (ds, model, method), group in table.groupby(["dataset", "model", "method"], sort=False):
        key = group["value"].abs() if method == "coefficient" else group["value"]
        pairs = list(zip(-key.to_numpy(), group["feature"]))
        assert pairs == sorted(pairs), f"{ds}/{model}/{method} out of order:\n{group}"
        part = {"mean_abs_shap": run / "shap" / ds / model / "importance.parquet",
                "lime_weight": run / "lime" / ds / model / "importance.parquet"}.get(
            method, run / "importances" / ds / model / f"{method}.parquet")
        pd.testing.assert_frame_equal(group.reset_index(drop=True), pd.read_parquet(part))
    perm = table[table["method"] == "permutation"]
    assert (perm["value"] < 0).any(), "expected some noise below zero in the permutation importances"


def test_the_resolved_config_is_written_and_names_the_run(demo_run):
    import yaml

    resolved = yaml.safe_load((demo_run / "config.resolved.yaml").read_text())
    assert resolved["run"] == "demo"
    assert resolved["figures"]["shap"]["explain"] == [{"dataset": "insurance", "model": "xgboost"}]
    assert resolved["figures"]["lime"]["explain"] == [{"dataset": "mba_binary", "model": "random_forest",
                                                       "class": "Admit"}]


def _record(runs: list[str]) -> None:
    """Write tests/golden/bytes.json from a finished demo run and a finished real-data run."""
    demo, real = (Path(r) for r in runs)
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps({name: {"splits": split_digests(run), "metrics": metric_values(run)}
                                  for name, run in (("demo", demo), ("real", real))}, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--record":
        _record(sys.argv[2:])
    else:
        sys.exit(__doc__)
