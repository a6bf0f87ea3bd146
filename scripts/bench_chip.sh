#!/usr/bin/env bash
# Simulation speed of the SystemC chip against the golden model on the same work:
# 784-1280-10, T=64, 256x256 tiles, N training then M test samples of the MNIST subset.
# Writes docs/results/chip_speed.json (cycles/s, samples/s, ratio) and prints a summary.
# Usage: scripts/bench_chip.sh [TRAIN=200] [TEST=100]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SSNN_BUILD:-$REPO/build}"
TRAIN="${1:-200}"
TEST="${2:-100}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
ARGS=(--dataset subset --hidden 1280 --timesteps 64 --epochs 1 --train-samples "$TRAIN" --test-samples "$TEST" --no-progress)
"$BUILD/bin/ssnn_chip_tb" "${ARGS[@]}" --tile-rows 256 --tile-cols 256 --report "$TMP/chip.json" > /dev/null
# The golden model on one thread, so both run on one core.
OMP_NUM_THREADS=1 "$BUILD/bin/ssnn_golden" train "${ARGS[@]}" --threads 1 --report "$TMP/golden.json" > /dev/null
python3 - "$TMP/chip.json" "$TMP/golden.json" "$REPO/docs/results/chip_speed.json" <<'PY'
import json, sys, os
chip, golden = (json.load(open(p)) for p in sys.argv[1:3])
load = os.getloadavg()[0]
out = {
    "benchmark": "SystemC chip vs golden model, same work",
    "network": "784-1280-10", "timesteps": 64, "tiles": "256x256",
    "train_samples": chip["train_samples"], "test_samples": chip["test_samples"],
    "chip_train_samples_per_s": chip["train_samples_per_s"],
    "chip_test_samples_per_s": chip["test_samples_per_s"],
    "chip_sim_cycles_per_s": chip["sim_cycles_per_s"],
    "chip_cycles_per_train_sample": chip["hardware_train"]["cycles_per_sample"],
    "golden_train_samples_per_s": golden["train_samples_per_s"],
    "slowdown_train": golden["train_samples_per_s"] / chip["train_samples_per_s"],
    "same_test_accuracy": chip["test_accuracy"] == golden["test_accuracy"],
    "test_accuracy": chip["test_accuracy"],
    "load_average_1min": load,
    "machine": chip["machine"],
    "chip_command": chip["command"], "golden_command": golden["command"],
}
json.dump(out, open(sys.argv[3], "w"), indent=2)
print(f"chip: {out['chip_train_samples_per_s']:.1f} training samples/s, {out['chip_test_samples_per_s']:.1f} test samples/s, "
      f"{out['chip_sim_cycles_per_s']:.0f} cycles/s ({out['chip_cycles_per_train_sample']:.0f} cycles per training sample)")
print(f"golden (1 thread): {out['golden_train_samples_per_s']:.1f} training samples/s; chip is {out['slowdown_train']:.1f}x slower; "
      f"same accuracy: {out['same_test_accuracy']} (load average {load:.1f})")
PY
