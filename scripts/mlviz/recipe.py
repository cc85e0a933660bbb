"""Facts about a dataset's recipe, shared by the parse-time checks and the preprocess rule."""


def referenced_columns(ds: dict) -> list[str]:
    """Raw columns a dataset's recipe names (and so must exist in its CSV)."""
    pre = ds.get("preprocess", {})
    cols = [ds["target"]["column"], *pre.get("drop", []), *pre.get("fill_missing", {}),
            *pre.get("binary", {}), *pre.get("one_hot", {}), *pre.get("scale", [])]
    return list(dict.fromkeys(cols))
