#!/usr/bin/python3
"""The paper's Tables 1-2 and Figures 6-8 from the golden model: MSE vs WTA with and
without dropout (3 seeds), real stochastic-coincidence training at T = 50 ... 1000, and the
additive-noise approximation from T_n = 50 to 10,000. Runs the sweep files through the sweep
runner (scripts/sweep.py), keeps every point's report, and draws the tables, figures (PNG and SVG)
and their data (JSON) from those reports.

Usage:
  scripts/paper_results.py run   [--profile full|ci] [--only NAMES] [-j N] [--bin-dir DIR]
  scripts/paper_results.py plot  [--profile full|ci] [--img-dir D] [--data-dir D]
  scripts/paper_results.py check [--profile full|ci] [--only NAMES] [--select TEXT] [-j N]

Sweeps (--only takes a comma-separated subset):
  tables           sweeps/paper_tables.json           Tables 1-2 rows, reduced scale (~25 core-min)
  tables_full      sweeps/paper_tables_full.json      Tables 1-2 rows at full scale, chip-mode stochastic updates (~15 core-h)
  tables_validation sweeps/paper_tables_validation.json the same rows under the validation protocol (~8 core-h)
  stochastic       sweeps/paper_stochastic.json       Figures 6-7: T = 50, 100, 200, 3 seeds (~35 core-min)
  stochastic_long  sweeps/paper_stochastic_long.json  Figure 6 past the paper: T = 500, 1000 (~25 core-min)
  noise            sweeps/paper_noise.json            Figures 7-8: additive noise, T_n = 50..10,000 (~15 core-min)

Profiles:
  full  the sweep files above; reports in docs/results/paper/NAME/, figures docs/img/paper_*.png|svg,
        data docs/results/paper_*.json.
  ci    the same sweeps shrunk to a 784-32-10 network on 200/100 samples of the shipped subset
        (seconds); references in tb/paper/ref/NAME/; the CTest test paper_results.ci runs
        `check --profile ci`.

check reruns the points (all, or those whose options contain --select) into a temporary folder and
compares each report with the kept one. The golden model is integer arithmetic with seeded LFSRs,
so the tolerance is zero: every accuracy, spike count and pulse count must be equal; wall-clock
fields and the machine are not compared.

Debian's python3 (/usr/bin/python3) on purpose: matplotlib is Debian's python3-matplotlib.
"""
import argparse
import copy
import json
import math
import os
import shutil
import sys
import tempfile

import figlib

REPO = figlib.REPO
Error = figlib.Error
NAMES = ["tables", "tables_full", "tables_validation", "stochastic", "stochastic_long", "noise"]
# Full-scale variants of Tables 1-2, drawn beside the reduced-scale rows: (sweep name, key in the data).
FULL_SCALE = [("tables_full", "full_scale"), ("tables_validation", "validation_protocol")]

# The paper's numbers (Tables 1-2; % test accuracy, mean +/- std where it gives one).
PAPER = {
    ("mnist", "WTA + dropout"): (98.65, 0.04),
    ("fashion", "WTA + dropout"): (90.5, 0.2),
    ("emnist-balanced", "MSE"): (81.26, 0.04),
    ("emnist-balanced", "MSE + dropout"): (84.48, 0.04),
    ("emnist-balanced", "WTA + dropout"): (85.76, 0.15),
}
PAPER_ANN = {"mnist": (98.67, None), "fashion": (90.8, 0.1), "emnist-balanced": (86.0, 0.06)}

# The CI profile: every sweep on a tiny network and a few subset samples.
CI_OVERRIDES = {"hidden": 32, "train-samples": 200, "test-samples": 100, "dataset": "subset"}


# ---------------------------------------------------------------------------------------------
# Sweep files and reports
# ---------------------------------------------------------------------------------------------

