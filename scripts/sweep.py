#!/usr/bin/python3
# Why one file (1,100 lines): the runner ships as one script users copy to other machines; its sections (spec, pool, MPI, table) are marked below and are the seams for the planned split into modules.
"""Sweep runner: run a grid of configurations x seeds of the golden model or the chip, on a local
process pool or across MPI ranks, and gather one results table (mean +/- std over seeds).

Usage:
  scripts/sweep.py SWEEP.json|SWEEP.toml [--out DIR] [-j N] [--bin-dir DIR]
                   [--dry-run] [--table-only] [--no-progress] [--no-mpi]
  mpirun -np 4 scripts/sweep.py SWEEP.json          (each rank runs its share; rank 0 writes the table)

The sweep file format, output layout and examples: docs/sweeps.md.
Exit status: 0 all points finished, 1 some points failed, 2 bad sweep file or usage, 130 interrupted.

Debian's python3 (/usr/bin/python3) is used on purpose: the MPI binding is Debian's python3-mpi4py.
"""
import argparse
import csv
import difflib
import errno
import hashlib
import io
import itertools
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

PROG = "sweep.py"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TOP_KEYS = {
    "name": "short name of the sweep (default: the file name without extension)",
    "description": "free text",
    "program": "golden | chip | [executable, args...]",
    "base": "options of every point",
    "grid": "option -> list of values; the cartesian product of the lists",
    "points": "list of extra configurations (options over base), each run for every seed",
    "seeds": "list of seeds, or a count n for seeds 1..n",
    "metrics": "extra table columns: name -> dotted path into the report",
    "checkpoint": "golden only: --checkpoint per point and --resume, so a killed point resumes",
    "save_weights": "keep the trained weights of every point (--save-weights)",
    "epoch_weights": "golden only: keep every epoch's end weights of every point (--epoch-weights seed-N-epochs/)",
    "timeout": "seconds a point may run before it is killed and counted as failed",
    "output": "output folder (relative to the sweep file's folder)",
}
# Options the runner sets itself.
RESERVED_OPTIONS = {"report", "seed", "checkpoint", "resume", "no-progress", "help", "help-all",
                    "save-weights", "stop-after", "epoch-weights"}
# Options that change how a point runs but not its results: not part of a point's identity.
RUN_ONLY_OPTIONS = {"threads", "train-threads", "checkpoint-every"}
PROGRAMS = {"golden": ["ssnn_golden", "train"], "chip": ["ssnn_chip_tb"]}
# Defaults the runner adds unless the sweep sets them: one core per point.
PROGRAM_DEFAULTS = {"golden": {"threads": 1, "train-threads": 1}, "chip": {}}
# Bounds on what a sweep file may ask for (a file of a few bytes can otherwise ask for a grid of
# billions of points, or numbers no program takes).
MAX_POINTS = 100_000      # configurations x seeds
INT_LIMIT = 2 ** 64       # integers (option values, seeds) lie in (-2^64, 2^64)
MAX_MESSAGE = 1000        # characters of an error message
TABLE_FILES = ("results.csv", "points.csv", "results.json", "results.md")


