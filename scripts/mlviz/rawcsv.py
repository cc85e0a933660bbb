"""Reading a raw CSV at the door: existence, emptiness, header. Light: used at parse time."""
from __future__ import annotations

import csv
from pathlib import Path

from .errors import InputError


def read_header(path: str | Path) -> list[str]:
    """The CSV's column names; InputError if the file is missing, empty or has duplicate names."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found (expected a CSV file; check the source's `path` in config)")
    if path.stat().st_size == 0:
        raise InputError(f"{path}: file is empty (expected a CSV with a header row and data rows)")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        first_row = next(reader, None)
    if not header or all(not h.strip() for h in header):
        raise InputError(f"{path}: no header row (expected column names on the first line)")
    if first_row is None:
        raise InputError(f"{path}: has a header but no data rows")
    names = [h.strip() for h in header]
    seen, dups = set(), []
    for n in names:
        if n in seen and n not in dups:
            dups.append(n)
        seen.add(n)
    if dups:
        raise InputError(f"{path}: duplicate column name(s) {', '.join(map(repr, dups))} (expected unique names)")
    return names
