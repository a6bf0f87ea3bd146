#!/usr/bin/env bash
# Golden-model speed of this build against an earlier one, measured in the same invocation: the two
# bench_golden binaries run alternately REPEATS times on the same work (784-1280-10, T = 50 rate and
# T = 100 per-step stochastic, full MNIST when fetched), so their ratio holds however loaded the
# shared machine is.  Both must report the same accuracy (the models are bit-identical).
# Writes docs/results/golden_speedup.json (every run, per-pair ratios, load averages) and prints a
# summary.
# Usage: scripts/bench_golden_vs.sh OLD_BIN_DIR [REPEATS=3] [TRAIN=3000] [TEST=3000]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SSNN_BUILD:-$REPO/build}"
OLD="${1:?usage: scripts/bench_golden_vs.sh OLD_BIN_DIR [REPEATS] [TRAIN] [TEST]}"
REPEATS="${2:-3}"
TRAIN="${3:-3000}"
TEST="${4:-3000}"
OUT="${SSNN_GOLDEN_SPEED_JSON:-$REPO/docs/results/golden_speedup.json}"
for b in "$OLD/bench_golden" "$BUILD/bin/bench_golden"; do
  [[ -x "$b" ]] || { echo "bench_golden_vs.sh: $b: no such executable" >&2; exit 2; }
done
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
python3 - "$OLD" "$BUILD/bin" "$REPEATS" "$TRAIN" "$TEST" "$TMP" "$OUT" <<'PY'
import json, os, statistics, subprocess, sys

old_dir, new_dir, repeats, train, test, tmp, out_path = sys.argv[1:8]
repeats = int(repeats)
common = ["--train-samples", train, "--test-samples", test, "--configs", "rate50,stochastic100",
          "--train-threads", "1", "--threads", "0"]
runs = []
for k in range(repeats):
    for tag, d in (("old", old_dir), ("new", new_dir)):
        path = f"{tmp}/{tag}_{k}.json"
        load = os.getloadavg()[0]
        subprocess.run([f"{d}/bench_golden"] + common + ["--json", path], check=True, stdout=subprocess.DEVNULL)
        for r in json.load(open(path)):
            runs.append({"binary": tag, "repeat": k, "load_average_1min_before": load,
                         **{f: r[f] for f in ("benchmark", "train_samples_per_s", "inference_samples_per_s",
                                              "test_accuracy", "peak_rss_mib", "command")}})

summary = {}
for bench in ("rate50", "stochastic100"):
    pick = lambda tag: [r for r in runs if r["binary"] == tag and r["benchmark"] == bench]
    old, new = pick("old"), pick("new")
    ratio = lambda f: [n[f] / o[f] for o, n in zip(old, new)]
    summary[bench] = {
        "old_train_samples_per_s": [r["train_samples_per_s"] for r in old],
        "new_train_samples_per_s": [r["train_samples_per_s"] for r in new],
        "old_inference_samples_per_s": [r["inference_samples_per_s"] for r in old],
        "new_inference_samples_per_s": [r["inference_samples_per_s"] for r in new],
        "train_speedup_per_pair": ratio("train_samples_per_s"),
        "inference_speedup_per_pair": ratio("inference_samples_per_s"),
        "train_speedup_median": statistics.median(ratio("train_samples_per_s")),
        "inference_speedup_median": statistics.median(ratio("inference_samples_per_s")),
        "same_accuracy": all(o["test_accuracy"] == n["test_accuracy"] for o, n in zip(old, new)),
    }
out = {
    "benchmark": "bench_golden, this build against an earlier one, alternating in one run",
    "old_bin_dir": os.path.abspath(old_dir), "new_bin_dir": os.path.abspath(new_dir),
    "repeats": repeats, "train_samples": int(train), "test_samples": int(test),
    "train_threads": 1, "inference_threads": "all cores",
    "command": " ".join(["scripts/bench_golden_vs.sh"] + sys.argv[1:2] + [str(repeats), train, test]),
    "summary": summary, "runs": runs,
}
json.dump(out, open(out_path, "w"), indent=2)
for bench, s in summary.items():
    print(f"{bench}: training {statistics.median(s['old_train_samples_per_s']):.0f} -> "
          f"{statistics.median(s['new_train_samples_per_s']):.0f} samples/s (x{s['train_speedup_median']:.2f}), "
          f"inference {statistics.median(s['old_inference_samples_per_s']):.0f} -> "
          f"{statistics.median(s['new_inference_samples_per_s']):.0f} samples/s (x{s['inference_speedup_median']:.2f}); "
          f"same accuracy: {s['same_accuracy']}")
print("load averages before each run:", [round(r["load_average_1min_before"], 1) for r in runs[::2]])
PY
