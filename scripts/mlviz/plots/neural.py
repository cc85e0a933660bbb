"""The CNN's figures: its architecture (Keras' plot_model), training curves read from the
TensorBoard logs, the Grad-CAM grid, the randomisation sanity check, and the ResNet50 Grad-CAM of a
photo. The CNN's confusion matrix is mlviz.plots.classification's. Inputs are the stored tables
and arrays; TensorFlow is needed only by draw_architecture (it draws a model)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..compute.gradcam import overlay
from .style import Style, plt

SPLITS = {"train": "training", "validation": "validation"}


def draw_architecture(model, *, style: Style):
    """plot_model's diagram (layer names, types, shapes) as a PIL image (Graphviz draws it)."""
    import tempfile
    from pathlib import Path

    import keras
    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "model.png"
        keras.utils.plot_model(model, to_file=str(raw), show_shapes=True, show_layer_names=True,
                               show_layer_activations=True, show_trainable=False, dpi=style.dpi)
        image = Image.open(raw)
        image.load()
    return image


def save_image(image, path, *, style: Style, stamp: dict) -> None:
    """A PIL image written with the same text chunks as mlviz.plots.style.save gives a Matplotlib figure."""
    from pathlib import Path

    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    for key, value in stamp.items():
        info.add_text(key, value)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    image.save(path, pnginfo=info, dpi=(style.dpi,) * 2)


def draw_curves(history: pd.DataFrame, *, style: Style):
    """Loss and accuracy per epoch, training vs validation (two panels)."""
    fig, axes = style.figure(width=style.width * 1.25, height=style.height * 0.8, ncols=2)
    for ax, metric, title in zip(axes, ["loss", "accuracy"], ["Loss (cross-entropy)", "Accuracy"]):
        for split, label in SPLITS.items():
            part = history[(history.split == split) & (history.metric == metric)]
            ax.plot(part.step, part.value, marker="o", markersize=3, label=label)
        ax.set_title(title)
        ax.set_xlabel("epoch (TensorBoard step, first = 0)")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    axes[1].legend(loc="lower right", frameon=False)
    fig.tight_layout()
    return fig


def draw_gradcam_grid(a: dict, *, style: Style, colormap: str, alpha: float):
    """For each class, one correctly classified test image, its Grad-CAM heatmap and the overlay."""
    grid = a["grid"]
    fig, axes = style.figure(width=max(style.width * 1.5, 1.2 * len(grid)), height=4.6, nrows=3,
                             ncols=len(grid), squeeze=False)
    heat = None
    for col, i in enumerate(grid):
        if i < 0:
            for ax in axes[:, col]:
                ax.axis("off")
            axes[0, col].set_title(f"class {col}\n(none correct)", fontsize=style.font_size - 1, loc="center",
                                   fontweight="normal")
            continue
        heat = axes[1, col].imshow(a["cam"][i], cmap=colormap, vmin=0, vmax=1)
        axes[0, col].imshow(a["image"][i], cmap="gray", vmin=0, vmax=1)
        axes[2, col].imshow(overlay(a["image"][i], a["cam"][i], colormap, alpha))
        axes[0, col].set_title(f"digit {a['y_true'][i]}\np = {a['proba'][i]:.2f}", fontsize=style.font_size - 1,
                               loc="center", fontweight="normal")
        for ax in axes[:, col]:
            ax.set_xticks([])
            ax.set_yticks([])
    for ax, label in zip(axes[:, 0], ["image", "Grad-CAM", "overlay"]):
        ax.set_ylabel(label)
    configured = int(a["configured_class"])
    target = f"class {configured}" if configured >= 0 else "the predicted class"
    fig.suptitle(f"Grad-CAM of {target} at layer {a['layer']} "
                 f"({a['cam_raw'].shape[1]}×{a['cam_raw'].shape[2]} maps, resized to "
                 f"{a['cam'].shape[1]}×{a['cam'].shape[2]}); one correctly classified test image per class",
                 x=0.02, ha="left", fontsize=style.font_size + 1, fontweight="bold")
    fig.tight_layout()
    if heat is not None:
        # A colour bar axis of its own beside the heatmap row, so that the rows stay aligned.
        last = axes[1, -1].get_position()
        cax = fig.add_axes([last.x1 + 0.008, last.y0, 0.008, last.height])
        fig.colorbar(heat, cax=cax, label="relevance")
    return fig


