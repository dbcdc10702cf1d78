"""PyTorch twin of examples/adding.mjs: the adding problem with LSTM, GRU and
a vanilla tanh RNN, the same data rules, sizes, model, optimizer, clipping,
batch size and number of steps. The data come from torch's generator (seeded)
rather than rnn-wasm's, so the sequences differ but follow the same rules.

    /usr/bin/python3 examples/pytorch/adding.py [--T 100 --steps 4000 --cells lstm,gru,rnn ...]

Final line: cell=all lstm_test_mse=... gru_test_mse=... rnn_test_mse=... baseline_mse=... steps=... seconds=...
"""
import torch
import torch.nn as nn

from common import cpu_seconds, final_line, fmt, parse_flags, timer

torch.set_num_threads(1)

flags = parse_flags(dict(T=100, steps=4000, hidden=64, batch=64, lr=2e-3, clip=1.0, cells="lstm,gru,rnn",
                         testSize=2000, valSize=500, evalEvery=250, seed=1),
                    "the adding problem with LSTM, GRU and RNN (PyTorch twin)")
CELLS = dict(lstm=nn.LSTM, gru=nn.GRU, rnn=nn.RNN)
cells = [c.strip().lower() for c in flags["cells"].split(",") if c.strip()]
T, H = flags["T"], flags["hidden"]


def adding_data(gen, n):
    """n sequences: x [n, T, 2] (values in [0, 1), two markers, one per half), y [n, 1]."""
    half = T // 2
    x = torch.zeros(n, T, 2)
    x[:, :, 0] = torch.rand(n, T, generator=gen)
    i = torch.randint(0, half, (n,), generator=gen)
    j = half + torch.randint(0, T - half, (n,), generator=gen)
    rows = torch.arange(n)
    x[rows, i, 1] = 1
    x[rows, j, 1] = 1
    y = (x[rows, i, 0] + x[rows, j, 0]).unsqueeze(1)
    return x, y


class Model(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.rnn = CELLS[cell](2, H, batch_first=True)   # nn.RNN: tanh
        self.fc = nn.Linear(H, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1])


@torch.no_grad()
def mse(model, data, chunk=500):
    x, y = data
    s = sum(((model(x[i:i + chunk]) - y[i:i + chunk]) ** 2).sum().item() for i in range(0, len(x), chunk))
    return s / len(x)


test = adding_data(torch.Generator().manual_seed(flags["seed"] * 1000 + 7), flags["testSize"])
val = adding_data(torch.Generator().manual_seed(flags["seed"] * 1000 + 8), flags["valSize"])
baseline = ((test[1] - 1) ** 2).mean().item()
print("adding problem: T=%d hidden=%d batch=%d steps=%d Adam lr=%s clip=%s torch %s 1 thread; test baseline MSE %s"
      % (T, H, flags["batch"], flags["steps"], flags["lr"], flags["clip"], torch.__version__, fmt(baseline)),
      flush=True)

elapsed = timer()
results = {}
for ci, cell in enumerate(cells):
    torch.manual_seed(flags["seed"] * 100 + ci * 10)
    model = Model(cell)
    opt = torch.optim.Adam(model.parameters(), lr=flags["lr"])
    gen = torch.Generator().manual_seed(flags["seed"] * 1000 + ci)
    cell_time = timer()
    loss_sum = 0.0
    for step in range(1, flags["steps"] + 1):
        x, y = adding_data(gen, flags["batch"])
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), flags["clip"])
        opt.step()
        loss_sum += loss.item()
        if step % flags["evalEvery"] == 0 or step == flags["steps"]:
            n = (step - 1) % flags["evalEvery"] + 1
            print("%s step %d/%d  train_mse %s  val_mse %s  %s s" % (cell, step, flags["steps"], fmt(loss_sum / n),
                                                                     fmt(mse(model, val)), fmt(cell_time(), 1)),
                  flush=True)
            loss_sum = 0.0
    results[cell] = mse(model, test)
    print("%s: test MSE %s (%s s)" % (cell, fmt(results[cell]), fmt(cell_time(), 1)), flush=True)

final_line(dict(cell="all" if len(cells) == 3 else ",".join(cells),
                **{"%s_test_mse" % c: results[c] for c in cells},
                baseline_mse=baseline, T=T, hidden=H, steps=flags["steps"], seconds=elapsed(),
                cpu_seconds=cpu_seconds()))