def one_line(text):
    """text with line breaks and other unprintable characters escaped (\\n, \\x00, \\ud800),
    shortened to MAX_MESSAGE characters."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE - 40] + " [...] " + text[-33:]
    return text


class SweepError(Exception):
    """A problem with the sweep file or the command line: one line, exit status 2."""

    def __init__(self, message):
        super().__init__(one_line(str(message)))


def os_text_ok(text):
    """Whether text can be a command-line word or a path: no NUL, encodable by the OS."""
    if "\x00" in text:
        return False
    try:
        os.fsencode(text)
    except UnicodeError:
        return False
    return True


def check_os_text(where, text):
    if not os_text_ok(text):
        raise SweepError(f"{where}: {text!r} cannot be a command-line word or a path "
                         f"(a NUL character, or characters the system cannot encode)")


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def write_atomically(path, text):
    """Write text (UTF-8) to path via a new temporary file in the same folder, fsync and rename; an
    existing path that is not a regular file is refused, and on any error (a full disk) the temporary
    file is removed and the old file kept.  Raises OSError naming the path."""
    if os.path.lexists(path) and not os.path.isfile(path):
        raise OSError(errno.EEXIST, "exists and is not a regular file (refusing to replace it)", path)
    target = os.path.realpath(path)  # a symbolic link keeps pointing to the new file
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(target) + ".tmp.", dir=os.path.dirname(target))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def dumps(obj):
    return json.dumps(obj, indent=2, sort_keys=False) + "\n"


def fmt_scalar(v):
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else str(v)
    return str(v)


def fmt_duration(s):
    if s is None or not math.isfinite(s):
        return "?"
    s = int(round(s))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def option_tokens(name, value, where):
    """The command-line words of one option; raises SweepError for a value that has none."""
    words = _option_words(name, value, where)
    for w in words:
        check_os_text(f"{where}: option '{name}'", w)
    return words


def _check_int(name, value, where):
    if isinstance(value, int) and not isinstance(value, bool) and not -INT_LIMIT < value < INT_LIMIT:
        raise SweepError(f"{where}: option '{name}': integer out of range (more than 64 bits)")


def _option_words(name, value, where):
    _check_int(name, value, where)
    if value is None or value is False:
        return []
    if value is True:
        return [f"--{name}"]
    if isinstance(value, (int, float, str)):
        return [f"--{name}", fmt_scalar(value)]
    if isinstance(value, list):
        if not value or any(isinstance(x, (bool, list, dict)) or x is None for x in value):
            raise SweepError(f"{where}: option '{name}': a list value must be a non-empty list of "
                             f"numbers or strings (it becomes '--{name} a,b,c')")
        for x in value:
            _check_int(name, x, where)
        return [f"--{name}", ",".join(fmt_scalar(x) for x in value)]
    if isinstance(value, dict):
        words = []
        for k, v in value.items():
            if isinstance(v, (bool, list, dict)) or v is None:
                raise SweepError(f"{where}: option '{name}': a table value maps names to numbers or "
                                 f"strings (it becomes '--{name} NAME=VALUE' per entry)")
            _check_int(name, v, where)
            words += [f"--{name}", f"{k}={fmt_scalar(v)}"]
        return words
    raise SweepError(f"{where}: option '{name}': unsupported value of type {type(value).__name__}")


def value_text(value):
    """A short text of an option value for labels and table columns."""
    if value is True:
        return "on"
    if value is False or value is None:
        return "off"
    if isinstance(value, list):
        return ",".join(fmt_scalar(x) for x in value)
    if isinstance(value, dict):
        return ";".join(f"{k}={fmt_scalar(v)}" for k, v in value.items())
    return fmt_scalar(value)


# ---------------------------------------------------------------------------------------------
# The sweep file
# ---------------------------------------------------------------------------------------------

class Config:
    """One configuration: the options of a point less its seed."""

    def __init__(self, key, options, identity):
        self.key = key            # stable name: hash of the program and the options' words
        self.options = options    # name -> value as in the sweep file (base merged with grid/point)
        self.identity = identity  # what was hashed
        self.label = ""
        self.varying = {}         # option -> text, for the options that differ between configs


class Sweep:
    pass


def read_sweep_text(path, text):
    """Parse JSON or TOML (by extension, .toml is TOML) into a dict; errors name the file."""
    if path.endswith(".toml"):
        try:
            import tomllib
        except ImportError:  # Python < 3.11: Debian's python3-toml
            try:
                import toml as tomllib  # noqa: N813
            except ImportError:
                raise SweepError(f"{path}: TOML needs Python 3.11 or the python3-toml package")
        try:
            return tomllib.loads(text)
        except RecursionError:
            raise SweepError(f"{path}: invalid TOML: nested too deeply")
        except Exception as e:  # tomllib.TOMLDecodeError / toml.TomlDecodeError; int() of > 4300 digits
            raise SweepError(f"{path}: invalid TOML: {_parse_error_text(e)}")
    try:
        return json.loads(text)
    except RecursionError:
        raise SweepError(f"{path}: invalid JSON: nested too deeply")
    except json.JSONDecodeError as e:
        raise SweepError(f"{path}: invalid JSON: {e.msg} (line {e.lineno}, column {e.colno})")
    except ValueError as e:  # int() of a number of more than 4300 digits
        raise SweepError(f"{path}: invalid JSON: {_parse_error_text(e)}")


def _parse_error_text(e):
    text = str(e)
    if "integer string conversion" in text:  # Python's limit on int() of decimal digits
        return f"an integer of more than {sys.get_int_max_str_digits()} digits"
    return text


_help_cache = {}


def program_options(argv_prefix):
    """Long option names the program accepts (from its --help); None when that cannot be read."""
    key = tuple(argv_prefix)
    if key not in _help_cache:
        try:
            env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
            out = subprocess.run(argv_prefix + ["--help"], capture_output=True, text=True,
                                 timeout=60, env=env, stdin=subprocess.DEVNULL)
            names = set(re.findall(r"(?<![\w-])--([A-Za-z0-9][A-Za-z0-9-]*)", out.stdout))
            _help_cache[key] = names if out.returncode == 0 and names else None
        except (OSError, subprocess.SubprocessError):
            _help_cache[key] = None
    return _help_cache[key]


def resolve_program(path, prog, bin_dir):
    """(program id for the hash, argv prefix, kind) of the sweep's 'program' entry."""
    if prog is None:
        raise SweepError(f"{path}: missing key 'program' (golden, chip, or [executable, args...])")
    if isinstance(prog, str):
        if prog not in PROGRAMS:
            raise SweepError(f"{path}: unknown program '{prog}' (golden, chip, or [executable, args...])")
        exe = os.path.join(bin_dir, PROGRAMS[prog][0])
        if not os.access(exe, os.X_OK):
            raise SweepError(f"{path}: program '{prog}': {exe} not found (build it, or pass --bin-dir)")
        return prog, [exe] + PROGRAMS[prog][1:], prog
    if isinstance(prog, list) and prog and all(isinstance(x, str) and x for x in prog):
        for word in prog:
            check_os_text(f"{path}: 'program'", word)
        exe = prog[0]
        if "/" in exe:
            found = os.path.join(os.path.dirname(os.path.abspath(path)), exe)
        else:
            found = os.path.join(bin_dir, exe)
            if not os.access(found, os.X_OK):
                found = shutil.which(exe) or found
        if not os.access(found, os.X_OK):
            raise SweepError(f"{path}: program '{exe}' not found")
        return prog, [os.path.abspath(found)] + prog[1:], "command"
    raise SweepError(f"{path}: 'program' must be golden, chip, or a non-empty list of strings")


