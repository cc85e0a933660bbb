"""The epoch scalars of Keras' TensorBoard logs, read back without importing TensorFlow, so that the
training-curve figure shows exactly what TensorBoard shows."""
from __future__ import annotations

from pathlib import Path

from ..errors import InputError


def read_scalars(logdir: str | Path) -> "pd.DataFrame":  # noqa: F821
    """Epoch scalars from the event files, as TensorBoard shows them: Keras 3 writes them as tensor
    summaries, so they come back through Tensors(), not Scalars(). tensorboard's own make_ndarray
    decodes them, and TensorFlow is not imported."""
    import sys
    import types

    import pandas as pd

    # tensorboard imports TensorFlow (seconds) for file helpers unless the module
    # tensorboard.compat.notf exists; then it uses its bundled stub, which reads event files alike.
    if "tensorflow" not in sys.modules:
        sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))
    from tensorboard.backend.event_processing.event_accumulator import TENSORS, EventAccumulator
    from tensorboard.util.tensor_util import make_ndarray

    rows = []
    for split in ("train", "validation"):
        folder = Path(logdir) / split
        if not folder.is_dir():
            raise InputError(f"{folder}: no TensorBoard event files (expected the training rule's logs)")
        acc = EventAccumulator(str(folder), size_guidance={TENSORS: 0})
        acc.Reload()
        for tag in acc.Tags()["tensors"]:
            if not tag.startswith("epoch_"):
                continue
            for ev in acc.Tensors(tag):
                rows.append({"split": split, "metric": tag.removeprefix("epoch_"), "step": int(ev.step),
                             "value": float(make_ndarray(ev.tensor_proto))})
    if not rows:
        raise InputError(f"{logdir}: the event files hold no epoch scalars")
    table = pd.DataFrame(rows).sort_values(["split", "metric", "step"], ignore_index=True)
    return table
