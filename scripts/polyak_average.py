#!/usr/bin/python3
"""Polyak averaging of a training run's epoch-end weights, evaluated on the test set.

  scripts/polyak_average.py RUN-epochs/ --first 37 --last 72 --dataset fashion --report out.json
  scripts/polyak_average.py A-epochs/:1-16 B-epochs/:1-12 --dataset fashion --report out.json

RUN-epochs/ is the folder `ssnn_golden train --epoch-weights` (or a sweep with "epoch_weights": true)
fills with epoch-NNN.ckpt.  The script writes the rounded element-wise mean of epochs FIRST..LAST
(`ssnn_golden average`) to RUN-epochs/mean-FIRST-LAST.ckpt, evaluates it (`ssnn_golden eval`) and
writes one record in the results format (docs/results.md) with the averaged window, every averaged
epoch's own test accuracy and their mean, so the gain of averaging over the single epochs is explicit.
Several folders (FOLDER:FIRST-LAST each; runs continued from one another's weights) average together;
the mean then goes to the first folder as mean-of-N.ckpt.
-T/--tau-divisor infer the mean at another window than trained (ssnn_golden eval -T/--tau-divisor);
--seeds also evaluates it with the inference streams of other master seeds (eval --seed), so the
record carries the spread that the stream draw alone causes beside the trained seed's accuracy.

Model selection on the validation split (docs/theory.md, "Model selection"):

  scripts/polyak_average.py RUN-epochs/ --validation 10000 --windows 1 4 8 12 -T 0 200 --dataset mnist --report out.json

scores the mean of the last K epochs for every K of --windows, inferred at every T of -T (0: the
trained T; another T keeps the trained kernel's tau in steps), on the validation split (`eval
--validation N`; the run must have trained with --validation N or more), chooses the candidate of
highest validation accuracy (ties: the one listed first, windows before T), and scores only that one
on the test set. The record lists every candidate's validation accuracy and names the rule.
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


def add_seed_spread(record, seed_accuracy):
    """The inference-stream spread: per-seed accuracies, their mean and sample std (n - 1)."""
    if not seed_accuracy:
        return
    values = list(seed_accuracy.values())
    m = sum(values) / len(values)
    record["inference_seed_accuracy"] = seed_accuracy
    record["inference_seed_mean_accuracy"] = m
    record["inference_seed_std_accuracy"] = (sum((v - m) ** 2 for v in values) / (len(values) - 1)) ** 0.5 if len(values) > 1 else 0.0


def read_json(path):
    with open(path) as f:
        return json.load(f)


def choose_on_validation(args, golden, folder, last):
    """Candidates (window, T) scored on the validation split; the best scored once on the test set."""
    if not args.windows or any(k < 1 or k > last for k in args.windows):
        raise Failure(f"--windows: give window sizes in 1..{last} (the last epoch)")
    if any(t < 0 for t in args.timesteps):
        raise Failure("-T: must not be negative")
    info = json.loads(run([golden, "info", "--weights", os.path.join(folder, f"epoch-{last:03d}.ckpt")]))
    trained_T, trained_div = info["config"]["timesteps"], info["config"]["tau_divisor"]
    candidates = []
    with tempfile.TemporaryDirectory(prefix="polyak.") as tmp:
        report = os.path.join(tmp, "eval.json")
        for k in args.windows:
            first = last - k + 1
            files = [os.path.join(folder, f"epoch-{e:03d}.ckpt") for e in range(first, last + 1)]
            missing = [f for f in files if not os.path.isfile(f)]
            if missing:
                raise Failure(f"{missing[0]}: no such epoch weights file")
            mean_path = os.path.join(folder, f"mean-{first:03d}-{last:03d}.ckpt")
            run([golden, "average", "--weights", *files, "--out", mean_path])
            for t in args.timesteps:
                T = t or trained_T
                div = trained_div * T / trained_T  # the trained kernel's tau in steps
                opts = ["--dataset", args.dataset, "--threads", str(args.threads), "--no-progress",
                        "--timesteps", str(T), "--tau-divisor", repr(div)]
                run([golden, "eval", "--weights", mean_path, "--validation", str(args.validation), *opts,
                     "--report", report])
                candidates.append({"window": [first, last], "epochs_averaged": k, "timesteps": T,
                                   "tau_divisor": div, "weights": mean_path, "opts": opts,
                                   "validation_accuracy": read_json(report)["validation_accuracy"]})
                print(f"  epochs {first}-{last} at T = {T}: validation {100 * candidates[-1]['validation_accuracy']:.2f} %",
                      file=sys.stderr)
        best = max(candidates, key=lambda c: (c["validation_accuracy"], -candidates.index(c)))
        run([golden, "eval", "--weights", best["weights"], "--test-samples", str(args.test_samples), *best["opts"],
             "--report", report])
        record = read_json(report)
        seed_accuracy = {}
        for seed in args.seeds:
            run([golden, "eval", "--weights", best["weights"], "--test-samples", str(args.test_samples), *best["opts"],
                 "--seed", str(seed), "--report", report])
            seed_accuracy[str(seed)] = read_json(report)["test_accuracy"]
    for c in candidates:
        del c["opts"], c["weights"]
    record["selection"] = {"rule": "highest validation accuracy over the candidates (ties: first listed)",
                           "validation_samples": args.validation, "chosen": candidates[candidates.index(best)],
                           "candidates": candidates}
    record["validation_accuracy"] = best["validation_accuracy"]
    record["averaged_epochs"] = best["window"]
    add_seed_spread(record, seed_accuracy)
    print(f"chosen on validation: epochs {best['window'][0]}-{best['window'][1]} at T = {best['timesteps']} "
          f"(validation {100 * best['validation_accuracy']:.2f} %): test accuracy {100 * record['test_accuracy']:.2f} %")
    return record


def write_record(args, record):
    record["command"] = "scripts/polyak_average.py " + " ".join(
        shlex.quote(os.path.relpath(a, REPO) if a in args.folders and os.path.isabs(a) else a) for a in sys.argv[1:])
    os.makedirs(os.path.dirname(os.path.abspath(args.report)), exist_ok=True)
    tmp_report = args.report + ".tmp"
    with open(tmp_report, "w") as f:
        json.dump(record, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp_report, args.report)


def main():
    ap = argparse.ArgumentParser(prog="polyak_average.py", description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", metavar="FOLDER[:FIRST-LAST]",
                    help="folder of epoch-NNN.ckpt files (train --epoch-weights), optionally with its own epochs")
    ap.add_argument("--first", type=int, help="first averaged epoch (1-based) of folders without a range")
    ap.add_argument("--last", type=int, help="last averaged epoch (inclusive) of folders without a range")
    ap.add_argument("--dataset", default="subset", help="data set to evaluate on (ssnn_golden --dataset)")
    ap.add_argument("--test-samples", type=int, default=0, help="use only the first N test samples (0: all)")
    ap.add_argument("--threads", type=int, default=0, help="evaluation threads (0: all cores)")
    ap.add_argument("-T", "--timesteps", type=int, nargs="+", default=[0],
                    help="infer the mean with this T (0: the trained T); with --validation, the candidate Ts")
    ap.add_argument("--validation", type=int, default=0, metavar="N",
                    help="choose the window (--windows) and T (-T) on the last N training images, then test once")
    ap.add_argument("--windows", type=int, nargs="+", default=[],
                    help="with --validation: candidate window sizes K (the mean of the last K epochs up to --last)")
    ap.add_argument("--tau-divisor", type=float, default=0, help="infer with kernel tau = T / this (0: the trained divisor)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[],
                    help="also evaluate the mean with the inference streams of these master seeds")
    ap.add_argument("--report", required=True, help="write the JSON record here")
    ap.add_argument("--bin-dir", default=os.path.join(REPO, "build", "bin"), help="folder of ssnn_golden")
    args = ap.parse_args()
    try:
        if args.validation < 0:
            raise Failure("--validation must not be negative")
        golden = os.path.join(args.bin_dir, "ssnn_golden")
        if args.validation:
            if len(args.folders) != 1 or ":" in args.folders[0] and not os.path.isdir(args.folders[0]):
                raise Failure("--validation: give one folder of epoch weights (its window sizes come from --windows)")
            if not os.access(golden, os.X_OK):
                raise Failure(f"--bin-dir: {args.bin_dir}: no ssnn_golden there (build first)")
            folder = args.folders[0]
            last = args.last
            if last is None:
                found = [int(n[6:9]) for n in os.listdir(folder) if n.startswith("epoch-") and n.endswith(".ckpt")]
                if not found:
                    raise Failure(f"{folder}: no epoch-NNN.ckpt files")
                last = max(found)
            write_record(args, choose_on_validation(args, golden, folder, last))
            return 0
        if len(args.timesteps) != 1:
            raise Failure("-T: one value (several only with --validation)")
        args.timesteps = args.timesteps[0]
        windows = []  # (folder, first, last)
        for spec in args.folders:
            folder, sep, rng = spec.rpartition(":")
            if sep and "-" in rng and not os.path.isdir(spec):
                a, _, b = rng.partition("-")
                try:
                    first, last = int(a), int(b)
                except ValueError:
                    raise Failure(f"{spec}: the range must be FIRST-LAST, e.g. {folder}:1-16")
            else:
                folder, first, last = spec, args.first, args.last
                if first is None or last is None:
                    raise Failure(f"{spec}: give --first and --last, or FOLDER:FIRST-LAST")
            if first < 1 or last < first:
                raise Failure(f"{spec}: epochs {first}..{last}: need 1 <= first <= last")
            windows.append((folder, first, last))
        if args.test_samples < 0 or args.threads < 0:
            raise Failure("--test-samples and --threads must not be negative")
        if args.timesteps < 0 or not args.tau_divisor >= 0 or any(x < 0 for x in args.seeds):
            raise Failure("--timesteps, --tau-divisor and --seeds must not be negative")
        golden = os.path.join(args.bin_dir, "ssnn_golden")
        if not os.access(golden, os.X_OK):
            raise Failure(f"--bin-dir: {args.bin_dir}: no ssnn_golden there (build first)")
        files, labels = [], []
        for folder, first, last in windows:
            # With several runs an epoch is named by its run: "<run key>/<folder>:<epoch>".
            where = os.path.abspath(folder)
            run_name = f"{os.path.basename(os.path.dirname(where))}/{os.path.basename(where)}:"
            for e in range(first, last + 1):
                files.append(os.path.join(folder, f"epoch-{e:03d}.ckpt"))
                labels.append(str(e) if len(windows) == 1 else run_name + str(e))
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise Failure(f"{missing[0]}: no such epoch weights file ({len(missing)} of {len(files)} missing)")
        epoch_accuracy = {}
        for label, f in zip(labels, files):
            info = json.loads(run([golden, "info", "--weights", f]))
            epochs = info.get("history", {}).get("epochs", []) if isinstance(info.get("history"), dict) else []
            if epochs and epochs[-1].get("test_accuracy", -1) >= 0:
                epoch_accuracy[label] = epochs[-1]["test_accuracy"]
            last_info = info
        first_folder, first, last = windows[0]
        name = f"mean-{first:03d}-{last:03d}.ckpt" if len(windows) == 1 else f"mean-of-{len(files)}.ckpt"
        mean_path = os.path.join(first_folder, name)
        run([golden, "average", "--weights", *files, "--out", mean_path])
        evaluate = [golden, "eval", "--weights", mean_path, "--dataset", args.dataset, "--test-samples",
                    str(args.test_samples), "--threads", str(args.threads), "--no-progress",
                    "--timesteps", str(args.timesteps), "--tau-divisor", repr(args.tau_divisor)]
        with tempfile.TemporaryDirectory(prefix="polyak.") as tmp:
            eval_report = os.path.join(tmp, "eval.json")
            run(evaluate + ["--report", eval_report])
            with open(eval_report) as f:
                record = json.load(f)
            seed_accuracy = {}
            for seed in args.seeds:
                run(evaluate + ["--seed", str(seed), "--report", eval_report])
                with open(eval_report) as f:
                    seed_accuracy[str(seed)] = json.load(f)["test_accuracy"]
        add_seed_spread(record, seed_accuracy)
        history = last_info["history"]["epochs"] if isinstance(last_info.get("history"), dict) else []
        record["epochs"] = windows[-1][2]  # the last averaged epoch of the last (latest) run
        # Histories keep rate and time per epoch, not the count: their product is the training-set size.
        record["train_samples"] = (round(history[-1].get("train_samples_per_s", 0) * history[-1].get("train_seconds", 0))
                                   if history else 0)
        record["averaged_epochs"] = ([first, last] if len(windows) == 1 else
                                     [{"folder": f, "first": a, "last": b} for f, a, b in windows])
        record["epoch_test_accuracy"] = epoch_accuracy  # from the training run's history (its test set and T)
        if epoch_accuracy:
            values = list(epoch_accuracy.values())
            record["mean_epoch_test_accuracy"] = sum(values) / len(values)
            record["last_epoch_test_accuracy"] = epoch_accuracy.get(labels[-1])
        write_record(args, record)
        mean = record.get("mean_epoch_test_accuracy")
        what = f"epochs {first}-{last}" if len(windows) == 1 else f"{len(files)} epochs of {len(windows)} runs"
        print(f"mean of {what}: test accuracy {100 * record['test_accuracy']:.2f} % at T = {record['timesteps']}"
              + (f" (the single epochs: mean {100 * mean:.2f} %, last {100 * record['last_epoch_test_accuracy']:.2f} %)"
                 if mean is not None and record.get("last_epoch_test_accuracy") is not None else ""))
        if seed_accuracy:
            print(f"  inference seeds {' '.join(seed_accuracy)}: mean {100 * record['inference_seed_mean_accuracy']:.2f} %"
                  f" +/- {100 * record['inference_seed_std_accuracy']:.2f} (std)")
    except (Failure, OSError, ValueError, KeyError) as e:
        print(f"polyak_average.py: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
