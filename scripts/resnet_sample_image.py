"""Write one of scikit-image's bundled photos to PNG: the default image for the ResNet50 Grad-CAM."""
from pathlib import Path

import skimage.data
from PIL import Image

from mlviz.errors import InputError
from mlviz.workflow.jobs import log, run


def main(smk):
    name = smk.params.sample
    loader = getattr(skimage.data, name, None)
    if loader is None:
        raise InputError(f"config key neural.resnet50.sample: scikit-image has no bundled image {name!r}")
    image = loader()
    Path(smk.output[0]).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).convert("RGB").save(smk.output[0])
    log.info("skimage.data.%s: %s → %s", name, image.shape, smk.output[0])


run(main, snakemake)  # noqa: F821
