#!/usr/bin/python3
"""Bounded-time, seeded mutational fuzzer of the sweep-file parser of scripts/sweep.py (JSON and TOML).

It imports sweep.py as a module and calls `load_sweep` in-process on each input, written to a
temporary .json or .toml file (so the file-reading path, its encoding included, is fuzzed too).
Contract, checked for every input:
  * accepted: a Sweep whose point list is sane (configurations x seeds, distinct 12-hex keys,
    every command-line word and output path a string the OS can take: no NUL, encodable), and a
    second load of the same bytes gives the same points;
  * refused: the runner's own SweepError, with ONE line of message that starts with the file name;
  * anything else is a finding: another exception (KeyError, TypeError, RecursionError, ValueError,
    UnicodeDecodeError, MemoryError ...), a multi-line or nameless message, an insane point list,
    or a hang (more than --input-timeout seconds for one input).
Findings are saved under --save-dir (default tb/sweep/fuzz_regressions/); once sweep.py is fixed
they stay there and are replayed at the start of every run (and by CTest, sweep.fuzz_files).

Seeds: the shipped sweep files (sweeps/*.json|toml, tb/paper/*.json, tb/hw_tradeoffs/*.json).
Mutations: byte flips and sets, inserts of interesting tokens ({ [ " 1e999 -1 null true, deep
nesting, huge numbers, NUL, lone surrogates, newlines, invalid UTF-8 ...), deletions, duplications,
truncation, splices, and at the object level: key renames, deletions and duplicates, type swaps,
grown lists, deep nesting, written back as JSON or TOML. An input whose outcome (accepted, or the
error message with its quoted parts and numbers blanked) is new joins the corpus.

Programs are never run: the option lists of ssnn_golden train, ssnn_chip_tb and ann_baseline are
read once from their --help in --bin-dir (when built; else from the option names the seeds use),
and the fuzzer's own bin folder holds non-runnable stand-ins of the same names.

Usage: tb/sweep/fuzz_sweep_files.py [--seconds 30] [--seed 1] [--runs N] [--bin-dir DIR]
                                    [--save-dir DIR] [--replay-only] [--max-len 65536]
Exit status: 0 no finding, 1 findings (saved), 2 usage.
"""
import argparse
import glob
import hashlib
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.environ.get("SSNN_REPO_DIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "scripts"))
import sweep  # noqa: E402

SEED_GLOBS = ["sweeps/*.json", "sweeps/*.toml", "tb/paper/*.json", "tb/hw_tradeoffs/*.json"]
REGRESSIONS = os.path.join(HERE, "fuzz_regressions")
STAND_INS = {"ssnn_golden": ["train"], "ssnn_chip_tb": [], "ann_baseline": []}

# -------------------------------------------------------------------------------------------------
# Interesting material
# -------------------------------------------------------------------------------------------------

TOKENS = [b"{", b"}", b"[", b"]", b'"', b"'", b",", b":", b"=", b"\\", b"#", b"\n", b"\r\n", b" ",
          b"1e999", b"-1e999", b"-1", b"0", b"1", b"-0", b"1.5", b"NaN", b"Infinity", b"-Infinity",
          b"nan", b"inf", b"-inf", b"null", b"true", b"false", b'""', b"[]", b"{}", b'"\\u0000"',
          b'"\\ud800"', b'"\\n"', b'"a\\nb"', b"\x00", b"\xff", b"\xc3\x28", b"\xef\xbb\xbf",
          "é".encode(), "\u2028".encode(), "\U0001F600".encode(), b"9" * 5000, b"9" * 30,
          b"-" + b"9" * 4400, b"0x" + b"f" * 4000, b"0x7fffffffffffffff", b"1_000", b"0o777",
          b"[" * 3000, b"{\"a\":" * 1500, b"[[grid]]", b"[base]", b"[grid]", b'"""', b"'''",
          b"1979-05-27T07:32:00Z", b"07:32:00", b'"program"', b'"golden"', b'"chip"', b'"seeds"',
          b'"grid"', b'"base"', b'"points"', b'"metrics"', b'"timeout"', b'"output"', b'"name"',
          b'"checkpoint"', b'"save_weights"', b'"description"', b'"hidden"', b'"seed"', b'"--x"',
          b"100000000", b"4294967296", b"18446744073709551616"]

KEY_CHOICES = list(sweep.TOP_KEYS) + ["seed", "report", "help", "gird", "hiden", "-x", "--hidden", "",
                                       " ", "a\nb", "\x00", "\ud800", "é", "x" * 300, "=", "a=b",
                                       "threads", "timesteps", "hidden", "mode", "dataset", "pulse",
                                       "energy", "lr", "epochs", "checkpoint-every"]


def weird_value(rng, depth=0):
    """A value of a random type, often an edge case."""
    c = rng.randrange(26)
    if c == 0:
        return None
    if c == 1:
        return rng.choice([True, False])
    if c == 2:
        return rng.choice([0, 1, -1, 2, 3, 2 ** 31, 2 ** 63, 2 ** 64, -2 ** 63 - 1, 10 ** 30])
    if c == 3:
        return 10 ** rng.choice([100, 1000, 4200]) - 1
    if c == 4:
        return rng.choice([0.0, -0.0, 0.5, 1e-300, 1e300, math.inf, -math.inf, math.nan])
    if c == 5:
        return rng.choice(["", " ", "a\nb", "\r", "\x00", "\ud800", "é", "\u2028", "x" * 2000, "-1",
                           "golden", "chip", "rate", "../../x", "/", "a,b", "k=v"])
    if c == 6:
        return []
    if c == 7:
        return {}
    if c == 8 and depth < 3:
        return [weird_value(rng, depth + 1) for _ in range(rng.randrange(1, 4))]
    if c == 9 and depth < 3:
        return {rng.choice(KEY_CHOICES): weird_value(rng, depth + 1) for _ in range(rng.randrange(1, 4))}
    if c == 10:
        v = 1
        for _ in range(rng.choice([10, 500, 2000])):
            v = [v]
        return v
    if c == 11:
        v = 1
        for _ in range(rng.choice([10, 500, 2000])):
            v = {"a": v}
        return v
    if c == 12:
        return list(range(rng.choice([2, 10, 50, 300])))
    if c == 13:
        return [{"x": i} for i in range(rng.randrange(1, 30))]
    if c == 14:
        return rng.choice([1, 3, 100, 10 ** 6, 10 ** 9, 10 ** 12])  # a seed count
    return rng.choice(["a", 1, 2.5, True, [1, 2], {"a": 1}, "rate", "stochastic", [8, 4], 64])


def walk(obj, path=()):
    """Every (path, value) in a parsed sweep, containers included."""
    yield path, obj
    if len(path) > 40:
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk(v, path + (("k", k),))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from walk(v, path + (("i", i),))


def get_at(obj, path):
    for _, p in path:
        obj = obj[p]
    return obj


def set_at(obj, path, value):
    if not path:
        return value
    parent = get_at(obj, path[:-1])
    parent[path[-1][1]] = value
    return obj


def toml_key(k):
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def toml_value(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v if x is not None) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items() if x is not None) + "}"
    return json.dumps(str(v))


