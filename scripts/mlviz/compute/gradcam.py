"""Grad-CAM (Selvaraju et al., 2017), its overlay, and two sanity checks of it.

Keras, TensorFlow and OpenCV have no Grad-CAM function, so the algorithm is written here: the
gradient of a class score with respect to a convolutional layer's feature maps, averaged over
space into one weight per channel; the weighted sum of the maps, ReLU, scaled to [0, 1]. Resizing
and colouring use OpenCV. TensorFlow is imported only by the functions that run the network.
"""
from __future__ import annotations

import numpy as np

from ..errors import InputError

COLORMAPS = ["jet", "turbo", "viridis", "inferno", "magma", "plasma", "hot", "cividis"]


def last_conv_layer(model) -> str:
    """Name of the model's last layer with 4-D output that is a convolution (or a block ending one)."""
    for layer in reversed(model.layers):
        if "Conv" in type(layer).__name__ and len(layer.output.shape) == 4:
            return layer.name
    raise InputError(f"model {model.name!r} has no convolutional layer for Grad-CAM")


def conv_layer(model, name: str | None, key: str):
    """The layer Grad-CAM looks at: the configured one, else the last convolution."""
    if name is None:
        return model.get_layer(last_conv_layer(model))
    names = [layer.name for layer in model.layers]
    if name not in names:
        raise InputError(f"config key {key}: the model has no layer {name!r} "
                         f"(4-D layers: {', '.join(n.name for n in model.layers if len(n.output.shape) == 4)})")
    layer = model.get_layer(name)
    if len(layer.output.shape) != 4:
        raise InputError(f"config key {key}: layer {name!r} has output shape {tuple(layer.output.shape)}; "
                         "Grad-CAM needs (batch, height, width, channels) feature maps")
    return layer


def grad_cam(model, images: np.ndarray, layer: str | None = None, classes=None, batch_size: int = 128,
             key: str = "neural.gradcam.layer") -> dict[str, np.ndarray]:
    """Grad-CAM maps of `images` at the conv layer `layer` (default: the last one).

    classes: None (each image's predicted class), one int for all, or one per image.
    The class score is the pre-softmax logit when the last layer is a softmax Dense, as in the
    paper: the softmax saturates for confident predictions and its gradient vanishes.
    Returns cam (N, h, w) in [0, 1] at the layer's resolution, class (N,), proba (N, K)."""
    import keras
    import tensorflow as tf

    conv = conv_layer(model, layer, key)
    head = model.layers[-1]
    softmax_head = (type(head).__name__ == "Dense"
                    and getattr(head.activation, "__name__", "") == "softmax")
    # A sub-model of the same layers (shared weights): feature maps and what the head receives.
    probe = keras.Model(model.inputs, [conv.output, head.input if softmax_head else model.output])
    cams, used, probas = [], [], []
    for start in range(0, len(images), batch_size):
        x = tf.convert_to_tensor(images[start:start + batch_size], dtype=tf.float32)
        with tf.GradientTape() as tape:
            maps, last = probe(x, training=False)
            scores = tf.matmul(last, head.kernel) + head.bias if softmax_head else last
            proba = tf.nn.softmax(scores) if softmax_head else scores
            if classes is None:
                cls = tf.argmax(proba, axis=1, output_type=tf.int32)
            else:
                cls = tf.convert_to_tensor(np.broadcast_to(np.asarray(classes, dtype=np.int32),
                                                           (len(images),))[start:start + len(x)])
            # Images do not interact, so the gradient of the sum gives each image its own gradient.
            target = tf.reduce_sum(tf.gather(scores, cls, axis=1, batch_dims=1))
        grads = tape.gradient(target, maps)
        weights = tf.reduce_mean(grads, axis=(1, 2))                      # (B, C): one per channel
        cam = tf.nn.relu(tf.einsum("bhwc,bc->bhw", maps, weights)).numpy()
        cams.append(cam)
        used.append(cls.numpy())
        probas.append(proba.numpy())
    cam = np.concatenate(cams).astype(np.float32)
    return {"cam": normalise(cam), "class": np.concatenate(used).astype(np.int64),
            "proba": np.concatenate(probas).astype(np.float32)}


