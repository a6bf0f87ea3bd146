#!/usr/bin/env bash
# Set up (packages), build, and run the main job: a golden-model training run
# on the MNIST subset shipped in data/mnist-subset. Its JSON report goes to
# docs/results/main_job_golden.json.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
bash scripts/setup.sh

mkdir -p docs/results
build/bin/ssnn_golden train --dataset subset --hidden 256 --timesteps 50 --epochs 3 \
  --report docs/results/main_job_golden.json
