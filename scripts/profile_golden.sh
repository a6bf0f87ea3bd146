#!/usr/bin/env bash
# Instructions per training sample of the golden model, by function and phase, for this build and an
# earlier one (valgrind --tool=callgrind: instruction counts do not depend on the machine's load).
# 784-1280-10 on full MNIST when fetched, TRAIN training and 20 inference samples, one thread, no
# warm-up; T = 50 rate and T = 100 per-step stochastic.
# Writes docs/results/golden_profile.json and prints the totals.
# Usage: scripts/profile_golden.sh OLD_BIN_DIR [TRAIN=100]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
OLD="${1:?usage: scripts/profile_golden.sh OLD_BIN_DIR [TRAIN]}"
TRAIN="${2:-100}"
OUT="${SSNN_GOLDEN_PROFILE_JSON:-$REPO/docs/results/golden_profile.json}"
command -v valgrind > /dev/null || die "valgrind is not installed (apt-get install valgrind)"
need_executable "$OLD/bench_golden" "$BUILD/bin/bench_golden"
[[ "$TRAIN" =~ ^[1-9][0-9]*$ ]] || die "TRAIN must be a positive integer"
make_tmp
for cfg in rate50 stochastic100; do
  for tag in old new; do
    [[ "$tag" == old ]] && bin="$OLD" || bin="$BUILD/bin"
    valgrind --tool=callgrind --callgrind-out-file="$TMP/$tag.$cfg.out" "$bin/bench_golden" --train-samples "$TRAIN" \
      --test-samples 20 --warmup 0 --configs "$cfg" --threads 1 --train-threads 1 --dataset mnist > /dev/null 2>&1
    callgrind_annotate --threshold=99.5 "$TMP/$tag.$cfg.out" > "$TMP/$tag.$cfg.txt"
  done
done
PYTHONPATH="$REPO/scripts" python3 - "$TMP" "$OLD" "$TRAIN" "$OUT" <<'PY'
import json, re, sys

from callgrind_counts import read

tmp, old_dir, train, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
# Which phase of a training sample each function belongs to (matched on the unqualified name).
PHASES = [
    ("rate_update", "end-of-sample rate updates"), ("end_of_sample_updates", "end-of-sample rate updates"),
    ("sum_rows", "forward read (rows of spiking inputs)"), ("add_row", "forward read (rows of spiking inputs)"),
    ("add_column", "transposed read (W^T delta)"), ("pulse_row_dense", "per-step coincidence pulses"),
    ("dense_pulses", "per-step coincidence pulses"),
    ("collect_", "spike lists"), ("gradient_layer", "gradient neurons (error and hidden)"),
    ("forward_layer", "forward neurons"), ("encode_pixels", "pixel encoders"), ("memset", "clearing buffers (memset)"),
    ("initial_weights", "model set-up (initial weights, once)"), ("reset_sample", "per-sample set-up"),
    ("run_steps", "step loop (sparse per-step pulses, output layer, spike bookkeeping)"),
]


def phase(name):
    return next((p for key, p in PHASES if key in name), "other")


def parse(path):
    funcs = {}
    total, found = read(path)
    for n, name in found:
        name = name.replace("(anonymous namespace)::", "")
        short = re.sub(r"\(.*$", "", name).replace("ssnn::", "").replace("kernels::", "")
        if n / max(total, 1) < 0.002:
            continue
        f = funcs.setdefault(short, {"instructions_per_sample": 0, "phase": phase(short)})
        f["instructions_per_sample"] += round(n / train)
    for f in funcs.values():
        f["share"] = round(f["instructions_per_sample"] * train / total, 4)
    return {"total_instructions_per_sample": round(total / train), "functions": funcs}


configs = {}
for cfg in ("rate50", "stochastic100"):
    old, new = parse(f"{tmp}/old.{cfg}.txt"), parse(f"{tmp}/new.{cfg}.txt")
    phases = {}
    for tag, rec in (("old", old), ("new", new)):
        for f in rec["functions"].values():
            p = phases.setdefault(f["phase"], {"old": 0, "new": 0})
            p[tag] += f["instructions_per_sample"]
    configs[cfg] = {"old": old, "new": new, "by_phase": phases,
                    "instruction_ratio_old_over_new": round(old["total_instructions_per_sample"] /
                                                            new["total_instructions_per_sample"], 2)}
out = {
    "what": "Instructions per training sample of the golden model by function (valgrind --tool=callgrind; "
            "instruction counts do not depend on the machine's load), an earlier build against this one, "
            f"784-1280-10 on full MNIST, {train} training and 20 inference samples (all counted, divided by "
            "the training samples), one thread",
    "old_bin_dir": old_dir,
    "command": " ".join(["scripts/profile_golden.sh", old_dir, str(train)]),
    "configs": configs,
}
json.dump(out, open(out_path, "w"), indent=1)
for cfg, c in configs.items():
    print(f"{cfg}: {c['old']['total_instructions_per_sample'] / 1e6:.2f} M -> "
          f"{c['new']['total_instructions_per_sample'] / 1e6:.2f} M instructions per training sample "
          f"(x{c['instruction_ratio_old_over_new']})")
PY
