"""Reading a raw CSV at the door: its encoding and delimiter (detected unless configured), its
header, and its cells as text. Every problem is an InputError naming the file and what was
expected. Raw files are only ever read.

The standard library suffices for the checks that run at parse time; pandas reads the table.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..errors import InputError

DELIMITERS = [",", ";", "\t", "|"]
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
SNIFF_BYTES = 1 << 16


def _bytes(path: Path, limit: int | None = None) -> bytes:
    if not path.is_file():
        raise InputError(f"{path}: file not found (expected a CSV file; check the source's path in config)")
    with path.open("rb") as f:
        data = f.read() if limit is None else f.read(limit)
    if not data.strip():
        raise InputError(f"{path}: file is empty (expected a CSV with a header row and data rows)")
    return data


def _decode_error(path: Path, data: bytes, encoding: str, err: UnicodeDecodeError) -> InputError:
    line = data[:err.start].count(b"\n") + 1
    return InputError(f"{path}: not readable as {encoding} (byte 0x{data[err.start]:02x} on line {line}); "
                      "set the source's encoding (for example encoding: latin-1) or leave it to auto")


def detect_encoding(path: str | Path) -> str:
    """utf-8 (utf-8-sig with a byte-order mark) when the whole file decodes as UTF-8, else cp1252
    (Windows' Western European, a superset of Latin-1's printable characters), else latin-1,
    which decodes any byte."""
    path = Path(path)
    data = _bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _text(path: Path, encoding: str, limit: int | None = None) -> str:
    chunk = data = _bytes(path, limit)
    try:
        return chunk.decode(encoding)
    except UnicodeDecodeError as e:
        if limit is not None and e.start >= len(chunk) - 4:  # a character cut at the sample's end
            return chunk[:e.start].decode(encoding)
        raise _decode_error(path, data, encoding, e) from None
    except LookupError:
        raise InputError(f"{path}: unknown encoding {encoding!r} (expected a Python codec name such as "
                         "utf-8, latin-1 or cp1252, or auto)") from None


def _lines(text: str, n: int = 50) -> list[str]:
    lines = text.splitlines()
    if len(lines) > n:
        lines = lines[:n]
    elif lines and not text.endswith(("\n", "\r")) and len(text) >= SNIFF_BYTES - 4:
        lines = lines[:-1]  # the sample cut the last line
    return lines


def detect_sep(path: str | Path, encoding: str) -> str:
    """The delimiter that splits the header into the most columns and every sampled line into as
    many (quotes respected); a comma when none splits the header."""
    path = Path(path)
    lines = _lines(_text(path, encoding, SNIFF_BYTES))
    best, best_width = ",", 1
    for sep in DELIMITERS:
        rows = list(csv.reader(lines, delimiter=sep))
        widths = {len(r) for r in rows if r}
        if len(widths) == 1 and (w := widths.pop()) > best_width:
            best, best_width = sep, w
    return best


def read_header(path: str | Path, *, encoding: str, sep: str) -> list[str]:
    """The CSV's column names; InputError if the file is missing, empty, undecodable, has no data
    rows, duplicate names, or is one column that another delimiter would split."""
    path = Path(path)
    text = _text(path, encoding, SNIFF_BYTES)
    rows = csv.reader(io.StringIO(text), delimiter=sep)
    header, first = next(rows, None), next(rows, None)
    if not header or all(not h.strip() for h in header):
        raise InputError(f"{path}: no header row (expected column names on the first line)")
    if first is None:
        raise InputError(f"{path}: has a header but no data rows")
    names = [h.strip() for h in header]
    if len(names) == 1:
        other = next((d for d in DELIMITERS if d != sep and d in names[0]), None)
        if other:
            raise InputError(f"{path}: read with sep {sep!r} the header is one column {names[0]!r}; it looks "
                             f"{_NAMES[other]}-separated: set sep: {other!r} for this source (or sep: auto)")
    seen, dups = set(), []
    for n in names:
        if n in seen and n not in dups:
            dups.append(n)
        seen.add(n)
    if dups:
        raise InputError(f"{path}: duplicate column name(s) {', '.join(map(repr, dups))} (expected unique names)")
    if any(not n for n in names):
        raise InputError(f"{path}: column {names.index('') + 1} has no name (expected a name for every column)")
    return names


def read_table(path: str | Path, *, encoding: str, sep: str, na_values: list[str]):
    """All cells as text (nothing guessed), the na_values as missing; index `row` = the 0-based
    data-row number. Never writes."""
    import pandas as pd

    path = Path(path)
    read_header(path, encoding=encoding, sep=sep)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=list(na_values),
                         encoding=encoding, sep=sep)
    except UnicodeDecodeError as e:
        raise _decode_error(path, path.read_bytes(), encoding, e) from None
    except pd.errors.ParserError as e:
        raise InputError(f"{path}: not a regular {_NAMES.get(sep, repr(sep))}-separated table ({e}); "
                         "check sep and quoting") from None
    df.columns = [c.strip() for c in df.columns]
    df.index.name = "row"
    return df


def describe_sep(sep: str) -> str:
    return _NAMES.get(sep, repr(sep))
