"""The CNN's confusion matrix on the test images."""
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay

from mlviz import style
from mlviz.runtime import run


def main(smk):
    pred = pd.read_parquet(smk.input.predictions)
    st = smk.params.style
    side = min(st["width"], st["height"] * 1.3)
    fig, ax = style.figure(st, width=side, height=side)
    ConfusionMatrixDisplay.from_predictions(pred.y_true, pred.y_pred, labels=list(range(10)),
                                            display_labels=[str(c) for c in range(10)],
                                            cmap="Blues", colorbar=False, ax=ax)
    acc = (pred.y_true == pred.y_pred).mean()
    ax.set_title(f"CNN on {smk.params.dataset}: {len(pred)} test images, accuracy {acc:.3f}")
    ax.grid(False)
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