def to_toml(obj):
    """A small TOML writer: top-level scalars and arrays, then one [table] per object entry."""
    if not isinstance(obj, dict):
        return "x = " + toml_value(obj) + "\n"
    head, tables = [], []
    for k, v in obj.items():
        if v is None:
            continue
        if isinstance(v, dict):
            tables.append(f"\n[{toml_key(k)}]\n" + "".join(f"{toml_key(a)} = {toml_value(b)}\n"
                                                         for a, b in v.items() if b is not None))
        else:
            head.append(f"{toml_key(k)} = {toml_value(v)}\n")
    return "".join(head) + "".join(tables)


def parse_any(data, ext):
    try:
        text = data.decode("utf-8")
        if ext == ".toml":
            import tomllib
            return tomllib.loads(text)
        return json.loads(text)
    except Exception:
        return None


def serialize(obj, rng):
    try:
        if rng.random() < 0.35:
            return to_toml(obj).encode("utf-8", "surrogatepass"), ".toml"
        indent = rng.choice([None, 2])
        return json.dumps(obj, indent=indent, ensure_ascii=rng.random() < 0.7,
                          default=str).encode("utf-8", "surrogatepass"), ".json"  # TOML dates as strings
    except (ValueError, TypeError, RecursionError):
        return None


def mutate_object(obj, rng):
    """One structural mutation of a parsed sweep (in place where possible); returns the new object."""
    nodes = list(walk(obj))
    path, node = rng.choice(nodes)
    c = rng.randrange(9)
    if c == 0 and isinstance(node, dict) and node:  # rename a key
        k = rng.choice(list(node))
        new = rng.choice(KEY_CHOICES + [k + "x", k[:-1], k.upper()])
        items = [(new if a == k else a, b) for a, b in node.items()]
        node.clear()
        node.update(items)
    elif c == 1 and isinstance(node, dict) and node:  # delete a key
        del node[rng.choice(list(node))]
    elif c == 2 and isinstance(node, list) and node:  # delete an element
        del node[rng.randrange(len(node))]
    elif c == 3 and isinstance(node, dict):  # add a key
        node[rng.choice(KEY_CHOICES)] = weird_value(rng)
    elif c == 4 and isinstance(node, list):  # grow a list
        if node and rng.random() < 0.5:
            node.extend([node[rng.randrange(len(node))]] * rng.choice([1, 5, 50]))
        else:
            node.append(weird_value(rng))
    elif c == 5 and isinstance(obj, dict) and isinstance(obj.get("grid"), dict):  # product explosion
        for i in range(rng.choice([3, 10, 30])):
            obj["grid"][f"axis{i}"] = list(range(rng.choice([2, 10, 100])))
    elif c == 6 and isinstance(obj, dict):  # a top-level key of a known name gets an odd value
        obj[rng.choice(list(sweep.TOP_KEYS))] = weird_value(rng)
    else:  # a type swap anywhere
        obj = set_at(obj, path, weird_value(rng))
    return obj


