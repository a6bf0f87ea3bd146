#!/usr/bin/python3
"""The paper's "Baseline ANN" rows (tables 1 and 2): a 784-1280-10 ReLU MLP with softmax
cross-entropy and dropout 0.2 / 0.3, trained by backpropagation in C++ (ann_baseline, sw/ann/),
on MNIST and Fashion-MNIST, 3 seeds each, through the sweep runner (scripts/sweep.py).

Usage:
  scripts/ann_baseline.py run     [--profile full|ci] [-j 2] [--bin-dir build/bin]   run missing points, collect
  scripts/ann_baseline.py collect [--profile full|ci]                               reports, summary, plot
  scripts/ann_baseline.py check   [--profile full|ci] [--dataset D] [--seeds 1,2] [-j 2] [--bin-dir DIR]

Profiles:
  full  sweeps/ann_baseline.json: 40 epochs of full MNIST and Fashion-MNIST, seeds 1-3 (about
        15 core-minutes per run on the 2-core EPYC VM). collect copies each report to
        docs/results/ann_baseline_<dataset>_s<seed>.json and writes docs/results/ann_baseline_summary.json
        (mean +/- sample std over seeds, beside the paper) and docs/img/ann_baseline.png|svg.
  mse   sweeps/ann_baseline_mse.json: the same with MSE loss (linear outputs, squared error to the
        one-hot target), the ANN beside the SNN's MSE rows; seed 1; docs/results/ann_baseline_mse_*.
  long  sweeps/ann_baseline_long.json: Fashion-MNIST for 100 epochs (its test loss still falls at
        epoch 40), seeds 1-3; docs/results/ann_baseline_e100_*.
  ci    tb/figures/ann_baseline_ci.json: 784-64-10, 2 epochs on 1,000 subset images, seeds 1-2
        (seconds); reference reports in tb/figures/ann_baseline_ci/: the CTest test figures.ann.

check reruns the points (all of the profile, or --dataset / --seeds of it) into a temporary folder
and compares each report with the committed one. Tolerances: the final and every per-epoch test
accuracy within 0.25 points (about 3x the seed-to-seed std of the full runs), the final training
loss within 2 % relative. Runs are bit-identical for the same seed and thread count with the same
build on any x86-64 host (Eigen's blocking is pinned, sw/ann/ann.hpp), so on such a host the
check also reports whether the rerun is exact; another compiler or Eigen version changes rounding,
which training amplifies to about the seed-to-seed spread, hence the tolerances.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figlib  # noqa: E402

REPO = figlib.REPO
SWEEP_PY = os.path.join(REPO, "scripts", "sweep.py")
PROFILES = {
    "full": {"sweep": os.path.join(REPO, "sweeps", "ann_baseline.json"), "prefix": "ann_baseline",
             "reports": os.path.join(REPO, "docs", "results"),
             "summary": os.path.join(REPO, "docs", "results", "ann_baseline_summary.json"),
             "img": os.path.join(REPO, "docs", "img", "ann_baseline")},
    "mse": {"sweep": os.path.join(REPO, "sweeps", "ann_baseline_mse.json"), "prefix": "ann_baseline_mse",
            "reports": os.path.join(REPO, "docs", "results"),
            "summary": os.path.join(REPO, "docs", "results", "ann_baseline_mse_summary.json"),
            "img": os.path.join(REPO, "docs", "img", "ann_baseline_mse")},
    "long": {"sweep": os.path.join(REPO, "sweeps", "ann_baseline_long.json"), "prefix": "ann_baseline_e100",
             "reports": os.path.join(REPO, "docs", "results"),
             "summary": os.path.join(REPO, "docs", "results", "ann_baseline_e100_summary.json"),
             "img": os.path.join(REPO, "docs", "img", "ann_baseline_e100")},
    "ci": {"sweep": os.path.join(REPO, "tb", "figures", "ann_baseline_ci.json"), "prefix": "ann_baseline",
           "reports": os.path.join(REPO, "tb", "figures", "ann_baseline_ci"),
           "summary": os.path.join(REPO, "tb", "figures", "ann_baseline_ci", "summary.json"),
           "img": None},
}
# The paper's Baseline ANN (784-1280-10, softmax-CE, dropout): table 1 (MNIST), table 2 (Fashion, EMNIST).
PAPER = {"mnist": {"mean": 98.67, "std": None, "table": 1},
         "fashion": {"mean": 90.8, "std": 0.1, "table": 2},
         "emnist-balanced": {"mean": 86.0, "std": 0.06, "table": 2}}
ACC_TOL_POINTS = 0.25
LOSS_TOL_REL = 0.02


def sweep_out(sweep_file):
    with open(sweep_file) as f:
        s = json.load(f)
    return os.path.join(os.path.dirname(sweep_file), s.get("output", os.path.join("out", s["name"]))), s


def run_sweep(sweep_file, out, jobs, bin_dir):
    argv = [SWEEP_PY, sweep_file, "--out", out, "-j", str(jobs), "--bin-dir", bin_dir]
    print("$ " + figlib.shown(argv), file=sys.stderr, flush=True)
    rc = subprocess.run(argv).returncode
    if rc != 0:
        sys.exit(f"ann_baseline.py: error: the sweep exited with {rc}")


def points(out):
    doc = figlib.load_json(os.path.join(out, "results.json"))
    for p in doc["points"]:
        if p["status"] == "ok":
            yield figlib.load_json(os.path.join(out, p["report"]))


def report_name(prof, r):
    return f"{prof['prefix']}_{r['dataset']}_s{r['seed']}.json"


def collect(prof, out):
    reports = sorted(points(out), key=lambda r: (r["dataset"], r["seed"]))
    if not reports:
        sys.exit("ann_baseline.py: error: no finished points in " + out)
    os.makedirs(prof["reports"], exist_ok=True)
    for r in reports:
        figlib.write_json(os.path.join(prof["reports"], report_name(prof, r)), r)
    summary = {"description": "ANN baseline (paper's Baseline ANN rows): test accuracy after the last epoch, "
                              "mean +/- sample std over seeds", "rows": []}
    for ds in sorted({r["dataset"] for r in reports}):
        rs = [r for r in reports if r["dataset"] == ds]
        acc = [100 * r["test_accuracy"] for r in rs]
        best = [100 * r["best_test_accuracy"] for r in rs]
        row = {"dataset": ds, "hidden": rs[0]["hidden"], "loss": rs[0]["config"]["loss"],
               "dropout": [rs[0]["config"]["dropout_input"], rs[0]["config"]["dropout_hidden"]],
               "epochs": rs[0]["epochs"], "seeds": [r["seed"] for r in rs], "n": len(rs),
               "test_accuracy_percent": acc,
               "mean": statistics.fmean(acc), "std": statistics.stdev(acc) if len(acc) > 1 else None,
               "best_epoch_mean": statistics.fmean(best),
               "wall_seconds": [r["wall_seconds"] for r in rs],
               "train_samples_per_s": [r["train_samples_per_s"] for r in rs],
               "reports": [os.path.relpath(os.path.join(prof["reports"], report_name(prof, r)), REPO) for r in rs],
               "command": rs[0]["command"], "machine": rs[0]["machine"]}
        if ds in PAPER and row["loss"] == "softmax-ce":
            row["paper"] = PAPER[ds]
            row["difference_points"] = row["mean"] - PAPER[ds]["mean"]
        summary["rows"].append(row)
        print(f"{ds}: {row['mean']:.2f} +/- {row['std'] or 0:.2f} % over {row['n']} seeds "
              f"(best epoch {row['best_epoch_mean']:.2f} %)"
              + (f"; paper {PAPER[ds]['mean']} %" if "paper" in row else ""), file=sys.stderr)
    if prof["img"]:
        summary["plots"] = plot(reports, prof["img"])
    figlib.write_json(prof["summary"], summary)
    return summary


def plot(reports, stem):
    plt = figlib.pyplot()
    order = ["mnist", "fashion", "emnist-balanced"]
    datasets = sorted({r["dataset"] for r in reports}, key=lambda d: (order.index(d) if d in order else 9, d))
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.5 * len(datasets), 4.2), squeeze=False)
    for ax, ds in zip(axes[0], datasets):
        for i, r in enumerate(r for r in reports if r["dataset"] == ds):
            ep = [h["epoch"] for h in r["history"]]
            ax.plot(ep, [100 * h["test_accuracy"] for h in r["history"]], lw=1, color=f"C{i}",
                    label=f"test, seed {r['seed']}: {100 * r['test_accuracy']:.2f} %")
            ax.plot(ep, [100 * h["train_accuracy"] for h in r["history"]], lw=0.7, ls=":", color=f"C{i}",
                    label=f"training (with dropout), seed {r['seed']}")
        loss = next(r for r in reports if r["dataset"] == ds)["config"]["loss"]
        if ds in PAPER and loss == "softmax-ce":
            p = PAPER[ds]
            ax.axhline(p["mean"], color="k", ls="--", lw=0.8, label=f"paper's ANN baseline {p['mean']} %")
            if p["std"]:
                ax.axhspan(p["mean"] - p["std"], p["mean"] + p["std"], color="0.85", zorder=0)
        lo = min(100 * h["test_accuracy"] for r in reports if r["dataset"] == ds for h in r["history"])
        ax.set_ylim(max(lo - 0.5, 80), 100 if ds == "mnist" else 95)
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy %")
        ax.set_title(f"{ds}: 784-1280-10 ANN, {loss}, dropout 0.2 / 0.3", fontsize=9)
        ax.legend(fontsize=7)
    return figlib.save_figure(fig, stem)


def check(prof, args):
    diffs = []
    exact = True
    with tempfile.TemporaryDirectory() as tmp:
        with open(prof["sweep"]) as f:
            s = json.load(f)
        if args.dataset:
            s["grid"]["dataset"] = [args.dataset]
        if args.seeds:
            s["seeds"] = [int(x) for x in args.seeds.split(",")]
        s.pop("output", None)
        sweep_file = os.path.join(tmp, os.path.basename(prof["sweep"]))
        with open(sweep_file, "w") as f:
            json.dump(s, f)
        out = os.path.join(tmp, "out")
        run_sweep(sweep_file, out, args.jobs, args.bin_dir)
        new = list(points(out))
        for r in new:
            path = os.path.join(prof["reports"], report_name(prof, r))
            if not os.path.exists(path):
                diffs.append(f"{report_name(prof, r)}: no committed report")
                continue
            ref = figlib.load_json(path)
            name = report_name(prof, r)
            if ref["config"] != r["config"]:
                diffs.append(f"{name}: config differs: committed {ref['config']}, rerun {r['config']}")
                continue
            a, b = 100 * ref["test_accuracy"], 100 * r["test_accuracy"]
            if abs(a - b) > ACC_TOL_POINTS:
                diffs.append(f"{name}: test accuracy committed {a:.2f} %, rerun {b:.2f} %")
            for hr, hn in zip(ref["history"], r["history"]):
                if abs(hr["test_accuracy"] - hn["test_accuracy"]) * 100 > ACC_TOL_POINTS:
                    diffs.append(f"{name}: epoch {hr['epoch']} test accuracy committed "
                                 f"{100 * hr['test_accuracy']:.2f} %, rerun {100 * hn['test_accuracy']:.2f} %")
            lr, ln = ref["history"][-1]["train_loss"], r["history"][-1]["train_loss"]
            if abs(lr - ln) > LOSS_TOL_REL * abs(lr):
                diffs.append(f"{name}: final training loss committed {lr:.5f}, rerun {ln:.5f}")
            same = [(h["test_accuracy"], h["train_loss"]) for h in ref["history"]] == \
                   [(h["test_accuracy"], h["train_loss"]) for h in r["history"]]
            exact = exact and same
            print(f"{name}: committed {a:.2f} %, rerun {b:.2f} %{' (identical history)' if same else ''}",
                  file=sys.stderr)
    if not new:
        diffs.append("no point finished")
    print(f"ann_baseline: {'every rerun is bit-identical' if exact and new else 'reruns differ by rounding'}",
          file=sys.stderr)
    return figlib.report_check("ann_baseline", diffs)


def main():
    ap = figlib.parser(__doc__)
    ap.add_argument("action", choices=["run", "collect", "check"])
    ap.add_argument("--profile", choices=sorted(PROFILES), default="full")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="points at a time (one thread each)")
    ap.add_argument("--bin-dir", default=figlib.DEFAULT_BIN)
    ap.add_argument("--dataset", help="check: only this data set")
    ap.add_argument("--seeds", help="check: only these seeds, e.g. 1 or 1,2")
    args = ap.parse_args()
    args.bin_dir = os.path.abspath(args.bin_dir)
    prof = PROFILES[args.profile]
    out, _ = sweep_out(prof["sweep"])
    t0 = time.time()
    if args.action == "check":
        return check(prof, args)
    if args.action == "run":
        run_sweep(prof["sweep"], out, args.jobs, args.bin_dir)
    collect(prof, out)
    print(f"ann_baseline.py: {args.action} done in {time.time() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
