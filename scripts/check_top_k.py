"""Top-k agreement checks (between importance methods, of LIME over seeds) whose k is at least the
number of features: they agree by construction."""
from mlviz.compute import diagnostics
from mlviz.workflow.io import read_json, write_parquet
from mlviz.workflow.jobs import run


def main(smk):
    write_parquet(diagnostics.top_k_checks(read_json(smk.input.meta), smk.params.checks,
                                           dataset=smk.wildcards.dataset), smk.output[0])


run(main, snakemake)  # noqa: F821
