#!/usr/bin/python3
"""The headline table from the records of the validation protocol (docs/theory.md, "Model selection").

  scripts/headline_table.py [--json docs/results/headline/summary.json]

For each row folder docs/results/headline/<row>/ it reads the training runs (runs/<key>/seed-N.json,
made by the sweep files sweeps/headline_<row>.json) and the selections (selected/seed-N.json, made by
scripts/polyak_average.py --validation), and prints one markdown row per row folder: the test accuracy
of the validation-chosen model as mean +/- sample std over seeds, the seeds, the validation accuracy,
the chosen candidates and, beside it, the trainer's own last-epoch test accuracy. Nothing is chosen
here: every number is the test score of a model its rule chose on validation.
"""
import argparse
import glob
import json
import os
import statistics
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS = [  # folder, title, paper
    ("mnist_rate", "MNIST, rate updates (eq. 9), WTA + dropout, T = 50", "98.65 +/- 0.04"),
    ("mnist_chip", "MNIST, the chip's stochastic coincidence updates (eq. 10), T = 50", "-"),
    ("fashion_chip", "Fashion-MNIST, chip mode, T = 100", "90.5 +/- 0.2"),
]


def pm(values):
    if not values:
        return "-"
    m = 100 * statistics.mean(values)
    s = 100 * statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{m:.2f} +/- {s:.2f}" if len(values) > 1 else f"{m:.2f}"


def row_summary(folder):
    base = os.path.join(REPO, "docs", "results", "headline", folder)
    runs = {}
    for path in glob.glob(os.path.join(base, "runs", "*", "seed-*.json")):
        r = json.load(open(path))
        runs[r["seed"]] = r
    chosen = {}
    for path in glob.glob(os.path.join(base, "selected", "seed-*.json")):
        seed = int(os.path.basename(path)[5:-5])
        chosen[seed] = json.load(open(path))
    seeds = sorted(s for s in chosen if s in runs)
    return {
        "row": folder,
        "seeds": seeds,
        "test_accuracy": [chosen[s]["test_accuracy"] for s in seeds],
        "validation_accuracy": [chosen[s]["validation_accuracy"] for s in seeds],
        "chosen": [{"seed": s, "window": chosen[s]["selection"]["chosen"]["window"],
                    "timesteps": chosen[s]["selection"]["chosen"]["timesteps"]} for s in seeds],
        "last_epoch_test_accuracy": [runs[s]["test_accuracy"] for s in sorted(runs)],
        "runs_finished": sorted(runs),
    }


def main():
    ap = argparse.ArgumentParser(prog="headline_table.py", description=__doc__.splitlines()[0])
    ap.add_argument("--json", help="also write the summary here")
    args = ap.parse_args()
    out = []
    print("| task | test accuracy %, validation-chosen (mean +/- std, seeds) | validation % | chosen (epochs averaged, T) | last epoch, test % | paper |")
    print("| --- | --- | --- | --- | --- | --- |")
    for folder, title, paper in ROWS:
        s = row_summary(folder)
        if not s["runs_finished"]:
            continue
        out.append(s)
        chosen = "; ".join(f"{c['window'][0]}-{c['window'][1]}, T = {c['timesteps']}" for c in s["chosen"]) or "-"
        link = f"[{title}](results/headline/{folder}/)"
        print(f"| {link} | **{pm(s['test_accuracy'])}** (n = {len(s['seeds'])}) | {pm(s['validation_accuracy'])} | "
              f"{chosen} | {pm(s['last_epoch_test_accuracy'])} (n = {len(s['runs_finished'])}) | {paper} |")
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(out, f, indent=2)
            f.write("\n")
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
