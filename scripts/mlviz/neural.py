"""The tutorial's digit CNN: image data, the network, deterministic TensorFlow set-up, training with
TensorBoard logs, and reading those logs back.

TensorFlow costs seconds to import, so it is imported inside the functions that need it: the data
and drawing rules import this module without paying for it."""
from __future__ import annotations

import copy
import io
import os
from pathlib import Path

import numpy as np

from .errors import InputError

IMAGE_SIZE = 28  # the tutorial's input: 28×28 grey images, one channel
N_CLASSES = 10
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"

# Every neural.* key with its default; config.yaml spells them all out, a user config may omit any.
DEFAULTS = {
    "enabled": True,
    "dataset": "digits",
    "seed": 42,
    "test_size": 0.25,
    "validation_size": 0.2,
    "epochs": 25,
    "batch_size": 32,
    "learning_rate": 0.001,
    "threads": 2,
    "device": "auto",
    "gradcam": {"layer": None, "class": None, "colormap": "jet", "alpha": 0.4},
    "sanity": {"max_rank_correlation": 0.5, "deletion_fraction": 0.2, "random_repeats": 5,
               "fill_value": 0.0, "examples": 5},
    "resnet50": {"enabled": False, "weights": "imagenet", "image": None, "sample": "chelsea",
                 "layer": "conv5_block3_out", "class": None, "top": 5},
    "style": {},
}


def settings(config: dict) -> dict:
    """config['neural'] over DEFAULTS (one level of nesting)."""
    user = config.get("neural") or {}
    out = copy.deepcopy(DEFAULTS)
    for key, value in user.items():
        if isinstance(out.get(key), dict) and key != "style":
            out[key] = {**out[key], **(value or {})}
        else:
            out[key] = value
    return out


_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _fixed_zip(entries) -> bytes:
    """A zip of (name, bytes) entries with a fixed time stamp and mode: the same content gives the
    same bytes (np.savez and Keras stamp entries with the current time)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name, blob in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, blob)
    return out.getvalue()


def _zip_entries(blob: bytes):
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(blob))
    return [(name, src.read(name)) for name in sorted(src.namelist())]


# ---------------------------------------------------------------- data (no TensorFlow)

def digits_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's bundled 8×8 digits (0–16), upsampled to the tutorial's 28×28 in [0, 1]."""
    import cv2
    from sklearn.datasets import load_digits

    d = load_digits()
    small = (d.images / 16.0).astype(np.float32)
    big = np.stack([cv2.resize(im, (IMAGE_SIZE, IMAGE_SIZE), interpolation=cv2.INTER_LINEAR) for im in small])
    return np.clip(big, 0.0, 1.0), d.target.astype(np.int64)


def mnist_images(cache_dir: str | None = None):
    """MNIST through Keras' loader (downloads once into ~/.keras/datasets)."""
    try:
        import keras

        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as e:  # no network, proxy, partial file...
        raise InputError(f"config key neural.dataset: 'mnist' needs a download from {MNIST_URL}, which failed "
                         f"({type(e).__name__}: {e}); use dataset: digits to run offline") from None
    scale = np.float32(255.0)
    return (x_train.astype(np.float32) / scale, y_train.astype(np.int64),
            x_test.astype(np.float32) / scale, y_test.astype(np.int64))


def split_images(cfg: dict) -> dict[str, np.ndarray]:
    """Train/validation/test arrays (N, 28, 28, 1) with the test images' row numbers in the source."""
    from sklearn.model_selection import train_test_split

    seed = cfg["seed"]
    if cfg["dataset"] == "digits":
        x, y = digits_images()
        rows = np.arange(len(y))
        r_fit, r_test = train_test_split(rows, test_size=cfg["test_size"], random_state=seed, stratify=y)
        x_fit, y_fit, x_test, y_test = x[r_fit], y[r_fit], x[r_test], y[r_test]
        # Test rows in source order, so that "the first image of each class" is well defined.
        order = np.argsort(r_test, kind="stable")
        x_test, y_test, r_test = x_test[order], y_test[order], r_test[order]
    else:
        x_fit, y_fit, x_test, y_test = mnist_images()
        r_test = np.arange(len(y_test))
    i_train, i_val = train_test_split(np.arange(len(y_fit)), test_size=cfg["validation_size"],
                                      random_state=seed, stratify=y_fit)
    return {
        "x_train": x_fit[i_train, ..., None], "y_train": y_fit[i_train],
        "x_val": x_fit[i_val, ..., None], "y_val": y_fit[i_val],
        "x_test": x_test[..., None], "y_test": y_test, "row_test": r_test.astype(np.int64),
    }


