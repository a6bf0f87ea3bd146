#!/usr/bin/env bash
# Set up (packages), build, and run every test through CTest.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh

export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
ctest --test-dir build --output-on-failure -j "${SSNN_TEST_JOBS:-2}"
