#!/usr/bin/python3
"""Accuracy against each cross-point non-ideality: one figure and one record per device sweep.

  scripts/device_sweeps.py plot [--sweeps NAME ...] [--img-dir DIR] [--data-dir DIR]
  scripts/device_sweeps.py table [--sweeps NAME ...]
  scripts/device_sweeps.py ci --bin-dir DIR

plot reads the finished points of the device sweeps (sweeps/device_*_mnist.json, run with
scripts/sweep.py; full MNIST, 784-1280-10, the chip's update mode, golden model), and for each
writes docs/img/NAME.png/.svg (test accuracy, mean +/- std over seeds, against the swept value, the
RPU specification's value marked) and docs/results/devices/NAME.json (the points, the sweep file and
the command). Points still running or not started are left out and listed; a sweep with no finished
point is skipped with a line saying how to run it. Nothing is run here: the sweeps take hours (see
each sweep file's description).

table prints each sweep's markdown table (test, validation and while-presented training accuracy,
mean +/- std over the finished seeds) as docs/results.md shows it.

ci runs every device sweep shrunk to 784-32-10 on 200/100 images of the shipped subset (2 epochs,
2 seeds) into a temporary folder and draws its figure and record there: the CTest check that the
sweep files, the programs' device options and this script still fit together.
"""
import copy
import json
import os
import shutil
import statistics
import sys
import tempfile

import figlib
from sweeplib.table import BUILTIN_METRICS


class Axis:
    """What a sweep varies and how its figure marks the RPU specification.
    option: the sweep option; key: the parameter inside a --device-param value (None: the value
    itself); spec: the specification's value (None: no mark); categorical: bars instead of a curve."""

    def __init__(self, option, label, spec=None, spec_note="", logx=False, key=None, categorical=False,
                 zero="ideal device"):
        self.option, self.label, self.spec, self.spec_note = option, label, spec, spec_note
        self.logx, self.key, self.categorical, self.zero = logx, key, categorical, zero

    def value(self, opts):
        v = opts.get(self.option)
        return v.get(self.key) if self.key is not None and isinstance(v, dict) else v


SWEEPS = {
    "device_asymmetry_mnist": Axis("device-asymmetry", "up/down asymmetry A (down = up x (1 + A))",
                                   0.01, "RPU spec. (aihwkit up_down_dtod 0.01)"),
    "device_pulse_noise_mnist": Axis("pulse-noise", "pulse-to-pulse noise N (U{-N..N} LSB)",
                                     8, "std 4.9 LSB, 0.3 of the early 16-LSB pulse (aihwkit dw_min_std 0.3)"),
    "device_states_mnist": Axis("device-states", "device states S (0: the 2^19-level register)",
                                1201, "RPU spec. (about 1,200 states)", logx=True),
    "device_presets_mnist": Axis("device", "device preset (docs/devices.md)", "rpu-spec",
                                 "RPU specification (Gokmen and Vlasov 2016)", categorical=True),
    "device_read_noise_mnist": Axis("device-param", "read noise R (std of a line's sum, x w_max), rpu-spec device",
                                    0.1, "RPU spec. (aihwkit out_noise 0.06 at w_max 0.6)", key="read_noise",
                                    zero="rpu-spec without read noise"),
    "device_stuck_mnist": Axis("device-param", "fraction of stuck devices, rpu-spec device", 0.1348,
                               "measured ReRAM array (aihwkit ReRamArrayOMPresetDevice)", key="stuck_fraction",
                               zero="rpu-spec, no stuck device"),
}

# The ci profile: each sweep on a tiny network and a few subset samples.
CI_BASE = {"dataset": "subset", "hidden": 32, "train-samples": 200, "test-samples": 100, "epochs": 2,
           "validation": 50}


def _key(v):
    return json.dumps(v, sort_keys=True)


def sweep_file(name):
    path = os.path.join(figlib.REPO, "sweeps", name + ".json")
    return path, figlib.load_json(path)


