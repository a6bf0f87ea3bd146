#!/usr/bin/env bash
# Simulation speed of the SystemC chip against the golden model on the same work:
# 784-1280-10, T=64, 256x256 tiles, N training then M test samples of the MNIST subset.
# With OLD_BIN_DIR (a folder holding an earlier build's ssnn_chip_tb and ssnn_golden), the old and
# the new binaries run alternately in the same invocation, so the speed ratio holds however loaded the
# machine is; the reports of old and new must agree in every counter and accuracy.  An old build from
# before a change of the cycle model (e.g. the tiles' update-cycle count) simulates the same spikes,
# weights and accuracy in a different number of cycles: with SSNN_CHIP_CYCLE_MODEL_CHANGED=1 the
# reports may differ in cycle counts (and what is derived from them, latency) but in nothing else, and
# the record lists the fields that differ.
# Writes docs/results/chip_speed.json (cycles/s, samples/s, CPU seconds, ratios, machine load) and
# prints a summary.
# Usage: scripts/bench_chip.sh [TRAIN=200] [TEST=100] [OLD_BIN_DIR] [REPEATS=1]
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
positional TRAIN=200 TEST=100 OLD= REPEATS=1 -- "$@"
OUT="${SSNN_CHIP_SPEED_JSON:-$REPO/docs/results/chip_speed.json}"
[[ -z "$OLD" ]] || need_executable "$OLD/ssnn_chip_tb"
make_tmp
python3 - "$BUILD/bin" "$OLD" "$TRAIN" "$TEST" "$REPEATS" "$TMP" "$OUT" <<'PY'
import json, os, resource, subprocess, sys, time

new_dir, old_dir, train, test, repeats, tmp, out_path = sys.argv[1:8]
repeats = int(repeats)
args = ["--dataset", "subset", "--hidden", "1280", "--timesteps", "64", "--epochs", "1",
        "--train-samples", train, "--test-samples", test, "--no-progress"]


