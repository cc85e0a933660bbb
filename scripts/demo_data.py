"""Write one embedded demo data set (a seeded generator shaped like the tutorial's Kaggle file)."""
from mlviz.sources import demo
from mlviz.workflow.jobs import run


def main(smk):
    src = smk.params.source
    demo.write_csv(demo.generate(src["generator"], rows=src.get("rows"), seed=src.get("seed", 42)), smk.output[0])


run(main, snakemake)  # noqa: F821 (snakemake is injected by the script directive)
