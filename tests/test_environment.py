"""The software environment: the lock file, the conda env file of each rule, the set-up script.

envs/requirements.lock is the source of truth. The conda env files are generated from it and from
GROUPS below: `python tests/test_environment.py --write-envs` rewrites them after either changes.
"""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import platform
import re
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "envs" / "requirements.lock"
ENVS = REPO / "envs"
SCRIPTS = REPO / "scripts"
SETUP = REPO / "scripts" / "mlviz.sh"
# The README's two commands; .ci/run must run exactly the second.
RUN_COMMAND = "bash scripts/mlviz.sh run"
TEST_COMMAND = "bash scripts/mlviz.sh test"

# Rule groups: each gets envs/<group>.yaml with these distributions (and everything they need) at
# the lock's versions, from PyPI, so that a conda run uses the same wheels as .venv. conda itself
# provides Python and what PyPI has no wheel of (Graphviz's `dot`, Quarto).
GROUPS = {
    "data": {
        "about": "rules/data.smk: raw data to validated, preprocessed tables.",
        "conda": [],
        "pip": ["numpy", "pandas", "pyarrow", "scikit-learn", "skops", "PyYAML"],
    },
    "models": {
        "about": "rules/models.smk: fit and evaluate models, gather metrics and importances.",
        "conda": [],
        "pip": ["numpy", "pandas", "pyarrow", "scikit-learn", "skops", "PyYAML", "xgboost-cpu"],
    },
    "figures": {
        "about": "rules/figures_*.smk: explain models (importances, SHAP, LIME) and draw figures.",
        "conda": [],
        "pip": ["numpy", "pandas", "pyarrow", "scikit-learn", "skops", "PyYAML", "xgboost-cpu",
                "matplotlib", "shap", "lime"],
    },
    "neural": {
        "about": "rules/neural.smk: the CNN, TensorBoard logs, architecture (pydot + dot), Grad-CAM.",
        "conda": ["graphviz"],
        "pip": ["numpy", "pandas", "pyarrow", "scikit-learn", "PyYAML", "matplotlib", "tensorflow-cpu",
                "keras", "tensorboard", "opencv-python-headless", "pydot", "scikit-image"],
    },
    "report": {
        "about": "rules/report.smk: the article, with Quarto (conda-forge), pandoc and Typst.",
        "conda": ["quarto"],
        "pip": ["pandas", "pyarrow", "PyYAML", "pypandoc-binary", "typst"],
    },
}

# Packages used without an import statement: pandas reads and writes parquet through pyarrow;
# keras runs on TensorFlow.
IMPLIED = {"pandas": {"pyarrow"}, "keras": {"tensorflow-cpu"}}
# Names used in code (not in comments or strings) that need a package the file never imports.
IMPLIED_BY_CALL = {"plot_model": {"pydot"}, "TensorBoard": {"tensorboard"}}
# Modules of the repository itself that are not mlviz: the tests' own helpers.
LOCAL = {p.stem for p in (REPO / "tests").glob("*.py")}
# Packages a rule script gets from Snakemake itself (its own installation is put on sys.path).
FROM_SNAKEMAKE = {"snakemake"}
ACTIONS = ("script", "shell", "notebook", "wrapper", "cwl")


def canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=1)
def lock() -> dict[str, tuple[str, str]]:
    """canonical name → (name as written, version)."""
    pins = {}
    for line in LOCK.read_text().splitlines():
        name, _, version = line.partition("==")
        pins[canon(name)] = (name, version)
    return pins


def script_pip_version() -> str:
    return re.search(r'^PIP_VERSION="([^"]+)"', SETUP.read_text(), re.M).group(1)


# --------------------------------------------------------------------------- imports of scripts
def module_file(name: str) -> Path | None:
    """scripts/ file of an mlviz module (mlviz, mlviz.x), or None when it is not one."""
    parts = name.split(".")
    if parts[0] != "mlviz":
        return None
    base = SCRIPTS.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def direct_imports(path: Path) -> set[str]:
    """Absolute names of every module a file imports, lazy imports inside functions included."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = "mlviz" if path.parent.name == "mlviz" else ""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(filter(None, [package, base]))
            names.add(base)
            # `from mlviz import data` imports the module mlviz.data
            names.update(f"{base}.{a.name}" for a in node.names if module_file(f"{base}.{a.name}"))
    return names - {""}


def identifiers(path: Path) -> set[str]:
    """Names and attributes the code of a file uses (keras.callbacks.TensorBoard → TensorBoard)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.name for a in node.names)
    return names


