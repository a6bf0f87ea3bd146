"""The yosys flow of the RTL, shared by scripts/rtl_area.sh (area, depth) and
scripts/rtl_netlist_check.py (netlist against RTL): which files are read, the memory wrapper and the
clock gate as black boxes (a memory compiler's macro and a library's clock-gating cell replace them
in silicon), and generic synthesis of one top."""
import os
import re

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTL = os.path.join(REPO, "rtl")
MEMORY = os.path.join(RTL, "ssnn_mem.sv")
CLOCK_GATE = os.path.join(RTL, "ssnn_clock_gate.sv")
MACROS = [MEMORY, CLOCK_GATE]  # read as black boxes (-lib), simulated from their behavioural models


def sources():
    """The package first, then every other RTL file except the black boxes."""
    skip = {"ssnn_pkg.sv"} | {os.path.basename(m) for m in MACROS}
    return [os.path.join(RTL, "ssnn_pkg.sv")] + sorted(
        os.path.join(RTL, f) for f in os.listdir(RTL) if f.startswith("ssnn_") and f.endswith(".sv") and f not in skip)


def synth_script(module, params, flatten=True):
    """yosys commands reading the RTL and synthesizing `module` with these parameters: flat, or
    (flatten=False) each distinct module once, its instances kept as cells."""
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    libs = "; ".join(f"read_verilog -sv -lib {m}" for m in MACROS)
    return (f"{libs}; read_verilog -sv {' '.join(sources())}; "
            f"hierarchy -check -top {module} {chparams}; synth -top {module}{' -flatten' if flatten else ''}")


def transistors(stat_cmos):
    """yosys' CMOS transistor estimate from `stat -tech cmos` output (the last one printed), or None."""
    m = re.findall(r"Estimated number of transistors:\s*(\d+)", stat_cmos)
    return int(m[-1]) if m else None


def logic_depth(ltp):
    """The longest topological path from `ltp` output, or None."""
    m = re.search(r"Longest topological path in \S+ \(length=(\d+)\)", ltp)
    return int(m.group(1)) if m else None


def memory_bits(dump, what):
    """Words x DataBits summed over the memory macros in `dump t:ssnn_mem` output."""
    bits = 0
    for cell in dump.split("  cell ")[1:]:
        words = re.search(r"parameter (?:signed )?\\Words (\d+)", cell)
        data = re.search(r"parameter (?:signed )?\\DataBits (\d+)", cell)
        if not words or not data:
            raise RuntimeError(f"{what}: a memory macro without Words or DataBits:\n{cell}")
        bits += int(words.group(1)) * int(data.group(1))
    return bits


def write_table(md, marker, command):
    """Puts a table between the <!-- marker:begin (command) --> and <!-- marker:end --> lines of docs/rtl.md."""
    path = os.path.join(REPO, "docs", "rtl.md")
    begin, end = f"<!-- {marker}:begin ({command}) -->", f"<!-- {marker}:end -->"
    with open(path) as f:
        text = f.read()
    if begin not in text or end not in text:
        print(f"{path} has no {marker} markers; table not written there")
        return
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + md + "\n" + end + tail)
    print(f"updated the {marker} table in {path}")