def sweep_doc(name, profile):
    """(path, document) of a sweep; the ci profile derives a tiny sweep from the full one."""
    path = os.path.join(REPO, "sweeps", f"paper_{name}.json")
    doc = figlib.load_json(path)
    if profile == "full":
        return path, doc
    doc = copy.deepcopy(doc)
    doc["name"] = f"paper_{name}_ci"
    doc["base"].update(CI_OVERRIDES)
    doc["base"]["epochs"] = 2
    if "validation" in doc["base"]:
        doc["base"]["validation"] = 50  # of the 200 subset images
    if "pulse" in doc["base"]:
        doc["base"]["pulse"] = doc["base"]["pulse"][:2]
    doc["grid"].pop("dataset", None)  # the subset only
    doc.pop("checkpoint", None)  # seconds per point: nothing to resume
    # Option sets inside grid axes and extra points: 2-epoch pulses, and the subset only.
    for opts in [v for axis in doc["grid"].values() for v in axis] + doc.get("points", []):
        if isinstance(opts, dict):
            opts.pop("dataset", None)
            if "pulse" in opts:
                opts["pulse"] = opts["pulse"][:2]
    doc["seeds"] = min(2, doc["seeds"]) if isinstance(doc["seeds"], int) else doc["seeds"][:2]
    doc["output"] = os.path.join(REPO, "tb", "paper", "ref", name)
    return os.path.join(REPO, "tb", "paper", f"paper_{name}_ci.json"), doc


def run_sweep(path, doc, jobs, bin_dir, out=None, progress=True):
    """Run one sweep through sweep.py (writing the derived file first when it is not the shipped one)."""
    if not os.path.exists(path) or figlib.load_json(path) != doc:
        figlib.write_json(path, doc)
    figlib.run_sweep(path, jobs, bin_dir, out=out, progress=progress, tag="paper")


