"""The workflow as a whole: incremental (an edit reruns only what depends on it, code included) and
reproducible (two cold runs give identical bytes)."""
from __future__ import annotations

import copy
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, scheduled_jobs, small_config, snakemake

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
    assert plan(workdir, cfg) == {"train": 1, "evaluate": 1, "gather_metrics": 1}
    out = snakemake(workdir, TARGET, "-n", config=cfg).stdout
    assert "models/mba/random_forest.skops" in out and "models/mba/decision_tree" not in out
    assert "models/mba_binary/random_forest" not in out


def test_changing_the_demo_seed_reruns_everything_downstream_of_that_data(built):
    workdir, cfg = built
    cfg = copy.deepcopy(cfg)
    cfg["sources"]["insurance"]["seed"] = 7
    assert plan(workdir, cfg) == {"demo_data": 1, "preprocess": 1, "train": 2, "evaluate": 2, "gather_metrics": 1}


def test_changing_the_split_reruns_the_dataset_and_its_models(built):
    workdir, cfg = built
    cfg = copy.deepcopy(cfg)
    cfg["datasets"]["mba_binary"]["split"] = {"test_size": 0.3, "random_state": 42, "stratify": False}
    assert plan(workdir, cfg) == {"preprocess": 1, "train": 1, "evaluate": 1, "gather_metrics": 1}


def test_spelling_out_a_default_reruns_nothing(built):
    """A value written out that equals its default (schema or inference) is the same run."""
    workdir, cfg = built
    cfg = copy.deepcopy(cfg)
    cfg["datasets"]["insurance"]["split"] = {"test_size": 0.25, "random_state": 42, "stratify": False}
    cfg["datasets"]["insurance"]["task"] = "regression"
    cfg["style"]["cmap"] = "viridis"
    assert plan(workdir, cfg) == {}


def test_two_cold_runs_give_identical_files(built, tmp_path):
    workdir, cfg = built
    snakemake(tmp_path, TARGET, config=cfg)
    first, second = digests(workdir / "results/inc"), digests(tmp_path / "results/inc")
    assert len(first) >= 20
    assert first == second


# ---------------------------------------------------------------- rules and the code they run

RULE = re.compile(r"^rule (\w+):\n((?:[ \t]+.*\n|\n)*)", re.M)


def rule_bodies() -> dict[str, str]:
    return {m.group(1): m.group(2) for f in sorted((REPO / "rules").glob("*.smk"))
            for m in RULE.finditer(f.read_text())}


def test_every_rule_is_named_after_its_script_and_records_a_benchmark():
    """One name for a step everywhere: rule, script, log folder, benchmark folder."""
    problems = []
    for name, body in rule_bodies().items():
        script = re.search(r'script:\s*\n\s+"\.\./scripts/(\w+)\.py"', body)
        if script is None:
            continue
        if script.group(1) != name:
            problems.append(f"rule {name} runs scripts/{script.group(1)}.py")
        if f'code("{name}")' not in body:
            problems.append(f"rule {name} does not list code(\"{name}\") as input")
        if f'OUT.log("{name}"' not in body:
            problems.append(f"rule {name} logs elsewhere than logs/{name}/")
        if f'OUT.benchmark("{name}"' not in body:
            problems.append(f"rule {name} has no benchmark under benchmarks/{name}/")
    assert not problems, "\n".join(problems)


# Imports every rule script the way Snakemake runs it (mlviz.workflow.jobs.run stubbed out, so that main()
# does not run), one at a time, and prints the package files each one loaded.
_LOADED = r"""
import json, runpy, sys
sys.path.insert(0, sys.argv[1] + "/scripts")
from pathlib import Path
out = {}
for script in sys.argv[2:]:
    for m in [m for m in sys.modules if m == "mlviz" or m.startswith("mlviz.")]:
        del sys.modules[m]
    import mlviz.workflow.jobs
    mlviz.workflow.jobs.run = lambda main, smk: None
    runpy.run_path(script, init_globals={"snakemake": None})
    out[Path(script).stem] = sorted(str(Path(m.__file__).resolve()) for n, m in sys.modules.items()
                                    if (n == "mlviz" or n.startswith("mlviz.")) and getattr(m, "__file__", None))
print(json.dumps(out))
"""


