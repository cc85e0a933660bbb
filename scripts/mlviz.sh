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
# Quarto (it renders the article) is linked as $VENV/bin/quarto, so that the workflow's jobs find it:
# MLVIZ_QUARTO=/path/to/quarto names one; else the pinned release already in the venv, else a
# quarto >= 1.4 on PATH; else the pinned release (QUARTO_VERSION below) is downloaded from GitHub,
# checked against its pinned sha256 and unpacked into $VENV/opt (nothing is installed if it differs).
# For tests and mirrors: MLVIZ_QUARTO_URL, the tarball's URL instead of GitHub's; MLVIZ_QUARTO_SHA256,
# the sha256 it must have instead of the pinned one.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${MLVIZ_VENV:-$ROOT/.venv}"
LOCK="$ROOT/envs/requirements.lock"
STAMP="$VENV/.mlviz-lock"
# pip pins itself nowhere else: a fixed version keeps resolution and output identical everywhere.
PIP_VERSION="26.3"
# uv installs the lock (pip installs uv): it fetches and unpacks the ~120 wheels in parallel and
# links them from its cache, seconds where pip takes minutes. MLVIZ_INSTALLER=pip uses pip only.
UV_VERSION="0.13.9"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
# Quarto: the release installed when none is found, and the oldest one the article works with
# (cross-references, Typst output, `content-visible when-meta`, `embed-resources`). Tested with
# 1.11.0 (the offline build CI installs from ../shared/quarto).
QUARTO_VERSION="1.10.18"
QUARTO_MIN="1.4"
# sha256 of quarto-$QUARTO_VERSION-linux-{amd64,arm64}.tar.gz (GitHub release assets), as pinned by
# Nixpkgs' quarto package: Bad3r/nixpkgs and dwinkler1/rixpkgs, pkgs/by-name/qu/quarto/package.nix
# (passthru.sources, SRI base64 hashes converted to hex); another project's pin of the amd64
# tarball (147010003 bytes) agrees.
QUARTO_SHA256_LINUX_AMD64="afad071b5bd22c02f2d300695743189d3650e0537a53073e654b630cff2b0c73"
QUARTO_SHA256_LINUX_ARM64="f6a07df68e25330b5df34f65d3df66bca605acce3b830c593a58e91884d4cf6c"
# MLVIZ_QUARTO relative to where the command was run (the script changes to $ROOT).
case "${MLVIZ_QUARTO:-}" in "" | /*) ;; *) MLVIZ_QUARTO="$PWD/$MLVIZ_QUARTO" ;; esac

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

version_ge() { # version_ge A B: is version A >= version B (numeric, dot-separated)?
    local -a a b
    local i x y
    IFS=. read -ra a <<<"$1"
    IFS=. read -ra b <<<"$2"
    for ((i = 0; i < ${#a[@]} || i < ${#b[@]}; i++)); do
        x="${a[i]:-0}" y="${b[i]:-0}"
        x="${x%%[!0-9]*}" y="${y%%[!0-9]*}"
        x=$((10#${x:-0})) y=$((10#${y:-0}))
        if ((x > y)); then return 0; elif ((x < y)); then return 1; fi
    done
    return 0
}

# The version a quarto reports (first line of `quarto --version`); fails when it does not run.
quarto_version() {
    local v
    v="$("$1" --version 2>/dev/null)" || return 1
    v="${v%%$'\n'*}"
    v="${v//[[:space:]]/}"
    [[ "$v" =~ ^[0-9]+(\.[0-9]+)*([.-].*)?$ ]] || return 1
    printf '%s\n' "$v"
}

QUARTO_HINT="install Quarto >= $QUARTO_MIN by hand (a release package from https://quarto.org/docs/download/, \
or conda-forge's quarto: conda install -c conda-forge quarto), then run this command again with it on PATH \
or named by MLVIZ_QUARTO=/path/to/quarto"

# Download $1 to $2 with curl, else with Python's urllib; time-limited so that a machine without
# network fails in seconds. On failure, prints the reason (one line) and fails.
download() {
    local err
    if command -v curl >/dev/null 2>&1; then
        if ! err="$(curl --fail --silent --show-error --location --connect-timeout 10 \
            --speed-limit 1024 --speed-time 60 -o "$2" "$1" 2>&1)"; then
            err="${err%$'\n'}"
            printf '%s\n' "${err##*$'\n'}"
            return 1
        fi
        return 0
    fi
    "$VENV/bin/python" - "$1" "$2" <<'EOF' 2>&1 | tail -n 1
import shutil, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=10) as r, open(sys.argv[2], "wb") as f:
        shutil.copyfileobj(r, f, 1 << 20)
except Exception as e:
    print(f"{type(e).__name__}: {e}".replace("\n", " "))
    sys.exit(1)
EOF
    return "${PIPESTATUS[0]}"
}

# Download the pinned Quarto release, check its sha256 and unpack it into $1 (all or nothing).
install_quarto() {
    local dest="$1" why="$2" arch sha url tmp err got top version
    case "$(uname -s)-$(uname -m)" in
        Linux-x86_64 | Linux-amd64) arch=linux-amd64 sha="$QUARTO_SHA256_LINUX_AMD64" ;;
        Linux-aarch64 | Linux-arm64) arch=linux-arm64 sha="$QUARTO_SHA256_LINUX_ARM64" ;;
        *) arch="$(uname -s)-$(uname -m)" sha="" ;;
    esac
    sha="${MLVIZ_QUARTO_SHA256:-$sha}"
    [ -n "$sha" ] || die "${why}no Quarto release is pinned for $arch; $QUARTO_HINT"
    url="${MLVIZ_QUARTO_URL:-https://github.com/quarto-dev/quarto-cli/releases/download/v$QUARTO_VERSION/quarto-$QUARTO_VERSION-$arch.tar.gz}"
    say "${why}downloading Quarto $QUARTO_VERSION ($arch, about 150 MB) from $url"
    mkdir -p "$VENV/opt"
    tmp="$(mktemp -d "$VENV/opt/.quarto-download.XXXXXX")"
    # shellcheck disable=SC2064 # expand now: tmp is local
    trap "rm -rf '$tmp'; rmdir '$VENV/opt' 2>/dev/null || true" EXIT
    err="$(download "$url" "$tmp/quarto.tar.gz")" ||
        die "cannot download Quarto $QUARTO_VERSION (${err:-no reason given}); $QUARTO_HINT"
    got="$(sha256sum "$tmp/quarto.tar.gz" | cut -d' ' -f1)"
    [ "$got" = "$sha" ] || die "the checksum of $url did not match: sha256 $got, pinned $sha; \
nothing was installed. $QUARTO_HINT"
    mkdir "$tmp/x"
    tar -xzf "$tmp/quarto.tar.gz" -C "$tmp/x" --no-same-owner 2>/dev/null ||
        die "cannot unpack $url; nothing was installed. $QUARTO_HINT"
    # The release unpacks into quarto-VERSION/{bin,share}.
    for top in "$tmp/x/quarto-$QUARTO_VERSION" "$tmp/x"/* "$tmp/x"; do
        [ -x "$top/bin/quarto" ] && break
    done
    [ -x "$top/bin/quarto" ] || die "$url holds no bin/quarto; nothing was installed. $QUARTO_HINT"
    version="$(quarto_version "$top/bin/quarto")" ||
        die "the Quarto from $url does not run here (quarto --version fails); nothing was installed. $QUARTO_HINT"
    printf '%s\n' "$sha" >"$top/.mlviz-sha256"
    rm -rf "$dest"
    mv "$top" "$dest"
    rm -rf "$tmp"
    trap - EXIT
    # Releases this script installed before (an older pin) are of no further use.
    for top in "$VENV"/opt/quarto-*; do
        [ "$top" = "$dest" ] || [ ! -f "$top/.mlviz-sha256" ] || rm -rf "$top"
    done
    say "installed Quarto $version into $dest (linked as $VENV/bin/quarto)"
}

# Link $VENV/bin/quarto to a suitable Quarto. Which one, first that applies:
#   1. MLVIZ_QUARTO (it must run and be >= QUARTO_MIN);
#   2. the pinned release, when this script installed it into $VENV/opt before (no download, and no
#      `quarto --version` either: re-runs take no time);
#   3. the first quarto >= QUARTO_MIN on PATH ($VENV/bin itself left out);
#   4. the quarto $VENV/bin/quarto links to already, if it still runs and is >= QUARTO_MIN (one named
#      by MLVIZ_QUARTO or found on PATH in an earlier run stays in use when neither is there now);
#   5. the pinned release, downloaded and checked now.
# A symlink, not a copy: a quarto upgraded in place (a package manager's /usr/local/bin/quarto) is
# used at once, and the link is redone on every run, so it follows MLVIZ_QUARTO and PATH as they
# change (a dangling link, after that quarto was removed, is replaced the same way). To go back from
# another quarto to the pinned release, remove $VENV/bin/quarto and set none of them.
setup_quarto() {
    local link="$VENV/bin/quarto" pinned="$VENV/opt/quarto-$QUARTO_VERSION" target="" version="" why=""
    local pinned_sha dir candidate venv_bin installed=""
    case "$(uname -m)" in
        aarch64 | arm64) pinned_sha="$QUARTO_SHA256_LINUX_ARM64" ;;
        *) pinned_sha="$QUARTO_SHA256_LINUX_AMD64" ;;
    esac
    pinned_sha="${MLVIZ_QUARTO_SHA256:-$pinned_sha}"
    if [ -n "${MLVIZ_QUARTO:-}" ]; then
        [ -f "$MLVIZ_QUARTO" ] && [ -x "$MLVIZ_QUARTO" ] || die "MLVIZ_QUARTO=$MLVIZ_QUARTO is not an executable file"
        version="$(quarto_version "$MLVIZ_QUARTO")" || die "MLVIZ_QUARTO=$MLVIZ_QUARTO does not run (quarto --version fails)"
        version_ge "$version" "$QUARTO_MIN" ||
            die "MLVIZ_QUARTO=$MLVIZ_QUARTO is Quarto $version; mlviz needs Quarto >= $QUARTO_MIN"
        target="$MLVIZ_QUARTO"
    elif [ -x "$pinned/bin/quarto" ] && [ "$(cat "$pinned/.mlviz-sha256" 2>/dev/null)" = "$pinned_sha" ]; then
        target="$pinned/bin/quarto" version="$QUARTO_VERSION"
    else
        venv_bin="$(cd "$VENV/bin" && pwd -P)"
        local -a path_dirs
        IFS=: read -ra path_dirs <<<"$PATH"
        for dir in "${path_dirs[@]}"; do
            candidate="${dir:-.}/quarto"
            [ -f "$candidate" ] && [ -x "$candidate" ] || continue
            [ "$(cd "${dir:-.}" && pwd -P)" != "$venv_bin" ] || continue
            if version="$(quarto_version "$candidate")" && version_ge "$version" "$QUARTO_MIN"; then
                target="$candidate"
                break
            fi
            if [ -z "$why" ] && [ -n "$version" ]; then
                why="$candidate is Quarto $version, older than the $QUARTO_MIN mlviz needs; "
            elif [ -z "$why" ]; then
                why="$candidate does not run (quarto --version fails); "
            fi
            version=""
        done
        if [ -z "$target" ] && [ -L "$link" ]; then
            case "$(readlink -f "$link")" in
                "$(cd "$VENV" && pwd -P)"/opt/*) ;; # a release installed here, but not the pinned one
                *) if version="$(quarto_version "$link")" && version_ge "$version" "$QUARTO_MIN"; then
                       return 0 # 4: keep it
                   fi ;;
            esac
        fi
        if [ -z "$target" ]; then
            install_quarto "$pinned" "$why"
            target="$pinned/bin/quarto" version="$QUARTO_VERSION" installed=1
        fi
    fi
    if [ -L "$link" ] || [ -e "$link" ]; then
        [ "$(readlink -f "$link")" != "$(readlink -f "$target")" ] || return 0 # already linked
        [ -L "$link" ] || die "$link is not a link this script made; remove it, or name it with MLVIZ_QUARTO=$link"
    fi
    rm -f "$link.mlviz-new"
    ln -s "$target" "$link.mlviz-new"
    mv -fT "$link.mlviz-new" "$link"
    [ -n "$installed" ] || say "using Quarto $version at $target (linked as $link)"
}

# uv reads no pip configuration: hand it the package indexes and wheel folders pip is configured
# with (pip.conf, PIP_* variables), unless uv's own UV_* settings are given. With several indexes,
# pip takes the best version from all of them; uv's unsafe-best-match does the same.
uv_indexes_from_pip() {
    local vpy="$1" line key value
    if [ -n "${UV_DEFAULT_INDEX:-}${UV_INDEX_URL:-}${UV_INDEX:-}${UV_EXTRA_INDEX_URL:-}${UV_FIND_LINKS:-}" ]; then
        return 0
    fi
    while IFS= read -r line; do
        key="${line%%=*}" value="${line#*=}"
        value="${value#\'}" value="${value%\'}"
        case "${key##*.}" in
            index-url) export UV_DEFAULT_INDEX="$value" ;;
            extra-index-url) export UV_INDEX="${UV_INDEX:+$UV_INDEX }$value" ;;
            find-links) export UV_FIND_LINKS="${UV_FIND_LINKS:+$UV_FIND_LINKS,}${value// /,}" ;;
        esac
    done < <("$vpy" -m pip config list 2>/dev/null)
    if [ -n "${UV_INDEX:-}${UV_FIND_LINKS:-}" ]; then
        export UV_INDEX_STRATEGY="${UV_INDEX_STRATEGY:-unsafe-best-match}"
    fi
}

# Install the lock with uv (pinned; pip installs it into the venv first). Fails, saying why in one
# line, when uv cannot be had or cannot install; the caller then uses pip. --compile-bytecode, as pip
# does: where PYTHONDONTWRITEBYTECODE is set (CI images), every import would otherwise compile again,
# and the test suite took 45 instead of 31 minutes.
install_with_uv() {
    local vpy="$1" uv="$VENV/bin/uv" err
    if [ "$("$uv" --version 2>/dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
        if ! err="$("$vpy" -m pip install --quiet "uv==$UV_VERSION" 2>&1)"; then
            say "cannot install uv $UV_VERSION (${err##*$'\n'}); pip installs the lock instead"
            return 1
        fi
    fi
    say "installing envs/requirements.lock into $VENV with uv $UV_VERSION"
    if ! err="$(uv_indexes_from_pip "$vpy"; "$uv" pip install --quiet --compile-bytecode --python "$vpy" -r "$LOCK" 2>&1)"; then
        say "uv could not install the lock (${err##*$'\n'}); pip installs it instead"
        return 1
    fi
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
    setup_quarto

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
    if [ "${MLVIZ_INSTALLER:-uv}" = uv ] && install_with_uv "$vpy"; then
        :
    else
        say "installing envs/requirements.lock into $VENV with pip (a few minutes the first time)"
        "$vpy" -m pip install --quiet -r "$LOCK"
    fi
    # Neither removes anything: packages beyond the lock were installed by hand; say so.
    local extra
    extra="$("$vpy" -m pip freeze --all --exclude pip --exclude uv | grep -vxiFf "$LOCK" || true)"
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
