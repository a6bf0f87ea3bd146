#!/usr/bin/env bash
# End to end: the chip testbench and the golden model, run with the same options on the MNIST
# subset, report the same training and test accuracy (the whole training loop, shuffling and
# sample seeding included, is the same computation); with the golden model's trained weights
# loaded, the chip's inference gives the golden model's accuracy and confusion matrix. A second
# training run streams mirrored and shifted images (--augment-flip --augment-shift 2): both levels
# draw the same transform for each presentation.
# Usage: accuracy_equals_golden.sh CHIP_TB GOLDEN
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
CHIP="$1"
GOLDEN="$2"
make_tmp
ARGS=(--dataset subset --hidden 48 --timesteps 12 --epochs 2 --train-samples 120 --test-samples 80 --no-progress)
"$CHIP" "${ARGS[@]}" --tile-rows 200 --tile-cols 20 --events-per-cycle 1 \
  --report "$TMP/chip.json" > /dev/null
OMP_NUM_THREADS=1 "$GOLDEN" train "${ARGS[@]}" --threads 1 --report "$TMP/golden.json" \
  --save-weights "$TMP/golden.ckpt" > /dev/null
# Inference only with the golden model's trained weights.
"$CHIP" --load-weights "$TMP/golden.ckpt" --test-samples 80 --no-progress \
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
"$CHIP" --load-weights "$TMP/golden.ckpt" --test-samples 80 --no-progress \
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
"$CHIP" "${ARGS[@]}" "${AUG[@]}" --tile-rows 200 --tile-cols 20 \
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

# The validation protocol (docs/theory.md, "Model selection"): with --validation both levels hold out
# the same images, score them after every epoch with their own streams, never score the test set
# during training, and end with the same validation and test accuracies and weights; the chip's
# validation passes leave its training untouched (same weights as without them).
VAL=(--validation 60)
"$CHIP" "${ARGS[@]}" "${VAL[@]}" --tile-rows 200 --tile-cols 20 \
  --report "$TMP/chip_val.json" --save-weights "$TMP/chip_val.ckpt" > /dev/null
OMP_NUM_THREADS=1 "$GOLDEN" train "${ARGS[@]}" "${VAL[@]}" --threads 1 --report "$TMP/golden_val.json" \
  --save-weights "$TMP/golden_val.ckpt" > /dev/null
python3 - "$TMP/chip_val.json" "$TMP/golden_val.json" <<'PY'
import json, sys
c, g = (json.load(open(p)) for p in sys.argv[1:])
cv = [e["validation_accuracy"] for e in c["history"]]
gv = [e["validation_accuracy"] for e in g["history"]]
print(f"validation 60: chip {cv} test {c['test_accuracy']}; golden {gv} test {g['test_accuracy']}")
if any("test_accuracy" in e for e in g["history"]):
    sys.exit("the golden model scored the test set during training")
if c["validation"] != g["validation"] or c["validation"]["first_index"] != 2000 - 60:
    sys.exit(f"the splits differ: {c['validation']} vs {g['validation']}")
sys.exit(0 if cv == gv and c["test_accuracy"] == g["test_accuracy"] and c["train_samples"] == g["train_samples"] else 1)
PY
# Training with validation passes ends with the weights of the same training without them (the same
# 120 training images: a split of 60 from the 2,000 leaves the first 120 untouched).
"$CHIP" "${ARGS[@]}" --tile-rows 200 --tile-cols 20 \
  --save-weights "$TMP/chip_noval.ckpt" > /dev/null
PYTHONPATH="$(dirname "$0")" python3 - "$TMP/chip_val.ckpt" "$TMP/chip_noval.ckpt" "$TMP/golden_val.ckpt" <<'PY'
import sys
from checkpoint_weights import weight_block
# The files differ in their history JSON (validation records); their weight blocks must be equal.
a, b, g = (weight_block(p) for p in sys.argv[1:])
if not (a == b == g):
    sys.exit("validation passes changed the chip's training, or the levels disagree")
print("weights: chip with validation == chip without == golden with validation")
PY
