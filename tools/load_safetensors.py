#!/usr/bin/python3
"""Read a .safetensors file (e.g. rnn-wasm's safetensors.serialize output) into PyTorch.

Needs only torch (no `safetensors` package). The file is checked the way the
reference implementation checks it (header size and JSON, dtypes, shapes,
offsets tiling the data section exactly) before tensors are made.

As a library:

    import sys; sys.path.insert(0, 'tools')
    from load_safetensors import load_safetensors, load_into
    sd = load_safetensors('model.safetensors')            # {name: Tensor}
    sd, meta = load_safetensors('model.safetensors', with_metadata=True)
    load_into(torch_lstm, 'model.safetensors')            # load_state_dict(strict=True)

From the command line (lists the tensors; --out saves a torch state_dict):

    /usr/bin/python3 tools/load_safetensors.py model.safetensors [--out model.pt]

dtypes: F32, F64, F16, BF16, I64, I32, I16, I8, U8, BOOL (and U16 / U32 / U64 /
F8_E4M3 / F8_E5M2 where the installed torch has them).
"""

import argparse
import json
import struct
import sys

import torch

MAX_HEADER_BYTES = 100_000_000

_DTYPES = {
    "BOOL": ("bool", 1), "U8": ("uint8", 1), "I8": ("int8", 1),
    "F8_E5M2": ("float8_e5m2", 1), "F8_E4M3": ("float8_e4m3fn", 1),
    "I16": ("int16", 2), "U16": ("uint16", 2), "F16": ("float16", 2), "BF16": ("bfloat16", 2),
    "I32": ("int32", 4), "U32": ("uint32", 4), "F32": ("float32", 4),
    "F64": ("float64", 8), "I64": ("int64", 8), "U64": ("uint64", 8),
}


class SafetensorsError(ValueError):
    """A malformed .safetensors file."""


def _is_uint(v):
    return type(v) is int and v >= 0


def parse_header(buf):
    """(metadata or None, [(name, dtype, shape, begin, end)] by offset, data start) of a file's bytes."""
    if len(buf) < 8:
        raise SafetensorsError(f"file is {len(buf)} bytes, too short for the header length")
    (n,) = struct.unpack_from("<Q", buf, 0)
    if n > MAX_HEADER_BYTES:
        raise SafetensorsError(f"header length {n} is above the limit of {MAX_HEADER_BYTES}")
    if 8 + n > len(buf):
        raise SafetensorsError(f"header length {n} runs past the end of the file")
    raw = bytes(buf[8:8 + n])
    if not raw.startswith(b"{"):
        raise SafetensorsError("header must be a JSON object starting with '{'")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise SafetensorsError(f"header is not valid UTF-8 JSON: {e}") from None
    if not isinstance(header, dict):
        raise SafetensorsError("header must be a JSON object")
    data_len = len(buf) - 8 - n
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict) and
                                     all(isinstance(v, str) for v in metadata.values())):
        raise SafetensorsError("__metadata__ must be an object of strings")
    entries = []
    for name, e in header.items():
        if not isinstance(e, dict):
            raise SafetensorsError(f"tensor {name!r}: header entry must be an object")
        dtype, shape, offs = e.get("dtype"), e.get("shape"), e.get("data_offsets")
        if dtype not in _DTYPES:
            raise SafetensorsError(f"tensor {name!r}: unknown dtype {dtype!r}")
        if not isinstance(shape, list) or not all(_is_uint(d) for d in shape):
            raise SafetensorsError(f"tensor {name!r}: bad shape {shape!r}")
        if not (isinstance(offs, list) and len(offs) == 2 and all(_is_uint(o) for o in offs)):
            raise SafetensorsError(f"tensor {name!r}: data_offsets must be [begin, end], got {offs!r}")
        begin, end = offs
        if end < begin or end > data_len:
            raise SafetensorsError(f"tensor {name!r}: data_offsets {offs} outside the data section ({data_len} bytes)")
        numel = 1
        for d in shape:
            numel *= d
        if numel * _DTYPES[dtype][1] != end - begin:
            raise SafetensorsError(f"tensor {name!r}: {dtype} {shape} does not fit data_offsets {offs}")
        entries.append((name, dtype, shape, begin, end))
    entries.sort(key=lambda e: (e[3], e[4]))
    pos = 0
    for name, _, _, begin, end in entries:
        if begin != pos:
            raise SafetensorsError(f"tensor {name!r}: data_offsets [{begin}, {end}] overlap or leave a gap at {pos}")
        pos = end
    if pos != data_len:
        raise SafetensorsError(f"the tensors cover {pos} of the {data_len} data bytes")
    return metadata, entries, 8 + n


def _torch_dtype(name, dtype):
    t = getattr(torch, _DTYPES[dtype][0], None)
    if t is None:
        raise SafetensorsError(f"tensor {name!r}: dtype {dtype} needs a newer torch (have {torch.__version__})")
    return t


def load_safetensors(path, with_metadata=False):
    """{name: Tensor} (CPU, own memory) from a .safetensors file; with
    with_metadata=True, (tensors, metadata dict or None)."""
    with open(path, "rb") as f:
        buf = bytearray(f.read())
    metadata, entries, start = parse_header(buf)
    out = {}
    for name, dtype, shape, begin, end in entries:
        tdtype = _torch_dtype(name, dtype)
        size = _DTYPES[dtype][1]
        if end == begin:
            out[name] = torch.empty(shape, dtype=tdtype)
            continue
        raw = torch.frombuffer(buf, dtype=torch.uint8, count=end - begin, offset=start + begin).clone()
        if size > 1 and sys.byteorder == "big":
            raw = raw.view(-1, size).flip(1).reshape(-1).contiguous()
        out[name] = raw.view(tdtype).reshape(shape)
    return (out, metadata) if with_metadata else out


def load_into(module, path):
    """Loads a .safetensors file into module with load_state_dict(strict=True); returns module."""
    module.load_state_dict(load_safetensors(path), strict=True)
    return module


def main(argv=None):
    p = argparse.ArgumentParser(description="List a .safetensors file; optionally save it as a torch state_dict")
    p.add_argument("input")
    p.add_argument("--out", help="write the tensors with torch.save to this path")
    args = p.parse_args(argv)
    sd, meta = load_safetensors(args.input, with_metadata=True)
    if meta:
        print("metadata:", json.dumps(meta, ensure_ascii=False))
    for name, t in sd.items():
        print(f"{name}\t{str(t.dtype).replace('torch.', '')}\t{list(t.shape)}")
    if args.out:
        torch.save(sd, args.out)
        print(f"saved {len(sd)} tensors to {args.out}")


if __name__ == "__main__":
    main()
