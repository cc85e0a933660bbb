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

# The Quarto release scripts/mlviz.sh installs; envs/report.yaml pins conda-forge's quarto to it.
QUARTO_PIN = re.search(r'^QUARTO_VERSION="([^"]+)"', SETUP.read_text(), re.M).group(1)

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
        "about": "rules/{importance,figures,shap,lime}.smk: explain models (importances, SHAP, LIME), draw figures.",
        "conda": [],
        # jsonschema: mlviz.plots.style reads the style defaults through mlviz.config.schema.
        "pip": ["numpy", "pandas", "pyarrow", "scikit-learn", "skops", "PyYAML", "jsonschema", "xgboost-cpu",
                "matplotlib", "shap", "lime"],
    },
    "neural": {
        "about": "rules/neural.smk: the CNN, TensorBoard logs, architecture (pydot + dot), Grad-CAM.",
        "conda": ["graphviz"],
        "pip": ["numpy", "pandas", "pyarrow", "scikit-learn", "PyYAML", "jsonschema", "matplotlib", "tensorflow-cpu",
                "keras", "tensorboard", "opencv-python-headless", "pydot", "scikit-image"],
    },
    "report": {
        "about": "rules/report.smk: the article, with Quarto (conda-forge), pandoc and Typst.",
        "conda": [f"quarto={QUARTO_PIN}"],
        # scikit-learn: mlviz.article.facts orders importances with mlviz.compute.importance, which computes them too.
        # Jinja2: the words of the generated blocks are templates in report/blocks.
        "pip": ["pandas", "pyarrow", "PyYAML", "scikit-learn", "pypandoc-binary", "typst", "Jinja2"],
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


def script_uv_version() -> str:
    return re.search(r'^UV_VERSION="([^"]+)"', SETUP.read_text(), re.M).group(1)


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
    package = module_name(path).split(".") if SCRIPTS.resolve() in path.resolve().parents else []
    if path.name != "__init__.py":
        package = package[:-1]  # a module's package; a package's __init__ is its own
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from . import x (level 1: this package), from ..y import z (level 2: its parent)
                base = ".".join(filter(None, [*package[:len(package) - node.level + 1], base]))
            names.add(base)
            # `from mlviz import data` imports the module mlviz.compute.data
            names.update(f"{base}.{a.name}" for a in node.names if module_file(f"{base}.{a.name}"))
    return names - {""}


def module_name(path: Path) -> str:
    """Dotted name of a file under scripts/ (scripts/mlviz/plots/bars.py → mlviz.plots.bars); a rule
    script's is its stem."""
    rel = path.resolve().relative_to(SCRIPTS.resolve()).with_suffix("")
    return ".".join(rel.parts).removesuffix(".__init__")


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
    spec = importlib.util.spec_from_file_location("_mlviz_registry", SCRIPTS / "mlviz" / "config" / "estimators.py")
    registry = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(registry)
    return {module for module, *_ in registry.ESTIMATORS.values()}


def warm_preload() -> set[str]:
    """The modules mlviz.workflow.warm's server imports by name (its PRELOAD list, read without running it)."""
    tree = ast.parse((SCRIPTS / "mlviz" / "workflow" / "warm.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PRELOAD" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise AssertionError("scripts/mlviz/workflow/warm.py has no PRELOAD list")


# mlviz modules that import by name, and what they may import.
DYNAMIC = {"mlviz.compute.models": registry_modules, "mlviz.workflow.warm": warm_preload}


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
        modname = module_name(path) if SCRIPTS.resolve() in path.resolve().parents else path.stem
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
    return sorted(SCRIPTS.glob("*.py")) + sorted((SCRIPTS / "mlviz").rglob("*.py"))


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
        extra = sorted(set(installed) - set(lock()) - {"pip", "uv"})
        assert not extra, (f"{venv} holds packages missing from envs/requirements.lock: {extra} "
                           "(add NAME==VERSION lines for the ones the project needs)")
        assert installed["pip"] == script_pip_version(), "pip differs from PIP_VERSION in scripts/mlviz.sh"
        assert installed.get("uv", script_uv_version()) == script_uv_version(), "uv differs from UV_VERSION"


def test_every_imported_package_is_pinned():
    files = python_files() + sorted((REPO / "tests").glob("*.py"))
    missing = {f"{p.relative_to(REPO)}": sorted(set(needed(p)) - set(lock())) for p in files}
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, f"imported but not pinned in envs/requirements.lock: {missing}"


def lint_imports(scripts: Path) -> subprocess.CompletedProcess:
    """Import Linter on the package under `scripts`, with the contract of scripts/mlviz/layers.ini."""
    return subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "mlviz/layers.ini", "--no-cache",
                           "--no-logo"], cwd=scripts, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(scripts)})


