#!/usr/bin/env bash
# Co-simulation speed: the SystemC chip with verilated RTL units in lockstep (ssnn_chip_tb --rtl)
# against the behavioural chip alone, on the same run: 784-256-10 (the main job's network), T=50,
# 256x256 tiles, N training then M test samples of the MNIST subset, with --rtl none, neuron,
# encoder, coincidence and all. Every run must give the same accuracy and the same hardware figures
# (cycles, events, pulses, energy) as --rtl none. Reports wall-clock and CPU time (the machine is
# shared: CPU seconds are the steadier figure). Writes docs/results/cosim_speed.json.
# Usage: scripts/bench_cosim.sh [TRAIN=200] [TEST=100]   (about 2 minutes)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
TRAIN="${1:-200}"
TEST="${2:-100}"
python3 - "$BUILD/bin/ssnn_chip_tb" "$TRAIN" "$TEST" "$REPO/docs/results/cosim_speed.json" <<'PY'
import json, os, resource, subprocess, sys, tempfile, time
tb, train, test, out_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
args = ["--dataset", "subset", "--hidden", "256", "--timesteps", "50", "--epochs", "1", "--train-samples", str(train),
        "--test-samples", str(test), "--tile-rows", "256", "--tile-cols", "256", "--no-progress"]
runs = {}
with tempfile.TemporaryDirectory() as tmp:
    for units in ["none", "neuron", "encoder", "coincidence", "all"]:
        report = os.path.join(tmp, units + ".json")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        subprocess.run([tb, *args, "--rtl", units, "--report", report], check=True, stdout=subprocess.DEVNULL)
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        r = json.load(open(report))
        machine = r["machine"]
        cycles = r["hardware_train"]["cycles_per_sample"] * r["hardware_train"]["samples"] + \
                 r["hardware_test"]["cycles_per_sample"] * r["hardware_test"]["samples"]
        runs[units] = {
            "process_wall_s": wall, "process_cpu_s": cpu,
            "sim_cycles_per_s": r["sim_cycles_per_s"],
            "busy_cycles_per_cpu_s": cycles / cpu,
            "samples_per_cpu_s": (train + test) / cpu,
            "train_samples_per_s": r["train_samples_per_s"], "test_samples_per_s": r["test_samples_per_s"],
            "test_accuracy": r["test_accuracy"], "level": r["level"],
            "rtl_models": r.get("rtl", {}).get("rtl_models", 0), "signal_checks": r.get("rtl", {}).get("signal_checks", 0),
            "crosspoint_pulses": r.get("rtl", {}).get("crosspoint_pulses", 0),
            "hardware": [r["hardware_train"], r["hardware_test"]], "command": r["command"],
        }
        print(f"--rtl {units:<11} {cpu:7.1f} CPU s {wall:7.1f} wall s  {(train + test) / cpu:7.2f} samples/CPU s  "
              f"{runs[units]['sim_cycles_per_s']:9.0f} cycles/s (wall)  {runs[units]['rtl_models']:5d} RTL models", flush=True)
base = runs["none"]
same_acc = all(v["test_accuracy"] == base["test_accuracy"] for v in runs.values())
same_hw = all(v["hardware"] == base["hardware"] for v in runs.values())
out = {
    "benchmark": "RTL co-simulation (ssnn_chip_tb --rtl) vs the behavioural chip, same run",
    "network": "784-256-10", "timesteps": 50, "tiles": "256x256", "lanes": 32, "encoder_lanes": 64,
    "xpoint_units_per_tile": 32, "train_samples": train, "test_samples": test,
    "runs": {k: {kk: vv for kk, vv in v.items() if kk != "hardware"} for k, v in runs.items()},
    "slowdown_cpu": {k: v["process_cpu_s"] / base["process_cpu_s"] for k, v in runs.items() if k != "none"},
    "slowdown_wall": {k: v["process_wall_s"] / base["process_wall_s"] for k, v in runs.items() if k != "none"},
    "cycles_per_train_sample": runs["none"]["hardware"][0]["cycles_per_sample"],
    "same_test_accuracy": same_acc, "same_hardware_figures": same_hw,
    "load_average_1min": os.getloadavg()[0],
    "machine": machine,
}
json.dump(out, open(out_path, "w"), indent=2)
print(f"slowdown against the behavioural chip (CPU time): " +
      ", ".join(f"{k} {v:.1f}x" for k, v in out["slowdown_cpu"].items()) +
      f"; same accuracy {same_acc}, same hardware figures {same_hw} (load average {out['load_average_1min']:.1f})")
sys.exit(0 if same_acc and same_hw else 1)
PY
