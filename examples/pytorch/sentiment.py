"""PyTorch twin of examples/sentiment.mjs: the same split (rnn-wasm's seeded
shuffle, ported in common.py), the same training-only vocabulary, the same
batch order every epoch, the same SentimentLSTM (the module the engine's
rnn.models.SentimentLSTM mirrors), BCE-with-logits, Adam, best-validation
epoch selection and runs. Only the weight init and dropout masks come from
torch's generator instead.

    /usr/bin/python3 examples/pytorch/sentiment.py [--epochs 15 --runs 5 ...]
    /usr/bin/python3 examples/pytorch/sentiment.py --check-split examples/pytorch/sentiment_split.json

Final line: test_acc=... val_acc=... epochs=... runs=... seconds=...
"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools'))
from torch_twins import SentimentLSTM  # noqa: E402
from common import Rng, WordVocab, batches, cpu_seconds, final_line, fmt, parse_flags, read_repo_file, shuffle, timer

torch.set_num_threads(1)

flags = parse_flags(dict(epochs=15, batch=32, lr=1e-3, embed=64, hidden=64, layers=1, dropout=0.5, minCount=1,
                         splitSeed=2024, seed=1, runs=5, checkSplit=""),
                    "SentimentLSTM on the UCI sentences (PyTorch twin)")


# The data and the split, exactly as the JS example makes them.
lines = read_repo_file("data/sentiment/uci/sentences.tsv").split("\n")
rows = [l.split("\t") for l in lines[1:] if l != ""]
labels = [float(r[0]) for r in rows]
texts = [r[2] for r in rows]
N = len(texts)
order = shuffle(range(N), Rng(flags["splitSeed"]))
n_test = round(N * 0.1)
n_val = round(N * 0.1)
split = dict(train=order[:N - n_val - n_test], val=order[N - n_val - n_test:N - n_test], test=order[N - n_test:])
vocab = WordVocab([texts[i] for i in split["train"]], min_count=flags["minCount"])
encoded = [vocab.encode(t) or [1] for t in texts]

if flags["checkSplit"]:
    with open(flags["checkSplit"]) as f:
        js = json.load(f)
    for k in ("train", "val", "test"):
        assert js[k] == split[k], "split %s differs from the JS example's" % k
    assert js["vocab"] == vocab.words, "vocabulary differs from the JS example's"
    print("split and vocabulary identical to %s" % flags["checkSplit"])


def batch_of(indices):
    seqs = [encoded[i] for i in indices]
    T = max(len(s) for s in seqs)
    ids = torch.zeros(len(seqs), T, dtype=torch.long)
    for b, s in enumerate(seqs):
        ids[b, :len(s)] = torch.tensor(s)
    lengths = torch.tensor([len(s) for s in seqs])
    y = torch.tensor([labels[i] for i in indices])
    return ids, lengths, y


@torch.no_grad()
def accuracy(model, indices, chunk=100):
    model.eval()
    correct = 0
    for s in range(0, len(indices), chunk):
        ids, lengths, y = batch_of(indices[s:s + chunk])
        correct += ((model(ids, lengths) > 0) == (y > 0.5)).sum().item()
    model.train()
    return correct / len(indices)


print("UCI sentences: %d train / %d val / %d test, vocabulary %d (train only, minCount %d); SentimentLSTM embed %d "
      "hidden %d layers %d bidirectional dropout %s; Adam lr %s, batch %d, %d epochs, %d run(s); torch %s, 1 thread"
      % (len(split["train"]), len(split["val"]), len(split["test"]), vocab.size, flags["minCount"], flags["embed"],
         flags["hidden"], flags["layers"], flags["dropout"], flags["lr"], flags["batch"], flags["epochs"], flags["runs"],
         torch.__version__), flush=True)

elapsed = timer()
runs = []
loss_fn = nn.BCEWithLogitsLoss()
for r in range(flags["runs"]):
    seed = flags["seed"] + r
    torch.manual_seed(seed)
    model = SentimentLSTM(vocab.size, flags["embed"], flags["hidden"], flags["layers"], flags["dropout"])
    opt = torch.optim.Adam(model.parameters(), lr=flags["lr"])
    batch_rng = Rng(seed)
    best = dict(val=-1, test=0, epoch=-1)
    for epoch in range(flags["epochs"]):
        loss_sum, n = 0.0, 0
        for idx in batches(len(split["train"]), flags["batch"], batch_rng):
            ids, lengths, y = batch_of([split["train"][i] for i in idx])
            opt.zero_grad()
            loss = loss_fn(model(ids, lengths), y)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
            n += 1
        val_acc, test_acc = accuracy(model, split["val"]), accuracy(model, split["test"])
        if val_acc > best["val"]:
            best = dict(val=val_acc, test=test_acc, epoch=epoch + 1)
        print("run %d/%d epoch %d/%d  train_loss %s  val_acc %s  test_acc %s  %s s"
              % (r + 1, flags["runs"], epoch + 1, flags["epochs"], fmt(loss_sum / n), fmt(val_acc), fmt(test_acc),
                 fmt(elapsed(), 1)), flush=True)
    print("run %d: best validation epoch %d: val_acc %s test_acc %s" % (r + 1, best["epoch"], fmt(best["val"]),
                                                                      fmt(best["test"])), flush=True)
    runs.append(best)

mean = lambda k: sum(r[k] for r in runs) / len(runs)
final_line(dict(test_acc=mean("test"), val_acc=mean("val"), epochs=flags["epochs"], runs=flags["runs"],
                test_acc_runs=",".join("%.4f" % r["test"] for r in runs), seconds=elapsed(), cpu_seconds=cpu_seconds()))
