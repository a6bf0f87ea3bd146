#!/usr/bin/env python3
"""Print a golden-model training record (docs/results/*.json) as the Markdown used in docs/results.md.

Usage: scripts/golden_run_table.py docs/results/<record>.json
"""
import json
import sys


def main(path):
    r = json.load(open(path))
    c = r["config"]
    hist = r.get("history", [])
    best = max((e.get("test_accuracy", 0) for e in hist), default=0)
    print(f"**{100 * r['test_accuracy']:.2f} %** test accuracy after {r['epochs']} epochs "
          f"(best epoch {100 * best:.2f} %), {r['wall_seconds']:.0f} s wall. Record: `{path.split('docs/')[-1]}`.\n")
    print("```sh\n" + r["command"] + "\n```\n")
    print("| epoch | pulse | acc. while presented % | test acc. % | hidden spikes | hidden gradient spikes | pulses up+down | train s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    pulses = c["pulse"]
    for e in hist:
        a = e["train_activity"]
        n = e["epoch"]
        p = pulses[min(n - 1, len(pulses) - 1)]
        grad = a["grad_pos_spikes_per_sample"][1] + a["grad_neg_spikes_per_sample"][1]
        pulse_count = a["pulses_up_per_sample"] + a["pulses_down_per_sample"]
        print(f"| {n} | {p} | {100 * e['train_accuracy']:.2f} | {100 * e.get('test_accuracy', 0):.2f} | "
              f"{a['forward_spikes_per_sample'][1]:.0f} | {grad:.0f} | {pulse_count:.0f} | {e['train_seconds']:.0f} |")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: golden_run_table.py RECORD.json")
    main(sys.argv[1])
