"""The tutorial's three pictures side by side: the photo, its Grad-CAM heatmap, and the overlay."""
import pandas as pd

from mlviz import gradcam, neural, style
from mlviz.runtime import run


def main(smk):
    a = neural.load_npz(smk.input.arrays)
    top = pd.read_parquet(smk.input.top)
    st, ov = smk.params.style, smk.params.overlay
    fig, axes = style.figure(st, width=st["width"] * 1.4, height=st["width"] * 1.4 / 3 + 1.0, ncols=3,
                             gridspec_kw={"wspace": 0.3})
    axes[0].imshow(a["image"])
    heat = axes[1].imshow(a["cam"], cmap=ov["colormap"], vmin=0, vmax=1)
    # The colour bar sits in the gap beside the heatmap, so the three pictures keep one size.
    fig.colorbar(heat, cax=axes[1].inset_axes([1.03, 0.0, 0.04, 1.0]))
    axes[2].imshow(gradcam.overlay(a["image"], a["cam"], ov["colormap"], ov["alpha"]))
    for ax, title in zip(axes, [str(a["source"]), f"Grad-CAM at {a['layer']}", "overlay"]):
        ax.set_title(title, fontsize=st["font_size"] + 1)
        ax.set_xticks([])
        ax.set_yticks([])
    weights = str(a["weights"])
    ranked = "; ".join(f"{r.label} {r.probability:.2f}" for r in top.head(3).itertuples())
    cls = int(a["class"][0])
    described = "random weights" if weights == "none" else f"{weights} weights"
    head = f"ResNet50 with {described}: Grad-CAM of “{a['label']}” (p = {float(a['proba'][cls]):.2f}); top 3: {ranked}"
    if weights == "none":
        head += "\nRANDOM WEIGHTS: this heatmap is meaningless; it only shows that the pipeline runs."
    fig.suptitle(head, x=0.02, ha="left", fontsize=st["font_size"], fontweight="bold",
                 color="#b00000" if weights == "none" else "black")
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