def mean_std(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None, None
    m = sum(xs) / len(xs)
    if len(xs) < 2:
        return m, None
    return m, math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def curve(report, key="test_accuracy"):
    """Per-epoch accuracies (under the validation protocol the test set is not scored per epoch)."""
    return [e[key] for e in report.get("history", []) if key in e]


def wall(points):
    return round(sum(r.get("wall_seconds", 0.0) for _, _, r, _ in points), 1)


def provenance(points, folder, sweep_path):
    return {"sweep": os.path.relpath(sweep_path, REPO), "reports": os.path.relpath(folder, REPO),
            "point_command": points[0][2].get("command") if points else None,
            "core_seconds": wall(points), "machine": points[0][2].get("machine") if points else None}


# ---------------------------------------------------------------------------------------------
# Tables 1-2
# ---------------------------------------------------------------------------------------------

def loss_label(opts):
    wta = not opts.get("no-wta", False)
    drop = float(opts.get("dropout-input", 0)) > 0 or float(opts.get("dropout-hidden", 0)) > 0
    return ("WTA" if wta else "MSE") + (" + dropout" if drop else "")


def ann_rows(data_dir):
    """ANN baselines trained by the project (docs/results/ann_baseline*.json), mean over seeds."""
    rows = {}
    if not os.path.isdir(data_dir):
        return rows
    for f in sorted(os.listdir(data_dir)):
        if not (f.startswith("ann_baseline") and f.endswith(".json")):
            continue
        recs = figlib.load_json(os.path.join(data_dir, f))
        for r in recs if isinstance(recs, list) else [recs]:
            if not isinstance(r, dict) or "test_accuracy" not in r or "dataset" not in r:
                continue
            cfg = r.get("config", {})
            if cfg.get("loss") != "softmax-ce" or not cfg.get("dropout_hidden") or not cfg.get("dropout_input"):
                continue  # the paper's baseline: softmax-CE with dropout on the input and hidden layers
            rows.setdefault(r["dataset"], []).append((r["test_accuracy"], f))
    return {ds: (mean_std([a for a, _ in v]), len(v), sorted({f for _, f in v})) for ds, v in rows.items()}


# Full-data runs of the golden model (60,000 training images, longer schedules, one seed) that the
# reduced-scale table is read beside: docs/results/<file>, (data set, loss) they stand for.
FULL_DATA_RUNS = [
    ("golden_mnist_rate_wta_dropout_T50_fine.json", "mnist", "WTA + dropout"),
    ("golden_fashion_rate_wta_dropout_T200.json", "fashion", "WTA + dropout"),
]


def full_data_rows(data_dir):
    rows = []
    for f, ds, loss in FULL_DATA_RUNS:
        path = os.path.join(data_dir, f)
        if not os.path.exists(path):
            continue
        recs = figlib.load_json(path)
        r = recs[0] if isinstance(recs, list) else recs
        rows.append({"dataset": ds, "loss": loss, "test_accuracy": r["test_accuracy"], "epochs": r["epochs"],
                     "train_samples": r["train_samples"], "seed": r["seed"], "file": f})
    return rows


def validation_fields(runs):
    """The validation split's accuracy of the chosen models and the rule that chose them (none when
    the runs had no validation split)."""
    if not all("validation_accuracy" in r for r in runs):
        return {}
    m, s = mean_std([r["validation_accuracy"] for r in runs])
    rules = sorted({r.get("selection", {}).get("rule", "") for r in runs})
    return {"validation_accuracy": m, "validation_accuracy_std": s, "selection_rule": ", ".join(rules),
            "validation_samples": runs[0].get("validation", {}).get("samples")}


def table_rows(points):
    """One row per (data set, loss and regularizer): mean +/- std over the seeds of the points."""
    groups = {}
    for opts, seed, r, _ in points:
        key = (r["dataset"], loss_label(opts), r["timesteps"])
        groups.setdefault(key, []).append((seed, r))
    order = ["MSE", "MSE + dropout", "WTA", "WTA + dropout"]
    rows = []
    for (ds, loss, t) in sorted(groups, key=lambda k: (k[0], order.index(k[1]), k[2])):
        runs = sorted(groups[(ds, loss, t)], key=lambda sr: sr[0])
        m, s = mean_std([r["test_accuracy"] for _, r in runs])
        paper = PAPER.get((ds, loss))
        r0 = runs[0][1]
        rows.append({
            "dataset": ds, "level": "golden", "update_mode": r0["update_mode"], "wta": r0["wta"],
            "loss": loss, "hidden": r0["hidden"], "timesteps": r0["timesteps"], "epochs": r0["epochs"],
            "train_samples": r0["train_samples"], "test_samples": r0["test_samples"],
            "test_accuracy": m, "test_accuracy_std": s, "seeds": [sd for sd, _ in runs],
            "seed": runs[0][0], "per_seed": [r["test_accuracy"] for _, r in runs],
            **validation_fields([r for _, r in runs]),
            "curves": [curve(r) for _, r in runs],
            "validation_curves": [curve(r, "validation_accuracy") for _, r in runs],
            "paper_accuracy": paper[0] / 100 if paper else None,
            "paper_accuracy_std": paper[1] / 100 if paper and paper[1] is not None else None,
            "command": r0.get("command"),
        })
    return rows


def tables_data(points, folder, sweep_path, data_dir, full_scale=None):
    """Table data: the reduced-scale rows, and beside them the rows of each full-scale sweep given
    ({data key: (points, folder, sweep path)})."""
    rows = table_rows(points)
    ann = ann_rows(data_dir)
    extra = {key: {"rows": table_rows(fp), **provenance(fp, ff, fpath)}
             for key, (fp, ff, fpath) in (full_scale or {}).items()}
    return {"name": "paper_tables", "rows": rows, **extra, "full_data": full_data_rows(data_dir) if data_dir else [],
            "ann_baseline": {ds: {"test_accuracy": v[0][0], "test_accuracy_std": v[0][1], "runs": v[1],
                                  "files": v[2], "paper": PAPER_ANN.get(ds)} for ds, v in ann.items()},
            **provenance(points, folder, sweep_path)}


def tables_markdown(data):
    def pct(m, s):
        if m is None:
            return "-"
        return f"{100 * m:.2f} +/- {100 * s:.2f}" if s is not None else f"{100 * m:.2f}"
    lines = ["| data set | loss and regularizer | ours (mean +/- std, n) | paper | gap |",
             "| --- | --- | --- | --- | --- |"]
    for r in data["rows"]:
        gap = "" if r["paper_accuracy"] is None else f"{100 * (r['test_accuracy'] - r['paper_accuracy']):+.2f}"
        lines.append(f"| {r['dataset']} | {r['loss']} | {pct(r['test_accuracy'], r['test_accuracy_std'])} "
                     f"(n={len(r['seeds'])}) | {pct(r['paper_accuracy'], r['paper_accuracy_std'])} | {gap} |")
    for _, key in FULL_SCALE:
        for r in data.get(key, {}).get("rows", []):
            gap = "" if r["paper_accuracy"] is None else f"{100 * (r['test_accuracy'] - r['paper_accuracy']):+.2f}"
            how = (f", validation {pct(r['validation_accuracy'], r['validation_accuracy_std'])} on "
                   f"{r['validation_samples']} held out, chosen: {r['selection_rule']}" if "validation_accuracy" in r else "")
            lines.append(f"| {r['dataset']} | {r['loss']}, full scale, {r['update_mode']} updates, T = {r['timesteps']} "
                         f"({r['train_samples']} x {r['epochs']} epochs{how}) | {pct(r['test_accuracy'], r['test_accuracy_std'])} "
                         f"(n={len(r['seeds'])}) | {pct(r['paper_accuracy'], r['paper_accuracy_std'])} | {gap} |")
    for f in data["full_data"]:
        paper = PAPER.get((f["dataset"], f["loss"]))
        lines.append(f"| {f['dataset']} | {f['loss']}, full data ({f['train_samples']} x {f['epochs']} epochs, seed "
                     f"{f['seed']}) | {100 * f['test_accuracy']:.2f} (n=1) | "
                     f"{pct(paper[0] / 100, paper[1] / 100) if paper else '-'} | "
                     f"{100 * f['test_accuracy'] - paper[0]:+.2f} |" if paper else " |")
    for ds, a in sorted(data["ann_baseline"].items()):
        paper = a["paper"]
        lines.append(f"| {ds} | ANN baseline (softmax-CE + dropout) | {pct(a['test_accuracy'], a['test_accuracy_std'])}"
                     f" (n={a['runs']}) | {pct(paper[0] / 100, paper[1] / 100 if paper[1] else None) if paper else '-'} | |")
    return "\n".join(lines)


def plot_tables(plt, data, img_dir):
    rows = data["rows"]
    datasets = sorted({r["dataset"] for r in rows})
    fig, axes = plt.subplots(1, len(datasets), figsize=(5.2 * len(datasets), 4.8), squeeze=False)
    for ax, ds in zip(axes[0], datasets):
        rs = [r for r in rows if r["dataset"] == ds]
        xs = range(len(rs))
        # One bar per row and scale: reduced, then each full-scale sweep that has rows for this data set.
        scales = [({r["loss"]: r for r in rs}, "#4c72b0", "this work, reduced (10,000 train, 5 epochs, rate)")]
        for (_, key), color, what in zip(FULL_SCALE, ("#8172b3", "#937860"), ("", ", validation protocol")):
            fs = {r["loss"]: r for r in data.get(key, {}).get("rows", []) if r["dataset"] == ds}
            if fs:
                f0 = next(iter(fs.values()))
                scales.append((fs, color, f"this work, full scale ({f0['epochs']} epochs, {f0['update_mode']}, "
                                          f"chip mode{what})"))
        width = 0.8 / len(scales)
        for i, (by_loss, color, label) in enumerate(scales):
            shift = (i - (len(scales) - 1) / 2) * width
            fx = [x for x, r in zip(xs, rs) if r["loss"] in by_loss]
            fr = [by_loss[r["loss"]] for r in rs if r["loss"] in by_loss]
            ax.bar([x + shift for x in fx], [100 * r["test_accuracy"] for r in fr], width=width,
                   yerr=[100 * (r["test_accuracy_std"] or 0) for r in fr], color=color, capsize=3, label=label)
        for x, r in zip(xs, rs):
            if r["paper_accuracy"] is not None:
                ax.plot([x - 0.4, x + 0.4], [100 * r["paper_accuracy"]] * 2, color="#c44e52", lw=2,
                        label="paper (full data)" if x == 0 or "paper" not in ax.get_legend_handles_labels()[1] else None)
        for f in data["full_data"]:
            if f["dataset"] == ds:
                x = [r["loss"] for r in rs].index(f["loss"]) if f["loss"] in [r["loss"] for r in rs] else len(rs) - 1
                ax.plot([x], [100 * f["test_accuracy"]], marker="*", ms=12, color="#dd8452", ls="none",
                        label=f"this work, full data, rate updates ({f['epochs']} epochs, 1 seed)")
        a = data["ann_baseline"].get(ds)
        if a:
            ax.axhline(100 * a["test_accuracy"], color="#55a868", ls="--", label="ANN baseline (ours)")
        lo = min(100 * r["test_accuracy"] for r in rs)
        ax.set_ylim(max(0, lo - 4), 100)
        ax.set_xticks(list(xs), [r["loss"].replace(" + ", "\n+ ") for r in rs])
        ax.set_ylabel("test accuracy (%)")
        r0 = rs[0]
        ax.set_title(f"{ds}: 784-{r0['hidden'][0]}-10" + ("" if len(scales) > 1 else f", T={r0['timesteps']}, "
                     f"{r0['train_samples']} train, {r0['epochs']} ep."), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    handles, labels = {}, {}
    for ax in axes[0]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            short = lab.split(" (")[0] + (", validation protocol" if "validation" in lab else "")
            handles.setdefault(short if lab.startswith("this work, full") else lab, h)
    fig.legend(list(handles.values()), list(handles.keys()), fontsize=7, loc="upper center", ncol=3, frameon=False,
               bbox_to_anchor=(0.5, 1.0))
    return figlib.save_figure(fig, os.path.join(img_dir, "paper_tables"), rect=(0, 0, 1, 0.9))


# ---------------------------------------------------------------------------------------------
# Figures 6-8
# ---------------------------------------------------------------------------------------------

def by_timesteps(points, key):
    """{T: [(seed, report)]} using the report's timesteps (key='timesteps') or noise T_n."""
    out = {}
    for opts, seed, r, _ in points:
        if key == "timesteps":
            t = r["timesteps"]
        else:
            t = r["config"].get("noise_timesteps") if r["update_mode"] == "noise" else math.inf
        out.setdefault(t, []).append((seed, r))
    return {t: sorted(v, key=lambda sr: sr[0]) for t, v in sorted(out.items())}


def series(groups):
    """Per T: per-epoch mean/std curves and final mean/std over seeds."""
    out = []
    for t, runs in groups.items():
        curves = [curve(r) for _, r in runs]
        n_ep = min(len(c) for c in curves)
        ms = [mean_std([c[e] for c in curves]) for e in range(n_ep)]
        fm, fs = mean_std([r["test_accuracy"] for _, r in runs])
        r0 = runs[0][1]
        out.append({"T": None if t == math.inf else t, "seeds": [s for s, _ in runs],
                    "epoch_mean": [m for m, _ in ms], "epoch_std": [s for _, s in ms],
                    "final_mean": fm, "final_std": fs, "per_seed": [r["test_accuracy"] for _, r in runs],
                    "pulse": r0["config"]["pulse"], "weight_bits": r0["config"]["weight_bits"],
                    "update_mode": r0["update_mode"], "command": r0.get("command")})
    return out


def plot_fig6(plt, data, img_dir):
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    for s in data["stochastic"]:
        ep = range(1, len(s["epoch_mean"]) + 1)
        a.errorbar(ep, [100 * m for m in s["epoch_mean"]], yerr=[100 * (x or 0) for x in s["epoch_std"]],
                   marker="o", capsize=3, label=f"T = {s['T']}" + (" (past the paper)" if s["T"] > 200 else ""))
    a.set_xlabel("epoch")
    a.set_ylabel("test accuracy (%)")
    a.set_title("(a) stochastic-coincidence updates, per step (chip mode)", fontsize=9)
    a.xaxis.get_major_locator().set_params(integer=True)
    a.legend(fontsize=7)
    a.grid(alpha=0.3)
    ts = [s["T"] for s in data["stochastic"]]
    b.errorbar(ts, [100 * s["final_mean"] for s in data["stochastic"]],
               yerr=[100 * (s["final_std"] or 0) for s in data["stochastic"]], marker="o", capsize=3,
               label="stochastic (real)")
    if data.get("rate"):
        b.axhline(100 * data["rate"]["final_mean"], color="#55a868", ls="--", label="rate updates (no noise), T = 50")
    b.set_xscale("log")
    b.set_xlabel("timesteps T")
    b.set_ylabel("final test accuracy (%)")
    b.set_title("(b) final accuracy vs T", fontsize=9)
    b.axvline(200, color="grey", ls=":", lw=1)
    b.text(210, b.get_ylim()[0], " paper's limit", fontsize=7, color="grey", va="bottom")
    b.legend(fontsize=7)
    b.grid(alpha=0.3)
    fig.tight_layout()
    return figlib.save_figure(fig, os.path.join(img_dir, "paper_fig6_stochastic_T"))


def plot_fig7(plt, data, img_dir):
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.8))
    colors = ["#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3"]
    for i, t in enumerate(data["T"]):
        s = next(x for x in data["stochastic"] if x["T"] == t)
        n = next(x for x in data["noise"] if x["T"] == t)
        ep = range(1, len(s["epoch_mean"]) + 1)
        a.errorbar(ep, [100 * m for m in s["epoch_mean"]], yerr=[100 * (x or 0) for x in s["epoch_std"]],
                   color=colors[i], marker="o", capsize=3, label=f"stochastic T = {t}")
        a.errorbar(ep, [100 * m for m in n["epoch_mean"]], yerr=[100 * (x or 0) for x in n["epoch_std"]],
                   color=colors[i], marker="s", ls="--", capsize=3, label=f"noise T_n = {t}")
    a.set_xlabel("epoch")
    a.set_ylabel("test accuracy (%)")
    n_seeds = max(len(x["seeds"]) for x in data["stochastic"] + data["noise"])
    a.set_title(f"(a) real stochastic vs additive noise (mean +/- std, up to {n_seeds} seeds)", fontsize=9)
    a.xaxis.get_major_locator().set_params(integer=True)
    a.legend(fontsize=6, ncol=2)
    a.grid(alpha=0.3)
    ts = data["T"]
    for kind, marker in (("stochastic", "o"), ("noise", "s")):
        rows = [next(x for x in data[kind] if x["T"] == t) for t in ts]
        b.plot(ts, [100 * r["final_mean"] for r in rows], marker=marker, label=f"{kind}: mean")
    b.set_xscale("log")
    b.set_xlabel("T (stochastic) or T_n (noise)")
    b.set_ylabel("final test accuracy, mean (%)")
    b2 = b.twinx()
    for kind, marker in (("stochastic", "o"), ("noise", "s")):
        rows = [next(x for x in data[kind] if x["T"] == t) for t in ts]
        b2.plot(ts, [100 * (r["final_std"] or 0) for r in rows], marker=marker, ls=":", alpha=0.7,
                label=f"{kind}: std")
    b2.set_ylabel("std over seeds (%)")
    h1, l1 = b.get_legend_handles_labels()
    h2, l2 = b2.get_legend_handles_labels()
    b.legend(h1 + h2, l1 + l2, fontsize=7)
    b.set_title("(b) mean and std of the final accuracy", fontsize=9)
    b.grid(alpha=0.3)
    fig.tight_layout()
    return figlib.save_figure(fig, os.path.join(img_dir, "paper_fig7_noise_vs_stochastic"))


