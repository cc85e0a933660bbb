"""What a raw table holds, column by column: missing cells, distinct values, whether the cells are
numbers (and whole numbers), the most frequent levels. The inference of a dataset's task, classes
and recipe (mlviz.config.infer) reads only this summary, so the table is read once and the summary is
cached beside the workflow's own state (see mlviz.config.settings)."""
from __future__ import annotations

import math
import re

VERSION = 4  # bump when the summary's content changes: cached summaries are then recomputed
MAX_LEVELS = 200  # levels kept per column (by count); more only counts
# Cell text that looks like a date or a date and time: ISO and its slashed or dotted forms,
# day/month/year in either order, and month names. Whether each really is a date is then
# left to pandas' parser, so "2021-13-45", which no calendar has, is not one.
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?[ap]\.?m\.?)?(?:z|[+-]\d{2}:?\d{2})?)?"
_DATE = re.compile(
    rf"(?:\d{{4}}[-/.]\d{{1,2}}(?:[-/.]\d{{1,2}})?|\d{{1,2}}[-/.]\d{{1,2}}[-/.]\d{{2,4}}"
    rf"|(?:\d{{1,2}}[ -])?{_MONTH}[ -](?:\d{{1,2}},? )?\d{{4}}){_TIME}", re.IGNORECASE)


def _dates(levels) -> bool:
    """Every distinct text is a calendar date (or date and time)."""
    import pandas as pd

    texts = pd.Series(list(levels), dtype=object).astype(str).str.strip()
    if not len(texts) or not texts.map(lambda t: bool(_DATE.fullmatch(t))).all():
        return False
    parsed = pd.to_datetime(texts, errors="coerce", format="mixed", utc=True)  # utc: mixed zones
    return bool(parsed.notna().all())


def _number(x: float) -> float | int | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    return int(x) if float(x).is_integer() else float(x)


def column_profile(values, line=lambda row: int(row) + 2) -> dict:
    """Summary of one column of text cells (missing = NaN); `line`: a row's line in the file."""
    import pandas as pd

    present = values.dropna()
    n_present = len(present)
    counts = present.value_counts(sort=False)
    # By count, then by text: a stable order for ties.
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    num = pd.to_numeric(present.str.strip(), errors="coerce")
    numeric_share = float(num.notna().mean()) if n_present else 0.0
    out = {
        "missing": int(values.isna().sum()),
        "distinct": int(len(counts)),
        "numeric": bool(n_present > 0 and numeric_share == 1.0),
        "numeric_share": numeric_share,
        "levels": [[k, int(v)] for k, v in ordered[:MAX_LEVELS]],
        "first_row": int(present.index[0]) if n_present else None,
        "first_line": line(present.index[0]) if n_present else None,
        # Which rows are empty, when they are few (a target's empty rows are left out of the data).
        "missing_rows": [int(i) for i in values.index[values.isna()]] if values.isna().sum() <= 1000 else None,
    }
    if 0 < numeric_share < 1.0:
        bad = present[num.isna()]
        out["first_text"] = {"value": str(bad.iloc[0]), "row": int(bad.index[0]), "line": line(bad.index[0]),
                             "distinct": int(bad.nunique())}
    if n_present and not out["numeric"]:
        out["date"] = _dates(counts.index)
    if out["numeric"]:
        out["integer"] = bool((num == num.round()).all())
        out["min"], out["max"] = _number(num.min()), _number(num.max())
        out["monotonic"] = bool(num.is_monotonic_increasing and num.is_unique)
        out["numeric_levels"] = sorted({_number(v) for v in num.unique()})[:MAX_LEVELS]
    return out


def table_profile(df) -> dict:
    """{rows, columns: [names in file order], profile: {name: column_profile}}; lines named after the
    file's own lines (mlviz.sources.csvfile.read_table's attrs["lines"])."""
    lines = df.attrs.get("lines")

    def line(row) -> int:
        return int(row) + 2 if lines is None else int(lines[int(row)])
    return {"version": VERSION, "rows": int(len(df)), "columns": list(df.columns),
            "profile": {c: column_profile(df[c], line) for c in df.columns}}
