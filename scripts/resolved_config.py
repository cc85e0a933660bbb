"""Write the resolved configuration: every default and inference of the run spelt out, as a config
file that gives the same run (copy it, edit any choice, run it with --configfile)."""
from pathlib import Path

import yaml

from mlviz.workflow.jobs import run

HEADER = """\
# The configuration of this run with every default and every inference spelt out (mlviz resolved
# `auto` values from the data). Copy this file, edit any choice, and run it:
#     snakemake --cores 4 --configfile this-file.yaml
# Keys are documented in config/README.md.
"""


def main(smk):
    text = yaml.safe_dump(smk.params.config, sort_keys=False, allow_unicode=True, width=100)
    Path(smk.output[0]).write_text(HEADER + text)


run(main, snakemake)  # noqa: F821
