"""The sweep file: its keys, the options it may set, how they become command-line words, and the
configurations and points it names (load_sweep)."""
import difflib
import hashlib
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import sys

from sweeplib.common import SweepError, check_os_text, dumps, fmt_scalar, write_atomically

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


def config_key(program_id, options, where="sweep"):
    """(key, identity) of a configuration: the key names its folder runs/<key>/, a hash of the program
    and the options' command-line words (run-only options such as thread counts left out)."""
    identity = [program_id, sorted([n, option_tokens(n, v, where)] for n, v in options.items()
                                   if n not in RUN_ONLY_OPTIONS and option_tokens(n, v, where))]
    return hashlib.sha256(json.dumps(identity).encode()).hexdigest()[:12], identity


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
        key, identity = config_key(s.program_id, o, path)
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
