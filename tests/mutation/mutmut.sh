#!/usr/bin/env bash
# Mutation testing of the code that writes the article's claims and facts (mlviz.article.claims and
# .facts) with mutmut (pinned in envs/requirements.lock), against the fast tests named in
# tests/mutation/setup.cfg. Not part of the test suite: run by hand, then read the survivors.
#   bash tests/mutation/mutmut.sh [STAGE [MUTANT_GLOB...]]    # default stage: /tmp/mlviz-mutmut
#   bash tests/mutation/mutmut.sh /tmp/m 'mlviz.article.facts.x_shap_section*'   # facts.py, one function
#   cd /tmp/mlviz-mutmut && ../path/to/.venv/bin/mutmut results   # or: mutmut show NAME
# mutmut imports the mutated code from ./, src/ or source/ only: the stage is a copy of the
# checkout with scripts/mlviz as src/mlviz (scripts/report_facts.py, report/ and config/ beside it).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
stage="${1:-/tmp/mlviz-mutmut}"
shift || true
venv="${MLVIZ_VENV:-$repo/.venv}"
rm -rf "$stage"
mkdir -p "$stage/src" "$stage/scripts"
cp -r "$repo/scripts/mlviz" "$stage/src/mlviz"
cp "$repo/scripts/report_facts.py" "$stage/scripts/"
cp -r "$repo/report" "$repo/tests" "$repo/config" "$stage/"
cp "$repo/tests/mutation/setup.cfg" "$stage/setup.cfg"
if printf '%s\n' "$@" | grep -q "article\.facts"; then  # mutants of facts.py asked for: mutate it too
    sed -i 's#^    src/mlviz/article/claims.py$#    src/mlviz/article/claims.py\n    src/mlviz/article/facts.py#' "$stage/setup.cfg"
fi
find "$stage" -name __pycache__ -prune -exec rm -rf {} +
cd "$stage"
PATH="$venv/bin:$PATH" nice "$venv/bin/mutmut" run --max-children "${MUTMUT_CHILDREN:-2}" "$@"
PATH="$venv/bin:$PATH" "$venv/bin/mutmut" results > "$stage/survivors.txt" || true
echo "mutmut: survivors listed in $stage/survivors.txt (mutmut show NAME, in $stage, shows one)"
