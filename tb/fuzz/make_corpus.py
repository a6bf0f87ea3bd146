#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tb/fuzz/corpus/<target>/.

    tb/fuzz/make_corpus.py [--golden build/bin/ssnn_golden]

IDX and configuration seeds are built here; checkpoint seeds come from short runs of ssnn_golden on
a 4x4-pixel data set (so they are exactly what the tool writes), plus damaged copies of them.
Every seed is small (a few KB at most): small valid files, and invalid ones next to them. The output
is the same on every run except the wall-clock seconds in the checkpoints' training histories.
"""
import argparse
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def gz(data):
    # mtime=0: the same bytes every time.
    return gzip.compress(data, compresslevel=9, mtime=0)


def be32(*values):
    return b"".join(struct.pack(">I", v) for v in values)


def images(count, rows, cols, pixels=None):
    if pixels is None:
        pixels = bytes((i * 37 + 11) % 256 for i in range(count * rows * cols))
    return be32(0x803, count, rows, cols) + pixels


def labels(values):
    return be32(0x801, len(values)) + bytes(values)


def subset(name, n_items, item_bytes, header_bytes):
    with gzip.open(os.path.join(REPO, "data", "mnist-subset", name), "rb") as f:
        data = f.read(header_bytes + n_items * item_bytes)
    header = bytearray(data[:header_bytes])
    header[4:8] = struct.pack(">I", n_items)
    return bytes(header) + data[header_bytes:]


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def idx_seeds():
    two_mnist = subset("train-images-idx3-ubyte.gz", 2, 784, 16)
    small = images(2, 3, 4)
    write("idx_images", "valid_2x3x4.raw", small)
    write("idx_images", "valid_3x5x5.gz", gz(images(3, 5, 5)))
    write("idx_images", "valid_mnist_2.gz", gz(two_mnist))
    write("idx_images", "valid_two_members.gz", gz(small[:10]) + gz(small[10:]))
    write("idx_images", "valid_member_then_junk.gz", gz(small) + b"junk after the member")
    write("idx_images", "truncated_payload.raw", small[:-5])
    write("idx_images", "truncated_header.raw", small[:11])
    write("idx_images", "truncated_stream.gz", gz(images(3, 5, 5))[:-12])
    write("idx_images", "trailing_data.raw", small + b"\x00\x01")
    write("idx_images", "labels_magic.raw", labels([1, 2, 3]))
    write("idx_images", "zero_rows.raw", be32(0x803, 1, 0, 4))
    write("idx_images", "huge_count.raw", be32(0x803, 0xFFFFFFFF, 28, 28) + b"\x00" * 64)
    write("idx_images", "over_2g_pixels.raw", be32(0x803, 10_000_000, 1024, 1024))
    write("idx_images", "gzip_in_gzip.gz", gz(gz(small)))
    write("idx_images", "empty.raw", b"")
    write("idx_images", "corrupt_deflate.gz", gz(small)[:12] + b"\xff" * 20 + gz(small)[32:])

    ten = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
    write("idx_labels", "valid_10.raw", labels(ten))
    write("idx_labels", "valid_10.gz", gz(labels(ten)))
    write("idx_labels", "valid_mnist_20.gz", gz(subset("train-labels-idx1-ubyte.gz", 20, 1, 8)))
    write("idx_labels", "truncated.raw", labels(ten)[:-3])
    write("idx_labels", "truncated_stream.gz", gz(labels(ten))[:-9])
    write("idx_labels", "trailing.raw", labels(ten) + b"\x07")
    write("idx_labels", "images_magic.raw", images(1, 2, 2))
    write("idx_labels", "zero_count.raw", be32(0x801, 0))
    write("idx_labels", "huge_count.raw", be32(0x801, 0x7FFFFFFF) + b"\x01\x02")
    write("idx_labels", "short_header.raw", b"\x00\x00\x08")
    write("idx_labels", "two_members.gz", gz(labels(ten)[:6]) + gz(labels(ten)[6:]))


def tiny_config(**changes):
    c = {
        "inputs": 16, "hidden": [4], "classes": 3, "timesteps": 8, "tau_divisor": 10.0,
        "input_rate": 0.4, "input_profile": "front-loaded", "label_rate": 0.5,
        "weight_bits": 16, "charge_bits": 24, "potential_bits": 24,
        "theta": 16384, "theta_out": 16384, "theta_grad": 1024, "err_unit": 256, "theta_err": 128,
        "wta": True, "inhibition": 4096, "update_mode": "stochastic", "pulse": [4],
        "layer_pulse_ratio": [], "noise_timesteps": 100.0, "dropout_input": 0.0, "dropout_hidden": 0.0,
        "init_gain": 1.0, "device_states": 0, "device_asymmetry": 0.0, "pulse_noise": 0, "seed": 1,
    }
    c.update(changes)
    return c


def config_seeds():
    def put(name, obj):
        write("config", name, json.dumps(obj, sort_keys=True).encode())

    put("valid_tiny.json", tiny_config())
    put("valid_rate_dropout.json", tiny_config(update_mode="rate", dropout_input=0.2, dropout_hidden=0.3, pulse=[8, 4, 2]))
    put("valid_noise.json", tiny_config(update_mode="noise", noise_timesteps=100.0, input_profile="flat"))
    put("valid_sample_mode.json", tiny_config(update_mode="stochastic-sample", pulse=[2]))
    put("valid_device.json", tiny_config(device_states=9, device_asymmetry=0.5, pulse_noise=3,
                                         layer_pulse_ratio=[1.0, 0.25], wta=False))
    put("valid_two_hidden.json", tiny_config(hidden=[6, 5], weight_bits=10, theta=600, theta_out=600,
                                             theta_grad=64, inhibition=100))
    put("valid_defaults.json", {})
    put("valid_big_pulses.json", tiny_config(weight_bits=14, theta=4000, theta_out=4000, theta_grad=500,
                                             inhibition=1000, pulse=[8000], layer_pulse_ratio=[1000, 1000],
                                             device_states=3, device_asymmetry=5.0))
    put("bad_float_int.json", tiny_config(inputs=1e10))
    put("bad_negative_seed.json", tiny_config(seed=-1))
    put("bad_hidden_type.json", tiny_config(hidden="4"))
    put("bad_mode.json", tiny_config(update_mode="sideways"))
    put("bad_theta_zero.json", tiny_config(theta=0))
    put("bad_not_object.json", [1, 2, 3])
    write("config", "bad_syntax.json", b'{"inputs": 16, "hidden": [4,')


def checkpoint_seeds(golden):
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        os.makedirs(data)
        pix = lambda n, salt: bytes((i * 53 + salt) % 256 for i in range(n * 16))
        for prefix, n, salt in (("train", 12, 5), ("t10k", 6, 9)):
            with open(os.path.join(data, prefix + "-images-idx3-ubyte"), "wb") as f:
                f.write(images(n, 4, 4, pix(n, salt)))
            with open(os.path.join(data, prefix + "-labels-idx1-ubyte"), "wb") as f:
                f.write(labels([i % 3 for i in range(n)]))
        env = dict(os.environ, OMP_NUM_THREADS="1")
        base = [golden, "train", "--dataset", "path:" + data, "--hidden", "4", "-T", "8", "--threads", "1",
                "--train-threads", "1", "--no-progress"]
        ck = os.path.join(tmp, "run.ckpt")
        runs = [
            (["--epochs", "2", "--save-weights", os.path.join(tmp, "weights.ckpt")], "weights.ckpt", "valid_weights.ckpt"),
            (["--epochs", "2", "--checkpoint", ck, "--stop-after", "5"], "run.ckpt", "valid_mid_epoch.ckpt"),
            (["--epochs", "2", "--checkpoint", ck, "--resume", "--stop-after", "7"], "run.ckpt", "valid_epoch_end.ckpt"),
            (["--epochs", "2", "--mode", "rate", "--hidden", "3,2", "--checkpoint", os.path.join(tmp, "r.ckpt"),
              "--stop-after", "3"], "r.ckpt", "valid_two_hidden_rate.ckpt"),
        ]
        for extra, produced, name in runs:
            cmd = base + extra
            if "--hidden" in extra:  # the later --hidden would add layers: drop the base one
                i = cmd.index("--hidden")
                del cmd[i:i + 2]
            subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
            with open(os.path.join(tmp, produced), "rb") as f:
                write("checkpoint", name, f.read())
    with open(os.path.join(CORPUS, "checkpoint", "valid_mid_epoch.ckpt"), "rb") as f:
        good = f.read()
    write("checkpoint", "bad_crc.ckpt", good[:-1] + bytes([good[-1] ^ 0x55]))
    write("checkpoint", "truncated.ckpt", good[: len(good) // 2])
    write("checkpoint", "bad_magic.ckpt", b"SSNNCKPX" + good[8:])
    write("checkpoint", "only_magic.ckpt", good[:12])
    # A huge config length with a correct CRC.
    body = good[:12] + struct.pack("<Q", 1 << 60) + good[20:-4]
    write("checkpoint", "huge_length.ckpt", body + struct.pack("<I", zlib.crc32(body)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--golden", default=os.path.join(REPO, "build", "bin", "ssnn_golden"))
    args = ap.parse_args()
    idx_seeds()
    config_seeds()
    if os.access(args.golden, os.X_OK):
        checkpoint_seeds(args.golden)
    else:
        print(f"make_corpus.py: {args.golden} not found, checkpoint seeds not written", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
