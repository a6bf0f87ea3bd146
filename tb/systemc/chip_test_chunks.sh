#!/usr/bin/env bash
# End to end: a chip testbench (ssnn_chip_tb or ssnn_rtl_chip_tb) scoring a test set in chunks
# (--test-first N --test-samples M) scores every image as the run over the whole set does: the
# chunks' records, merged by scripts/merge_test_chunks.py, have the whole run's predictions, image
# for image, confusion matrix and accuracy (and, for the RTL chip, its cycles per phase). A chunk
# past the test set is refused with one line; the merge refuses a gap between chunks.
# Usage: chip_test_chunks.sh CHIP_TB [CHIP OPTION...]
#   CHIP OPTIONs choose the network's hidden layer and the chip (default: 784-32-10 in 196 x 16 tiles).
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
CHIP="$1"
shift
CHIP_OPTS=("$@")
[ $# -gt 0 ] || CHIP_OPTS=(--hidden 32 --tile-rows 196 --tile-cols 16)
MERGE="$(dirname "${BASH_SOURCE[0]}")/../../scripts/merge_test_chunks.py"
make_tmp
fail() { echo "chip_test_chunks: FAILED: $*" >&2; exit 1; }

# Weights to score: a few training samples of the chip itself.
"$CHIP" --dataset subset -T 8 --train-samples 6 --test-samples 1 --no-progress "${CHIP_OPTS[@]}" \
  --save-weights "$TMP/w.ckpt" > /dev/null || fail "training the weights"
# The loaded weights bring the network; the chip options stay.
INFER=(--dataset subset -T 8 --load-weights "$TMP/w.ckpt" --no-progress)
for ((i = 0; i < ${#CHIP_OPTS[@]}; ++i)); do
  if [ "${CHIP_OPTS[i]}" = --hidden ]; then ((++i)); else INFER+=("${CHIP_OPTS[i]}"); fi
done
"$CHIP" "${INFER[@]}" --test-samples 7 --report "$TMP/whole.json" > /dev/null || fail "the whole run"
"$CHIP" "${INFER[@]}" --test-first 0 --test-samples 3 --report "$TMP/a.json" > /dev/null || fail "chunk 0..2"
"$CHIP" "${INFER[@]}" --test-first 3 --test-samples 4 --report "$TMP/b.json" > /dev/null || fail "chunk 3..6"
python3 "$MERGE" "$TMP/merged.json" "$TMP/b.json" "$TMP/a.json" > /dev/null || fail "merging the chunks"
python3 - "$TMP/whole.json" "$TMP/merged.json" << 'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
keys = ["predictions", "confusion", "test_accuracy", "test_samples"]
for k in keys:
    if a[k] != b[k]:
        sys.exit(f"chip_test_chunks: FAILED: {k} differs: whole {a[k]}, chunks {b[k]}")
if "rtl_chip" in a:
    w, m = a["rtl_chip"]["cycles_by_phase"]["inference"], b["rtl_chip"]["cycles_by_phase"]["inference"]
    for k in w:
        if w[k] != m[k]:
            sys.exit(f"chip_test_chunks: FAILED: inference cycles {k} differ: whole {w[k]}, chunks {m[k]}")
print(f"chunks 0..2 and 3..6 merged: predictions {a['predictions']}, as the whole run")
EOF
[ $? -eq 0 ] || exit 1

# A chunk past the end of the test set (1,000 subset images) is refused with one line.
set +e
"$CHIP" "${INFER[@]}" --test-first 1000 > "$TMP/past.out" 2> "$TMP/past.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--test-first 1000: exit code $rc, not 2"
grep -q "error: --test-first: 1000 is not below the 1000 test images" "$TMP/past.err" \
  || fail "--test-first 1000: $(cat "$TMP/past.err")"
# Chunks with a gap do not merge.
"$CHIP" "${INFER[@]}" --test-first 4 --test-samples 3 --report "$TMP/c.json" > /dev/null || fail "chunk 4..6"
python3 "$MERGE" "$TMP/gap.json" "$TMP/a.json" "$TMP/c.json" > /dev/null 2> "$TMP/gap.err" && fail "chunks 0..2 and 4..6 merged"
grep -q "starts at test image 4, the chunks before end at 3" "$TMP/gap.err" || fail "gap: $(cat "$TMP/gap.err")"
echo "chip_test_chunks: ok"