def check_options(path, where, opts, known):
    if not isinstance(opts, dict):
        raise SweepError(f"{path}: {where} must be an object of option -> value")
    for name, value in opts.items():
        if name.startswith("-"):
            raise SweepError(f"{path}: {where}: write option names without dashes ('{name.lstrip('-')}')")
        if name in RESERVED_OPTIONS:
            raise SweepError(f"{path}: {where}: option '{name}' is set by the runner")
        if known is not None and name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise SweepError(f"{path}: {where}: '{name}' is not an option of the program{hint}")
        option_tokens(name, value, f"{path}: {where}")  # value check


def load_sweep(path, bin_dir, out_override=None, text=None, validation=None):
    """Read and check a sweep file; returns a Sweep with its configurations and points.
    validation: hold out that many training images in every point (--validation N) unless the file
    sets 'validation' itself."""
    if text is None:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise SweepError(f"{path}: cannot read: {e.strerror}")
        except UnicodeDecodeError as e:
            raise SweepError(f"{path}: not UTF-8 text (byte {e.start}: {e.reason})")
    data = read_sweep_text(path, text)
    if not isinstance(data, dict):
        raise SweepError(f"{path}: the sweep must be an object (a table) of keys")
    for k in data:
        if k not in TOP_KEYS:
            close = difflib.get_close_matches(k, list(TOP_KEYS), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise SweepError(f"{path}: unknown key '{k}' ({hint}known keys: {', '.join(TOP_KEYS)})")

    s = Sweep()
    s.path = path
    s.name = data.get("name") or os.path.splitext(os.path.basename(path))[0]
    if not isinstance(s.name, str):
        raise SweepError(f"{path}: 'name' must be a string")
    check_os_text(f"{path}: 'name'", s.name)
    if not s.name or "/" in s.name or s.name in (".", ".."):
        raise SweepError(f"{path}: 'name' {s.name!r} must be a plain file name (no '/', not '.' or '..'): "
                         f"it names the output folder out/NAME")
    s.description = data.get("description", "")
    s.program_id, s.argv_prefix, s.kind = resolve_program(path, data.get("program"), bin_dir)
    known = program_options(s.argv_prefix)

    base = data.get("base", {})
    if validation:
        if not isinstance(base, dict):
            raise SweepError(f"{path}: 'base' must be an object of option -> value")
        base = dict(base)
        base.setdefault("validation", validation)
    check_options(path, "base", base, known)
    grid = data.get("grid", {})
    if not isinstance(grid, dict):
        raise SweepError(f"{path}: 'grid' must be an object of option -> list of values")
    axes = []  # per axis, the list of option sets it contributes
    for name, values in grid.items():
        if not isinstance(values, list):
            raise SweepError(f"{path}: grid axis '{name}' must be a list of values")
        if not values:
            raise SweepError(f"{path}: grid axis '{name}' is empty")
        if (known is None or name not in known) and all(isinstance(v, dict) for v in values):
            # A group axis: its name is a free label, each value a set of options changed together.
            for i, v in enumerate(values):
                check_options(path, f"grid axis '{name}'[{i}]", v, known)
            axes.append(list(values))
        else:
            for v in values:
                check_options(path, f"grid axis '{name}'", {name: v}, known)
            axes.append([{name: v} for v in values])
    points = data.get("points", [])
    if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
        raise SweepError(f"{path}: 'points' must be a list of objects (option -> value)")
    for i, p in enumerate(points):
        check_options(path, f"points[{i}]", p, known)
    if not grid and not points:
        raise SweepError(f"{path}: empty grid: give 'grid' axes or 'points' (a single configuration: "
                         f"\"points\": [{{}}])")

    seeds = data.get("seeds", [1])
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        if seeds < 1:
            raise SweepError(f"{path}: 'seeds' as a count must be at least 1")
        if seeds > MAX_POINTS:
            raise SweepError(f"{path}: 'seeds': more than {MAX_POINTS} seeds")
        seeds = list(range(1, seeds + 1))
    if (not isinstance(seeds, list) or not seeds
            or any(not isinstance(x, int) or isinstance(x, bool) or not 0 <= x < INT_LIMIT for x in seeds)
            or len(set(seeds)) != len(seeds)):
        raise SweepError(f"{path}: 'seeds' must be a non-empty list of distinct integers in 0..2^64-1, or a count")
    s.seeds = seeds

    metrics = data.get("metrics", {})
    if not isinstance(metrics, dict) or not all(isinstance(v, str) and v for v in metrics.values()):
        raise SweepError(f"{path}: 'metrics' must map column names to dotted report paths (e.g. "
                         f"\"router_stalls\": \"hardware_train.router_stall_cycles_per_sample\")")
    s.extra_metrics = metrics
    for flag in ("checkpoint", "save_weights", "epoch_weights"):
        if not isinstance(data.get(flag, False), bool):
            raise SweepError(f"{path}: '{flag}' must be true or false")
    s.checkpoint = data.get("checkpoint", False)
    if s.checkpoint and s.kind != "golden":
        raise SweepError(f"{path}: 'checkpoint' works with the golden program only")
    s.save_weights = data.get("save_weights", False)
    s.epoch_weights = data.get("epoch_weights", False)
    if s.epoch_weights and s.kind != "golden":
        raise SweepError(f"{path}: 'epoch_weights' works with the golden program only")
    s.timeout = data.get("timeout")
    if s.timeout is not None and (isinstance(s.timeout, bool) or not isinstance(s.timeout, (int, float))
                                  or not 0 < s.timeout < INT_LIMIT or s.timeout != s.timeout):
        raise SweepError(f"{path}: 'timeout' must be a positive number of seconds")

    if out_override:
        s.out = os.path.abspath(out_override)
    elif data.get("output"):
        if not isinstance(data["output"], str):
            raise SweepError(f"{path}: 'output' must be a folder name")
        check_os_text(f"{path}: 'output'", data["output"])
        s.out = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(path)), data["output"]))
    else:
        s.out = os.path.join(os.path.dirname(os.path.abspath(path)), "out", s.name)

    # Configurations: the grid's product in file order, then the extra points; duplicates merged.
    count = math.prod(len(a) for a in axes) if axes else 0
    if (count + len(points)) * len(seeds) > MAX_POINTS:
        raise SweepError(f"{path}: more than {MAX_POINTS} points (configurations of the grid and "
                         f"'points' x seeds)")
    option_sets = []
    if axes:
        for combo in itertools.product(*axes):
            o = dict(base)
            for part in combo:
                o.update(part)
            option_sets.append(o)
    for p in points:
        o = dict(base)
        o.update(p)
        option_sets.append(o)
    s.configs = []
    seen = set()
    for o in option_sets:
        identity = [s.program_id, sorted([n, option_tokens(n, v, path)] for n, v in o.items()
                                         if n not in RUN_ONLY_OPTIONS and option_tokens(n, v, path))]
        key = hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:12]
        if key in seen:
            continue
        seen.add(key)
        s.configs.append(Config(key, o, identity))
    # Labels and table columns: the options whose value differs between configurations.
    names = []
    for c in s.configs:
        for n in c.options:
            if n not in names:
                names.append(n)
    s.varying = [n for n in names
                 if len({value_text(c.options.get(n)) for c in s.configs}) > 1]
    for c in s.configs:
        c.varying = {n: value_text(c.options.get(n)) for n in s.varying}
        c.label = ", ".join(f"{n}={t}" for n, t in c.varying.items()) or "base"

    s.points = []
    for c in s.configs:
        for seed in s.seeds:
            s.points.append(make_point(s, c, seed))
    return s


