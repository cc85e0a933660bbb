"""Config validation: a wrong key, type or value stops the run at start, in one line naming the key
(or the file and column), before any job; what is left out is filled from config/schema.yaml and
inferred from the data, and the run writes it out as config.resolved.yaml."""
from __future__ import annotations

import json
import re

import pytest
import yaml
from conftest import REPO, load_config, resolve, resolve_error, scheduled_jobs, small_config, snakemake

from mlviz.config import schema


def dry_run(tmp_path, cfg):
    return snakemake(tmp_path, "-n", config=cfg, check=False)


def broken(mutate):
    # A JSON round trip unshares the YAML anchors (&split, &mba_recipe), so that an edit of one
    # dataset's split is that dataset's only.
    cfg = json.loads(json.dumps(small_config("broken")))
    mutate(cfg)
    return cfg


BAD = [
    (lambda c: c["datasets"]["mba"]["split"].update(test_size=1.5),
     r"^config key datasets\.mba\.split\.test_size: 1\.5 is greater than or equal to the maximum of 1$"),
    (lambda c: c["datasets"]["mba"]["models"]["decision_tree"]["params"].update(max_depth=0),
     r"^config key datasets\.mba\.models\.decision_tree\.params\.max_depth: 0 is less than the minimum of 1$"),
    (lambda c: c["datasets"]["mba"]["split"].update(tets_size=0.2),
     r"^config key datasets\.mba\.split\.tets_size: unknown key \(expected one of: random_state, stratify, test_size\)"),
    (lambda c: c.update(runn="x"), r"^config key runn: unknown key"),
    (lambda c: c["datasets"]["mba"]["models"]["random_forest"]["params"].update(n_estimators="many"),
     r"^config key datasets\.mba\.models\.random_forest\.params\.n_estimators: expected integer, got 'many'"),
    (lambda c: c["datasets"]["mba"]["models"]["random_forest"]["params"].update(max_dept=3),
     r"^config key datasets\.mba\.models\.random_forest\.params\.max_dept: not a parameter of RandomForestClassifier"),
    (lambda c: c["datasets"]["mba"].update(source="nope"),
     r"^config key datasets\.mba\.source: 'nope' is neither a name under sources \(mba, insurance\) nor the path"),
    (lambda c: c["datasets"]["mba"]["models"]["decision_tree"].update(type="svm"),
     r"^config key datasets\.mba\.models\.decision_tree\.type: 'svm' is not one of"),
    (lambda c: c["datasets"]["mba"]["target"].update(classes="some"),
     r"^config key datasets\.mba\.target\.classes: 'some' is not allowed \(expected auto or a list"),
    (lambda c: c["datasets"]["mba"]["target"].update(classes=["Admit", "Deny"]),
     r"mba\.csv: column 'admission' \(target\) has label\(s\) 'Waitlist' .*config key datasets\.mba\.target\.classes"),
    (lambda c: c["datasets"]["mba"]["target"].update(column="admissions"),
     r"mba\.csv: no column 'admissions' \(named by config key datasets\.mba\.target\.column; the file has: "),
    (lambda c: c["datasets"]["mba"].update(task="regression"),
     r"mba\.csv: column 'admission' \(target\) has text 'Admit' at line 2 \(expected numbers for regression"),
    (lambda c: c["datasets"]["mba"]["preprocess"]["binary"].update(gender={"Male": 0, "Female": 0}),
     r"^config key datasets\.mba\.preprocess\.binary\.gender: expected one label mapped to 0 and one to 1$"),
    (lambda c: c["datasets"]["mba"]["preprocess"].update(drop=["application_id", "admission"]),
     r"^config key datasets\.mba\.preprocess\.drop: 'admission' is the target column$"),
    (lambda c: c["datasets"]["mba"]["preprocess"].update(scale=["major"]),
     r"^config key datasets\.mba\.preprocess: column 'major' is under both one_hot and scale$"),
    (lambda c: c["sources"].update(mba={"path": "data/raw/nowhere.csv"}), r"^data/raw/nowhere\.csv: file not found"),
    (lambda c: c["sources"]["mba"].update(path="data/raw/MBA.csv"),
     r"^config key sources\.mba: give either path or generator, not both$"),
    (lambda c: c["report"].update(engine="pandoc"), r"^config key report\.engine: unknown key"),  # Quarto only now
    (lambda c: c["figures"]["tree"].update(dataset="mba"),  # the old shape: figures.tree takes models: now
     r"^config key figures\.tree\.dataset: unknown key \(expected one of: .*models"),
    (lambda c: c["figures"]["shap"].update(instances=[99999]),
     r"^config key figures\.shap\.instances: CSV row 99999 does not exist in dataset 'insurance' \(1338 data rows"),
    (lambda c: c["figures"]["lime"].update(rows=[5000]),
     r"^config key figures\.lime\.rows: test row 5000 does not exist for mba_binary/random_forest "
     r"\(its test split has 1549 rows"),
]


