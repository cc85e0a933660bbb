"""The CNN part: training and its TensorBoard logs, architecture, Grad-CAM, its sanity checks and
the ResNet50 plumbing. One workflow run (few epochs) is shared by the whole module."""
from __future__ import annotations

import copy
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, layout, resolve_error, scheduled_jobs, small_config, snakemake
from PIL import Image

from mlviz.compute import cnn, gradcam

from mlviz.config import schema
from mlviz.workflow.io import load_npz

EPOCHS = 4
RUN = "nn"
# The figures and the rules that draw them.
FIGURES = {"architecture": "cnn_architecture", "training_curves": "cnn_curves", "confusion_matrix": "cnn_confusion",
           "gradcam_grid": "gradcam_grid", "gradcam_randomization": "gradcam_randomization",
           "resnet50_gradcam": "resnet_figure"}


def neural_config(run: str = RUN, epochs: int = EPOCHS) -> dict:
    cfg = small_config(run, neural=True)
    cfg["neural"]["epochs"] = epochs
    cfg["neural"]["resnet50"].update(enabled=True, weights=None)
    return cfg


def neural_targets(run: str) -> list[str]:
    base = f"results/{run}"
    return [*(f"{base}/figures/neural/{f}.png" for f in FIGURES), f"{base}/metrics/digits/cnn.parquet"]


@pytest.fixture(scope="session")
def nn_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("neural")
    proc = snakemake(workdir, *neural_targets(RUN), config=neural_config())
    return workdir / "results" / RUN, proc


@pytest.fixture(scope="session")
def run_dir(nn_run):
    return nn_run[0]


@pytest.fixture(scope="session")
def arrays(run_dir):
    return load_npz(run_dir / "neural/digits/gradcam.npz")


@pytest.fixture(scope="session")
def metrics(run_dir):
    return pd.read_parquet(run_dir / "metrics/digits/cnn.parquet").set_index("metric")["value"]


# ---------------------------------------------------------------- training, logs, tables

def test_layer_table_is_the_tutorial_network(run_dir):
    layers = pd.read_parquet(run_dir / "neural/digits/layers.parquet")
    assert layers.type.tolist() == ["InputLayer", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D",
                                    "Flatten", "Dense", "Dense"]
    assert layers.output_shape.tolist() == ["(None, 28, 28, 1)", "(None, 26, 26, 32)", "(None, 13, 13, 32)",
                                            "(None, 11, 11, 64)", "(None, 5, 5, 64)", "(None, 1600)",
                                            "(None, 64)", "(None, 10)"]
    # 3·3·1·32+32, 3·3·32·64+64, 1600·64+64, 64·10+10: what model.summary() prints for the tutorial's model.
    assert layers.parameters.tolist() == [0, 320, 0, 18496, 0, 0, 102464, 650]


def test_model_file_is_a_keras_zip_without_save_date(run_dir):
    path = run_dir / "models/digits/cnn.keras"
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        assert "date_saved" not in z.read("metadata.json").decode()
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_test_accuracy_is_in_the_metrics_table_and_matches_predictions(run_dir, metrics):
    table = pd.read_parquet(run_dir / "metrics/digits/cnn.parquet")
    assert table.columns.tolist() == ["dataset", "model", "split", "metric", "value"]
    assert set(table.dataset) == {"digits"} and set(table.model) == {"cnn"} and set(table.split) == {"test"}
    pred = pd.read_parquet(run_dir / "predictions/digits/cnn.parquet")
    assert len(pred) == 450 and pred.index.name == "row"  # 25 % of scikit-learn's 1797 digits
    assert metrics["accuracy"] == pytest.approx((pred.y_true == pred.y_pred).mean())
    assert metrics["accuracy"] > 0.9, "even a few epochs learn the digits"
    proba = pred[[f"proba_{c}" for c in range(10)]].to_numpy()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    assert (proba.argmax(axis=1) == pred.y_pred).all()


