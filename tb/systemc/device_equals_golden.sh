#!/usr/bin/env bash
# End to end, for every device preset: the chip testbench and the golden model, trained with the
# same --device (and one --device-param override), end with the same weights and test accuracy,
# infer with the trained weights with the same confusion matrix, and record the device in their reports; a non-ideal device trains
# differently from the ideal one.
# Usage: device_equals_golden.sh CHIP_TB GOLDEN
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
CHIP="$1"
GOLDEN="$2"
make_tmp
ARGS=(--dataset subset --hidden 24,12 --timesteps 10 --epochs 1 --train-samples 40 --test-samples 30 --no-progress
      --theta-grad 256 --dropout-hidden 0.2)
run_both() {  # NAME, then device options
  local name="$1"
  shift
  "$CHIP" "${ARGS[@]}" "$@" --tile-rows 300 --tile-cols 8 \
    --report "$TMP/chip_$name.json" --save-weights "$TMP/chip_$name.ckpt" > /dev/null
  OMP_NUM_THREADS=1 "$GOLDEN" train "${ARGS[@]}" "$@" --threads 1 --report "$TMP/golden_$name.json" \
    --save-weights "$TMP/golden_$name.ckpt" > /dev/null
  # Inference from the golden model's trained weights (read noise included) at both levels.
  "$CHIP" --load-weights "$TMP/golden_$name.ckpt" --test-samples 30 --no-progress \
    --tile-rows 256 --tile-cols 16 --report "$TMP/chip_eval_$name.json" > /dev/null
  OMP_NUM_THREADS=1 "$GOLDEN" eval --weights "$TMP/golden_$name.ckpt" --test-samples 30 --no-progress --threads 1 \
    --report "$TMP/golden_eval_$name.json" > /dev/null
}
PRESETS=(ideal rpu-spec reram ecram pcm)
for p in "${PRESETS[@]}"; do run_both "$p" --device "$p"; done
run_both stuck --device rpu-spec --device-param stuck_fraction=0.05 --device-param up_down=0.2
PYTHONPATH="$(dirname "$0")" python3 - "$TMP" "${PRESETS[@]}" stuck <<'PY'
import json, sys
from checkpoint_weights import weight_block
tmp, names = sys.argv[1], sys.argv[2:]
bad = []
blocks = {}
for n in names:
    c, g = (json.load(open(f"{tmp}/{lvl}_{n}.json")) for lvl in ("chip", "golden"))
    wc, wg = weight_block(f"{tmp}/chip_{n}.ckpt"), weight_block(f"{tmp}/golden_{n}.ckpt")
    blocks[n] = wg
    ce, ge = (json.load(open(f"{tmp}/{lvl}_eval_{n}.json")) for lvl in ("chip", "golden"))
    same = wc == wg and c["test_accuracy"] == g["test_accuracy"] and ce["confusion"] == ge["confusion"]
    recorded = c["device"] == g["device"] and c["config"].get("device_params") == g["config"].get("device_params")
    print(f"{n}: chip test {c['test_accuracy']}, golden {g['test_accuracy']}, weights {'equal' if wc == wg else 'DIFFER'}, "
          f"inference {'equal' if ce['confusion'] == ge['confusion'] else 'DIFFERS'}, "
          f"device {g['device']} {g['config'].get('device_params', '')}")
    if not same or not recorded:
        bad.append(n)
    if n != "ideal" and "device_params" not in g["config"]:
        bad.append(n + " (parameters not recorded)")
for n in names:
    if n != "ideal" and blocks[n] == blocks["ideal"]:
        bad.append(n + " (trained like the ideal device)")
sys.exit("device runs differ: " + ", ".join(bad) if bad else 0)
PY
