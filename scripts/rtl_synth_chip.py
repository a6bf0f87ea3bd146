"""Hierarchical synthesis of the RTL chip (scripts/rtl_area.sh --chip and --scaling), one yosys run per
distinct module, so that no run holds more than one module's logic.

1. Elaboration: one yosys run reads the RTL, elaborates ssnn_chip_top with the configuration's
   parameters (`hierarchy -chparam`) and writes the elaborated design (RTLIL, each parameter set of a
   module derived once).
2. Per module: a yosys run reads the elaborated design, keeps the module, turns every other module
   into a black box, synthesizes it (`synth`, generic gates) and reports its own cells (`stat`, `stat
   -tech cmos`), its memory macros (the `ssnn_mem` black box: Words x DataBits bits, a memory
   compiler's macro in silicon, counted as memory bits, not as cells) and its own logic depth (`ltp
   -noff` with its submodules and macros cut out). Modules whose elaborated text is the same but for
   their name and parameter values (the tiles' noise offsets when there is no noise hardware) are
   synthesized once; the cache also serves the other configurations of one invocation and, with a
   cache folder (rtl_area.sh --cache DIR), later invocations (keyed by the module's text, the yosys
   version and this flow).
3. Depth: the gate netlists are read back, each block of the chip top (and the chip top itself) is
   flattened and `ltp -noff` gives its longest path across its submodules' boundaries.
4. Sum: cells, flip-flops, transistors and memory bits of each module times its instances.

Cells are therefore those of a synthesis that never crosses a module boundary: no constant
propagation or sharing through ports, an upper bound of a flat synthesis of the same RTL.
Each yosys run is limited to MEMORY_LIMIT bytes of address space.
"""
import hashlib
import json
import os
import re
import resource
import subprocess
import time

import rtl_synth

MEMORY_LIMIT = 10 << 30  # bytes of address space per yosys run
CHIP = "ssnn_chip_top"


class SynthError(RuntimeError):
    pass


def yosys(script, work, what, log=None):
    """Runs yosys on a script file; returns (seconds, cpu seconds, max RSS in MB)."""
    path = os.path.join(work, "run.ys")
    with open(path, "w") as f:
        f.write(script)

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
        os.nice(5)

    start = time.monotonic()
    with open(os.path.join(work, "out.txt"), "w+") as out:
        proc = subprocess.Popen(["yosys", "-q", *(["-l", log] if log else []), "-s", path], cwd=work,
                                stdout=out, stderr=subprocess.STDOUT, preexec_fn=limit)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        output = out.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SynthError(f"yosys failed on {what} (limit {MEMORY_LIMIT >> 30} GB of memory):\n{output[-3000:]}")
    return (round(time.monotonic() - start, 1), round(usage.ru_utime + usage.ru_stime, 1),
            round(usage.ru_maxrss / 1024))


def quote(name):
    """A module name as a yosys selection argument (names of derived modules hold '$' and '\\')."""
    return name if name.startswith("$") else "\\" + name.lstrip("\\")


def split_modules(il_text):
    """{module name: its RTLIL text, attributes included} of an RTLIL file."""
    modules, pending, current, name = {}, [], None, None
    for line in il_text.splitlines(keepends=True):
        if current is None:
            if line.startswith("module "):
                name = line[len("module "):].strip()
                current = pending + [line]
                pending = []
            elif line.startswith("attribute "):
                pending.append(line)
            else:
                pending = []
            continue
        current.append(line)
        if line.startswith("end") and line.strip() == "end":
            modules[name.lstrip("\\")] = "".join(current)
            current = None
    return modules


AUTO_INDEX = re.compile(r"\$(\d+)(?![0-9A-Za-z])")


def body_key(text):
    """What a module's synthesis depends on: its text without its name and parameter declarations
    (a parameter's value shows in the text wherever the module uses it), yosys' automatic name
    indices renumbered in order of appearance (they count over the whole design)."""
    kept = [line for line in text.splitlines() if not line.startswith(("module ", "  parameter "))
            and not line.startswith("attribute \\top")]
    numbers = {}
    body = AUTO_INDEX.sub(lambda m: "$" + str(numbers.setdefault(m.group(1), len(numbers))), "\n".join(kept))
    return hashlib.sha256(body.encode()).hexdigest()[:20]


