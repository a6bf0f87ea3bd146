#!/usr/bin/env bash
# The shipped Fashion-MNIST model (models/fashion_mnist_784-1280-10.ckpt, 90.07 % on the 10,000 test
# images at T = 400): the golden model's inference on the first 300 test images at T = 400 equals the
# kept reference exactly (accuracy and confusion matrix), and the SystemC chip, loaded with the same
# file, predicts its first 40 images as the golden model does. Pins the weights file format and the
# inference path (encoders, kernel, WTA, tie rule, -T/--tau-divisor overrides) against the headline.
# Exit 77 (skipped) when the Debian package dataset-fashion-mnist (scripts/setup.sh) is not installed.
# Usage: headline_model.sh CHIP_TB GOLDEN REPO
set -euo pipefail
CHIP="$1"
GOLDEN="$2"
REPO="$3"
DATA="${SSNN_FASHION_SRC:-/usr/share/datasets/fashion-mnist}"
if [ ! -f "$DATA/t10k-images-idx3-ubyte.gz" ]; then
  echo "skipped: no Fashion-MNIST in $DATA (apt-get install dataset-fashion-mnist, or scripts/setup.sh)"
  exit 77
fi
MODEL="$REPO/models/fashion_mnist_784-1280-10.ckpt"
REF="$REPO/tb/models/ref_fashion_first300_T400.json"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
INFER=(--dataset "path:$DATA" -T 400 --tau-divisor 200 --no-progress)
OMP_NUM_THREADS=1 "$GOLDEN" eval --weights "$MODEL" "${INFER[@]}" --test-samples 300 --threads 1 \
  --report "$TMP/golden300.json" > /dev/null
OMP_NUM_THREADS=1 "$GOLDEN" eval --weights "$MODEL" "${INFER[@]}" --test-samples 40 --threads 1 \
  --report "$TMP/golden40.json" > /dev/null
SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 "$CHIP" --load-weights "$MODEL" "${INFER[@]}" --test-samples 40 \
  --report "$TMP/chip40.json" > /dev/null
python3 - "$REF" "$TMP/golden300.json" "$TMP/golden40.json" "$TMP/chip40.json" <<'PY'
import json, sys
ref, g300, g40, c40 = (json.load(open(p)) for p in sys.argv[1:])
print(f"golden, first 300 at T = 400: {g300['test_accuracy']} (reference {ref['test_accuracy']}); "
      f"first 40: golden {g40['test_accuracy']}, chip {c40['test_accuracy']}")
if g300["timesteps"] != 400 or c40["timesteps"] != 400:
    sys.exit("the inference did not run at T = 400")
if g300["test_accuracy"] != ref["test_accuracy"] or g300["confusion"] != ref["confusion"]:
    sys.exit("the golden model's inference of the shipped model differs from the reference")
if c40["confusion"] != g40["confusion"]:
    sys.exit("the chip's inference of the shipped model differs from the golden model's")
PY
