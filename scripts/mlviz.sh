#!/usr/bin/env bash
# mlviz: set up the environment, then run the workflow or the tests.
#
#   bash scripts/mlviz.sh setup          create .venv and install envs/requirements.lock (once)
#   bash scripts/mlviz.sh run [ARGS]     setup, then: snakemake --cores 4 ARGS   (the whole workflow)
#   bash scripts/mlviz.sh test [ARGS]    setup, then: snakemake --lint; pytest -q tests ARGS
#
# Needs only Python 3.11 (Debian 12's python3). Missing Debian packages (python3-venv, graphviz) are
# installed with apt when run as root; otherwise it stops and prints the one command to run.
# Re-running with an unchanged lock file installs nothing: .venv/.mlviz-lock holds the sha256 of
# the lock file (and the pip and Python versions) it was installed from.
# MLVIZ_VENV: another place for the virtual environment; MLVIZ_PYTHON: the interpreter to build it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MLVIZ_VENV:-$ROOT/.venv}"
LOCK="$ROOT/envs/requirements.lock"
STAMP="$VENV/.mlviz-lock"
# pip pins itself nowhere else: a fixed version keeps resolution and output identical everywhere.
PIP_VERSION="26.3"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1

say() { printf 'mlviz: %s\n' "$*" >&2; }
die() { say "$@"; exit 1; }

usage() {
    sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# Install Debian packages with apt as root; as anyone else, stop with the command to run.
apt_install() {
    local why="$1"
    shift
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        say "$why"
        say "install it, then run this command again:"
        printf '    sudo apt-get install -y %s\n' "$*" >&2
        exit 1
    fi
    say "$why: installing $* with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

python_version() { "$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null; }

# The interpreter to build the venv from: MLVIZ_PYTHON, else python3.11, else python3; 3.11.x only,
# because the lock file pins wheels built for 3.11.
base_python() {
    local py="${MLVIZ_PYTHON:-}" version
    if [ -z "$py" ]; then
        if command -v python3.11 >/dev/null 2>&1; then py=python3.11
        elif command -v python3 >/dev/null 2>&1; then py=python3
        else die "no python3 found; mlviz needs Python 3.11 (on Debian 12: apt-get install -y python3)"
        fi
    fi
    version="$(python_version "$py")" || die "cannot run $py"
    case "$version" in
        3.11.*) ;;
        *) die "$py is Python $version; mlviz needs Python 3.11.x (the lock file pins wheels for it). \
Install Python 3.11, or name one with MLVIZ_PYTHON=/path/to/python3.11" ;;
    esac
    printf '%s\n' "$py"
}

# Debian ships ensurepip (which venv needs to install pip) separately, in python3-venv.
need_ensurepip() {
    "$1" -c 'import ensurepip' 2>/dev/null ||
        apt_install "$1 cannot create a virtual environment (ensurepip is missing)" python3-venv
}

setup() {
    command -v dot >/dev/null 2>&1 || apt_install "Graphviz's dot is missing (Keras draws the CNN with it)" graphviz

    if [ ! -e "$VENV/pyvenv.cfg" ]; then
        if [ -e "$VENV" ] && [ -n "$(ls -A "$VENV" 2>/dev/null)" ]; then
            die "$VENV exists but is not a virtual environment; remove it or set MLVIZ_VENV"
        fi
        local py
        py="$(base_python)"
        need_ensurepip "$py"
        say "creating $VENV with $py (Python $(python_version "$py"))"
        "$py" -m venv "$VENV"
    fi
    local vpy="$VENV/bin/python" version
    version="$(python_version "$vpy")" || die "$vpy does not run; remove $VENV and run this command again"
    case "$version" in
        3.11.*) ;;
        *) die "$VENV has Python $version; mlviz needs 3.11.x: remove $VENV and run this command again" ;;
    esac
    # A venv left without pip (made before python3-venv was installed) gets it now.
    if ! "$vpy" -m pip --version >/dev/null 2>&1; then
        need_ensurepip "$vpy"
        "$vpy" -m ensurepip --default-pip >/dev/null
    fi

    local want
    want="$(sha256sum "$LOCK" | cut -d' ' -f1) pip==$PIP_VERSION python==$version"
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/snakemake" ]; then
        say "$VENV is up to date with envs/requirements.lock"
        return 0
    fi

    rm -f "$STAMP"
    if [ "$("$vpy" -m pip --version | cut -d' ' -f2)" != "$PIP_VERSION" ]; then
        "$vpy" -m pip install --quiet "pip==$PIP_VERSION"
    fi
    say "installing envs/requirements.lock into $VENV (a few minutes the first time)"
    "$vpy" -m pip install --quiet -r "$LOCK"
    # pip installs and never removes: anything beyond the lock was installed by hand; say so.
    local extra
    extra="$("$vpy" -m pip freeze --all --exclude pip | grep -vxiFf "$LOCK" || true)"
    [ -z "$extra" ] || say "note: $VENV also holds packages that are not in the lock file: ${extra//$'\n'/ }"
    printf '%s\n' "$want" >"$STAMP"
    say "$VENV is ready"
}

