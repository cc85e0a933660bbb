# Look-ups for rules/neural.smk: the CNN's paths, params and outputs.
# (Functions and constants only: Snakemake's linter wants them apart from rules.)

from mlviz.neural import settings as _neural_settings

NEURAL = _neural_settings(config)
NDS = NEURAL["dataset"]
NDIR = f"{RUN}/neural/{NDS}"
NFIG = f"{RUN}/figures/neural"
NRES = f"{RUN}/neural/resnet50"
TENSORBOARD = f"{RUN}/tensorboard"
CNN_MODEL = f"{RUN}/models/{NDS}/cnn.keras"
RESNET_ON = NEURAL["enabled"] and NEURAL["resnet50"]["enabled"]


def neural_metric_parts():
    return [f"{RUN}/metrics/{NDS}/cnn.parquet"] if NEURAL["enabled"] else []


def neural_outputs():
    if not NEURAL["enabled"]:
        return []
    out = [
        f"{NFIG}/architecture.png",
        f"{NDIR}/layers.parquet",
        f"{NFIG}/training_curves.png",
        f"{NFIG}/confusion_matrix.png",
        f"{NFIG}/gradcam_grid.png",
        f"{NFIG}/gradcam_randomization.png",
        f"{RUN}/metrics/{NDS}/cnn.parquet",
    ]
    if RESNET_ON:
        out.append(f"{NFIG}/resnet50_gradcam.png")
    return out


# Params: each rule gets only the settings it depends on.
def neural_data_params(wildcards=None):
    return {k: NEURAL[k] for k in ("dataset", "seed", "test_size", "validation_size")}


def neural_train_params(wildcards=None):
    return {k: NEURAL[k] for k in ("seed", "epochs", "batch_size", "learning_rate", "device")}


def neural_gradcam_params(wildcards=None):
    sanity = {k: NEURAL["sanity"][k] for k in ("deletion_fraction", "random_repeats", "fill_value")}
    return {"seed": NEURAL["seed"], "device": NEURAL["device"], "layer": NEURAL["gradcam"]["layer"],
            "class": NEURAL["gradcam"]["class"], "sanity": sanity}


def neural_threshold_params(wildcards=None):
    return {"max_rank_correlation": NEURAL["sanity"]["max_rank_correlation"]}


def neural_style_params(wildcards=None):
    from mlviz.style import resolve

    return resolve(config.get("style"), NEURAL["style"])


def neural_overlay_params(wildcards=None):
    return {k: NEURAL["gradcam"][k] for k in ("colormap", "alpha")}


def neural_sanity_figure_params(wildcards=None):
    return {**neural_overlay_params(), "examples": NEURAL["sanity"]["examples"],
            "max_rank_correlation": NEURAL["sanity"]["max_rank_correlation"]}


def resnet_params(wildcards=None):
    r = NEURAL["resnet50"]
    source = r["image"] if r["image"] else f"skimage.data.{r['sample']}"
    return {"seed": NEURAL["seed"], "device": NEURAL["device"], "source": source,
            **{k: r[k] for k in ("weights", "layer", "class", "top")}}


def resnet_image():
    """The user's photo, or scikit-image's bundled one written out by rule resnet_sample_image."""
    image = NEURAL["resnet50"]["image"]
    return image if image else f"{NRES}/sample_image.png"


def resnet_weights_input(wildcards=None):
    """A local weights file is an input (editing it reruns the Grad-CAM); 'imagenet' or null are not files."""
    w = NEURAL["resnet50"]["weights"]
    return [w] if w not in (None, "imagenet") else []
