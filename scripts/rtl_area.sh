#!/usr/bin/env bash
# Area proxy of the RTL units: yosys 0.23 generic synthesis (synth -flatten) of each unit at three
# width sets, and of the crossbar tile at several sizes, reporting cells, flip-flops, yosys' CMOS
# transistor estimate (stat -tech cmos) and logic depth (ltp -noff). The memory wrapper ssnn_mem is
# a black box (the memory compiler's macro): its bits are reported apart, not as cells.
# Writes docs/results/rtl_area.json and the table between the rtl_area markers of docs/rtl.md.
#
# Usage: scripts/rtl_area.sh [--check | --blocks | --routers | --chip | --scaling] [--jobs N] [--logs DIR]
#                            [--cache DIR]
#   --check   default widths, a small tile, the AER source and router only, docs untouched (CI check)
#   --blocks  the chip blocks only (neuron cores, encoder, AER source, controller): writes
#             docs/results/rtl_area_blocks.json and the rtl_area_blocks table of docs/rtl.md
#   --routers the AER router at four sizes: docs/results/rtl_area_router.json, rtl_area_router table
#   --chip    the whole chip (ssnn_chip_top, one yosys run per distinct module: scripts/rtl_synth_chip.py) at
#             64-32-10 in 16 x 16 tiles, without and with the rate hardware: writes
#             docs/results/rtl_area_chip.json and the rtl_area_chip table of docs/rtl.md
#   --scaling the same chip at tiles 8/16/32 and neuron-core lanes 1/2/4/8: docs/results/rtl_area_scaling.json
#             and the rtl_area_scaling table of docs/rtl.md
#   --jobs N  parallel yosys runs (default 1; the machine is shared)
#   --logs DIR  keep each yosys log (DIR/<module>-<n>.log, written as it runs: shows the pass a long run is in)
#   --cache DIR (--chip, --scaling) keep each synthesized module in DIR: a later run synthesizes only
#             the modules that changed (an interrupted run resumes)
# Every yosys run of --chip and --scaling is limited to 10 GB of address space and runs at nice 5.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHECK=0
BLOCKS=0
CHIP=0
ROUTERS=0
SCALING=0
JOBS=1
LOGS=""
CACHE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --check) CHECK=1 ;;
    --blocks) BLOCKS=1 ;;
    --chip) CHIP=1 ;;
    --routers) ROUTERS=1 ;;
    --scaling) SCALING=1 ;;
    --jobs) JOBS="$2"; shift ;;
    --logs) LOGS="$2"; shift ;;
    --cache) CACHE="$2"; shift ;;
    -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "rtl_area.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v yosys > /dev/null || { echo "rtl_area.sh: yosys not found (scripts/setup.sh installs it)" >&2; exit 1; }
if [ -n "$LOGS" ]; then
  mkdir -p "$LOGS" || { echo "rtl_area.sh: --logs: cannot create $LOGS" >&2; exit 1; }
  LOGS="$(cd "$LOGS" && pwd)"
fi
case "$JOBS" in ''|*[!0-9]*) echo "rtl_area.sh: --jobs: not a number: $JOBS" >&2; exit 2 ;; esac
if [ -n "$CACHE" ]; then
  mkdir -p "$CACHE" || { echo "rtl_area.sh: --cache: cannot create $CACHE" >&2; exit 1; }
  CACHE="$(cd "$CACHE" && pwd)"
fi
exec python3 - "$REPO" "$CHECK" "$JOBS" "$BLOCKS" "$CHIP" "$LOGS" "$ROUTERS" "$SCALING" "$CACHE" <<'PY'
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
import time

repo, check, jobs, blocks_only = sys.argv[1], sys.argv[2] == "1", int(sys.argv[3]), sys.argv[4] == "1"
chip_only = sys.argv[5] == "1"
log_dir = sys.argv[6]
routers_only = sys.argv[7] == "1"
scaling_only = sys.argv[8] == "1"
if scaling_only or chip_only:  # one yosys run per module of the chip, in rtl_synth_chip.py
    sys.path.insert(0, os.path.join(repo, "scripts"))
    import rtl_synth_chip
    sys.exit(rtl_synth_chip.main(repo, scaling_only, log_dir or None, sys.argv[9] or None))
