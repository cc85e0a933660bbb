"""The CNN's images: scikit-learn's digits upsampled to 28×28 (offline), or MNIST when configured;
train/validation/test arrays in one .npz."""
import numpy as np

from mlviz.compute import cnn
from mlviz.workflow.io import save_npz
from mlviz.workflow.jobs import log, run


def main(smk):
    cfg = smk.params.neural
    arrays = cnn.split_images(cfg)
    save_npz(arrays, smk.output[0])
    log.info("%s: %d train, %d validation, %d test images of %s; classes %s", cfg["dataset"],
             len(arrays["y_train"]), len(arrays["y_val"]), len(arrays["y_test"]),
             "×".join(map(str, arrays["x_train"].shape[1:])), np.bincount(arrays["y_test"]).tolist())


run(main, snakemake)  # noqa: F821
