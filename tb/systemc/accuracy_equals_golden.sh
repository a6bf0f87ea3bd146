#!/usr/bin/env bash
# End to end: the chip testbench and the golden model, run with the same options on the MNIST
# subset, report the same training and test accuracy (the whole training loop, shuffling and
# sample seeding included, is the same computation); with the golden model's trained weights
# loaded, the chip's inference gives the golden model's accuracy and confusion matrix. A second
# training run streams mirrored and shifted images (--augment-flip --augment-shift 2): both levels
# draw the same transform for each presentation.
# Usage: accuracy_equals_golden.sh CHIP_TB GOLDEN
set -euo pipefail
CHIP="$1"
GOLDEN="$2"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
ARGS=(--dataset subset --hidden 48 --timesteps 12 --epochs 2 --train-samples 120 --test-samples 80 --no-progress)
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$CHIP" "${ARGS[@]}" --tile-rows 200 --tile-cols 20 --events-per-cycle 1 \
  --report "$TMP/chip.json" > /dev/null
OMP_NUM_THREADS=1 "$GOLDEN" train "${ARGS[@]}" --threads 1 --report "$TMP/golden.json" \
  --save-weights "$TMP/golden.ckpt" > /dev/null
# Inference only with the golden model's trained weights.
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$CHIP" --load-weights "$TMP/golden.ckpt" --test-samples 80 --no-progress \
  --tile-rows 256 --tile-cols 16 --report "$TMP/chip_eval.json" > /dev/null
OMP_NUM_THREADS=1 "$GOLDEN" eval --weights "$TMP/golden.ckpt" --test-samples 80 --no-progress --threads 1 \
  --report "$TMP/golden_eval.json" > /dev/null
python3 - "$TMP/chip_eval.json" "$TMP/golden_eval.json" <<'PY'
import json, sys
c, g = (json.load(open(p)) for p in sys.argv[1:])
print(f"loaded weights: chip test {c['test_accuracy']}, golden eval {g['test_accuracy']}")
sys.exit(0 if c["test_accuracy"] == g["test_accuracy"] and c["confusion"] == g["confusion"] else 1)
PY
# The same weights inferred at another window and stream seed (the -T/--tau-divisor/--seed overrides
# of --load-weights and of eval): the two levels still agree, and the overrides take effect.
OVR=(-T 24 --tau-divisor 4 --seed 5)
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$CHIP" --load-weights "$TMP/golden.ckpt" --test-samples 80 --no-progress \
  "${OVR[@]}" --report "$TMP/chip_eval_ovr.json" > /dev/null
OMP_NUM_THREADS=1 "$GOLDEN" eval --weights "$TMP/golden.ckpt" --test-samples 80 --no-progress --threads 1 \
  "${OVR[@]}" --report "$TMP/golden_eval_ovr.json" > /dev/null
python3 - "$TMP/chip_eval_ovr.json" "$TMP/golden_eval_ovr.json" "$TMP/chip_eval.json" <<'PY'
import json, sys
c, g, plain = (json.load(open(p)) for p in sys.argv[1:])
print(f"loaded weights at T=24, seed 5: chip test {c['test_accuracy']}, golden eval {g['test_accuracy']}")
if c["timesteps"] != 24 or g["timesteps"] != 24 or c["seed"] != 5 or g["seed"] != 5 or c["weights_seed"] != g["weights_seed"]:
    sys.exit("an inference override was not applied")
if c["test_accuracy"] != g["test_accuracy"] or c["confusion"] != g["confusion"]:
    sys.exit(1)
if c["sim_cycles"] == plain["sim_cycles"]:
    sys.exit("the overridden inference ran like the plain one")
PY
python3 - "$TMP/chip.json" "$TMP/golden.json" <<'PY'
import json, sys
c, g = (json.load(open(p)) for p in sys.argv[1:])
ct = [e["train_accuracy"] for e in c["history"]]
gt = [e["train_accuracy"] for e in g["history"]]
print(f"chip: test {c['test_accuracy']}, train {ct}; golden: test {g['test_accuracy']}, train {gt}")
sys.exit(0 if c["test_accuracy"] == g["test_accuracy"] and ct == gt else 1)
PY

# Augmented training stream: the same comparison, and it must differ from the plain run.
AUG=(--augment-flip --augment-shift 2)
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$CHIP" "${ARGS[@]}" "${AUG[@]}" --tile-rows 200 --tile-cols 20 \
  --report "$TMP/chip_aug.json" > /dev/null
OMP_NUM_THREADS=1 "$GOLDEN" train "${ARGS[@]}" "${AUG[@]}" --threads 1 --report "$TMP/golden_aug.json" > /dev/null
python3 - "$TMP/chip_aug.json" "$TMP/golden_aug.json" "$TMP/golden.json" <<'PY'
import json, sys
c, g, plain = (json.load(open(p)) for p in sys.argv[1:])
ct = [e["train_accuracy"] for e in c["history"]]
gt = [e["train_accuracy"] for e in g["history"]]
print(f"augmented: chip test {c['test_accuracy']}, train {ct}; golden test {g['test_accuracy']}, train {gt}")
if c["test_accuracy"] != g["test_accuracy"] or ct != gt:
    sys.exit(1)
if gt == [e["train_accuracy"] for e in plain["history"]]:
    sys.exit("augmented training ran like the plain one: the transform was not applied")
PY
