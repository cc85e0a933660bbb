"""The tutorial's three pictures side by side: the photo, its Grad-CAM heatmap, and the overlay."""
import pandas as pd

from mlviz.workflow.io import load_npz
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.neural import draw_resnet
from mlviz.plots.style import Style, save


def main(smk):
    style, ov = Style.of(smk.params.style), smk.params.overlay
    fig = draw_resnet(load_npz(smk.input.arrays), pd.read_parquet(smk.input.top), style=style,
                      colormap=ov["colormap"], alpha=ov["alpha"])
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