@lru_cache(maxsize=1)
def registry_modules() -> set[str]:
    spec = importlib.util.spec_from_file_location("_mlviz_registry", SCRIPTS / "mlviz" / "registry.py")
    registry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(registry)
    return {module for module, *_ in registry.ESTIMATORS.values()}


# mlviz modules that import by name, and what they may import.
DYNAMIC = {"mlviz.models": registry_modules}


def uses_dynamic_import(path: Path) -> bool:
    return bool(re.search(r"\bimport_module\s*\(|\b__import__\s*\(", path.read_text()))


@lru_cache(maxsize=None)
def needed(script: Path) -> frozenset[str]:
    """Canonical distribution names a script needs: its imports and those of the mlviz modules it
    uses, followed transitively; standard library left out."""
    todo, seen, outside, calls = [script], set(), set(), set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        calls |= identifiers(path) & set(IMPLIED_BY_CALL)
        names = direct_imports(path)
        modname = ".".join(path.relative_to(path.parents[1] if path.parent.name == "mlviz" else path.parent)
                           .with_suffix("").parts).removesuffix(".__init__")
        if modname in DYNAMIC:
            names |= DYNAMIC[modname]()
        for name in names:
            mod = module_file(name)
            if mod:
                todo += [mod, SCRIPTS / "mlviz" / "__init__.py"]
            elif name.split(".")[0] not in sys.stdlib_module_names | LOCAL:
                outside.add(name.split(".")[0])
    dists = set()
    top = top_level_packages()
    for name in outside:
        if name not in top:
            pytest.fail(f"{script.relative_to(REPO)} imports {name!r} (itself or through mlviz), which no "
                        "installed package provides", pytrace=False)
        dists.update(canon(d) for d in top[name])
    for call in calls:
        dists |= IMPLIED_BY_CALL[call]
    for dist in list(dists):
        dists |= IMPLIED.get(dist, set())
    return frozenset(dists)


@lru_cache(maxsize=1)
def top_level_packages() -> dict[str, list[str]]:
    return metadata.packages_distributions()  # reads every RECORD file: ~2 s


def python_files() -> list[Path]:
    return sorted(SCRIPTS.glob("*.py")) + sorted((SCRIPTS / "mlviz").glob("*.py"))


# --------------------------------------------------------------------------- rules
RULE = re.compile(r"^(\s*)(?:rule|checkpoint)\s+(\w+)\s*:")
USE_RULE = re.compile(r"^(\s*)use\s+rule\s+(\w+)\s+(?:from\s+\w+\s+)?as\s+(\w+)(?:\s+with)?\s*:")
DIRECTIVE = re.compile(r"^(\s+)(\w+)\s*:\s*(.*)$")


def _value(text: str):
    text = text.split("  #")[0].strip().rstrip(",")
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


@lru_cache(maxsize=1)
def rules() -> dict[str, dict]:
    """Rule name → {directive: value, 'file': ...} for conda/script/shell/... of every rule in the
    Snakefile and rules/*.smk (values that are not literals stay as source text)."""
    found, uses = {}, []
    for path in [REPO / "Snakefile", *sorted((REPO / "rules").glob("*.smk"))]:
        lines = path.read_text().splitlines()
        current, indent = None, 0
        for i, line in enumerate(lines):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            head = RULE.match(line) or USE_RULE.match(line)
            if head:
                name = head.group(head.lastindex)
                current, indent = {"file": path.relative_to(REPO).as_posix(), "line": i + 1}, len(head.group(1))
                found[name] = current
                if head.re is USE_RULE:
                    uses.append((head.group(2), name))
                continue
            if current is None:
                continue
            if len(line) - len(line.lstrip()) <= indent:
                current = None
                continue
            d = DIRECTIVE.match(line)
            if d:  # directives sit at the rule's first indentation level; deeper lines are values
                current.setdefault("_level", len(d.group(1)))
            if d and len(d.group(1)) == current["_level"] and d.group(2) in ("conda", "run", *ACTIONS):
                rest = d.group(3).strip()
                if not rest:  # value on the next non-empty line
                    rest = next((x for x in lines[i + 1:] if x.strip()), "")
                current[d.group(2)] = _value(rest)
    for parent, child in uses:  # `use rule A as B with:` inherits what it does not override
        found[child] = {**found.get(parent, {}), **found[child]}
    return found


def actions(rule: dict) -> list[str]:
    return [a for a in ACTIONS if a in rule]


def env_of(rule: dict) -> Path | None:
    conda = rule.get("conda")
    if not isinstance(conda, str):
        return None
    return (REPO / rule["file"]).parent.joinpath(conda).resolve()