def map_cell_types(text, names):
    """RTLIL text with the cell types in `names` ({old: new}, names without the leading '\\') replaced."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("  cell "):
            cell_type, rest = line[len("  cell "):].split(" ", 1)
            if cell_type.lstrip("\\") in names:
                lines[i] = "  cell " + quote(names[cell_type.lstrip("\\")]) + " " + rest
    return "".join(lines)


def canonical_names(modules):
    """{module: canonical name}: m_<key> of its text with its submodules under their canonical names
    (equal names, equal synthesis: the tiles that differ only in unused parameters share one); the
    black boxes keep theirs."""
    names = {n: n for n in modules if base_name(n) in BLACK_BOXES}

    def visit(n):
        if n not in names:
            for c in children(modules[n], modules):
                visit(c)
            names[n] = "m_" + body_key(map_cell_types(modules[n], names))
        return names[n]

    for n in modules:
        visit(n)
    return names


def elaborate(params, work, log_dir=None):
    """Elaborates the chip top; returns the elaborated RTLIL's modules {name: text}."""
    os.makedirs(work, exist_ok=True)
    chparams = " ".join(f"-chparam {k} {v}" for k, v in params.items())
    script = "".join(f"read_verilog -sv -lib {m}\n" for m in rtl_synth.MACROS)
    script += f"read_verilog -sv {' '.join(rtl_synth.sources())}\n"
    # proc and opt_clean -purge drop the logic that drives nothing (as synth would), so that modules
    # which differ only in a parameter that feeds nothing (the tiles' noise offsets without noise
    # hardware) have the same text.
    script += f"hierarchy -check -top {CHIP} {chparams}\nproc\nopt_clean -purge\nwrite_rtlil elab.il\n"
    run = yosys(script, work, f"{CHIP} elaboration", os.path.join(log_dir, "elaborate.log") if log_dir else None)
    with open(os.path.join(work, "elab.il")) as f:
        return split_modules(f.read()), run


def read(work, name):
    with open(os.path.join(work, name)) as f:
        return f.read()


def base_name(module):
    """ssnn_x from yosys' derived name $paramod$<hash>\\ssnn_x (or ssnn_x)."""
    return module.rsplit("\\", 1)[-1]


BLACK_BOXES = {"ssnn_mem", "ssnn_clock_gate"}


# One module alone: its submodules become black boxes; its own depth with the submodule instances and
# the macros cut out (they start and end paths, as registers do).
MODULE_SCRIPT = """read_rtlil in.il
hierarchy -top {top}
blackbox A:top %n
synth -top {top}
tee -q -o stat.json stat -json
tee -q -o cmos.txt stat -tech cmos
write_rtlil net.il
tee -q -o mems.txt dump t:ssnn_mem
delete t:$paramod* t:ssnn_*
tee -q -o ltp.txt ltp -noff
"""


def children(text, modules):
    """Modules instantiated by a module's RTLIL text."""
    types = {line.split()[1].lstrip("\\") for line in text.splitlines() if line.startswith("  cell ")}
    return sorted(t for t in types if t in modules)


def subtree_text(name, modules):
    """RTLIL of a module and every module below it (what `hierarchy -top` needs)."""
    seen, todo = [], [name]
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.append(n)
            todo += children(modules[n], modules)
    return "".join(modules[n] for n in seen)


def synth_module(name, modules, work, log_dir=None):
    """One module synthesized alone (its submodules black boxes): its own cells by type (submodule
    instances included, by their module name), transistors, memory bits, logic depth and the gate
    netlist (RTLIL text of this module only)."""
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "in.il"), "w") as f:
        f.write(subtree_text(name, modules))
    script = MODULE_SCRIPT.format(top=quote(name))
    log = os.path.join(log_dir, base_name(name) + "-" + hashlib.sha1(name.encode()).hexdigest()[:8] + ".log") \
        if log_dir else None
    seconds, cpu, rss = yosys(script, work, name, log)
    with open(os.path.join(work, "stat.json")) as f:
        stat = json.load(f)["modules"]
    key = next(k for k in stat if k.lstrip("\\") == name)
    cells = stat[key]["num_cells_by_type"]
    cells = {t.lstrip("\\"): n for t, n in cells.items()}
    net = split_modules(read(work, "net.il"))
    return {"cells_by_type": cells, "transistors_cmos": rtl_synth.transistors(read(work, "cmos.txt")) or 0,
            "memory_bits": rtl_synth.memory_bits(read(work, "mems.txt"), name),
            "logic_depth": rtl_synth.logic_depth(read(work, "ltp.txt")) or 0,
            "yosys_seconds": seconds, "yosys_cpu_seconds": cpu, "yosys_max_rss_mb": rss,
            "netlist": net[name]}


