#!/usr/bin/env bash
# End to end: ssnn_chip_tb with every RTL unit in place (--rtl all, lockstep-checked) gives the
# behavioural chip's (--rtl none) and the golden model's result for the same options: training and
# test accuracy, confusion matrix, the trained weights (identical checkpoints) and every hardware
# counter of the report; and the RTL checked every neuron update, LFSR draw and cross-point pulse.
# Usage: cosim_equals_behavioural.sh CHIP_TB GOLDEN
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
CHIP="$1"
GOLDEN="$2"
make_tmp
ARGS=(--dataset subset --hidden 32 --timesteps 16 --epochs 1 --train-samples 200 --test-samples 50 --no-progress)
TILES=(--tile-rows 196 --tile-cols 16 --lanes 16)
"$CHIP" "${ARGS[@]}" "${TILES[@]}" --rtl all --report "$TMP/rtl.json" --save-weights "$TMP/rtl.ckpt"
"$CHIP" "${ARGS[@]}" "${TILES[@]}" --rtl none --report "$TMP/chip.json" --save-weights "$TMP/chip.ckpt" > /dev/null
OMP_NUM_THREADS=1 "$GOLDEN" train "${ARGS[@]}" --threads 1 --report "$TMP/golden.json" --save-weights "$TMP/golden.ckpt" > /dev/null
cmp "$TMP/rtl.ckpt" "$TMP/chip.ckpt"
python3 - "$TMP/rtl.json" "$TMP/chip.json" "$TMP/golden.json" "$TMP/rtl.ckpt" "$TMP/golden.ckpt" <<'PY'
import json, sys
rtl, chip, golden = (json.load(open(p)) for p in sys.argv[1:4])
ok = True
def same(what, a, b):
    global ok
    if a != b:
        print(f"{what} differs: {a} vs {b}")
        ok = False
same("level", rtl["level"], "rtl")
same("rtl vs chip test accuracy", rtl["test_accuracy"], chip["test_accuracy"])
same("rtl vs golden test accuracy", rtl["test_accuracy"], golden["test_accuracy"])
train = lambda r: [e["train_accuracy"] for e in r["history"]]
same("rtl vs chip training accuracy", train(rtl), train(chip))
same("rtl vs golden training accuracy", train(rtl), train(golden))
same("rtl vs chip confusion", rtl["confusion"], chip["confusion"])
same("rtl vs chip training hardware counters", rtl["hardware_train"], chip["hardware_train"])
same("rtl vs chip inference hardware counters", rtl["hardware_test"], chip["hardware_test"])
r = rtl["rtl"]
same("rtl units", r["units"], "neuron,coincidence,encoder")
same("mismatches", r["mismatches"], 0)
hw = rtl["hardware_train"]
pulses = round((hw["pulses_up_per_sample"] + hw["pulses_down_per_sample"]) * hw["samples"])
same("cross-point pulses checked by RTL vs counted in training", r["crosspoint_pulses"], pulses)
if pulses == 0 or r["lfsr_draws"] == 0 or r["neuron_forward_updates"] == 0:
    print("the run exercised no learning"); ok = False
# The trained weights equal the golden model's: the weight blocks of both checkpoints (format in
# sw/src/checkpoint.cpp: magic, version, config JSON, epoch, position, then the matrices).
def weights(path):
    import struct
    d = open(path, "rb").read()
    assert d[:8] == b"SSNNCKPT", path
    o = 12
    (n,) = struct.unpack_from("<Q", d, o); o += 8 + n + 4 + 8
    (layers,) = struct.unpack_from("<I", d, o); o += 4
    out = []
    for _ in range(layers):
        rows, cols = struct.unpack_from("<II", d, o); o += 8
        out.append(d[o:o + 4 * rows * cols]); o += 4 * rows * cols
    return out
same("trained weights (rtl vs golden)", weights(sys.argv[4]) == weights(sys.argv[5]), True)
print(f"rtl: test {rtl['test_accuracy']}, train {train(rtl)}; chip: test {chip['test_accuracy']}; golden: test {golden['test_accuracy']}, "
      f"train {train(golden)}; {r['signal_checks']} RTL signal checks, {r['crosspoint_pulses']} pulses, {r['lfsr_draws']} draws")
sys.exit(0 if ok else 1)
PY
