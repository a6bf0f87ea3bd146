#!/usr/bin/env bash
# Instructions per training sample of the SystemC chip, by function, for this build and an earlier
# one (valgrind --tool=callgrind: instruction counts do not depend on the machine's load).
# 784-1280-10, T=64, 256x256 tiles on the MNIST subset. Each build runs twice, with 2 and with
# 2 + TRAIN training samples (one test sample each); the difference divided by TRAIN is the cost of a
# training sample without the set-up (data loading, elaboration, initial weights).
# Writes docs/results/chip_profile.json and prints the totals.
# Usage: scripts/profile_chip.sh OLD_BIN_DIR [TRAIN=10]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SSNN_BUILD:-$REPO/build}"
OLD="${1:?usage: scripts/profile_chip.sh OLD_BIN_DIR [TRAIN]}"
TRAIN="${2:-10}"
OUT="${SSNN_CHIP_PROFILE_JSON:-$REPO/docs/results/chip_profile.json}"
command -v valgrind > /dev/null || { echo "profile_chip.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
for b in "$OLD/ssnn_chip_tb" "$BUILD/bin/ssnn_chip_tb"; do
  [[ -x "$b" ]] || { echo "profile_chip.sh: $b: no such executable" >&2; exit 2; }
done
[[ "$TRAIN" =~ ^[1-9][0-9]*$ ]] || { echo "profile_chip.sh: TRAIN must be a positive integer" >&2; exit 2; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1 SSNN_REPO_DIR="$REPO"
for tag in old new; do
  [[ "$tag" == old ]] && bin="$OLD" || bin="$BUILD/bin"
  for n in 2 $((TRAIN + 2)); do
    valgrind --tool=callgrind --callgrind-out-file="$TMP/$tag.$n.out" "$bin/ssnn_chip_tb" --dataset subset \
      --hidden 1280 --timesteps 64 --epochs 1 --train-samples "$n" --test-samples 1 --no-progress \
      --tile-rows 256 --tile-cols 256 --report "$TMP/$tag.$n.json" > /dev/null 2>&1
    callgrind_annotate --threshold=100 "$TMP/$tag.$n.out" > "$TMP/$tag.$n.txt"
  done
done
PYTHONPATH="$REPO/scripts" python3 - "$TMP" "$OLD" "$TRAIN" "$OUT" <<'PY'
import json, re, sys

from callgrind_counts import read

tmp, old_dir, train, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]


def parse(path):
    """Total and per-function instruction counts (functions merged by their unqualified name)."""
    funcs = {}
    total, found = read(path)
    for n, name in found:
        name = name.replace("non-virtual thunk to ", "")
        name = name.replace(", (sc_core::sc_writer_policy)0", "")  # sc_signal_t<bool, (...)0>::write
        name = re.sub(r"\(.*$", "", name).replace("ssnn::", "").replace("sc::", "")
        funcs[name] = funcs.get(name, 0) + n
    return total, funcs


def per_sample(tag):
    t0, f0 = parse(f"{tmp}/{tag}.2.txt")
    t1, f1 = parse(f"{tmp}/{tag}.{train + 2}.txt")
    total = (t1 - t0) / train
    funcs = {k: (v - f0.get(k, 0)) / train for k, v in f1.items()}
    top = sorted(((v, k) for k, v in funcs.items() if v >= 0.005 * total), reverse=True)
    return {"total_instructions_per_sample": round(total),
            "functions": {k: {"instructions_per_sample": round(v), "share": round(v / total, 4)} for v, k in top}}


old, new = per_sample("old"), per_sample("new")
report = json.load(open(f"{tmp}/new.{train + 2}.json"))
out = {
    "what": "Instructions per training sample of the SystemC chip by function (valgrind --tool=callgrind; "
            "instruction counts do not depend on the machine's load), an earlier build against this one, "
            f"784-1280-10, T=64, 256x256 tiles, MNIST subset: runs of 2 and {train + 2} training samples, "
            f"the difference divided by {train}",
    "old_bin_dir": old_dir,
    "command": " ".join(["scripts/profile_chip.sh", old_dir, str(train)]),
    "cycles_per_train_sample": report["hardware_train"]["cycles_per_sample"],
    "old": old, "new": new,
    "instruction_ratio_old_over_new": round(old["total_instructions_per_sample"] / new["total_instructions_per_sample"], 2),
}
json.dump(out, open(out_path, "w"), indent=1)
print(f"chip: {old['total_instructions_per_sample'] / 1e6:.1f} M -> {new['total_instructions_per_sample'] / 1e6:.1f} M "
      f"instructions per training sample (x{out['instruction_ratio_old_over_new']})")
PY
