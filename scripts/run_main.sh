#!/usr/bin/env bash
# Set up (packages), build, and run the main job: the cycle-accurate SystemC chip
# (ssnn_chip_tb) trains and tests on the MNIST subset shipped in data/mnist-subset
# and prints the accuracy and the hardware figures (about a minute on 2 cores).
# Its JSON report goes to docs/results/main_job_chip.json.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh

mkdir -p docs/results
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 build/bin/ssnn_chip_tb --dataset subset --hidden 256 --timesteps 50 --epochs 2 \
  --report docs/results/main_job_chip.json
