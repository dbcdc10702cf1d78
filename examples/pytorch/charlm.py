"""PyTorch twin of examples/charlm.mjs: the same split (last 10% validates),
character vocabulary, truncated-BPTT batching (rnn.tbpttBatches' rule:
`batch` contiguous streams cut into chunks of k), model, optimizer, clipping,
number of steps, validation (state carried through `valBatch` streams) and
sampling procedure (temperature 0.8, rnn-wasm's generator ported, so the
same uniforms; the sample differs because the weights do).

    /usr/bin/python3 examples/pytorch/charlm.py [--steps 2000 ...]

Final line: val_loss=... steps=... seconds=... sample_chars=300
"""
import math

import torch
import torch.nn as nn

from common import CharVocab, Rng, cpu_seconds, final_line, fmt, parse_flags, read_repo_file, tbptt_batches, timer

torch.set_num_threads(1)

flags = parse_flags(dict(steps=2000, batch=32, k=100, embed=64, hidden=128, lr=2e-3, clip=5.0, valBatch=16,
                         sample=300, temperature=0.8, prime="ROMEO:\n", seed=1, progressEvery=100),
                    "character LSTM on Tiny Shakespeare with truncated BPTT (PyTorch twin)")

text = read_repo_file("data/text/tinyshakespeare/tinyshakespeare.txt")
n_val = round(len(text) * 0.1)
train_text, val_text = text[:len(text) - n_val], text[len(text) - n_val:]
vocab = CharVocab(train_text)
V = vocab.size


def to_batches(s, batch_size):
    ids = torch.tensor(vocab.encode(s), dtype=torch.long)
    return [(torch.stack(xs), torch.stack(ys)) for xs, ys in tbptt_batches(ids, batch_size, flags["k"])]


train = to_batches(train_text, flags["batch"])
val = to_batches(val_text, flags["valBatch"])


class CharLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(V, flags["embed"])
        self.lstm = nn.LSTM(flags["embed"], flags["hidden"], batch_first=True)
        self.fc = nn.Linear(flags["hidden"], V)

    def forward(self, x, state=None):
        out, state = self.lstm(self.embedding(x), state)
        return self.fc(out), state


torch.manual_seed(flags["seed"])
model = CharLM()
opt = torch.optim.Adam(model.parameters(), lr=flags["lr"])
print("Tiny Shakespeare: %d train / %d val characters, vocabulary %d (%d characters + <pad>, <unk>); Embedding %d -> "
      "LSTM %d -> Linear %d; TBPTT batch %d x k %d (%d chunks per epoch), %d steps, Adam lr %s, clip %s; torch %s, "
      "1 thread" % (len(train_text), len(val_text), V, V - 2, flags["embed"], flags["hidden"], V, flags["batch"],
                    flags["k"], len(train), flags["steps"], flags["lr"], flags["clip"], torch.__version__), flush=True)

elapsed = timer()
step, window_loss, window_n = 0, 0.0, 0
while step < flags["steps"]:
    state = None   # fit({ tbptt: true }) starts every epoch from a zero state
    for x, y in train:
        if step >= flags["steps"]:
            break
        opt.zero_grad()
        logits, state = model(x, state)
        state = tuple(s.detach() for s in state)   # carried without gradient
        loss = nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), flags["clip"])
        opt.step()
        step += 1
        window_loss += loss.item()
        window_n += 1
        if step % flags["progressEvery"] == 0 or step == flags["steps"]:
            t = elapsed()
            print("step %d/%d  epoch %d  train_loss %s  %s chars/s  %s s  eta %s s"
                  % (step, flags["steps"], (step - 1) // len(train) + 1, fmt(window_loss / window_n),
                     fmt(step * flags["batch"] * flags["k"] / t, 0), fmt(t, 1),
                     fmt(t / step * (flags["steps"] - step), 0)), flush=True)
            window_loss, window_n = 0.0, 0
train_seconds = elapsed()

model.eval()
with torch.no_grad():
    state, val_sum = None, 0.0
    for x, y in val:
        logits, state = model(x, state)
        val_sum += nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1)).item()
    val_loss = val_sum / len(val)
print("validation: %s nats/char (%s bits/char) over %d characters; %d steps in %s s"
      % (fmt(val_loss), fmt(val_loss / math.log(2)), len(val) * flags["valBatch"] * flags["k"], step,
         fmt(train_seconds, 1)), flush=True)

rng = Rng(flags["seed"])


def sample_from(logits):
    # softmax(logits / temperature) over the characters (ids 0 '<pad>' and 1 '<unk>' excluded)
    z = logits.double()[2:] / flags["temperature"]
    p = torch.exp(z - z.max())
    u = rng.uniform() * p.sum().item()
    for i, pi in enumerate(p.tolist()):
        u -= pi
        if u < 0:
            return i + 2
    return V - 1


with torch.no_grad():
    prime = torch.tensor([vocab.encode(flags["prime"])], dtype=torch.long)
    logits, state = model(prime)
    sampled = []
    for _ in range(flags["sample"]):
        idx = sample_from(logits[0, -1])
        sampled.append(idx)
        logits, state = model(torch.tensor([[idx]], dtype=torch.long), state)
sample = vocab.decode(sampled)
print("sample (temperature %s, seed %d):\n----\n%s%s\n----" % (flags["temperature"], flags["seed"], flags["prime"], sample),
      flush=True)

final_line(dict(val_loss=val_loss, steps=step, hidden=flags["hidden"], train_seconds=train_seconds,
                seconds=elapsed(), cpu_seconds=cpu_seconds(), sample_chars=len(sample)))
