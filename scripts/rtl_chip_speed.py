#!/usr/bin/env python3
"""CPU time of the RTL chip testbench on one run, for two builds side by side (before / after a change).

Runs each binary on the same arguments, alternating, --runs times, and takes each run's user CPU time
from the kernel (wait4 rusage: on a loaded machine wall time says little) and its clock edges from the
testbench's summary line. Writes a JSON record (docs/results/) with the command, every run and the
medians.

Usage: scripts/rtl_chip_speed.py [--before BIN] --after BIN --out FILE [--runs N] [--note TEXT]
                                 [--host-edges-may-differ] -- ARGS...
Without --before, one build is measured (its CPU time and clock edges per CPU second, no speedup).
--host-edges-may-differ: the builds' testbenches drive the host port differently (for example one
request per cycle instead of one per two), so their clock edges may differ; the samples' busy cycles
must still be equal (the record keeps both edge counts).
"""
import argparse
import json
import os
import platform
import re
import statistics
import sys


def measure(binary, args):
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        out_fd = os.open(measure.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        try:
            os.execv(binary, [binary] + args)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    with open(measure.log) as f:
        out = f.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"rtl_chip_speed.py: {binary} failed:\n{out[-2000:]}")
    edges = re.search(r"(\d+) clock edges", out)
    if not edges:
        sys.exit(f"rtl_chip_speed.py: no 'clock edges' in the output of {binary}")
    phases = re.findall(r"^(?:training|inference) cycles by phase.*$", out, re.M)
    return {"user_seconds": round(usage.ru_utime, 3), "system_seconds": round(usage.ru_stime, 3),
            "clock_edges": int(edges.group(1)), "cycles_by_phase": phases}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--before", help="testbench binary before the change (none: measure --after alone)")
    ap.add_argument("--after", required=True, help="testbench binary after the change")
    ap.add_argument("--out", required=True, help="JSON record to write")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--note", default="")
    ap.add_argument("--host-edges-may-differ", action="store_true")
    ap.add_argument("args", nargs=argparse.REMAINDER, help="-- then the testbench options")
    a = ap.parse_args()
    args = a.args[1:] if a.args[:1] == ["--"] else a.args
    builds = (("before", a.before), ("after", a.after)) if a.before else (("after", a.after),)
    for _, b in builds:
        if not os.access(b, os.X_OK):
            sys.exit(f"rtl_chip_speed.py: {b} is not an executable")
    if a.runs < 1:
        sys.exit("rtl_chip_speed.py: --runs must be >= 1")
    measure.log = a.out + ".log.tmp"
    runs = {which: [] for which, _ in builds}
    for _ in range(a.runs):
        for which, binary in builds:
            runs[which].append(measure(binary, args))
            print(which, runs[which][-1], flush=True)
    os.remove(measure.log)
    med = {k: statistics.median(r["user_seconds"] for r in v) for k, v in runs.items()}
    edges = {k: v[0]["clock_edges"] for k, v in runs.items()}
    if a.before and edges["before"] != edges["after"] and not a.host_edges_may_differ:
        sys.exit(f"rtl_chip_speed.py: the builds ran different cycle counts {edges}")
    if a.before and runs["before"][0]["cycles_by_phase"] != runs["after"][0]["cycles_by_phase"]:
        sys.exit("rtl_chip_speed.py: the builds ran different cycles per phase")
    doc = {
        "level": "rtl",
        "what": ("user CPU time of bin/ssnn_rtl_chip_tb on one run, two builds alternating" if a.before
                 else "user CPU time of bin/ssnn_rtl_chip_tb on one run"),
        "command": "scripts/rtl_chip_speed.py " + " ".join(sys.argv[1:]),
        "note": a.note,
        "host": platform.node(), "loadavg_at_end": list(os.getloadavg()),
        "clock_edges": edges["after"] if edges.get("before", edges["after"]) == edges["after"] else edges,
        "runs": runs,
        "median_user_seconds": med,
        "edges_per_user_second": {k: round(edges[k] / med[k]) for k in med},
    }
    if a.before:
        doc["speedup"] = round(med["before"] / med["after"], 2)
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(json.dumps({k: doc[k] for k in ("median_user_seconds", "edges_per_user_second", "speedup") if k in doc}))


if __name__ == "__main__":
    main()
