"""Replays tools/digits_same_start.mjs's run in PyTorch (nn.LSTM -> nn.Linear ->
nn.CTCLoss, Adam, clip_grad_norm_ 5: tools/train_digits.py's step) from the
same initial weights on the same batches in the same order, and prints both
engines' loss and gradient norm per step. A second PyTorch run starts from
the same weights nudged by 1e-6 (relative): how far two PyTorch runs drift
apart from a rounding-sized difference, the yardstick for rnn-wasm's drift.

  /usr/bin/python3 tools/digits_same_start.py /tmp/digits-same
"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(__file__))
from load_safetensors import load_safetensors  # noqa: E402

out = sys.argv[1]
run = json.load(open(os.path.join(out, "run.json")))
flags, ys, wasm = run["flags"], run["y"], run["steps"]
init = load_safetensors(os.path.join(out, "init.safetensors"))
xs = load_safetensors(os.path.join(out, "batches.safetensors"))
torch.set_num_threads(1)


class Recogniser(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(flags["stack"] * flags["bins"], flags["hidden"], flags["layers"], batch_first=True)
        self.head = nn.Linear(flags["hidden"], 11)

    def forward(self, x):
        return self.head(self.lstm(x)[0])


def state(sd, nudge=0.0):
    g = torch.Generator().manual_seed(7)
    return {k.replace("0.", "lstm.", 1) if k.startswith("0.") else k.replace("1.", "head.", 1):
            v * (1 + nudge * torch.randn(v.shape, generator=g)) for k, v in sd.items()}


def train(nudge):
    model = Recogniser()
    model.load_state_dict(state(init, nudge), strict=True)
    opt = torch.optim.Adam(model.parameters(), lr=flags["lr"])
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    steps = []
    for _ in range(flags["epochs"]):
        for i, y in enumerate(ys):
            logp = model(xs[f"x{i}"]).log_softmax(-1).transpose(0, 1)
            targets = torch.tensor([d for t in y["targets"] for d in t])
            loss = ctc(logp, targets, torch.tensor(y["inputLengths"]), torch.tensor(y["targetLengths"]))
            opt.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            steps.append((loss.item(), norm.item()))
    return steps, model


torch_steps, model = train(0.0)
nudged, _ = train(1e-6)
final = load_safetensors(os.path.join(out, "final.safetensors"))
print("step  loss: rnn-wasm  pytorch  pytorch-nudged | grad norm: rnn-wasm  pytorch  pytorch-nudged")
for s, (w, t, p) in enumerate(zip(wasm, torch_steps, nudged)):
    if s < 5 or s % 10 == 9 or s == len(wasm) - 1:
        print(f"{s + 1:4d}  {w['loss']:.5f}  {t[0]:.5f}  {p[0]:.5f} | {w['gradNorm']:.4f}  {t[1]:.4f}  {p[1]:.4f}")


def mean_abs(a, b):
    return sum(abs(x - y) for x, y in zip(a, b)) / len(a)


W, T, P = [w["loss"] for w in wasm], [t[0] for t in torch_steps], [p[0] for p in nudged]
q = len(W) // 4
print(f"step 1 loss relative difference rnn-wasm vs pytorch: {abs(W[0] - T[0]) / T[0]:.2e}; grad norm {abs(wasm[0]['gradNorm'] - torch_steps[0][1]) / torch_steps[0][1]:.2e}")
print(f"mean loss over the last quarter: rnn-wasm {sum(W[-q:]) / q:.4f}, pytorch {sum(T[-q:]) / q:.4f}, pytorch nudged {sum(P[-q:]) / q:.4f}")
print(f"mean |loss difference| per step: rnn-wasm vs pytorch {mean_abs(W, T):.4f}, pytorch vs nudged {mean_abs(T, P):.4f}")
sd = state(final)
print("final weights, max |rnn-wasm - pytorch| per tensor:",
      {k: round((v - sd[k]).abs().max().item(), 5) for k, v in model.state_dict().items()})
