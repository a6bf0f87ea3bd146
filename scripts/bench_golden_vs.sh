#!/usr/bin/env bash
# Golden-model speed of this build against an earlier one, measured in the same invocation: the two
# bench_golden binaries run alternately REPEATS times on the same work (784-1280-10, T = 50 rate and
# T = 100 per-step stochastic, full MNIST when fetched), so their ratio holds however loaded the
# shared machine is.  Both must report the same accuracy (the models are bit-identical).
# Two measures per configuration, binary and repeat:
#  - wall clock: bench_golden's own training samples/s (one thread) and inference samples/s (all
#    cores), from one run of TRAIN training and TEST test samples;
#  - CPU time of the process (getrusage), which does not count the time a loaded machine makes it
#    wait for a core: training CPU per sample from that run minus a run of one training sample (data
#    loading, warm-up and set-up cancel), inference CPU per sample from that run minus one with a
#    single test sample.  On a machine with more runnable processes than cores, these are the
#    numbers to compare.
# Writes docs/results/golden_speedup.json (every run, per-pair ratios, load averages) and prints a
# summary.
# Usage: scripts/bench_golden_vs.sh OLD_BIN_DIR [REPEATS=3] [TRAIN=3000] [TEST=3000]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
positional OLD REPEATS=3 TRAIN=3000 TEST=3000 -- "$@"
OUT="${SSNN_GOLDEN_SPEED_JSON:-$REPO/docs/results/golden_speedup.json}"
need_executable "$OLD/bench_golden" "$BUILD/bin/bench_golden"
[[ "$REPEATS" =~ ^[1-9][0-9]*$ && "$TRAIN" =~ ^[1-9][0-9]*$ && "$TEST" =~ ^[1-9][0-9]*$ && "$TRAIN" -ge 2 && "$TEST" -ge 2 ]] ||
  die "REPEATS must be at least 1, TRAIN and TEST at least 2"
make_tmp
python3 - "$OLD" "$BUILD/bin" "$REPEATS" "$TRAIN" "$TEST" "$TMP" "$OUT" <<'PY'
import json, os, resource, statistics, subprocess, sys

old_dir, new_dir, repeats, train, test, tmp, out_path = sys.argv[1:8]
repeats, n_train, n_test = int(repeats), int(train), int(test)
WARMUP = "20"


def bench(d, cfg, tr, te, path):
    """One bench_golden run; returns its record and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([f"{d}/bench_golden", "--train-samples", str(tr), "--test-samples", str(te), "--warmup", WARMUP,
                    "--configs", cfg, "--train-threads", "1", "--threads", "0", "--json", path],
                   check=True, stdout=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.load(open(path))[0], cpu


runs = []
for k in range(repeats):
    for cfg in ("rate50", "stochastic100"):
        for tag, d in (("old", old_dir), ("new", new_dir)):
            load = os.getloadavg()[0]
            full, cpu_full = bench(d, cfg, n_train, n_test, f"{tmp}/{tag}_{cfg}_{k}.json")
            _, cpu_no_test = bench(d, cfg, n_train, 1, f"{tmp}/{tag}_{cfg}_{k}_a.json")
            _, cpu_setup = bench(d, cfg, 1, 1, f"{tmp}/{tag}_{cfg}_{k}_b.json")
            runs.append({"binary": tag, "repeat": k, "benchmark": cfg, "load_average_1min_before": load,
                         **{f: full[f] for f in ("train_samples_per_s", "inference_samples_per_s", "test_accuracy",
                                                 "peak_rss_mib", "command")},
                         "cpu_seconds": {"train_and_test": cpu_full, "train_only": cpu_no_test, "setup": cpu_setup},
                         "train_samples_per_cpu_s": (n_train - 1) / (cpu_no_test - cpu_setup),
                         "inference_samples_per_cpu_s": (n_test - 1) / (cpu_full - cpu_no_test)})

summary = {}
for bench_name in ("rate50", "stochastic100"):
    pick = lambda tag: [r for r in runs if r["binary"] == tag and r["benchmark"] == bench_name]
    old, new = pick("old"), pick("new")
    ratio = lambda f: [n[f] / o[f] for o, n in zip(old, new)]
    s = {"same_accuracy": all(o["test_accuracy"] == n["test_accuracy"] for o, n in zip(old, new))}
    for f in ("train_samples_per_s", "inference_samples_per_s", "train_samples_per_cpu_s",
              "inference_samples_per_cpu_s"):
        s[f"old_{f}"] = [r[f] for r in old]
        s[f"new_{f}"] = [r[f] for r in new]
        s[f"speedup_{f}_per_pair"] = ratio(f)
        s[f"speedup_{f}_median"] = statistics.median(ratio(f))
    summary[bench_name] = s
out = {
    "benchmark": "bench_golden, this build against an earlier one, alternating in one run",
    "old_bin_dir": os.path.abspath(old_dir), "new_bin_dir": os.path.abspath(new_dir),
    "repeats": repeats, "train_samples": n_train, "test_samples": n_test, "warmup_samples": int(WARMUP),
    "train_threads": 1, "inference_threads": "all cores", "cores": os.cpu_count(),
    "measures": "wall clock (samples/s as bench_golden reports them) and CPU time of the process "
                "(samples per CPU second; training: full run minus a one-sample run, inference: full run "
                "minus a one-test-sample run)",
    "command": " ".join(["scripts/bench_golden_vs.sh"] + sys.argv[1:2] + [str(repeats), train, test]),
    "summary": summary, "runs": runs,
}
json.dump(out, open(out_path, "w"), indent=2)
med = statistics.median
for name, s in summary.items():
    print(f"{name}: training {med(s['old_train_samples_per_s']):.0f} -> {med(s['new_train_samples_per_s']):.0f} samples/s "
          f"(x{s['speedup_train_samples_per_s_median']:.2f}), {med(s['old_train_samples_per_cpu_s']):.0f} -> "
          f"{med(s['new_train_samples_per_cpu_s']):.0f} per CPU s (x{s['speedup_train_samples_per_cpu_s_median']:.2f}); "
          f"inference {med(s['old_inference_samples_per_s']):.0f} -> {med(s['new_inference_samples_per_s']):.0f} samples/s "
          f"(x{s['speedup_inference_samples_per_s_median']:.2f}), {med(s['old_inference_samples_per_cpu_s']):.0f} -> "
          f"{med(s['new_inference_samples_per_cpu_s']):.0f} per CPU s (x{s['speedup_inference_samples_per_cpu_s_median']:.2f}); "
          f"same accuracy: {s['same_accuracy']}")
print("load averages before each run:", [round(r["load_average_1min_before"], 1) for r in runs])
if not all(s["same_accuracy"] for s in summary.values()):
    sys.exit("bench_golden_vs.sh: the old and new builds disagree in accuracy")
PY