def rename_module(text, new):
    """A synthesized module's text under another module's name (same body)."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith("module "):
            lines[i] = "module " + ("" if new.startswith("$") else "\\") + new + "\n"
            break
    return "".join(lines)


def depths(netlists, blocks, work, log_dir=None):
    """Logic depth of each block (and of the chip top) over its flattened gate netlist."""
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "net.il"), "w") as f:
        f.write("".join(netlists.values()))
    script = "".join(f"read_verilog -sv -lib {m}\n" for m in rtl_synth.MACROS)
    script += "read_rtlil net.il\ndesign -save all\n"
    for i, name in enumerate(blocks):
        script += (f"design -load all\nhierarchy -top {quote(name)}\nflatten\n"
                   f"delete t:ssnn_mem t:ssnn_clock_gate\ntee -q -o ltp{i}.txt ltp -noff\n")
    run = yosys(script, work, "depth", os.path.join(log_dir, "depth.log") if log_dir else None)
    return {name: rtl_synth.logic_depth(read(work, f"ltp{i}.txt")) or 0 for i, name in enumerate(blocks)}, run


def is_flop(t):
    return "DFF" in t or "DLATCH" in t


class Cache:
    """Synthesized modules by body key: in memory, and in a folder when one is given."""

    def __init__(self, folder=None):
        self.folder, self.items = folder, {}
        version = subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip()
        self.salt = hashlib.sha256((version + MODULE_SCRIPT).encode()).hexdigest()[:12]
        if folder:
            os.makedirs(folder, exist_ok=True)

    def path(self, key):
        return os.path.join(self.folder, f"{self.salt}-{key}.json") if self.folder else None

    def get(self, key):
        if key not in self.items and self.folder and os.path.exists(self.path(key)):
            with open(self.path(key)) as f:
                self.items[key] = json.load(f)
        return self.items.get(key)

    def put(self, key, value):
        self.items[key] = value
        if self.folder:
            with open(self.path(key) + ".tmp", "w") as f:
                json.dump(value, f)
            os.replace(self.path(key) + ".tmp", self.path(key))


def synthesize_chip(params, work, cache, log_dir=None, progress=print):
    """The chip top with these parameters, hierarchically; returns its row (totals and per block).
    `cache` (a Cache) holds the synthesized modules and is shared between calls."""
    start = time.monotonic()
    modules, elab_run = elaborate(params, os.path.join(work, "elaborate"), log_dir)
    names = canonical_names(modules)
    own, runs = {}, []
    for name in sorted(modules):
        cname = names[name]
        if base_name(name) in BLACK_BOXES or cname in own:
            continue
        hit = cache.get(cname)
        if hit is None:
            progress(f"  synthesizing {name}")
            hit = synth_module(name, modules, os.path.join(work, "m", cname), log_dir)
            # Submodules under their canonical names, in the counts and in the netlist.
            hit["cells_by_type"] = {names.get(t, t): n for t, n in hit["cells_by_type"].items()}
            hit["netlist"] = rename_module(map_cell_types(hit["netlist"], names), cname)
            hit.update(module=base_name(name), source=name)
            cache.put(cname, hit)
            runs.append((name, hit))
        own[cname] = hit
    top = names[CHIP]
    instances = topo_instances(own, top)
    netlists = {n: own[n]["netlist"] for n in instances}
    blocks = [t for t in own[top]["cells_by_type"] if t in own]
    depth, depth_run = depths(netlists, [top] + blocks, os.path.join(work, "depth"), log_dir)

    def own_logic(name):
        cells = {t: n for t, n in own[name]["cells_by_type"].items() if t not in own and base_name(t) not in BLACK_BOXES}
        return cells

    def subtree(name):
        """cells, flip-flops, transistors, memory bits of one instance of `name`, submodules included."""
        cells = own_logic(name)
        total = {"cells": sum(cells.values()), "flip_flops": sum(n for t, n in cells.items() if is_flop(t)),
                 "latches": sum(n for t, n in cells.items() if "DLATCH" in t),
                 "transistors_cmos": own[name]["transistors_cmos"], "memory_bits": own[name]["memory_bits"],
                 "memory_macros": own[name]["cells_by_type"].get("ssnn_mem", 0),
                 "clock_gates": own[name]["cells_by_type"].get("ssnn_clock_gate", 0)}
        for t, n in own[name]["cells_by_type"].items():
            if t in own:
                for k, v in subtree(t).items():
                    total[k] += n * v
        return total

    row = subtree(top)
    by_block = {}
    for t in blocks:
        sub = subtree(t)
        b = by_block.setdefault(own[t]["module"], {"instances": 0, "cells": 0, "flip_flops": 0, "transistors_cmos": 0,
                                               "memory_bits": 0, "logic_depth": 0})
        n = own[top]["cells_by_type"][t]
        b["instances"] += n
        for k in ("cells", "flip_flops", "transistors_cmos", "memory_bits"):
            b[k] += n * sub[k]
        b["logic_depth"] = max(b["logic_depth"], depth[t])
    glue = own_logic(top)
    by_block["(top-level logic)"] = {"instances": 1, "cells": sum(glue.values()),
                                     "flip_flops": sum(n for t, n in glue.items() if is_flop(t)),
                                     "transistors_cmos": own[top]["transistors_cmos"],
                                     "memory_bits": own[top]["memory_bits"], "logic_depth": own[top]["logic_depth"]}
    row.update({
        "logic_cells": row["cells"] - row["flip_flops"], "logic_depth": depth[top],
        "blocks": dict(sorted(by_block.items(), key=lambda kv: -kv[1]["cells"])),
        "modules": [{"module": own[n]["module"], "synthesized_as": n, "instances": instances[n],
                     "own_cells": sum(own_logic(n).values()), "own_transistors_cmos": own[n]["transistors_cmos"],
                     "own_memory_bits": own[n]["memory_bits"], "own_logic_depth": own[n]["logic_depth"],
                     "yosys_cpu_seconds": own[n]["yosys_cpu_seconds"],
                     "yosys_max_rss_mb": own[n]["yosys_max_rss_mb"]} for n in instances],
        "yosys_runs": len(runs) + 2,
        "yosys_cpu_seconds": round(elab_run[1] + depth_run[1] + sum(r["yosys_cpu_seconds"] for _, r in runs), 1),
        "yosys_max_rss_mb": max([elab_run[2], depth_run[2]] + [r["yosys_max_rss_mb"] for _, r in runs]),
        "wall_seconds": round(time.monotonic() - start, 1),
    })
    return row


def topo_instances(own, top):
    """Instances of each module below the chip top (the top counts one)."""
    children = {n: {t: k for t, k in own[n]["cells_by_type"].items() if t in own} for n in own}
    order, seen = [], set()

    def visit(n):
        if n in seen:
            return
        seen.add(n)
        for c in children[n]:
            visit(c)
        order.append(n)

    visit(top)
    instances = {n: 0 for n in order}
    instances[top] = 1
    for n in reversed(order):  # parents before children
        for c, k in children[n].items():
            instances[c] += k * instances[n]
    return instances


# --chip: the chip top's small configuration (64-32-10 in 16 x 16 tiles: 8 latch-only tiles of the
# first layer, 2 that keep W^T; 8 neuron lanes, a 7 x 10 router, 16 encoder lanes), without and with
# the rate hardware (T <= 16).
CHIPS = [
    ("64-32-10, 16x16 tiles, stochastic updates", dict(RateUpdate=0)),
    ("64-32-10, 16x16 tiles, stochastic and rate updates (T <= 16)", dict(RateUpdate=1, RampWords=16)),
]
# --scaling: the first configuration with other neuron-core lanes, encoder lanes and tile sizes (the
# cheap points first: the base is --chip's first configuration, and the lanes change one block only).
SCALING = [
    ("tiles 16x16, 8 lanes", dict(RateUpdate=0)),
    ("tiles 16x16, 4 lanes", dict(RateUpdate=0, Lanes=4)),
    ("tiles 16x16, 2 lanes", dict(RateUpdate=0, Lanes=2)),
    ("tiles 16x16, 1 lane", dict(RateUpdate=0, Lanes=1)),
    ("tiles 16x16, 8 lanes, 4 encoder lanes", dict(RateUpdate=0, EncoderLanes=4)),
    ("tiles 16x16, 8 lanes, 64 encoder lanes", dict(RateUpdate=0, EncoderLanes=64)),
    ("tiles 32x32, 8 lanes", dict(RateUpdate=0, TileRows=32, TileCols=32)),
    ("tiles 8x8, 8 lanes", dict(RateUpdate=0, TileRows=8, TileCols=8)),
]


def totals_table(rows):
    out = ["| configuration | cells | flip-flops | logic cells | transistors, logic only (CMOS est.) | logic depth | "
           "SRAM bits | memory macros |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    out += [f"| {r['configuration']} | {r['cells']:,} | {r['flip_flops']:,} | {r['logic_cells']:,} | "
            f"{r['transistors_cmos']:,} | {r['logic_depth']} | {r['memory_bits']:,} | {r['memory_macros']} |" for r in rows]
    return "\n".join(out)


def blocks_table(row):
    out = [f"{row['configuration']}, by block (instances x one instance, summed; depth: the block flattened)", "",
           "| block | instances | cells | flip-flops | transistors (CMOS est.) | logic depth | SRAM bits | share of cells |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    out += [f"| {name} | {b['instances']} | {b['cells']:,} | {b['flip_flops']:,} | {b['transistors_cmos']:,} | "
            f"{b['logic_depth']} | {b['memory_bits']:,} | {100.0 * b['cells'] / row['cells']:.1f} % |"
            for name, b in row["blocks"].items()]
    return "\n".join(out)


def write_record(repo, scaling, rows, seconds, complete):
    """docs/results/rtl_area_{chip,scaling}.json and its table in docs/rtl.md (after every configuration,
    so an interrupted run leaves the configurations it finished, marked incomplete)."""
    command = "scripts/rtl_area.sh " + ("--scaling" if scaling else "--chip")
    doc = {
        "level": "rtl",
        "tool": subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip(),
        "command": command,
        "flow": ("read_verilog -sv -lib rtl/ssnn_mem.sv rtl/ssnn_clock_gate.sv; read_verilog -sv rtl/*.sv; "
                 "hierarchy -top ssnn_chip_top -chparam ...; proc; opt_clean -purge; write_rtlil; then per distinct "
                 "module: read_rtlil; hierarchy -top <module>; blackbox (every other module); synth -top <module>; "
                 "stat -json; stat -tech cmos; dump t:ssnn_mem (SRAM bits); ltp -noff (own depth); then per block: "
                 "its gate netlists flattened, delete t:ssnn_mem t:ssnn_clock_gate, ltp -noff"),
        "note": ("generic yosys gates, an area proxy, not a library mapping; each module synthesized alone "
                 "(no optimization across module ports: an upper bound of a flat synthesis); memories are the "
                 "ssnn_mem macro, counted as SRAM bits, not as cells or flip-flops; transistors: logic only"),
        "memory_limit_bytes_per_run": MEMORY_LIMIT,
        "complete": complete,
        "configurations_planned": [label for label, _ in (SCALING if scaling else CHIPS)],
        "wall_seconds": round(seconds, 1),
        "configurations": rows,
    }
    name = "rtl_area_scaling" if scaling else "rtl_area_chip"
    path = os.path.join(repo, "docs", "results", name + ".json")
    with open(path + ".tmp", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(path + ".tmp", path)
    md = totals_table(rows)
    if not scaling:
        md += "\n\n" + "\n\n".join(blocks_table(r) for r in rows)
    rtl_synth.write_table(md, name, command)
    return md, path


def main(repo, scaling, log_dir=None, cache_dir=None):
    import tempfile
    configs = SCALING if scaling else CHIPS
    cache, rows = Cache(cache_dir), []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="rtl_chip_synth_") as tmp:
        for i, (label, params) in enumerate(configs):
            print(f"{CHIP} {label}: {json.dumps(params)}", flush=True)
            if log_dir:
                os.makedirs(os.path.join(log_dir, str(i)), exist_ok=True)
            try:
                row = synthesize_chip(params, os.path.join(tmp, str(i)), cache,
                                      os.path.join(log_dir, str(i)) if log_dir else None,
                                      progress=lambda s: print(s, flush=True))
            except SynthError as e:
                print(f"rtl_area.sh: {e}")
                return 1
            if row["latches"]:
                print(f"rtl_area.sh: latches inferred in {label}")
                return 1
            rows.append(dict({"configuration": label, "module": CHIP, "parameters": params}, **row))
            print(f"  {row['cells']:,} cells, {row['flip_flops']:,} flip-flops, {row['transistors_cmos']:,} transistors, "
                  f"depth {row['logic_depth']}, {row['memory_bits']:,} SRAM bits "
                  f"({row['yosys_runs']} yosys runs, {row['yosys_cpu_seconds']} CPU-s, max {row['yosys_max_rss_mb']} MB)",
                  flush=True)
            md, path = write_record(repo, scaling, rows, time.monotonic() - start, i + 1 == len(configs))
    print(md)
    print(f"wrote {path}")
    return 0