@pytest.mark.parametrize("mutate, expected", BAD)
def test_bad_config_is_refused_in_one_line_naming_the_key(mutate, expected):
    message = resolve_error(broken(mutate))
    assert re.search(expected, message), message


@pytest.mark.parametrize("case", [0, 9, 19], ids=["schema", "data", "cross-check"])
def test_bad_config_stops_snakemake_before_any_job(tmp_path, case):
    """Through Snakemake: the same line, prefixed "mlviz:", at parse time; nothing is written."""
    mutate, _ = BAD[case]
    cfg = broken(mutate)
    message = resolve_error(cfg)
    proc = dry_run(tmp_path, cfg)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert f"mlviz: {message}\n" in out, out[-3000:]
    assert "Traceback" not in out, out[-3000:]
    assert not (tmp_path / "results").exists()


def test_yaml_booleans_as_binary_labels_are_explained(tmp_path):
    cfg = broken(lambda c: c["datasets"]["mba"]["preprocess"]["binary"].update(international={False: 0, True: 1}))
    proc = dry_run(tmp_path, cfg)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "binary.international" in out and "quote labels" in out, out[-2000:]


def test_shipped_configs_validate_and_plan_the_whole_workflow(tmp_path):
    proc = snakemake(tmp_path, "-n", config=small_config("plan", neural=True))
    jobs = scheduled_jobs(proc)
    assert jobs["train"] == 5 and jobs["evaluate"] == 5 and jobs["preprocess"] == 3
    assert jobs["resolved_config"] == 1 and jobs["report"] == 2 and jobs["cnn_train"] == 1


def test_kaggle_config_differs_from_demo_only_in_run_and_sources():
    demo, kaggle = load_config("config.yaml"), load_config("kaggle.yaml")
    assert kaggle["run"] == "kaggle" and demo["run"] == "demo"
    assert kaggle["sources"] == {"mba": {"path": "data/raw/MBA.csv"}, "insurance": {"path": "data/raw/insurance.csv"}}
    strip = lambda c: {k: v for k, v in c.items() if k not in ("run", "sources")}  # noqa: E731
    assert strip(demo) == strip(kaggle)


def test_validation_fills_every_default_from_the_schema():
    """config/schema.yaml is the one source of defaults: validating fills them in."""
    minimal = {"datasets": {"x": {"source": "x.csv", "target": {"column": "y"}}}}
    schema.validate(minimal)
    assert minimal["style"] == {"dpi": 150, "width": 8.0, "height": 5.0, "font_size": 10,
                                "palette": minimal["style"]["palette"], "cmap": "viridis",
                                "bar_color": "#2a7ab0", "edge_color": "#1b4f72"}
    assert minimal["neural"]["enabled"] is False and minimal["report"]["enabled"] is True
    for family in ("tree", "importance", "linear", "performance"):
        assert minimal["figures"][family]["models"] == "auto"
    for family in ("shap", "lime"):
        assert minimal["figures"][family]["explain"] == "auto"
    ds = minimal["datasets"]["x"]
    assert ds["task"] == "auto" and ds["target"]["classes"] == "auto" and ds["models"] == "auto"
    assert ds["split"] == {"test_size": 0.25, "random_state": 42, "stratify": "auto"}