blocks_only = blocks_only or routers_only  # neither the units nor the tiles
sys.path.insert(0, os.path.join(repo, "scripts"))
import rtl_synth  # the files read and the synthesis commands, shared with rtl_netlist_check.py

# Width sets: weights, charge, potential, step input, pulse-noise amplitude bits.
SETS = {
    "default": dict(WeightBits=16, ChargeBits=24, PotentialBits=24, InputBits=31, NoiseBits=4),
    "small": dict(WeightBits=8, ChargeBits=16, PotentialBits=16, InputBits=20, NoiseBits=2),
    "wide": dict(WeightBits=24, ChargeBits=30, PotentialBits=30, InputBits=31, NoiseBits=8),
}
NUM_OUTPUTS = 10

# (row label, module, parameters taken from the set, fixed parameters)
UNITS = [
    ("ssnn_lfsr", "ssnn_lfsr", [], {}),
    ("ssnn_spike_source", "ssnn_spike_source", [], {}),
    ("ssnn_filter_step", "ssnn_filter_step", ["ChargeBits", "InputBits"], {}),
    ("ssnn_composite_neuron (hidden)", "ssnn_composite_neuron", ["ChargeBits", "PotentialBits", "InputBits"], {}),
    ("ssnn_composite_neuron (output)", "ssnn_composite_neuron", ["ChargeBits", "PotentialBits", "InputBits"],
     {"OutputLayer": 1}),
    ("ssnn_wta (10 outputs)", "ssnn_wta", ["PotentialBits"], {"NumOutputs": NUM_OUTPUTS}),
    ("ssnn_output_layer (10 outputs)", "ssnn_output_layer", ["ChargeBits", "PotentialBits", "InputBits"],
     {"NumOutputs": NUM_OUTPUTS}),
    ("ssnn_coincidence_unit", "ssnn_coincidence_unit", ["WeightBits", "NoiseBits"], {}),
    ("ssnn_coincidence_unit (no noise)", "ssnn_coincidence_unit", ["WeightBits"], {"NoiseBits": 0}),
    ("ssnn_pulse_step", "ssnn_pulse_step", ["WeightBits"], {}),
    ("ssnn_crossbar_lane", "ssnn_crossbar_lane", ["WeightBits"], {}),
    ("ssnn_pulse_variation", "ssnn_pulse_variation", ["NoiseBits"], {}),
    ("ssnn_splitmix64", "ssnn_splitmix64", [], {}),
    ("ssnn_neuron_step (hidden)", "ssnn_neuron_step", ["ChargeBits", "PotentialBits", "InputBits"], {}),
]

# Crossbar tiles at the default widths (16-bit weights), by size: the chip's 256 x 256 default is
# beyond what yosys synthesizes here in reasonable time, so the scaling is measured on small tiles.
TILES = [
    ("ssnn_crossbar_tile 8x8", {"Rows": 8, "Cols": 8}),
    ("ssnn_crossbar_tile 16x16", {"Rows": 16, "Cols": 16}),
    ("ssnn_crossbar_tile 32x32", {"Rows": 32, "Cols": 32}),
    ("ssnn_crossbar_tile 16x16 latch-only", {"Rows": 16, "Cols": 16, "Transposed": 0}),
    ("ssnn_crossbar_tile 32x32 latch-only", {"Rows": 32, "Cols": 32, "Transposed": 0}),
]
CHECK_TILES = [TILES[0]]