def test_event_files_hold_every_epoch_and_the_curves_table_is_what_they_say(run_dir):
    from tensorboard.backend.event_processing.event_accumulator import TENSORS, EventAccumulator
    from tensorboard.util.tensor_util import make_ndarray

    logdir = run_dir / "tensorboard"
    history = pd.read_parquet(run_dir / "neural/digits/history.parquet")
    for split in ("train", "validation"):
        acc = EventAccumulator(str(logdir / split), size_guidance={TENSORS: 0})
        acc.Reload()
        tags = acc.Tags()["tensors"]
        for metric in ("loss", "accuracy"):
            events = acc.Tensors(f"epoch_{metric}")
            assert [e.step for e in events] == list(range(EPOCHS))
            ours = history[(history.split == split) & (history.metric == metric)].value.to_numpy()
            np.testing.assert_array_equal(ours, [float(make_ndarray(e.tensor_proto)) for e in events])
        if split == "train":
            # histogram_freq=1: a weight histogram per epoch for each of the 8 weight tensors.
            hist_tags = [t for t in tags if t.endswith("/histogram")]
            assert len(hist_tags) == 8, hist_tags
            assert all(len(acc.Tensors(t)) == EPOCHS for t in hist_tags)
    loss = history[(history.split == "train") & (history.metric == "loss")].value.to_numpy()
    assert loss[-1] < loss[0], "training lowers the loss"


def test_training_log_tells_how_to_follow_it_live(run_dir):
    text = layout(run_dir).log("cnn_train", "digits").read_text()
    assert "tensorboard --logdir" in text and f"epoch {EPOCHS}/{EPOCHS}" in text


def test_training_is_deterministic(run_dir, tmp_path):
    """A second cold run of data + training gives the same bytes: model, predictions, layer table."""
    cfg = neural_config()
    snakemake(tmp_path, f"results/{RUN}/predictions/digits/cnn.parquet", config=cfg)
    for rel in ["neural/digits/images.npz", "models/digits/cnn.keras", "predictions/digits/cnn.parquet",
                "neural/digits/layers.parquet"]:
        assert (tmp_path / "results" / RUN / rel).read_bytes() == (run_dir / rel).read_bytes(), rel


# ---------------------------------------------------------------- Grad-CAM

def test_gradcam_arrays(arrays):
    n = len(arrays["y_true"])
    assert arrays["cam_raw"].shape == (n, 11, 11), "conv2's 11×11 maps"
    assert arrays["cam"].shape == arrays["cam_random"].shape == arrays["image"].shape == (n, 28, 28)
    for key in ("cam_raw", "cam", "cam_random"):
        assert arrays[key].min() >= 0 and arrays[key].max() <= 1
    top = arrays["cam_raw"].reshape(n, -1).max(axis=1)
    assert np.all((top == 0) | np.isclose(top, 1)), "each map is scaled by its own maximum"
    assert str(arrays["layer"]) == "conv2"
    np.testing.assert_array_equal(arrays["class"], arrays["y_pred"])  # no class configured: the predicted one


def test_grid_shows_one_correct_image_per_class(arrays):
    grid = arrays["grid"]
    assert len(grid) == 10 and (grid >= 0).all()
    np.testing.assert_array_equal(arrays["y_true"][grid], np.arange(10))
    np.testing.assert_array_equal(arrays["y_pred"][grid], np.arange(10))


def test_gradcam_equals_cam_for_a_global_average_pooling_head():
    """With conv → global average pooling → dense, Grad-CAM's channel weights are the dense weights
    of the class divided by the map size, so the map is ReLU(Σ_k w_kc A_k) (Zhou et al.'s CAM)."""
    tf, keras = cnn.setup_tensorflow(0, 1, "cpu")
    inputs = keras.Input((12, 12, 1))
    maps = keras.layers.Conv2D(6, 3, activation="relu", name="conv")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D()(maps)
    outputs = keras.layers.Dense(4, activation="softmax", name="head")(pooled)
    model = keras.Model(inputs, outputs)
    x = np.random.default_rng(0).random((5, 12, 12, 1)).astype(np.float32)
    got = gradcam.grad_cam(model, x, classes=[0, 1, 2, 3, 1])
    a = keras.Model(inputs, maps)(x).numpy()
    w = model.get_layer("head").kernel.numpy()
    want = np.maximum(np.einsum("bhwk,kb->bhw", a, w[:, [0, 1, 2, 3, 1]]), 0)
    np.testing.assert_allclose(got["cam"], gradcam.normalise(want), atol=1e-5)
    np.testing.assert_array_equal(got["class"], [0, 1, 2, 3, 1])
    # Default: the predicted class; scores are the logits, probabilities match the model's output.
    default = gradcam.grad_cam(model, x)
    np.testing.assert_allclose(default["proba"], model.predict(x, verbose=0), atol=1e-6)
    np.testing.assert_array_equal(default["class"], model.predict(x, verbose=0).argmax(axis=1))


