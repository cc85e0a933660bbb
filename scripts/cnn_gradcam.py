"""Grad-CAM of the trained CNN on every test image, and the two sanity checks:

(a) model-parameter randomisation (Adebayo et al., 2018): the same Grad-CAM on the same images and
    classes from the same architecture with freshly initialised weights; a map that still looks
    the same does not depend on what the network learnt. Spearman rank correlation per image.
(b) deletion: masking the most salient pixels should lower the explained class's probability more
    than masking as many random pixels.
"""
import numpy as np
import pandas as pd

from mlviz.compute import cnn, gradcam
from mlviz.workflow.io import load_npz, save_npz, write_parquet
from mlviz.workflow.jobs import log, run


def first_correct_per_class(y_true, y_pred, n_classes):
    """Index of the first correctly classified test image of each class (-1 if there is none)."""
    out = []
    for c in range(n_classes):
        hits = np.flatnonzero((y_true == c) & (y_pred == c))
        out.append(int(hits[0]) if len(hits) else -1)
    return np.array(out, dtype=np.int64)


def main(smk):
    p = smk.params.gradcam
    tf, keras = cnn.setup_tensorflow(p["seed"], smk.threads, p["device"], native_log=True)
    model = keras.saving.load_model(smk.input.model)
    data = load_npz(smk.input.images)
    pred = pd.read_parquet(smk.input.predictions)
    x, y = data["x_test"], data["y_test"]
    h, w = x.shape[1:3]

    trained = gradcam.grad_cam(model, x, p["layer"], p["class"])
    layer = gradcam.conv_layer(model, p["layer"], "neural.gradcam.layer").name
    y_pred = trained["proba"].argmax(axis=1)
    if not np.array_equal(y_pred, pred.y_pred.to_numpy()):
        log.warning("%d test predictions differ from the training job's", int((y_pred != pred.y_pred).sum()))
    cam = gradcam.resize(trained["cam"], h, w)

    # (a) Same architecture, fresh weights (all layers re-initialised), same images and classes.
    keras.utils.set_random_seed(p["seed"] + 1)
    random_model = keras.models.clone_model(model)
    randomised = gradcam.grad_cam(random_model, x, layer, trained["class"])
    cam_random = gradcam.resize(randomised["cam"], h, w)
    rho = gradcam.rank_correlations(cam, cam_random)

    # (b) Deletion, on every test image, for the class whose map was computed.
    s = p["sanity"]

    def predict(batch):
        return model.predict(batch, batch_size=512, verbose=0)

    deletion = gradcam.deletion_check(predict, x, cam, trained["class"], s["deletion_fraction"],
                                      s["random_repeats"], s["fill_value"], p["seed"])
    drop_salient = deletion["p_original"] - deletion["p_salient"]
    drop_random = deletion["p_original"] - deletion["p_random"]

    gradcam_sanity = {
        "gradcam_randomization_spearman_mean": float(np.nanmean(rho)) if np.isfinite(rho).any() else float("nan"),
        "gradcam_randomization_spearman_median": float(np.nanmedian(rho)) if np.isfinite(rho).any() else float("nan"),
        "gradcam_randomization_constant_maps": float(np.isnan(rho).sum()),
        "gradcam_deletion_fraction": float(s["deletion_fraction"]),
        "gradcam_deletion_drop_salient": float(drop_salient.mean()),
        "gradcam_deletion_drop_random": float(drop_random.mean()),
        "gradcam_deletion_salient_wins": float((drop_salient > drop_random).mean()),
        "gradcam_images": float(len(x)),
    }
    write_parquet(pd.DataFrame({"metric": list(gradcam_sanity), "value": list(gradcam_sanity.values())}),
                  smk.output.sanity)
    save_npz({
        "row": data["row_test"], "y_true": y, "y_pred": y_pred, "class": trained["class"],
        "proba": trained["proba"][np.arange(len(x)), trained["class"]],
        "image": x[..., 0], "cam_raw": trained["cam"], "cam": cam, "cam_random": cam_random,
        "spearman": rho.astype(np.float32), "grid": first_correct_per_class(y, y_pred, cnn.N_CLASSES),
        "p_original": deletion["p_original"], "p_salient": deletion["p_salient"], "p_random": deletion["p_random"],
        "layer": np.array(layer), "configured_class": np.array(-1 if p["class"] is None else p["class"]),
    }, smk.output.arrays)
    log.info("Grad-CAM at %s %s on %d images; %s", layer, tuple(trained["cam"].shape[1:]), len(x), gradcam_sanity)


run(main, snakemake)  # noqa: F821
