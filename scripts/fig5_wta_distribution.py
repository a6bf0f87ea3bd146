#!/usr/bin/python3
"""Figure 5 of the paper: the distribution of the output layer's spiking response on the MNIST test
set, output neurons sorted by response: raw (no lateral inhibition), with winner-take-all
inhibition, and the softmax of the raw response, from one set of trained weights.

Runs `ssnn_analysis wta-distribution` (sw/src/analysis.cpp) on golden-model weights. Without
--weights it first trains them itself with `ssnn_golden train` (profile full: one epoch of full
MNIST, 784-1280-10, T = 50, rate updates, WTA, dropout 0.2 / 0.3; a few minutes on 2 cores).
Writes the data (with the commands, the machine and the time taken) as JSON and the plot as PNG and
SVG.

Usage:
  scripts/fig5_wta_distribution.py [--profile full|ci] [--weights CKPT] [--bin-dir build/bin]
  scripts/fig5_wta_distribution.py --check [--profile full|ci]    rerun and compare
  scripts/fig5_wta_distribution.py --replot [--json F --img STEM]  redraw from the data

Profiles (the default output files in brackets):
  full  train on MNIST (1 epoch), analyse the 10,000 MNIST test images
        [docs/results/fig5_wta_distribution.json, docs/img/fig5_wta_distribution.png|svg]
  ci    train 784-64-10, T = 20 on 500 subset images, analyse 200 subset test images (seconds)
        [tb/figures/fig5_wta_distribution_ci.json, no plot]: the CTest test figures.fig5

--check reruns everything into a temporary folder (training too, unless the committed record was
made from given weights: then pass the same --weights, whose SHA-256 must match) and compares with
the committed JSON: the golden model is integer arithmetic and deterministic per seed, so the
trained accuracy, the sorted distributions, the accuracies and the entropies must agree to a
relative 1e-9 (the softmax involves exp); times and the machine are not compared. The plot is drawn
from the rerun into the temporary folder (--no-plot skips it).

Debian's python3 on purpose: matplotlib is Debian's python3-matplotlib.
"""
import hashlib
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figlib  # noqa: E402

NAME = "fig5_wta_distribution"
# Softmax logit = scale x count / T. 5: the paper's theta = 5 (a rate times theta is the ReLU
# activation it stands for); T = 50: the raw spike counts themselves as logits.
SCALES = [1, 2, 5, 10, 15, 20, 30, 50, 75, 100, 150, 200]
PROFILES = {
    "full": {
        "train": ["--dataset", "mnist", "--mode", "rate", "-T", "50", "--epochs", "1", "--pulse", "8",
                  "--dropout-input", "0.2", "--dropout-hidden", "0.3", "--seed", "1"],
        "dataset": "mnist", "samples": 0,
        "json": os.path.join(figlib.REPO, "docs", "results", NAME + ".json"),
        "img": os.path.join(figlib.REPO, "docs", "img", NAME),
    },
    "ci": {
        "train": ["--dataset", "subset", "--hidden", "64", "-T", "20", "--mode", "rate", "--epochs", "1",
                  "--pulse", "8", "--train-samples", "500", "--test-samples", "200", "--seed", "1"],
        "dataset": "subset", "samples": 200,
        "json": os.path.join(figlib.REPO, "tb", "figures", NAME + "_ci.json"),
        "img": None,
    },
}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def l1(p, q):
    return sum(abs(a - b) for a, b in zip(p, q))


