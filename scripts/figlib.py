"""Shared helpers of the figure scripts (scripts/fig*_*.py, hw_tradeoffs.py, paper_results.py):
running the project's tools and sweeps (scripts/sweep.py) and reading a sweep's reports, the
machine description and timing that every figure record carries, and the comparison of a rerun
with the committed record (`--check`)."""
import glob
import json
import math
import os
import platform
import re
import shlex
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BIN = os.path.join(REPO, "build", "bin")
SWEEP_PY = os.path.join(REPO, "scripts", "sweep.py")


class Error(Exception):
    """A failure a script reports as one line, `NAME: error: MESSAGE`, with exit status 2."""


def run_main(main):
    """Exits with main()'s status; an Error ends the script with one line `NAME: error: MESSAGE` on
    stderr and status 2."""
    try:
        status = main()
    except Error as e:
        print(f"{os.path.basename(sys.argv[0])}: error: {e}", file=sys.stderr)
        status = 2
    sys.exit(status)


def tool(bin_dir, name):
    """Path of a built executable; a clear one-line error if it is missing."""
    path = os.path.abspath(os.path.join(bin_dir, name))
    if not os.access(path, os.X_OK):
        sys.exit(f"{os.path.basename(sys.argv[0])}: error: {path} not found; build first "
                 f"(scripts/setup.sh) or pass --bin-dir")
    return path


def shown(argv):
    """A command as typed from the repository root (build/bin/... for the tools, paths relative)."""
    out = []
    for a in argv:
        a = str(a)
        if os.path.isabs(a) and os.sep + "bin" + os.sep in a and os.path.dirname(a).endswith("bin"):
            a = "build/bin/" + os.path.basename(a)
        elif os.path.isabs(a) and a.startswith(REPO + os.sep):
            a = os.path.relpath(a, REPO)
        out.append(a)
    return shlex.join(out)


def run(argv, log=True):
    """Run a tool, stream its stderr, fail with its message; returns (stdout, seconds)."""
    if log:
        print("$ " + shown(argv), file=sys.stderr, flush=True)
    t0 = time.time()
    p = subprocess.run([str(a) for a in argv], stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"{os.path.basename(sys.argv[0])}: error: {shown(argv)} exited with {p.returncode}")
    return p.stdout, time.time() - t0


def relative(path):
    """A path relative to the repository when it lies inside it, else as given."""
    return os.path.relpath(path, REPO) if path.startswith(REPO + os.sep) else path


def run_sweep(path, jobs, bin_dir, out=None, progress=True, tag="sweep", file=None, cwd=None):
    """Run one sweep file through scripts/sweep.py (jobs 0: sweep.py's default) in folder `cwd` (default:
    this one), echoing the command as `[tag] $ ...` on `file` (default stderr); raises Error if it fails."""
    cmd = [SWEEP_PY, path, "--bin-dir", bin_dir]
    if jobs:
        cmd += ["-j", str(jobs)]
    if out:
        cmd += ["--out", out]
    if not progress:
        cmd.append("--no-progress")
    print(f"[{tag}] $ " + shown(cmd), file=file or sys.stderr, flush=True)
    rc = subprocess.call([sys.executable] + cmd, cwd=cwd)
    if rc != 0:
        raise Error(f"sweep.py exited with status {rc} for {relative(path)}")


def sweep_output(path, doc):
    """The output folder of a sweep file `path` with content `doc` (its "output", relative to the file)."""
    return os.path.normpath(os.path.join(os.path.dirname(path), doc["output"]))


