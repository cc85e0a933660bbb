"""Read the epoch scalars back from the TensorBoard event files into a table (split, metric, step,
value): the training-curve figure then shows exactly what TensorBoard shows."""
from mlviz.compute.tensorboard_log import read_scalars
from mlviz.workflow.io import write_parquet
from mlviz.workflow.jobs import log, run


def main(smk):
    table = read_scalars(smk.input.tensorboard)
    write_parquet(table, smk.output[0])
    log.info("%d scalars: %s", len(table), sorted(table.metric.unique()))


run(main, snakemake)  # noqa: F821
