#!/usr/bin/env bash
# Simulation speed of every level on the same run: the golden model (one thread), the SystemC chip
# (ssnn_chip_tb --rtl none), the SystemC chip with verilated RTL units in lockstep (--rtl UNIT, the
# co-simulation) and the verilated RTL chip alone (ssnn_rtl_chip_tb --check none), training then
# inference on N training and M test samples of the MNIST subset, T = 50, 256 x 256 tiles, for each
# hidden size given (784-H-10). A level whose build lacks the configuration (the RTL chip at a size
# no variant was verilated for) is recorded with its refusal line. Every run of a network must give
# the golden model's test accuracy, and every co-simulated run the hardware figures (cycles, events,
# pulses, energy) of --rtl none. Reports each process's CPU and wall seconds, the training and
# inference samples/s of its report (wall time) and, since the machine is shared, the same per CPU
# second (divided by the process's average share of a core), the ratios of those to the SystemC
# chip's, and the load average at every run. Writes docs/results/cosim_speed.json ($SSNN_SPEED_JSON).
# Usage: scripts/bench_cosim.sh [TRAIN=200] [TEST=100] [HIDDEN=256,1280] [UNITS=all]
#   UNITS: the --rtl choices to co-simulate, comma-separated (e.g. neuron,encoder,coincidence,all).
#   The RTL chip at 784-256-10 needs a build configured with -DSSNN_RTL_CHIP_MAIN=ON ($SSNN_BUILD).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
positional TRAIN=200 TEST=100 HIDDEN=256,1280 UNITS=all -- "$@"
need_executable "$BUILD/bin/ssnn_chip_tb" "$BUILD/bin/ssnn_golden" "$BUILD/bin/ssnn_rtl_chip_tb"
OUT="${SSNN_SPEED_JSON:-$REPO/docs/results/cosim_speed.json}"
make_tmp
python3 - "$BUILD/bin" "$TRAIN" "$TEST" "$HIDDEN" "$UNITS" "$TMP" "$OUT" <<'PY'
import json, os, resource, subprocess, sys, time

bin_dir, train, test, hidden_list, units_list, tmp, out_path = sys.argv[1:8]
train, test = int(train), int(test)
hidden_sizes = [int(h) for h in hidden_list.split(",")]
units = [u for u in units_list.split(",") if u and u != "none"]
T = 50


def common(hidden):
    return ["--dataset", "subset", "--hidden", str(hidden), "--timesteps", str(T), "--epochs", "1",
            "--train-samples", str(train), "--test-samples", str(test), "--no-progress"]