def save_npz(arrays: dict, path: str | Path) -> None:
    """np.savez_compressed, rewritten with fixed zip time stamps."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_fixed_zip(_zip_entries(buf.getvalue())))


def load_npz(path: str | Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


# ---------------------------------------------------------------- TensorFlow

def setup_tensorflow(seed: int, threads: int, device: str, native_log: bool = False):
    """Import TensorFlow seeded and deterministic; hide GPUs when device is 'cpu'.

    With device 'auto' TensorFlow places ops on a GPU when its build sees one (tensorflow-cpu never
    does), so the same code runs on either. native_log (rule scripts): TensorFlow's C++ side writes
    to file descriptor 2, not to sys.stderr; point that descriptor at sys.stderr, the rule's log."""
    import sys

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    if native_log and sys.stderr.fileno() != 2:
        os.dup2(sys.stderr.fileno(), 2)
    import keras
    import tensorflow as tf

    if device == "cpu":
        tf.config.set_visible_devices([], "GPU")
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    return tf, keras


def build_cnn(keras, input_shape=(IMAGE_SIZE, IMAGE_SIZE, 1), n_classes: int = N_CLASSES, name: str = "cnn"):
    """The tutorial's network, written with the functional API: a Sequential model in Keras 3 has
    no symbolic `.output`, which the Grad-CAM sub-model needs."""
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="image")
    x = layers.Conv2D(32, (3, 3), activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D((2, 2), name="pool1")(x)
    x = layers.Conv2D(64, (3, 3), activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D((2, 2), name="pool2")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(64, activation="relu", name="dense")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="class_probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def flushing_tensorboard(keras):
    """Keras' TensorBoard callback flushes the train writer each epoch (after the histograms) but
    not the validation writer; flush both so `tensorboard --logdir` shows every finished epoch."""

    class FlushingTensorBoard(keras.callbacks.TensorBoard):
        def on_epoch_end(self, epoch, logs=None):
            super().on_epoch_end(epoch, logs)
            for writer in self._writers.values():
                writer.flush()

    return FlushingTensorBoard


def save_keras(model, path: str | Path) -> None:
    """Save as .keras with the save date and zip timestamps fixed, so equal weights give equal bytes."""
    import json
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "model.keras"
        model.save(raw)
        entries = []
        for name, blob in _zip_entries(raw.read_bytes()):
            if name == "metadata.json":
                meta = json.loads(blob)
                meta.pop("date_saved", None)
                blob = json.dumps(meta, sort_keys=True).encode()
            elif name == "config.json":
                blob = json.dumps(_renumber_shared_ids(json.loads(blob))).encode()
            entries.append((name, blob))
    path.write_bytes(_fixed_zip(entries))


def _renumber_shared_ids(obj, ids=None):
    """Keras marks objects shared between layers with `shared_object_id` = Python's id(), a memory
    address that changes every run; number them 1, 2, ... in order of appearance (same meaning)."""
    ids = {} if ids is None else ids
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            if k == "shared_object_id":
                out[k] = ids.setdefault(v, len(ids) + 1)
            else:
                out[k] = _renumber_shared_ids(v, ids)
        return out
    if isinstance(obj, list):
        return [_renumber_shared_ids(v, ids) for v in obj]
    return obj


def layer_table(model):
    """One row per layer: name, type, output shape, parameter count (what model.summary() prints)."""
    import pandas as pd

    rows = []
    for layer in model.layers:
        shape = tuple(layer.output.shape)
        rows.append({"layer": layer.name, "type": type(layer).__name__,
                     "output_shape": "(" + ", ".join("None" if s is None else str(s) for s in shape) + ")",
                     "parameters": int(layer.count_params()),
                     "trainable": bool(layer.trainable)})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- TensorBoard logs (no TensorFlow)

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