# Chip blocks (--blocks), at their default parameters (64-neuron hidden core with 8 lanes, 10-class
# output core with 8 lanes, 64-pixel encoder with 4 lanes, a 64-neuron AER source, a 2-layer controller
# with 2 tiles): yosys 0.23's `hierarchy -chparam` fails on the cores and the encoder (it derives the
# neuron step twice), so their sizes are the modules' defaults.
BLOCKS = [
    ("ssnn_hidden_core (64 neurons, 8 lanes)", "ssnn_hidden_core", {}),
    ("ssnn_output_core (10 classes, 8 lanes)", "ssnn_output_core", {}),
    ("ssnn_spike_encoder (64 pixels, 4 lanes)", "ssnn_spike_encoder", {}),
    ("ssnn_aer_source (64 neurons, 1 channel)", "ssnn_aer_source", {}),
    ("ssnn_controller (2 layers, 2 tiles)", "ssnn_controller", {}),
]
CHECK_BLOCKS = [BLOCKS[3]]

# The AER router (--routers) by inputs x outputs (FIFO depth, events per cycle): its default, the
# 64-32-10 chip's, twice the channels, and shallower FIFOs with one event per cycle.
ROUTERS = [
    ("ssnn_aer_router 4x4 (FIFO 16, 2 events/cycle)", "ssnn_aer_router", {}),
    ("ssnn_aer_router 7x10 (FIFO 16, 2 events/cycle)", "ssnn_aer_router", {"NumInputs": 7, "NumOutputs": 10}),
    ("ssnn_aer_router 8x8 (FIFO 16, 2 events/cycle)", "ssnn_aer_router", {"NumInputs": 8, "NumOutputs": 8}),
    ("ssnn_aer_router 4x4 (FIFO 4, 1 event/cycle)", "ssnn_aer_router", {"FifoDepth": 4, "EventsPerCycle": 1}),
]
CHECK_ROUTERS = [ROUTERS[3]]

def tally(by_type):
    """cells, flip-flops, latches, memory macros and clock gates of a cells-by-type count."""
    by_type = dict(by_type)
    macros = by_type.pop("ssnn_mem", 0)
    gates = by_type.pop("ssnn_clock_gate", 0)
    return {"cells": sum(by_type.values()), "flip_flops": sum(n for t, n in by_type.items() if "DFF" in t or "DLATCH" in t),
            "latches": sum(n for t, n in by_type.items() if "DLATCH" in t), "memory_macros": macros,
            "clock_gates": gates, "cells_by_type": by_type}