# The accuracies a point's table rows give: (record field, its value in a report, row label). The
# training accuracy is the last epoch's, counted on each image while it is presented (and trained on).
_METRIC = dict(BUILTIN_METRICS)
MEASURES = [("test_accuracy_pct", _METRIC["test_accuracy"], "test %"),
            ("validation_accuracy_pct", _METRIC["validation_accuracy"], "validation %"),
            ("train_presented_accuracy_pct", _METRIC["final_train_accuracy"],
             "training images right while presented %")]


def _mean_std(xs):
    return statistics.mean(xs), (statistics.stdev(xs) if len(xs) > 1 else 0.0)


def finished_rows(axis, folder, wanted):
    """[{value, seeds, <measure>_pct lists, mean, std (of the test accuracy), <measure>_mean/_std}] in the
    sweep's order of values, and the values missing."""
    by = {}
    if os.path.exists(os.path.join(folder, "results.json")):
        for opts, seed, rep, _ in figlib.load_sweep_points(folder, every_seed=True):
            by.setdefault(_key(axis.value(opts)), []).append((seed, rep))
    rows, missing = [], []
    for v in wanted:
        got = sorted(by.get(_key(v), []), key=lambda sr: sr[0])
        if not got:
            missing.append(v)
            continue
        row = {"value": v, "seeds": [s for s, _ in got]}
        for field, get, _ in MEASURES:
            xs = [100 * get(rep) for _, rep in got]
            row[field] = xs
            row[field[:-4] + "_mean"], row[field[:-4] + "_std"] = _mean_std(xs)
        row["mean"], row["std"] = row["test_accuracy_mean"], row["test_accuracy_std"]
        rows.append(row)
    return rows, missing


def _cell(row, field):
    xs = row[field]
    if len(xs) == 1:
        return f"{xs[0]:.2f}"
    return f"{row[field[:-4] + '_mean']:.2f} +/- {row[field[:-4] + '_std']:.2f}"


def table(name, folder):
    """The sweep's markdown table (values across, test/validation/while-presented accuracy down,
    mean +/- std over the finished seeds), as docs/results.md shows it."""
    axis = SWEEPS[name]
    _, doc = sweep_file(name)
    wanted = [axis.value({axis.option: v}) for v in doc["grid"][axis.option]]
    rows, missing = finished_rows(axis, folder, wanted)
    head = [str(r["value"]) for r in rows]
    lines = [f"{name}: seeds per value " + ", ".join(f"{r['value']}: {len(r['seeds'])}" for r in rows)
             + (f"; not finished: {missing}" if missing else ""),
             "| " + (axis.key or axis.option) + " | " + " | ".join(head) + " |",
             "| --- " * (len(rows) + 1) + "|"]
    for field, _, label in MEASURES:
        lines.append(f"| {label} | " + " | ".join(_cell(r, field) for r in rows) + " |")
    print("\n".join(lines) + "\n")


def draw(axis, rows, title, stem):
    plt = figlib.pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    if axis.categorical:
        colors = ["tab:red" if r["value"] == axis.spec else "tab:blue" for r in rows]
        ax.bar(range(len(rows)), [r["mean"] for r in rows], yerr=[r["std"] for r in rows], color=colors, capsize=3)
        ax.set_xticks(range(len(rows)), [str(r["value"]) for r in rows])
        ax.set_ylim(max(0.0, min(r["mean"] for r in rows) - 5), 100)
        ax.plot([], [], color="tab:red", lw=6, label=axis.spec_note)
    else:
        # The ideal value 0 has no place on a log axis: drawn as a line.
        xs = [r for r in rows if not (axis.logx and r["value"] == 0)]
        ax.errorbar([r["value"] for r in xs], [r["mean"] for r in xs], yerr=[r["std"] for r in xs], fmt="o-",
                    capsize=3)
        ideal = [r for r in rows if r["value"] == 0]
        if ideal:
            ax.axhline(ideal[0]["mean"], color="grey", ls=":", label=f"{axis.zero}: {ideal[0]['mean']:.2f} %")
        if axis.spec is not None:
            ax.axvline(axis.spec, color="tab:red", ls="--", label=axis.spec_note)
        if axis.logx:
            ax.set_xscale("log")
    ax.set_xlabel(axis.label)
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    return figlib.save_figure(fig, stem)


