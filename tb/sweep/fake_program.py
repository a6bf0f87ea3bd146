#!/usr/bin/python3
"""A stand-in for ssnn_golden in the sweep runner's tests: takes the runner's options, writes a
report in the results format whose accuracy depends only on --seed and --value.

FAKE_SLEEP=S      sleep S seconds before the report (default 0)
FAKE_PARTIAL=1    first write half a report (not atomically) with this process id, then sleep
FAKE_FAIL_SEED=N  exit 3 without a report for seed N
"""
import argparse
import json
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--report", required=True)
ap.add_argument("--no-progress", action="store_true")
ap.add_argument("--value", type=float, default=0.5)
ap.add_argument("--flag", action="store_true")
args = ap.parse_args()

if os.environ.get("FAKE_FAIL_SEED") == str(args.seed):
    print("fake_program: failing on purpose", file=sys.stderr)
    sys.exit(3)
report = {"seed": args.seed, "pid": os.getpid(),
          "test_accuracy": round(args.value + 0.01 * args.seed + (0.1 if args.flag else 0.0), 6),
          "history": [{"epoch": 1, "train_accuracy": args.value / 2, "test_accuracy": args.value}],
          "wall_seconds": 0.01}
text = json.dumps(report, indent=2)
if os.environ.get("FAKE_PARTIAL") == "1":
    with open(args.report, "w") as f:
        f.write(text[: len(text) // 2])
time.sleep(float(os.environ.get("FAKE_SLEEP", "0")))
with open(args.report + ".tmp", "w") as f:
    f.write(text)
os.replace(args.report + ".tmp", args.report)
print(f"fake_program: seed {args.seed} accuracy {report['test_accuracy']}")
