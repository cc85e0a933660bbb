"""The CNN's confusion matrix on the test images."""
import pandas as pd

from mlviz.compute.cnn import N_CLASSES
from mlviz.workflow.jobs import run, stamp
from mlviz.plots.classification import draw_confusion_matrix
from mlviz.plots.style import Style, save


def main(smk):
    pred = pd.read_parquet(smk.input.predictions)
    style = Style.of(smk.params.style)
    acc = (pred.y_true == pred.y_pred).mean()
    fig = draw_confusion_matrix(pred, classes=[str(c) for c in range(N_CLASSES)], style=style, colorbar=False,
                                title=f"CNN on {smk.params.dataset}: {len(pred)} test images, accuracy {acc:.3f}")
    save(fig, smk.output[0], style=style, stamp=stamp(smk))


run(main, snakemake)  # noqa: F821
