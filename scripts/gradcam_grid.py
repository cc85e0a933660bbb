"""For each digit class, one correctly classified test image, its Grad-CAM heatmap and the overlay."""
import numpy as np

from mlviz import gradcam, neural, style
from mlviz.runtime import run


def main(smk):
    a = neural.load_npz(smk.input.arrays)
    st, ov = smk.params.style, smk.params.overlay
    grid = a["grid"]
    fig, axes = style.figure(st, width=max(st["width"] * 1.5, 1.2 * len(grid)), height=4.6,
                             nrows=3, ncols=len(grid), squeeze=False)
    for col, i in enumerate(grid):
        if i < 0:
            for ax in axes[:, col]:
                ax.axis("off")
            axes[0, col].set_title(f"digit {col}\n(none correct)", fontsize=st["font_size"] - 1,
                                   loc="center", fontweight="normal")
            continue
        heat = axes[1, col].imshow(a["cam"][i], cmap=ov["colormap"], vmin=0, vmax=1)
        axes[0, col].imshow(a["image"][i], cmap="gray", vmin=0, vmax=1)
        axes[2, col].imshow(gradcam.overlay(a["image"][i], a["cam"][i], ov["colormap"], ov["alpha"]))
        axes[0, col].set_title(f"digit {a['y_true'][i]}\np = {a['proba'][i]:.2f}", fontsize=st["font_size"] - 1,
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
                 x=0.02, ha="left", fontsize=st["font_size"] + 1, fontweight="bold")
    fig.tight_layout()
    # A colour bar axis of its own beside the heatmap row, so that the rows stay aligned.
    last = axes[1, -1].get_position()
    cax = fig.add_axes([last.x1 + 0.008, last.y0, 0.008, last.height])
    fig.colorbar(heat, cax=cax, label="relevance")
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