def test_the_package_keeps_its_layers():
    proc = lint_imports(SCRIPTS)
    assert proc.returncode == 0 and "1 kept, 0 broken" in proc.stdout, proc.stdout + proc.stderr


def test_an_upward_import_breaks_the_layers_contract_by_name(tmp_path):
    """A compute module that imports the article (a layer above it) fails, naming the rule and the import."""
    import shutil

    shutil.copytree(SCRIPTS / "mlviz", tmp_path / "mlviz", ignore=shutil.ignore_patterns("__pycache__"))
    metrics = tmp_path / "mlviz" / "compute" / "metrics.py"
    metrics.write_text(metrics.read_text() + "\nfrom ..article import claims  # planted\n")
    proc = lint_imports(tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "mlviz layers (article | plots > compute > config > sources > workflow) BROKEN" in proc.stdout
    assert "mlviz.compute is not allowed to import mlviz.article" in proc.stdout
    assert "mlviz.compute.metrics -> mlviz.article.claims" in proc.stdout


def test_dynamic_imports_are_declared():
    """An import by name is invisible to the checks above unless DYNAMIC lists what it may import."""
    known = {SCRIPTS.joinpath(*m.split(".")).with_suffix(".py") for m in DYNAMIC}
    undeclared = [str(p.relative_to(REPO)) for p in python_files() if uses_dynamic_import(p) and p not in known]
    assert not undeclared, f"imports by name; add them to DYNAMIC in tests/test_environment.py: {undeclared}"


# =========================================================================== tests: rules and envs
def test_rule_parser_sees_the_workflow():
    found = rules()
    for name in ("demo_data", "preprocess", "train", "evaluate", "gather_metrics", "gather_importances"):
        assert found[name]["script"].startswith("../scripts/"), name
    assert "all" in found and not actions(found["all"])


def suggested_env(rule: dict) -> str:
    """The rule file's own group (rules/figures.smk → figures) if it provides what the script
    needs, else the first group that does."""
    own = Path(rule["file"]).stem.split("_")[0]
    script = rule.get("script")
    need = needed((REPO / rule["file"]).parent.joinpath(script).resolve()) - FROM_SNAKEMAKE \
        if isinstance(script, str) else set()
    fits = [g for g in sorted(GROUPS, key=lambda g: g != own) if need <= group_closure(g)]
    return fits[0] if fits else "<none fits: add a group to GROUPS>"


def test_snakemake_lint_finds_nothing():
    """The README's test command runs `snakemake --lint` before pytest; the fast loop runs it too, so a
    function left in a rule file fails here, not only in CI."""
    proc = subprocess.run([str(Path(sys.executable).with_name("snakemake")), "--lint"], cwd=REPO,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and "Lints for" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr


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
def stand_in(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def sandbox(tmp_path):
    """A venv whose python is a stand-in that logs `python -m pip ...` and runs nothing else of pip
    (`pip install uv==V` puts a stand-in uv in the venv that logs its calls and the UV_* settings
    it was given, and exits with FAKE_UV_EXIT; `pip config list` prints FAKE_PIP_CONFIG), and a
    bin/ of stand-ins (id, apt-get) to put first on PATH: the script's logic, in < 1 s.
    A stand-in quarto (`quarto=VERSION`, default 1.11.0) comes next on PATH; with quarto=None there
    is none, and PATH holds only the tools the script uses (no real quarto of this machine either)."""
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
        config) printf '%s\\n' "${{FAKE_PIP_CONFIG:-}}" ;;
        install)
            case "$5" in
                uv==*) printf '%s\\n' '#!/bin/bash' \
                    "[ \\"\\$1\\" = --version ] && {{ echo 'uv ${{5#uv==}}'; exit 0; }}" \
                    'echo "uv $* | DEFAULT=$UV_DEFAULT_INDEX INDEX=$UV_INDEX FIND=$UV_FIND_LINKS STRATEGY=$UV_INDEX_STRATEGY" >> {log}' \
                    '[ "${{FAKE_UV_EXIT:-0}}" = 0 ] || {{ echo "error: no index answered" >&2; exit "$FAKE_UV_EXIT"; }}' \
                    'touch {venv}/bin/snakemake; chmod +x {venv}/bin/snakemake' > {venv}/bin/uv
                    chmod +x {venv}/bin/uv ;;
                *) touch {venv}/bin/snakemake; chmod +x {venv}/bin/snakemake ;;
            esac ;;
    esac
    exit 0
