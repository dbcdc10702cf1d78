#!/usr/bin/python3
"""PyTorch side of tests/safetensors.test.mjs (run with Debian's /usr/bin/python3).

    torch_roundtrip.py export-tensors SPEC.json OUT.safetensors
        Builds the tensors SPEC describes ({"tensors": {name: {dtype, shape,
        data}}, "metadata": {...} or null}) and writes them with
        tools/export_safetensors.py. F16 / BF16 tensors are made from float32
        values with Tensor.to, so their bytes are PyTorch's rounding.
    torch_roundtrip.py load-tensors FILE.safetensors
        Reads FILE with tools/load_safetensors.py and prints JSON
        {"metadata", "tensors": {name: {dtype, shape, data}}} (I64 as strings,
        non-finite floats as "inf" / "-inf" / "nan").
    torch_roundtrip.py export-models DIR
        For each case: a seeded nn.LSTM / nn.GRU / nn.RNN, an input, PyTorch's
        output. Writes DIR/cases.json, DIR/<case>.weights.safetensors (the
        state_dict) and DIR/<case>.io.safetensors (x, h0, c0, output, hN, cN).
    torch_roundtrip.py check-models DIR
        For each case: a fresh module (other seed) gets DIR/<case>.js.safetensors
        with load_into (strict=True), runs DIR/<case>.input.safetensors, and
        writes DIR/<case>.torch.safetensors (output, hN, cN).
"""

import json
import math
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

from export_safetensors import export_safetensors  # noqa: E402
from load_safetensors import load_into, load_safetensors  # noqa: E402

torch.set_num_threads(1)

DTYPES = {
    "F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
NAMES = {v: k for k, v in DTYPES.items()}

# name, module class, constructor kwargs (PyTorch), input shape, initial state shapes
CASES = [
    ("lstm_2layer_bidir", "LSTM", dict(input_size=5, hidden_size=7, num_layers=2, bidirectional=True),
     [6, 3, 5], {"h0": [4, 3, 7], "c0": [4, 3, 7]}),
    ("gru_2layer_batch_first", "GRU", dict(input_size=4, hidden_size=6, num_layers=2, batch_first=True),
     [2, 5, 4], {}),
    ("rnn_relu_bidir_nobias", "RNN", dict(input_size=3, hidden_size=5, nonlinearity="relu",
                                          bidirectional=True, bias=False),
     [4, 2, 3], {"h0": [2, 2, 5]}),
    ("rnn_tanh_unbatched", "RNN", dict(input_size=4, hidden_size=3), [5, 4], {"h0": [1, 3]}),
]


def make_tensor(spec):
    dtype = spec["dtype"]
    data = [int(v) if isinstance(v, str) else v for v in spec["data"]]
    if dtype in ("F16", "BF16"):
        t = torch.tensor(data, dtype=torch.float32).to(DTYPES[dtype])
    else:
        t = torch.tensor(data, dtype=DTYPES[dtype])
    return t.reshape(spec["shape"])


def export_tensors(spec_path, out_path):
    with open(spec_path, encoding="utf-8") as f:
        spec = json.load(f)
    tensors = {name: make_tensor(s) for name, s in spec["tensors"].items()}
    export_safetensors(tensors, out_path, spec.get("metadata"))


def load_tensors(path):
    tensors, metadata = load_safetensors(path, with_metadata=True)
    out = {}
    for name, t in tensors.items():
        flat = t.reshape(-1)
        if t.dtype == torch.int64:
            data = [str(v) for v in flat.tolist()]
        elif t.is_floating_point():  # JSON has no inf / nan: strings for those
            data = [v if math.isfinite(v) else repr(v) for v in flat.double().tolist()]
        else:
            data = [int(v) for v in flat.tolist()]
        out[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data": data}
    text = json.dumps({"metadata": metadata, "tensors": out}, ensure_ascii=False)
    sys.stdout.buffer.write(text.encode("utf-8"))


def build(kind, kwargs):
    return getattr(nn, kind)(**kwargs)


def run(module, kind, io):
    state = io.get("h0")
    if kind == "LSTM":
        state = (io["h0"], io["c0"]) if "h0" in io else None
    with torch.no_grad():
        out, hn = module(io["x"], state)
    res = {"output": out.contiguous()}
    if kind == "LSTM":
        res["hN"], res["cN"] = hn[0].contiguous(), hn[1].contiguous()
    else:
        res["hN"] = hn.contiguous()
    return res


def export_models(d):
    cases = []
    for i, (name, kind, kwargs, xshape, states) in enumerate(CASES):
        torch.manual_seed(1000 + i)
        module = build(kind, kwargs)
        io = {"x": torch.randn(xshape)}
        for k, shape in states.items():
            io[k] = 0.5 * torch.randn(shape)
        io.update(run(module, kind, io))
        export_safetensors(module, os.path.join(d, f"{name}.weights.safetensors"),
                           metadata={"module": kind, "torch": torch.__version__})
        export_safetensors(io, os.path.join(d, f"{name}.io.safetensors"))
        cases.append({"name": name, "kind": kind, "kwargs": kwargs})
    with open(os.path.join(d, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f)


def check_models(d):
    for i, (name, kind, kwargs, _, _) in enumerate(CASES):
        torch.manual_seed(2000 + i)
        module = load_into(build(kind, kwargs), os.path.join(d, f"{name}.js.safetensors"))
        io = load_safetensors(os.path.join(d, f"{name}.input.safetensors"))
        export_safetensors(run(module, kind, io), os.path.join(d, f"{name}.torch.safetensors"))


def main():
    cmd, *args = sys.argv[1:]
    {"export-tensors": export_tensors, "load-tensors": load_tensors,
     "export-models": export_models, "check-models": check_models}[cmd](*args)


if __name__ == "__main__":
    main()
