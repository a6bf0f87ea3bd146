#!/usr/bin/env bash
# Set up (packages), build, and run the main job: the cycle-accurate SystemC chip
# (ssnn_chip_tb) trains and tests on the MNIST subset shipped in data/mnist-subset
# and prints the accuracy and the hardware figures (about a minute on 2 cores); then the same chip,
# loaded with the shipped MNIST model trained in the chip's own update mode (models/README.md),
# scores the shipped test subset (1,000 images) and prints its accuracy, cycles and energy.
# Its JSON reports go to docs/results/main_job_chip.json and docs/results/main_job_shipped_model.json.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh

mkdir -p docs/results
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 build/bin/ssnn_chip_tb --dataset subset --hidden 256 --timesteps 50 --epochs 2 \
  --report docs/results/main_job_chip.json
# The shipped 784-1280-10 model (validation-chosen Polyak mean, inferred at T = 100 as chosen).
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 build/bin/ssnn_chip_tb --load-weights models/mnist_chip_784-1280-10.ckpt \
  --dataset subset -T 100 --tau-divisor 50 --report docs/results/main_job_shipped_model.json