fi
exec {sys.executable} "$@"
""")
    python.chmod(0o755)
    for name, body in {"id": 'echo "${FAKE_UID:-1000}"', "apt-get": f'echo "apt-get $*" >> {log}'}.items():
        (fake / name).write_text(f"#!/bin/bash\n{body}\n")
        (fake / name).chmod(0o755)

    # The machine's PATH without its own quarto (the tests run with .venv/bin, where the real one is
    # linked, first on PATH): only the stand-in may be found.
    machine_path = os.pathsep.join(d for d in os.environ["PATH"].split(os.pathsep)
                                   if d and not (Path(d) / "quarto").exists())

    def run(*args, path_without_dot=False, quarto="1.11.0", **env):
        path = f"{fake}:{machine_path}"
        if path_without_dot or quarto is None:  # only the tools the script uses (`dot` too, unless without)
            tools = tmp_path / ("tools" if path_without_dot else "tools-dot")
            tools.mkdir(exist_ok=True)
            for tool in ("dirname", "sha256sum", "cut", "cat", "ls", "rm", "grep", "sed", "echo", "touch", "chmod",
                         "readlink", "ln", "mv", "mkdir", "rmdir", "mktemp", "tar", "gzip", "uname", "tail",
                         *([] if path_without_dot else ["dot"])):
                link = tools / tool
                if not link.is_symlink():  # (type -P: the program, not bash's builtin echo)
                    link.symlink_to(subprocess.run(["bash", "-c", f"type -P {tool}"], capture_output=True,
                                                   text=True, check=True).stdout.strip())
            path = f"{fake}:{tools}"
        if quarto is not None:
            stand_in(tmp_path / "quarto-bin" / "quarto", f"echo {quarto}")
            path = path.replace(f"{fake}:", f"{fake}:{tmp_path / 'quarto-bin'}:", 1)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("MLVIZ_QUARTO")}
        environ = {**environ, "PATH": path, "MLVIZ_VENV": str(venv), **env}
        proc = subprocess.run(["/bin/bash", str(SETUP), *args], capture_output=True, text=True, env=environ,
                              stdin=subprocess.DEVNULL, timeout=60)
        calls = log.read_text().splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return proc, calls

    run.venv, run.bin, run.log = venv, fake, log
    return run


def uv_installs(calls: list[str], venv: Path) -> list[str]:
    return [c for c in calls
            if c.startswith(f"uv pip install --quiet --compile-bytecode --python {venv}/bin/python -r {LOCK} |")]


def test_setup_installs_once_then_reports_up_to_date(sandbox):
    proc, calls = sandbox("setup")
    assert proc.returncode == 0, proc.stderr
    assert f"pip install --quiet uv=={script_uv_version()}" in calls
    assert len(uv_installs(calls, sandbox.venv)) == 1, calls
    assert not any(c.startswith("pip install --quiet -r") for c in calls), "uv installed the lock: pip not needed"
    assert not any("pip==" in c for c in calls), "pip is already at PIP_VERSION: no reinstall"
    stamp = (sandbox.venv / ".mlviz-lock").read_text()
    assert stamp.split()[0] == subprocess.run(["sha256sum", str(LOCK)], capture_output=True, text=True).stdout.split()[0]

    proc, calls = sandbox("setup")
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stderr
    assert not any(c.startswith(("pip install", "uv ")) for c in calls), f"second run installed: {calls}"

    (sandbox.venv / ".mlviz-lock").write_text("0000 pip==0 python==3.11.0\n")  # as after a lock edit
    proc, calls = sandbox("setup", FAKE_PIP="23.0.1")
    assert proc.returncode == 0, proc.stderr
    assert f"pip install --quiet pip=={script_pip_version()}" in calls
    assert not any("uv==" in c for c in calls), "uv is already at UV_VERSION: no reinstall"
    assert len(uv_installs(calls, sandbox.venv)) == 1, calls
    assert (sandbox.venv / ".mlviz-lock").read_text() == stamp


def test_setup_hands_pip_configured_indexes_to_uv(sandbox):
    """uv reads no pip.conf: a mirror, extra indexes and wheel folders pip is set up with reach it."""
    config = "\n".join(["global.cert='/etc/ssl/certs/ca.crt'", "global.index-url='https://mirror.example/simple'",
                        "global.extra-index-url='file:///opt/a/simple file:///opt/b/simple'",
                        "global.find-links='/opt/wheels /srv/wheels'", ":env:.find-links='/more'"])
    proc, calls = sandbox("setup", FAKE_PIP_CONFIG=config)
    assert proc.returncode == 0, proc.stderr
    [call] = uv_installs(calls, sandbox.venv)
    assert call.endswith("| DEFAULT=https://mirror.example/simple INDEX=file:///opt/a/simple file:///opt/b/simple "
                         "FIND=/opt/wheels,/srv/wheels,/more STRATEGY=unsafe-best-match"), call

    (sandbox.venv / ".mlviz-lock").unlink()  # uv's own settings win: pip's are not read at all
    proc, calls = sandbox("setup", FAKE_PIP_CONFIG=config, UV_INDEX="https://own.example/simple")
    [call] = uv_installs(calls, sandbox.venv)
    assert call.endswith("| DEFAULT= INDEX=https://own.example/simple FIND= STRATEGY="), call


def test_setup_falls_back_to_pip_when_uv_fails(sandbox):
    proc, calls = sandbox("setup", FAKE_UV_EXIT="2")
    assert proc.returncode == 0, proc.stderr
    assert len(uv_installs(calls, sandbox.venv)) == 1
    assert f"pip install --quiet -r {LOCK}" in calls
    assert "uv could not install the lock (error: no index answered); pip installs it instead" in proc.stderr
    assert (sandbox.venv / ".mlviz-lock").is_file()


def test_setup_with_pip_only(sandbox):
    proc, calls = sandbox("setup", MLVIZ_INSTALLER="pip")
    assert proc.returncode == 0, proc.stderr
    assert f"pip install --quiet -r {LOCK}" in calls
    assert not any(c.startswith("uv ") or "uv==" in c for c in calls), calls


def test_setup_of_this_venv_installs_nothing():
    """The real thing, on the venv running the tests, when the set-up script made it (as in CI)."""
    venv = Path(sys.prefix)
    stamp = venv / ".mlviz-lock"
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()
    want = f"{digest} pip=={script_pip_version()} python=={platform.python_version()}"
    if not stamp.is_file() or stamp.read_text().strip() != want:
        pytest.skip(f"{venv} was not set up by scripts/mlviz.sh from the current lock file")
    if not (venv / "bin" / "quarto").exists():
        pytest.skip(f"{venv} has no Quarto: scripts/mlviz.sh setup would install it")
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


def _setup_with_python(sandbox, tmp_path, name: str, script: str):
    """The set-up with MLVIZ_PYTHON a stand-in interpreter (a bash script) and a new venv folder."""
    py = tmp_path / name
    py.write_text(f"#!/bin/bash\n{script}\n")
    py.chmod(0o755)
    return sandbox("setup", MLVIZ_VENV=str(tmp_path / "new"), MLVIZ_PYTHON=str(py))


def test_wrong_python_version_is_named(sandbox, tmp_path):
    proc, _ = _setup_with_python(sandbox, tmp_path, "python3.12", "echo 3.12.1")
    assert proc.returncode == 1
    assert "is Python 3.12.1; mlviz needs Python 3.11.x" in proc.stderr
    assert not (tmp_path / "new").exists()


def test_missing_ensurepip_as_user_prints_the_apt_command(sandbox, tmp_path):
    proc, _ = _setup_with_python(sandbox, tmp_path, "python3", '[[ "$*" == *ensurepip* ]] && exit 1\necho 3.11.2')
    assert proc.returncode == 1
    assert "ensurepip is missing" in proc.stderr
    assert "    sudo apt-get install -y python3-venv\n" in proc.stderr


# --------------------------------------------------------------------------- set-up: Quarto
OFFLINE = "curl: (6) Could not resolve host: github.com"
HOW_TO_INSTALL = "install Quarto >= 1.4 by hand"


def fake_curl(sandbox) -> Path:
    """curl that logs its arguments and copies $FAKE_TARBALL to its -o file, or fails as offline."""
    return stand_in(sandbox.bin / "curl", f"""echo "curl $*" >> {sandbox.log}
