"""The PyTorch anchor of examples/digits.mjs: the same recogniser and recipe
(40 Kaldi log-mel bins normalised with the training set's per-bin mean and
deviation, 3 frames stacked per step -> nn.LSTM stack -> nn.Linear ->
nn.CTCLoss; the same per-epoch augmentation (level, mel shift, masks;
--warp and --tilt, off by default, as in digits.mjs), Adam with the same learning
rate per epoch, gradient clipping, batches of similar lengths) on the same
scripts/make-digits.mjs data; the epoch is picked on the validation set
(voices of its own), and the digit error rate of greedy decoding on the
test set's held-out voices is reported at that epoch (overall and per
voice, accent and noise).

  /usr/bin/python3 tools/train_digits.py --data build/digits [--epochs 40]

Debian's torch calls libblas.so.3: with the reference BLAS an epoch of run 7's
16,000 utterances took over 270 s, with OpenBLAS's one-thread build
(libopenblas0-serial, which `bash scripts/setup.sh --bench` installs) 60-90 s.

Final line: der=... valid_der=... best_epoch=... test_utts=... epochs=... seconds=... cpu_seconds=...
"""
import argparse
import collections
import copy
import json
import math
import os
import random
import time
import wave

import numpy as np
import torch
import torch.nn as nn
import torchaudio.compliance.kaldi as kaldi

p = argparse.ArgumentParser()
p.add_argument("--data", default="build/digits")
p.add_argument("--epochs", type=int, default=40)
p.add_argument("--batch", type=int, default=16)
p.add_argument("--lr", type=float, default=3e-3)
p.add_argument("--hidden", type=int, default=128)
p.add_argument("--layers", type=int, default=2)
p.add_argument("--bins", type=int, default=40)
p.add_argument("--stack", type=int, default=3)
p.add_argument("--augment", type=int, default=1)
p.add_argument("--warp", type=float, default=0)
p.add_argument("--tilt", type=float, default=0)
p.add_argument("--dropout", type=float, default=0)  # between the LSTM layers (nn.LSTM's dropout)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--max-train", type=int, default=0)
args = p.parse_args()
torch.manual_seed(args.seed)
random.seed(args.seed)
rng = np.random.default_rng(args.seed)
torch.set_num_threads(1)
CLASSES = 11  # 0 = blank, digit d = class d + 1


def read_wav(path):
    with wave.open(path) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    return torch.from_numpy(x)


def fbank(x):
    """Kaldi fbank, as rnn.audio.fbank computes it (float32 frames [T, bins])."""
    return kaldi.fbank(x.unsqueeze(0), sample_frequency=16000, num_mel_bins=args.bins, dither=0.0).numpy()


def load(split, limit=0):
    items = json.load(open(os.path.join(args.data, f"{split}.json")))
    if limit:
        items = items[:limit]
    return [dict(u, raw=fbank(read_wav(os.path.join(args.data, split, u["file"])))) for u in items]


def augment(f, mean):
    """examples/digits.mjs's augment(): level, mel shift (+ bend with --warp), colouring (--tilt), two bands and two stretches masked."""
    T, M = f.shape
    shift = int(rng.integers(5)) - 2
    level = rng.uniform(-1.5, 1.5)
    bend = args.warp * rng.uniform(-1, 1) if args.warp else 0.0
    centre = 1 + int(rng.integers(M - 2)) if args.warp else 1
    colour = rng.uniform(-args.tilt, args.tilt, 2) if args.tilt else np.zeros(2)
    m = np.arange(M)
    bent = np.where(m <= centre, bend * m / centre, bend * (M - 1 - m) / (M - 1 - centre))
    src = np.clip(m - shift - bent, 0, M - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(M - 1, lo + 1)
    a = (src - lo).astype(np.float32)
    gain = level + colour[0] * np.cos(np.pi * m / (M - 1)) + colour[1] * np.cos(2 * np.pi * m / (M - 1))
    x = ((1 - a) * f[:, lo] + a * f[:, hi] + gain).astype(np.float32)
    for _ in range(2):
        w = int(rng.integers(6)); b = int(rng.integers(M - w)); x[:, b:b + w] = mean[b:b + w]
        n = int(rng.integers(11)); s = int(rng.integers(max(1, T - n))); x[s:s + n] = mean
    return x


def model_inputs(f, mean, std):
    steps = len(f) // args.stack
    return torch.from_numpy(((f[:steps * args.stack] - mean) / std).reshape(steps, -1).astype(np.float32))


def batches(utts, mean, std):
    inputs = [(model_inputs(augment(u["raw"], mean) if args.augment else u["raw"], mean, std), u["digits"]) for u in utts]
    inputs.sort(key=lambda u: u[0].shape[0])
    out = [inputs[i:i + args.batch] for i in range(0, len(inputs), args.batch)]
    random.shuffle(out)
    return out


def edit_distance(a, b):
    d = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(b) + 1):
            prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] != b[j - 1]))
    return d[len(b)]


