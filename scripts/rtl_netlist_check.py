#!/usr/bin/python3
"""Gate-level check of the RTL blocks: each block is synthesized by yosys (the flow of
scripts/rtl_area.sh), its netlist written back as Verilog, and the netlist and the RTL are verilated
side by side and driven with the same random stimuli, reset included, for a number of cycles. Every
output is compared after every clock edge and after the inputs change; the first difference is
named (cycle, block, port, both values) and the run fails.

  scripts/rtl_netlist_check.py [--blocks NAME ...] [--cycles N] [--seed S] [--keep DIR] [--list] [--inject]
                               [--record]

--record writes docs/results/rtl_netlist.json and the table between the rtl_netlist markers of docs/rtl.md.

--inject flips bit 0 of one output in each netlist: every block must then fail (the check's own test).

--icarus simulates the RTL and the netlist with Icarus Verilog (iverilog -g2012, event-driven) instead
of Verilator, with the same stimuli (the testbench's random generator is the C++ one's): a second
opinion when the verilated models differ (a Verilator miscompile or a race of the cycle-based model
against a netlist error).

The memory wrapper ssnn_mem stays a black box in synthesis (a memory compiler's macro replaces it in
silicon); both models simulate its behavioural model. Assertions are compiled out (SYNTHESIS is
defined): random stimuli break the blocks' protocols on purpose, and the check is that the netlist
does what the RTL does whatever the inputs. The netlist is verilated with -fno-const-bit-op-tree
(Verilator 5.006 miscompiles some yosys netlists without it; docs/toolchain.md), and each vector
that a module assigns from its own bits (yosys reuses an output port's bits as the drivers of its
other bits: z_o[24] = ... ^ z_o[55]) is first split into one wire per bit (split_self_loops):
Verilator 5.006 orders such a vector as a combinational loop (UNOPTFLAT) and its value then depends
on earlier inputs (the controller's SplitMix64 key, docs/rtl.md).
"""
import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import rtl_synth  # noqa: E402

# Blocks checked, at small sizes: (name, module, parameters). The controller is synthesized
# hierarchically (HIERARCHICAL): its three SplitMix64 rounds are one module synthesized once, the
# netlist keeps the three instances of its gates (a third of the flat run's synthesis and
# verilation), and its 16-bit counters wrap within the run.
BLOCKS = [
    ("aer_source", "ssnn_aer_source", {}),
    ("controller", "ssnn_controller", {"CountBits": 16}),
    ("spike_encoder", "ssnn_spike_encoder", {}),
    ("hidden_core", "ssnn_hidden_core", {}),
    ("output_core", "ssnn_output_core", {}),
    ("crossbar_tile", "ssnn_crossbar_tile", {"Rows": 8, "Cols": 8}),
    ("aer_router", "ssnn_aer_router", {"NumInputs": 2, "NumOutputs": 2, "FifoDepth": 4, "Blocks": 4, "CountBits": 16}),
]
HIERARCHICAL = {"controller"}
# Blocks whose inputs are each zero in half of the cycles (else random): the controller ends a phase
# only when its blocks are idle and the event counts agree, which uniformly random inputs almost
# never give; with these the sequencer goes through every phase.
SPARSE = {"controller"}
CLOCK, RESET = "clk_i", "rst_ni"


def run(cmd, cwd, what):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r.stdout


def inject_fault(netlist, module, ports):
    """Flips bit 0 of the first output (by name) that the top module drives with an assign."""
    with open(netlist) as f:
        lines = f.read().split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith(f"module {module}("))
    last = next(i for i in range(first, len(lines)) if lines[i] == "endmodule")
    for port in sorted(n for n, (d, _) in ports.items() if d == "output"):
        for i in range(first, last):
            line = lines[i]
            head = f"  assign {port} = "
            if line.startswith(head) and line.endswith(";"):
                lines[i] = f"{head}({line[len(head):-1]}) ^ 1'b1;"
                with open(netlist, "w") as f:
                    f.write("\n".join(lines))
                return port
    raise RuntimeError("no output assign to corrupt")


DECLARATION = re.compile(r"^\s*(output|wire)\s+\[(\d+):(\d+)\]\s+(\S+);\s*$")


