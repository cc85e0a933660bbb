"""What every rule script shares: its log, bad input reported in one line, and the stamp its
figures carry.

A script is `def main(smk): ...` followed by `run(main, snakemake)`: `smk` is Snakemake's object
(input, output, params, wildcards, log, threads)."""
from __future__ import annotations

import hashlib
import json
import logging
import sys

from ..errors import InputError

log = logging.getLogger("mlviz")


def run(main, smk) -> None:
    """Run a rule script's main(smk): stderr and logging go to the rule's log; an InputError is
    printed as one line on the terminal too, and the job fails (Snakemake removes its outputs)."""
    logfile = open(smk.log[0], "w") if smk.log else sys.stderr
    sys.stderr = logfile
    logging.basicConfig(stream=logfile, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", force=True)
    try:
        main(smk)
    except InputError as e:
        print(f"mlviz: {e}", file=logfile)
        print(f"mlviz: {e}", file=sys.__stderr__)
        sys.exit(1)
    finally:
        logfile.flush()


def stamp(smk) -> dict[str, str]:
    """Text chunks of a figure: the rule that drew it and a digest of that job's parameters, which
    with its input files is all it depends on (so the stamp cannot disagree with the manifest)."""
    params = {k: v for k, v in smk.params.items()}
    blob = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return {"mlviz:rule": smk.rule, "mlviz:params": hashlib.sha256(blob.encode()).hexdigest()[:16]}
