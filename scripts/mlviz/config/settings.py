"""The run's configuration, as the rules read it: validated against config/schema.yaml (whose
`default:` values are the only defaults), then resolved against the data, so that every `auto`
becomes the choice it stands for (mlviz.config.infer, mlviz.config.selection) and every cross-reference is
checked (mlviz.config.checks) — all at parse time, before any job runs. Every problem is one InputError
line naming the file, column or config key and what was expected.

Reading a table to infer its recipe costs seconds for a large file, so the summary of each table
(mlviz.sources.profile) is cached under .snakemake/mlviz/, keyed by the file's path, size, modification
time and read options: a no-op run reads no data.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

from ..errors import InputError
from .schema import one_line, schema, validate, validator_class

CACHE = Path(".snakemake") / "mlviz" / "profiles"


# ----------------------------------------------------------------------------- sources
def _looks_like_path(text: str) -> bool:
    return "/" in text or text.lower().endswith((".csv", ".tsv", ".txt")) or Path(text).is_file()


def normalise_sources(cfg: dict) -> None:
    """Every dataset's `source` becomes the name of an entry under `sources` (a path or an object
    given in the dataset is registered under the dataset's name)."""
    sources = cfg["sources"]
    for name, ds in cfg["datasets"].items():
        src, key = ds["source"], f"datasets.{name}.source"
        if isinstance(src, str) and src in sources:
            continue
        if isinstance(src, str) and not _looks_like_path(src):
            known = ", ".join(sources) or "none"
            raise InputError(f"config key {key}: {src!r} is neither a name under sources ({known}) nor the path of "
                             "a CSV file")
        entry = {"path": src} if isinstance(src, str) else dict(src)
        _validate_source(entry, key)
        sname = name if name not in sources else f"{name}_csv"
        sources[sname] = entry
        ds["source"] = sname


def _validate_source(entry: dict, key: str) -> None:
    """A source given inline in a dataset, checked like an entry under `sources` (defaults filled)."""
    from jsonschema.exceptions import best_match

    sub = {"definitions": schema()["definitions"], "$ref": "#/definitions/source"}
    err = best_match(validator_class()(sub).iter_errors(entry))
    if err is not None:
        raise InputError(one_line(err, prefix=key))


def check_source(name: str, src: dict) -> None:
    key = f"sources.{name}"
    if "generator" in src and "path" in src:
        raise InputError(f"config key {key}: give either path or generator, not both")
    if "generator" not in src and "path" not in src:
        raise InputError(f"config key {key}: give a path (a CSV file) or a generator")
    if "path" in src and ("rows" in src or "seed" in src):
        raise InputError(f"config key {key}: rows and seed are for generators, not for a CSV path")


def read_options(name: str, src: dict) -> dict:
    """encoding and sep, detected where they are `auto`, and the header checked."""
    from ..sources import csvfile

    if "generator" in src:
        return {"encoding": "utf-8", "sep": ",", "na_values": src["na_values"], "decimal": ".", "thousands": "none"}
    path = src["path"]
    encoding = csvfile.detect_encoding(path) if src["encoding"] == "auto" else src["encoding"]
    sep = csvfile.detect_sep(path, encoding) if src["sep"] == "auto" else src["sep"]
    csvfile.read_header(path, encoding=encoding, sep=sep)
    return {"encoding": encoding, "sep": sep, "na_values": list(src["na_values"]), "decimal": src["decimal"],
            "thousands": src["thousands"]}


# ----------------------------------------------------------------------------- profiles
def _cache_key(src: dict) -> str:
    from ..sources import profile

    if "generator" in src:
        from ..sources import demo

        ident = {"generator": src["generator"], "rows": src.get("rows"), "seed": src.get("seed", 42),
                 "code": hashlib.sha256(Path(demo.__file__).read_bytes()).hexdigest()}
    else:
        st = Path(src["path"]).stat()
        ident = {"path": str(Path(src["path"]).resolve()), "size": st.st_size, "mtime": st.st_mtime_ns,
                 "encoding": src["encoding"], "sep": src["sep"], "na": src["na_values"],
                 "numbers": [src["decimal"], src["thousands"]]}
    ident["version"] = profile.VERSION
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:24]


