"""What every rule script shares: logging to the rule's log, bad input reported in one line,
deterministic writes and provenance."""
from __future__ import annotations

import hashlib
import json
import logging
import subprocess
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .errors import InputError

log = logging.getLogger("mlviz")

PACKAGES = ["numpy", "pandas", "pyarrow", "scikit-learn", "matplotlib", "shap", "lime",
            "xgboost-cpu", "tensorflow-cpu", "keras", "opencv-python-headless", "skops", "snakemake"]


def run(main, smk) -> None:
    """Run a rule script's main(smk): stderr and logging go to the rule's log; an InputError is
    printed as one line on the terminal too, and the job fails (Snakemake removes its outputs)."""
    logfile = open(smk.log[0], "w") if smk.log else sys.stderr
    sys.stderr = logfile
    logging.basicConfig(stream=logfile, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", force=True)
    try:
        main(smk)
    except InputError as e:
        print(f"mlviz: {e}", file=logfile)
        print(f"mlviz: {e}", file=sys.__stderr__)
        sys.exit(1)
    finally:
        logfile.flush()


def config_hash(config: dict) -> str:
    blob = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@lru_cache(maxsize=1)
def git_state() -> tuple[str, bool]:
    """(commit, dirty) of the workflow's checkout, or ('unknown', False) outside git."""
    root = Path(__file__).resolve().parents[2]
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                    capture_output=True, text=True, check=True).stdout.strip())
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


def provenance(config: dict) -> dict[str, str]:
    """Text that identifies how an artifact was made; no timestamps, so identical inputs give identical bytes."""
    commit, dirty = git_state()
    return {
        "mlviz:run": str(config.get("run", "")),
        "mlviz:config_hash": config_hash(config),
        "mlviz:git_commit": commit + ("-dirty" if dirty else ""),
        "mlviz:packages": json.dumps(package_versions(), sort_keys=True),
    }


def write_parquet(df, path) -> None:
    """Parquet written the same way everywhere: pyarrow, zstd, index kept only when it is named."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Row groups of 100 000 rows let large tables be read in pieces.
    df.to_parquet(path, engine="pyarrow", compression="zstd", index=df.index.name is not None,
                  row_group_size=100_000)


def write_json(obj, path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")
