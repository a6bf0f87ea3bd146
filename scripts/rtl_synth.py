"""The yosys flow of the RTL, shared by scripts/rtl_area.sh (area, depth) and
scripts/rtl_netlist_check.py (netlist against RTL): which files are read, the memory wrapper and the
clock gate as black boxes (a memory compiler's macro and a library's clock-gating cell replace them
in silicon), and generic synthesis of one top."""
import os

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
