"""The CNN's architecture as Keras draws it (plot_model: layer names, types, shapes)."""
from mlviz.compute import cnn
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.neural import draw_architecture, save_image
from mlviz.plots.style import Style


def main(smk):
    _, keras = cnn.setup_tensorflow(0, 1, smk.params.device, native_log=True)
    style = Style.of(smk.params.style)
    image = draw_architecture(keras.saving.load_model(smk.input.model), style=style)
    save_image(image, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
