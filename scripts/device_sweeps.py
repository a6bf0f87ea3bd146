#!/usr/bin/python3
"""Accuracy against each cross-point non-ideality: one figure and one record per device sweep.

  scripts/device_sweeps.py plot [--sweeps NAME ...] [--img-dir DIR]

Reads the finished points of the device sweeps (sweeps/device_*_mnist.json, run with
scripts/sweep.py; full MNIST, 784-1280-10, the chip's update mode, golden model), and for each
writes docs/img/NAME.png/.svg (test accuracy, mean +/- std over seeds, against the swept
parameter, the RPU specification's value marked) and docs/results/devices/NAME.json (the points,
the sweep file and the command). Points still running or not started are left out and listed.
Nothing is run here: the sweeps take hours (see each sweep file's description).
"""
import os
import statistics
import sys

import figlib

# Sweep -> (option swept, axis label, the RPU specification's value and where it comes from, log x).
SWEEPS = {
    "device_asymmetry_mnist": ("device-asymmetry", "up/down asymmetry A (down = up x (1 + A))",
                               (0.01, "RPU spec. (aihwkit up_down_dtod 0.01)"), False),
    "device_pulse_noise_mnist": ("pulse-noise", "pulse-to-pulse noise N (U{-N..N} LSB)",
                                 (4, "about 0.3 of the early pulse (aihwkit dw_min_std 0.3)"), False),
    "device_states_mnist": ("device-states", "device states S (0: the 2^19-level register)",
                            (1201, "RPU spec. (about 1,200 states)"), True),
}


def points_by_value(folder, option):
    by = {}
    for opts, seed, rep, _ in figlib.load_sweep_points(folder):
        by.setdefault(opts.get(option), []).append((seed, rep["test_accuracy"]))
    return by


def plot(name, img_dir):
    option, label, (spec, spec_note), logx = SWEEPS[name]
    path = os.path.join(figlib.REPO, "sweeps", name + ".json")
    doc = figlib.load_json(path)
    folder = figlib.sweep_output(path, doc)
    by = points_by_value(folder, option)
    wanted = list(doc["grid"][option])
    missing = [v for v in wanted if v not in by]
    rows = []
    for v in wanted:
        if v not in by:
            continue
        accs = [100 * a for _, a in sorted(by[v])]
        rows.append({"value": v, "seeds": [s for s, _ in sorted(by[v])], "test_accuracy_pct": accs,
                     "mean": statistics.mean(accs), "std": statistics.stdev(accs) if len(accs) > 1 else 0.0})
    if not rows:
        raise figlib.Error(f"{figlib.relative(folder)}: no finished point yet")
    plt = figlib.pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    # The ideal register (0 states) has no place on a log axis of states: drawn as a line.
    xs = [r for r in rows if not (logx and r["value"] == 0)]
    ax.errorbar([r["value"] for r in xs], [r["mean"] for r in xs], yerr=[r["std"] for r in xs], fmt="o-", capsize=3)
    ideal = [r for r in rows if r["value"] == 0]
    if ideal:
        ax.axhline(ideal[0]["mean"], color="grey", ls=":", label=f"ideal device: {ideal[0]['mean']:.2f} %")
    ax.axvline(spec, color="tab:red", ls="--", label=spec_note)
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(label)
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"MNIST 784-1280-10, chip update mode, {len(rows[0]['seeds'])} seeds")
    ax.legend(fontsize=8)
    files = figlib.save_figure(fig, os.path.join(img_dir, name))
    record = {"sweep": os.path.relpath(path, figlib.REPO), "option": option, "points": rows,
              "missing": missing, "figures": files, "command": figlib.script_command(), "machine": figlib.machine()}
    out = os.path.join(figlib.REPO, "docs", "results", "devices", name + ".json")
    figlib.write_json(out, record)
    print(f"{name}: {len(rows)} values, {', '.join(files)}" + (f"; not finished: {missing}" if missing else ""))


def main():
    ap = figlib.parser(__doc__)
    ap.add_argument("action", choices=["plot"])
    ap.add_argument("--sweeps", nargs="+", choices=sorted(SWEEPS), default=sorted(SWEEPS))
    ap.add_argument("--img-dir", default=os.path.join(figlib.REPO, "docs", "img"))
    args = ap.parse_args()
    for name in args.sweeps:
        plot(name, args.img_dir)
    return 0


if __name__ == "__main__":
    figlib.run_main(main)