def test_overlay_keeps_size_and_blends():
    image = np.zeros((28, 28), dtype=np.float32)
    cam = np.zeros((11, 11), dtype=np.float32)
    cam[5, 5] = 1
    out = gradcam.overlay(image, cam, "jet", 0.4)
    assert out.shape == (28, 28, 3) and out.dtype == np.uint8
    # A black image: the overlay is 40 % of the coloured heatmap, hottest (red) at the centre.
    r, g, b = out[14, 14]
    assert r > b and r > g


# ---------------------------------------------------------------- sanity checks

def test_randomisation_check_passes_and_is_recorded(arrays, metrics):
    rho = gradcam.rank_correlations(arrays["cam"], arrays["cam_random"])
    np.testing.assert_allclose(rho, arrays["spearman"], atol=1e-6, equal_nan=True)
    assert metrics["gradcam_randomization_spearman_mean"] == pytest.approx(np.nanmean(rho), abs=1e-6)
    assert metrics["gradcam_randomization_threshold"] == 0.5
    assert metrics["gradcam_randomization_spearman_mean"] < metrics["gradcam_randomization_threshold"]
    assert metrics["gradcam_randomization_pass"] == 1.0
    finite = rho[np.isfinite(rho)]
    assert metrics["gradcam_randomization_share_above_threshold"] == pytest.approx(np.mean(finite >= 0.5))
    assert metrics["gradcam_randomization_constant_maps"] == np.isnan(rho).sum()


def test_deletion_check_passes_and_is_recorded(arrays, metrics):
    drop_salient = (arrays["p_original"] - arrays["p_salient"]).mean()
    drop_random = (arrays["p_original"] - arrays["p_random"]).mean()
    assert metrics["gradcam_deletion_drop_salient"] == pytest.approx(drop_salient, abs=1e-6)
    assert metrics["gradcam_deletion_drop_random"] == pytest.approx(drop_random, abs=1e-6)
    assert drop_salient > drop_random + 0.05, "the salient pixels matter more than random ones"
    assert metrics["gradcam_deletion_pass"] == 1.0
    assert metrics["gradcam_images"] == 450


def test_rank_correlation_is_spearman():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(1)
    a, b = rng.random((3, 6, 6)), rng.random((3, 6, 6))
    b[1] = a[1] ** 2  # monotone: ρ = 1
    got = gradcam.rank_correlations(a, b)
    want = [spearmanr(a[i].ravel(), b[i].ravel()).statistic for i in range(3)]
    np.testing.assert_allclose(got, want)
    assert got[1] == pytest.approx(1.0)
    assert np.isnan(gradcam.rank_correlations(a[:1], np.zeros((1, 6, 6))))[0]


def test_deletion_masks_take_the_most_salient_pixels():
    cam = np.zeros((2, 10, 10), dtype=np.float32)
    cam[0, :2, :] = 1.0  # the top 20 % is exactly the first two rows
    salient, random = gradcam.deletion_masks(cam, 0.2, 3, seed=0)
    assert salient.sum(axis=(1, 2)).tolist() == [20, 20]
    assert salient[0, :2].all()
    assert random.shape == (3, 2, 10, 10) and (random.sum(axis=(2, 3)) == 20).all()


# ---------------------------------------------------------------- ResNet50 plumbing (weights=None)

def test_resnet50_plumbing_with_random_weights(run_dir):
    import skimage.data

    res = run_dir / "neural/resnet50"
    sample = np.asarray(Image.open(res / "sample_image.png"))
    np.testing.assert_array_equal(sample, skimage.data.chelsea())  # the bundled photo, written losslessly
    a = load_npz(res / "gradcam.npz")
    assert a["image"].shape == (224, 224, 3) and a["image"].dtype == np.uint8
    assert a["cam_raw"].shape == (7, 7), "conv5_block3_out: 7×7×2048"
    assert a["cam"].shape == (224, 224)
    assert a["cam"].min() >= 0 and a["cam"].max() <= 1
    assert str(a["weights"]) == "none" and str(a["layer"]) == "conv5_block3_out"
    assert a["proba"].shape == (1000,) and a["proba"].sum() == pytest.approx(1, abs=1e-4)
    top = pd.read_parquet(res / "top_classes.parquet")
    assert top["rank"].tolist() == [1, 2, 3, 4, 5]
    assert top.probability.is_monotonic_decreasing
    assert top.class_index.iloc[0] == int(a["class"][0]) == int(a["proba"].argmax())


# ---------------------------------------------------------------- figures and wiring

@pytest.mark.parametrize("name", FIGURES)
def test_figures_name_the_rule_that_drew_them(run_dir, name):
    image = Image.open(run_dir / f"figures/neural/{name}.png")
    assert image.info.get("mlviz:rule") == FIGURES[name]
    assert re.fullmatch(r"[0-9a-f]{16}", image.info.get("mlviz:params", ""))
    assert min(image.size) > 300


