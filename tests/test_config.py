"""Config validation: a wrong key, type or value stops the run at start, naming the key."""
from __future__ import annotations

import copy
import re

import pytest
import yaml
from conftest import REPO, load_config, scheduled_jobs, small_config, snakemake


def dry_run(tmp_path, cfg):
    return snakemake(tmp_path, "-n", config=cfg, check=False)


def broken(mutate):
    cfg = small_config("broken")
    mutate(cfg)
    return cfg


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda c: c["datasets"]["mba"]["split"].update(test_size=1.5), r"1\.5 is greater than or equal to the maximum of 1"),
        (lambda c: c["datasets"]["mba"]["models"]["decision_tree"]["params"].update(max_depth=0), r"0 is less than the minimum of 1"),
        (lambda c: c["datasets"]["mba"]["split"].update(tets_size=0.2), r"'tets_size' was unexpected"),
        (lambda c: c.update(runn="x"), r"'runn' was unexpected"),
        (lambda c: c["datasets"]["mba"]["models"]["random_forest"]["params"].update(n_estimators="many"), r"'many' is not of type 'integer'"),
        (lambda c: c["datasets"]["mba"]["models"]["random_forest"]["params"].update(max_dept=3),
         r"datasets\.mba\.models\.random_forest\.params\.max_dept: not a parameter of RandomForestClassifier"),
        (lambda c: c["datasets"]["mba"].update(source="nope"), r"datasets\.mba\.source: unknown source 'nope'"),
        (lambda c: c["datasets"]["mba"]["models"]["decision_tree"].update(type="svm"), r"'svm' is not one of"),
        (lambda c: c["datasets"]["mba"]["target"].pop("classes"), r"datasets\.mba\.target\.classes: missing"),
        (lambda c: c["datasets"]["mba"]["preprocess"]["binary"].update(gender={"Male": 0, "Female": 0}),
         r"datasets\.mba\.preprocess\.binary\.gender: expected one label mapped to 0 and one to 1"),
        (lambda c: c["sources"].update(mba={"path": "data/raw/nowhere.csv"}), r"data/raw/nowhere\.csv: file not found"),
    ],
)
def test_bad_config_fails_before_any_job_naming_the_key(tmp_path, mutate, expected):
    proc = dry_run(tmp_path, broken(mutate))
    assert proc.returncode != 0
    assert re.search(expected, proc.stdout + proc.stderr), (proc.stdout + proc.stderr)[-3000:]
    assert not (tmp_path / "results").exists()


def test_yaml_booleans_as_binary_labels_are_explained(tmp_path):
    cfg = small_config("bools")
    cfg["datasets"]["mba"]["preprocess"] = copy.deepcopy(cfg["datasets"]["mba"]["preprocess"])
    cfg["datasets"]["mba"]["preprocess"]["binary"]["international"] = {False: 0, True: 1}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(cfg))
    from conftest import SNAKEMAKE
    import subprocess

    proc = subprocess.run([SNAKEMAKE, "-s", str(REPO / "Snakefile"), "-d", str(tmp_path), "-n",
                           "--configfile", str(path)], capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "binary.international" in out and "quote labels" in out, out[-2000:]


def test_shipped_configs_validate_and_plan_the_whole_workflow(tmp_path):
    proc = snakemake(tmp_path, "-n", config=small_config("plan", neural=True))
    jobs = scheduled_jobs(proc)
    assert jobs["train"] == 5 and jobs["evaluate"] == 5 and jobs["preprocess"] == 3


def test_kaggle_config_differs_from_demo_only_in_run_and_sources():
    demo, kaggle = load_config("config.yaml"), load_config("kaggle.yaml")
    assert kaggle["run"] == "kaggle" and demo["run"] == "demo"
    assert kaggle["sources"] == {"mba": {"path": "data/raw/MBA.csv"}, "insurance": {"path": "data/raw/insurance.csv"}}
    strip = lambda c: {k: v for k, v in c.items() if k not in ("run", "sources")}  # noqa: E731
    assert strip(demo) == strip(kaggle)


def _schema_keys(node, prefix=""):
    """Every property name the schema defines, as dotted paths with * for free names."""
    if not isinstance(node, dict):
        return
    for key, sub in node.get("properties", {}).items():
        yield f"{prefix}{key}"
        yield from _schema_keys(sub, f"{prefix}{key}.")


def test_config_readme_documents_every_key():
    schema = yaml.safe_load((REPO / "config" / "schema.yaml").read_text())
    readme = (REPO / "config" / "README.md").read_text()
    names = set()
    for node in [schema, *schema["definitions"].values()]:
        names.update(k.split(".")[-1] for k in _schema_keys(node))
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing, f"config/README.md does not document: {missing}"
