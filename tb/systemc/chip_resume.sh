#!/usr/bin/env bash
# End to end: a chip testbench (ssnn_chip_tb, the SystemC chip, or ssnn_rtl_chip_tb, the RTL chip)
# stopped twice (--stop-after, mid-epoch and in the second epoch) and resumed from its checkpoint
# ends with the weights file, per-epoch train accuracies, test accuracy, confusion matrix (and the
# RTL chip's test predictions), cycles and counters of an uninterrupted run; the chip checkpoint is a
# golden checkpoint file (ssnn_golden reads it, and resumed from it ends with the same weights);
# damaged or mismatched checkpoints are refused with one error line naming the file and exit code 2.
# Usage: chip_resume.sh CHIP_TB GOLDEN [CHIP OPTION...]
#   CHIP OPTIONs choose the network's hidden layer and the chip (default: 784-32-10 in 200 x 16 tiles
#   behind a router of depth 2 moving one event per cycle). SSNN_OTHER_CHIP_TB: the other level's
#   testbench, which must refuse this level's checkpoint.
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
CHIP="$1"
GOLDEN="$2"
shift 2
CHIP_OPTS=("$@")
[ $# -gt 0 ] || CHIP_OPTS=(--hidden 32 --tile-rows 200 --tile-cols 16 --events-per-cycle 1 --fifo-depth 2)
make_tmp
BASE=(--dataset subset --epochs 2 --test-samples 30 --no-progress "${CHIP_OPTS[@]}")
ARGS=("${BASE[@]}" --timesteps 8 --train-samples 40)
fail() { echo "chip_resume: FAILED: $*" >&2; exit 1; }

"$CHIP" "${ARGS[@]}" --save-weights "$TMP/straight.w" --report "$TMP/straight.json" > /dev/null
CK="$TMP/run.ckpt"
"$CHIP" "${ARGS[@]}" --checkpoint "$CK" --checkpoint-every 8 --resume --stop-after 13 > /dev/null
"$GOLDEN" info --weights "$CK" > "$TMP/info.json" || fail "ssnn_golden cannot read the chip checkpoint"
python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert (j['epoch'], j['position']) == (0, 13), j" "$TMP/info.json" \
  || fail "the checkpoint is not at epoch 0, sample 13"
cp "$CK" "$TMP/handover.ckpt"
"$CHIP" "${ARGS[@]}" --checkpoint "$CK" --checkpoint-every 8 --resume --stop-after 50 > /dev/null 2> "$TMP/resume1.err"
grep -q "resumed from $CK at epoch 1, sample 13" "$TMP/resume1.err" || fail "no 'resumed from' line: $(cat "$TMP/resume1.err")"
cp "$CK" "$TMP/epoch2.ckpt"
"$CHIP" "${ARGS[@]}" --resume "$TMP/epoch2.ckpt" --save-weights "$TMP/resumed.w" --report "$TMP/resumed.json" > /dev/null 2>&1
cmp -s "$TMP/straight.w" "$TMP/resumed.w" || fail "weights differ from the uninterrupted run's"
python3 - "$TMP/straight.json" "$TMP/resumed.json" << 'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["resumed_from"]["epochs_done"] == 1 and b["resumed_from"]["position"] == 23, b["resumed_from"]
# The SystemC chip's hardware figures and cycles; the RTL chip's predictions, cycles per phase and
# every counter (its clock edges, host accesses included, are of each launch).
keys = ["test_accuracy", "confusion"] + (["predictions", "rtl_chip.cycles_by_phase", "rtl_chip.state"] if "rtl_chip" in a
                                         else ["hardware_train", "hardware_test", "sim_cycles"])
get = lambda r, k: r[k] if "." not in k else r[k.split(".")[0]][k.split(".")[1]]
for k in keys:
    if get(a, k) != get(b, k):
        sys.exit(f"chip_resume: FAILED: {k} differs: {get(a, k)} vs {get(b, k)}")
acc = lambda r: [e["train_accuracy"] for e in r["history"]]
if acc(a) != acc(b):
    sys.exit(f"chip_resume: FAILED: train accuracies differ: {acc(a)} vs {acc(b)}")
print(f"resumed twice: weights, accuracies {acc(a)} / test {a['test_accuracy']}, {', '.join(keys[2:])} as uninterrupted")
EOF

# The checkpoint is the golden model's format, running statistics included: the golden model takes
# the chip's run over at sample 13 and ends with the chip's weights file, byte for byte. The file
# it leaves still carries the chip fields of sample 13, which the chip then refuses (below).
HIDDEN=32
for ((i = 0; i + 1 < ${#CHIP_OPTS[@]}; ++i)); do [ "${CHIP_OPTS[i]}" != --hidden ] || HIDDEN="${CHIP_OPTS[i + 1]}"; done
"$GOLDEN" train --dataset subset --hidden "$HIDDEN" --timesteps 8 --epochs 2 --train-samples 40 --test-samples 30 --no-progress \
  --threads 1 --checkpoint "$TMP/handover.ckpt" --resume --save-weights "$TMP/golden_from_chip.w" > /dev/null 2>&1
cmp -s "$TMP/straight.w" "$TMP/golden_from_chip.w" || fail "the golden model resuming the chip's checkpoint ends elsewhere"
echo "the golden model resumed the chip's checkpoint and ended with the chip's weights"

# Refusals: exit code 2 and exactly one line on stderr naming the file and the cause.
refused() {  # refused FRAGMENT ARGS...
  local fragment="$1" rc=0
  shift
  "$CHIP" "$@" > /dev/null 2> "$TMP/err" || rc=$?
  [ "$rc" -eq 2 ] || fail "exit code $rc, not 2, for: $* ($(cat "$TMP/err"))"
  [ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "not one error line for: $*: $(cat "$TMP/err")"
  grep -qF -- "$fragment" "$TMP/err" || fail "'$fragment' not in: $(cat "$TMP/err")"
}
GOOD="$TMP/epoch2.ckpt"
head -c 2000 "$GOOD" > "$TMP/truncated.ckpt"
refused "$TMP/truncated.ckpt: corrupted checkpoint" "${ARGS[@]}" --resume "$TMP/truncated.ckpt"
python3 -c "import sys; b=bytearray(open(sys.argv[1],'rb').read()); b[len(b)//2]^=1; open(sys.argv[2],'wb').write(b)" \
  "$GOOD" "$TMP/flipped.ckpt"
refused "$TMP/flipped.ckpt: corrupted checkpoint (CRC mismatch)" "${ARGS[@]}" --resume "$TMP/flipped.ckpt"
refused "--resume: $GOOD: its configuration differs from this run's options in timesteps (checkpoint 8, options 9)" \
  "${BASE[@]}" --timesteps 9 --train-samples 40 --resume "$GOOD"
refused "--resume: $GOOD: its chip configuration differs from this run's options in clock_mhz" \
  "${ARGS[@]}" --clock-mhz 250 --resume "$GOOD"
refused "--resume: $GOOD: training history: the epoch in progress runs over 40 training samples, this run has 41" "${BASE[@]}" --timesteps 8 --train-samples 41 --resume "$GOOD"
"$GOLDEN" train --dataset subset --hidden "$HIDDEN" --timesteps 8 --epochs 1 --train-samples 40 --test-samples 1 --no-progress \
  --threads 1 --checkpoint "$TMP/golden.ckpt" > /dev/null
refused "--resume: $TMP/golden.ckpt: it holds no chip state" "${ARGS[@]}" --resume "$TMP/golden.ckpt"
refused "$TMP/missing.ckpt: cannot open checkpoint" "${ARGS[@]}" --resume "$TMP/missing.ckpt"
refused "--resume: $TMP/handover.ckpt: its chip state belongs to epoch 0, sample 13, the checkpoint to epoch 2, sample 0" \
  "${ARGS[@]}" --resume "$TMP/handover.ckpt"
# The other level's testbench (SSNN_OTHER_CHIP_TB: ssnn_chip_tb for the RTL chip's checkpoints) refuses them.
if [ -n "${SSNN_OTHER_CHIP_TB:-}" ]; then
  OTHER_ARGS=()
  for ((i = 0; i < ${#ARGS[@]}; ++i)); do
    if [ "${ARGS[i]}" = --check ]; then i=$((i + 1)); else OTHER_ARGS+=("${ARGS[i]}"); fi
  done
  CHIP="$SSNN_OTHER_CHIP_TB" refused "--resume: $GOOD: it holds the state of the " "${OTHER_ARGS[@]}" --resume "$GOOD"
  echo "the other level's testbench refuses this level's checkpoint"
fi
refused "--resume: needs FILE or --checkpoint FILE" "${ARGS[@]}" --resume
refused "--stop-after: needs --checkpoint FILE" "${ARGS[@]}" --stop-after 3
refused "--resume: no training with --load-weights" --load-weights "$GOOD" --resume "$GOOD"
echo "refusals: truncated, flipped byte, other T, other clock, other training set, golden checkpoint, missing file,"
echo "  chip fields left behind by the golden model, bad option combinations"
