"""config/schema.yaml: the config's types, closed keys and every default, and its validation
with one-line errors. Light (jsonschema and yaml only): the Snakefile and every figure job
(mlviz.plots.style reads the style defaults) import it."""
from __future__ import annotations

import copy
import re
from functools import lru_cache
from pathlib import Path

from ..errors import InputError

SCHEMA = Path(__file__).resolve().parents[3] / "config" / "schema.yaml"


@lru_cache(maxsize=1)
def schema() -> dict:
    import yaml

    # libyaml's loader when PyYAML has it: the same data, 10 times faster (0.2 s of every workflow start)
    return yaml.load(SCHEMA.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def defaults(*keys: str):
    """A schema default, e.g. defaults('style') → the style section's defaults."""
    node = schema()
    for k in keys:
        node = node["definitions"][k] if "definitions" in node and k in node["definitions"] else node["properties"][k]
    return {k: v["default"] for k, v in node.get("properties", {}).items() if "default" in v}


def validator_class():
    """jsonschema's Draft 2020-12 validator that fills in `default:` values while it validates:
    the recipe snakemake.utils.validate uses (from jsonschema's FAQ), kept here so that an error
    can be reported as one line instead of a schema dump."""
    from jsonschema import Draft202012Validator, validators

    validate_properties = Draft202012Validator.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema_):
        if isinstance(instance, dict):
            for prop, sub in properties.items():
                if "default" in sub:
                    instance.setdefault(prop, copy.deepcopy(sub["default"]))
        yield from validate_properties(validator, properties, instance, schema_)

    return validators.extend(Draft202012Validator, {"properties": set_defaults})


def _key(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def one_line(err, prefix: str = "") -> str:
    """A jsonschema error as: config key <path>: <what was expected>."""
    key = ".".join(k for k in (prefix, _key(err.absolute_path)) if k)
    where = f"config key {key}" if key else "config"
    inst, v = err.instance, err.validator
    if v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = [k for k in inst if k not in allowed]
        name = f"{key}.{extra[0]}" if key else extra[0]
        return f"config key {name}: unknown key (expected one of: {', '.join(allowed)})"
    if v == "required":
        missing = re.findall(r"'([^']+)' is a required property", err.message)
        return f"{where}: missing key {missing[0] if missing else err.message!r}"
    if v == "const":
        return f"{where}: {inst!r} is not allowed (expected {err.schema.get('description', repr(err.validator_value))})"
    if v == "enum":
        return f"{where}: {inst!r} is not one of: {', '.join(map(str, err.validator_value))}"
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, str) else " or ".join(err.validator_value)
        return f"{where}: expected {want}, got {inst!r}"
    if v == "pattern":
        what = err.schema.get("description", f"text matching {err.validator_value}")
        return f"{where}: {inst!r} is not {what if what.startswith(('a ', 'an ')) else 'valid: ' + what}"
    if v == "propertyNames" or (err.parent is not None and err.parent.validator == "propertyNames"):
        return f"{where}: {inst!r} is not a valid name (a letter, then letters, digits or _)"
    if v in ("oneOf", "anyOf"):
        return f"{where}: {inst!r} is not valid (expected {err.schema.get('description', 'see config/README.md')})"
    message = err.message if len(err.message) < 200 else err.message[:200] + "..."
    return f"{where}: {message}"


def validate(config: dict) -> None:
    """Fill in the schema's defaults (in place) and check types and keys; InputError in one line."""
    from jsonschema.exceptions import best_match

    err = best_match(validator_class()(schema()).iter_errors(config))
    if err is not None:
        raise InputError(one_line(err))