class Recogniser(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(args.stack * args.bins, args.hidden, args.layers, batch_first=True, dropout=args.dropout)
        self.head = nn.Linear(args.hidden, CLASSES)

    def forward(self, x):
        return self.head(self.lstm(x)[0])


def evaluate(model, utts, mean, std):
    """Digit error rate of greedy decoding, and the per-voice/accent/noise error rates."""
    model.eval()
    errors = total = 0
    groups = collections.defaultdict(lambda: [0, 0])
    with torch.no_grad():
        for u in utts:
            best = model(model_inputs(u["raw"], mean, std).unsqueeze(0))[0].argmax(-1).tolist()
            got = [k - 1 for t, k in enumerate(best) if k != 0 and (t == 0 or k != best[t - 1])]
            e = edit_distance(got, u["digits"])
            errors += e
            total += len(u["digits"])
            for key in (*u["voice"].split("+"), u["noise"]):
                groups[key][0] += e
                groups[key][1] += len(u["digits"])
    model.train()
    return errors / total, {k: round(100 * e / n, 1) for k, (e, n) in groups.items()}


def epoch_lr(epoch):
    """examples/digits.mjs's epochLr(): constant for the first half, then a cosine down to a twentieth."""
    half = args.epochs / 2
    if epoch <= half:
        return args.lr
    return args.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * (epoch - half) / half)))


start = time.time()
train, valid, test = load("train", args.max_train), load("valid"), load("test")
frames = np.concatenate([u["raw"] for u in train]).astype(np.float64)
# over frames with sound, as digits.mjs: digital silence (every bin at the log floor, make-digits --lead) is left out
frames = frames[frames.max(1) > math.log(np.finfo(np.float32).eps) + 1e-3]
mean, std = frames.mean(0).astype(np.float32), frames.std(0).astype(np.float32)
model = Recogniser()
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
ctc = nn.CTCLoss(blank=0, zero_infinity=True)
best, best_epoch, best_state = float("inf"), 0, None
for epoch in range(1, args.epochs + 1):
    for g in opt.param_groups:
        g["lr"] = epoch_lr(epoch)
    total = n = 0
    for group in batches(train, mean, std):
        T = group[-1][0].shape[0]
        x = torch.zeros(len(group), T, group[0][0].shape[1])
        for b, (f, _) in enumerate(group):
            x[b, :f.shape[0]] = f
        logp = model(x).log_softmax(-1).transpose(0, 1)  # [T, B, C]
        targets = torch.tensor([d + 1 for _, digits in group for d in digits])
        loss = ctc(logp, targets, torch.tensor([f.shape[0] for f, _ in group]), torch.tensor([len(d) for _, d in group]))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        total += loss.item()
        n += 1
    rate, _ = evaluate(model, valid, mean, std)
    if rate < best:
        best, best_epoch, best_state = rate, epoch, copy.deepcopy(model.state_dict())
    print(f"epoch {epoch}: lr {epoch_lr(epoch):.2e}, ctc loss {total / n:.4f}, validation digit error rate {100 * rate:.2f}% ({time.time() - start:.0f} s)", flush=True)
model.load_state_dict(best_state)
test_rate, groups = evaluate(model, test, mean, std)
print(f"epoch {best_epoch} (best on validation, {100 * best:.2f}%): test digit error rate {100 * test_rate:.2f}%")
print(f"test error rate (%) by voice, accent and noise: {groups}")
print(f"der={test_rate:.4f} valid_der={best:.4f} best_epoch={best_epoch} test_utts={len(test)} epochs={args.epochs} seconds={time.time() - start:.1f} cpu_seconds={time.process_time():.1f}")
