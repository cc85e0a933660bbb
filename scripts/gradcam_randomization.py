"""Sanity check (a), model-parameter randomisation: Grad-CAM of the trained network beside that of
the same architecture with fresh random weights, and the rank correlations against the threshold."""
from mlviz.workflow.io import load_npz
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.neural import draw_randomization
from mlviz.plots.style import Style, save


def main(smk):
    style = Style.of(smk.params.style)
    fig = draw_randomization(load_npz(smk.input.arrays), style=style, **smk.params.figure)
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