def plot_fig8(plt, data, img_dir):
    fig, ax = plt.subplots(figsize=(6, 3.8))
    noise = [x for x in data["noise"] if x["T"] is not None]
    ax.errorbar([x["T"] for x in noise], [100 * x["final_mean"] for x in noise],
                yerr=[100 * (x["final_std"] or 0) for x in noise], marker="s", capsize=3,
                label="rate T = 50 + additive noise of T_n steps")
    rate = next((x for x in data["noise"] if x["T"] is None), None)
    if rate:
        m, s = 100 * rate["final_mean"], 100 * (rate["final_std"] or 0)
        ax.axhline(m, color="#55a868", ls="--", label="rate updates, no noise")
        ax.axhspan(m - s, m + s, color="#55a868", alpha=0.15)
    if data.get("stochastic"):
        st = data["stochastic"]
        ax.errorbar([x["T"] for x in st], [100 * x["final_mean"] for x in st],
                    yerr=[100 * (x["final_std"] or 0) for x in st], marker="o", capsize=3, ls="none",
                    color="#c44e52", label="real stochastic (per step)")
    ax.set_xscale("log")
    ax.set_xlabel("T_n (timesteps whose coincidence noise is emulated)")
    ax.set_ylabel("final test accuracy (%)")
    ax.set_title("Long-range effect of the spike-train length (MNIST)", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return figlib.save_figure(fig, os.path.join(img_dir, "paper_fig8_noise_long_range"))


# ---------------------------------------------------------------------------------------------

def make_outputs(profile, folders, img_dir, data_dir):
    """Tables and figures from whatever sweeps have results; returns the names written."""
    plt = figlib.pyplot()
    loaded = {}
    for name, (path, doc, folder) in folders.items():
        if os.path.exists(os.path.join(folder, "results.json")):
            loaded[name] = (figlib.load_sweep_points(folder), folder, path)
    written = []
    ann_dir = os.path.join(REPO, "docs", "results")
    if "tables" in loaded:
        pts, folder, path = loaded["tables"]
        full = {key: loaded[name] for name, key in FULL_SCALE if name in loaded}
        d = tables_data(pts, folder, path, ann_dir if profile == "full" else "", full)
        d["plots"] = plot_tables(plt, d, img_dir)
        d["command"] = figlib.script_command()
        figlib.write_json(os.path.join(data_dir, "paper_tables.json"), d)
        print(tables_markdown(d))
        written.append("tables")
    stoch = []
    for name in ("stochastic", "stochastic_long"):
        if name in loaded:
            stoch += series(by_timesteps(loaded[name][0], "timesteps"))
    stoch.sort(key=lambda s: s["T"])
    noise = series(by_timesteps(loaded["noise"][0], "noise")) if "noise" in loaded else []
    rate = next((x for x in noise if x["T"] is None), None)
    srcs = {n: provenance(*loaded[n]) for n in loaded if n != "tables" and n not in dict(FULL_SCALE)}
    if stoch:
        d = {"name": "paper_fig6", "dataset": "mnist", "level": "golden", "update_mode": "stochastic",
             "stochastic": stoch, "rate": rate, "sources": srcs, "command": figlib.script_command()}
        d["plots"] = plot_fig6(plt, d, img_dir)
        figlib.write_json(os.path.join(data_dir, "paper_fig6_stochastic_T.json"), d)
        written.append("fig6")
    common = sorted({s["T"] for s in stoch} & {x["T"] for x in noise if x["T"] is not None})
    if common:
        d = {"name": "paper_fig7", "dataset": "mnist", "level": "golden", "T": common,
             "stochastic": [s for s in stoch if s["T"] in common],
             "noise": [x for x in noise if x["T"] in common], "sources": srcs, "command": figlib.script_command()}
        d["plots"] = plot_fig7(plt, d, img_dir)
        figlib.write_json(os.path.join(data_dir, "paper_fig7_noise_vs_stochastic.json"), d)
        written.append("fig7")
    if noise:
        d = {"name": "paper_fig8", "dataset": "mnist", "level": "golden", "noise": noise, "stochastic": stoch,
             "sources": srcs, "command": figlib.script_command()}
        d["plots"] = plot_fig8(plt, d, img_dir)
        figlib.write_json(os.path.join(data_dir, "paper_fig8_noise_long_range.json"), d)
        written.append("fig8")
    return written


def check(profile, names, args):
    tmp = tempfile.mkdtemp(prefix="paper_results_check_")
    failures, compared = [], 0
    try:
        for name in names:
            path, doc = sweep_doc(name, profile)
            ref_folder = figlib.sweep_output(path, doc)
            refs = {(json.dumps(o, sort_keys=True), s): (r, rp) for o, s, r, rp in figlib.load_sweep_points(ref_folder)}
            doc = copy.deepcopy(doc)
            if args.select:
                # Only the configurations whose options contain the selection: as explicit points.
                base = doc["base"]
                kept = [o for (o, _) in {(k[0], 0) for k in refs} if args.select in o]
                if not kept:
                    continue
                doc["grid"] = {}
                doc["points"] = [{k: v for k, v in json.loads(o).items() if base.get(k) != v} for o in kept]
            out = os.path.join(tmp, name)
            doc["output"] = out
            spath = os.path.join(tmp, f"paper_{name}.json")
            run_sweep(spath, doc, args.jobs, args.bin_dir, out=out, progress=not args.no_progress)
            for o, s, r, _ in figlib.load_sweep_points(out):
                ref = refs.get((json.dumps(o, sort_keys=True), s))
                label = f"{name} seed {s} {json.dumps({k: v for k, v in o.items() if doc['base'].get(k) != v})}"
                if ref is None:
                    failures.append(f"{label}: no kept reference report")
                    continue
                compared += 1
                diffs = figlib.compare(ref[0], r, rel=0.0, abs_tol=0.0)
                failures += [f"{label}: {d}" for d in diffs]
                print(f"[paper] {'MISMATCH' if diffs else 'ok'} {label}: test {100 * r['test_accuracy']:.2f} %",
                      file=sys.stderr)
    finally:
        if args.keep:
            print(f"[paper] rerun kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if compared == 0:
        failures.append("nothing compared (no selected points)")
    return figlib.report_check("paper_results", failures)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="paper_results.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("action", choices=["run", "plot", "check"])
    ap.add_argument("--profile", choices=["full", "ci"], default="full")
    ap.add_argument("--only", help=f"comma-separated subset of {','.join(NAMES)}")
    figlib.add_sweep_figure_options(ap, jobs=2, tool_name="ssnn_golden")
    args = ap.parse_args(argv)
    names = NAMES if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    bad = [n for n in names if n not in NAMES]
    if bad:
        print(f"paper_results.py: error: --only: unknown sweep {bad[0]!r} (known: {', '.join(NAMES)})", file=sys.stderr)
        return 2
    if args.action != "plot":  # plot only reads reports
        figlib.tool(args.bin_dir, "ssnn_golden")
    if args.action == "check":
        return check(args.profile, names, args)
    folders = {}
    for name in NAMES:
        path, doc = sweep_doc(name, args.profile)
        folders[name] = (path, doc, figlib.sweep_output(path, doc))
    if args.action == "run":
        for name in names:
            path, doc, _ = folders[name]
            run_sweep(path, doc, args.jobs, args.bin_dir, progress=not args.no_progress)
    full = args.profile == "full"
    tmp = None if full else tempfile.mkdtemp(prefix="paper_results_")
    img = args.img_dir or (os.path.join(REPO, "docs", "img") if full else tmp)
    data = args.data_dir or (os.path.join(REPO, "docs", "results") if full else tmp)
    written = make_outputs(args.profile, folders, img, data)
    print(f"[paper] wrote {', '.join(written) or 'nothing (no results yet)'} into "
          f"{os.path.relpath(img, REPO)} and {os.path.relpath(data, REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    figlib.run_main(main)
