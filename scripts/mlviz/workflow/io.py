"""Reading and writing the run's files, the same way everywhere: parquet (pyarrow, zstd), JSON
(sorted keys) and zip containers with fixed time stamps, so that equal content gives equal bytes."""
from __future__ import annotations

import io as _io
import json
import zipfile
from pathlib import Path

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def read_json(path: str | Path):
    return json.loads(Path(path).read_text())


def write_json(obj, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def read_parquet(path: str | Path):
    import pandas as pd

    return pd.read_parquet(path)


def write_parquet(df, path: str | Path) -> None:
    """pyarrow, zstd, the index kept only when it is named; row groups of 100 000 rows let large
    tables be read in pieces."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_parquet(path, engine="pyarrow", compression="zstd", index=df.index.name is not None,
                  row_group_size=100_000)


def fixed_zip(entries) -> bytes:
    """A zip of (name, bytes) entries with a fixed time stamp and mode (np.savez, skops and Keras
    stamp entries with the current time)."""
    out = _io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, blob in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, blob)
    return out.getvalue()


def zip_entries(blob: bytes) -> list[tuple[str, bytes]]:
    src = zipfile.ZipFile(_io.BytesIO(blob))
    return [(name, src.read(name)) for name in sorted(src.namelist())]


def save_npz(arrays: dict, path: str | Path) -> None:
    """np.savez_compressed, rewritten with fixed zip time stamps."""
    import numpy as np

    buf = _io.BytesIO()
    np.savez_compressed(buf, **arrays)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(fixed_zip(zip_entries(buf.getvalue())))


def load_npz(path: str | Path) -> dict:
    import numpy as np

    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}