def split_self_loops(text):
    """Netlist text (yosys write_verilog) in which each vector that its module assigns from its own
    bits is replaced inside that module by one wire per bit, the vector assigned from them once.
    Returns (text, [module.vector split])."""
    out, split = [], []
    for chunk in re.split(r"(?m)^(?=module )", text):
        if not chunk.startswith("module "):
            out.append(chunk)
            continue
        lines = chunk.split("\n")
        module = lines[0].split()[1].split("(")[0]
        decls = {}
        for line in lines:
            m = DECLARATION.match(line)
            if m:
                decls.setdefault(m.group(4), (int(m.group(2)), int(m.group(3))))
        loops = set()
        for line in lines:
            m = re.match(r"^\s*assign (\S+?)(\[[^\]]*\])? = (.*);$", line)
            if m and m.group(1) in decls and re.search(r"(?<![\w$\\])" + re.escape(m.group(1)) + r"(?![\w$])",
                                                       m.group(3)):
                loops.add(m.group(1))
        for name in sorted(loops):
            hi, lo = decls[name]
            ref = re.compile(r"(?<![\w$\\])" + re.escape(name) + r"(?![\w$])(\[(\d+)(?::(\d+))?\])?")

            def bit(k, name=name):
                return f"{name}__bit{k}"

            def sub(m, hi=hi, lo=lo, bit=bit):
                a, b = (hi, lo) if m.group(1) is None else (int(m.group(2)), int(m.group(3) or m.group(2)))
                return bit(a) if a == b else "{" + ", ".join(bit(k) for k in range(a, b - 1, -1)) + "}"

            new = []
            for line in lines:
                d = DECLARATION.match(line)
                keep = (d and d.group(4) == name) or line.startswith("module ") or re.match(r"^\s*(input|output)\b", line)
                new.append(line if keep else ref.sub(sub, line))
            end = max(i for i, line in enumerate(new) if line.startswith("endmodule"))
            new[end:end] = ([f"  wire {bit(k)};" for k in range(lo, hi + 1)]
                            + [f"  assign {name} = {{" + ", ".join(bit(k) for k in range(hi, lo - 1, -1)) + "};"])
            lines = new
            split.append(f"{module}.{name}")
        out.append("\n".join(lines))
    return "".join(out), split


def synthesize(module, params, work, flatten=True):
    """The netlist (Verilog; flat, or every module of the hierarchy) and the top's ports
    {name: (direction, width)}."""
    netlist, ports_json = os.path.join(work, "netlist.v"), os.path.join(work, "ports.json")
    script = (rtl_synth.synth_script(module, params, flatten)
              + f"; write_verilog -noattr {netlist}; write_json {ports_json}")
    run(["yosys", "-q", "-p", script], work, f"yosys on {module}")
    with open(ports_json) as f:
        mod = json.load(f)["modules"][module]
    return netlist, {n: (p["direction"], len(p["bits"])) for n, p in mod["ports"].items()}


CTYPE_LIMIT = 64