def run(cmd, report, env=None):
    """Runs cmd, returns (report, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd + ["--report", report], check=True, stdout=subprocess.DEVNULL,
                   env=dict(os.environ, **(env or {})))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.load(open(report)), cpu


def chip(bin_dir, tag, k):
    return run([f"{bin_dir}/ssnn_chip_tb"] + args + ["--tile-rows", "256", "--tile-cols", "256"],
               f"{tmp}/chip_{tag}_{k}.json")


def golden(bin_dir, tag, k):
    # One thread, so both models run on one core.
    return run([f"{bin_dir}/ssnn_golden", "train"] + args + ["--threads", "1", "--train-threads", "1"],
               f"{tmp}/golden_{tag}_{k}.json", {"OMP_NUM_THREADS": "1"})


# Fields that depend on the run's speed, not on what was simulated.
TIMING = {"train_samples_per_s", "test_samples_per_s", "wall_seconds", "train_seconds", "test_seconds",
          "sim_cycles_per_s", "command", "machine", "date", "created", "git", "train_samples_per_s"}


def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in TIMING and not k.endswith("_seconds")}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o


def differences(old, new, path=""):
    """The fields both reports have (a newer build may report more, e.g. energy) where they differ;
    floating-point values (energies) agree within a relative 1e-12 (summation order)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [d for k in sorted(old.keys() & new.keys()) for d in differences(old[k], new[k], f"{path}/{k}")]
    if isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            return [path]
        return [d for i, (a, b) in enumerate(zip(old, new)) for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(old, float) or isinstance(new, float):
        return [] if abs(old - new) <= 1e-12 * max(abs(old), abs(new)) else [path]
    return [] if old == new else [path]


def cycle_field(path):
    """A simulated cycle count or a latency derived from one."""
    leaf = path.rsplit("/", 1)[-1].split("[")[0]
    return "cycles" in path or leaf.startswith("latency")


cycle_model_changed = os.environ.get("SSNN_CHIP_CYCLE_MODEL_CHANGED") == "1"


runs = {"new": [], "old": []}
load_before = os.getloadavg()
for k in range(repeats):
    for tag, d in (("old", old_dir), ("new", new_dir)):
        if not d:
            continue
        c, c_cpu = chip(d, tag, k)
        g, g_cpu = golden(d, tag, k)
        runs[tag].append({"chip": c, "chip_cpu_s": c_cpu, "golden": g, "golden_cpu_s": g_cpu,
                          "load_average_1min": os.getloadavg()[0]})
load_after = os.getloadavg()


def summary(rs):
    n = len(rs)
    mean = lambda f: sum(f(r) for r in rs) / n
    c = rs[0]["chip"]
    return {
        "chip_train_samples_per_s": mean(lambda r: r["chip"]["train_samples_per_s"]),
        "chip_test_samples_per_s": mean(lambda r: r["chip"]["test_samples_per_s"]),
        "chip_sim_cycles_per_s": mean(lambda r: r["chip"]["sim_cycles_per_s"]),
        "chip_cpu_seconds": mean(lambda r: r["chip_cpu_s"]),
        "chip_cycles_per_train_sample": c["hardware_train"]["cycles_per_sample"],
        "golden_train_samples_per_s": mean(lambda r: r["golden"]["train_samples_per_s"]),
        "golden_cpu_seconds": mean(lambda r: r["golden_cpu_s"]),
        "slowdown_train": mean(lambda r: r["golden"]["train_samples_per_s"] / r["chip"]["train_samples_per_s"]),
        "slowdown_cpu": mean(lambda r: r["chip_cpu_s"] / r["golden_cpu_s"]),
        "same_test_accuracy": all(r["chip"]["test_accuracy"] == r["golden"]["test_accuracy"] for r in rs),
        "test_accuracy": c["test_accuracy"],
        "chip_command": c["command"], "golden_command": rs[0]["golden"]["command"],
        "load_average_1min_per_run": [r["load_average_1min"] for r in rs],
    }


new = summary(runs["new"])
out = {
    "benchmark": "SystemC chip vs golden model, same work",
    "command": " ".join(["scripts/bench_chip.sh", train, test] + ([old_dir, str(repeats)] if old_dir else [])),
    "network": "784-1280-10", "timesteps": 64, "tiles": "256x256",
    "train_samples": int(train), "test_samples": int(test), "repeats": repeats,
    **new,
    "load_average_before": list(load_before), "load_average_after": list(load_after),
    "machine": runs["new"][0]["chip"]["machine"],
}
if old_dir:
    old = summary(runs["old"])
    diff = sorted({d for o, n in zip(runs["old"], runs["new"]) for d in differences(strip(o["chip"]), strip(n["chip"]))})
    out["old"] = {"bin_dir": os.path.abspath(old_dir), **old}
    out["old_and_new_chip_reports_equal"] = not diff
    if cycle_model_changed:
        out["cycle_model_changed"] = True
        out["old_and_new_chip_report_differences"] = diff
        out["old_and_new_chip_reports_equal_but_cycles"] = all(cycle_field(d) for d in diff)
    out["chip_speedup_train"] = new["chip_train_samples_per_s"] / old["chip_train_samples_per_s"]
    out["chip_speedup_cpu"] = old["chip_cpu_seconds"] / new["chip_cpu_seconds"]
json.dump(out, open(out_path, "w"), indent=2)

def line(tag, s):
    print(f"{tag}: chip {s['chip_train_samples_per_s']:.1f} training samples/s, {s['chip_test_samples_per_s']:.1f} test "
          f"samples/s, {s['chip_sim_cycles_per_s']:.0f} cycles/s, {s['chip_cpu_seconds']:.2f} CPU s; golden (1 thread) "
          f"{s['golden_train_samples_per_s']:.1f} training samples/s; chip/golden slowdown {s['slowdown_train']:.1f}x "
          f"(CPU {s['slowdown_cpu']:.1f}x); same accuracy: {s['same_test_accuracy']}")

print(f"{new['chip_cycles_per_train_sample']:.0f} cycles per training sample; load average {load_before[0]:.1f} -> "
      f"{load_after[0]:.1f}")
if old_dir:
    line("old", out["old"])
line("new", new)
if old_dir:
    print(f"chip speedup new/old: {out['chip_speedup_train']:.2f}x samples/s, {out['chip_speedup_cpu']:.2f}x CPU time; "
          f"reports equal: {out['old_and_new_chip_reports_equal']}")
    if cycle_model_changed:
        print(f"old: {out['old']['chip_cycles_per_train_sample']:.0f} cycles per training sample; fields that differ: "
              + (", ".join(diff) or "none"))
        if not out["old_and_new_chip_reports_equal_but_cycles"]:
            sys.exit("bench_chip.sh: the old and new chip reports differ beyond timing and cycle counts")
    elif not out["old_and_new_chip_reports_equal"]:
        sys.exit("bench_chip.sh: the old and new chip reports differ beyond timing (an old build with another cycle "
                 "model: SSNN_CHIP_CYCLE_MODEL_CHANGED=1)")
PY
