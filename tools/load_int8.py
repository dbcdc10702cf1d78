#!/usr/bin/python3
"""Load rnn-wasm's int8 safetensors files into PyTorch.

rnn-wasm's model.quantize() keeps each weight matrix as int8 with a bfloat16
scale per row (symmetric, value = scale * q) and rounds the biases to
bfloat16; model.quantizedStateDict() writes each weight as the I8 tensor
'<name>' [rows, cols], the biases as BF16, and every row scale in one BF16
tensor 'scales': the I8 tensors' rows, the tensors in name order
(docs/api.md, "int8"). Files of the first layouts, a '<name>.scale' [rows]
per weight, BF16 or F32 / F16, load too; every float comes out float32.

    import sys; sys.path.insert(0, 'tools')
    from load_int8 import dequantized_state_dict, load_int8_into
    sd = dequantized_state_dict('model.safetensors')     # {name: float32 Tensor}
    load_int8_into(lstm, 'model.safetensors')            # float32 weights = scale * q
    qlstm = load_int8_into(lstm, 'model.safetensors', quantize_dynamic=True)

With quantize_dynamic=True the model (weights scale * q) goes through
torch.quantization.quantize_dynamic (nn.LSTM, nn.GRU, nn.Linear to qint8),
wrapped so a top-level LSTM is swapped too; the result is that wrapper's
quantized module. PyTorch requantizes with its own scheme (per tensor), so
its integers can differ from rnn-wasm's per-row ones.

From the command line (prints each int8 weight's shape and scale range;
--out saves the dequantized torch state_dict):

    /usr/bin/python3 tools/load_int8.py model.safetensors [--out model.pt]
"""

import argparse
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_safetensors import SafetensorsError, load_safetensors  # noqa: E402


def unpack_scales(tensors):
    """tensors with a file's one 'scales' tensor split into a '<name>.scale'
    per I8 tensor (rows in name order); other files as they are."""
    if 'scales' not in tensors:
        return tensors
    out = dict(tensors)
    packed = out.pop('scales')
    names = sorted(k for k, t in tensors.items() if t.dtype == torch.int8)
    rows = [tensors[k].shape[0] if tensors[k].dim() else 0 for k in names]
    if packed.dim() != 1 or packed.shape[0] != sum(rows):
        raise SafetensorsError(f"'scales' must hold {sum(rows)} values (the rows of {len(names)} int8 tensors), got shape {list(packed.shape)}")
    at = 0
    for k, r in zip(names, rows):
        if k + '.scale' in tensors:
            raise SafetensorsError(f"int8 scales given twice: 'scales' and {k + '.scale'!r}")
        out[k + '.scale'] = packed[at:at + r]
        at += r
    return out


def dequantize(tensors):
    """{name: Tensor} with every I8 '<name>' and its scales ('<name>.scale',
    or its rows of 'scales') as one float32 '<name>' = scale[:, None] * q,
    the other float tensors as float32."""
    tensors = unpack_scales(tensors)
    out = {}
    for name, t in tensors.items():
        if name.endswith('.scale') and name[:-6] in tensors and tensors[name[:-6]].dtype == torch.int8:
            continue
        if t.dtype != torch.int8:
            out[name] = t.to(torch.float32) if t.is_floating_point() else t
            continue
        scale = tensors.get(name + '.scale')
        if scale is None:
            raise SafetensorsError(f"int8 tensor {name!r} has no scales: no 'scales' tensor, no {name + '.scale'!r}")
        if t.dim() != 2 or not scale.is_floating_point() or list(scale.shape) != [t.shape[0]]:
            raise SafetensorsError(f"{name + '.scale'!r} must be floats [{t.shape[0]}], got {scale.dtype} {list(scale.shape)}")
        scale = scale.to(torch.float32)
        if not bool(torch.isfinite(scale).all()) or bool((scale < 0).any()):
            raise SafetensorsError(f"{name + '.scale'!r} holds a negative or non-finite scale")
        out[name] = t.to(torch.float32) * scale[:, None]
    return out


def dequantized_state_dict(path):
    """The file's tensors with its int8 weights as float32 (scale * q)."""
    return dequantize(load_safetensors(path))


def load_int8_into(model, path, quantize_dynamic=False):
    """Loads the file into model (load_state_dict, strict); returns model, or
    with quantize_dynamic=True PyTorch's dynamically quantized copy of it."""
    model.load_state_dict(dequantized_state_dict(path), strict=True)
    if not quantize_dynamic:
        return model
    wrapper = nn.Sequential(model)  # quantize_dynamic swaps submodules only
    q = torch.quantization.quantize_dynamic(wrapper, {nn.LSTM, nn.GRU, nn.Linear}, dtype=torch.qint8)
    return q[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('path')
    ap.add_argument('--out', help='save the dequantized state_dict here (torch.save)')
    args = ap.parse_args()
    raw = unpack_scales(load_safetensors(args.path))
    sd = dequantize(raw)
    for name, t in raw.items():
        if t.dtype == torch.int8:
            s = raw[name + '.scale'] if name + '.scale' in raw else None
            rng = f"scale {float(s.min()):.3g}..{float(s.max()):.3g}" if s is not None else 'no scale'
            print(f"{name}: int8 {list(t.shape)}, {rng}")
    if args.out:
        torch.save(sd, args.out)
        print(f"wrote {args.out} ({len(sd)} tensors, float32)")


if __name__ == '__main__':
    try:
        main()
    except SafetensorsError as e:
        sys.exit(f"load_int8.py: {e}")
