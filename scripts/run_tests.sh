#!/usr/bin/env bash
# Set up (packages), build, and run every test through CTest; then the robustness checks
# (docs/robustness.md): the unit, router and chip tests under ASan+UBSan, bounded fuzzing of every
# parser of outside input, and kill-and-resume of golden-model and chip training runs.
#   SSNN_FUZZ_SECONDS     seconds per fuzz target (default 45)
#   SSNN_SKIP_ROBUSTNESS  1: CTest only
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh

export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
ctest --test-dir build --output-on-failure -j "${SSNN_TEST_JOBS:-2}"

if [ "${SSNN_SKIP_ROBUSTNESS:-0}" != 1 ]; then
  t0=$(date +%s)
  bash scripts/sanitize.sh --systemc
  bash scripts/fuzz.sh "${SSNN_FUZZ_SECONDS:-45}"
  SSNN_GOLDEN="$REPO/build/bin/ssnn_golden" SSNN_CHIP_TB="$REPO/build/bin/ssnn_chip_tb" bash scripts/kill_resume.sh
  echo "[run_tests] robustness checks passed in $(( $(date +%s) - t0 )) s"
fi
