#!/usr/bin/python3
"""Hardware trade-offs of the SSNN-BP chip: accuracy, energy and cycles per sample against timesteps
T, weight bits, crossbar tile size and AER router bandwidth. Runs the points through the sweep
runner (scripts/sweep.py), keeps every point's report, and draws the figures (PNG and SVG; the plots
in hw_tradeoffs_plots.py) and their data (JSON) from those reports.

Usage:
  scripts/hw_tradeoffs.py run   [--profile mnist|subset|ci] [-j N] [--bin-dir DIR]   run missing points, then plot
  scripts/hw_tradeoffs.py plot  [--profile mnist|subset|ci] [--img-dir D] [--data-dir D]
  scripts/hw_tradeoffs.py check [--profile mnist|subset|ci] [-j N] [--bin-dir DIR] [--select TEXT]
  scripts/hw_tradeoffs.py sweeps [--profile mnist|subset|ci]                          (re)write the sweep files

Profiles:
  mnist   the trade-offs at full accuracy (the default). Accuracy: the golden model (bit-exact with
          the chip) trains 784-1280-10 on full MNIST with the headline chip-mode recipe (24 epochs,
          10,000 training images held out for validation, the last epoch scored once on the test
          set) at every T and weight width; the reference point with two more seeds for the spread.
          Costs: the SystemC chip runs 1,000 test images on those trained weights (inference cycles
          and energy, both energy models, every tile size) and trains 1,000 images from the start
          of the schedule (training cycles and energy). Router bandwidth as in subset. About 3
          core-hours of training and 1 of chip runs. Sweep files sweeps/hw_mnist_*.json, reports in
          docs/results/hw_tradeoffs_mnist/; figures docs/img/hw_*.png|svg; data docs/results/hw_*.json.
          The chip reads the training runs' checkpoints (kept beside their reports, not in git):
          run it from the repository root, after the training sweeps.
  subset  the earlier, quick version: 784-256-10 trained by the chip on the shipped 2,000-image
          subset for one epoch, 1,000 test images (about 30 core-minutes). Sweep files
          sweeps/hw_{accuracy,bandwidth,seeds}.json, reports in docs/results/hw_tradeoffs/; figures
          and data with the suffix _subset.
  ci      the mnist pipeline on tiny networks and a few subset samples (seconds): sweep files and
          reference reports in tb/hw_tradeoffs/ (the CTest test hw_tradeoffs.ci runs `check --profile ci`).

check reruns the points (all, or those whose label contains --select) into a temporary folder and
compares each report with the committed one: the golden model and the chip are deterministic for a
given seed, so every accuracy, count, cycle and energy figure must agree (integers exactly,
floating-point figures to a relative 1e-9); wall-clock fields (seconds, samples/s), the machine and
file names are not compared. It then draws the figures from the rerun into the temporary folder.
Exit status 0 when all agree.

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
from hw_tradeoffs_profiles import PROFILES, THRESHOLDS_16

REPO = figlib.REPO
Error = figlib.Error

FIGURES = ("timesteps", "weight_bits", "tile_size", "router_bandwidth")


def trained(p):
    """Whether the profile's accuracy comes from golden training runs (else from the chip's own short run)."""
    return "train_base" in p


def sweep_names(p):
    return ("train", "train_seeds", "accuracy", "infer", "bandwidth") if trained(p) else ("accuracy", "bandwidth", "seeds")


# ---------------------------------------------------------------------------------------------
# The points of each figure and the sweep files
# ---------------------------------------------------------------------------------------------

def pulse_value(schedule):
    return schedule[0] if len(schedule) == 1 else schedule


def scaled_schedule(p, factor):
    return pulse_value([max(1, int(round(v * factor))) for v in p["schedule"]])


def recipe_bits(p):
    return p["recipe"].get("weight-bits", 16)


def bits_options(p, bits, schedule):
    """Options of a b-bit run: thresholds, inhibition, state widths and pulses scaled by 2^(b - recipe bits)."""
    rb = recipe_bits(p)
    scale = 2.0 ** (bits - rb)
    o = {"weight-bits": bits}
    for k, v16 in THRESHOLDS_16.items():
        o[k] = int(round(p["recipe"].get(k, v16) * scale))
    for k in ("charge-bits", "potential-bits"):
        if k in p["recipe"]:
            o[k] = p["recipe"][k] + bits - rb
    o["pulse"] = pulse_value([max(1, int(round(v * scale))) for v in schedule])
    return o


def reference_point(p):
    return {"timesteps": p["ref_t"], "pulse": scaled_schedule(p, p["recipe_t"] / p["ref_t"])}


def figure_points(p):
    """{figure: [(options over the sweep's base, series, x)]} for a profile (pulse x T constant)."""
    ref = reference_point(p)
    ref_schedule = ref["pulse"] if isinstance(ref["pulse"], list) else [ref["pulse"]]
    rb = recipe_bits(p)
    figs = {f: [] for f in FIGURES}
    for t in p["timesteps"]:
        figs["timesteps"].append(({"timesteps": t, "pulse": scaled_schedule(p, p["recipe_t"] / t)},
                                  "pulse x T constant", t))
    for b in p["bits"]:
        o = dict(ref)
        if b != rb:  # the recipe's width is the reference point of the T and tile sweeps
            o.update(bits_options(p, b, ref_schedule))
        figs["weight_bits"].append((o, f"b-bit weights, thresholds x 2^(b-{rb})", b))
    for b in p["bit_controls"]:
        o = dict(ref)
        # The b-bit run's pulses (>= 1 LSB of b bits) expressed in LSBs of the recipe's width.
        small = bits_options(p, b, ref_schedule)["pulse"]
        o["pulse"] = pulse_value([v * 2 ** (rb - b) for v in (small if isinstance(small, list) else [small])])
        figs["weight_bits"].append((o, f"{rb}-bit weights, pulse of the b-bit run (same relative step)", b))
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


TILE_OPTIONS = ("tile-rows", "tile-cols")


def network_of(opts):
    """The options that shape the trained network (tile options only place it on the chip)."""
    return {k: v for k, v in opts.items() if k not in TILE_OPTIONS}


def unique(seq):
    out = []
    for o in seq:
        if o not in out:
            out.append(o)
    return out


def out_folder(p, sw):
    return os.path.normpath(os.path.join(p["sweep_dir"], p["out_rel"], sw))


def checkpoint_of(p, train_opts, train_out=None, seed=1):
    """The training run's checkpoint (its final weights) for the chip's --load-weights: relative to the
    repository (the sweeps run there), or inside train_out when given (a check's rerun)."""
    from sweeplib.spec import config_key
    key, _ = config_key("golden", {**p["recipe"], **p["train_base"], **train_opts})
    folder = train_out or out_folder(p, "train")
    path = os.path.join(folder, "runs", key, f"seed-{seed}.ckpt")
    return path if train_out else os.path.relpath(path, REPO)


def sweep_points(p, sw, train_out=None):
    """(base, points, seeds, program) of one sweep of a profile."""
    figs = figure_points(p)
    accuracy_pts = unique(o for f in ("timesteps", "weight_bits", "tile_size") for o, _, _ in figs[f])
    if sw == "bandwidth":
        return p["bandwidth_base"], unique(o for o, _, _ in figs["router_bandwidth"]), [1], "chip"
    if sw == "accuracy":
        return {**p["recipe"], **p["learn_base"]}, accuracy_pts, [1], "chip"
    if sw == "seeds":
        return {**p["recipe"], **p["learn_base"]}, [reference_point(p)], p["noise_seeds"], "chip"
    if sw == "train":
        return {**p["recipe"], **p["train_base"]}, unique(network_of(o) for o in accuracy_pts), [1], "golden"
    if sw == "train_seeds":
        return {**p["recipe"], **p["train_base"]}, [reference_point(p)], p["train_seeds"], "golden"
    pts = [{"load-weights": checkpoint_of(p, network_of(o), train_out),
            **{k: o[k] for k in TILE_OPTIONS if k in o}} for o in accuracy_pts]
    return p["infer_base"], unique(pts), [1], "chip"


DESCRIPTIONS = {
    "train": "the golden model's training at every T and weight width of the trade-off figures (their "
             "accuracy: the last epoch, scored once on the test set; checkpoints kept for the chip runs).",
    "train_seeds": "the reference point's training with further seeds, for the seed-to-seed spread.",
    "accuracy": "the chip's training cost per sample (energy and cycles) vs timesteps T (pulse x T constant), "
                "weight bits (thresholds scaled) and crossbar tile size",
    "infer": "the chip's inference cost per sample (energy, both energy models, and cycles) on the "
             "trained weights of the training sweep, for every T, weight width and tile size.",
    "bandwidth": "cycles, router stalls and FIFO high water per sample vs AER router bandwidth (events per "
                 "cycle) for two tile sizes.",
    "seeds": "the reference point of hw_accuracy with further seeds, for the seed-to-seed spread of the accuracy.",
}


def sweep_files(p, profile, train_out=None):
    """{sweep name: (path, document)} of the profile's sweep files."""
    docs = {}
    for sw in sweep_names(p):
        base, pts, seeds, program = sweep_points(p, sw, train_out)
        desc = DESCRIPTIONS[sw]
        if sw == "accuracy" and not trained(p):
            desc = desc.replace("training cost per sample", "accuracy, training and inference cost per sample")
        desc = "Chip trade-offs (scripts/hw_tradeoffs.py): " + desc
        name = f"{p['sweep_prefix']}{sw}"
        doc = {"name": name, "description": ("Tiny variant for CTest. " if profile == "ci" else "") + desc,
               "program": program, "base": base, "points": pts, "seeds": seeds, "output": f"{p['out_rel']}/{sw}"}
        if program == "golden":
            doc["checkpoint"] = True
        else:
            doc["metrics"] = {
                "router_stall_cycles_per_sample": f"hardware_{'test' if sw == 'infer' else 'train'}.router_stall_cycles_per_sample",
                "aer_deliveries_per_sample": f"hardware_{'test' if sw == 'infer' else 'train'}.aer_deliveries_per_sample"}
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
    # From the repository root: the chip's --load-weights paths are relative to it.
    figlib.run_sweep(path, jobs, bin_dir, out=out, progress=progress, tag="hw", file=sys.stdout, cwd=REPO)


def comparable(opts):
    """Options as a lookup key: a checkpoint path stands for its training run (runs/<key>/seed-N.ckpt)."""
    o = dict(opts)
    if "/" in o.get("load-weights", ""):
        o["load-weights"] = os.path.basename(os.path.dirname(o["load-weights"]))
    return o


def load_reports(out_dir, base):
    """[(options over base, report, report path)] from a sweep output folder (results.json rows)."""
    return [(comparable({k: v for k, v in opts.items() if not (k in base and base[k] == v)}), r, rp)
            for opts, _, r, rp in figlib.load_sweep_points(out_dir)]


def lookup(reports, opts, seed=None):
    opts = comparable(opts)
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


def energy_models_uj(h):
    """Total energy per sample under each energy model of a hardware record (uJ)."""
    return {m: v["total_j_per_sample"] * 1e6 for m, v in sorted(h.get("energy_models", {}).items())}


def point_data(learn, infer=None, golden=None):
    """The figures of one point that the plots and tables use: training costs from the chip's training
    run `learn`, inference costs from `infer` (the chip on trained weights) or else `learn`, accuracy
    from the golden training run `golden` or else `learn`."""
    ht = learn["hardware_train"]
    hs = (infer or learn)["hardware_test"]
    acc = golden or learn
    hist = acc.get("history", [])
    fhw_train = ht.get("fifo_high_water", [])
    fhw_test = hs.get("fifo_high_water", [])
    d = {
        "test_accuracy": acc["test_accuracy"],
        "validation_accuracy": acc.get("validation_accuracy"),
        "test_samples_scored": acc.get("test_samples"),
        "train_accuracy_while_presented": hist[-1]["train_accuracy"] if hist else None,
        "chip_test_accuracy": (infer or learn)["test_accuracy"],
        "chip_test_samples": (infer or learn).get("test_samples"),
        "energy_train_uj": ht["energy_total_j_per_sample"] * 1e6,
        "energy_test_uj": hs["energy_total_j_per_sample"] * 1e6,
        "energy_train_models_uj": energy_models_uj(ht),
        "energy_test_models_uj": energy_models_uj(hs),
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
        "tiles": g(learn, "chip.tiles"),
        "aer_blocks": g(learn, "chip.aer_blocks"),
        "wall_seconds": sum(r.get("wall_seconds") or 0 for r in (learn, infer, golden) if r),
    }
    return d


def seed_spread(p, reports):
    """Test accuracy of the reference point over seeds: the golden training runs (trained profiles) or
    the chip's own runs (seed 1 from hw_accuracy, the others from hw_seeds)."""
    ref = reference_point(p)
    accs = {}
    for sw in (("train", "train_seeds") if trained(p) else ("accuracy", "seeds")):
        for o, r, _ in reports.get(sw, []):
            if o == ref:
                accs[r.get("seed", 1)] = r["test_accuracy"]
    seeds = sorted(accs)
    vals = [accs[k] for k in seeds]
    mean = sum(vals) / len(vals) if vals else None
    std = (sum((v - mean) ** 2 for v in vals) / (len(vals) - 1)) ** 0.5 if len(vals) >= 2 else None
    return {"options": ref, "seeds": seeds, "test_accuracy": vals, "mean": mean,
            "std": std, "std_note": "sample standard deviation (n - 1)"}


def setup_text(p, profile, sweep_docs, figure):
    """One line on where a figure's numbers come from (its title)."""
    if figure == "router_bandwidth":
        b = p["bandwidth_base"]
        return (f"784-{b['hidden']}-10, T = {b['timesteps']}, {b['train-samples']} training / {b['test-samples']} "
                f"test samples, FIFO depth 16 ({profile} profile)")
    r = p["recipe"]
    net = f"784-{r['hidden']}-10"
    if not trained(p):
        lb = p["learn_base"]
        return f"{net}, {lb['train-samples']} training / {lb['test-samples']} test samples ({profile} profile)"
    tb = p["train_base"]
    return (f"{net}; accuracy: golden, {r['dataset']}, {tb['epochs']} epochs, last epoch; chip: "
            f"{p['learn_base']['train-samples']} training / {p['infer_base']['test-samples']} test samples "
            f"({profile} profile)")


def figure_data(p, profile, figure, reports, sweep_docs):
    """The plotted numbers of one figure, each point with its options, command and reports."""
    sw = "bandwidth" if figure == "router_bandwidth" else "accuracy"
    pts, missing, machine = [], [], None
    for opts, series, x in figure_points(p)[figure]:
        learn, rp = lookup(reports[sw], opts)
        golden = infer = None
        if trained(p) and sw == "accuracy":
            golden, _ = lookup(reports["train"], network_of(opts))
            infer, _ = lookup(reports["infer"], {"load-weights": checkpoint_of(p, network_of(opts)),
                                                 **{k: opts[k] for k in TILE_OPTIONS if k in opts}})
        if learn is None or (trained(p) and sw == "accuracy" and (golden is None or infer is None)):
            missing.append(opts)
            continue
        machine = machine or learn.get("machine")
        d = {"x": x, "series": series, "options": opts, "command": learn.get("command"),
             "report": os.path.relpath(rp, REPO) if rp.startswith(REPO) else rp}
        if golden:
            d.update({"golden_command": golden.get("command"), "infer_command": infer.get("command")})
        d.update(point_data(learn, infer, golden))
        pts.append(d)
    if missing:
        raise Error(f"{figure}: {len(missing)} point(s) have no report yet, e.g. {missing[0]} "
                    f"(run: scripts/hw_tradeoffs.py run --profile {profile})")
    path, doc = sweep_docs[sw]
    extra = {"seed_spread": seed_spread(p, reports)} if sw == "accuracy" else {}
    return {
        **extra,
        "figure": figure,
        "profile": profile,
        "setup": setup_text(p, profile, sweep_docs, figure),
        "base_options": doc["base"],
        "sweep_files": [os.path.relpath(sweep_docs[s][0], REPO) for s in sweep_docs
                        if s == sw or (sw == "accuracy" and s in ("train", "train_seeds", "infer", "seeds"))],
        "commands": [f"scripts/hw_tradeoffs.py run --profile {profile}"],
        "machine": machine,
        "point_wall_seconds_total": sum(q["wall_seconds"] or 0 for q in pts),
        "tolerance": "rerun (scripts/hw_tradeoffs.py check): integers exact, floating-point figures to a "
                     "relative 1e-9; wall-clock fields, the machine and file names not compared",
        "points": pts,
    }


def make_figures(p, profile, sweep_docs, out_dirs, img_dir, data_dir):
    """Figure data JSON and plots from the reports in out_dirs {sweep: folder}."""
    reports = {sw: load_reports(out_dirs[sw], doc["base"]) for sw, (path, doc) in sweep_docs.items()}
    plt = hw_tradeoffs_plots.plt_module()
    written = []
    for f in FIGURES:
        data = figure_data(p, profile, f, reports, sweep_docs)
        name = f"hw_{f}{p['suffix']}"
        if data_dir:
            os.makedirs(data_dir, exist_ok=True)
            jp = os.path.join(data_dir, f"{name}.json")
            with open(jp, "w") as fh:
                json.dump(data, fh, indent=1)
                fh.write("\n")
            written.append(jp)
        if img_dir:
            written += hw_tradeoffs_plots.PLOTTERS[f](plt, data, img_dir, name)
            plt.close("all")
    for w in written:
        print(f"[hw] wrote {os.path.relpath(w, REPO) if w.startswith(REPO) else w}")
    return written


# ---------------------------------------------------------------------------------------------
# Check: rerun and compare
# ---------------------------------------------------------------------------------------------

# Wall-clock fields, the machine and file names: never compared.
IGNORED = {"wall_seconds", "train_samples_per_s", "test_samples_per_s", "sim_cycles_per_s", "train_seconds",
           "test_seconds", "machine", "command", "weights"}


def compare(ref, rerun):
    """Differences of a rerun report from the reference: integers exact, floating point to a relative 1e-9."""
    return figlib.compare(ref, rerun, rel=1e-9, abs_tol=1e-15, skip=IGNORED, exact_ints=True)


def rerun_sweep(sw, path, doc, tmp, args):
    """Run (a selection of) one sweep into tmp/<sw>; returns its output folder, or None when nothing is selected."""
    doc = dict(doc)
    if args.select and sw != "train":  # the training reruns in full: the chip runs read its weights
        doc["points"] = [o for o in doc["points"] if args.select in json.dumps(o)]
        if not doc["points"]:
            return None
    out = os.path.join(tmp, sw)
    doc["output"] = out
    spath = os.path.join(tmp, os.path.basename(path))
    with open(spath, "w") as f:
        json.dump(doc, f, indent=2)
    run_sweep(spath, args.jobs, args.bin_dir, out=out, progress=not args.no_progress)
    return out


def compare_sweep(sw, ref_dir, out, base):
    """(compared, failures) of a rerun folder against the committed reports, each difference printed."""
    refs = load_reports(ref_dir, base)
    compared = failures = 0
    for opts, r, _ in load_reports(out, base):
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
            h = r.get("hardware_train") or r.get("hardware_test")
            cost = (f", {h['energy_total_j_per_sample'] * 1e6:.3f} uJ / sample, {h['cycles_per_sample']:.1f} cycles"
                    if h else "")
            print(f"[hw] ok {sw} {label}: test {100 * r['test_accuracy']:.2f} %{cost}")
    return compared, failures


def check(p, profile, args):
    write_sweep_files(p, profile, check_only=True)
    committed = sweep_files(p, profile)
    tmp = tempfile.mkdtemp(prefix="hw_tradeoffs_check_")
    # The rerun's chip inference reads the rerun's own training checkpoints.
    docs = sweep_files(p, profile, train_out=os.path.join(tmp, "train")) if trained(p) else committed
    failures = compared = 0
    try:
        out_dirs = {}
        for sw, (path, doc) in docs.items():
            out = rerun_sweep(sw, path, doc, tmp, args)
            if out is None:
                continue
            out_dirs[sw] = out
            c, f = compare_sweep(sw, figlib.sweep_output(*committed[sw]), out, doc["base"])
            compared, failures = compared + c, failures + f
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


def restore_checkpoints(p, path, doc, args):
    """Checkpoints stay out of git: on a machine that has a training report but not its checkpoint,
    retrain those points into a temporary folder, require the report to equal the kept one, and put
    the checkpoint in place for the chip runs."""
    out = figlib.sweep_output(path, doc)
    missing = [o for o in doc["points"]
               if os.path.exists(checkpoint_of(p, o, out).replace(".ckpt", ".json"))
               and not os.path.exists(checkpoint_of(p, o, out))]
    if not missing:
        return
    print(f"[hw] {len(missing)} training run(s) have a report but no checkpoint here: retraining them")
    tmp = tempfile.mkdtemp(prefix="hw_tradeoffs_weights_")
    try:
        doc = dict(doc, points=missing)
        rerun = rerun_sweep("train", path, doc, tmp, argparse.Namespace(select=None, jobs=args.jobs,
                            bin_dir=args.bin_dir, no_progress=args.no_progress))
        compared, failures = compare_sweep("train", out, rerun, doc["base"])
        if failures or compared != len(missing):
            raise Error("retrained weights do not reproduce the kept training reports (see above)")
        for o in missing:
            os.replace(checkpoint_of(p, o, rerun), checkpoint_of(p, o, out))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(prog="hw_tradeoffs.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=["run", "plot", "check", "sweeps"])
    ap.add_argument("--profile", choices=sorted(PROFILES), default="mnist")
    figlib.add_sweep_figure_options(ap, jobs=1, tool_name="ssnn_golden and ssnn_chip_tb",
                                    select_note=" (the training sweep reruns in full)")
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
        for sw, (path, doc) in docs.items():  # in order: training before the chip reads its weights
            run_sweep(path, args.jobs, args.bin_dir, progress=not args.no_progress)
            if sw == "train":
                restore_checkpoints(p, path, doc, args)
    out_dirs = {sw: figlib.sweep_output(path, doc) for sw, (path, doc) in docs.items()}
    img = args.img_dir or p["img_dir"]
    data = args.data_dir or p["data_dir"]
    if img is None and data is None:
        img = data = tempfile.mkdtemp(prefix="hw_tradeoffs_")
    make_figures(p, args.profile, docs, out_dirs, img, data)
    return 0


if __name__ == "__main__":
    figlib.run_main(main)
