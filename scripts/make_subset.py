#!/usr/bin/env python3
"""Make data/mnist-subset/ from the full MNIST in the cache folder.

The subset is the first N_TRAIN training images and the first N_TEST test
images of MNIST, in their original order, written as gzipped IDX files with
the standard names. Output is deterministic (gzip level 9, mtime 0, no file
name in the gzip header). Standard library only.

Usage: scripts/make_subset.py [--src DIR] [--dst DIR] [--train N] [--test N]
  --src  full MNIST folder (default: ${SSNN_DATA_DIR:-~/.cache/ssnn-hw/data}/mnist,
         filled by scripts/fetch_data.sh mnist)
  --dst  output folder (default: data/mnist-subset in this repository)
"""
import argparse
import gzip
import hashlib
import os
import struct
import sys

N_TRAIN = 2000
N_TEST = 1000
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def subset_images(data, n, path):
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != IMAGES_MAGIC:
        sys.exit(f"{path}: wrong magic 0x{magic:08x}, expected 0x{IMAGES_MAGIC:08x}")
    if count < n or len(data) != 16 + count * rows * cols:
        sys.exit(f"{path}: {count} images of {rows}x{cols} in {len(data)} bytes; need {n}")
    return struct.pack(">IIII", magic, n, rows, cols) + data[16:16 + n * rows * cols]


def subset_labels(data, n, path):
    magic, count = struct.unpack(">II", data[:8])
    if magic != LABELS_MAGIC:
        sys.exit(f"{path}: wrong magic 0x{magic:08x}, expected 0x{LABELS_MAGIC:08x}")
    if count < n or len(data) != 8 + count:
        sys.exit(f"{path}: {count} labels in {len(data)} bytes; need {n}")
    return struct.pack(">II", magic, n) + data[8:8 + n]


def write_gz(path, raw):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
            gz.write(raw)
    os.replace(tmp, path)


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cache = os.environ.get("SSNN_DATA_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "ssnn-hw", "data")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", default=os.path.join(cache, "mnist"))
    ap.add_argument("--dst", default=os.path.join(repo, "data", "mnist-subset"))
    ap.add_argument("--train", type=int, default=N_TRAIN)
    ap.add_argument("--test", type=int, default=N_TEST)
    args = ap.parse_args()

    os.makedirs(args.dst, exist_ok=True)
    for prefix, n in (("train", args.train), ("t10k", args.test)):
        counts = None
        for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
            base = f"{prefix}-{kind}"
            src = os.path.join(args.src, base + ".gz")
            if not os.path.exists(src):
                src = os.path.join(args.src, base)
            if not os.path.exists(src):
                sys.exit(f"{src}(.gz): missing; run scripts/fetch_data.sh mnist first")
            data = read_idx(src)
            if "images" in kind:
                out = subset_images(data, n, src)
            else:
                out = subset_labels(data, n, src)
                counts = [0] * 10
                for label in out[8:]:
                    counts[label] += 1
            dst = os.path.join(args.dst, base + ".gz")
            write_gz(dst, out)
            with open(dst, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            print(f"{digest}  {base}.gz  ({n} items)")
        print(f"  {prefix} class counts: {counts}")
        if min(counts) < n // 20:
            sys.exit(f"{prefix}: a class has fewer than {n // 20} samples: {counts}")


if __name__ == "__main__":
    main()