def normalise(cam: np.ndarray) -> np.ndarray:
    """Scale each map to [0, 1] by its maximum; an all-zero map (no positive evidence) stays zero."""
    top = cam.reshape(len(cam), -1).max(axis=1)
    safe = np.where(top > 0, top, 1.0)
    return (cam / safe[:, None, None]).astype(np.float32)


def resize(cams: np.ndarray, height: int, width: int) -> np.ndarray:
    import cv2

    out = np.stack([cv2.resize(c, (width, height), interpolation=cv2.INTER_LINEAR) for c in cams])
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def colorize(cam: np.ndarray, colormap: str = "jet") -> np.ndarray:
    """A [0, 1] map as an RGB uint8 image through an OpenCV colour map."""
    import cv2

    code = getattr(cv2, f"COLORMAP_{colormap.upper()}")
    bgr = cv2.applyColorMap(np.uint8(np.round(255 * np.clip(cam, 0, 1))), code)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def overlay(image: np.ndarray, cam: np.ndarray, colormap: str = "jet", alpha: float = 0.4) -> np.ndarray:
    """The coloured heatmap blended over the image (grey [0, 1] floats or RGB uint8), as RGB uint8."""
    import cv2

    img = np.asarray(image)
    if img.dtype != np.uint8:
        img = np.uint8(np.round(255 * np.clip(img, 0, 1)))
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)
    if cam.shape != img.shape[:2]:
        cam = resize(cam[None], *img.shape[:2])[0]
    return cv2.addWeighted(img, 1.0 - alpha, colorize(cam, colormap), alpha, 0.0)


# ---------------------------------------------------------------- sanity checks

def rank_correlations(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Spearman correlation of each pair of maps; NaN where either map is constant (e.g. all zero)."""
    from scipy.stats import rankdata

    ra = rankdata(a.reshape(len(a), -1), axis=1)
    rb = rankdata(b.reshape(len(b), -1), axis=1)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    den = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (ra * rb).sum(axis=1) / np.where(den > 0, den, 1.0), np.nan)


def deletion_masks(cams: np.ndarray, fraction: float, repeats: int, seed: int):
    """Boolean masks (N, H, W): the `fraction` most salient pixels of each map (ties broken at
    random), and `repeats` masks of as many random pixels per image (repeats, N, H, W)."""
    rng = np.random.default_rng(seed)
    n, h, w = cams.shape
    k = int(round(fraction * h * w))
    flat = cams.reshape(n, -1)
    salient = np.zeros((n, h * w), dtype=bool)
    for i in range(n):
        order = np.lexsort((rng.random(h * w), -flat[i]))  # by saliency, then a random tie-break
        salient[i, order[:k]] = True
    random = np.zeros((repeats, n, h * w), dtype=bool)
    for r in range(repeats):
        for i in range(n):
            random[r, i, rng.choice(h * w, size=k, replace=False)] = True
    return salient.reshape(n, h, w), random.reshape(repeats, n, h, w)


def deletion_check(predict, images: np.ndarray, cams: np.ndarray, classes: np.ndarray, fraction: float,
                   repeats: int, fill: float, seed: int) -> dict[str, np.ndarray]:
    """Class probability before and after masking the most salient vs random pixels.

    predict(x) → probabilities (N, K); images (N, H, W, C); cams (N, H, W) at image resolution."""
    salient, random = deletion_masks(cams, fraction, repeats, seed)
    idx = np.arange(len(images))

    def prob(mask):
        x = np.where(mask[..., None], np.float32(fill), images).astype(np.float32)
        return predict(x)[idx, classes]

    p0 = predict(images.astype(np.float32))[idx, classes]
    p_salient = prob(salient)
    p_random = np.mean([prob(m) for m in random], axis=0)
    return {"p_original": p0, "p_salient": p_salient, "p_random": p_random}