def test_every_rule_lists_the_package_modules_its_script_loads(tmp_path):
    """Snakemake reruns a script rule when its script changes, not when a module it imports does: each
    job must have every package module its script loads among its inputs (a dry run prints them)."""
    cfg = small_config("code", neural=True)
    cfg["neural"]["resnet50"].update(enabled=True, weights=None)
    out = snakemake(tmp_path, "-n", "all", "diagnostics", config=cfg).stdout  # diagnostics: not yet in `all`
    inputs: dict[str, set[str]] = {}
    for m in re.finditer(r"^(?:local)?rule (\w+):\n    input: (.*)$", out, re.M):
        inputs.setdefault(m.group(1), set()).update(p.strip() for p in m.group(2).split(","))
    scripts = {name: REPO / "scripts" / f"{name}.py" for name in rule_bodies() if (REPO / "scripts" / f"{name}.py").is_file()}
    assert set(scripts) <= set(inputs), f"rules the dry run did not schedule: {sorted(set(scripts) - set(inputs))}"
    proc = subprocess.run([sys.executable, "-c", _LOADED, str(REPO), *map(str, scripts.values())],
                          capture_output=True, text=True, check=True)
    loaded = json.loads(proc.stdout.splitlines()[-1])
    package = str(REPO / "scripts" / "mlviz")
    problems = []
    for name, files in sorted(loaded.items()):
        listed = {p for p in inputs[name] if p.startswith(package)}
        missing = sorted(set(files) - listed)
        if missing:
            problems.append(f"rule {name}: its script loads {missing}, not among the rule's inputs")
    assert not problems, "\n".join(problems)


def test_cluster_profile_names_only_rules_of_the_workflow():
    """profiles/slurm sets resources and groups by rule name; a name no rule has is silently ignored
    by Snakemake, so a renamed rule would lose its memory request or its grouping unnoticed."""
    import yaml

    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    rules = set(rule_bodies())
    named = set(profile.get("set-resources", {})) | {g.split("=")[0] for g in profile.get("groups", [])}
    assert not named - rules, f"profiles/slurm/config.yaml names rules the workflow does not have: {sorted(named - rules)}"
    # Every figure rule is bundled: a SLURM job per figure would mostly queue and import.
    grouped = {g.split("=")[0] for g in profile.get("groups", [])}
    draw = {r for r in rules if r.startswith("draw_")}
    assert draw <= grouped, f"figure rules not grouped: {sorted(draw - grouped)}"


def test_every_figure_of_the_registry_is_drawn_by_its_rule_with_its_caption():
    """mlviz.workflow.registry is the one list of figures: each entry's rule writes exactly that
    figure (through figure_output), its caption file exists, and no rule writes a figure the
    registry does not know."""
    from mlviz.workflow.registry import FIGURES

    bodies = rule_bodies()
    problems = []
    for f in FIGURES:
        if f.rule not in bodies:
            problems.append(f"{f.kind}: rule {f.rule} does not exist")
        elif f'figure_output("{f.kind}")' not in bodies[f.rule]:
            problems.append(f"{f.kind}: rule {f.rule} does not write it (figure_output(\"{f.kind}\"))")
        if not (REPO / "report" / "captions" / f"{f.caption}.rst").is_file():
            problems.append(f"{f.kind}: no caption report/captions/{f.caption}.rst")
    kinds = {f.kind for f in FIGURES}
    for name, body in bodies.items():
        for kind in re.findall(r'figure_output\("(\w+)"\)', body):
            if kind not in kinds:
                problems.append(f"rule {name} writes {kind}, which the registry does not list")
            elif next(f for f in FIGURES if f.kind == kind).rule != name:
                problems.append(f"rule {name} writes {kind}, which the registry says rule "
                                f"{next(f for f in FIGURES if f.kind == kind).rule} draws")
    assert not problems, "\n".join(problems)


def test_a_missing_program_stops_the_run_in_one_line_before_any_job(tmp_path):
    """A machine without Graphviz: the planned CNN architecture figure needs dot, so the run stops
    when it starts, naming the program and what to do, before any model is trained (a dry run,
    which runs nothing, is not stopped)."""
    import os

    bin_dir = tmp_path / "bin"  # everything of /usr/bin and /bin but dot and quarto
    bin_dir.mkdir()
    for folder in ("/usr/bin", "/bin"):
        for f in Path(folder).iterdir():
            if f.name not in ("dot", "quarto") and not os.path.lexists(bin_dir / f.name):
                (bin_dir / f.name).symlink_to(f)
    env = {**os.environ, "PATH": str(bin_dir)}
    cfg = small_config("tools", neural=True)
    proc = snakemake(tmp_path / "w", config=cfg, env=env, check=False)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("mlviz:")]
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr[-3000:]
    assert lines[0].startswith("mlviz: the CNN's architecture figure needs Graphviz's dot (no dot on PATH or beside ")
    assert "install Graphviz" in lines[0] and "neural.enabled: false" in lines[0]
    assert not (tmp_path / "w" / "results").exists(), "a job ran before the check"
    # Quarto was found beside the interpreter, though not on PATH; a dry run is not stopped.
    assert "Quarto" not in proc.stderr
    assert snakemake(tmp_path / "w", "-n", config=cfg, env=env).returncode == 0
