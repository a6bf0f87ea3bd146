#!/usr/bin/python3
"""Figure 4 of the paper: the error of stochastic multiplication (AND of two Bernoulli spike trains
of T steps) and its standard deviation against T, beside the ideal 1/sqrt(T) trend. The paper goes
to T = 200; this goes to 10,000.

Runs `ssnn_analysis stochastic-mult` (the chip's LFSR trains, sw/src/analysis.cpp) once per seed
over every T: all 2,500 products of the grid {0, 0.02, ..., 0.98} with itself. Writes
docs/results/fig4_stochastic_mult.json (the data, the commands, the machine, the time taken) and
docs/img/fig4_stochastic_mult.png|svg.

Usage:
  scripts/fig4_stochastic_mult.py [--timesteps 10,20,...] [--seeds 5] [--bin-dir build/bin]
  scripts/fig4_stochastic_mult.py --check [--quick]     rerun and compare with the committed record
  scripts/fig4_stochastic_mult.py --replot              redraw the plot from the committed data

--check reruns into memory (nothing is written) and compares with the committed JSON:
  * reproduction: every per-seed statistic (mean, std, skewness, kurtosis, histogram counts) equal
    to a relative 1e-9 (the trains are integer LFSR arithmetic, so a rerun is exact on any machine);
  * the paper's claims, on the rerun itself: the error std within 5 % of the ideal
    sqrt(mean p(1-p) / T) at every T, the mean error within 4 standard errors of 0, and the
    log-log slope of std vs T within 0.02 of -1/2.
--quick reruns T = 50, 200, 1000 for seed 1 only (about a second; the CTest test figures.fig4).
The plot is drawn from the rerun into a temporary folder (--no-plot skips it).

Debian's python3 on purpose: matplotlib and numpy are Debian's python3-matplotlib.
"""
import math
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import figlib  # noqa: E402

