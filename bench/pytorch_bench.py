#!/usr/bin/python3
"""PyTorch (CPU, 1 thread) on the rnn-wasm benchmark workloads.

    /usr/bin/python3 bench/pytorch_bench.py [--quick] [--only=W1,W5]

W1-W3 train step: nn.LSTM / nn.GRU / nn.RNN(tanh) over x [T, B, I] (the
input needs no gradient, as usual), nn.Linear(H, 1) on the last step, MSE,
backward, Adam (lr 1e-3) over both. W4: nn.LSTM forward under
torch.inference_mode(). W5: one LSTM step at batch 1 with the state carried,
the faster of nn.LSTMCell and nn.LSTM on [1, 1, I], under inference_mode.

Debian's torch calls BLAS through libblas.so.3, the slow reference BLAS
unless an optimized one is installed: bench/run.mjs puts OpenBLAS's serial
build first on LD_LIBRARY_PATH when libopenblas0-serial is installed
(apt-get install libopenblas0-serial), without changing the system default.
The BLAS in use is reported.

Prints one line `BENCH_JSON {...}` like the other bench/peers scripts. When
torch cannot be imported it prints a result with "skipped" and exits 0.
"""
import json
import os
import sys
import time

QUICK = "--quick" in sys.argv
ONLY = None
for a in sys.argv[1:]:
    if a.startswith("--only="):
        ONLY = set(a[len("--only="):].split(","))
Q = 0.3 if QUICK else 1.0
# BENCH_CLOCK=cpu: process CPU time instead of wall time (see bench/peers/common.mjs).
CLOCK = "cpu" if os.environ.get("BENCH_CLOCK") == "cpu" else "wall"
clock = time.process_time if CLOCK == "cpu" else time.perf_counter


def emit(obj):
    sys.stdout.write("BENCH_JSON " + json.dumps(obj) + "\n")
    sys.stdout.flush()


try:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("MKL_NUM_THREADS", "1")
    import torch
except Exception as e:  # noqa: BLE001 - any import failure means "not here"
    emit({"library": "PyTorch", "skipped": f"torch is not importable ({type(e).__name__}: {e}); "
          "on Debian: apt-get install python3-torch"})
    sys.exit(0)

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

def blas_in_use():
    """Which BLAS library torch loaded (Debian's torch uses libblas.so.3,
    the reference BLAS unless an optimized one provides it)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if ".so" in line}
    except OSError:
        return "unknown"
    for lib in sorted(libs):
        if "openblas" in lib or "blis" in lib or "mkl" in lib:
            return lib
    for lib in sorted(libs):
        if "libblas.so" in lib:
            return os.path.realpath(lib) + (" (reference BLAS: slow)" if "/blas/" in os.path.realpath(lib) else "")
    return "unknown"


WORKLOADS = {
    "W1": ("LSTM", 128), "W2": ("LSTM", 256), "W3_GRU": ("GRU", 128), "W3_RNN": ("RNN", 128),
}
T, B, I = 64, 32, 32


def want(w):
    return ONLY is None or w in ONLY


def stats(times):
    s = sorted(times)
    n = len(s)
    med = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    return {"median": med, "min": s[0], "max": s[-1], "runs": n}


def time_ms(fn, warmup=3, min_runs=10, min_ms=2000.0):
    for _ in range(warmup):
        fn()
    times = []
    start = clock()
    while len(times) < min_runs or ((clock() - start) * 1e3 < min_ms * Q and len(times) < 1000):
        t0 = clock()
        fn()
        times.append((clock() - t0) * 1e3)
    return stats(times)


def time_steps_us(step, inner=200, warmup=500, min_batches=20, min_ms=2000.0):
    for _ in range(warmup):
        step()
    per = []
    start = clock()
    while len(per) < min_batches or (clock() - start) * 1e3 < min_ms * Q:
        t0 = clock()
        for _ in range(inner):
            step()
        per.append((clock() - t0) / inner * 1e6)
    r = stats(per)
    r["unit"] = "us"
    return r


def module(cell, H):
    if cell == "LSTM":
        return torch.nn.LSTM(I, H)
    if cell == "GRU":
        return torch.nn.GRU(I, H)
    return torch.nn.RNN(I, H, nonlinearity="tanh")


def train_step(w):
    cell, H = WORKLOADS[w]
    torch.manual_seed(1)
    rnn = module(cell, H)
    lin = torch.nn.Linear(H, 1)
    opt = torch.optim.Adam(list(rnn.parameters()) + list(lin.parameters()), lr=1e-3)
    x = torch.rand(T, B, I) - 0.5
    y = torch.rand(B, 1) - 0.5

    def step():
        opt.zero_grad()
        out, _ = rnn(x)
        loss = torch.nn.functional.mse_loss(lin(out[-1]), y)
        loss.backward()
        opt.step()

    r = time_ms(step, min_runs=10)
    r.update(unit="ms", how="forward, Linear, mse_loss, backward, Adam")
    return r


def inference():
    torch.manual_seed(1)
    rnn = torch.nn.LSTM(I, 256)
    x = torch.rand(T, B, I) - 0.5

    def run():
        with torch.inference_mode():
            rnn(x)

    r = time_ms(run)
    r.update(unit="ms", how="nn.LSTM forward, inference_mode")
    return r


def stream_step():
    torch.manual_seed(1)
    H = 256
    xs = [torch.rand(1, I) - 0.5 for _ in range(64)]
    results = {}
    with torch.inference_mode():
        cell = torch.nn.LSTMCell(I, H)
        st = {"h": torch.zeros(1, H), "c": torch.zeros(1, H), "t": 0}

        def step_cell():
            st["h"], st["c"] = cell(xs[st["t"] & 63], (st["h"], st["c"]))
            st["t"] += 1

        results["nn.LSTMCell"] = time_steps_us(step_cell)
        lstm = torch.nn.LSTM(I, H)
        xs3 = [x.view(1, 1, I) for x in xs]
        st2 = {"hc": (torch.zeros(1, 1, H), torch.zeros(1, 1, H)), "t": 0}

        def step_lstm():
            _, st2["hc"] = lstm(xs3[st2["t"] & 63], st2["hc"])
            st2["t"] += 1

        results["nn.LSTM T=1"] = time_steps_us(step_lstm)
    best = min(results, key=lambda k: results[k]["median"])
    r = dict(results[best])
    other = [k for k in results if k != best][0]
    r["how"] = f"{best}, state carried, inference_mode ({other}: {results[other]['median']:.1f} us)"
    return r


results = {}
for w in ("W1", "W2", "W3_GRU", "W3_RNN"):
    if want(w):
        results[w] = train_step(w)
if want("W4"):
    results["W4"] = inference()
if want("W5"):
    results["W5"] = stream_step()

emit({
    "library": "PyTorch",
    "version": torch.__version__,
    "backend": f"CPU, {torch.get_num_threads()} thread",
    "blas": blas_in_use(),
    "python": sys.version.split()[0],
    "clock": CLOCK,
    "results": results,
})
