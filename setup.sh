#!/usr/bin/env bash
# One command for a new machine (Debian or Ubuntu with the Swift toolchain): installs the
# system packages the workbook needs, builds it, fetches MovieLens-100K, and runs chapter 1.
#
#   ./setup.sh            install what is missing, build, run chapter 1
#   ./setup.sh --no-run   install, build and fetch MovieLens only (CI)
set -euo pipefail
cd "$(dirname "$0")"

# gnuplot-nox first: it satisfies `gnuplot` without pulling in Qt. pngcairo (the figures'
# terminal) is in gnuplot-nox. gnuplot-iostream needs boost's iostreams and filesystem;
# zlib lets the workbook read the MovieLens zip.
# graphviz draws the model diagrams; libjs-katex and libjs-highlight.js typeset the HTML book's
# equations and colour its listings offline (copied into output/book/assets/); fonts-noto-cjk draws
# the Korean edition's figures (gnuplot's cairo falls back to it for Hangul).
packages=(gnuplot-nox gnuplot libgnuplot-iostream-dev libboost-iostreams-dev libboost-filesystem-dev
          libboost-system-dev libopenblas-dev liblapacke-dev zlib1g-dev fonts-dejavu-core graphviz
          libjs-katex libjs-highlight.js fonts-noto-cjk)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null; then
        echo "setup: no apt-get here; install these packages with your system's package manager: ${missing[*]}" >&2
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
        sudo="sudo"
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends gnuplot-nox >/dev/null
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: the Swift toolchain (6.0 or later) is not on PATH: install it from swift.org" >&2; exit 1; }
echo "setup: building (swift build)"
swift build
# MovieLens-100K for the chapters from 2 on (and their tests): GroupLens, else PyPI.
if ! swift run workbook data fetch; then
    echo "setup: MovieLens-100K could not be fetched (see above); chapter 1 runs without it" >&2
    [ "${1:-}" = "--no-run" ] && exit 1
fi
if [ "${1:-}" != "--no-run" ]; then
    swift run workbook chapter 1
fi
