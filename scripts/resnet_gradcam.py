"""The tutorial's ResNet50 Grad-CAM on one photo, at layer conv5_block3_out by default.

With weights 'imagenet' (downloaded once by Keras) or a local weights file the map shows where the
network looked; with weights null the network is random and the map means nothing: that setting
only exercises the plumbing (shapes, value range, files)."""
from pathlib import Path

import numpy as np
import pandas as pd

from mlviz.compute import cnn, gradcam
from mlviz.errors import InputError
from mlviz.workflow.io import save_npz, write_parquet
from mlviz.workflow.jobs import log, run

SIZE = 224  # ResNet50's input


def labels_for(keras, proba, top, weights):
    """ImageNet class names where the weights are ImageNet's; else the class index."""
    order = np.argsort(-proba, kind="stable")[:top]
    names = [f"class {i}" for i in order]
    if weights is not None:
        try:
            decoded = keras.applications.resnet50.decode_predictions(proba[None], top=top)[0]
            names = [name for _, name, _ in decoded]
        except Exception as e:  # the class index is a download too; offline we keep the indices
            log.warning("ImageNet class names unavailable (%s: %s); showing indices", type(e).__name__, e)
    return order, names


def main(smk):
    p = smk.params.resnet
    tf, keras = cnn.setup_tensorflow(p["seed"], smk.threads, p["device"], native_log=True)
    try:
        model = keras.applications.ResNet50(weights=p["weights"])
    except Exception as e:
        raise InputError(f"config key neural.resnet50.weights: could not load {p['weights']!r} "
                         f"({type(e).__name__}: {e}); 'imagenet' needs a download, a file must hold "
                         "ResNet50 weights, null gives random weights") from None
    try:
        image = np.asarray(keras.utils.load_img(smk.input.image, target_size=(SIZE, SIZE)), dtype=np.uint8)
    except Exception as e:
        raise InputError(f"{smk.input.image}: not a readable image ({type(e).__name__}: {e})") from None
    # The tutorial feeds raw pixels; ResNet50 was trained on caffe-style inputs (BGR, mean removed).
    x = keras.applications.resnet50.preprocess_input(image[None].astype(np.float32))
    result = gradcam.grad_cam(model, x, p["layer"], p["class"], key="neural.resnet50.layer")
    cam = gradcam.resize(result["cam"], SIZE, SIZE)
    order, names = labels_for(keras, result["proba"][0], p["top"], p["weights"])
    weights = "none" if p["weights"] is None else ("imagenet" if p["weights"] == "imagenet"
                                                     else Path(p["weights"]).name)
    save_npz({"image": image, "cam_raw": result["cam"][0], "cam": cam[0],
                     "class": result["class"], "proba": result["proba"][0],
                     "layer": np.array(p["layer"]), "weights": np.array(weights),
                     "label": np.array(names[list(order).index(result["class"][0])]
                                       if result["class"][0] in order else f"class {result['class'][0]}"),
                     "source": np.array(p["source"])}, smk.output.arrays)
    write_parquet(pd.DataFrame({"rank": np.arange(1, len(order) + 1), "class_index": order.astype(np.int64),
                                "label": names, "probability": result["proba"][0][order].astype("float64")}),
                  smk.output.top)
    log.info("ResNet50 (weights %s): %s at %s %s; top: %s", weights, smk.input.image, p["layer"],
             tuple(result["cam"].shape[1:]), list(zip(names, result["proba"][0][order].round(4))))


run(main, snakemake)  # noqa: F821