def testbench(name, ports, cycles, seed, sparse=False):
    """C++ driving Vrtl and Vnet with the same random inputs (each zero in half of the cycles when
    `sparse`) and comparing every output; it counts the outputs that ever changed (coverage)."""
    inputs = [(n, w) for n, (d, w) in ports.items() if d == "input" and n not in (CLOCK, RESET)]
    outputs = [(n, w) for n, (d, w) in ports.items() if d == "output"]
    lines = []
    for n, w in inputs:
        if w <= CTYPE_LIMIT:
            mask = "~0ull" if w == 64 else f"((1ull << {w}) - 1)"
            lines.append(f"    {{ const uint64_t v = {'rnd() % 2 ? 0 : ' if sparse else ''}rnd() & {mask}; "
                         f"a.{n} = v; b.{n} = v; }}")
        else:
            words = (w + 31) // 32
            last = w - 32 * (words - 1)
            lines.append(f"    {{ const bool zero = {'rnd() % 2' if sparse else 'false'};"
                         f" for (int i = 0; i < {words}; ++i) {{ uint32_t v = zero ? 0 : static_cast<uint32_t>(rnd());"
                         f" if (i == {words - 1}) v &= static_cast<uint32_t>((1ull << {last}) - 1);"
                         f" a.{n}[i] = v; b.{n}[i] = v; }} }}")
    drive = "\n".join(lines)
    checks = []
    for n, w in outputs:
        if w <= CTYPE_LIMIT:
            checks.append(f"  if (a.{n} != b.{n}) return differ(when, \"{n}\", std::to_string(a.{n}), "
                          f"std::to_string(b.{n}));")
        else:
            words = (w + 31) // 32
            checks.append(f"  for (int i = 0; i < {words}; ++i) if (a.{n}[i] != b.{n}[i]) return differ(when, "
                          f"\"{n}[word \" + std::to_string(i) + \"]\", std::to_string(a.{n}[i]), "
                          f"std::to_string(b.{n}[i]));")
    compare = "\n".join(checks)
    watch, slot = [], 0  # coverage: each output's last value, per 64-bit value or 32-bit word
    for i, (n, w) in enumerate(outputs):
        for word in range(1 if w <= CTYPE_LIMIT else (w + 31) // 32):
            value = f"a.{n}" if w <= CTYPE_LIMIT else f"a.{n}[{word}]"
            watch.append(f"  toggled[{i}] |= seen && last[{slot}] != {value}; last[{slot}] = {value};")
            slot += 1
    watch = "\n".join(watch)
    has_reset = RESET in ports
    return f"""// Generated by scripts/rtl_netlist_check.py: RTL against its yosys netlist, block {name}.
#include <cstdint>
#include <cstdio>
#include <string>
#include "Vrtl.h"
#include "Vnet.h"
#include "verilated.h"

static uint64_t state = {seed}ull * 0x9E3779B97F4A7C15ull + 1;
static uint64_t rnd() {{  // xorshift64*
  state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
  return state * 0x2545F4914F6CDD1Dull;
}}
static long cycle = 0;
static bool differ(const char* when, const std::string& port, const std::string& rtl, const std::string& net) {{
  std::printf("MISMATCH block {name} cycle %ld (%s): output %s: RTL %s, netlist %s\\n", cycle, when,
              port.c_str(), rtl.c_str(), net.c_str());
  return false;
}}
static bool toggled[{len(outputs)}];
static uint64_t last[{slot}];
static void note(const Vrtl& a, bool seen) {{  // which outputs ever changed (after the first reset)
{watch}
}}
static bool same(Vrtl& a, Vnet& b, const char* when) {{
{compare}
  return true;
}}

int main(int argc, char** argv) {{
  VerilatedContext ctx;
  ctx.commandArgs(argc, argv);
  Vrtl a{{&ctx, "rtl"}};
  Vnet b{{&ctx, "netlist"}};
  long resets = 0;
  for (cycle = 0; cycle < {cycles}; ++cycle) {{
    a.{CLOCK} = 0; b.{CLOCK} = 0;
{"    { const bool r = cycle < 3 || rnd() % 512 == 0; resets += r; a." + RESET + " = !r; b." + RESET + " = !r; }" if has_reset else ""}
{drive}
    a.eval(); b.eval();
    if (!same(a, b, "inputs changed")) return 1;
    a.{CLOCK} = 1; b.{CLOCK} = 1;
    a.eval(); b.eval();
    if (!same(a, b, "after the clock edge")) return 1;
    note(a, cycle > 3);
  }}
  a.final(); b.final();
  int changed = 0;
  for (bool t : toggled) changed += t;
  std::printf("block {name}: RTL and netlist equal on %ld random cycles (%ld with reset); %d of {len(outputs)} "
              "outputs changed\\n", cycle, resets, changed);
  return 0;
}}
"""


def verilate(prefix, top, files, params, work):
    """Builds a verilated model as a static library; returns its folder."""
    mdir = os.path.join(work, prefix)
    cmd = ["verilator", "--cc", "--top-module", top, "--prefix", prefix, "-Mdir", mdir, "+define+SYNTHESIS",
           f"-I{rtl_synth.RTL}",
           "-fno-const-bit-op-tree", "--x-assign", "0", "--x-initial", "0", "-Wno-fatal", "-Wno-lint",
           "-Wno-style", "-Wno-MULTIDRIVEN", "-Wno-UNOPTFLAT"]
    cmd += [f"-G{k}={v}" for k, v in params.items()] + files
    run(cmd, work, f"verilator ({prefix})")
    env = dict(os.environ)
    if shutil.which("ccache"):
        env.setdefault("OBJCACHE", "ccache")
    r = subprocess.run(["make", "-s", "-C", mdir, "-f", f"{prefix}.mk", f"{prefix}__ALL.a", "OPT_FAST=-O1"],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"building {prefix} failed:\n{r.stderr[-3000:]}")
    return mdir


def rename_netlist(netlist, prefix, keep):
    """The netlist's modules renamed prefix + name (declarations and instances; the black boxes in
    `keep` keep their names), so that the RTL and its netlist elaborate side by side."""
    with open(netlist) as f:
        text = f.read()
    names = [m.group(1) for m in re.finditer(r"^module (\S+?)\s*\(", text, re.M)]
    for name in sorted(set(names) - set(keep), key=len, reverse=True):
        new = ("\\" + prefix + name[1:]) if name.startswith("\\") else prefix + name
        text = re.sub(r"(?<![\w$\\])" + re.escape(name) + r"(?=[\s(])", lambda _m: new, text)
    return text


def icarus_testbench(name, module, ports, params, cycles, seed, sparse=False):
    """Verilog testbench for Icarus: the RTL (module) and its netlist (net_<module>) driven with the
    stimuli of the C++ testbench (same generator, same order of draws), outputs compared after the
    inputs change and after each clock edge."""
    inputs = [(n, w) for n, (d, w) in ports.items() if d == "input" and n not in (CLOCK, RESET)]
    outputs = [(n, w) for n, (d, w) in ports.items() if d == "output"]
    has_reset = RESET in ports
    decl = [f"  reg [{w - 1}:0] {n};" for n, w in inputs]
    decl += [f"  wire [{w - 1}:0] rtl_{n}, net_{n};" for n, w in outputs]
    conns = [f".{CLOCK}(clk)"] + ([f".{RESET}(rst_n)"] if has_reset else []) + [f".{n}({n})" for n, _ in inputs]
    rtl_conns = ", ".join(conns + [f".{n}(rtl_{n})" for n, _ in outputs])
    net_conns = ", ".join(conns + [f".{n}(net_{n})" for n, _ in outputs])
    chparams = ", ".join(f".{k}({v})" for k, v in params.items())
    drive = []
    for n, w in inputs:
        if w <= CTYPE_LIMIT:
            mask = "64'hFFFFFFFFFFFFFFFF" if w == 64 else f"((64'd1 << {w}) - 64'd1)"
            if sparse:
                drive.append(f"      rnd(r); if (r[0]) v = 0; else begin rnd(r); v = r & {mask}; end {n} = v[{w - 1}:0];")
            else:
                drive.append(f"      rnd(r); v = r & {mask}; {n} = v[{w - 1}:0];")
        else:
            words = (w + 31) // 32
            zero = "begin rnd(r); zero = r[0]; end" if sparse else "zero = 0;"
            drive.append(f"      {zero} for (k = 0; k < {words}; k = k + 1) begin if (zero) r = 0; else rnd(r); "
                         f"{n}[k*32 +: 32] = r[31:0]; end")
    compare = [f"      if (rtl_{n} !== net_{n}) begin $display(\"MISMATCH block {name} cycle %0d (%0s): output {n}: "
               f"RTL %0d, netlist %0d\", cycle, when, rtl_{n}, net_{n}); $finish(1); end" for n, _ in outputs]
    nl = "\n"
    reset_line = (f"      if (cycle < 3) rst = 1; else begin rnd(r); rst = (r % 512) == 0; end\n"
                  f"      resets = resets + rst; rst_n = !rst;") if has_reset else ""
    return f"""// Generated by scripts/rtl_netlist_check.py --icarus: RTL against its yosys netlist, block {name}.
`timescale 1ns/1ps
module tb;
  reg clk, rst_n, rst, zero;
  reg [63:0] state, r, v;
  integer cycle, resets, k;
  reg [8*24-1:0] when;
{nl.join(decl)}
  {module} {"#(" + chparams + ") " if chparams else ""}u_rtl ({rtl_conns});
  net_{module} u_net ({net_conns});
  task rnd(output [63:0] x);  // xorshift64*, as the C++ testbench
    begin
      state = state ^ (state >> 12); state = state ^ (state << 25); state = state ^ (state >> 27);
      x = state * 64'h2545F4914F6CDD1D;
    end
  endtask
  task check;
    begin
{nl.join(compare)}
    end
  endtask
  initial begin
    state = 64'd{seed} * 64'h9E3779B97F4A7C15 + 64'd1;
    resets = 0;
    zero = 0;
    for (cycle = 0; cycle < {cycles}; cycle = cycle + 1) begin
      clk = 0;
{reset_line}
{nl.join(drive)}
      #1; when = "inputs changed"; check;
      clk = 1;
      #1; when = "after the clock edge"; check;
    end
    $display("block {name}: RTL and netlist equal on %0d random cycles (%0d with reset) (Icarus)", cycle, resets);
    $finish(0);
  end
endmodule
"""


def check_block_icarus(name, module, params, cycles, seed, work, netlist, ports):
    """The RTL and the netlist in Icarus, side by side."""
    renamed = os.path.join(work, "netlist_net.v")
    with open(renamed, "w") as f:
        f.write(rename_netlist(netlist, "net_", ["ssnn_mem", "ssnn_clock_gate"]))
    tb = os.path.join(work, "tb.v")
    with open(tb, "w") as f:
        f.write(icarus_testbench(name, module, ports, params, cycles, seed, sparse=name in SPARSE))
    exe = os.path.join(work, "tb.vvp")
    run(["iverilog", "-g2012", "-DSYNTHESIS", f"-I{rtl_synth.RTL}", "-s", "tb", "-o", exe, tb, renamed]
        + rtl_synth.sources() + rtl_synth.MACROS, work, f"iverilog ({name})")
    r = subprocess.run(["vvp", "-n", exe], cwd=work, capture_output=True, text=True)
    out = "\n".join(line for line in r.stdout.splitlines() if line.startswith(("MISMATCH", "block ")))
    print(out or r.stderr.strip())
    ok = r.returncode == 0 and "MISMATCH" not in out
    return ok, {"block": name, "module": module, "parameters": params, "cycles": cycles, "seed": seed,
                "simulator": "icarus", "equal": ok, "result": out}


def check_block(name, module, params, cycles, seed, work, inject=False, icarus=False):
    os.makedirs(work, exist_ok=True)
    netlist, ports = synthesize(module, params, work, flatten=name not in HIERARCHICAL)
    if inject:
        print(f"block {name}: fault injected into the netlist: bit 0 of {inject_fault(netlist, module, ports)} flipped")
    if CLOCK not in ports:
        raise RuntimeError(f"{module} has no {CLOCK}")
    if icarus:
        return check_block_icarus(name, module, params, cycles, seed, work, netlist, ports)
    rtl_dir = verilate("Vrtl", module, rtl_synth.sources() + rtl_synth.MACROS, params, work)
    with open(netlist) as f:
        text, split = split_self_loops(f.read())
    if split:
        print(f"block {name}: vectors assigned from their own bits, split into bits for Verilator: {', '.join(split)}")
    netlist_v = os.path.join(work, "netlist_verilator.v")
    with open(netlist_v, "w") as f:
        f.write(text)
    net_dir = verilate("Vnet", module, [netlist_v] + rtl_synth.MACROS, {}, work)
    tb = os.path.join(work, "tb.cpp")
    with open(tb, "w") as f:
        f.write(testbench(name, ports, cycles, seed, sparse=name in SPARSE))
    inc = os.path.join(subprocess.run(["verilator", "--getenv", "VERILATOR_ROOT"], capture_output=True,
                                      text=True).stdout.strip(), "include")
    exe = os.path.join(work, "tb")
    run(["g++", "-std=c++17", "-O1", "-w", f"-I{inc}", f"-I{inc}/vltstd", f"-I{rtl_dir}", f"-I{net_dir}", tb,
         os.path.join(rtl_dir, "Vrtl__ALL.a"), os.path.join(net_dir, "Vnet__ALL.a"),
         os.path.join(inc, "verilated.cpp"), os.path.join(inc, "verilated_threads.cpp"), "-pthread", "-o", exe],
        work, f"compiling the testbench of {name}")
    r = subprocess.run([exe], cwd=work, capture_output=True, text=True)
    print(r.stdout.strip() or r.stderr.strip())
    cells = sum(1 for line in open(netlist) if line.lstrip().startswith(("assign ", "always ")))
    return r.returncode == 0, {"block": name, "module": module, "parameters": params, "cycles": cycles,
                               "seed": seed, "equal": r.returncode == 0, "result": (r.stdout or r.stderr).strip(),
                               "netlist_statements": cells, "vectors_split_for_verilator": split}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--blocks", nargs="+", metavar="NAME", help="blocks to check (default: all; --list names them)")
    ap.add_argument("--cycles", type=int, default=20000, help="random cycles per block (default 20000)")
    ap.add_argument("--seed", type=int, default=1, help="stimulus seed (default 1)")
    ap.add_argument("--keep", metavar="DIR", help="keep the netlists, models and testbenches in DIR")
    ap.add_argument("--list", action="store_true", help="list the blocks and their parameters")
    ap.add_argument("--inject", action="store_true", help="corrupt one output of each netlist: every block must fail")
    ap.add_argument("--icarus", action="store_true", help="simulate with Icarus Verilog instead of Verilator")
    ap.add_argument("--record", action="store_true", help="write docs/results/rtl_netlist.json and the docs/rtl.md table")
    args = ap.parse_args()
    if args.list:
        for name, module, params in BLOCKS:
            print(f"{name:14} {module} {json.dumps(params)}")
        return 0
    known = {b[0]: b for b in BLOCKS}
    bad = [n for n in args.blocks or [] if n not in known]
    if bad:
        print(f"rtl_netlist_check.py: error: --blocks: unknown block '{bad[0]}' (known: {', '.join(known)})",
              file=sys.stderr)
        return 2
    if args.cycles < 1:
        print("rtl_netlist_check.py: error: --cycles must be at least 1", file=sys.stderr)
        return 2
    for tool in ("yosys", "iverilog", "vvp") if args.icarus else ("yosys", "verilator", "g++", "make"):
        if not shutil.which(tool):
            print(f"rtl_netlist_check.py: error: {tool} not found (scripts/setup.sh installs it)", file=sys.stderr)
            return 2
    root = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="rtl_netlist_")
    failed, errors, records = [], [], []
    start = time.time()
    try:
        for name, module, params in [known[n] for n in args.blocks] if args.blocks else BLOCKS:
            try:
                ok, rec = check_block(name, module, params, args.cycles, args.seed, os.path.join(root, name),
                                      args.inject, args.icarus)
                records.append(rec)
            except RuntimeError as e:
                print(f"block {name}: {e}")
                errors.append(name)
                ok = False
            if not ok:
                failed.append(name)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if args.inject:  # the check of the check: every corrupted netlist must be caught
        missed = [n for n, _, _ in BLOCKS if (not args.blocks or n in args.blocks) and (n not in failed or n in errors)]
        print(f"rtl_netlist_check --inject: {'MISSED: ' + ', '.join(missed) if missed else 'every fault caught'}")
        return 1 if missed else 0
    print(f"rtl_netlist_check: {'FAILED: ' + ', '.join(failed) if failed else 'all blocks equal'}")
    if args.record and not failed:
        record(records, time.time() - start)
    return 1 if failed else 0


