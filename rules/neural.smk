# The CNN: training with TensorBoard logs, curves, architecture, confusion matrix, Grad-CAM and its
# sanity checks; optionally the tutorial's ResNet50 Grad-CAM on a photo (neural.resnet50).
#
# TensorFlow takes seconds to import, so only four jobs load it: cnn_train, cnn_architecture,
# cnn_gradcam and resnet_gradcam. The other rules read the arrays and tables those write.
# Paths are fixed at parse time (one CNN per run), so no rule here has wildcards. Snakemake prefers
# a rule without wildcards, so cnn_train and cnn_metrics (not models.smk's `evaluate`) make
# predictions/<dataset>/cnn.parquet and metrics/<dataset>/cnn.parquet.


rule cnn_data:
    input:
        code=pkg("neural"),
    output:
        f"{NDIR}/images.npz",
    params:
        neural=neural_data_params,
    log:
        f"{RUN}/logs/neural/cnn_data.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_data.py"


# Follow it live: tensorboard --logdir results/<run>/tensorboard
rule cnn_train:
    input:
        images=f"{NDIR}/images.npz",
        code=pkg("neural", "metrics"),
    output:
        model=CNN_MODEL,
        tensorboard=directory(TENSORBOARD),
        predictions=f"{RUN}/predictions/{NDS}/cnn.parquet",
        layers=f"{NDIR}/layers.parquet",
    params:
        neural=neural_train_params,
    threads: NEURAL["threads"]
    log:
        f"{RUN}/logs/neural/cnn_train.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_train.py"


rule cnn_history:
    input:
        tensorboard=TENSORBOARD,
        code=pkg("neural"),
    output:
        f"{NDIR}/history.parquet",
    log:
        f"{RUN}/logs/neural/cnn_history.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_history.py"


rule cnn_curves:
    input:
        history=f"{NDIR}/history.parquet",
        code=pkg("style"),
    output:
        f"{NFIG}/training_curves.png",
    params:
        style=neural_style_params,
    log:
        f"{RUN}/logs/neural/cnn_curves.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_curves.py"


rule cnn_architecture:
    input:
        model=CNN_MODEL,
        code=pkg("neural", "style"),
    output:
        f"{NFIG}/architecture.png",
    params:
        style=neural_style_params,
        device=NEURAL["device"],
    log:
        f"{RUN}/logs/neural/cnn_architecture.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_architecture.py"


rule cnn_confusion:
    input:
        predictions=f"{RUN}/predictions/{NDS}/cnn.parquet",
        code=pkg("style"),
    output:
        f"{NFIG}/confusion_matrix.png",
    params:
        style=neural_style_params,
        dataset=NDS,
    log:
        f"{RUN}/logs/neural/cnn_confusion.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_confusion.py"


rule cnn_gradcam:
    input:
        model=CNN_MODEL,
        images=f"{NDIR}/images.npz",
        predictions=f"{RUN}/predictions/{NDS}/cnn.parquet",
        code=pkg("neural", "gradcam"),
    output:
        arrays=f"{NDIR}/gradcam.npz",
        sanity=f"{NDIR}/sanity.parquet",
    params:
        gradcam=neural_gradcam_params,
    threads: NEURAL["threads"]
    log:
        f"{RUN}/logs/neural/cnn_gradcam.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/gradcam_compute.py"


rule cnn_metrics:
    input:
        predictions=f"{RUN}/predictions/{NDS}/cnn.parquet",
        sanity=f"{NDIR}/sanity.parquet",
        arrays=f"{NDIR}/gradcam.npz",
        code=pkg("metrics", "neural"),
    output:
        f"{RUN}/metrics/{NDS}/cnn.parquet",
    params:
        dataset=NDS,
        sanity=neural_threshold_params,
    log:
        f"{RUN}/logs/neural/cnn_metrics.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/cnn_metrics.py"


rule gradcam_grid:
    input:
        arrays=f"{NDIR}/gradcam.npz",
        code=pkg("style", "gradcam", "neural"),
    output:
        f"{NFIG}/gradcam_grid.png",
    params:
        style=neural_style_params,
        overlay=neural_overlay_params,
    log:
        f"{RUN}/logs/neural/gradcam_grid.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/gradcam_grid.py"


rule gradcam_randomization:
    input:
        arrays=f"{NDIR}/gradcam.npz",
        code=pkg("style", "gradcam", "neural"),
    output:
        f"{NFIG}/gradcam_randomization.png",
    params:
        style=neural_style_params,
        figure=neural_sanity_figure_params,
    log:
        f"{RUN}/logs/neural/gradcam_randomization.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/gradcam_randomization.py"


# ---- the tutorial's ResNet50 Grad-CAM on a photo (off by default: neural.resnet50.enabled)

rule resnet_sample_image:
    input:
        code=pkg(),
    output:
        f"{NRES}/sample_image.png",
    params:
        sample=NEURAL["resnet50"]["sample"],
    log:
        f"{RUN}/logs/neural/resnet_sample_image.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/resnet_sample_image.py"


rule resnet_gradcam:
    input:
        image=resnet_image(),
        weights=resnet_weights_input,
        code=pkg("neural", "gradcam"),
    output:
        arrays=f"{NRES}/gradcam.npz",
        top=f"{NRES}/top_classes.parquet",
    params:
        resnet=resnet_params,
    threads: NEURAL["threads"]
    log:
        f"{RUN}/logs/neural/resnet_gradcam.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/resnet_gradcam.py"


rule resnet_figure:
    input:
        arrays=f"{NRES}/gradcam.npz",
        top=f"{NRES}/top_classes.parquet",
        code=pkg("style", "gradcam", "neural"),
    output:
        f"{NFIG}/resnet50_gradcam.png",
    params:
        style=neural_style_params,
        overlay=neural_overlay_params,
    log:
        f"{RUN}/logs/neural/resnet_figure.log",
    conda:
        "../envs/neural.yaml"
    script:
        "../scripts/resnet_figure.py"