NAME = "fig4_stochastic_mult"
DEFAULT_T = [10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
HIST_T = [50, 200, 1000, 5000]
QUICK_T = [50, 200, 1000]
BINS = 40            # histogram bins over +/- 4 ideal standard deviations
STD_TOL = 0.05       # measured std within 5 % of the ideal
SLOPE_TOL = 0.02
MEAN_SIGMAS = 4.0


def moments(err):
    n = len(err)
    mean = sum(err) / n
    var = sum((e - mean) ** 2 for e in err) / n
    std = math.sqrt(var)
    skew = sum((e - mean) ** 3 for e in err) / n / std ** 3 if std > 0 else 0.0
    kurt = sum((e - mean) ** 4 for e in err) / n / var ** 2 - 3.0 if var > 0 else 0.0
    within1 = sum(abs(e - mean) <= std for e in err) / n
    within2 = sum(abs(e - mean) <= 2 * std for e in err) / n
    return {"pairs": n, "mean": mean, "std": std, "skewness": skew, "excess_kurtosis": kurt,
            "within_1_std": within1, "within_2_std": within2}


def histogram(err, half_width):
    edges = [-half_width + 2 * half_width * i / BINS for i in range(BINS + 1)]
    counts = [0] * BINS
    outside = 0
    for e in err:
        k = math.floor((e + half_width) / (2 * half_width) * BINS)
        if 0 <= k < BINS:
            counts[k] += 1
        else:
            outside += 1
    return {"edges": edges, "counts": counts, "outside": outside}


def pair_variances(step):
    """p (1 - p) of every product p = a b of the grid (the error variance of a pair is this / T)."""
    grid = [round(i * step, 12) for i in range(int(round(1 / step)))]
    return [a * b * (1 - a * b) for a in grid for b in grid]


def mixture_density(x, variances, scale):
    """Density of the pooled error: mean over pairs of N(0, v * scale), pairs with v = 0 left out."""
    import numpy as np
    out = np.zeros_like(x)
    for v in variances:
        if v > 0:
            s2 = v * scale
            out += np.exp(-x * x / (2 * s2)) / math.sqrt(2 * math.pi * s2)
    return out / len(variances)


def fit_loglog(ts, stds):
    xs = [math.log(t) for t in ts]
    ys = [math.log(s) for s in stds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return slope, math.exp(my - slope * mx)


def compute(bin_dir, timesteps, seeds, step):
    analysis = figlib.tool(bin_dir, "ssnn_analysis")
    runs = {t: {"timesteps": t, "seeds": {}} for t in timesteps}
    commands = []
    seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            out = os.path.join(tmp, f"seed{seed}.json")
            argv = [analysis, "stochastic-mult", "--timesteps", ",".join(map(str, timesteps)), "--seed", seed,
                    "--step", step, "--errors", "--json", out]
            _, s = figlib.run(argv)
            seconds += s
            commands.append(figlib.shown(argv[:-2]) + " --json FILE")
            for r in figlib.load_json(out)["runs"]:
                t = r["timesteps"]
                entry = moments(r["error"])
                entry["std_times_sqrt_t"] = entry["std"] * math.sqrt(t)
                runs[t]["ideal_std"] = r["ideal_std"]
                if t in HIST_T:
                    entry["histogram"] = histogram(r["error"], 4 * r["ideal_std"])
                runs[t]["seeds"][str(seed)] = entry
    for t, r in runs.items():
        stds = [e["std"] for e in r["seeds"].values()]
        r["std_mean"] = sum(stds) / len(stds)
        r["std_sd"] = (math.sqrt(sum((s - r["std_mean"]) ** 2 for s in stds) / (len(stds) - 1))
                       if len(stds) > 1 else 0.0)
        r["std_over_ideal"] = r["std_mean"] / r["ideal_std"]
        r["std_times_sqrt_t"] = r["std_mean"] * math.sqrt(t)
    ordered = [runs[t] for t in timesteps]
    slope, const = fit_loglog(timesteps, [r["std_mean"] for r in ordered])
    var = pair_variances(step)
    mean_v = sum(var) / len(var)
    return {"figure": 4, "analysis": "stochastic-mult", "step": step, "seeds": seeds, "timesteps": timesteps,
            "ideal_constant": math.sqrt(mean_v),
            # Pooled over pairs the error is a scale mixture of Gaussians (variance p(1-p)/T per pair,
            # 0 for the 99 pairs with a zero operand): heavier-tailed than one Gaussian by this much.
            "mixture_excess_kurtosis": 3 * sum(v * v for v in var) / len(var) / mean_v ** 2 - 3,
            "zero_product_pairs": sum(v == 0 for v in var),
            "fit": {"slope": slope, "constant": const, "note": "least squares of log std_mean vs log T"},
            "runs": ordered, "commands": commands, "seconds_tools": seconds}


def claims(data):
    """The paper's statements, checked on one computed record; returns failures."""
    fails = []
    for r in data["runs"]:
        for seed, e in r["seeds"].items():
            if abs(e["std"] / r["ideal_std"] - 1) > STD_TOL:
                fails.append(f"T={r['timesteps']} seed {seed}: std {e['std']:.5f} is not within {STD_TOL:.0%} "
                             f"of the ideal {r['ideal_std']:.5f}")
            if abs(e["mean"]) > MEAN_SIGMAS * r["ideal_std"] / math.sqrt(e["pairs"]):
                fails.append(f"T={r['timesteps']} seed {seed}: mean error {e['mean']:.2e} is not zero "
                             f"within {MEAN_SIGMAS:g} standard errors")
    if len(data["runs"]) > 1 and abs(data["fit"]["slope"] + 0.5) > SLOPE_TOL:
        fails.append(f"log-log slope {data['fit']['slope']:.4f} is not -0.5 +/- {SLOPE_TOL}")
    return fails


def plot(data, img_stem):
    plt = figlib.pyplot()
    import numpy as np
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    variances = pair_variances(data["step"])
    ax = axes[0]
    seed = str(data["seeds"][0])
    hist_runs = [r for r in data["runs"] if "histogram" in r["seeds"][seed]]
    for r in hist_runs:
        h = r["seeds"][seed]["histogram"]
        edges = np.array(h["edges"])
        width = edges[1] - edges[0]
        dens = np.array(h["counts"]) / (r["seeds"][seed]["pairs"] * width)
        ax.step(edges[:-1], dens, where="post", label=f"T = {r['timesteps']}")
        x = np.linspace(edges[0], edges[-1], 400)
        ax.plot(x, mixture_density(x, variances, 1.0 / r["timesteps"]), "k:", lw=0.8)
    ax.set_xlabel("error of the stochastic product (estimate - a b)")
    ax.set_ylabel("density")
    ax.set_title("(a) error of the 2,500 products, seed 1\n(dotted: Gaussians of variance p(1-p)/T, pooled)",
                 fontsize=9)
    ax.set_xlim(-0.22, 0.22)
    ax.legend(fontsize=8)

    ax = axes[1]
    ts = np.array(data["timesteps"], dtype=float)
    std = np.array([r["std_mean"] for r in data["runs"]])
    sd = np.array([r["std_sd"] for r in data["runs"]])
    ax.errorbar(ts, std, yerr=sd, fmt="o", ms=4, capsize=3,
                label=f"measured (mean of {len(data['seeds'])} seeds)")
    tt = np.logspace(math.log10(ts.min()) - 0.1, math.log10(ts.max()) + 0.1, 100)
    ax.plot(tt, data["ideal_constant"] / np.sqrt(tt), "k--",
            label=f"ideal {data['ideal_constant']:.3f} / sqrt(T)")
    ax.plot(tt, data["fit"]["constant"] * tt ** data["fit"]["slope"], "C1-", lw=0.8,
            label=f"fit {data['fit']['constant']:.3f} T^{data['fit']['slope']:.3f}")
    ax.axvspan(ts.min() * 0.8, 200, color="0.9", zorder=0, label="paper's range (T <= 200)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("T (timesteps)")
    ax.set_ylabel("std of the error")
    ax.set_title("(b) std vs T", fontsize=9)
    ax.legend(fontsize=8)

    ax = axes[2]
    for r in hist_runs:
        h = r["seeds"][seed]["histogram"]
        edges = np.array(h["edges"]) / r["ideal_std"]
        width = edges[1] - edges[0]
        ax.step(edges[:-1], np.array(h["counts"]) / (r["seeds"][seed]["pairs"] * width), where="post",
                label=f"T = {r['timesteps']}")
    x = np.linspace(-4, 4, 400)
    ax.plot(x, np.exp(-x ** 2 / 2) / math.sqrt(2 * math.pi), "k--", lw=0.8, label="N(0, 1)")
    ax.plot(x, mixture_density(x, variances, 1.0 / data["ideal_constant"] ** 2), "k-", lw=1,
            label="pooled per-pair Gaussians")
    ax.set_xlabel("error / ideal std")
    ax.set_title(f"(c) divided by the ideal std: one shape for every T\n"
                 f"(excess kurtosis {data['mixture_excess_kurtosis']:.2f}: a mixture, "
                 f"{data['zero_product_pairs']} exact zero-product pairs)", fontsize=9)
    ax.legend(fontsize=8)
    return figlib.save_figure(fig, img_stem)


def main():
    ap = figlib.parser(__doc__)
    ap.add_argument("--timesteps", default=",".join(map(str, DEFAULT_T)), help="train lengths T")
    ap.add_argument("--seeds", type=int, default=5, help="seeds 1..N (the std's error bars)")
    ap.add_argument("--step", type=float, default=0.02, help="operand grid step (paper: 0.02)")
    ap.add_argument("--bin-dir", default=figlib.DEFAULT_BIN)
    ap.add_argument("--json", default=os.path.join(figlib.REPO, "docs", "results", NAME + ".json"))
    ap.add_argument("--img", default=os.path.join(figlib.REPO, "docs", "img", NAME), help="image stem")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--check", action="store_true", help="rerun and compare with the committed --json")
    ap.add_argument("--quick", action="store_true", help="with --check: T = 50, 200, 1000, seed 1")
    ap.add_argument("--replot", action="store_true", help="only redraw the plot from the --json data")
    args = ap.parse_args()
    if args.replot:
        data = figlib.load_json(args.json)
        data["plots"] = plot(data, args.img)
        figlib.write_json(args.json, data)
        return 0

    t0 = time.time()
    if args.check:
        ref = figlib.load_json(args.json)
        timesteps = QUICK_T if args.quick else ref["timesteps"]
        seeds = [1] if args.quick else ref["seeds"]
        new = compute(args.bin_dir, timesteps, seeds, ref["step"])
        diffs = []
        ref_runs = {r["timesteps"]: r for r in ref["runs"]}
        for r in new["runs"]:
            if r["timesteps"] not in ref_runs:
                diffs.append(f"T={r['timesteps']}: not in the committed record")
                continue
            for seed, e in r["seeds"].items():
                committed = ref_runs[r["timesteps"]]["seeds"].get(seed)
                if committed is None:
                    diffs.append(f"T={r['timesteps']} seed {seed}: not in the committed record")
                    continue
                if "histogram" not in committed:
                    e = {k: v for k, v in e.items() if k != "histogram"}
                diffs += figlib.compare(committed, e, path=f"T={r['timesteps']}/seed {seed}")
        if not args.quick:
            diffs += figlib.compare({k: ref[k] for k in ("fit", "ideal_constant")},
                                    {k: new[k] for k in ("fit", "ideal_constant")})
        if not args.no_plot:  # the plot code runs too, into a temporary folder
            with tempfile.TemporaryDirectory() as tmp:
                plot(new, os.path.join(tmp, NAME))
        print(f"{NAME}: {len(new['runs'])} T x {len(seeds)} seeds rerun in {time.time() - t0:.1f} s", file=sys.stderr)
        return figlib.report_check(NAME, diffs, claims(new))

    timesteps = [int(t) for t in args.timesteps.split(",")]
    data = compute(args.bin_dir, timesteps, list(range(1, args.seeds + 1)), args.step)
    data["command"] = figlib.script_command()
    data["machine"] = figlib.machine()
    fails = claims(data)
    data["claims_hold"] = not fails
    data["tolerances"] = {"std_vs_ideal_relative": STD_TOL, "slope_abs": SLOPE_TOL, "mean_standard_errors": MEAN_SIGMAS,
                          "reproduction_relative": 1e-9}
    if not args.no_plot:
        data["plots"] = plot(data, args.img)
    data["seconds"] = time.time() - t0
    figlib.write_json(args.json, data)
    print(f"{NAME}: slope {data['fit']['slope']:.4f}, constant {data['fit']['constant']:.4f} "
          f"(ideal {data['ideal_constant']:.4f}); {data['seconds']:.1f} s; wrote {os.path.relpath(args.json)}",
          file=sys.stderr)
    for f in fails:
        print("  claim not met: " + f, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