# What only the tests need from Debian: chromium (the article's HTML screenshot), poppler-utils
# (the PDF's pages and images), SLURM and munge (tests/test_cluster.py starts a one-node cluster).
# As root (CI) missing ones are installed; as anyone else the tests that need them skip, naming
# the command to run.
test_packages() {
    local missing=() tool
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
    for tool in pdftoppm pdfimages; do
        command -v "$tool" >/dev/null 2>&1 || { missing+=(poppler-utils); break; }
    done
    for tool in munged slurmctld slurmd sbatch squeue srun; do
        command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || { missing+=(slurmctld slurmd slurm-client munge); break; }
    done
    if [ "${#missing[@]}" -gt 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt_install "the tests need ${missing[*]}" "${missing[@]}"
    elif [ "${#missing[@]}" -gt 0 ]; then
        say "tests that need ${missing[*]} will be skipped; to run them: sudo apt-get install -y ${missing[*]}"
    fi
}

# A hard kill (kill -9, a wall-time limit, a lost node) leaves Snakemake's lock behind, and the next
# run would refuse to start. When no process of a snakemake run is alive in that working directory
# the lock is stale: unlock, so that the same command simply carries on.
unlock_if_stale() {
    local dir="$ROOT" prev="" arg proc
    for arg in "$@"; do
        case "$prev" in -d | --directory) dir="$arg" ;; esac
        case "$arg" in --directory=*) dir="${arg#--directory=}" ;; esac
        prev="$arg"
    done
    dir="$(cd "$dir" 2>/dev/null && pwd)" || return 0
    [ -n "$(ls -A "$dir/.snakemake/locks" 2>/dev/null)" ] || return 0
    for proc in /proc/[0-9]*; do
        [ "$(readlink "$proc/cwd" 2>/dev/null)" = "$dir" ] || continue
        if tr '\0' ' ' <"$proc/cmdline" 2>/dev/null | grep -q snakemake; then
            return 0 # a live run holds the lock
        fi
    done
    say "removing the lock a killed run left in $dir"
    "$VENV/bin/snakemake" --unlock "$@" >/dev/null
}

cmd="${1:-}"
[ $# -eq 0 ] || shift
cd "$ROOT"
case "$cmd" in
    setup)
        [ $# -eq 0 ] || usage
        setup
        ;;
    run)
        setup
        export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"
        unlock_if_stale "$@"
        exec "$VENV/bin/snakemake" --cores 4 "$@"
        ;;
    test)
        setup
        test_packages
        export PATH="$VENV/bin:$PATH" VIRTUAL_ENV="$VENV"
        "$VENV/bin/snakemake" --lint
        exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests "$@"
        ;;
    *) usage ;;
esac
