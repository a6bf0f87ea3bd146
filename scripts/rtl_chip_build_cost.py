#!/usr/bin/env python3
"""Build cost of the big verilated RTL chips (mnist_main, shipped_1280): what Verilator emits and what
compiling it takes, for one or two RTL trees (before / after a change).

For each variant and RTL tree: verilates ssnn_chip_top as rtl/CMakeLists.txt's ssnn_rtl_chip_variant
does (same Verilator options and parameters), counts the generated C++ files and their bytes, and the
largest functions' share by kind (settle, sequential, combinational, trace); with --compile, compiles
every generated file as the build does (g++ -O3 -DNDEBUG -fPIC -std=c++17, one at a time) and sums
the compiler's user + system CPU seconds from the kernel (on a loaded machine wall time says little).
Writes a JSON record with the command.

Usage: scripts/rtl_chip_build_cost.py --out FILE [--before RTL_DIR] [--compile] [--opt-slow FLAGS]
                                      [--variants mnist_main,shipped_1280] [--only VARIANTS]
--before RTL_DIR: an older rtl/ tree (e.g. `git archive <rev> rtl | tar -x -C /tmp/old`), measured
  the same way but never compiled (the point of the change is that it took hours).
--only VARIANTS: --before and --compile apply to these variants only (comma list; default all).
--opt-slow FLAGS: with --compile, compile the *__Slow.cpp files (constructors, initial settling) with
  FLAGS instead of -O3 as well, and record both totals.
"""
import argparse
import glob
import json
import os
import platform
import re
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ssnn_rtl_chip_variant's parameters of the two optional configurations (rtl/CMakeLists.txt):
# Sizes packs layer l's size at bits [l*16 +: 16].
VARIANTS = {
    "mnist_main": dict(Layers=2, Sizes="128'h00000000000000000000000a01000310", TileRows=256, TileCols=256, Lanes=32,
                       EncoderLanes=64, FifoDepth=16, EventsPerCycle=2, WeightBits=16, ChargeBits=24, PotentialBits=24,
                       InputBits=31, NoiseBits=0, RampWords=128, RateUpdate="1'b0"),
    "shipped_1280": dict(Layers=2, Sizes="128'h00000000000000000000000a05000310", TileRows=256, TileCols=256, Lanes=32,
                         EncoderLanes=64, FifoDepth=16, EventsPerCycle=2, WeightBits=19, ChargeBits=28, PotentialBits=28,
                         InputBits=31, NoiseBits=0, RampWords=400, RateUpdate="1'b0"),
}
# As SsnnRtl.cmake's ssnn_rtl_verilate (the chip models are traced).
VERILATOR_ARGS = ["-Wall", "-Wno-fatal", "--assert", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--trace-fst", "--cc"]
CXX_FLAGS = ["-O3", "-DNDEBUG", "-fPIC", "-std=c++17", "-DVM_COVERAGE=0", "-DVM_SC=0", "-DVM_TRACE=1", "-DVM_TRACE_FST=1",
             "-DVM_TRACE_VCD=0"]


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def sources(rtl):
    units = sorted(f for f in glob.glob(os.path.join(rtl, "ssnn_*.sv")) if not f.endswith("ssnn_pkg.sv"))
    return [os.path.join(rtl, "ssnn_pkg.sv")] + units


def function_kinds(mdir):
    """Bytes of generated code by function kind (Verilator 5: _stl_sequent = settle at start-up,
    _nba_sequent / _nba_comb = evaluated at clock edges, trace_*, ctor_var_reset)."""
    kinds = {}
    for f in glob.glob(os.path.join(mdir, "*.cpp")):
        txt = open(f, errors="replace").read()
        starts = [(m.start(), m.group(1)) for m in re.finditer(r"^(?:VL_ATTR_COLD |VL_INLINE_OPT )?void (\S+)\(", txt, re.M)]
        for i, (s, name) in enumerate(starts):
            e = starts[i + 1][0] if i + 1 < len(starts) else len(txt)
            k = re.sub(r"__\d+$", "", re.sub(r"^V\w+?___024root_*", "", name))
            k = re.sub(r"__TOP.*$", "", k)
            kinds[k] = kinds.get(k, 0) + (e - s)
    return dict(sorted(kinds.items(), key=lambda kv: -kv[1])[:8])


def verilate(rtl, variant, mdir):
    params = [f"-G{k}={v}" for k, v in VARIANTS[variant].items()]
    cmd = ["verilator", "--prefix", "Vchip", "--Mdir", mdir, "--top", "ssnn_chip_top", f"-I{rtl}"] + VERILATOR_ARGS + params
    cmd += sources(rtl)
    c0, t0 = children_cpu(), time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        sys.exit(f"rtl_chip_build_cost.py: verilator failed:\n{p.stdout[-3000:]}")
    cpps = sorted(glob.glob(os.path.join(mdir, "*.cpp")))
    return {"verilator_cpu_seconds": round(children_cpu() - c0, 1), "verilator_wall_seconds": round(time.time() - t0, 1),
            "cpp_files": len(cpps), "cpp_bytes": sum(os.path.getsize(f) for f in cpps),
            "header_bytes": sum(os.path.getsize(f) for f in glob.glob(os.path.join(mdir, "*.h"))),
            "warnings": p.stdout.count("%Warning"), "bytes_by_function_kind": function_kinds(mdir)}


def compile_all(mdir, slow_flags=None):
    inc = [f"-I{mdir}", "-I/usr/share/verilator/include", "-I/usr/share/verilator/include/vltstd"]
    total = slow = 0.0
    for f in sorted(glob.glob(os.path.join(mdir, "*.cpp"))):
        flags = list(CXX_FLAGS)
        if slow_flags and f.endswith("__Slow.cpp"):
            flags = shlex.split(slow_flags) + CXX_FLAGS[2:]
        c0 = children_cpu()
        subprocess.run(["g++"] + flags + inc + ["-c", f, "-o", os.path.join(mdir, "obj.o")], check=True)
        dt = children_cpu() - c0
        total += dt
        if f.endswith("__Slow.cpp"):
            slow += dt
    return {"cpu_seconds": round(total, 1), "slow_files_cpu_seconds": round(slow, 1),
            "flags": " ".join(CXX_FLAGS) + (f"; *__Slow.cpp: {slow_flags}" if slow_flags else "")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--before")
    ap.add_argument("--compile", action="store_true")
    ap.add_argument("--opt-slow")
    ap.add_argument("--variants", default="mnist_main,shipped_1280")
    ap.add_argument("--only", help="variants that --before and --compile apply to (default: all)")
    a = ap.parse_args()
    trees = [("after", os.path.join(REPO, "rtl"))] + ([("before", os.path.abspath(a.before))] if a.before else [])
    rec = {"command": " ".join(shlex.quote(w) for w in ["scripts/rtl_chip_build_cost.py"] + sys.argv[1:]),
           "verilator": subprocess.run(["verilator", "--version"], stdout=subprocess.PIPE, text=True).stdout.strip(),
           "compiler": subprocess.run(["g++", "-dumpfullversion"], stdout=subprocess.PIPE, text=True).stdout.strip(),
           "machine": {"cores": os.cpu_count(), "cpu": platform.processor() or platform.machine(),
                       "load_average_at_start": os.getloadavg()[0]},
           "variants": {}}
    only = a.only.split(",") if a.only else a.variants.split(",")
    for variant in a.variants.split(","):
        rec["variants"][variant] = {}
        for label, rtl in trees:
            if label == "before" and variant not in only:
                continue
            mdir = tempfile.mkdtemp(prefix=f"build_cost_{variant}_{label}_")
            try:
                r = verilate(rtl, variant, mdir)
                if a.compile and label == "after" and variant in only:
                    r["compile"] = compile_all(mdir)
                    if a.opt_slow:
                        r["compile_opt_slow"] = compile_all(mdir, a.opt_slow)
                rec["variants"][variant][label] = r
                print(f"{variant} {label}: {r['cpp_files']} files, {r['cpp_bytes'] / 1e6:.1f} MB"
                      + (f", compile {r['compile']['cpu_seconds']} CPU s" if "compile" in r else ""), flush=True)
            finally:
                shutil.rmtree(mdir, ignore_errors=True)
            # Written after every measurement, so a long run leaves what it measured.
            rec["machine"]["load_average_at_end"] = os.getloadavg()[0]
            with open(a.out, "w") as f:
                json.dump(rec, f, indent=2)
                f.write("\n")


if __name__ == "__main__":
    main()
