#!/usr/bin/python3
"""Hardware trade-offs of the SSNN-BP chip: accuracy, energy and cycles per sample of the
cycle-accurate SystemC chip (ssnn_chip_tb) against timesteps T, weight bits, crossbar tile size and
AER router bandwidth. Runs the points through the sweep runner (scripts/sweep.py), keeps every
point's report, and draws the figures (PNG and SVG; the plots in hw_tradeoffs_plots.py) and their
data (JSON) from those reports.

Usage:
  scripts/hw_tradeoffs.py run   [--profile full|ci] [-j N] [--bin-dir DIR]   run missing points, then plot
  scripts/hw_tradeoffs.py plot  [--profile full|ci] [--img-dir D] [--data-dir D]
  scripts/hw_tradeoffs.py check [--profile full|ci] [-j N] [--bin-dir DIR] [--select TEXT]
  scripts/hw_tradeoffs.py sweeps [--profile full|ci]                          (re)write the sweep files

Profiles:
  full  784-256-10 on the shipped MNIST subset (2,000 training samples, 1 epoch, 1,000 test samples)
        for T, weight bits and tile size; 784-1280-10, T = 64, 200 + 100 samples for the router
        bandwidth. About 30 core-minutes. Sweep files sweeps/hw_accuracy.json and
        sweeps/hw_bandwidth.json; reports in docs/results/hw_tradeoffs/; figures docs/img/hw_*.png|svg;
        figure data docs/results/hw_*.json.
  ci    the same figures on tiny networks and a few samples (seconds): sweep files and reference
        reports in tb/hw_tradeoffs/ (the CTest test hw_tradeoffs.ci runs `check --profile ci`).

check reruns the points (all, or those whose label contains --select) into a temporary folder and
compares each report with the committed one: the chip is deterministic for a given seed, so every
accuracy, count, cycle and energy figure must agree (integers exactly, floating-point figures to a
relative 1e-9); wall-clock fields (seconds, samples/s) and the machine are not compared. It then
draws the figures from the rerun into the temporary folder. Exit status 0 when all agree.

Debian's python3 (/usr/bin/python3) on purpose: matplotlib is Debian's python3-matplotlib.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import figlib
import hw_tradeoffs_plots

REPO = figlib.REPO
Error = figlib.Error

# Weight-bit scaling: at 16 bits the defaults are theta = theta_out = 16384, theta_grad = 1024,
# inhibition = 4096 (weight LSBs). A b-bit weight keeps the same network when every threshold and
# the inhibition scale by 2^(b-16); err_unit and theta_err are in error-spike units, not weight LSBs,
# and stay. The pulse scales too but cannot go below 1 LSB.
THRESHOLDS_16 = {"theta": 16384, "theta-out": 16384, "theta-grad": 1024, "inhibition": 4096}

PROFILES = {
    "full": {
        "accuracy_base": {"dataset": "subset", "hidden": 256, "epochs": 1,
                          "train-samples": 2000, "test-samples": 1000},
        "timesteps": [16, 32, 64, 128, 256],
        "pulse_times_t": 256,          # pulse x T constant: the same expected update per sample
        "ref_t": 64,                   # T of the weight-bit and tile sweeps (pulse 4)
        "bits": [8, 10, 12, 14, 16],
        "bit_controls": [8, 10, 12],   # 16-bit runs with the relative pulse of these widths
        "tiles": [64, 128, 256, 0],
        "bandwidth_base": {"dataset": "subset", "hidden": 1280, "timesteps": 64,
                           "train-samples": 200, "test-samples": 100},
        "events_per_cycle": [1, 2, 4, 8, 16, 64],
        "bandwidth_tiles": [256, 64],
        "noise_seeds": [2, 3],         # reruns of the T = 64 point with other seeds: the seed spread
        "sweep_dir": os.path.join(REPO, "sweeps"),
        "sweep_prefix": "hw_",
        "out_rel": "../docs/results/hw_tradeoffs",
        "img_dir": os.path.join(REPO, "docs", "img"),
        "data_dir": os.path.join(REPO, "docs", "results"),
    },
    "ci": {
        "accuracy_base": {"dataset": "subset", "hidden": 16, "epochs": 1,
                          "train-samples": 40, "test-samples": 20},
        "timesteps": [8, 16, 32],
        "pulse_times_t": 256,
        "ref_t": 16,
        "bits": [8, 12, 16],
        "bit_controls": [8],
        "tiles": [8, 16, 0],
        "bandwidth_base": {"dataset": "subset", "hidden": 32, "timesteps": 16,
                           "train-samples": 20, "test-samples": 10},
        "events_per_cycle": [1, 4, 64],
        "bandwidth_tiles": [256, 16],
        "noise_seeds": [2],
        "sweep_dir": os.path.join(REPO, "tb", "hw_tradeoffs"),
        "sweep_prefix": "ci_",
        "out_rel": "ref",
        "img_dir": None,    # ci figures go to a temporary folder unless --img-dir is given
        "data_dir": None,
    },
}

SWEEPS = ("accuracy", "bandwidth", "seeds")
FIGURES = ("timesteps", "weight_bits", "tile_size", "router_bandwidth")


# ---------------------------------------------------------------------------------------------
# The points of each figure and the sweep files
# ---------------------------------------------------------------------------------------------

def bits_options(p, bits, pulse16):
    """Options of a b-bit run: thresholds, inhibition and pulse scaled by 2^(b-16) (pulse >= 1)."""
    scale = 2.0 ** (bits - 16)
    o = {"weight-bits": bits}
    for k, v in THRESHOLDS_16.items():
        o[k] = int(round(v * scale))
    o["pulse"] = max(1, int(round(pulse16 * scale)))
    return o


def figure_points(p):
    """{figure: [(options over the sweep's base, series, x)]} for a profile."""
    ptt = p["pulse_times_t"]
    ref_t = p["ref_t"]
    pulse_ref = ptt // ref_t
    ref = {"timesteps": ref_t, "pulse": pulse_ref}
    figs = {f: [] for f in FIGURES}
    for t in p["timesteps"]:
        figs["timesteps"].append(({"timesteps": t, "pulse": max(1, ptt // t)}, "pulse x T = %d" % ptt, t))
    for b in p["bits"]:
        o = dict(ref)
        if b != 16:  # 16 bits is the default network: the same point as the T and tile sweeps
            o.update(bits_options(p, b, pulse_ref))
        figs["weight_bits"].append((o, "b-bit weights, thresholds x 2^(b-16)", b))
    for b in p["bit_controls"]:
        o = dict(ref)
        # The b-bit run's pulse (>= 1 LSB of b bits) expressed in 16-bit LSBs.
        o["pulse"] = bits_options(p, b, pulse_ref)["pulse"] * 2 ** (16 - b)
        figs["weight_bits"].append((o, "16-bit weights, pulse of the b-bit run (same relative step)", b))
    for s in p["tiles"]:
        o = dict(ref)
        if s != 256:  # 256 x 256 is the chip default
            o.update({"tile-rows": s, "tile-cols": s})
        figs["tile_size"].append((o, "square tiles", s))
    for s in p["bandwidth_tiles"]:
        for e in p["events_per_cycle"]:
            o = {"events-per-cycle": e}
            if s != 256:
                o.update({"tile-rows": s, "tile-cols": s})
            figs["router_bandwidth"].append((o, f"{s}x{s} tiles", e))
    return figs


def reference_point(p):
    return {"timesteps": p["ref_t"], "pulse": p["pulse_times_t"] // p["ref_t"]}


def seed_spread(p, reports_by_sweep):
    """Test accuracy of the reference point over seeds (seed 1 from hw_accuracy, the others from hw_seeds)."""
    ref = reference_point(p)
    accs = {}
    for sw in ("accuracy", "seeds"):
        for o, r, _ in reports_by_sweep.get(sw, []):
            if o == ref:
                accs[r.get("seed", 1)] = r["test_accuracy"]
    seeds = sorted(accs)
    vals = [accs[k] for k in seeds]
    mean = sum(vals) / len(vals) if vals else None
    std = (sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)) ** 0.5 if len(vals) >= 2 else None
    return {"options": ref, "seeds": seeds, "test_accuracy": vals, "mean": mean,
            "std": std, "std_note": "sample standard deviation (n - 1)"}


def sweep_of(figure):
    return "bandwidth" if figure == "router_bandwidth" else "accuracy"


def sweep_files(p, profile):
    """{sweep name: (path, document)} of the profile's sweep files."""
    figs = figure_points(p)
    docs = {}
    for sw in SWEEPS:
        pts = []
        for f in FIGURES:
            if sweep_of(f) != sw:
                continue
            for o, _, _ in figs[f]:
                if o not in pts:
                    pts.append(o)
        seeds = [1]
        if sw == "seeds":
            pts = [reference_point(p)]
            seeds = p["noise_seeds"]
        base = p["bandwidth_base"] if sw == "bandwidth" else p["accuracy_base"]
        if sw == "seeds":
            desc = ("Chip trade-offs (scripts/hw_tradeoffs.py): the T = %d point of hw_accuracy with further "
                    "seeds, for the seed-to-seed spread of the accuracy." % p["ref_t"])
        elif sw == "accuracy":
            desc = ("Chip trade-offs (scripts/hw_tradeoffs.py): accuracy, energy and cycles per sample vs "
                    "timesteps T (pulse x T constant), weight bits (thresholds scaled) and crossbar tile size.")
        else:
            desc = ("Chip trade-offs (scripts/hw_tradeoffs.py): cycles, router stalls and FIFO high water "
                    "per sample vs AER router bandwidth (events per cycle) for two tile sizes.")
        name = f"{p['sweep_prefix']}{sw}"
        doc = {"name": name, "description": desc, "program": "chip", "base": base, "points": pts,
               "seeds": seeds, "output": f"{p['out_rel']}/{sw}",
               "metrics": {
                   "router_stall_cycles_per_sample": "hardware_train.router_stall_cycles_per_sample",
                   "aer_deliveries_per_sample": "hardware_train.aer_deliveries_per_sample"}}
        if profile == "ci":
            doc["description"] = "Tiny variant for CTest. " + desc
        docs[sw] = (os.path.join(p["sweep_dir"], f"{name}.json"), doc)
    return docs


def write_sweep_files(p, profile, check_only=False):
    """Write the sweep files; with check_only, fail if a committed one differs from the definitions."""
    for sw, (path, doc) in sweep_files(p, profile).items():
        text = json.dumps(doc, indent=2) + "\n"
        old = open(path).read() if os.path.exists(path) else None
        if old == text:
            continue
        if check_only:
            raise Error(f"{path} differs from the definitions in scripts/hw_tradeoffs.py "
                        f"(rewrite it with: scripts/hw_tradeoffs.py sweeps --profile {profile})")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        print(f"[hw] wrote {os.path.relpath(path, REPO)}")


# ---------------------------------------------------------------------------------------------
# Running and reading the points
# ---------------------------------------------------------------------------------------------

def run_sweep(path, jobs, bin_dir, out=None, progress=True):
    figlib.run_sweep(path, jobs, bin_dir, out=out, progress=progress, tag="hw", file=sys.stdout)


def load_reports(out_dir, base):
    """[(options over base, report, report path)] from a sweep output folder (results.json rows)."""
    return [({k: v for k, v in opts.items() if not (k in base and base[k] == v)}, r, rp)
            for opts, _, r, rp in figlib.load_sweep_points(out_dir)]


def lookup(reports, opts, seed=None):
    for o, r, rp in reports:
        if o == opts and (seed is None or r.get("seed") == seed):
            return r, rp
    return None, None


# ---------------------------------------------------------------------------------------------
# Figure data
# ---------------------------------------------------------------------------------------------

def g(r, path, default=None):
    cur = r
    for part in path.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def point_data(r):
    """The figures of one report that the plots and tables use."""
    ht, hs = r["hardware_train"], r["hardware_test"]
    hist = r.get("history", [])
    fhw_train = ht.get("fifo_high_water", [])
    fhw_test = hs.get("fifo_high_water", [])
    d = {
        "test_accuracy": r["test_accuracy"],
        "train_accuracy_while_presented": hist[-1]["train_accuracy"] if hist else None,
        "energy_train_uj": ht["energy_total_j_per_sample"] * 1e6,
        "energy_test_uj": hs["energy_total_j_per_sample"] * 1e6,
        "energy_train_breakdown_uj": {k: v * 1e6 for k, v in ht["energy_j_per_sample"].items()},
        "energy_test_breakdown_uj": {k: v * 1e6 for k, v in hs["energy_j_per_sample"].items()},
        "cycles_train": ht["cycles_per_sample"],
        "cycles_test": hs["cycles_per_sample"],
        "latency_train_us": ht["latency_s_per_sample"] * 1e6,
        "latency_test_us": hs["latency_s_per_sample"] * 1e6,
        "aer_events_train": ht["aer_events_per_sample"],
        "aer_deliveries_train": ht["aer_deliveries_per_sample"],
        "aer_deliveries_test": hs["aer_deliveries_per_sample"],
        "router_stall_cycles_train": ht["router_stall_cycles_per_sample"],
        "router_stall_cycles_test": hs["router_stall_cycles_per_sample"],
        "router_bandwidth_stall_cycles_train": ht.get("router_bandwidth_stall_cycles_per_sample"),
        "router_output_stall_cycles_train": ht.get("router_output_stall_cycles_per_sample"),
        "source_stall_cycles_train_total": sum(ht.get("source_stall_cycles", [])),
        "fifo_high_water_train": fhw_train,
        "fifo_high_water_train_max": max(fhw_train) if fhw_train else None,
        "fifo_high_water_test_max": max(fhw_test) if fhw_test else None,
        "pulses_train": ht["pulses_up_per_sample"] + ht["pulses_down_per_sample"],
        "synaptic_reads_train": ht["synaptic_reads_per_sample"],
        "forward_spikes_train": ht["forward_spikes_per_sample"],
        "phase_cycles_per_timestep_train": ht.get("phase_cycles_per_timestep"),
        "tiles": g(r, "chip.tiles"),
        "aer_blocks": g(r, "chip.aer_blocks"),
        "wall_seconds": r.get("wall_seconds"),
    }
    return d


def figure_data(p, profile, figure, reports_by_sweep, sweep_docs):
    path, doc = sweep_docs[sweep_of(figure)]
    reports = reports_by_sweep[sweep_of(figure)]
    pts = []
    missing = []
    machine = None
    for opts, series, x in figure_points(p)[figure]:
        r, rp = lookup(reports, opts)
        if r is None:
            missing.append(opts)
            continue
        machine = machine or r.get("machine")
        d = {"x": x, "series": series, "options": opts, "command": r.get("command"),
             "report": os.path.relpath(rp, REPO) if rp.startswith(REPO) else rp}
        d.update(point_data(r))
        pts.append(d)
    if missing:
        raise Error(f"{figure}: {len(missing)} point(s) have no report yet, e.g. {missing[0]} "
                    f"(run: scripts/hw_tradeoffs.py run --profile {profile})")
    base = doc["base"]
    extra = {}
    if sweep_of(figure) == "accuracy":
        extra["seed_spread"] = seed_spread(p, reports_by_sweep)
    return {
        **extra,
        "figure": figure,
        "profile": profile,
        "base_options": base,
        "sweep_file": os.path.relpath(path, REPO),
        "commands": [f"scripts/hw_tradeoffs.py run --profile {profile}",
                     f"scripts/sweep.py {os.path.relpath(path, REPO)}  (the same points, no figures)"],
        "machine": machine,
        "point_wall_seconds_total": sum(q["wall_seconds"] or 0 for q in pts),
        "tolerance": "rerun (scripts/hw_tradeoffs.py check): integers exact, floating-point figures to a "
                     "relative 1e-9; wall-clock fields not compared",
        "points": pts,
    }


def make_figures(p, profile, sweep_docs, out_dirs, img_dir, data_dir):
    """Figure data JSON and plots from the reports in out_dirs {sweep: folder}."""
    reports = {}
    for sw, (path, doc) in sweep_docs.items():
        base = doc["base"]
        reports[sw] = load_reports(out_dirs[sw], base)
    plt = hw_tradeoffs_plots.plt_module()
    written = []
    for f in FIGURES:
        data = figure_data(p, profile, f, reports, sweep_docs)
        if data_dir:
            os.makedirs(data_dir, exist_ok=True)
            jp = os.path.join(data_dir, f"hw_{f}.json")
            with open(jp, "w") as fh:
                json.dump(data, fh, indent=1)
                fh.write("\n")
            written.append(jp)
        if img_dir:
            written += hw_tradeoffs_plots.PLOTTERS[f](plt, data, img_dir)
            plt.close("all")
    for w in written:
        print(f"[hw] wrote {os.path.relpath(w, REPO) if w.startswith(REPO) else w}")
    return written


# ---------------------------------------------------------------------------------------------
# Check: rerun and compare
# ---------------------------------------------------------------------------------------------

# Wall-clock fields and the machine: never compared.
IGNORED = {"wall_seconds", "train_samples_per_s", "test_samples_per_s", "sim_cycles_per_s", "train_seconds",
           "machine", "command"}


def compare(ref, rerun):
    """Differences of a rerun report from the reference: integers exact, floating point to a relative 1e-9."""
    return figlib.compare(ref, rerun, rel=1e-9, abs_tol=1e-15, skip=IGNORED, exact_ints=True)


def check(p, profile, args):
    write_sweep_files(p, profile, check_only=True)
    docs = sweep_files(p, profile)
    tmp = tempfile.mkdtemp(prefix="hw_tradeoffs_check_")
    failures = 0
    compared = 0
    try:
        out_dirs = {}
        for sw, (path, doc) in docs.items():
            ref_dir = figlib.sweep_output(path, doc)
            refs = load_reports(ref_dir, doc["base"])
            if args.select:
                # A reduced sweep file: only the points whose option text contains the selection.
                doc = dict(doc)
                doc["points"] = [o for o in doc["points"] if args.select in json.dumps(o)]
                if not doc["points"]:
                    continue
            out = os.path.join(tmp, sw)
            spath = os.path.join(tmp, os.path.basename(path))
            doc = dict(doc)
            doc["output"] = out
            with open(spath, "w") as f:
                json.dump(doc, f, indent=2)
            run_sweep(spath, args.jobs, args.bin_dir, out=out, progress=not args.no_progress)
            out_dirs[sw] = out
            for opts, r, _ in load_reports(out, doc["base"]):
                ref, rp = lookup(refs, opts, r.get("seed"))
                label = f"{json.dumps(opts)} seed {r.get('seed')}"
                if ref is None:
                    print(f"[hw] {sw} {label}: no committed reference report", file=sys.stderr)
                    failures += 1
                    continue
                diffs = compare(ref, r)
                compared += 1
                if diffs:
                    failures += 1
                    print(f"[hw] MISMATCH {sw} {label} ({len(diffs)} differences, reference "
                          f"{os.path.relpath(rp, REPO)}):", file=sys.stderr)
                    for d in diffs[:10]:
                        print(f"       {d}", file=sys.stderr)
                else:
                    print(f"[hw] ok {sw} {label}: test {100 * r['test_accuracy']:.2f} %, "
                          f"{r['hardware_train']['energy_total_j_per_sample'] * 1e6:.3f} uJ / training sample, "
                          f"{r['hardware_train']['cycles_per_sample']:.1f} cycles")
        if not args.select:
            img = args.img_dir or os.path.join(tmp, "img")
            make_figures(p, profile, docs, out_dirs, img, args.data_dir or os.path.join(tmp, "data"))
    finally:
        if args.keep:
            print(f"[hw] rerun kept in {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{compared - min(compared, failures)} passed, {failures} failed")
    return 0 if failures == 0 and compared > 0 else 1


# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(prog="hw_tradeoffs.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=["run", "plot", "check", "sweeps"])
    ap.add_argument("--profile", choices=sorted(PROFILES), default="full")
    figlib.add_sweep_figure_options(ap, jobs=1, tool_name="ssnn_chip_tb")
    args = ap.parse_args(argv)
    p = PROFILES[args.profile]
    if args.action == "sweeps":
        write_sweep_files(p, args.profile)
        return 0
    if args.action == "check":
        return check(p, args.profile, args)
    docs = sweep_files(p, args.profile)
    if args.action == "run":
        write_sweep_files(p, args.profile)
        for sw, (path, doc) in docs.items():
            run_sweep(path, args.jobs, args.bin_dir, progress=not args.no_progress)
    out_dirs = {sw: figlib.sweep_output(path, doc) for sw, (path, doc) in docs.items()}
    img = args.img_dir or p["img_dir"]
    data = args.data_dir or p["data_dir"]
    if img is None and data is None:
        img = data = tempfile.mkdtemp(prefix="hw_tradeoffs_")
    make_figures(p, args.profile, docs, out_dirs, img, data)
    return 0


if __name__ == "__main__":
    figlib.run_main(main)