def mutate_bytes(data, rng, corpus):
    data = bytearray(data)
    for _ in range(1 + int(rng.expovariate(0.7))):
        n = len(data)
        c = rng.randrange(9)
        pos = rng.randrange(n + 1)
        if c == 0 and n:
            data[rng.randrange(n)] ^= 1 << rng.randrange(8)
        elif c == 1 and n:
            data[rng.randrange(n)] = rng.choice(b'{}[]",:=\\#\n\x00\xff0123456789-.etrunfalse ')
        elif c == 2:
            data[pos:pos] = rng.choice(TOKENS)
        elif c == 3 and n:
            end = min(n, pos + 1 + int(rng.expovariate(0.05)))
            del data[pos:end]
        elif c == 4 and n:
            a = rng.randrange(n)
            b = min(n, a + 1 + int(rng.expovariate(0.02)))
            data[pos:pos] = data[a:b] * rng.choice([1, 1, 2, 10])
        elif c == 5:
            del data[pos:]
        elif c == 6 and corpus:  # splice
            other = rng.choice(corpus)[0]
            cut = rng.randrange(len(other) + 1)
            data = data[:pos] + other[cut:]
        else:  # replace a number or a string by a token
            spans = [m.span() for m in re.finditer(rb'-?\d[\d.eE+-]*|"[^"\n]*"', bytes(data))]
            if spans:
                a, b = rng.choice(spans)
                data[a:b] = rng.choice(TOKENS)
    return bytes(data)


# -------------------------------------------------------------------------------------------------
# The contract
# -------------------------------------------------------------------------------------------------

class Hang(BaseException):
    pass


def _on_alarm(signum, frame):
    raise Hang()


def os_word(w):
    """A string the OS takes as a command-line word or a path."""
    if not isinstance(w, str) or "\x00" in w:
        return False
    try:
        os.fsencode(w)
    except UnicodeError:
        return False
    return True