def test_disabled_neural_part_plans_no_neural_job(tmp_path):
    cfg = small_config("off", neural=False)
    jobs = scheduled_jobs(snakemake(tmp_path, "-n", config=cfg))
    assert not [r for r in jobs if r.startswith(("cnn_", "gradcam_", "resnet_"))]
    assert "gather_metrics" in jobs


def test_enabled_neural_part_feeds_the_metrics_table(tmp_path):
    cfg = small_config("on", neural=True)
    proc = snakemake(tmp_path, "-n", "results/on/metrics.parquet", config=cfg)
    jobs = scheduled_jobs(proc)
    assert jobs.get("cnn_metrics") == 1 and jobs.get("cnn_train") == 1
    assert "resnet_gradcam" not in jobs, "ResNet50 is off by default"


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda n: n.update(epoch=3), r"^config key neural\.epoch: unknown key"),
        (lambda n: n.update(dataset="cifar"), r"^config key neural\.dataset: 'cifar' is not one of: digits, mnist$"),
        (lambda n: n["gradcam"].update({"class": 10}), r"^config key neural\.gradcam\.class: 10 is greater than the maximum of 9$"),
        (lambda n: n["sanity"].update(deletion_fraction=1.2),
         r"^config key neural\.sanity\.deletion_fraction: 1\.2 is greater than or equal to the maximum of 1$"),
        (lambda n: n["resnet50"].update(enabled=True, weights="nowhere/resnet.h5"),
         r"^config key neural\.resnet50\.weights: file 'nowhere/resnet\.h5' not found"),
        (lambda n: n["resnet50"].update(enabled=True, weights="weights.bin"),
         r"^config key neural\.resnet50\.weights: 'weights\.bin' is not valid \(expected imagenet"),
        (lambda n: n["resnet50"].update(enabled=True, image="nowhere.jpg"),
         r"^config key neural\.resnet50\.image: file 'nowhere\.jpg' not found"),
    ],
)
def test_bad_neural_config_fails_at_start_naming_the_key(mutate, expected):
    cfg = small_config("bad", neural=True)
    cfg["neural"] = copy.deepcopy(cfg["neural"])
    mutate(cfg["neural"])
    assert re.search(expected, resolve_error(cfg))


def test_bad_neural_config_stops_snakemake_before_any_job(tmp_path):
    cfg = small_config("bad", neural=True)
    cfg["neural"]["resnet50"].update(enabled=True, image="nowhere.jpg")
    proc = snakemake(tmp_path, "-n", config=cfg, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "mlviz: config key neural.resnet50.image: file 'nowhere.jpg' not found" in out, out[-3000:]
    assert not (tmp_path / "results").exists()


def neural_defaults() -> dict:
    """config/schema.yaml's defaults of the neural section (what a config without one gets)."""
    cfg = {"datasets": {"x": {"source": "x.csv", "target": {"column": "y"}}}}
    schema.validate(cfg)
    return cfg["neural"]


def test_neural_part_is_opt_in_and_the_shipped_configs_spell_out_every_default():
    import yaml

    defaults = neural_defaults()
    assert defaults["enabled"] is False
    for name in ("config.yaml", "kaggle.yaml"):
        cfg = yaml.safe_load((REPO / "config" / name).read_text())
        assert cfg["neural"] == {**defaults, "enabled": True}, name


def test_mnist_keeps_its_own_test_split(monkeypatch):
    """MNIST cannot be downloaded here: its loader is replaced by small fake arrays of its shapes."""
    rng = np.random.default_rng(0)
    fake = (rng.random((200, 28, 28), dtype=np.float32), np.arange(200) % 10,
            rng.random((50, 28, 28), dtype=np.float32), np.arange(50) % 10)
    monkeypatch.setattr(cnn, "mnist_images", lambda: fake)
    cfg = {**neural_defaults(), "dataset": "mnist"}
    out = cnn.split_images(cfg)
    assert out["x_train"].shape == (160, 28, 28, 1) and out["x_val"].shape == (40, 28, 28, 1)
    np.testing.assert_array_equal(out["x_test"][..., 0], fake[2])
    np.testing.assert_array_equal(out["row_test"], np.arange(50))


def test_digits_are_upsampled_to_the_tutorials_input():
    x, y = cnn.digits_images()
    assert x.shape == (1797, 28, 28) and x.dtype == np.float32
    assert x.min() >= 0 and x.max() <= 1 and set(np.unique(y)) == set(range(10))