def load_sweep_points(folder, every_seed=False):
    """Every finished point of a sweep output folder, from its results table:
    [(options, seed, report, report path)]. With every_seed, each configuration's every finished seed
    (runs/<config>/seed-N.json), also those a later run of the sweep has not tabled yet."""
    res = os.path.join(folder, "results.json")
    if not os.path.exists(res):
        raise Error(f"{relative(res)}: no results table (run the sweep first)")
    table = load_json(res)
    points = []
    for row in table["rows"]:
        seeds = row.get("seeds", [])
        if every_seed:
            found = glob.glob(os.path.join(folder, "runs", row["config"], "seed-*.json"))
            seeds = sorted(int(m.group(1)) for m in (re.search(r"seed-(\d+)\.json$", f) for f in found) if m)
        for seed in seeds:
            rp = os.path.join(folder, "runs", row["config"], f"seed-{seed}.json")
            if os.path.exists(rp):
                points.append((row["options"], seed, load_json(rp), rp))
    return points


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info = {"cpu": cpu, "cores": os.cpu_count(), "system": platform.platform(),
            "python": platform.python_version()}
    try:
        info["load_average_at_start"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    return info


def script_command():
    return shown([os.path.join("scripts", os.path.basename(sys.argv[0]))] + sys.argv[1:])


def write_json(path, data):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def load_json(path):
    with open(path) as f:
        return json.load(f)


# Fields that describe the run, not its results: never compared.
NOT_COMPARED = {"command", "commands", "machine", "seconds", "wall_seconds", "date", "weights", "train_seconds",
                "test_seconds", "train_samples_per_s", "history_seconds", "plots", "tolerances"}


def compare(ref, new, rel=1e-9, abs_tol=1e-12, path="", skip=NOT_COMPARED, exact_ints=False):
    """Differences between two JSON values: numbers within rel/abs tolerance (with exact_ints, two
    integers must be equal), everything else equal. Keys in `skip` are ignored; keys only in `new`
    are ignored (a rerun may add fields)."""
    diffs = []
    if isinstance(ref, dict) and isinstance(new, dict):
        for k, v in ref.items():
            if k in skip:
                continue
            if k not in new:
                diffs.append(f"{path}/{k}: missing in the rerun")
            else:
                diffs += compare(v, new[k], rel, abs_tol, f"{path}/{k}", skip, exact_ints)
    elif isinstance(ref, list) and isinstance(new, list):
        if len(ref) != len(new):
            diffs.append(f"{path}: {len(ref)} entries committed, {len(new)} in the rerun")
        else:
            for i, (a, b) in enumerate(zip(ref, new)):
                diffs += compare(a, b, rel, abs_tol, f"{path}[{i}]", skip, exact_ints)
    elif isinstance(ref, (int, float)) and isinstance(new, (int, float)) and not isinstance(ref, bool):
        close = ref == new if exact_ints and isinstance(ref, int) and isinstance(new, int) else \
            math.isclose(ref, new, rel_tol=rel, abs_tol=abs_tol)
        if not close:
            diffs.append(f"{path}: committed {ref!r}, rerun {new!r}")
    elif ref != new:
        diffs.append(f"{path}: committed {ref!r}, rerun {new!r}")
    return diffs


def report_check(name, diffs, extra_failures=()):
    """Print the outcome of a --check; returns the exit status."""
    failures = list(diffs) + list(extra_failures)
    if failures:
        print(f"{name}: CHECK FAILED ({len(failures)} differences)", file=sys.stderr)
        for d in failures[:40]:
            print("  " + d, file=sys.stderr)
        return 1
    print(f"{name}: check passed", file=sys.stderr)
    return 0


def pyplot():
    """matplotlib's pyplot on the Agg backend (no display needed); deterministic SVG output."""
    import matplotlib
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "ssnn-hw"
    matplotlib.rcParams["svg.fonttype"] = "none"
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig, stem, rect=None):
    """Lays out (within rect, leaving room for a figure legend) and closes the figure: stem.png
    (150 dpi) and stem.svg, without timestamps in the metadata. Returns the two paths, relative to
    the repository."""
    import matplotlib.pyplot as plt
    fig.tight_layout(rect=rect)
    os.makedirs(os.path.dirname(os.path.abspath(stem)), exist_ok=True)
    fig.savefig(stem + ".png", dpi=150, metadata={"Software": None})
    fig.savefig(stem + ".svg", metadata={"Date": None})
    plt.close(fig)
    return [os.path.relpath(stem + ext, REPO) for ext in (".png", ".svg")]


def add_sweep_figure_options(ap, jobs, tool_name, select_note=""):
    """The options of the scripts that run sweeps and draw figures from them (run / plot / check):
    points at once (default `jobs`), where the binaries are (`tool_name` among them), where the
    figures and their data go, and what a check reruns."""
    ap.add_argument("-j", "--jobs", type=int, default=jobs, help=f"points at once (default {jobs})")
    ap.add_argument("--bin-dir", default=os.environ.get("SSNN_BIN_DIR", DEFAULT_BIN),
                    help=f"folder of {tool_name} (default $SSNN_BIN_DIR or <repo>/build/bin)")
    ap.add_argument("--img-dir", help="figures here (default docs/img; ci profile: a temporary folder)")
    ap.add_argument("--data-dir", help="figure data JSON here (default docs/results; ci profile: a temporary folder)")
    ap.add_argument("--select", help="check: only the points whose options contain this text, e.g. "
                                     "'\"timesteps\": 16'" + select_note)
    ap.add_argument("--keep", action="store_true", help="check: keep the rerun folder")
    ap.add_argument("--no-progress", action="store_true")


def parser(doc):
    """An argparse parser whose description is the script's docstring (first paragraph in --help
    usage, the rest kept as written)."""
    import argparse
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