def make_point(s, c, seed):
    d = os.path.join(s.out, "runs", c.key)
    stem = os.path.join(d, f"seed-{seed}")
    opts = dict(PROGRAM_DEFAULTS.get(s.kind, {}))
    opts.update(c.options)
    argv = list(s.argv_prefix)
    for n, v in opts.items():
        argv += option_tokens(n, v, s.path)
    argv += ["--seed", str(seed), "--report", stem + ".json", "--no-progress"]
    if s.checkpoint:
        argv += ["--checkpoint", stem + ".ckpt", "--resume"]
    if s.save_weights:
        argv += ["--save-weights", stem + ".weights"]
    if s.epoch_weights:
        argv += ["--epoch-weights", stem + "-epochs"]
    return {"key": c.key, "seed": seed, "label": c.label, "dir": d, "report": stem + ".json",
            "log": stem + ".log", "argv": argv, "timeout": s.timeout}


# ---------------------------------------------------------------------------------------------
# Points: finished or not, running them
# ---------------------------------------------------------------------------------------------

def read_report(path, seed=None):
    """The report at path if it is complete (valid JSON with a test accuracy), else None."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            r = json.load(f)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(r, dict):
        return None
    acc = r.get("test_accuracy")
    if isinstance(acc, bool) or not isinstance(acc, (int, float)):
        return None
    if seed is not None and r.get("seed", seed) != seed:
        return None
    return r


def write_config_files(s):
    """runs/<key>/config.json for every configuration, and the sweep as read (provenance)."""
    os.makedirs(os.path.join(s.out, "runs"), exist_ok=True)
    for c in s.configs:
        d = os.path.join(s.out, "runs", c.key)
        os.makedirs(d, exist_ok=True)
        cfg = {"key": c.key, "label": c.label, "program": s.program_id, "options": c.options}
        p = os.path.join(d, "config.json")
        if not os.path.exists(p):
            write_atomically(p, dumps(cfg))


def _die_with_parent():
    """Child side of fork: get SIGKILL when the runner dies (Linux), so no point outlives it."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class Pool:
    """Up to `jobs` points running at once as child processes; polled, no threads."""

    def __init__(self, jobs, where=""):
        self.jobs = jobs
        self.where = where  # "rank R on HOST", written at the top of each log
        self.running = {}  # index -> (Popen, start time, log file, point)

    def free(self):
        return self.jobs - len(self.running)

    def start(self, index, point):
        os.makedirs(point["dir"], exist_ok=True)
        for stale in (point["report"],):
            if os.path.exists(stale):  # a partial or corrupt report: remove before the rerun
                os.remove(stale)
        log = open(point["log"], "w", encoding="utf-8", errors="surrogateescape")
        log.write(f"# sweep point {point['key']} seed {point['seed']}, {self.where}\n")
        log.write("$ " + " ".join(point["argv"]) + "\n")
        log.flush()
        env = dict(os.environ, SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1", OMP_NUM_THREADS="1")
        try:
            p = subprocess.Popen(point["argv"], stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=env, preexec_fn=_die_with_parent)
        except OSError as e:
            log.write(f"cannot start: {e}\n")
            log.close()
            return {"status": "failed", "seconds": 0.0, "error": f"cannot start: {e.strerror}"}
        self.running[index] = (p, time.monotonic(), log, point)
        return None

    def poll(self):
        """[(index, record)] of the points that ended since the last call."""
        ended = []
        for index, (p, t0, log, point) in list(self.running.items()):
            rc = p.poll()
            elapsed = time.monotonic() - t0
            if rc is None and point["timeout"] and elapsed > point["timeout"]:
                p.kill()
                rc = p.wait()
                log.write(f"\n[sweep] killed after the {point['timeout']} s timeout\n")
                error = f"timeout after {point['timeout']} s"
            elif rc is None:
                continue
            else:
                error = None
            log.close()
            del self.running[index]
            report = read_report(point["report"], point["seed"])
            if rc == 0 and report is not None:
                ended.append((index, {"status": "ok", "seconds": elapsed}))
            else:
                if error is None:
                    error = (f"exit status {rc}" if rc != 0 else "no complete report written")
                ended.append((index, {"status": "failed", "seconds": elapsed, "error": error,
                                      "log_tail": tail(point["log"])}))
        return ended

    def stop(self):
        for p, _, log, _ in self.running.values():
            if p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 3
        for p, _, log, _ in self.running.values():
            try:
                p.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            log.close()
        self.running.clear()


def tail(path, lines=3):
    """The last lines a point's program printed (its log less the runner's two header lines)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            out = f.read().strip().splitlines()[2:]
            return " | ".join(x.strip() for x in out[-lines:]) or "(no output)"
    except OSError:
        return ""


# ---------------------------------------------------------------------------------------------
# Progress display
# ---------------------------------------------------------------------------------------------

class Progress:
    """A status line redrawn in place on a terminal; plain lines, one per finished point, otherwise."""

    def __init__(self, total, enabled=True, stream=sys.stderr):
        self.total = total
        self.done = 0
        self.failed = 0
        self.running = 0
        self.enabled = enabled
        self.stream = stream
        self.tty = enabled and stream.isatty()
        self.t0 = time.monotonic()
        self.last_draw = 0.0

    def eta(self):
        if self.done == 0:
            return None
        elapsed = time.monotonic() - self.t0
        return elapsed / self.done * (self.total - self.done)

    def status(self):
        elapsed = time.monotonic() - self.t0
        return (f"{self.done}/{self.total} done, {self.running} running, {self.failed} failed, "
                f"{fmt_duration(elapsed)} elapsed, ETA {fmt_duration(self.eta()) if self.done < self.total else '0:00'}")

    def line(self, text):
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\x1b[K" + text + "\n")
            self.draw(force=True)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def point_done(self, point, rec, report):
        self.done += 1
        if rec["status"] == "ok":
            acc = report.get("test_accuracy") if report else None
            what = f"test {100 * acc:.2f} %" if isinstance(acc, (int, float)) else "ok"
            text = f"{point['label']} seed {point['seed']}: {what} ({rec['seconds']:.1f} s)"
        else:
            self.failed += 1
            text = (f"{point['label']} seed {point['seed']}: FAILED ({rec.get('error')}); "
                    f"log {point['log']}: {rec.get('log_tail', '')}")
        self.line(f"[sweep] {text}" if self.tty else f"[sweep] {self.status()} | {text}")

    def draw(self, force=False):
        if not self.tty:
            return
        now = time.monotonic()
        if force or now - self.last_draw > 0.5:
            self.last_draw = now
            self.stream.write("\r\x1b[K[sweep] " + self.status())
            self.stream.flush()

    def finish(self):
        if self.tty:
            self.stream.write("\r\x1b[K[sweep] " + self.status() + "\n")
            self.stream.flush()


# ---------------------------------------------------------------------------------------------
# The results table
# ---------------------------------------------------------------------------------------------

def _history_last(r, field):
    h = r.get("history")
    if isinstance(h, list) and h and isinstance(h[-1], dict):
        return h[-1].get(field)
    return None


def _history_best(r, field):
    h = r.get("history")
    vals = [e.get(field) for e in h if isinstance(e, dict)] if isinstance(h, list) else []
    vals = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return max(vals) if vals else None


def get_path(r, path):
    """Value at a dotted path ('hardware_train.cycles_per_sample', 'history.-1.train_accuracy')."""
    cur = r
    for part in path.split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                return None
        else:
            return None
    return cur


# Columns of the table, in order: name -> value of a report (None when absent).
BUILTIN_METRICS = [
    ("test_accuracy", lambda r: r.get("test_accuracy")),
    ("validation_accuracy", lambda r: r.get("validation_accuracy")),
    ("selected_epoch", lambda r: get_path(r, "selection.epoch")),
    ("final_train_accuracy", lambda r: _history_last(r, "train_accuracy")),
    ("best_test_accuracy", lambda r: _history_best(r, "test_accuracy")),
    ("wall_seconds", lambda r: r.get("wall_seconds")),
    ("train_samples_per_s", lambda r: r.get("train_samples_per_s")),
    ("test_samples_per_s", lambda r: r.get("test_samples_per_s")),
    ("train_energy_j_per_sample", lambda r: get_path(r, "hardware_train.energy_total_j_per_sample")),
    ("test_energy_j_per_sample", lambda r: get_path(r, "hardware_test.energy_total_j_per_sample")),
    ("train_cycles_per_sample", lambda r: get_path(r, "hardware_train.cycles_per_sample")),
    ("test_cycles_per_sample", lambda r: get_path(r, "hardware_test.cycles_per_sample")),
    ("test_latency_s_per_sample", lambda r: get_path(r, "hardware_test.latency_s_per_sample")),
]


def point_metrics(s, report):
    out = {}
    for name, fn in BUILTIN_METRICS:
        out[name] = fn(report)
    for name, path in s.extra_metrics.items():
        out[name] = get_path(report, path)
    return {k: v for k, v in out.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)}


def build_table(s):
    """(rows, point records, metric names) from the reports in the output folder."""
    records = []
    per_config = {c.key: [] for c in s.configs}
    for p in s.points:
        r = read_report(p["report"], p["seed"])
        rec = {"key": p["key"], "seed": p["seed"], "label": p["label"],
               "report": os.path.relpath(p["report"], s.out), "status": "ok" if r else "missing"}
        if r:
            rec["metrics"] = point_metrics(s, r)
            rec["command"] = r.get("command")
            per_config[p["key"]].append(rec)
        records.append(rec)
    metric_names = [n for n, _ in BUILTIN_METRICS] + list(s.extra_metrics)
    present = {m for rec in records for m in rec.get("metrics", {})}
    metric_names = [m for m in metric_names if m in present]
    rows = []
    for c in s.configs:
        recs = per_config[c.key]
        row = {"config": c.key, "label": c.label}
        row.update(c.varying)
        row["n"] = len(recs)
        row["seeds"] = [r["seed"] for r in recs]
        for m in metric_names:
            vals = [r["metrics"][m] for r in recs if m in r["metrics"]]
            row[f"{m}_mean"] = statistics.fmean(vals) if vals else None
            row[f"{m}_std"] = statistics.stdev(vals) if len(vals) >= 2 else None
        row["options"] = c.options
        rows.append(row)
    return rows, records, metric_names


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list):
        return " ".join(str(x) for x in v)
    return str(v)


def _pm(mean, std, scale=1.0, digits=None):
    if mean is None:
        return "-"
    if digits is None:
        text = f"{mean * scale:.4g}"
        return text if std is None else f"{text} +/- {std * scale:.2g}"
    text = f"{mean * scale:.{digits}f}"
    return text if std is None else f"{text} +/- {std * scale:.{digits}f}"


def markdown_table(s, rows, metric_names):
    pct = {"test_accuracy", "validation_accuracy", "final_train_accuracy", "best_test_accuracy"}
    heads = ["configuration", "n"] + [m + (" %" if m in pct else "") for m in metric_names]
    lines = ["| " + " | ".join(heads) + " |", "|" + " --- |" * len(heads)]
    for r in rows:
        cells = [r["label"], str(r["n"])]
        for m in metric_names:
            if m in pct:
                cells.append(_pm(r[f"{m}_mean"], r[f"{m}_std"], 100.0, 2))
            else:
                cells.append(_pm(r[f"{m}_mean"], r[f"{m}_std"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_table(s):
    rows, records, metric_names = build_table(s)
    head = ["config", "label"] + s.varying + ["n", "seeds"]
    for m in metric_names:
        head += [f"{m}_mean", f"{m}_std"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(head)
    for r in rows:
        w.writerow([_cell(r.get(h)) for h in head])
    write_atomically(os.path.join(s.out, "results.csv"), buf.getvalue())

    phead = ["config", "label"] + s.varying + ["seed", "status"] + metric_names
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(phead)
    cfg = {c.key: c for c in s.configs}
    for rec in records:
        vals = {"config": rec["key"], "label": rec["label"], "seed": rec["seed"], "status": rec["status"]}
        vals.update(cfg[rec["key"]].varying)
        vals.update(rec.get("metrics", {}))
        w.writerow([_cell(vals.get(h)) for h in phead])
    write_atomically(os.path.join(s.out, "points.csv"), buf.getvalue())

    doc = {"sweep": s.name, "file": os.path.abspath(s.path), "description": s.description,
           "program": s.program_id, "seeds": s.seeds, "varying": s.varying, "metrics": metric_names,
           "std": "sample standard deviation over seeds (n - 1); null for n < 2",
           "rows": rows, "points": records}
    write_atomically(os.path.join(s.out, "results.json"), dumps(doc))
    md = markdown_table(s, rows, metric_names)
    write_atomically(os.path.join(s.out, "results.md"), md)
    return rows, records, md


# ---------------------------------------------------------------------------------------------
# Running: local pool, optionally one pool per MPI rank
# ---------------------------------------------------------------------------------------------

class Interrupted(Exception):
    pass


def _on_signal(signum, _frame):
    raise Interrupted(signum)


def mpi_requested():
    return any(v in os.environ for v in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"))


def get_comm():
    try:
        from mpi4py import MPI
    except ImportError:
        raise SweepError(f"started under mpirun, but {sys.executable} cannot import mpi4py: install "
                         f"python3-mpi4py (scripts/setup.sh) and run with /usr/bin/python3")
    return MPI


def default_jobs(local_ranks):
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, local_ranks))


def run_share(points, share, jobs, on_start, on_done, service=None, rank=0):
    """Run points[i] for i in share on a pool of `jobs`; callbacks on start and end of each."""
    import socket
    pool = Pool(jobs, f"rank {rank} on {socket.gethostname()}")
    queue = list(share)
    try:
        while queue or pool.running:
            while queue and pool.free() > 0:
                i = queue.pop(0)
                rec = pool.start(i, points[i])
                if rec is not None:
                    on_done(i, rec)
                else:
                    on_start(i)
            for i, rec in pool.poll():
                on_done(i, rec)
            if service:
                service()
            time.sleep(0.05)
    finally:
        pool.stop()


def main(argv=None):
    ap = argparse.ArgumentParser(prog=PROG, description="Run a sweep file (docs/sweeps.md).")
    ap.add_argument("sweep", help="sweep file, .json or .toml")
    ap.add_argument("--out", help="output folder (default: the file's 'output', else out/NAME beside it)")
    ap.add_argument("-j", "--jobs", type=int, default=0,
                    help="points at once per process (default: cores, shared between the MPI ranks of a machine)")
    ap.add_argument("--bin-dir", default=os.environ.get("SSNN_BIN_DIR", os.path.join(REPO, "build", "bin")),
                    help="folder of ssnn_golden and ssnn_chip_tb (default $SSNN_BIN_DIR or <repo>/build/bin)")
    ap.add_argument("--validation", type=int, default=0, metavar="N",
                    help="hold out the last N training images in every point (the programs' --validation N), "
                         "unless the sweep file sets 'validation'")
    ap.add_argument("--dry-run", action="store_true", help="list the points and whether each is finished")
    ap.add_argument("--table-only", action="store_true", help="write the table from the finished points; run none")
    ap.add_argument("--no-progress", action="store_true", help="no progress display")
    ap.add_argument("--no-mpi", action="store_true", help="do not use MPI even under mpirun")
    args = ap.parse_args(argv)
    if args.jobs < 0:
        ap.error("--jobs must be at least 0")
    if args.validation < 0:
        ap.error("--validation must be at least 0")

    comm = None
    rank, size, local_size = 0, 1, 1
    if not args.no_mpi and mpi_requested():
        try:
            MPI = get_comm()
        except SweepError as e:
            print(f"{PROG}: error: {e}", file=sys.stderr)
            return 2
        comm = MPI.COMM_WORLD
        rank, size = comm.Get_rank(), comm.Get_size()
        local_size = comm.Split_type(MPI.COMM_TYPE_SHARED).Get_size()
        if size == 1:
            comm = None
    jobs = args.jobs or default_jobs(local_size)

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        if rank == 0:
            return run_root(args, comm, size, jobs)
        return run_worker(comm, jobs)
    except Interrupted:
        print(f"\n{PROG}: interrupted; finished points are kept, rerun to continue", file=sys.stderr)
        return 130
    except Exception as e:
        if comm is None and isinstance(e, OSError):  # an output that cannot be written: a device, a full disk
            where = os.fsdecode(e.filename) if e.filename is not None else "output"
            print(one_line(f"{PROG}: error: {where}: {e.strerror or e}"), file=sys.stderr)
            return 2
        if comm is None:
            raise
        # Under MPI an exception on one rank would leave the others waiting: end the whole job.
        import traceback
        traceback.print_exc()
        print(f"{PROG}: rank {rank}: unexpected error, aborting all ranks", file=sys.stderr, flush=True)
        comm.Abort(1)


def run_root(args, comm, size, jobs):
    try:
        s = load_sweep(args.sweep, os.path.abspath(args.bin_dir), args.out, validation=args.validation)
    except SweepError as e:
        if comm:
            comm.bcast(("stop", 2))
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    lock = None
    if not args.dry_run:
        for name in TABLE_FILES:  # checked before any point runs, not after
            path = os.path.join(s.out, name)
            if os.path.lexists(path) and not os.path.isfile(path):
                print(one_line(f"{PROG}: error: {path}: exists and is not a regular file (refusing to replace it)"),
                      file=sys.stderr)
                return 2
        write_config_files(s)
        lock = take_lock(s.out)
        if lock is None:
            if comm:
                comm.bcast(("stop", 2))
            print(f"{PROG}: error: {s.out}: another sweep is running in this folder", file=sys.stderr)
            return 2
    finished = [p for p in s.points if read_report(p["report"], p["seed"]) is not None]
    pending = [p for p in s.points if read_report(p["report"], p["seed"]) is None]
    nconf, nseed = len(s.configs), len(s.seeds)
    print(f"[sweep] {s.name}: {nconf} configurations x {nseed} seeds = {len(s.points)} points; "
          f"{len(finished)} finished, {len(pending)} to run"
          + ("" if args.dry_run or args.table_only else
             f" on {size} rank{'s' if size > 1 else ''} x {jobs} jobs") + f"; output {s.out}",
          file=sys.stderr, flush=True)
    if args.dry_run or args.table_only:
        if comm:
            comm.bcast(("stop", 0))
        if args.dry_run:
            todo = {(p["key"], p["seed"]) for p in pending}
            for p in s.points:
                state = "pending" if (p["key"], p["seed"]) in todo else "finished"
                print(f"{p['key']} seed {p['seed']:<4} {state:8} {p['label']}")
            return 0
        _, _, md = write_table(s)
        print(md, end="")
        return 0

    progress = Progress(len(pending), enabled=not args.no_progress)
    failures = []

    def on_start(i):
        progress.running += 1
        progress.draw()

    def on_done(i, rec, report_text=None, log_text=None):
        p = pending[i]
        if report_text is not None and read_report(p["report"], p["seed"]) is None:
            os.makedirs(p["dir"], exist_ok=True)  # a rank on another machine: keep its report here
            write_atomically(p["report"], report_text)
            if log_text is not None:
                write_atomically(p["log"], log_text)
        progress.running = max(0, progress.running - 1)
        if rec["status"] != "ok":
            failures.append((p, rec))
        progress.point_done(p, rec, read_report(p["report"], p["seed"]) if rec["status"] == "ok" else None)
        progress.draw()

    workers_left = size - 1
    if comm:
        comm.bcast(("plan", [dict(p) for p in pending], args.jobs))

    def service():
        nonlocal workers_left
        if not comm:
            progress.draw()
            return
        while comm.iprobe(source=-1, tag=1):
            msg = comm.recv(source=-1, tag=1)
            if msg[0] == "start":
                on_start(msg[1])
            elif msg[0] == "done":
                on_done(msg[1], msg[2], msg[3], msg[4])
            elif msg[0] == "finished":
                workers_left -= 1
        progress.draw()

    try:
        share = range(0, len(pending), size)
        run_share(pending, share, jobs, on_start, on_done, service)
        while workers_left > 0:
            service()
            time.sleep(0.05)
    finally:
        progress.finish()
    rows, records, md = write_table(s)
    print(md, end="")
    print(f"[sweep] table: {os.path.join(s.out, 'results.csv')} (and .json, .md; per point: points.csv)",
          file=sys.stderr)
    if failures:
        print(f"[sweep] {len(failures)} point(s) failed; rerun the same command to retry them:", file=sys.stderr)
        for p, rec in failures:
            print(f"  {p['label']} seed {p['seed']}: {rec.get('error')} (log {p['log']})", file=sys.stderr)
        return 1
    return 0


def run_worker(comm, jobs):
    msg = comm.bcast(None)
    if msg[0] == "stop":
        return msg[1]
    pending, explicit_jobs = msg[1], msg[2]
    rank, size = comm.Get_rank(), comm.Get_size()
    jobs = explicit_jobs or jobs

    def on_start(i):
        comm.send(("start", i), dest=0, tag=1)

    def on_done(i, rec):
        p = pending[i]
        report_text = log_text = None
        if rec["status"] == "ok":
            with open(p["report"], encoding="utf-8", errors="surrogateescape") as f:
                report_text = f.read()
            try:
                with open(p["log"], encoding="utf-8", errors="replace") as f:
                    log_text = f.read()[-65536:]
            except OSError:
                log_text = None
        comm.send(("done", i, rec, report_text, log_text), dest=0, tag=1)

    run_share(pending, range(rank, len(pending), size), jobs, on_start, on_done, rank=rank)
    comm.send(("finished",), dest=0, tag=1)
    return 0


def take_lock(out):
    """An exclusive lock on OUT/.lock for this process, or None when another runner holds it."""
    import fcntl
    os.makedirs(out, exist_ok=True)
    f = open(os.path.join(out, ".lock"), "w")
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return None
    return f


if __name__ == "__main__":
    sys.exit(main())