def compute(args, prof, weights, tmp):
    golden = figlib.tool(args.bin_dir, "ssnn_golden")
    analysis = figlib.tool(args.bin_dir, "ssnn_analysis")
    data = {"figure": 5, "analysis": "wta-distribution", "profile": args.profile}
    if weights is None:
        weights = os.path.join(tmp, "weights.ckpt")
        report = os.path.join(tmp, "train.json")
        argv = [golden, "train"] + prof["train"] + ["--threads", str(args.threads), "--train-threads", "1",
                                                    "--no-progress", "--save-weights", weights, "--report", report]
        _, seconds = figlib.run(argv)
        r = figlib.load_json(report)
        data["weights_source"] = {
            "trained_by": figlib.shown(argv[:-4]) + " --save-weights W.ckpt --report R.json",
            "test_accuracy": r["test_accuracy"], "epochs": r["epochs"], "train_samples": r["train_samples"],
            "hidden": r["hidden"], "timesteps": r["timesteps"], "update_mode": r["update_mode"], "wta": r["wta"],
            "seed": r["seed"]}
        data["seconds_training"] = seconds
    else:
        data["weights_source"] = {"file": os.path.basename(weights), "sha256": sha256(weights)}
        data["weights"] = os.path.abspath(weights)
    out = os.path.join(tmp, "fig5.json")
    argv = [analysis, "wta-distribution", "--weights", weights, "--dataset", prof["dataset"],
            "--samples", str(prof["samples"]), "--threads", str(args.threads),
            "--logit-per-rate", repr(args.logit_per_rate),
            "--softmax-scales", ",".join(repr(float(x)) for x in SCALES), "--json", out]
    _, seconds = figlib.run(argv)
    data["seconds_analysis"] = seconds
    data["analysis_command"] = figlib.shown(argv[:3]) + " W.ckpt " + figlib.shown(argv[4:-2]) + " --json FILE"
    a = figlib.load_json(out)
    for k in ("dataset", "timesteps", "inhibition", "logit_per_rate", "raw", "wta", "softmax", "raw_accuracy",
              "wta_accuracy"):
        data[k] = a[k]
    data["l1_distance"] = {"wta_vs_softmax": l1(a["wta"]["mean_sorted"], a["softmax"]["mean_sorted"]),
                           "raw_vs_softmax": l1(a["raw"]["mean_sorted"], a["softmax"]["mean_sorted"]),
                           "raw_vs_wta": l1(a["raw"]["mean_sorted"], a["wta"]["mean_sorted"])}
    # The softmax's sharpness depends on the scale of its logits: the same raw counts at every scale
    # of SCALES, the L1 distance of each to the WTA distribution, and the scale that matches WTA best.
    data["softmax_scales"] = a["softmax_scales"]
    for d in data["softmax_scales"]:
        d["l1_to_wta"] = l1(d["mean_sorted"], a["wta"]["mean_sorted"])
        d["l1_to_raw"] = l1(d["mean_sorted"], a["raw"]["mean_sorted"])
    best = min(data["softmax_scales"], key=lambda d: d["l1_to_wta"])
    data["softmax_matching_wta"] = best
    return data


def plot(data, stem):
    plt = figlib.pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.6))
    ranks = list(range(1, len(data["raw"]["mean_sorted"]) + 1))
    best = data["softmax_matching_wta"]
    curves = [(data["raw"], "raw spike counts (no lateral inhibition)", "o-", "C0"),
              (data["wta"], "WTA (lateral inhibition)", "s-", "C3"),
              (data["softmax"], f"softmax of raw, logit = {data['logit_per_rate']:g} x count / T", "^--", "C2"),
              (best, f"softmax of raw, logit = {best['logit_per_rate']:g} x count / T (closest to WTA)", "v--", "C1")]
    for ax, log in zip(axes[:2], (False, True)):
        for d, label, fmt, color in curves:
            ax.plot(ranks, d["mean_sorted"], fmt, ms=4, color=color,
                    label=f"{label}: top {100 * d['top1']:.1f} %, {d['entropy_bits']:.2f} bits")
        ax.set_xticks(ranks)
        ax.set_xlabel("output neuron, sorted by response")
        ax.set_ylabel("mean share of the output response")
        if log:
            ax.set_yscale("log")
            ax.set_ylim(bottom=1e-5)
    src = data["weights_source"]
    acc = (f"weights trained {src['epochs']} epoch(s) here" if "trained_by" in src else f"weights {src['file']}") + \
        f", {100 * data['wta_accuracy']:.2f} %"
    axes[0].set_title(f"(a) {data['dataset']} test set, {data['raw']['samples'] + data['raw']['silent']} images, "
                      f"T = {data['timesteps']}, {acc}", fontsize=9)
    axes[1].set_title("(b) the same, log scale", fontsize=9)
    axes[0].legend(fontsize=7)
    ax = axes[2]
    xs = [d["logit_per_rate"] for d in data["softmax_scales"]]
    ax.plot(xs, [d["top1"] for d in data["softmax_scales"]], "o-", color="C1", ms=4, label="softmax top share")
    ax.axhline(data["wta"]["top1"], color="C3", ls=":", label="WTA top share")
    ax.axhline(data["raw"]["top1"], color="C0", ls=":", label="raw top share")
    ax.plot(xs, [d["l1_to_wta"] for d in data["softmax_scales"]], "s-", color="k", ms=3,
            label="L1 distance softmax - WTA")
    ax.axvline(data["timesteps"], color="0.6", lw=0.8)
    ax.text(data["timesteps"], 0.5, " logits = counts", fontsize=7, color="0.4")
    ax.set_xscale("log")
    ax.set_xlabel("softmax logit per unit rate (logit = this x count / T)")
    ax.set_title("(c) softmax sharpness vs the scale of its logits", fontsize=9)
    ax.legend(fontsize=7)
    return figlib.save_figure(fig, stem)


