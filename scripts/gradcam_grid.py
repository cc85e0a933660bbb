"""For each digit class, one correctly classified test image, its Grad-CAM heatmap and the overlay."""
from mlviz.workflow.io import load_npz
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.neural import draw_gradcam_grid
from mlviz.plots.style import Style, save


def main(smk):
    style, ov = Style.of(smk.params.style), smk.params.overlay
    fig = draw_gradcam_grid(load_npz(smk.input.arrays), style=style, colormap=ov["colormap"], alpha=ov["alpha"])
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
