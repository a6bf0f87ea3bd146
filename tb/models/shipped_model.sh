#!/usr/bin/env bash
# A shipped model (models/*.ckpt): the golden model's inference on the first N test images of a data
# set equals the kept reference exactly (accuracy and confusion matrix), and the SystemC chip, loaded
# with the same file and inference options, predicts the first M of them as the golden model does.
# Pins the weights file format and the inference path (encoders, kernel, WTA, tie rule, overrides).
# Usage: shipped_model.sh CHIP_TB GOLDEN MODEL REFERENCE N M [INFERENCE OPTIONS...]
#   the inference options are those of the reference's command (--dataset, -T, --tau-divisor, ...)
# A data set read from a folder (--dataset path:DIR) that is not there exits 77 (skipped): the
# Fashion-MNIST files come from the Debian package dataset-fashion-mnist (scripts/setup.sh).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
positional CHIP GOLDEN MODEL REF N M -- "$@"
INFER=("${REST[@]}" --no-progress)
for opt in "${REST[@]}"; do
  case "$opt" in
    path:*)
      if [ ! -f "${opt#path:}/t10k-images-idx3-ubyte.gz" ] && [ ! -f "${opt#path:}/t10k-images-idx3-ubyte" ]; then
        echo "skipped: no test images in ${opt#path:} (apt-get install dataset-fashion-mnist, or scripts/setup.sh)"
        exit 77
      fi ;;
  esac
done
make_tmp
OMP_NUM_THREADS=1 "$GOLDEN" eval --weights "$MODEL" "${INFER[@]}" --test-samples "$N" --threads 1 \
  --report "$TMP/golden_n.json" > /dev/null
OMP_NUM_THREADS=1 "$GOLDEN" eval --weights "$MODEL" "${INFER[@]}" --test-samples "$M" --threads 1 \
  --report "$TMP/golden_m.json" > /dev/null
"$CHIP" --load-weights "$MODEL" "${INFER[@]}" --test-samples "$M" \
  --report "$TMP/chip_m.json" > /dev/null
python3 - "$REF" "$TMP/golden_n.json" "$TMP/golden_m.json" "$TMP/chip_m.json" <<'PY'
import json, sys
ref, gn, gm, cm = (json.load(open(p)) for p in sys.argv[1:])
print(f"golden, first {gn['test_samples']}: {gn['test_accuracy']} (reference {ref['test_accuracy']}); "
      f"first {gm['test_samples']}: golden {gm['test_accuracy']}, chip {cm['test_accuracy']}")
for key in ("timesteps", "test_samples", "dataset"):
    if gn[key] != ref[key]:
        sys.exit(f"the inference ran with {key} {gn[key]}, the reference with {ref[key]}")
if gn["test_accuracy"] != ref["test_accuracy"] or gn["confusion"] != ref["confusion"]:
    sys.exit("the golden model's inference of the shipped model differs from the reference")
if cm["timesteps"] != gm["timesteps"] or cm["confusion"] != gm["confusion"]:
    sys.exit("the chip's inference of the shipped model differs from the golden model's")
PY
