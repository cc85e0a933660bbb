"""The CNN's architecture as Keras draws it (plot_model: layer names, types, shapes), with the
provenance text every mlviz figure carries."""
import tempfile
from pathlib import Path

from PIL import Image, PngImagePlugin

from mlviz import neural
from mlviz.runtime import provenance, run


def main(smk):
    _, keras = neural.setup_tensorflow(0, 1, smk.params.device, native_log=True)
    model = keras.saving.load_model(smk.input.model)
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "model.png"
        keras.utils.plot_model(model, to_file=str(raw), show_shapes=True, show_layer_names=True,
                               show_layer_activations=True, show_trainable=False, dpi=smk.params.style["dpi"])
        image = Image.open(raw)
        image.load()
    # Re-encoded losslessly only to add the provenance chunks (style.save does this for matplotlib).
    info = PngImagePlugin.PngInfo()
    for key, value in provenance(smk.config).items():
        info.add_text(key, value)
    Path(smk.output[0]).parent.mkdir(parents=True, exist_ok=True)
    image.save(smk.output[0], pnginfo=info, dpi=(smk.params.style["dpi"],) * 2)


run(main, snakemake)  # noqa: F821
