"""What identifies a run: the config hash, the git commit and the package versions. Only the
rules that record provenance (report, manifest) import this: it runs git and reads package
metadata, which a drawing job need not pay for."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

PACKAGES = ["numpy", "pandas", "pyarrow", "scikit-learn", "matplotlib", "shap", "lime",
            "xgboost-cpu", "tensorflow-cpu", "keras", "opencv-python-headless", "skops", "snakemake"]


def config_hash(config: dict) -> str:
    blob = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@lru_cache(maxsize=4)
def git_state(configfiles: tuple[str, ...] = ()) -> tuple[str, bool]:
    """(commit, dirty) of the workflow's checkout, or ('unknown', False) outside git."""
    return checkout_state(Path(__file__).resolve().parents[3], configfiles)


def checkout_state(root: Path, configfiles=()) -> tuple[str, bool]:
    """(commit, dirty) of the git checkout at root. Dirty: a tracked file changed, or a config file
    of the run that lies in the checkout is not committed (untracked or ignored): either way the
    commit alone does not give the run. A config file outside the checkout is the user's own,
    identified by the config hash."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                    capture_output=True, text=True, check=True).stdout.strip())
        top = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=root, capture_output=True, text=True,
                                  check=True).stdout.strip()).resolve()
        for f in configfiles:
            path = Path(f).resolve()
            if top in path.parents and subprocess.run(["git", "ls-files", "--error-unmatch", str(path)], cwd=root,
                                                       capture_output=True).returncode != 0:
                dirty = True
        return commit, dirty
    except (OSError, subprocess.CalledProcessError):
        return "unknown", False


@lru_cache(maxsize=1)
def package_versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def run_provenance(config: dict, configfiles=()) -> dict:
    """configfiles: the config files the run read (a --configfile, or the demo's)."""
    commit, dirty = git_state(tuple(str(f) for f in configfiles))
    return {"run": config["run"], "commit": commit, "dirty": dirty, "config_hash": config_hash(config),
            "packages": package_versions()}