def synth(numbered):
    number, (label, module, set_name, params) = numbered
    with tempfile.TemporaryDirectory() as tmp:
        stat_json = os.path.join(tmp, "stat.json")
        stat_cmos = os.path.join(tmp, "cmos.txt")
        mems_txt = os.path.join(tmp, "mems.txt")
        ltp_txt = os.path.join(tmp, "ltp.txt")
        # ltp cannot see through the memory black box (its read data would close a loop with its
        # write data), so the macros are removed first: their read data then start paths and
        # their address and write data end them, as registers do.
        script = (rtl_synth.synth_script(module, params) +
                  f"; tee -q -o {stat_json} stat -json; tee -q -o {stat_cmos} stat -tech cmos; "
                  f"tee -q -o {mems_txt} dump t:ssnn_mem; "
                  f"delete t:ssnn_mem t:ssnn_clock_gate; tee -q -o {ltp_txt} ltp -noff")
        log = ["-l", os.path.join(log_dir, f"{module}-{number}.log")] if log_dir else []
        start = time.monotonic()
        with open(os.path.join(tmp, "out.txt"), "w+") as out:
            proc = subprocess.Popen(["yosys", "-q", *log, "-p", script], stdout=out, stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            output = out.read()
        seconds = time.monotonic() - start
        if proc.returncode != 0:
            raise RuntimeError(f"yosys failed on {label} ({set_name}):\n{output}")
        with open(stat_json) as f:
            stat = json.load(f)
        with open(stat_cmos) as f:
            cmos = f.read()
        with open(mems_txt) as f:
            mems = f.read()
        with open(ltp_txt) as f:
            ltp = f.read()
    modules = stat["modules"]
    (mod,) = modules.values()
    row = tally(mod["num_cells_by_type"])
    row.update({
        "unit": label, "module": module, "set": set_name, "parameters": params,
        "logic_cells": row["cells"] - row["flip_flops"], "transistors_cmos": rtl_synth.transistors(cmos),
        "logic_depth": rtl_synth.logic_depth(ltp), "memory_bits": rtl_synth.memory_bits(mems, label),
        "yosys_seconds": round(seconds, 1), "yosys_cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "yosys_max_rss_mb": round(usage.ru_maxrss / 1024),
    })
    return row

jobs_list = []
for set_name, widths in ({} if blocks_only else SETS).items():
    if check and set_name != "default":
        continue
    for label, module, from_set, fixed in UNITS:
        params = {k: widths[k] for k in from_set}
        params.update(fixed)
        if set_name != "default" and not from_set:
            continue  # no width parameter: same as the default row
        jobs_list.append((label, module, set_name, params))
for label, params in ([] if blocks_only else CHECK_TILES if check else TILES):
    jobs_list.append((label, "ssnn_crossbar_tile", "default", dict(params)))
for label, module, params in (CHECK_BLOCKS + CHECK_ROUTERS if check else ROUTERS if routers_only else
                              BLOCKS if blocks_only else []):
    jobs_list.append((label, module, "default", dict(params)))

with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
    results = list(pool.map(synth, enumerate(jobs_list)))

bad = [r for r in results if r["latches"]]
if bad:
    sys.exit("rtl_area.sh: latches inferred in " + ", ".join(f"{r['unit']} ({r['set']})" for r in bad))

version = subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip()
doc = {
    "level": "rtl",
    "tool": version,
    "command": "scripts/rtl_area.sh" + (" --routers" if routers_only else " --blocks" if blocks_only else ""),
    "flow": ("read_verilog -sv -lib rtl/ssnn_mem.sv rtl/ssnn_clock_gate.sv; read_verilog -sv rtl/*.sv; hierarchy -chparam ...; "
             "synth -top <unit> -flatten; stat; stat -tech cmos; dump t:ssnn_mem (SRAM bits); "
             "delete t:ssnn_mem t:ssnn_clock_gate; ltp -noff"),
    "note": "generic yosys gates ($_AND_, $_XOR_, $_MUX_, ... and $_DFF*_), an area proxy, not a library mapping",
    "width_sets": SETS,
    "num_outputs": NUM_OUTPUTS,
    "units": results,
}

def table(rows):
    out = ["| unit | widths | cells | flip-flops | logic cells | transistors, logic only (CMOS est.) | logic depth | SRAM bits |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        p = r["parameters"]
        widths = ", ".join(f"{k}={v}" for k, v in p.items()) or "(none)"
        out.append(f"| {r['unit']} | {r['set']}: {widths} | {r['cells']} | {r['flip_flops']} | {r['logic_cells']} | "
                   f"{r['transistors_cmos'] if r['transistors_cmos'] is not None else '-'} | "
                   f"{r['logic_depth'] if r['logic_depth'] is not None else '-'} | {r['memory_bits'] or '-'} |")
    return "\n".join(out)

if check:
    print(table(results))
    print(f"rtl_area.sh --check: {len(results)} units synthesized, no latches")
    sys.exit(0)

os.makedirs(os.path.join(repo, "docs", "results"), exist_ok=True)
json_path = os.path.join(repo, "docs", "results",
                         "rtl_area_router.json" if routers_only else
                         "rtl_area_blocks.json" if blocks_only else "rtl_area.json")
with open(json_path, "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
md = table(results)
rtl_synth.write_table(md, "rtl_area_router" if routers_only else "rtl_area_blocks" if blocks_only else "rtl_area",
                      "scripts/rtl_area.sh" + (" --routers" if routers_only else " --blocks" if blocks_only else ""))
print(md)
print(f"wrote {json_path}")
PY
