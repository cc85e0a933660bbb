"""The tutorial's digit CNN: image data, the network, deterministic TensorFlow set-up, training with
TensorBoard logs, and saving the model reproducibly (mlviz.compute.tensorboard_log reads the logs back).

TensorFlow costs seconds to import, so it is imported inside the functions that need it: the data
and drawing rules import this module without paying for it."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..workflow.io import fixed_zip, zip_entries

IMAGE_SIZE = 28  # the tutorial's input: 28×28 grey images, one channel
N_CLASSES = 10
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"

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
        for name, blob in zip_entries(raw.read_bytes()):
            if name == "metadata.json":
                meta = json.loads(blob)
                meta.pop("date_saved", None)
                blob = json.dumps(meta, sort_keys=True).encode()
            elif name == "config.json":
                blob = json.dumps(_renumber_shared_ids(json.loads(blob))).encode()
            entries.append((name, blob))
    path.write_bytes(fixed_zip(entries))


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


