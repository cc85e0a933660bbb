"""Reading a raw CSV at the door: its encoding and delimiter (detected unless configured), its
header, its numbers as their owner wrote them (decimal comma or point, thousands separators:
detected from every number column of the file unless configured) and its cells as text. Every
problem is an InputError naming the file and what was expected. Raw files are only ever read.

The standard library suffices for the checks that run at parse time; pandas reads the table.
"""
from __future__ import annotations

import csv
import io
import re
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
    line = data[:err.start].decode(encoding, errors="replace").count("\n") + 1
    marked = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    hint = (f"the file begins with a {marked} byte-order mark: set the source's encoding: {marked}" if marked else
            "it holds NUL bytes, as UTF-16 and UTF-32 text does: set the source's encoding (for example encoding: "
            "utf-16-le)" if b"\x00" in data[:4096] else "set the source's encoding (for example encoding: latin-1)")
    return InputError(f"{path}: not readable as {encoding} (byte 0x{data[err.start]:02x} on line {line}); "
                      f"{hint} or leave it to auto")


# Byte-order marks, longest first: UTF-32's little-endian mark begins with UTF-16's.
_BOMS = [(b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xfe\xff", "utf-16"), (b"\xff\xfe", "utf-16")]


def detect_encoding(path: str | Path) -> str:
    """From a byte-order mark: UTF-32, UTF-8 (utf-8-sig) or UTF-16. Otherwise UTF-16 without a mark
    when every other byte is NUL, utf-8 when the whole file decodes as UTF-8, else cp1252 (Windows'
    Western European, a superset of Latin-1's printable characters), else latin-1, which decodes
    any byte. Other NUL bytes: not a text file, refused."""
    path = Path(path)
    data = _bytes(path)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    if b"\x00" in data:
        sample = data[:4096]
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) == len(odd) > 0 and even.count(0) == 0:
            return "utf-16-le"
        if even.count(0) == len(even) > 0 and odd.count(0) == 0:
            return "utf-16-be"
        raise InputError(f"{path}: holds NUL bytes, which no CSV text has (expected a text file; if it is UTF-16 "
                         "or UTF-32 without a byte-order mark, set the source's encoding, e.g. encoding: utf-16-le)")
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
        text = chunk.decode(encoding)
    except UnicodeDecodeError as e:
        if limit is not None and e.start >= len(chunk) - 4:  # a character cut at the sample's end
            text = chunk[:e.start].decode(encoding)
        else:
            raise _decode_error(path, data, encoding, e) from None
    except LookupError:
        raise InputError(f"{path}: unknown encoding {encoding!r} (expected a Python codec name such as "
                         "utf-8, latin-1 or cp1252, or auto)") from None
    if "\x00" in text:
        raise InputError(f"{path}: read as {encoding}, the text holds NUL characters (a UTF-16 or UTF-32 file read "
                         "as another encoding?); set the source's encoding (for example encoding: utf-16) or leave "
                         "it to auto")
    return text


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


def read_table(path: str | Path, *, encoding: str, sep: str, na_values: list[str], decimal: str = ".",
               thousands: str = "none"):
    """All cells as text (nothing guessed), the na_values as missing, the numbers of each number
    column rewritten with a decimal point and no thousands separator ("51,89" → "51.89" with
    decimal ",", "2.118" → "2118" with thousands "."), so that every later step reads them alike;
    index `row` = the 0-based data-row number. attrs["lines"]: the line of the file each row starts
    on, when blank lines or quoted line breaks make it other than row + 2 (else None). Never writes."""
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
    df.attrs["lines"] = row_lines(_text(path, encoding), sep, len(df))
    return with_numbers(df, decimal, thousands)


def with_numbers(df, decimal: str, thousands: str):
    """The table with every number column's numbers rewritten plainly (normalise_numbers)."""
    if (decimal, thousands) != (".", "none"):
        for c in df.columns:
            df[c] = normalise_numbers(df[c], decimal, thousands)
    return df


def row_lines(text: str, sep: str, rows: int) -> list[int] | None:
    """The line (1-based) each data row starts on, when it is not row + 2: pandas skips blank lines
    and reads a quoted line break as part of its cell."""
    if len(text.splitlines()) == rows + 1:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    starts, previous = [], 0
    for record in reader:
        start, previous = previous + 1, reader.line_num
        if record and not (len(record) == 1 and not record[0].strip()):
            starts.append(start)
    return starts[1:] if len(starts) == rows + 1 else None


# ----------------------------------------------------------------------------- numbers
_PLAIN = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _grouped(sep: str, decimal: str | None) -> re.Pattern:
    """A number grouped by threes with `sep` ("2.118", "12,345.6"; without decimals when `decimal` is
    None); no leading zero."""
    fraction = "" if decimal is None else rf"(?:{re.escape(decimal)}\d+)?"
    return re.compile(rf"[-+]?[1-9]\d{{0,2}}(?:{re.escape(sep)}\d{{3}})+{fraction}")


_COMMA_DECIMAL = re.compile(r"[-+]?\d*,\d+")
_DOT_GROUPED, _COMMA_GROUPED = _grouped(".", ","), _grouped(",", ".")
_DOT_GROUPED_INT, _COMMA_GROUPED_INT = _grouped(".", None), _grouped(",", None)


def _number_like(cell: str) -> bool:
    return bool(_PLAIN.fullmatch(cell) or _COMMA_DECIMAL.fullmatch(cell) or _DOT_GROUPED.fullmatch(cell)
                or _COMMA_GROUPED.fullmatch(cell))


def _cells(values) -> list[str]:
    return [str(v).strip() for v in values.dropna().unique()]


def number_format(df, path, decimal: str = "auto", thousands: str = "auto") -> dict:
    """{decimal, thousands} of a source: as configured, `auto` ones detected (detect_number_format)."""
    if decimal != "auto" and decimal == thousands:
        raise InputError(f"{path}: decimal and thousands are both {decimal!r} (expected two different marks; "
                         "set the source's decimal: and thousands:)")
    if decimal == "auto" and thousands in (".", ","):
        decimal = "," if thousands == "." else "."
    if decimal == "auto":
        decimal, found = detect_number_format(df, path)
        thousands = found if thousands == "auto" else thousands
    elif thousands == "auto":
        _, thousands = detect_number_format(df, path, decimal)
    return {"decimal": decimal, "thousands": thousands}


def detect_number_format(df, path, decimal: str | None = None) -> tuple[str, str]:
    """(decimal, thousands) of a table's numbers, from every column whose cells are all numbers in
    some writing: the decimal mark is the comma when more columns hold a number that only a decimal
    comma reads ("51,89", "1.234,5") than one that only a decimal point reads ("3.14", "0.125"); the
    other mark is the thousands separator when some column holds it, every time grouped by threes
    ("2.118"). A column of numbers that reads both ways ("2,118" with no decimal mark anywhere in the
    file) is refused, naming the keys that settle it: never silently read a thousand times off."""
    comma, point, columns = 0, 0, {}
    for c in df.columns:
        cells = _cells(df[c])
        if not cells or not all(_number_like(x) for x in cells):
            continue
        columns[c] = cells
        comma += any((_COMMA_DECIMAL.fullmatch(x) and not _COMMA_GROUPED_INT.fullmatch(x))
                     or (_DOT_GROUPED.fullmatch(x) and "," in x) for x in cells)
        point += any((_PLAIN.fullmatch(x) and "." in x and not _DOT_GROUPED_INT.fullmatch(x))
                     or (_COMMA_GROUPED.fullmatch(x) and "." in x) for x in cells)
    decimal = decimal or ("," if comma > point else ".")
    mark = "." if decimal == "," else ","
    grouped_int = _DOT_GROUPED_INT if mark == "." else _COMMA_GROUPED_INT
    grouped = _grouped(mark, decimal)
    thousands = "none"
    for c, cells in columns.items():
        marked = [x for x in cells if mark in x]
        if marked and all(grouped.fullmatch(x) for x in marked):
            thousands = mark
            if mark == "," and comma == point == 0 and all(grouped_int.fullmatch(x) for x in marked):
                x = marked[0]
                raise InputError(f"{path}: column {c!r} holds numbers such as {x!r} that read as "
                                 f"{x.replace(',', '.')} with a decimal comma or as {x.replace(',', '')} with a "
                                 "thousands comma, and no other number in the file tells which (set the source's "
                                 "decimal: ',' or thousands: ',')")
    return decimal, thousands


def normalise_numbers(values, decimal: str, thousands: str):
    """A column's numbers written with a decimal point and no thousands separator, when (nearly)
    every cell is a number in the file's writing; a column whose cells with the thousands mark are
    not all grouped by threes keeps them as written (that mark is no thousands separator there)."""
    cells = _cells(values)
    if not cells:
        return values
    grouped = _grouped(thousands, decimal) if thousands != "none" else None
    group_here = grouped is not None and all(grouped.fullmatch(x) for x in cells if thousands in x)

    def plain(x: str) -> str | None:
        if group_here and grouped.fullmatch(x):
            x = x.replace(thousands, "")
        if decimal == "," and _COMMA_DECIMAL.fullmatch(x):
            x = x.replace(",", ".")
        return x if _PLAIN.fullmatch(x) else None

    mapped = {x: plain(x) for x in cells}
    if sum(v is not None for v in mapped.values()) < 0.9 * len(cells):
        return values
    changed = {x: v for x, v in mapped.items() if v is not None and v != x}
    if not changed:
        return values
    stripped = values.str.strip()
    return stripped.map(changed).where(stripped.isin(list(changed)), values)


def describe_sep(sep: str) -> str:
    return _NAMES.get(sep, repr(sep))