def run(level, cmd, report, env=None):
    """Runs cmd; returns its report with the process's CPU and wall seconds, or the refusal line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd + ["--report", report], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       env=dict(os.environ, **(env or {})))
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode == 2 and ("is not built in this build" in p.stderr or "no verilated RTL chip" in p.stderr):
        print(f"{level:<22} not built: {p.stderr.strip()}", flush=True)
        return {"level": level, "refused": p.stderr.strip()}
    if p.returncode != 0:
        sys.exit(f"bench_cosim.sh: {' '.join(cmd)} failed (exit {p.returncode}):\n{p.stderr[-2000:]}")
    r = json.load(open(report))
    cpu = max(1e-3, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    run = {"level": level, "process_cpu_s": cpu, "process_wall_s": wall, "cpu_share": cpu / wall,
           "samples_per_cpu_s": (train + test) / cpu, "test_accuracy": r["test_accuracy"],
           "train_samples_per_s": r["train_samples_per_s"], "load_average_1min": os.getloadavg()[0],
           "command": r["command"]}
    if "test_samples_per_s" in r:
        run["test_samples_per_s"] = r["test_samples_per_s"]
    else:  # the golden model's report: the epoch's test time
        run["test_samples_per_s"] = test / r["history"][-1]["test_seconds"]
    # On a loaded machine a process runs a fraction of the wall time: the rates per CPU second, taking
    # the process's average share of a core (CPU / wall time) for both of its parts.
    # A run of a second or two (the golden model's) is mostly start-up, whose share says nothing of its
    # loop: its report's rates stand as they are.
    run["share_applied"] = wall >= 2.0
    for part in ("train", "test"):
        share = min(1.0, run["cpu_share"]) if run["share_applied"] else 1.0
        run[f"{part}_samples_per_cpu_s"] = run[f"{part}_samples_per_s"] / share
    if "hardware_train" in r:
        run["hardware"] = [r["hardware_train"], r["hardware_test"]]
        run["sim_cycles_per_s"] = r["sim_cycles_per_s"]
        run["cycles_per_train_sample"] = r["hardware_train"]["cycles_per_sample"]
    if "rtl" in r:
        run.update({k: r["rtl"].get(k, 0) for k in ("rtl_models", "signal_checks", "crosspoint_pulses")})
    if "rtl_chip" in r:
        run["clock_edges"] = r["rtl_chip"]["clock_edges"]
        run["busy_cycles"] = {k: v["rtl_busy"] for k, v in r["rtl_chip"]["cycles_by_phase"].items()}
    print(f"{level:<18} {cpu:8.1f} CPU s {wall:8.1f} wall s  training {run['train_samples_per_cpu_s']:9.2f}  "
          f"inference {run['test_samples_per_cpu_s']:9.2f} samples per CPU s  (load {run['load_average_1min']:.1f})",
          flush=True)
    return run


networks = {}
ok = True
for hidden in hidden_sizes:
    net = f"784-{hidden}-10"
    print(f"{net}, T = {T}, 256 x 256 tiles, {train} training + {test} test samples", flush=True)
    args = common(hidden)
    tiles = ["--tile-rows", "256", "--tile-cols", "256"]
    runs = {"golden": run("golden", [f"{bin_dir}/ssnn_golden", "train", *args, "--threads", "1", "--train-threads", "1"],
                          f"{tmp}/golden.json", {"OMP_NUM_THREADS": "1"}),
            "systemc_chip": run("systemc_chip", [f"{bin_dir}/ssnn_chip_tb", *args, *tiles, "--rtl", "none"],
                                f"{tmp}/systemc.json"),
            "rtl_chip": run("rtl_chip", [f"{bin_dir}/ssnn_rtl_chip_tb", *args, *tiles, "--check", "none"],
                            f"{tmp}/rtl.json")}
    for u in units:
        runs[f"cosim_{u}"] = run(f"cosim --rtl {u}", [f"{bin_dir}/ssnn_chip_tb", *args, *tiles, "--rtl", u],
                                 f"{tmp}/cosim_{u}.json")
    done = {k: v for k, v in runs.items() if "refused" not in v}
    base, sc = runs["golden"], runs["systemc_chip"]
    same_acc = all(v["test_accuracy"] == base["test_accuracy"] for v in done.values())
    same_hw = all(v["hardware"] == sc["hardware"] for k, v in done.items() if k.startswith("cosim_"))
    ratios = {}
    for k, v in done.items():
        if k == "systemc_chip":
            continue
        ratios[f"{k}_vs_systemc_chip"] = {
            "training_samples_per_cpu_s": v["train_samples_per_cpu_s"] / sc["train_samples_per_cpu_s"],
            "inference_samples_per_cpu_s": v["test_samples_per_cpu_s"] / sc["test_samples_per_cpu_s"],
            "cpu_time": v["process_cpu_s"] / sc["process_cpu_s"]}
    for r in runs.values():
        r.pop("hardware", None)
    networks[net] = {"runs": runs, "ratios": ratios, "same_test_accuracy_as_golden": same_acc,
                     "cosim_same_hardware_figures": same_hw,
                     "cycles_per_train_sample": sc["cycles_per_train_sample"]}
    ok = ok and same_acc and same_hw
    for k, v in ratios.items():
        print(f"  {k}: samples per CPU s {v['training_samples_per_cpu_s']:.3g}x (training), "
              f"{v['inference_samples_per_cpu_s']:.3g}x (inference); CPU time of the run {v['cpu_time']:.3g}x", flush=True)
    print(f"  same test accuracy at every level: {same_acc}; co-simulation with the chip's hardware figures: {same_hw}",
          flush=True)

out = {
    "benchmark": "golden model, SystemC chip, RTL co-simulation (ssnn_chip_tb --rtl) and the verilated RTL chip "
                 "(ssnn_rtl_chip_tb), same runs",
    "command": " ".join(["scripts/bench_cosim.sh", str(train), str(test), hidden_list, units_list]),
    "timesteps": T, "tiles": "256x256", "lanes": 32, "encoder_lanes": 64, "xpoint_units_per_tile": 32,
    "train_samples": train, "test_samples": test, "threads": 1,
    "networks": networks,
    "load_average_at_end": list(os.getloadavg()), "cpus": os.cpu_count(),
}
json.dump(out, open(out_path, "w"), indent=2)
print(f"wrote {out_path}")
sys.exit(0 if ok else 1)
PY