def check_sweep(s, path):
    """'' when the accepted sweep is sane, else what is wrong."""
    if not isinstance(s, sweep.Sweep):
        return f"load_sweep returned {type(s).__name__}"
    if not s.configs or not isinstance(s.seeds, list) or not s.seeds:
        return "no configurations or no seeds"
    if any(not isinstance(x, int) or isinstance(x, bool) or x < 0 for x in s.seeds) or len(set(s.seeds)) != len(s.seeds):
        return f"bad seeds {s.seeds!r:.80}"
    if len(s.points) != len(s.configs) * len(s.seeds) or len(s.points) > getattr(sweep, "MAX_POINTS", 10 ** 6):
        return f"{len(s.points)} points for {len(s.configs)} configurations x {len(s.seeds)} seeds"
    keys = [c.key for c in s.configs]
    if len(set(keys)) != len(keys) or not all(re.fullmatch(r"[0-9a-f]{12}", k) for k in keys):
        return "configuration keys not distinct 12-hex names"
    if len({(p["key"], p["seed"]) for p in s.points}) != len(s.points):
        return "duplicate points"
    if not isinstance(s.name, str) or not os_word(s.out) or not isinstance(s.description, object):
        return f"bad name or output folder {s.out!r:.80}"
    if s.timeout is not None and (isinstance(s.timeout, bool) or not isinstance(s.timeout, (int, float))
                                  or not math.isfinite(s.timeout) or s.timeout <= 0):
        return f"bad timeout {s.timeout!r}"
    for p in s.points:
        if not isinstance(p["label"], str):
            return "label not a string"
        for w in p["argv"] + [p["report"], p["log"], p["dir"]]:
            if not os_word(w):
                return f"command word or path the OS cannot take: {w!r:.80}"
    return ""


