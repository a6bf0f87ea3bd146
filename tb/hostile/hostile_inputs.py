#!/usr/bin/env python3
"""Hostile inputs: builds a corpus of malformed data sets, damaged checkpoints, absurd option values
and dangerous output paths, runs the project's programs on each case and checks what they do.

Every case either must fail with exit code 1..125 (no signal) and exactly one line on stderr that
contains the given fragments (the option or the file), or must succeed.  For every case: no
sanitizer report, no Python traceback, done within the time limit (60 s) and the memory limit
(2 GB peak resident set), every protected file unchanged (content, type, symlink target) and no
file created that must not exist (a shell injection's marker, a temporary file).

Usage: hostile_inputs.py --bin DIR [--class NAME ...] [--case SUBSTRING] [--skip PROGRAM] [--list] [--keep]
  --bin DIR     folder of ssnn_golden, ssnn_chip_tb, ssnn_analysis, ann_baseline (a program that is
                absent there skips its cases, said so in the summary)
  --class NAME  only these classes (injection, memory, data-loss, values, bounds, errors)
Environment: SSNN_REPO_DIR (the repository, for the shipped subset), SSNN_HOSTILE_TIME (seconds per
case, default 60), SSNN_HOSTILE_RSS_MB (default 2048).
"""
import argparse
import gzip
import hashlib
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional

REPO = os.environ.get("SSNN_REPO_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TIME_LIMIT = float(os.environ.get("SSNN_HOSTILE_TIME", "60"))
RSS_LIMIT_KB = int(os.environ.get("SSNN_HOSTILE_RSS_MB", "2048")) * 1024
BIN = ENV = None  # set by main()
SANITIZER_MARKS = ("runtime error", "AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "Traceback")


@dataclass
class Case:
    cls: str
    name: str
    program: str
    args: List[str]
    fragments: List[str] = field(default_factory=list)  # expected on the one stderr line; None: must succeed
    ok: bool = False
    protect: List[str] = field(default_factory=list)     # paths that must be unchanged afterwards
    absent: List[str] = field(default_factory=list)      # paths that must not exist afterwards
    check: Optional[Callable[[], Optional[str]]] = None  # extra check after the run: an error text or None
    cwd: Optional[str] = None


# ---------------------------------------------------------------------------------------------
# Corpus: IDX data sets, checkpoints, special files.

def idx_images(path, count, rows, cols, fill=lambda i: i % 251, gz=True):
    body = struct.pack(">IIII", 0x803, count, rows, cols) + bytes(fill(i) for i in range(count * rows * cols))
    with open(path, "wb") as f:
        f.write(gzip.compress(body, mtime=0) if gz else body)


def idx_labels(path, labels, gz=True):
    body = struct.pack(">II", 0x801, len(labels)) + bytes(labels)
    with open(path, "wb") as f:
        f.write(gzip.compress(body, mtime=0) if gz else body)


def data_set(root, name, train=(20, 8, 8), test=(10, 8, 8), train_labels=None, test_labels=None):
    """A path:<dir> data set of small images; returns the --dataset value."""
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    n, r, c = train
    idx_images(os.path.join(d, "train-images-idx3-ubyte.gz"), n, r, c)
    idx_labels(os.path.join(d, "train-labels-idx1-ubyte.gz"), train_labels or [i % 3 for i in range(n)])
    n, r, c = test
    idx_images(os.path.join(d, "t10k-images-idx3-ubyte.gz"), n, r, c)
    idx_labels(os.path.join(d, "t10k-labels-idx1-ubyte.gz"), test_labels or [i % 3 for i in range(n)])
    return "path:" + d


def fingerprint(path):
    """What must not change about a protected path: its type, symlink target and content."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return ("absent",)
    if stat.S_ISLNK(st.st_mode):
        return ("link", os.readlink(path), fingerprint(os.path.realpath(path)) if os.path.exists(path) else None)
    if stat.S_ISREG(st.st_mode):
        with open(path, "rb") as f:
            return ("file", hashlib.sha256(f.read()).hexdigest())
    return ("special", stat.S_IFMT(st.st_mode), st.st_rdev)


# ---------------------------------------------------------------------------------------------
# The cases, by class.

def cases_injection(w):
    marker = os.path.join(w, "PWNED")
    fst = os.path.join(w, "x';touch " + marker + ";'.fst")
    has_vcd2fst = shutil.which("vcd2fst") is not None
    yield Case("injection", "trace path with quotes reaches no shell", "ssnn_chip_tb",
               ["--dataset", "subset", "--hidden", "16", "-T", "4", "--epochs", "0", "--test-samples", "2",
                "--no-progress", "--trace", fst],
               ok=has_vcd2fst, fragments=[] if has_vcd2fst else ["--trace", "vcd2fst"], absent=[marker],
               check=lambda: None if not has_vcd2fst or os.path.exists(fst) else "the FST file was not written")


TINY = ["--hidden", "8", "-T", "4", "--epochs", "1", "--no-progress"]


def tiny_weights(w, bindir_env):
    """A small trained weights file (784-8-10 on 30 subset samples), written once per class folder."""
    path = os.path.join(w, "w.ckpt")
    if not os.path.exists(path):
        subprocess.run([os.path.join(BIN, "ssnn_golden"), "train", *TINY, "--train-samples", "30",
                        "--test-samples", "10", "--save-weights", path], check=True, env=bindir_env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def cases_memory(w):
    # Test images of another shape than the training images: smaller (read past the end before),
    # larger, and the same pixel count in another shape.
    for name, test in (("smaller", (10, 4, 4)), ("larger", (10, 16, 16)), ("same-count-other-shape", (10, 4, 16))):
        ds = data_set(w, name, test=test)
        for prog in ("ssnn_golden", "ssnn_chip_tb"):
            args = (["train"] if prog == "ssnn_golden" else []) + ["--dataset", ds, "--hidden", "8", "-T", "4",
                                                                  "--epochs", "1", "--no-progress"]
            yield Case("memory", f"{prog}: test images {name} than the training images", prog, args,
                       ["t10k-images-idx3-ubyte.gz", "the training images"])
        yield Case("memory", f"ann_baseline: test images {name}", "ann_baseline",
                   ["--dataset", ds, "--hidden", "8", "--epochs", "1", "--quiet"],
                   ["t10k-images-idx3-ubyte.gz", "the training images"])
    # Test labels beyond the training set's classes (labels 0..2 in training, 5 in the test set).
    ds = data_set(w, "labels", test_labels=[5] + [0] * 9)
    for prog in ("ssnn_golden", "ssnn_chip_tb"):
        args = (["train"] if prog == "ssnn_golden" else []) + ["--dataset", ds, *TINY]
        yield Case("memory", f"{prog}: a test label beyond the training classes", prog, args,
                   ["t10k-labels-idx1-ubyte.gz", "label 5", "3 classes"])
    # Inference with weights of 784 inputs on images of another size.
    ds = data_set(w, "infer", test=(10, 4, 4))
    weights = tiny_weights(w, ENV)
    yield Case("memory", "ssnn_golden eval: images of another size than the weights'", "ssnn_golden",
               ["eval", "--weights", weights, "--dataset", ds, "--no-progress"], ["--dataset", "16 pixels", "784 inputs"])
    yield Case("memory", "ssnn_chip_tb --load-weights: images of another size", "ssnn_chip_tb",
               ["--load-weights", weights, "--dataset", ds, "--no-progress"], ["--dataset", "16 pixels", "784 inputs"])
    yield Case("memory", "ssnn_analysis wta-distribution: images of another size", "ssnn_analysis",
               ["wta-distribution", "--weights", weights, "--dataset", ds], ["--dataset", "16 pixels"])


def cases_data_loss(w):
    weights = tiny_weights(w, ENV)
    train = ["train", *TINY, "--train-samples", "20", "--test-samples", "10"]
    yield Case("data-loss", "eval --weights F --report F", "ssnn_golden",
               ["eval", "--weights", weights, "--report", weights, "--no-progress"], ["--report", "input"],
               protect=[weights])
    yield Case("data-loss", "train --init-weights F --report F", "ssnn_golden",
               train + ["--init-weights", weights, "--report", weights], ["--report", "--init-weights"], protect=[weights])
    yield Case("data-loss", "train --init-weights F --save-weights F", "ssnn_golden",
               train + ["--init-weights", weights, "--save-weights", weights], ["--save-weights"], protect=[weights])
    ck = os.path.join(w, "c.ckpt")
    shutil.copy(weights, ck)
    yield Case("data-loss", "train --checkpoint F --report F", "ssnn_golden",
               train + ["--checkpoint", ck, "--report", ck], ["--checkpoint", "--report"], protect=[ck])
    epochs_dir = os.path.join(w, "epochs")
    os.makedirs(epochs_dir)
    first = os.path.join(epochs_dir, "epoch-001.ckpt")
    shutil.copy(weights, first)
    yield Case("data-loss", "train --init-weights DIR/epoch-001.ckpt --epoch-weights DIR", "ssnn_golden",
               train + ["--init-weights", first, "--epoch-weights", epochs_dir], ["--epoch-weights", "--init-weights"],
               protect=[first])
    yield Case("data-loss", "average --weights F --out F", "ssnn_golden",
               ["average", "--weights", weights, weights, "--out", weights], ["--out", "input"], protect=[weights])
    yield Case("data-loss", "chip --load-weights F --report F", "ssnn_chip_tb",
               ["--load-weights", weights, "--report", weights, "--test-samples", "5", "--no-progress"],
               ["--report", "--load-weights"], protect=[weights])
    yield Case("data-loss", "wta-distribution --weights F --json F", "ssnn_analysis",
               ["wta-distribution", "--weights", weights, "--samples", "5", "--json", weights], ["--json", "input"],
               protect=[weights])
    yield Case("data-loss", "update-agreement --weights F --json F", "ssnn_analysis",
               ["update-agreement", "--weights", weights, "--samples", "5", "--json", weights], ["--json", "input"],
               protect=[weights])
    link = os.path.join(w, "link.ckpt")
    os.symlink(weights, link)
    yield Case("data-loss", "a report through a symbolic link to the weights", "ssnn_golden",
               ["eval", "--weights", weights, "--report", link, "--no-progress"], ["--report", "input"],
               protect=[weights, link])
    ds = data_set(w, "own")  # never the repository's files: a program that fails the rule overwrites them
    labels = os.path.join(ds[len("path:"):], "t10k-labels-idx1-ubyte.gz")
    yield Case("data-loss", "ann_baseline --report onto a data file", "ann_baseline",
               ["--dataset", ds, "--hidden", "8", "--epochs", "1", "--quiet", "--report", labels],
               ["--report", "input"], protect=[labels])
    yield Case("data-loss", "train --report onto a data file", "ssnn_golden",
               ["train", "--dataset", ds, *TINY, "--report", labels], ["--report", "input"], protect=[labels])
    # Special files are never replaced by a regular file.
    # Special files of the work folder only, never the system's: a program that fails the rule
    # replaces them.  A device node needs root (a null device); without it, that case is left out.
    fifo = os.path.join(w, "fifo")
    os.mkfifo(fifo)
    specials = [(fifo, "FIFO"), (w, "folder")]
    null = os.path.join(w, "null")
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        specials.append((null, "character device"))
    except OSError:
        null = fifo
    for target, what in specials:
        yield Case("data-loss", f"a report onto a {what}", "ssnn_golden",
                   ["eval", "--weights", weights, "--report", target, "--no-progress"], ["--report", what],
                   protect=[target])
        yield Case("data-loss", f"a chip report onto a {what}", "ssnn_chip_tb",
                   ["--load-weights", weights, "--test-samples", "5", "--no-progress", "--report", target],
                   ["--report", what], protect=[target])
    yield Case("data-loss", "a checkpoint onto a FIFO", "ssnn_golden", train + ["--checkpoint", fifo],
               ["--checkpoint", "FIFO"], protect=[fifo])
    yield Case("data-loss", "ann report onto a special file", "ann_baseline",
               ["--dataset", "subset", "--hidden", "8", "--epochs", "1", "--quiet", "--report", null],
               ["--report", "not a regular file"], protect=[null])
    yield Case("data-loss", "analysis JSON onto a special file", "ssnn_analysis",
               ["stochastic-mult", "--timesteps", "4", "--json", null], ["--json", "not a regular file"],
               protect=[null])
    # A symbolic link to a regular file: the target is replaced atomically, the link stays.
    report = os.path.join(w, "report.json")
    with open(report, "w") as f:
        f.write("old\n")
    rlink = os.path.join(w, "report-link.json")
    os.symlink(report, rlink)

    def link_kept():
        if not os.path.islink(rlink) or os.readlink(rlink) != report:
            return "the symbolic link was replaced"
        with open(report) as f:
            return None if f.read().startswith("{") else "the link's target was not written"
    yield Case("data-loss", "a report through a symbolic link writes its target", "ssnn_golden",
               ["eval", "--weights", weights, "--test-samples", "5", "--report", rlink, "--no-progress"], ok=True,
               check=link_kept)
    # No temporary file is left beside an output.
    out = os.path.join(w, "clean", "r.json")
    os.makedirs(os.path.dirname(out))

    def no_temp():
        left = [n for n in os.listdir(os.path.dirname(out)) if n != "r.json"]
        return f"left behind: {left}" if left else None
    yield Case("data-loss", "an atomic write leaves no temporary file", "ssnn_golden",
               ["eval", "--weights", weights, "--test-samples", "5", "--report", out, "--no-progress"], ok=True,
               check=no_temp)
    yield Case("data-loss", "a report in a missing folder is refused before the run", "ssnn_golden",
               train + ["--report", os.path.join(w, "missing", "r.json")], ["--report", "does not exist"])


# A checkpoint rewritten with a new CRC: the structure behind the CRC is what is tested.
CKPT_MAGIC = b"SSNNCKPT"


def ckpt_parts(path):
    """(config JSON, epoch, position, weights blob, history JSON) of a checkpoint file."""
    import json
    import zlib
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == CKPT_MAGIC and zlib.crc32(data[:-4]) == struct.unpack("<I", data[-4:])[0]
    pos = 12
    (n,) = struct.unpack_from("<Q", data, pos)
    config = json.loads(data[pos + 8:pos + 8 + n])
    pos += 8 + n
    epoch, position, layers = struct.unpack_from("<IQI", data, pos)
    pos += 16
    start = pos
    for _ in range(layers):
        rows, cols = struct.unpack_from("<II", data, pos)
        pos += 8 + 4 * rows * cols
    weights = data[start - 4:pos]  # the layer count and the layers
    (n,) = struct.unpack_from("<Q", data, pos)
    history = data[pos + 8:pos + 8 + n]
    return config, epoch, position, weights, history


def write_ckpt(path, config_text, epoch, position, weights, history_text):
    import zlib
    cfg = config_text.encode() if isinstance(config_text, str) else config_text
    hist = history_text.encode() if isinstance(history_text, str) else history_text
    body = (CKPT_MAGIC + struct.pack("<I", 1) + struct.pack("<Q", len(cfg)) + cfg + struct.pack("<IQ", epoch, position)
            + weights + struct.pack("<Q", len(hist)) + hist)
    with open(path, "wb") as f:
        f.write(body + struct.pack("<I", zlib.crc32(body)))


def mid_epoch_checkpoint(w):
    """A golden-model checkpoint stopped mid-epoch (subset, 784-8-10, T = 4, 40 samples, stop at 10)."""
    path = os.path.join(w, "mid.ckpt")
    if not os.path.exists(path):
        subprocess.run([os.path.join(BIN, "ssnn_golden"), "train", *TINY, "--train-samples", "40",
                        "--test-samples", "10", "--checkpoint", path, "--stop-after", "10"], check=True, env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


def cases_values(w):
    import json
    weights = tiny_weights(w, ENV)
    train = ["train", *TINY, "--train-samples", "20", "--test-samples", "10"]
    # Checkpoint counters of the wrong kind (float, huge, negative) behind a valid CRC.
    mid = mid_epoch_checkpoint(w)
    config, epoch, position, blob, history = ckpt_parts(mid)
    h = json.loads(history)
    cfg_text = json.dumps(config)
    resume = ["train", *TINY, "--train-samples", "40", "--test-samples", "10", "--resume", "--checkpoint"]
    for label, value in (("a float", 1.5), ("1e300", 1e300), ("a negative number", -7), ("2^64", 18446744073709551616)):
        bad = json.loads(history)
        bad["partial"]["counters"]["synaptic_reads"] = value
        path = os.path.join(w, f"counter-{label.replace(' ', '_')}.ckpt")
        write_ckpt(path, cfg_text, epoch, position, blob, json.dumps(bad))
        yield Case("values", f"checkpoint counter that is {label}", "ssnn_golden", resume + [path],
                   ["--resume", "counters"], protect=[path])
        bad = json.loads(history)
        bad["partial"]["correct"] = value
        path2 = os.path.join(w, f"correct-{label.replace(' ', '_')}.ckpt")
        write_ckpt(path2, cfg_text, epoch, position, blob, json.dumps(bad))
        yield Case("values", f"checkpoint 'correct' that is {label}", "ssnn_golden", resume + [path2],
                   ["--resume", "partial.correct"], protect=[path2])
    for key, value in (("timesteps", 4.5), ("seed", -1), ("seed", 1e30), ("hidden", [8.5]), ("classes", 1e300)):
        bad = dict(config)
        bad[key] = value
        path = os.path.join(w, f"config-{key}.ckpt")
        write_ckpt(path, json.dumps(bad), epoch, position, blob, history)
        yield Case("values", f"checkpoint config {key} = {value}", "ssnn_golden", ["info", "--weights", path],
                   [path, key])
    # Options.
    for args, frags in (
            (["-T", "nan"], ["--timesteps"]), (["-T", "-4"], ["--timesteps"]), (["-T", "2147483647"], ["--timesteps"]),
            (["--tau-divisor", "nan"], ["--tau-divisor"]), (["--tau-divisor", "-1"], ["--tau-divisor"]),
            (["--seed", "18446744073709551616"], ["--seed"]), (["--seed", "-1"], ["--seed"]),
            (["--hidden", "16,,16"], ["--hidden"]), (["--hidden", "16,"], ["--hidden"]), (["--pulse", ",2"], ["--pulse"]),
            (["--stop-after", "5"], ["--stop-after", "--checkpoint"]),
            (["--checkpoint-every", "5"], ["--checkpoint-every", "--checkpoint"]),
            (["--threads", "100000"], ["--threads"]), (["--train-threads", "100000"], ["--train-threads"]),
            (["--epochs", ""], ["--epochs"]), (["--seed="], ["--seed"]), (["--tau-divisor", ""], ["--tau-divisor"])):
        base = [a for a in train]
        if args[0] in ("-T", "--hidden"):  # replace the tiny run's own value
            i = base.index(args[0])
            del base[i:i + 2]
        yield Case("values", "ssnn_golden " + " ".join(args), "ssnn_golden", base + args, frags)
    chip = ["--hidden", "8", "-T", "4", "--epochs", "1", "--train-samples", "10", "--test-samples", "5", "--no-progress"]
    for args, frags in ((["--clock-mhz", "1e-300"], ["--clock-mhz"]), (["--clock-mhz", "nan"], ["--clock-mhz"]),
                        (["--seed", "18446744073709551616"], ["--seed"]),
                        (["--stop-after", "5"], ["--stop-after"]), (["--checkpoint-every", "5"], ["--checkpoint-every"]),
                        (["--trace", os.path.join(w, "t.vcd"), "--trace-blocks", "core99999999999"], ["--trace-blocks"]),
                        (["--rtl-inject", "neuron:99999999999999999999999"], ["--rtl"]),
                        (["--energy", "pulse_pj=1e999"], ["--energy"]), (["--hidden", "8,,8"], ["--hidden"]),
                        (["--epochs", ""], ["--epochs"]), (["--clock-mhz", ""], ["--clock-mhz"])):
        base = list(chip)
        if args[0] == "--hidden":
            del base[0:2]
        yield Case("values", "ssnn_chip_tb " + " ".join(args), "ssnn_chip_tb", base + args, frags)
    for args, frags in ((["wta-distribution", "--weights", weights, "--samples", "-5"], ["--samples"]),
                        (["wta-distribution", "--weights", weights, "--threads", "100000"], ["--threads"]),
                        (["wta-distribution", "--weights", weights, "--logit-per-rate", "nan"], ["--logit-per-rate"]),
                        (["wta-distribution", "--weights", weights, "--softmax-scales", "1,,2"], ["--softmax-scales"]),
                        (["update-agreement", "--weights", weights, "--samples", "-5"], ["--samples"]),
                        (["update-agreement", "--weights", weights, "-T", "-4"], ["--timesteps"]),
                        (["update-agreement", "--weights", weights, "--tau-divisor", "nan"], ["--tau-divisor"]),
                        (["stochastic-mult", "--timesteps", "0"], ["--timesteps"]),
                        (["stochastic-mult", "--seed", "18446744073709551616"], ["--seed"]),
                        (["stochastic-mult", "--step", "nan"], ["--step"]), (["stochastic-mult", "--step", "-1"], ["--step"])):
        yield Case("values", "ssnn_analysis " + " ".join(a for a in args if a != weights), "ssnn_analysis", args, frags)
    for args, frags in ((["--hidden", "8,,8"], ["--hidden"]), (["--seed", "18446744073709551616"], ["--seed"]),
                        (["--threads", "100000"], ["--threads"]), (["--lr", "nan"], ["--lr"])):
        yield Case("values", "ann_baseline " + " ".join(args), "ann_baseline",
                   ["--epochs", "1", "--train-samples", "10", "--test-samples", "10", "--quiet"] + args, frags)


def cases_bounds(w):
    train = ["train", "--epochs", "1", "--no-progress"]
    fifo = os.path.join(w, "fifo.ckpt")
    os.mkfifo(fifo)
    big = os.path.join(w, "sparse.ckpt")
    with open(big, "wb") as f:
        f.write(CKPT_MAGIC)
        f.truncate(5 << 30)  # 5 GB, sparse: nothing on disk
    for path, frags in (("/dev/zero", ["/dev/zero", "device"]), (fifo, ["FIFO"]), (big, ["sparse.ckpt", "limit"]),
                        (w, ["folder"])):
        yield Case("bounds", f"checkpoint {os.path.basename(path)}", "ssnn_golden", ["info", "--weights", path], frags)
        yield Case("bounds", f"chip --load-weights {os.path.basename(path)}", "ssnn_chip_tb",
                   ["--load-weights", path, "--no-progress"], frags)
    # JSON nesting: a history of 3 MB of arrays of objects parses in linear time; 100,000 levels are refused.
    weights = tiny_weights(w, ENV)
    config, epoch, position, blob, history = ckpt_parts(weights)
    import json
    wide = os.path.join(w, "wide-history.ckpt")
    write_ckpt(wide, json.dumps(config), epoch, position, blob, "[" + ",".join(['{"a":[{"b":1}]}'] * 200000) + "]")
    yield Case("bounds", "a checkpoint whose history is 3 MB of arrays of objects", "ssnn_golden",
               ["info", "--weights", wide], ok=True)
    deep = os.path.join(w, "deep-history.ckpt")
    write_ckpt(deep, json.dumps(config), epoch, position, blob, "[" * 100000 + "]" * 100000)
    yield Case("bounds", "a checkpoint whose history nests 100,000 levels", "ssnn_golden", ["info", "--weights", deep],
               ["deep-history.ckpt", "nests deeper"])
    # A gzip bomb: a valid header announcing 130 x 1024 x 768 pixels (100 MB), all zero, followed by as
    # much again: read up to what the header announces (one allocation of that size), then refused.
    # A header beyond the 2^30-pixel limit is refused before anything is read (the next case).
    bomb_dir = os.path.join(w, "bomb")
    os.makedirs(bomb_dir)
    count, rows, cols = 130, 1024, 768
    header = struct.pack(">IIII", 0x803, count, rows, cols)
    comp = gzip.GzipFile(os.path.join(bomb_dir, "train-images-idx3-ubyte.gz"), "wb", mtime=0)
    comp.write(header)
    zeros = bytes(1 << 20)
    for _ in range(2 * count * rows * cols // len(zeros)):
        comp.write(zeros)
    comp.close()
    idx_labels(os.path.join(bomb_dir, "train-labels-idx1-ubyte.gz"), [0] * count)
    idx_images(os.path.join(bomb_dir, "t10k-images-idx3-ubyte.gz"), 2, rows, cols)
    idx_labels(os.path.join(bomb_dir, "t10k-labels-idx1-ubyte.gz"), [0, 1])
    yield Case("bounds", "a gzip bomb of images (200 MB inflated, half of it beyond the header)", "ssnn_golden",
               train + ["--dataset", "path:" + bomb_dir], ["train-images-idx3-ubyte.gz"])
    over = os.path.join(w, "over")
    os.makedirs(over)
    with open(os.path.join(over, "train-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, 1400000, 28, 28))
    idx_labels(os.path.join(over, "train-labels-idx1-ubyte.gz"), [0] * 10)
    yield Case("bounds", "an image header beyond the 2^30-pixel limit", "ssnn_golden",
               train + ["--dataset", "path:" + over], ["train-images-idx3-ubyte", "absurd dimensions"])
    # Resource estimates: refused before the run, with the override named.
    sub = ["--train-samples", "10", "--test-samples", "10"]
    yield Case("bounds", "a network of 65536,65536 hidden neurons", "ssnn_golden",
               train + sub + ["--hidden", "65536,65536", "--weight-bits", "8"], ["--hidden", "--allow-large"])
    yield Case("bounds", "chip: a network of 65536,65536 hidden neurons", "ssnn_chip_tb",
               ["--epochs", "1", "--no-progress"] + sub + ["--hidden", "65536,65536", "--weight-bits", "8"],
               ["--hidden", "--allow-large"])
    yield Case("bounds", "T = 100000 over 100,000 epochs", "ssnn_golden",
               ["train", "--epochs", "100000", "-T", "100000", "--no-progress", "--hidden", "1280"],
               ["--epochs", "--allow-large"])
    yield Case("bounds", "--timesteps 2147483647", "ssnn_golden", train + ["-T", "2147483647"], ["--timesteps"])
    yield Case("bounds", "stochastic-mult --step 1e-9", "ssnn_analysis", ["stochastic-mult", "--step", "1e-9"],
               ["--step"])
    yield Case("bounds", "stochastic-mult --timesteps 2147483647", "ssnn_analysis",
               ["stochastic-mult", "--timesteps", "2147483647"], ["--timesteps"])
    yield Case("bounds", "ann_baseline --hidden 65536,65536", "ann_baseline",
               ["--epochs", "1", "--quiet", "--hidden", "65536,65536"] + sub, ["--hidden", "--allow-large"])


def cases_errors(w):
    fifo = os.path.join(w, "fifo")
    os.mkfifo(fifo)
    nodata = os.path.join(w, "folder-not-file")
    os.makedirs(os.path.join(nodata, "train-images-idx3-ubyte.gz"))
    yield Case("errors", "a data file that is a folder is not 'missing'", "ssnn_golden",
               ["train", "--dataset", "path:" + nodata, "--no-progress"], ["train-images-idx3-ubyte.gz", "folder"])
    fifodata = os.path.join(w, "fifo-data")
    os.makedirs(fifodata)
    os.mkfifo(os.path.join(fifodata, "train-images-idx3-ubyte.gz"))
    yield Case("errors", "a data file that is a FIFO is not 'missing'", "ssnn_golden",
               ["train", "--dataset", "path:" + fifodata, "--no-progress"], ["train-images-idx3-ubyte.gz", "FIFO"])
    big = data_set(w, "bigimages", train=(4, 300, 300), test=(2, 300, 300))
    yield Case("errors", "images larger than the input limit name the file, not --inputs", "ssnn_golden",
               ["train", "--dataset", big, "--no-progress"], ["train-images-idx3-ubyte.gz", "65536"])
    ds = data_set(w, "fourclasses", train_labels=[i % 4 for i in range(20)])
    yield Case("errors", "--classes below the training labels names the labels file", "ssnn_golden",
               ["train", "--dataset", ds, "--classes", "3", *TINY[:-3]], ["--classes", "train-labels-idx1-ubyte.gz"])
    weights = tiny_weights(w, ENV)
    config, epoch, position, blob, history = ckpt_parts(weights)
    badjson = os.path.join(w, "badjson.ckpt")
    write_ckpt(badjson, "{\"inputs\": 784,", epoch, position, blob, history)
    yield Case("errors", "broken configuration JSON: no raw json.exception text", "ssnn_golden",
               ["info", "--weights", badjson], ["badjson.ckpt"])
    for prog, args in (("ssnn_chip_tb", ["--trace", os.path.join(w, "t.vcd"), "--trace-blocks", "tile99999999999999"]),
                       ("ssnn_chip_tb", ["--rtl", "neuron", "--rtl-inject", "neuron:99999999999999999999999"])):
        yield Case("errors", f"{prog} {' '.join(args[-2:])}: no 'stoi'", prog,
                   ["--hidden", "8", "-T", "4", "--epochs", "0", "--test-samples", "2", "--no-progress"] + args,
                   [args[-2] if args[-2] != "--rtl-inject" else "--rtl"])


CLASSES = {
    "injection": cases_injection,
    "memory": cases_memory,
    "data-loss": cases_data_loss,
    "values": cases_values,
    "bounds": cases_bounds,
    "errors": cases_errors,
}


# ---------------------------------------------------------------------------------------------
# Running.

def run_case(case, bindir, env):
    exe = os.path.join(bindir, case.program)
    before = {p: fingerprint(p) for p in case.protect}
    t0 = time.monotonic()
    p = subprocess.Popen([exe] + case.args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=env, cwd=case.cwd)
    chunks = []
    reader = threading.Thread(target=lambda: chunks.append(p.stderr.read()))
    reader.start()
    # os.wait4 gives this child's own peak resident set.
    timed_out = False
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if not timed_out and time.monotonic() - t0 > TIME_LIMIT:
            p.kill()
            timed_out = True
        time.sleep(0.02)
    p.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    p.stderr.close()
    err = b"".join(chunks)
    seconds = time.monotonic() - t0
    rss_kb = usage.ru_maxrss
    text = err.decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip()]
    problems = []
    if timed_out:
        problems.append(f"still running after {TIME_LIMIT:.0f} s")
    if rss_kb > RSS_LIMIT_KB:
        problems.append(f"peak resident set {rss_kb // 1024} MB > {RSS_LIMIT_KB // 1024} MB")
    for mark in SANITIZER_MARKS + ("json.exception", "error: stoi", "error: stoull", "error: stod"):
        if mark in text:
            problems.append(f"'{mark}' on stderr")
    rc = p.returncode
    if case.ok:
        if rc != 0 and not timed_out:
            problems.append(f"exit code {rc}, expected success; stderr: {text.strip()[:300]}")
    elif not timed_out:
        if rc < 1 or rc > 125:
            problems.append(f"exit code {rc}, expected 1..125")
        if len(lines) != 1:
            problems.append(f"{len(lines)} lines on stderr, expected 1: {text.strip()[:300]!r}")
        for frag in case.fragments:
            if frag not in text:
                problems.append(f"'{frag}' not in the message {text.strip()[:300]!r}")
    for path, fp in before.items():
        if fingerprint(path) != fp:
            problems.append(f"{path} was changed")
    for path in case.absent:
        if os.path.lexists(path):
            problems.append(f"{path} exists")
    if case.check:
        extra = case.check()
        if extra:
            problems.append(extra)
    return problems, seconds, text.strip().splitlines()[:1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", required=True)
    ap.add_argument("--class", dest="classes", action="append", choices=sorted(CLASSES))
    ap.add_argument("--case", help="only cases whose name contains this")
    ap.add_argument("--skip", action="append", default=[], help="skip the cases of this program")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    global BIN, ENV
    BIN = a.bin
    env = ENV = dict(os.environ, SSNN_REPO_DIR=REPO, OMP_NUM_THREADS="1", SYSTEMC_DISABLE_COPYRIGHT_MESSAGE="1")
    work = tempfile.mkdtemp(prefix="ssnn_hostile_")
    failed, ran, skipped = [], 0, {}
    try:
        for cls in a.classes or list(CLASSES):
            folder = os.path.join(work, cls)
            os.makedirs(folder)
            for case in CLASSES[cls](folder):
                if a.case and a.case not in case.name:
                    continue
                if a.list:
                    print(f"{case.cls}: {case.name}")
                    continue
                if case.program in a.skip or not os.access(os.path.join(a.bin, case.program), os.X_OK):
                    skipped[case.program] = skipped.get(case.program, 0) + 1
                    continue
                problems, seconds, first = run_case(case, a.bin, env)
                ran += 1
                status = "FAIL" if problems else "ok"
                print(f"[{status}] {case.cls}: {case.name} ({seconds:.1f} s) {first[0] if first else ''}", flush=True)
                for pr in problems:
                    print(f"       {pr}", flush=True)
                if problems:
                    failed.append(case)
    finally:
        if a.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    if a.list:
        return 0
    for prog, n in skipped.items():
        print(f"skipped {n} cases of {prog} (not in {a.bin})")
    print(f"{ran - len(failed)} of {ran} hostile-input cases passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
