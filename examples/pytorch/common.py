"""Helpers shared by the PyTorch twins of the examples.

The data side follows the JS examples exactly where it matters for
comparability: the generator is rnn-wasm's (xoshiro128** seeded through
splitmix64, js/data/rng.js createRng), with the same shuffle, batching,
tokenizer and vocabularies, so the sentiment split, vocabulary and batch
order are the JS example's, item for item.
"""
import argparse
import os
import re
import time

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
M32 = 0xFFFFFFFF
M64 = (1 << 64) - 1


def repo_path(rel):
    return os.path.join(REPO, rel)


def read_repo_file(rel):
    with open(repo_path(rel), "r", encoding="utf-8", newline="") as f:
        return f.read()


class Rng:
    """js/data/rng.js createRng: xoshiro128** seeded through splitmix64."""

    def __init__(self, seed):
        x = seed & M64
        words = []
        for _ in range(2):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            z ^= z >> 31
            words += [z & M32, z >> 32]
        self.s = words

    def next_u32(self):
        s0, s1, s2, s3 = self.s
        rotl = lambda v, k: ((v << k) | (v >> (32 - k))) & M32
        result = (rotl((s1 * 5) & M32, 7) * 9) & M32
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def uniform(self):
        return (self.next_u32() >> 8) / 16777216

    def int(self, n):
        if n == 1 << 32:
            return self.next_u32()
        limit = (1 << 32) - ((1 << 32) % n)
        while True:
            u = self.next_u32()
            if u < limit:
                return u % n


def shuffle(items, rng):
    """js/data/splits.js shuffle: Fisher-Yates from the end, j = rng.int(i + 1); a copy."""
    a = list(items)
    for i in range(len(a) - 1, 0, -1):
        j = rng.int(i + 1)
        a[i], a[j] = a[j], a[i]
    return a


def batches(n, batch_size, rng):
    """js/data/batching.js batches(n, { batchSize, rng }): shuffled index lists."""
    order = shuffle(range(n), rng)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


_WORD_RE = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


def tokenize(text):
    """WordVocab.tokenize: lowercase, then /[a-z0-9']+|[^\\sa-z0-9']/g."""
    return _WORD_RE.findall(text.lower())


class WordVocab:
    """WordVocab.fromTexts: '<pad>' 0, '<unk>' 1, then by descending count, ties by code unit order."""

    def __init__(self, texts, min_count=1):
        counts = {}
        for t in texts:
            for w in tokenize(t):
                counts[w] = counts.get(w, 0) + 1
        entries = [(w, n) for w, n in counts.items() if n >= min_count]
        # JS compares strings by UTF-16 code units; for the BMP that is code point order.
        entries.sort(key=lambda e: (-e[1], e[0].encode("utf-16-be")))
        self.words = [w for w, _ in entries]
        self.ids = {w: i + 2 for i, w in enumerate(self.words)}
        self.size = len(self.words) + 2

    def encode(self, text):
        return [self.ids.get(w, 1) for w in tokenize(text)]


class CharVocab:
    """CharVocab.fromText: '<pad>' 0, '<unk>' 1, then the code points sorted."""

    def __init__(self, text):
        self.chars = sorted(set(text))
        self.ids = {c: i + 2 for i, c in enumerate(self.chars)}
        self.tokens = ["<pad>", "<unk>"] + self.chars
        self.size = len(self.tokens)

    def encode(self, text):
        return [self.ids.get(c, 1) for c in text]

    def decode(self, ids):
        return "".join("" if i == 0 else "\ufffd" if i == 1 else self.tokens[i] for i in ids)


def tbptt_batches(ids, batch_size, k):
    """rnn.tbpttBatches: batch_size contiguous streams cut into chunks of k steps.
    ids: a 1-D torch tensor; returns a list of (x [B, k], y [B, k])."""
    per = (len(ids) - 1) // batch_size
    chunks = per // k
    starts = [b * per for b in range(batch_size)]
    out = []
    for c in range(chunks):
        xs = [ids[s + c * k: s + c * k + k] for s in starts]
        ys = [ids[s + c * k + 1: s + c * k + k + 1] for s in starts]
        out.append((xs, ys))
    return out


def parse_flags(defaults, description):
    """--name value flags like the JS examples' (camelCase keys become --kebab-case)."""
    p = argparse.ArgumentParser(description=description)
    for k, v in defaults.items():
        name = "--" + re.sub(r"(?<=[a-z])[A-Z]", lambda m: "-" + m.group(0).lower(), k)
        if isinstance(v, bool):
            p.add_argument(name, dest=k, default=v, type=lambda s: s.lower() not in ("0", "false", "no"),
                           nargs="?", const=True)
        else:
            p.add_argument(name, dest=k, default=v, type=type(v))
    return vars(p.parse_args())


def timer():
    t0 = time.time()
    return lambda: time.time() - t0


def cpu_seconds():
    """CPU seconds (user + system) of this process: robust to a busy machine."""
    return time.process_time()


def fmt(v, digits=4):
    """4 decimals, or 4 significant digits below 1 (as the JS examples)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if abs(v) < 1:
        return repr(float("%.*g" % (digits, v)))
    return "%.*f" % (digits, v)


def final_line(pairs):
    print(" ".join("%s=%s" % (k, fmt(v)) for k, v in pairs.items()), flush=True)
