#!/usr/bin/env python3
"""Merge the result records of a test set scored in chunks into one record, image for image.

A long inference run (the RTL chip scoring 10,000 images) is split with the chip testbenches'
--test-first N --test-samples M; each chunk scores its images under their own indices and sample
streams, so the chunks together are the whole run. This script checks that the chunks are one
experiment (same level, model, weights, data set and chip; commands equal but for --test-first,
--test-samples and --report) and follow each other without a gap or an overlap, then writes one
record: the predictions in image order, the summed confusion matrix and its accuracy, the summed
clock edges and cycles per phase, and every chunk's file and command (`chunks`).

  scripts/merge_test_chunks.py OUT.json CHUNK.json... [--require-complete]

--require-complete: fail unless the chunks start at image 0 and cover the whole test set (its size
from the data set: 10,000 for mnist and fashion). Without it a partial merge is written with
`complete: false` and the images covered (`test_first`, `test_samples`).
"""
import argparse
import json
import shlex
import sys

# Options whose values may differ between the chunks of one run.
CHUNK_OPTIONS = {"--test-first", "--test-samples", "--report"}
TEST_SET_SIZE = {"mnist": 10000, "fashion": 10000, "fashion-mnist": 10000, "subset": 1000}


def strip_chunk_options(command):
    """The command's words without the per-chunk options and their values."""
    words = shlex.split(command)
    out, skip = [], False
    for w in words:
        if skip:
            skip = False
            continue
        name = w.split("=", 1)[0]
        if name in CHUNK_OPTIONS:
            skip = "=" not in w
            continue
        out.append(w)
    return out


def fail(msg):
    sys.exit(f"merge_test_chunks: error: {msg}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("chunks", nargs="+")
    ap.add_argument("--require-complete", action="store_true")
    args = ap.parse_args()

    recs = []
    for path in args.chunks:
        with open(path) as f:
            r = json.load(f)
        for key in ("predictions", "confusion", "command", "test_samples"):
            if key not in r:
                fail(f"{path}: no '{key}' (not a chip testbench record)")
        if r.get("epochs", 0) != 0 or r.get("train_samples", 0) != 0:
            fail(f"{path}: a training run (chunks are inference runs with --load-weights)")
        if len(r["predictions"]) != r["test_samples"]:
            fail(f"{path}: {len(r['predictions'])} predictions for {r['test_samples']} test samples")
        recs.append((r.get("test_first", 0), path, r))
    recs.sort(key=lambda x: x[0])

    first_rec = recs[0][2]
    same = ["level", "config", "chip", "dataset", "weights", "timesteps", "hidden", "seed", "device"]
    base_cmd = strip_chunk_options(first_rec["command"])[1:]  # the program's path may differ
    expect = recs[0][0]
    for first, path, r in recs:
        for key in same:
            if r.get(key) != first_rec.get(key):
                fail(f"{path}: '{key}' differs from {recs[0][1]}'s")
        if strip_chunk_options(r["command"])[1:] != base_cmd:
            fail(f"{path}: its command differs from {recs[0][1]}'s in more than {', '.join(sorted(CHUNK_OPTIONS))}")
        if first != expect:
            fail(f"{path}: starts at test image {first}, the chunks before end at {expect} (a gap or an overlap)")
        expect = first + r["test_samples"]

    n = expect - recs[0][0]
    size = TEST_SET_SIZE.get(first_rec.get("dataset"))
    complete = recs[0][0] == 0 and size is not None and expect == size
    if args.require_complete and not complete:
        fail(f"the chunks cover test images {recs[0][0]}..{expect - 1}, not the whole test set ({size})")

    classes = len(first_rec["confusion"])
    confusion = [[0] * classes for _ in range(classes)]
    predictions = []
    edges = 0
    wall = 0.0
    cycles = {}
    checked = None
    chunks = []
    for first, path, r in recs:
        predictions += r["predictions"]
        for i in range(classes):
            for j in range(classes):
                confusion[i][j] += r["confusion"][i][j]
        wall += r.get("wall_seconds", 0.0)
        rc = r.get("rtl_chip", {})
        edges += rc.get("clock_edges", 0)
        for what, d in rc.get("cycles_by_phase", {}).items():
            acc = cycles.setdefault(what, {})
            for model in ("rtl", "systemc"):
                if model in d:
                    phases = acc.setdefault(model, {})
                    for phase, v in d[model].items():
                        phases[phase] = phases.get(phase, 0) + v
            for model in ("rtl_busy", "systemc_busy"):
                if model in d:
                    acc[model] = acc.get(model, 0) + d[model]
        if "checked" in rc:
            checked = dict(rc["checked"]) if checked is None else {k: checked[k] and rc["checked"].get(k, False) for k in checked}
        chunks.append({"file": path, "test_first": first, "test_samples": r["test_samples"], "command": r["command"],
                       "test_accuracy": r["test_accuracy"], "clock_edges": rc.get("clock_edges"),
                       "wall_seconds": r.get("wall_seconds")})
    correct = sum(confusion[i][i] for i in range(classes))

    out = {k: v for k, v in first_rec.items()
           if k not in ("predictions", "confusion", "rtl_chip", "wall_seconds", "test_samples_per_s", "test_accuracy",
                        "test_samples", "test_first", "command", "history")}
    out["command"] = " ".join(shlex.quote(w) for w in ["scripts/merge_test_chunks.py"] + sys.argv[1:])
    out["test_first"] = recs[0][0]
    out["test_samples"] = n
    out["complete"] = complete
    out["test_accuracy"] = correct / n
    out["predictions"] = predictions
    out["confusion"] = confusion
    out["wall_seconds"] = wall
    if "rtl_chip" in first_rec:
        out["rtl_chip"] = {"model": first_rec["rtl_chip"].get("model"), "checked": checked, "clock_edges": edges,
                           "cycles_by_phase": cycles}
    out["chunks"] = chunks
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2, sort_keys=True)
        f.write("\n")
    print(f"{args.out}: {len(recs)} chunks, test images {recs[0][0]}..{expect - 1} ({n}), "
          f"accuracy {100.0 * correct / n:.2f} % ({correct} / {n}){'' if complete else ', partial'}")


if __name__ == "__main__":
    main()
