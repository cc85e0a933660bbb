"""The CNN's row block of the metrics table: test-split classification metrics and the Grad-CAM
sanity numbers, with their thresholds and pass flags."""
import numpy as np
import pandas as pd

from mlviz.compute import metrics
from mlviz.workflow.io import load_npz, write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    pred = pd.read_parquet(smk.input.predictions)
    values = metrics.classification_metrics(pred, [str(c) for c in range(10)])
    sanity = pd.read_parquet(smk.input.sanity).set_index("metric")["value"].to_dict()
    limit = smk.params.max_rank_correlation
    values.update(sanity)
    values["gradcam_randomization_threshold"] = float(limit)
    values["gradcam_randomization_pass"] = float(sanity["gradcam_randomization_spearman_mean"] < limit)
    # The mean can hide a minority of images whose map barely changes: report their share too.
    rho = load_npz(smk.input.arrays)["spearman"]
    values["gradcam_randomization_share_above_threshold"] = float(np.mean(rho[np.isfinite(rho)] >= limit))
    values["gradcam_deletion_pass"] = float(sanity["gradcam_deletion_drop_salient"]
                                            > sanity["gradcam_deletion_drop_random"])
    write_parquet(metrics.tidy(smk.params.dataset, "cnn", values), smk.output[0])
    log.info("%s", values)


run(main, snakemake)  # noqa: F821