def test_a_minimal_config_gets_every_choice_spelt_out():
    """Only a file and a target column: task, classes, recipe, models and every figure selection are
    inferred from the data."""
    cfg = {"run": "min", "sources": {"mba": {"generator": "mba", "rows": 600}},
           "datasets": {"mba": {"source": "mba", "target": {"column": "admission"}}}}
    resolved, notes = resolve(cfg)
    ds = resolved["datasets"]["mba"]
    assert ds["task"] == "classification"
    # Blank admissions are left out (no fill configured); the rest sorted, as text labels.
    assert ds["target"]["classes"] == ["Admit", "Waitlist"] and notes["mba"]["rows_without_target"] > 0
    assert ds["split"]["stratify"] is True
    assert ds["preprocess"]["drop"] == ["application_id"]
    assert notes["mba"]["dropped"] == {"application_id": {"reason": "identifier", "numeric": True}}
    assert set(ds["preprocess"]["binary"]) == {"gender", "international"}
    assert set(ds["preprocess"]["one_hot"]) == {"major", "race", "work_industry"}
    assert ds["preprocess"]["fill_missing"] == {"race": "most_frequent"}
    assert set(ds["models"]) == {"decision_tree", "random_forest", "xgboost", "linear"}
    figures = resolved["figures"]
    assert figures["tree"]["models"] == [{"dataset": "mba", "model": "decision_tree"}]
    assert figures["performance"]["models"] == [{"dataset": "mba", "model": "random_forest"}]
    assert figures["linear"]["models"] == []  # a classification: no linear regression
    assert figures["shap"]["explain"] == [{"dataset": "mba", "model": "xgboost", "class": "Waitlist"}]
    assert figures["lime"]["explain"] == [{"dataset": "mba", "model": "random_forest", "class": "Waitlist"}]


def test_explained_classifiers_default_to_the_positive_or_first_class():
    resolved, _ = resolve(broken(lambda c: c["figures"]["shap"]["explain"].append(
        {"dataset": "mba", "model": "random_forest"})))
    explain = resolved["figures"]["shap"]["explain"]
    assert explain[1] == {"dataset": "mba", "model": "random_forest", "class": "Admit"}  # 3 classes: the first
    assert resolved["figures"]["lime"]["explain"][0]["class"] == "Admit"  # [Deny, Admit]: the second


@pytest.mark.slow  # runs the workflow up to its resolved config and metrics
def test_the_run_writes_its_resolved_config_and_it_gives_the_same_run(tmp_path):
    """results/<run>/config.resolved.yaml: every default and inference spelt out; run with it as the
    config, the workflow finds nothing to do."""
    cfg = small_config("res")
    target = "results/res/config.resolved.yaml"
    snakemake(tmp_path, target, "results/res/data/insurance/meta.json", config=cfg)
    text = (tmp_path / target).read_text()
    written = yaml.safe_load(text)
    resolved, _ = resolve(cfg)
    assert written == json.loads(json.dumps(resolved))
    assert written["datasets"]["mba"]["preprocess"]["fill_missing"] == {"race": "Unknown", "admission": "Deny"}
    assert written["figures"]["tree"]["models"] == [{"dataset": "mba", "model": "decision_tree"}]
    again = tmp_path / "again.yaml"
    again.write_text(text)
    proc = snakemake(tmp_path, target, "results/res/data/insurance/meta.json", "-n", "--configfile", str(again))
    assert scheduled_jobs(proc) == {}, proc.stdout[-2000:]


def _schema_keys(node, prefix=""):
    """Every property name the schema defines, as dotted paths with * for free names."""
    if not isinstance(node, dict):
        return
    for key, sub in node.get("properties", {}).items():
        yield f"{prefix}{key}"
        yield from _schema_keys(sub, f"{prefix}{key}.")


def test_config_readme_documents_every_key():
    schema_ = yaml.safe_load((REPO / "config" / "schema.yaml").read_text())
    readme = (REPO / "config" / "README.md").read_text()
    names = set()
    for node in [schema_, *schema_["definitions"].values()]:
        names.update(k.split(".")[-1] for k in _schema_keys(node))
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing, f"config/README.md does not document: {missing}"