def source_profile(src: dict, opts: dict, cache: Path | None = CACHE) -> dict:
    """The summary of a source's table (mlviz.sources.profile), from the cache when the file is
    unchanged; its `numbers` say how the file writes numbers (the read options' `auto` decided)."""
    key = _cache_key({**src, **opts})
    hit = cache / f"{key}.json" if cache else None
    if hit is not None and hit.is_file():
        return json.loads(hit.read_text())
    from ..sources import csvfile, profile

    if "generator" in src:
        import tempfile

        from ..sources import demo

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "demo.csv"
            demo.write_csv(demo.generate(src["generator"], rows=src.get("rows"), seed=src.get("seed", 42)), path)
            table = csvfile.read_table(path, **opts)
        numbers = {"decimal": ".", "thousands": "none"}
    else:
        plain = {k: v for k, v in opts.items() if k not in ("decimal", "thousands")}
        table = csvfile.read_table(src["path"], **plain)
        numbers = csvfile.number_format(table, src["path"], opts["decimal"], opts["thousands"])
        table = csvfile.with_numbers(table, **numbers)
    summary = {**profile.table_profile(table), "numbers": numbers}
    if hit is not None:
        hit.parent.mkdir(parents=True, exist_ok=True)
        tmp = hit.with_suffix(".tmp")
        tmp.write_text(json.dumps(summary))
        tmp.replace(hit)
    return summary


# ----------------------------------------------------------------------------- the whole config
def run_name(config: dict, configfiles: list[str]) -> str:
    if config.get("run"):
        return config["run"]
    stem = Path(configfiles[-1]).stem if configfiles else "mlviz"
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("_-") or "mlviz"
    return name if name[0].isalnum() else f"run_{name}"


def resolve(config: dict, *, configfiles: list[str] | None = None, cache: Path | None = CACHE) -> tuple[dict, dict]:
    """(the resolved config, notes per dataset). `config` is left as it is."""
    from . import checks, infer, selection

    cfg = copy.deepcopy(config)
    if not cfg.get("run"):
        cfg["run"] = run_name(cfg, configfiles or [])
    validate(cfg)
    normalise_sources(cfg)
    used = {ds["source"] for ds in cfg["datasets"].values()}
    options, profiles = {}, {}
    for name, src in cfg["sources"].items():
        check_source(name, src)
        if name not in used:
            continue
        options[name] = read_options(name, src)
        profiles[name] = source_profile(src, options[name], cache)
        src.update({"encoding": options[name]["encoding"], "sep": options[name]["sep"], **profiles[name]["numbers"]})
    notes = {}
    for name, ds in cfg["datasets"].items():
        src = cfg["sources"][ds["source"]]
        path = src.get("path") or f"results/{cfg['run']}/raw/{ds['source']}.csv"
        cfg["datasets"][name], notes[name] = infer.resolve_dataset(name, ds, profiles[ds["source"]], path)
        notes[name]["first_labelled_row"] = _first_labelled_row(profiles[ds["source"]], ds)
        if notes[name]["rows_without_target"]:
            notes[name]["unlabelled_rows"] = profiles[ds["source"]]["profile"][ds["target"]["column"]]["missing_rows"] or []
    selection.resolve(cfg)
    checks.check(cfg, notes)
    return cfg, notes


def _first_labelled_row(profile: dict, ds: dict) -> int | None:
    """The first CSV row with a target value (the default SHAP instance)."""
    from .infer import FILL_RULES

    tcol = ds["target"]["column"]
    col = profile["profile"][tcol]
    fill = ds["preprocess"]["fill_missing"].get(tcol)
    if col["missing"] == 0 or (fill is not None and fill not in FILL_RULES):
        return 0
    return col["first_row"]
