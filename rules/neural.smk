# The CNN (config neural, opt-in): training with TensorBoard logs, curves, architecture, confusion
# matrix, Grad-CAM and its sanity checks; optionally the tutorial's ResNet50 Grad-CAM on a photo.
#
# TensorFlow takes seconds to import, so only four jobs load it: cnn_train, cnn_architecture,
# cnn_gradcam and resnet_gradcam. The other rules read the arrays and tables those write.
# Paths are fixed at parse time (one CNN per run, under the dataset name of neural.dataset, which
# the global wildcard constraints keep out of the tabular rules).


rule cnn_data:
    input:
        code("cnn_data"),
    output:
        OUT.path("cnn_images", dataset=NDS),
    params:
        neural={k: NEURAL[k] for k in ("dataset", "seed", "test_size", "validation_size")},
    log:
        OUT.log("cnn_data", NDS),
    benchmark:
        OUT.benchmark("cnn_data", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_data.py"


# Follow it live: tensorboard --logdir results/<run>/tensorboard
rule cnn_train:
    input:
        images=OUT.path("cnn_images", dataset=NDS),
        code=code("cnn_train"),
    output:
        model=OUT.path("cnn_model", dataset=NDS),
        tensorboard=directory(OUT.path("tensorboard")),
        predictions=OUT.path("predictions", dataset=NDS, model="cnn"),
        layers=OUT.path("cnn_layers", dataset=NDS),
    params:
        neural={k: NEURAL[k] for k in ("seed", "epochs", "batch_size", "learning_rate", "device")},
    threads: NEURAL["threads"]
    log:
        OUT.log("cnn_train", NDS),
    benchmark:
        OUT.benchmark("cnn_train", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_train.py"


rule cnn_history:
    input:
        tensorboard=OUT.path("tensorboard"),
        code=code("cnn_history"),
    output:
        OUT.path("cnn_history", dataset=NDS),
    log:
        OUT.log("cnn_history", NDS),
    benchmark:
        OUT.benchmark("cnn_history", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_history.py"


rule cnn_curves:
    input:
        history=OUT.path("cnn_history", dataset=NDS),
        code=code("cnn_curves"),
    output:
        figure_output("cnn_curves_figure"),
    params:
        style=neural_style(),
    log:
        OUT.log("cnn_curves", NDS),
    benchmark:
        OUT.benchmark("cnn_curves", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_curves.py"


rule cnn_architecture:
    input:
        model=OUT.path("cnn_model", dataset=NDS),
        code=code("cnn_architecture"),
    output:
        figure_output("cnn_architecture_figure"),
    params:
        style=neural_style(),
        device=NEURAL["device"],
    log:
        OUT.log("cnn_architecture", NDS),
    benchmark:
        OUT.benchmark("cnn_architecture", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_architecture.py"


rule cnn_confusion:
    input:
        predictions=OUT.path("predictions", dataset=NDS, model="cnn"),
        code=code("cnn_confusion"),
    output:
        figure_output("cnn_confusion_figure"),
    params:
        style=neural_style(),
        dataset=NDS,
    log:
        OUT.log("cnn_confusion", NDS),
    benchmark:
        OUT.benchmark("cnn_confusion", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_confusion.py"


rule cnn_gradcam:
    input:
        model=OUT.path("cnn_model", dataset=NDS),
        images=OUT.path("cnn_images", dataset=NDS),
        predictions=OUT.path("predictions", dataset=NDS, model="cnn"),
        code=code("cnn_gradcam"),
    output:
        arrays=OUT.path("cnn_gradcam", dataset=NDS),
        sanity=OUT.path("cnn_sanity", dataset=NDS),
    params:
        gradcam={"seed": NEURAL["seed"], "device": NEURAL["device"], "layer": NEURAL["gradcam"]["layer"],
                 "class": NEURAL["gradcam"]["class"],
                 "sanity": {k: NEURAL["sanity"][k] for k in ("deletion_fraction", "random_repeats", "fill_value")}},
    threads: NEURAL["threads"]
    log:
        OUT.log("cnn_gradcam", NDS),
    benchmark:
        OUT.benchmark("cnn_gradcam", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_gradcam.py"


rule cnn_metrics:
    input:
        predictions=OUT.path("predictions", dataset=NDS, model="cnn"),
        sanity=OUT.path("cnn_sanity", dataset=NDS),
        arrays=OUT.path("cnn_gradcam", dataset=NDS),
        code=code("cnn_metrics"),
    output:
        OUT.path("metrics_part", dataset=NDS, model="cnn"),
    params:
        dataset=NDS,
        max_rank_correlation=NEURAL["sanity"]["max_rank_correlation"],
    log:
        OUT.log("cnn_metrics", NDS),
    benchmark:
        OUT.benchmark("cnn_metrics", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_metrics.py"


rule gradcam_grid:
    input:
        arrays=OUT.path("cnn_gradcam", dataset=NDS),
        code=code("gradcam_grid"),
    output:
        figure_output("gradcam_grid_figure"),
    params:
        style=neural_style(),
        overlay={k: NEURAL["gradcam"][k] for k in ("colormap", "alpha")},
    log:
        OUT.log("gradcam_grid", NDS),
    benchmark:
        OUT.benchmark("gradcam_grid", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/gradcam_grid.py"


rule gradcam_randomization:
    input:
        arrays=OUT.path("cnn_gradcam", dataset=NDS),
        code=code("gradcam_randomization"),
    output:
        figure_output("gradcam_randomization_figure"),
    params:
        style=neural_style(),
        figure={"colormap": NEURAL["gradcam"]["colormap"], "examples": NEURAL["sanity"]["examples"],
                "max_rank_correlation": NEURAL["sanity"]["max_rank_correlation"]},
    log:
        OUT.log("gradcam_randomization", NDS),
    benchmark:
        OUT.benchmark("gradcam_randomization", NDS)
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/gradcam_randomization.py"


# ---- the tutorial's ResNet50 Grad-CAM on a photo (off by default: neural.resnet50.enabled)


rule resnet_sample_image:
    input:
        code("resnet_sample_image"),
    output:
        OUT.path("resnet_sample"),
    params:
        sample=NEURAL["resnet50"]["sample"],
    log:
        OUT.log("resnet_sample_image", "resnet50"),
    benchmark:
        OUT.benchmark("resnet_sample_image", "resnet50")
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/resnet_sample_image.py"


rule resnet_gradcam:
    input:
        # The user's photo, or scikit-image's bundled one written out by rule resnet_sample_image.
        image=NEURAL["resnet50"]["image"] or OUT.path("resnet_sample"),
        # A local weights file is an input (editing it reruns the Grad-CAM); imagenet and null are not.
        weights=[w for w in [NEURAL["resnet50"]["weights"]] if w not in (None, "imagenet")],
        code=code("resnet_gradcam"),
    output:
        arrays=OUT.path("resnet_gradcam"),
        top=OUT.path("resnet_top"),
    params:
        resnet={"seed": NEURAL["seed"], "device": NEURAL["device"],
                "source": NEURAL["resnet50"]["image"] or f"skimage.data.{NEURAL['resnet50']['sample']}",
                **{k: NEURAL["resnet50"][k] for k in ("weights", "layer", "class", "top")}},
    threads: NEURAL["threads"]
    log:
        OUT.log("resnet_gradcam", "resnet50"),
    benchmark:
        OUT.benchmark("resnet_gradcam", "resnet50")
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/resnet_gradcam.py"


rule resnet_figure:
    input:
        arrays=OUT.path("resnet_gradcam"),
        top=OUT.path("resnet_top"),
        code=code("resnet_figure"),
    output:
        figure_output("resnet_figure"),
    params:
        style=neural_style(),
        overlay={k: NEURAL["gradcam"][k] for k in ("colormap", "alpha")},
    log:
        OUT.log("resnet_figure", "resnet50"),
    benchmark:
        OUT.benchmark("resnet_figure", "resnet50")
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/resnet_figure.py"
