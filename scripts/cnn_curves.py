"""Loss and accuracy per epoch, training vs validation, from the values read out of the event files."""
import pandas as pd

from mlviz import style
from mlviz.runtime import run

SPLITS = {"train": "training", "validation": "validation"}


def main(smk):
    hist = pd.read_parquet(smk.input.history)
    st = smk.params.style
    fig, axes = style.figure(st, width=st["width"] * 1.25, height=st["height"] * 0.8, ncols=2)
    for ax, metric, title in zip(axes, ["loss", "accuracy"], ["Loss (cross-entropy)", "Accuracy"]):
        for split, label in SPLITS.items():
            part = hist[(hist.split == split) & (hist.metric == metric)]
            ax.plot(part.step, part.value, marker="o", markersize=3, label=label)
        ax.set_title(title)
        ax.set_xlabel("epoch (TensorBoard step, first = 0)")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
    axes[1].legend(loc="lower right", frameon=False)
    fig.tight_layout()
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
