#!/usr/bin/python3
"""Polyak averaging of a training run's epoch-end weights, evaluated on the test set.

  scripts/polyak_average.py RUN-epochs/ --first 37 --last 72 --dataset fashion --report out.json

RUN-epochs/ is the folder `ssnn_golden train --epoch-weights` (or a sweep with "epoch_weights": true)
fills with epoch-NNN.ckpt.  The script writes the rounded element-wise mean of epochs FIRST..LAST
(`ssnn_golden average`) to RUN-epochs/mean-FIRST-LAST.ckpt, evaluates it (`ssnn_golden eval`) and
writes one record in the results format (docs/results.md) with the averaged window, every averaged
epoch's own test accuracy and their mean, so the gain of averaging over the single epochs is explicit.
Errors are one line on stderr and exit code 2.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Failure(Exception):
    pass


def run(argv):
    p = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        lines = (p.stderr.strip() or p.stdout.strip() or f"exit code {p.returncode}").splitlines()
        raise Failure(lines[-1])
    return p.stdout


def main():
    ap = argparse.ArgumentParser(prog="polyak_average.py", description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="folder of epoch-NNN.ckpt files (train --epoch-weights)")
    ap.add_argument("--first", type=int, required=True, help="first averaged epoch (1-based)")
    ap.add_argument("--last", type=int, required=True, help="last averaged epoch (inclusive)")
    ap.add_argument("--dataset", default="subset", help="data set to evaluate on (ssnn_golden --dataset)")
    ap.add_argument("--test-samples", type=int, default=0, help="use only the first N test samples (0: all)")
    ap.add_argument("--threads", type=int, default=0, help="evaluation threads (0: all cores)")
    ap.add_argument("--report", required=True, help="write the JSON record here")
    ap.add_argument("--bin-dir", default=os.path.join(REPO, "build", "bin"), help="folder of ssnn_golden")
    args = ap.parse_args()
    try:
        if args.first < 1 or args.last < args.first:
            raise Failure(f"--first {args.first} / --last {args.last}: need 1 <= first <= last")
        if args.test_samples < 0 or args.threads < 0:
            raise Failure("--test-samples and --threads must not be negative")
        golden = os.path.join(args.bin_dir, "ssnn_golden")
        if not os.access(golden, os.X_OK):
            raise Failure(f"--bin-dir: {args.bin_dir}: no ssnn_golden there (build first)")
        files = [os.path.join(args.folder, f"epoch-{e:03d}.ckpt") for e in range(args.first, args.last + 1)]
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise Failure(f"{missing[0]}: no such epoch weights file ({len(missing)} of {len(files)} missing)")
        epoch_accuracy = {}
        for e, f in zip(range(args.first, args.last + 1), files):
            info = json.loads(run([golden, "info", "--weights", f]))
            epochs = info.get("history", {}).get("epochs", []) if isinstance(info.get("history"), dict) else []
            if epochs and epochs[-1].get("test_accuracy", -1) >= 0:
                epoch_accuracy[str(e)] = epochs[-1]["test_accuracy"]
            last_info = info
        mean_path = os.path.join(args.folder, f"mean-{args.first:03d}-{args.last:03d}.ckpt")
        run([golden, "average", "--weights", *files, "--out", mean_path])
        with tempfile.TemporaryDirectory(prefix="polyak.") as tmp:
            eval_report = os.path.join(tmp, "eval.json")
            run([golden, "eval", "--weights", mean_path, "--dataset", args.dataset, "--test-samples",
                 str(args.test_samples), "--threads", str(args.threads), "--no-progress", "--report", eval_report])
            with open(eval_report) as f:
                record = json.load(f)
        history = last_info["history"]["epochs"] if isinstance(last_info.get("history"), dict) else []
        record["epochs"] = args.last
        # Histories keep rate and time per epoch, not the count: their product is the training-set size.
        record["train_samples"] = (round(history[-1].get("train_samples_per_s", 0) * history[-1].get("train_seconds", 0))
                                   if history else 0)
        record["averaged_epochs"] = [args.first, args.last]
        record["epoch_test_accuracy"] = epoch_accuracy  # from the training run's history (its test set)
        if epoch_accuracy:
            values = list(epoch_accuracy.values())
            record["mean_epoch_test_accuracy"] = sum(values) / len(values)
            record["last_epoch_test_accuracy"] = epoch_accuracy.get(str(args.last))
        record["command"] = "scripts/polyak_average.py " + " ".join(
            shlex.quote(os.path.relpath(a, REPO) if a == args.folder and os.path.isabs(a) else a) for a in sys.argv[1:])
        os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
        tmp_report = args.report + ".tmp"
        with open(tmp_report, "w") as f:
            json.dump(record, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(tmp_report, args.report)
        mean = record.get("mean_epoch_test_accuracy")
        print(f"mean of epochs {args.first}-{args.last}: test accuracy {100 * record['test_accuracy']:.2f} %"
              + (f" (the single epochs: mean {100 * mean:.2f} %, last {100 * record['last_epoch_test_accuracy']:.2f} %)"
                 if mean is not None and record.get("last_epoch_test_accuracy") is not None else ""))
    except (Failure, OSError, ValueError, KeyError) as e:
        print(f"polyak_average.py: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