@lru_cache(maxsize=None)
def env_pins(path: Path) -> dict[str, tuple[str, str]]:
    env = yaml.safe_load(path.read_text())
    pins = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for line in dep.get("pip", []):
                name, _, version = line.partition("==")
                pins[canon(name)] = (name, version)
    return pins


# --------------------------------------------------------------------------- conda env files
def closure(names) -> list[str]:
    """The distributions `names` need on this platform (Linux, Python 3.11), themselves included."""
    todo, seen = [canon(n) for n in names], set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for req in metadata.distribution(name).requires or []:
            r = Requirement(req)
            if r.marker is None or r.marker.evaluate({"extra": ""}):
                todo.append(canon(r.name))
    return sorted(seen)


@lru_cache(maxsize=None)
def group_closure(group: str) -> frozenset[str]:
    return frozenset(closure(GROUPS[group]["pip"]))


def env_text(group: str) -> str:
    spec = GROUPS[group]
    pins = lock()
    lines = [
        f"# {spec['about']}",
        "# Generated from envs/requirements.lock (python tests/test_environment.py --write-envs):",
        "# Python packages come from PyPI at the lock's versions, with all they depend on, so that",
        "# `snakemake --sdm conda` runs the same wheels as .venv; conda provides the rest.",
        f"name: mlviz-{group}",
        "channels:",
        "  - conda-forge",
        "  - nodefaults",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        *[f"  - {c}" for c in spec["conda"]],
        "  - pip:",
        *[f"      - {pins[n][0]}=={pins[n][1]}" for n in sorted(group_closure(group), key=lambda n: pins[n][0].lower())],
    ]
    return "\n".join(lines) + "\n"


# =========================================================================== tests: lock file
def test_lock_is_pinned_sorted_and_unique():
    lines = LOCK.read_text().splitlines()
    bad = [line for line in lines if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9.+!-]+", line)]
    assert not bad, f"envs/requirements.lock: lines that are not NAME==VERSION: {bad}"
    names = [canon(line.split("==")[0]) for line in lines]
    assert len(names) == len(set(names)), "envs/requirements.lock names a package twice"
    assert lines == sorted(lines, key=lambda line: line.split("==")[0].lower()), \
        "envs/requirements.lock is not sorted (pip freeze order: by name, case-insensitive)"
    assert "pip" not in names, "pip is pinned in scripts/mlviz.sh (PIP_VERSION), not in the lock"