def plot(name, folder, img_dir, data_dir, title):
    """The figure and record of one sweep from the finished points in `folder`; None when none has finished."""
    axis = SWEEPS[name]
    path, doc = sweep_file(name)
    wanted = [axis.value({axis.option: v}) for v in doc["grid"][axis.option]]
    rows, missing = finished_rows(axis, folder, wanted)
    if not rows:
        print(f"{name}: no finished point yet (run: scripts/sweep.py sweeps/{name}.json)")
        return None
    counts = sorted({len(r["seeds"]) for r in rows})
    n = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    files = draw(axis, rows, title.format(seeds=n + (" seed" if n == "1" else " seeds")), os.path.join(img_dir, name))
    record = {"sweep": os.path.relpath(path, figlib.REPO), "option": axis.option, "parameter": axis.key,
              "spec": axis.spec, "spec_note": axis.spec_note, "points": rows, "missing": missing, "figures": files,
              "command": figlib.script_command(), "machine": figlib.machine()}
    figlib.write_json(os.path.join(data_dir, name + ".json"), record)
    print(f"{name}: {len(rows)} values, {', '.join(files)}" + (f"; not finished: {missing}" if missing else ""))
    return record


def ci(bin_dir):
    """Every sweep shrunk and run into a temporary folder, then drawn; an Error when any value lacks its points."""
    tmp = tempfile.mkdtemp(prefix="device_sweeps_ci_")
    try:
        for name in SWEEPS:
            _, doc = sweep_file(name)
            doc = copy.deepcopy(doc)
            doc["base"].update(CI_BASE)
            doc["base"]["pulse"] = doc["base"].get("pulse", [1])[:2]
            doc["seeds"] = doc["seeds"][:2]
            doc.pop("checkpoint", None)
            out = os.path.join(tmp, name)
            doc["output"] = out
            spath = os.path.join(tmp, name + ".json")
            figlib.write_json(spath, doc)
            figlib.run_sweep(spath, 0, bin_dir, out=out, progress=False, tag="device")
            rec = plot(name, out, tmp, tmp, "ci: 784-32-10, subset, {seeds}")
            if rec is None or rec["missing"] or any(len(r["seeds"]) != 2 for r in rec["points"]):
                raise figlib.Error(f"{name}: the shrunk sweep did not give every value two seeds")
            table(name, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("device_sweeps: ci passed")


def main():
    ap = figlib.parser(__doc__)
    ap.add_argument("action", choices=["plot", "table", "ci"])
    ap.add_argument("--sweeps", nargs="+", choices=sorted(SWEEPS), default=list(SWEEPS))
    ap.add_argument("--img-dir", default=os.path.join(figlib.REPO, "docs", "img"))
    ap.add_argument("--data-dir", default=os.path.join(figlib.REPO, "docs", "results", "devices"))
    ap.add_argument("--bin-dir", default=os.environ.get("SSNN_BIN_DIR", figlib.DEFAULT_BIN),
                    help="ci: folder of ssnn_golden (default $SSNN_BIN_DIR or <repo>/build/bin)")
    args = ap.parse_args()
    if args.action == "ci":
        figlib.tool(args.bin_dir, "ssnn_golden")
        ci(args.bin_dir)
        return 0
    if args.action == "table":
        for name in args.sweeps:
            table(name, figlib.sweep_output(*sweep_file(name)))
        return 0
    for name in args.sweeps:
        plot(name, figlib.sweep_output(*sweep_file(name)), args.img_dir, args.data_dir,
             "MNIST 784-1280-10, chip update mode, {seeds} per value")
    return 0


if __name__ == "__main__":
    figlib.run_main(main)