def main():
    ap = figlib.parser(__doc__)
    ap.add_argument("--profile", choices=sorted(PROFILES), default="full")
    ap.add_argument("--weights", help="golden-model weights or checkpoint (default: train them)")
    ap.add_argument("--bin-dir", default=figlib.DEFAULT_BIN)
    ap.add_argument("--threads", type=int, default=2, help="evaluation threads (results do not depend on it)")
    ap.add_argument("--logit-per-rate", type=float, default=5.0, help="softmax logit = this x count / T (paper theta = 5)")
    ap.add_argument("--json", help="data file (default: the profile's)")
    ap.add_argument("--img", help="image stem (default: the profile's)")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--check", action="store_true", help="rerun and compare with the committed --json")
    ap.add_argument("--replot", action="store_true", help="only redraw the plot from the --json data")
    args = ap.parse_args()
    prof = PROFILES[args.profile]
    json_path = args.json or prof["json"]
    img = None if args.no_plot else (args.img or prof["img"])
    if args.replot:
        data = figlib.load_json(json_path)
        data["plots"] = plot(data, img)
        figlib.write_json(json_path, data)
        return 0

    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        if args.check:
            ref = figlib.load_json(json_path)
            committed_sha = ref["weights_source"].get("sha256")
            if committed_sha and (not args.weights or sha256(args.weights) != committed_sha):
                sys.exit(f"{NAME}: error: {os.path.relpath(json_path)} was made from weights "
                         f"{ref['weights_source']['file']} (sha256 {committed_sha[:12]}...); pass them with --weights")
            if not committed_sha and args.weights:
                sys.exit(f"{NAME}: error: {os.path.relpath(json_path)} was made from weights trained by the script; "
                         f"drop --weights")
            if args.logit_per_rate != ref["logit_per_rate"]:
                args.logit_per_rate = ref["logit_per_rate"]
            new = compute(args, prof, args.weights, tmp)
            if not args.no_plot:  # the plot code runs too, into the temporary folder
                plot(new, os.path.join(tmp, NAME))
            print(f"{NAME}: rerun in {time.time() - t0:.1f} s", file=sys.stderr)
            return figlib.report_check(NAME, figlib.compare(ref, new, skip=figlib.NOT_COMPARED | {
                "seconds_training", "seconds_analysis", "analysis_command", "trained_by", "profile"}))
        data = compute(args, prof, args.weights, tmp)
    data["command"] = figlib.script_command()
    data["machine"] = figlib.machine()
    if img:
        data["plots"] = plot(data, img)
    data["seconds"] = time.time() - t0
    data["tolerances"] = {"reproduction_relative": 1e-9}
    figlib.write_json(json_path, data)
    print(f"{NAME}: raw top {100 * data['raw']['top1']:.1f} %, WTA top {100 * data['wta']['top1']:.1f} %, "
          f"softmax top {100 * data['softmax']['top1']:.1f} % (closest to WTA at logit "
          f"{data['softmax_matching_wta']['logit_per_rate']:g} x rate: top "
          f"{100 * data['softmax_matching_wta']['top1']:.1f} %); accuracy raw {100 * data['raw_accuracy']:.2f} %, "
          f"WTA {100 * data['wta_accuracy']:.2f} %; {data['seconds']:.0f} s; wrote {os.path.relpath(json_path)}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