def record(records, seconds):
    tools = {t: subprocess.run([t, "--version" if t != "yosys" else "-V"], capture_output=True, text=True)
             .stdout.strip().split("\n")[0] for t in ("yosys", "verilator")}
    doc = {"level": "rtl", "check": "yosys netlist against RTL, verilated side by side, random stimuli and resets",
           "command": "scripts/rtl_netlist_check.py " + " ".join(sys.argv[1:]), "tools": tools,
           "machine": {"system": platform.platform(), "cores": os.cpu_count(),
                       "load_average": [round(x, 2) for x in os.getloadavg()]},
           "wall_seconds": round(seconds, 1), "blocks": records}
    path = os.path.join(REPO, "docs", "results", "rtl_netlist.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    rows = ["| block | parameters | random cycles | result |", "|---|---|---:|---|"]
    rows += [f"| `{r['module']}` | {json.dumps(r['parameters']) if r['parameters'] else 'defaults'} | "
             f"{r['cycles']:,} | equal |" for r in records]
    rtl_md = os.path.join(REPO, "docs", "rtl.md")
    text = open(rtl_md).read()
    begin, end = "<!-- rtl_netlist:begin -->", "<!-- rtl_netlist:end -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(rtl_md, "w") as f:
        f.write(head + begin + "\n" + "\n".join(rows) + "\n" + end + tail)
    print(f"wrote {os.path.relpath(path, REPO)} and the table in docs/rtl.md")


if __name__ == "__main__":
    sys.exit(main())