def test_installed_packages_are_the_lock():
    """What runs the tests is what the lock says; in the project's venv, nothing more either."""
    installed = {canon(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {name: (version, installed.get(canon(name))) for name, version in lock().values()
             if installed.get(canon(name)) != version}
    assert not wrong, f"installed versions differ from envs/requirements.lock (lock, installed): {wrong}"
    venv = Path(sys.prefix)
    if venv.resolve() == (REPO / ".venv").resolve() or (venv / ".mlviz-lock").exists():
        extra = sorted(set(installed) - set(lock()) - {"pip"})
        assert not extra, (f"{venv} holds packages missing from envs/requirements.lock: {extra} "
                           "(add NAME==VERSION lines for the ones the project needs)")
        assert installed["pip"] == script_pip_version(), "pip differs from PIP_VERSION in scripts/mlviz.sh"


def test_every_imported_package_is_pinned():
    files = python_files() + sorted((REPO / "tests").glob("*.py"))
    missing = {f"{p.relative_to(REPO)}": sorted(set(needed(p)) - set(lock())) for p in files}
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, f"imported but not pinned in envs/requirements.lock: {missing}"


def test_dynamic_imports_are_declared():
    """An import by name is invisible to the checks above unless DYNAMIC lists what it may import."""
    known = {SCRIPTS.joinpath(*m.split(".")).with_suffix(".py") for m in DYNAMIC}
    undeclared = [str(p.relative_to(REPO)) for p in python_files() if uses_dynamic_import(p) and p not in known]
    assert not undeclared, f"imports by name; add them to DYNAMIC in tests/test_environment.py: {undeclared}"


# =========================================================================== tests: rules and envs
def test_rule_parser_sees_the_workflow():
    found = rules()
    for name in ("demo_data", "preprocess", "train", "evaluate", "metrics", "importances"):
        assert found[name]["script"].startswith("../scripts/"), name
    assert "all" in found and not actions(found["all"])


def suggested_env(rule: dict) -> str:
    """The rule file's own group (rules/figures_basic.smk → figures) if it provides what the script
    needs, else the first group that does."""
    own = Path(rule["file"]).stem.split("_")[0]
    script = rule.get("script")
    need = needed((REPO / rule["file"]).parent.joinpath(script).resolve()) - FROM_SNAKEMAKE \
        if isinstance(script, str) else set()
    fits = [g for g in sorted(GROUPS, key=lambda g: g != own) if need <= group_closure(g)]
    return fits[0] if fits else "<none fits: add a group to GROUPS>"


def test_every_rule_has_a_conda_env():
    """`snakemake --lint` asks for it, and users on `--sdm conda` need it."""
    problems = []
    for name, rule in sorted(rules().items()):
        if not actions(rule):
            continue  # rule all, run: blocks (these run inside Snakemake's own process)
        env = env_of(rule)
        where = f"rule {name} ({rule['file']}:{rule['line']})"
        if "conda" not in rule:
            problems.append(f"{where}: no conda: directive; add conda: \"../envs/{suggested_env(rule)}.yaml\"")
        elif env is None or env.parent != ENVS.resolve() or not env.is_file():
            problems.append(f"{where}: conda: {rule['conda']!r} is not one of envs/*.yaml")
    assert not problems, "\n".join(problems)


def test_rule_envs_provide_what_their_scripts_import():
    problems = []
    for name, rule in sorted(rules().items()):
        env, script = env_of(rule), rule.get("script")
        if env is None or not env.is_file() or not isinstance(script, str):
            continue
        path = (REPO / rule["file"]).parent.joinpath(script).resolve()
        pins = env_pins(env)
        for dist in sorted(needed(path) - FROM_SNAKEMAKE):
            if dist not in pins:
                problems.append(f"rule {name}: {script} needs {lock()[dist][0]}, missing from envs/{env.name}")
            elif pins[dist][1] != lock()[dist][1]:
                problems.append(f"rule {name}: envs/{env.name} pins {dist}=={pins[dist][1]}, lock has {lock()[dist][1]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_env_file_is_generated_from_the_lock(group):
    path = ENVS / f"{group}.yaml"
    assert path.is_file() and path.read_text() == env_text(group), \
        f"envs/{group}.yaml is out of date with envs/requirements.lock: python tests/test_environment.py --write-envs"
    env = yaml.safe_load(path.read_text())
    pins = env_pins(path)
    assert "python=3.11" in env["dependencies"]
    assert all(lock()[n][1] == v for n, (_, v) in pins.items())
    assert set(closure(pins)) == set(pins), f"envs/{group}.yaml misses dependencies of its packages"


def test_no_stray_env_files():
    assert sorted(p.stem for p in ENVS.glob("*.yaml")) == sorted(GROUPS)


# =========================================================================== tests: set-up script
@pytest.fixture
def sandbox(tmp_path):
    """A venv whose python is a stand-in that logs `python -m pip ...` and runs nothing else of pip,
    and a bin/ of stand-ins (id, apt-get) to put first on PATH: the script's logic, in < 1 s."""
    venv, fake = tmp_path / "venv", tmp_path / "bin"
    (venv / "bin").mkdir(parents=True)
    fake.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    log = tmp_path / "calls.log"
    pip_version = script_pip_version()
    python = venv / "bin" / "python"
    python.write_text(f"""#!/bin/bash
if [ "$1 $2" = "-m pip" ]; then
    echo "pip ${{*:3}}" >> {log}
    case "$3" in
        --version) echo "pip ${{FAKE_PIP:-{pip_version}}} from {venv} (python 3.11)" ;;
        freeze) grep -v '^pip==' {LOCK} ;;
        install) touch {venv}/bin/snakemake; chmod +x {venv}/bin/snakemake ;;
    esac
    exit 0
fi
exec {sys.executable} "$@"
""")
    python.chmod(0o755)
    for name, body in {"id": 'echo "${FAKE_UID:-1000}"', "apt-get": f'echo "apt-get $*" >> {log}'}.items():
        (fake / name).write_text(f"#!/bin/bash\n{body}\n")
        (fake / name).chmod(0o755)

    def run(*args, path_without_dot=False, **env):
        path = f"{fake}:{os.environ['PATH']}"
        if path_without_dot:  # only the tools the script uses, so that `dot` is not found
            tools = tmp_path / "tools"
            tools.mkdir(exist_ok=True)
            for tool in ("dirname", "sha256sum", "cut", "cat", "ls", "rm", "grep", "sed", "echo", "touch", "chmod"):
                link = tools / tool
                if not link.exists():
                    link.symlink_to(subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True,
                                                   text=True, check=True).stdout.strip())
            path = f"{fake}:{tools}"
        environ = {**os.environ, "PATH": path, "MLVIZ_VENV": str(venv), **env}
        proc = subprocess.run(["/bin/bash", str(SETUP), *args], capture_output=True, text=True, env=environ,
                              stdin=subprocess.DEVNULL, timeout=60)
        calls = log.read_text().splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return proc, calls

    run.venv = venv
    return run


def test_setup_installs_once_then_reports_up_to_date(sandbox):
    proc, calls = sandbox("setup")
    assert proc.returncode == 0, proc.stderr
    assert f"pip install --quiet -r {LOCK}" in calls
    assert not any("pip==" in c for c in calls), "pip is already at PIP_VERSION: no reinstall"
    stamp = (sandbox.venv / ".mlviz-lock").read_text()
    assert stamp.split()[0] == subprocess.run(["sha256sum", str(LOCK)], capture_output=True, text=True).stdout.split()[0]

    proc, calls = sandbox("setup")
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stderr
    assert not any(c.startswith("pip install") for c in calls), f"second run installed: {calls}"

    (sandbox.venv / ".mlviz-lock").write_text("0000 pip==0 python==3.11.0\n")  # as after a lock edit
    proc, calls = sandbox("setup", FAKE_PIP="23.0.1")
    assert proc.returncode == 0, proc.stderr
    assert f"pip install --quiet pip=={script_pip_version()}" in calls
    assert f"pip install --quiet -r {LOCK}" in calls
    assert (sandbox.venv / ".mlviz-lock").read_text() == stamp


def test_setup_of_this_venv_installs_nothing():
    """The real thing, on the venv running the tests, when the set-up script made it (as in CI)."""
    venv = Path(sys.prefix)
    stamp = venv / ".mlviz-lock"
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    want = f"{digest} pip=={script_pip_version()} python=={platform.python_version()}"
    if not stamp.is_file() or stamp.read_text().strip() != want:
        pytest.skip(f"{venv} was not set up by scripts/mlviz.sh from the current lock file")
    proc = subprocess.run(["bash", str(SETUP), "setup"], capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL, env={**os.environ, "MLVIZ_VENV": str(venv)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"mlviz: {venv} is up to date with envs/requirements.lock\n"


def test_missing_dot_as_user_prints_the_apt_command(sandbox):
    proc, calls = sandbox("setup", path_without_dot=True)
    assert proc.returncode == 1
    assert "    sudo apt-get install -y graphviz\n" in proc.stderr
    assert calls == []


def test_missing_dot_as_root_installs_graphviz(sandbox):
    proc, calls = sandbox("setup", path_without_dot=True, FAKE_UID="0")
    assert proc.returncode == 0, proc.stderr
    assert calls[:2] == ["apt-get update -qq", "apt-get install -y -qq --no-install-recommends graphviz"]


def test_wrong_python_version_is_named(sandbox, tmp_path):
    py = tmp_path / "python3.12"
    py.write_text("#!/bin/bash\necho 3.12.1\n")
    py.chmod(0o755)
    proc, _ = sandbox("setup", MLVIZ_VENV=str(tmp_path / "new"), MLVIZ_PYTHON=str(py))
    assert proc.returncode == 1
    assert "is Python 3.12.1; mlviz needs Python 3.11.x" in proc.stderr
    assert not (tmp_path / "new").exists()


def test_missing_ensurepip_as_user_prints_the_apt_command(sandbox, tmp_path):
    py = tmp_path / "python3"
    py.write_text('#!/bin/bash\n[[ "$*" == *ensurepip* ]] && exit 1\necho 3.11.2\n')
    py.chmod(0o755)
    proc, _ = sandbox("setup", MLVIZ_VENV=str(tmp_path / "new"), MLVIZ_PYTHON=str(py))
    assert proc.returncode == 1
    assert "ensurepip is missing" in proc.stderr
    assert "    sudo apt-get install -y python3-venv\n" in proc.stderr


def test_ci_runs_the_readme_test_command():
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert ci[-1] in (TEST_COMMAND, f"exec {TEST_COMMAND}"), ci
    readme = REPO / "README.md"
    text = readme.read_text()
    for command in (RUN_COMMAND, TEST_COMMAND, "pip install -r envs/requirements.lock"):
        assert command in text, f"{readme.name} does not show `{command}`"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write-envs"]:
        sys.exit("usage: python tests/test_environment.py --write-envs")
    for group in GROUPS:
        (ENVS / f"{group}.yaml").write_text(env_text(group))
        print(f"wrote envs/{group}.yaml")
