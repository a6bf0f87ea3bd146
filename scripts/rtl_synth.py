"""The yosys flow of the RTL, shared by scripts/rtl_area.sh (area, depth) and
scripts/rtl_netlist_check.py (netlist against RTL): which files are read, the memory wrapper as a
black box (a memory compiler's macro replaces it in silicon), and generic synthesis of one top."""
import os

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTL = os.path.join(REPO, "rtl")
MEMORY = os.path.join(RTL, "ssnn_mem.sv")


def sources():
    """The package first, then every other RTL file except the memory wrapper."""
    skip = {"ssnn_pkg.sv", "ssnn_mem.sv"}
    return [os.path.join(RTL, "ssnn_pkg.sv")] + sorted(
        os.path.join(RTL, f) for f in os.listdir(RTL) if f.startswith("ssnn_") and f.endswith(".sv") and f not in skip)


def synth_script(module, params):
    """yosys commands reading the RTL and synthesizing `module` flat, with these parameters."""
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    return (f"read_verilog -sv -lib {MEMORY}; read_verilog -sv {' '.join(sources())}; "
            f"hierarchy -check -top {module} {chparams}; synth -top {module} -flatten")