def outcome_signature(msg, path):
    msg = msg.replace(path, "FILE")
    msg = re.sub(r"'[^']*'", "'_'", msg)
    return re.sub(r"\d+", "N", msg)[:160]


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.tmp = tempfile.mkdtemp(prefix="ssnn_fuzz_sweep.")
        self.bin = os.path.join(self.tmp, "bin")
        self.work = os.path.join(self.tmp, "sweeps")
        os.makedirs(self.bin)
        os.makedirs(self.work)
        self.execs = 0
        self.accepted = 0
        self.refused = 0
        self.findings = {}  # kind -> [saved paths]
        self.signatures = set()
        self.slowest = (0.0, None)
        self.setup_programs()

    def setup_programs(self):
        """Non-runnable stand-ins in our bin folder; option lists from the real programs, read once."""
        real_bin = os.path.abspath(self.args.bin_dir)
        seeds_opts = {}
        for path in self.seed_files():
            obj = parse_any(open(path, "rb").read(), os.path.splitext(path)[1])
            if not isinstance(obj, dict):
                continue
            prog = obj.get("program")
            name = {"golden": "ssnn_golden", "chip": "ssnn_chip_tb"}.get(prog) if isinstance(prog, str) else (
                os.path.basename(prog[0]) if isinstance(prog, list) and prog and isinstance(prog[0], str) else None)
            names = seeds_opts.setdefault(name, set())
            for part in [obj.get("base", {})] + list(obj.get("points", [])):
                if isinstance(part, dict):
                    names.update(part)
            for axis, values in (obj.get("grid") or {}).items():
                names.add(axis)
                for v in values if isinstance(values, list) else []:
                    if isinstance(v, dict):
                        names.update(v)
        self.options = {}
        self.option_source = {}
        for exe, extra in STAND_INS.items():
            stand_in = os.path.join(self.bin, exe)
            with open(stand_in, "w") as f:
                f.write("#!/bin/sh\necho 'fuzz_sweep_files.py stand-in: not to be run' >&2\nexit 99\n")
            os.chmod(stand_in, 0o755)
            real = os.path.join(real_bin, exe)
            known = sweep.spec.program_options([real] + extra) if os.access(real, os.X_OK) else None
            self.option_source[exe] = "--help" if known else "seed files"
            if not known:
                known = seeds_opts.get(exe, set()) | {"hidden", "timesteps", "threads"}
            self.options[(stand_in, tuple(extra))] = frozenset(known)

        def program_options(argv_prefix):  # never runs anything
            known = self.options.get((argv_prefix[0], tuple(argv_prefix[1:])))
            return set(known) if known is not None else None

        sweep.spec.program_options = program_options  # what load_sweep asks

    def seed_files(self):
        files = []
        for g in SEED_GLOBS:
            files += sorted(glob.glob(os.path.join(REPO, g)))
        return files

    def run_one(self, data, ext):
        """Load one input; (status, detail): status 'accepted', 'refused' or a finding kind."""
        path = os.path.join(self.work, "fuzz" + ext)
        with open(path, "wb") as f:
            f.write(data)
        t0 = time.monotonic()
        signal.setitimer(signal.ITIMER_REAL, self.args.input_timeout)
        try:
            try:
                s = sweep.load_sweep(path, self.bin)
                problem = check_sweep(s, path)
                if not problem:
                    again = sweep.load_sweep(path, self.bin)
                    if [(p["key"], p["seed"]) for p in again.points] != [(p["key"], p["seed"]) for p in s.points]:
                        problem = "a second load gives other points"
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except sweep.SweepError as e:
            msg = str(e)
            if len(msg.splitlines()) != 1:
                return "multi-line message", repr(msg)[:200]
            if not msg.startswith(path + ": "):
                return "message does not name the file", repr(msg)[:200]
            return "refused", outcome_signature(msg, path)
        except Hang:
            return "hang", f"more than {self.args.input_timeout} s"
        except RecursionError as e:
            return "RecursionError", str(e)[:200]
        except Exception as e:  # noqa: BLE001 - every other exception is a finding
            where = ""
            tb = e.__traceback__
            while tb is not None:
                file = tb.tb_frame.f_code.co_filename  # the runner: scripts/sweep.py and scripts/sweeplib/
                if file.endswith("sweep.py") or os.path.basename(os.path.dirname(file)) == "sweeplib":
                    where = f"{os.path.basename(file)}:{tb.tb_lineno} {tb.tb_frame.f_code.co_name}"
                tb = tb.tb_next
            return f"{type(e).__name__} at {where}", str(e).splitlines()[0][:200] if str(e) else ""
        finally:
            dt = time.monotonic() - t0
            if dt > self.slowest[0]:
                self.slowest = (dt, len(data))
            self.execs += 1
        if problem:
            return "insane accepted sweep: " + problem.split(":")[0], problem
        return "accepted", "accepted"

    def record(self, data, ext, status, detail, save=True):
        if status == "accepted":
            self.accepted += 1
        elif status == "refused":
            self.refused += 1
        else:
            saved = self.findings.setdefault(status, [])
            if save and len(saved) < 3:
                os.makedirs(self.args.save_dir, exist_ok=True)
                name = os.path.join(self.args.save_dir, hashlib.sha1(data).hexdigest()[:16] + ext)
                with open(name, "wb") as f:
                    f.write(data)
                saved.append(name)
                print(f"[fuzz-sweep] FINDING {status}: {detail} -> {os.path.relpath(name, REPO)}", flush=True)
            elif not save:
                saved.append(detail)
            return False
        return True

    def replay(self, files):
        bad = 0
        for f in files:
            ext = ".toml" if f.endswith(".toml") else ".json"
            with open(f, "rb") as fh:
                data = fh.read()
            status, detail = self.run_one(data, ext)
            if status not in ("accepted", "refused"):
                print(f"[fuzz-sweep] FAIL {os.path.relpath(f, REPO)}: {status}: {detail}", flush=True)
                self.findings.setdefault(status, []).append(f)
                bad += 1
            else:
                self.record(data, ext, status, detail)
            self.signatures.add(detail)
        return bad

    def fuzz(self, seeds):
        rng = random.Random(self.args.seed)
        corpus = list(seeds)
        deadline = time.monotonic() + self.args.seconds
        n = 0
        while time.monotonic() < deadline and (self.args.runs is None or n < self.args.runs):
            n += 1
            data, ext = rng.choice(corpus)
            out = None
            if rng.random() < 0.3:
                obj = parse_any(data, ext)
                if obj is not None:
                    try:
                        for _ in range(rng.randrange(1, 4)):
                            obj = mutate_object(obj, rng)
                        out = serialize(obj, rng)
                    except (RecursionError, ValueError, TypeError):  # the mutator's own limits
                        out = None
                    if out is not None and rng.random() < 0.3:
                        out = (mutate_bytes(out[0], rng, corpus), out[1])
            if out is None:
                out = (mutate_bytes(data, rng, corpus), ext)
                if rng.random() < 0.05:
                    out = (out[0], ".toml" if ext == ".json" else ".json")
            data, ext = out
            data = data[:self.args.max_len]
            status, detail = self.run_one(data, ext)
            self.record(data, ext, status, detail)
            if detail not in self.signatures:
                self.signatures.add(detail)
                if status in ("accepted", "refused") and len(corpus) < 5000:
                    corpus.append((data, ext))
        return corpus


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=30.0, help="fuzzing time (default 30)")
    ap.add_argument("--runs", type=int, help="stop after this many inputs (with --seconds as a bound)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--bin-dir", default=os.environ.get("SSNN_BIN_DIR", os.path.join(REPO, "build", "bin")),
                    help="folder of the built programs, for their option lists")
    ap.add_argument("--save-dir", default=REGRESSIONS, help="where findings go (default tb/sweep/fuzz_regressions)")
    ap.add_argument("--max-len", type=int, default=65536, help="longest input in bytes")
    ap.add_argument("--input-timeout", type=float, default=10.0, help="seconds one input may take")
    ap.add_argument("--replay-only", action="store_true", help="replay the seeds and regressions only")
    ap.add_argument("--memory-mb", type=int, default=2048, help="address-space limit (default 2048 MB)")
    args = ap.parse_args(argv)

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = args.memory_mb << 20
    if hard == resource.RLIM_INFINITY or hard >= limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.signal(signal.SIGALRM, _on_alarm)
    t_start = time.monotonic()
    fz = Fuzzer(args)
    try:
        seed_files = fz.seed_files()
        regressions = sorted(glob.glob(os.path.join(REGRESSIONS, "*")))
        bad = fz.replay(seed_files + regressions)
        print(f"[fuzz-sweep] replayed {len(seed_files)} seed files and {len(regressions)} regression inputs: "
              f"{'all within the contract' if not bad else f'{bad} FAILED'}; option lists: "
              + ", ".join(f"{k} from {v}" for k, v in fz.option_source.items()), flush=True)
        seeds = []
        for f in seed_files + regressions:
            with open(f, "rb") as fh:
                seeds.append((fh.read(), ".toml" if f.endswith(".toml") else ".json"))
        corpus = seeds
        t0 = time.monotonic()
        e0 = fz.execs
        if not args.replay_only and not bad:
            corpus = fz.fuzz(seeds)
        dt = time.monotonic() - t0
        n = fz.execs - e0
        print(f"[fuzz-sweep] seed {args.seed}: {n} inputs in {dt:.1f} s ({n / dt if dt > 0 else 0:.0f}/s), "
              f"{fz.accepted} accepted, {fz.refused} refused with a one-line SweepError, "
              f"{len(fz.signatures)} distinct outcomes, corpus {len(corpus)}, "
              f"slowest input {fz.slowest[0]:.2f} s ({fz.slowest[1]} bytes), "
              f"total {time.monotonic() - t_start:.1f} s", flush=True)
        if fz.findings:
            print(f"[fuzz-sweep] {sum(len(v) for v in fz.findings.values())} finding(s) in "
                  f"{len(fz.findings)} kind(s):", flush=True)
            for kind, files in fz.findings.items():
                print(f"  {kind}: " + ", ".join(os.path.relpath(f, REPO) if os.path.exists(str(f)) else str(f)
                                               for f in files), flush=True)
            return 1
        print("[fuzz-sweep] no findings", flush=True)
        return 0
    finally:
        shutil.rmtree(fz.tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
