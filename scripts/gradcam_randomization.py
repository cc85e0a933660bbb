"""Sanity check (a), model-parameter randomisation: Grad-CAM of the trained network beside that of
the same architecture with fresh random weights, for a few test images, and the rank correlation
of the two maps over all test images against the pass threshold."""
import numpy as np

from mlviz import neural, style
from mlviz.runtime import run


def main(smk):
    a = neural.load_npz(smk.input.arrays)
    st, f = smk.params.style, smk.params.figure
    grid = a["grid"][a["grid"] >= 0]
    picks = grid[np.unique(np.linspace(0, len(grid) - 1, min(f["examples"], len(grid))).round().astype(int))]
    n = len(picks)
    style.apply(st)
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(st["width"] * 1.3, max(st["height"], 1.7 * n + 0.8)))
    gs = fig.add_gridspec(n, 5, width_ratios=[1, 1, 1, 0.5, 3.2], wspace=0.08, hspace=0.45)
    for r, i in enumerate(picks):
        panels = [(a["image"][i], "gray"), (a["cam"][i], f["colormap"]), (a["cam_random"][i], f["colormap"])]
        for c, (img, cmap) in enumerate(panels):
            ax = fig.add_subplot(gs[r, c])
            ax.imshow(img, cmap=cmap, vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(["image", "trained", "random\nweights"][c], fontsize=st["font_size"], loc="center")
        ax.set_xlabel(f"ρ = {a['spearman'][i]:.2f}" if np.isfinite(a["spearman"][i])
                      else "ρ undefined:\nmap all zero", fontsize=st["font_size"] - 1, labelpad=2)
    rho = a["spearman"][np.isfinite(a["spearman"])]
    ax = fig.add_subplot(gs[:, 4])
    ax.hist(rho, bins=np.linspace(-1, 1, 41), color=st["bar_color"], edgecolor=st["edge_color"],
                           linewidth=0.5)
    ax.axvline(f["max_rank_correlation"], color="#d62728", linestyle="--",
               label=f"pass threshold: mean ρ < {f['max_rank_correlation']:g}")
    n_zero = int((~np.isfinite(a["spearman"])).sum())
    left_out = f"; {n_zero} left out, a map all zero" if n_zero else ""
    ax.axvline(rho.mean(), color="black", label=f"mean ρ = {rho.mean():.2f} ({len(rho)} test images{left_out})")
    ax.set_xlim(-1, 1)
    ax.set_xlabel("Spearman ρ between the two Grad-CAM maps of an image")
    ax.set_ylabel("test images")
    ax.set_title("Trained vs random-weight Grad-CAM\n(model-parameter randomisation)")
    ax.set_xticks(np.linspace(-1, 1, 5))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), frameon=False, fontsize=st["font_size"] - 1)
    style.save(fig, smk.output[0], smk.config, st)


run(main, snakemake)  # noqa: F821
