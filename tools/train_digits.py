"""The PyTorch anchor of examples/digits.mjs: the same recogniser (40 Kaldi
log-mel bins with the same running normalisation -> nn.LSTM stack ->
nn.Linear -> nn.CTCLoss, Adam, gradient clipping, batches of similar
lengths) on the same scripts/make-digits.mjs data, reporting the digit error
rate of greedy decoding on the held-out voices.

  python3 tools/train_digits.py --data build/digits [--epochs 20]

Final line: der=... test_utts=... epochs=... seconds=...
"""
import argparse
import json
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
p.add_argument("--epochs", type=int, default=20)
p.add_argument("--batch", type=int, default=32)
p.add_argument("--lr", type=float, default=2e-3)
p.add_argument("--hidden", type=int, default=128)
p.add_argument("--layers", type=int, default=2)
p.add_argument("--bins", type=int, default=40)
p.add_argument("--seed", type=int, default=1)
p.add_argument("--max-train", type=int, default=0)
args = p.parse_args()
torch.manual_seed(args.seed)
random.seed(args.seed)
torch.set_num_threads(1)
CLASSES = 11  # 0 = blank, digit d = class d + 1
DECAY = 0.995


def read_wav(path):
    with wave.open(path) as w:
        x = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768
    return torch.from_numpy(x)


def features(x):
    """Kaldi fbank (as rnn.audio.Fbank) with its running normalisation."""
    f = kaldi.fbank(x.double().unsqueeze(0), sample_frequency=16000, num_mel_bins=args.bins, dither=0.0).numpy()
    mean, var = f[0].copy(), np.ones(args.bins)
    out = np.empty_like(f)
    for t in range(len(f)):
        mean = DECAY * mean + (1 - DECAY) * f[t]
        var = DECAY * var + (1 - DECAY) * (f[t] - mean) ** 2
        out[t] = (f[t] - mean) / np.sqrt(var + 1e-5)
    return torch.from_numpy(out).float()


def load(split, limit=0):
    items = json.load(open(os.path.join(args.data, f"{split}.json")))
    if limit:
        items = items[:limit]
    return [(features(read_wav(os.path.join(args.data, split, u["file"]))), u["digits"]) for u in items]


def batches(utts):
    order = sorted(utts, key=lambda u: u[0].shape[0])
    out = [order[i:i + args.batch] for i in range(0, len(order), args.batch)]
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
        self.lstm = nn.LSTM(args.bins, args.hidden, args.layers, batch_first=True)
        self.head = nn.Linear(args.hidden, CLASSES)

    def forward(self, x):
        return self.head(self.lstm(x)[0])


def der(model, utts):
    model.eval()
    errors = total = 0
    with torch.no_grad():
        for x, digits in utts:
            best = model(x.unsqueeze(0))[0].argmax(-1).tolist()
            got = [k - 1 for t, k in enumerate(best) if k != 0 and (t == 0 or k != best[t - 1])]
            errors += edit_distance(got, digits)
            total += len(digits)
    model.train()
    return errors / total


start = time.time()
train, test = load("train", args.max_train), load("test")
model = Recogniser()
opt = torch.optim.Adam(model.parameters(), lr=args.lr)
ctc = nn.CTCLoss(blank=0, zero_infinity=True)
best = float("inf")
for epoch in range(1, args.epochs + 1):
    total = n = 0
    for group in batches(train):
        T = max(x.shape[0] for x, _ in group)
        x = torch.zeros(len(group), T, args.bins)
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
    rate = der(model, test)
    best = min(best, rate)
    print(f"epoch {epoch}: ctc loss {total / n:.4f}, test digit error rate {100 * rate:.2f}% ({time.time() - start:.0f} s)", flush=True)
print(f"der={best:.4f} test_utts={len(test)} epochs={args.epochs} seconds={time.time() - start:.1f}")