def draw_randomization(a: dict, *, style: Style, colormap: str, examples: int, max_rank_correlation: float):
    """Sanity check (a): Grad-CAM of the trained network beside that of the same architecture with
    fresh random weights for a few test images, and the rank correlations of all test images."""
    grid = a["grid"][a["grid"] >= 0]
    picks = grid[np.unique(np.linspace(0, len(grid) - 1, min(examples, len(grid))).round().astype(int))]
    n = len(picks)
    style.apply()
    fig = plt.figure(figsize=(style.width * 1.3, max(style.height, 1.7 * n + 0.8)))
    gs = fig.add_gridspec(n, 5, width_ratios=[1, 1, 1, 0.5, 3.2], wspace=0.08, hspace=0.45)
    for r, i in enumerate(picks):
        panels = [(a["image"][i], "gray"), (a["cam"][i], colormap), (a["cam_random"][i], colormap)]
        for c, (img, cmap) in enumerate(panels):
            ax = fig.add_subplot(gs[r, c])
            ax.imshow(img, cmap=cmap, vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(["image", "trained", "random\nweights"][c], fontsize=style.font_size, loc="center")
        ax.set_xlabel(f"ρ = {a['spearman'][i]:.2f}" if np.isfinite(a["spearman"][i])
                      else "ρ undefined:\nmap all zero", fontsize=style.font_size - 1, labelpad=2)
    rho = a["spearman"][np.isfinite(a["spearman"])]
    ax = fig.add_subplot(gs[:, 4])
    ax.hist(rho, bins=np.linspace(-1, 1, 41), color=style.bar_color, edgecolor=style.edge_color, linewidth=0.5)
    ax.axvline(max_rank_correlation, color="#d62728", linestyle="--",
               label=f"pass threshold: mean ρ < {max_rank_correlation:g}")
    n_zero = int((~np.isfinite(a["spearman"])).sum())
    left_out = f"; {n_zero} left out, a map all zero" if n_zero else ""
    ax.axvline(rho.mean(), color="black", label=f"mean ρ = {rho.mean():.2f} ({len(rho)} test images{left_out})")
    ax.set_xlim(-1, 1)
    ax.set_xlabel("Spearman ρ between the two Grad-CAM maps of an image")
    ax.set_ylabel("test images")
    ax.set_title("Trained vs random-weight Grad-CAM\n(model-parameter randomisation)")
    ax.set_xticks(np.linspace(-1, 1, 5))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False, fontsize=style.font_size - 1)
    return fig


def draw_resnet(a: dict, top: pd.DataFrame, *, style: Style, colormap: str, alpha: float):
    """The tutorial's three pictures side by side: the photo, its Grad-CAM heatmap, the overlay."""
    fig, axes = style.figure(width=style.width * 1.4, height=style.width * 1.4 / 3 + 1.0, ncols=3,
                             gridspec_kw={"wspace": 0.3})
    axes[0].imshow(a["image"])
    heat = axes[1].imshow(a["cam"], cmap=colormap, vmin=0, vmax=1)
    # The colour bar sits in the gap beside the heatmap, so the three pictures keep one size.
    fig.colorbar(heat, cax=axes[1].inset_axes([1.03, 0.0, 0.04, 1.0]))
    axes[2].imshow(overlay(a["image"], a["cam"], colormap, alpha))
    for ax, title in zip(axes, [str(a["source"]), f"Grad-CAM at {a['layer']}", "overlay"]):
        ax.set_title(title, fontsize=style.font_size + 1)
        ax.set_xticks([])
        ax.set_yticks([])
    weights = str(a["weights"])
    ranked = "; ".join(f"{r.label} {r.probability:.2f}" for r in top.head(3).itertuples())
    cls = int(a["class"][0])
    described = "random weights" if weights == "none" else f"{weights} weights"
    head = f"ResNet50 with {described}: Grad-CAM of “{a['label']}” (p = {float(a['proba'][cls]):.2f}); top 3: {ranked}"
    if weights == "none":
        head += "\nRANDOM WEIGHTS: this heatmap is meaningless; it only shows that the pipeline runs."
    fig.suptitle(head, x=0.02, ha="left", fontsize=style.font_size, fontweight="bold",
                 color="#b00000" if weights == "none" else "black")
    return fig
