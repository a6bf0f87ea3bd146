"""The weight block of a checkpoint or weights file, for the end-to-end tests' comparisons.

Layout (sw/include/ssnn/checkpoint.hpp): magic 8 | u32 version | u64 n + config | u32 epoch |
u64 position | u32 layers | per layer u32 rows, u32 cols, rows*cols i32 | ...  Files of the same
weights may differ in their configuration and history JSON; their weight blocks are equal.
"""
import struct


def weight_block(path):
    d = open(path, "rb").read()
    n = struct.unpack_from("<Q", d, 12)[0]
    p = 20 + n + 4 + 8
    layers = struct.unpack_from("<I", d, p)[0]
    p += 4
    start = p
    for _ in range(layers):
        r, c = struct.unpack_from("<II", d, p)
        p += 8 + 4 * r * c
    return d[start:p]