out=""
while [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done
[ -n "${{FAKE_TARBALL:-}}" ] || {{ echo "{OFFLINE}" >&2; exit 6; }}
cat "$FAKE_TARBALL" >"$out"
""")


def release_tarball(tmp_path: Path, version: str = QUARTO_PIN) -> tuple[Path, str]:
    """A stand-in of quarto-VERSION-linux-*.tar.gz (quarto-VERSION/bin/quarto), and its sha256."""
    import io
    import tarfile
    path = tmp_path / "quarto.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for name, text, mode in [(f"quarto-{version}/bin/quarto", f"#!/bin/bash\necho {version}\n", 0o755),
                                 (f"quarto-{version}/share/version", f"{version}\n", 0o644)]:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(text), mode
            tar.addfile(info, io.BytesIO(text.encode()))
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def quarto_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "quarto" in line.lower()]


def test_setup_links_a_supported_quarto_on_path(sandbox, tmp_path):
    fake_curl(sandbox)
    proc, calls = sandbox("setup")
    assert proc.returncode == 0, proc.stderr
    link = sandbox.venv / "bin" / "quarto"
    assert link.resolve() == (tmp_path / "quarto-bin" / "quarto").resolve()
    assert not any(c.startswith("curl") for c in calls), "a quarto was on PATH: nothing to download"
    assert quarto_lines(proc.stderr) == [f"mlviz: using Quarto 1.11.0 at {tmp_path / 'quarto-bin' / 'quarto'} "
                                         f"(linked as {link})"]
    assert not (sandbox.venv / "opt").exists()

    proc, calls = sandbox("setup")  # unchanged: nothing to say
    assert proc.returncode == 0 and quarto_lines(proc.stderr) == [], proc.stderr

    newer = stand_in(tmp_path / "newer" / "quarto", "echo 1.12.1")  # another one first on PATH: followed
    proc, calls = sandbox("setup", PATH=f"{newer.parent}:{sandbox.bin}:{os.environ['PATH']}")
    assert proc.returncode == 0, proc.stderr
    assert link.resolve() == newer.resolve() and "using Quarto 1.12.1" in proc.stderr

    proc, calls = sandbox("setup", quarto=None)  # none on PATH now: the one linked still runs, kept
    assert proc.returncode == 0, proc.stderr
    assert link.resolve() == newer.resolve() and not any(c.startswith("curl") for c in calls)


def test_setup_without_usable_quarto_offline_says_how_to_install(sandbox):
    fake_curl(sandbox)
    proc, calls = sandbox("setup", quarto="1.3.450")
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert all(line.startswith("mlviz: ") for line in lines), proc.stderr  # nothing but the script's lines
    assert "is Quarto 1.3.450, older than the 1.4 mlviz needs; downloading Quarto" in lines[0]
    assert len(lines) == 2 and OFFLINE in lines[1] and HOW_TO_INSTALL in lines[1], proc.stderr
    for way in ("https://quarto.org/docs/download/", "conda-forge", "MLVIZ_QUARTO=/path/to/quarto"):
        assert way in lines[1]
    curl = [c for c in calls if c.startswith("curl")]
    assert len(curl) == 1 and "--connect-timeout" in curl[0], "one time-limited try"
    assert not (sandbox.venv / "bin" / "quarto").exists()
    assert not any(c.startswith("pip install") for c in calls), "stops before the long pip step"


@pytest.mark.skipif(platform.machine() not in ("x86_64", "amd64", "aarch64", "arm64"),
                    reason="no Quarto release is pinned for this machine")
def test_setup_installs_nothing_when_the_checksum_differs(sandbox, tmp_path):
    fake_curl(sandbox)
    tarball, _ = release_tarball(tmp_path)
    proc, calls = sandbox("setup", quarto=None, FAKE_TARBALL=str(tarball))
    assert proc.returncode == 1
    assert "checksum" in proc.stderr and "did not match" in proc.stderr and HOW_TO_INSTALL in proc.stderr
    url = (f"https://github.com/quarto-dev/quarto-cli/releases/download/v{QUARTO_PIN}/quarto-{QUARTO_PIN}-"
           f"linux-{'arm64' if platform.machine() in ('aarch64', 'arm64') else 'amd64'}.tar.gz")
    assert any(url in c for c in calls if c.startswith("curl")), calls
    assert not (sandbox.venv / "bin" / "quarto").exists()
    assert not (sandbox.venv / "opt").exists(), "the download was not cleaned up"


def test_setup_installs_the_pinned_release_once(sandbox, tmp_path):
    fake_curl(sandbox)
    tarball, sha = release_tarball(tmp_path)
    env = dict(quarto=None, FAKE_TARBALL=str(tarball), MLVIZ_QUARTO_SHA256=sha,
               MLVIZ_QUARTO_URL="https://mirror.example/quarto.tar.gz")
    proc, calls = sandbox("setup", **env)
    assert proc.returncode == 0, proc.stderr
    curl = [c for c in calls if c.startswith("curl")]
    assert len(curl) == 1 and curl[0].endswith(" https://mirror.example/quarto.tar.gz"), calls
    home = sandbox.venv / "opt" / f"quarto-{QUARTO_PIN}"
    link = sandbox.venv / "bin" / "quarto"
    assert link.resolve() == (home / "bin" / "quarto").resolve()
    assert subprocess.run([link, "--version"], capture_output=True, text=True).stdout.strip() == QUARTO_PIN
    assert f"mlviz: installed Quarto {QUARTO_PIN} into {home}" in proc.stderr
    assert sorted(p.name for p in (sandbox.venv / "opt").iterdir()) == [home.name]

    proc, calls = sandbox("setup", **env)
    assert proc.returncode == 0, proc.stderr
    assert not any(c.startswith("curl") for c in calls), "second run downloaded again"
    assert quarto_lines(proc.stderr) == []

    proc, calls = sandbox("setup", **env, PATH=f"{tmp_path / 'quarto-bin'}:{os.environ['PATH']}")
    assert proc.returncode == 0 and link.resolve() == (home / "bin" / "quarto").resolve(), \
        "the pinned release, once installed, stays in use"


def test_setup_uses_mlviz_quarto(sandbox, tmp_path):
    mine = stand_in(tmp_path / "mine" / "quarto", "echo 1.4.550")
    fake_curl(sandbox)
    proc, calls = sandbox("setup", MLVIZ_QUARTO=str(mine))  # before the stand-in on PATH, 1.11.0
    assert proc.returncode == 0, proc.stderr
    assert (sandbox.venv / "bin" / "quarto").resolve() == mine.resolve()
    assert f"using Quarto 1.4.550 at {mine}" in proc.stderr
    assert not any(c.startswith("curl") for c in calls)

    old = stand_in(tmp_path / "old" / "quarto", "echo 1.3.450")
    proc, _ = sandbox("setup", MLVIZ_QUARTO=str(old))
    assert proc.returncode == 1
    assert proc.stderr == f"mlviz: MLVIZ_QUARTO={old} is Quarto 1.3.450; mlviz needs Quarto >= 1.4\n"
    proc, _ = sandbox("setup", MLVIZ_QUARTO=str(tmp_path / "missing"))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "is not an executable file" in proc.stderr
    assert (sandbox.venv / "bin" / "quarto").resolve() == mine.resolve()


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
