#!/usr/bin/env python3
"""Writes the small seed corpora of the libFuzzer targets (fuzz/corpus/model,
fuzz/corpus/layers): for each mode of each target a leading selector that
picks it (see the decoders in fuzz_model.c / fuzz_layers.c) followed by
deterministic pseudo-random bytes, so every cell type, direction count,
projection, dropout, raw-config validation and every layer / loss starts
covered. Rerunning gives byte-identical files. Files named regress-* are
inputs that once found a bug and are not touched here.

    python3 fuzz/make_corpus.py
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(bytes(data))


def tail(rng, n):
    return [rng.randrange(256) for _ in range(n)]


def model_seeds():
    rng = random.Random(20240601)
    # mode: bit 0 ordinary data only, bits 4-5 both set: larger sizes, mode % 8 == 7: raw config
    for mode, label in ((0x01, "nice"), (0x00, "wild"), (0x31, "big")):
        for cell in range(4):
            for variant in range(2):
                # cell, I, H, L, flags (bidirectional, bias, projection), [proj], dropout byte, seed
                flags = (variant & 1) | 0x02 | (0x04 if cell == 2 else 0)
                head = [mode, cell, 2 + variant, 3 + 2 * variant, variant, flags]
                if cell == 2:
                    head.append(1)  # projSize = 1 % H
                head += [variant * 3, 7, 0, 0, 0]  # dropout: 0 or (3 >> 2) / 64 ... then the seed
                head.append(2)  # rounds: 1 + 2 % 3 = 3
                # round: k (taps + optimizer bits set), T, B, lengths mode 1, ...
                body = [0x33, 4, 2, 1] + tail(rng, 360 if mode != 0x31 else 1200)
                write("model", f"{label}-cell{cell}-{variant}", head + body)
    for i in range(3):
        write("model", f"raw-config-{i}", [7 + 8 * i] + tail(rng, 48))
    # the min cells (4-7: minGRU, minLSTM, and their log-space forms), from a
    # generator of their own so the seeds above stay as they were
    rng = random.Random(20261204)
    for mode, label in ((0x01, "nice"), (0x00, "wild"), (0x31, "big")):
        for cell in range(4, 8):
            head = [mode, cell, 3, 5, 1, 0x03, 0, 7, 0, 0, 0, 2]
            write("model", f"{label}-cell{cell}", head + [0x33, 40, 2, 1] + tail(rng, 360 if mode != 0x31 else 1200))


def layers_seeds():
    rng = random.Random(20240602)
    names = ["linear", "embedding", "loss", "dropout-rng", "causalconv"]  # a new one last: the others' bytes stay
    for sel, name in enumerate(names):
        for v in range(4):
            # selector, then nice flag (odd = ordinary data) and the rest
            write("layers", f"{name}-{v}", [sel, v & 1, 0x20 + v] + tail(rng, 200))


if __name__ == "__main__":
    model_seeds()
    layers_seeds()
