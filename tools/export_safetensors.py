#!/usr/bin/python3
"""Write a PyTorch state_dict as a .safetensors file, for rnn-wasm.

Needs only torch (Debian's python3-torch has no `safetensors` package): the
format is written here with struct and json, byte for byte what
`safetensors.torch.save_file(tensors, path, metadata)` writes:

    [8 bytes: N, little-endian u64] [N bytes: JSON header, UTF-8, padded with
    spaces to a multiple of 8] [every tensor's little-endian, C-order bytes]

Header: {"__metadata__": {...}, name: {"dtype", "shape", "data_offsets"}, ...}
with the tensors laid out by descending dtype size (safetensors' dtype order),
then by name; __metadata__ (if given) comes first, its keys sorted.

As a library:

    import sys; sys.path.insert(0, 'tools')
    from export_safetensors import export_safetensors
    export_safetensors(model, 'model.safetensors')             # or model.state_dict()
    export_safetensors(model, 'model.safetensors', metadata={'arch': 'lstm'},
                       dtype=torch.float32)                    # cast float tensors

    # in JS: model.loadStateDict(rnn.safetensors.parse(bytes))

From the command line (a torch.save'd state_dict, or a whole module):

    /usr/bin/python3 tools/export_safetensors.py model.pt model.safetensors \\
        [--metadata key=value ...] [--float32]

Tensors are written as they are (dtype kept, like save_file); rnn-wasm reads
F32, F16, BF16, F64 into Float32Array. Tensors that share memory (tied
weights) are written as separate copies.
"""

import argparse
import json
import struct
import sys

import torch

MAX_HEADER_BYTES = 100_000_000

# torch dtype -> (safetensors name, rank in safetensors' Dtype order). Newer
# torch versions have more types; 1.13 has the ones without getattr.
_DTYPES = [
    ("bool", "BOOL", 0), ("uint8", "U8", 1), ("int8", "I8", 2),
    ("float8_e5m2", "F8_E5M2", 3), ("float8_e4m3fn", "F8_E4M3", 4),
    ("int16", "I16", 5), ("uint16", "U16", 6), ("float16", "F16", 7),
    ("bfloat16", "BF16", 8), ("int32", "I32", 9), ("uint32", "U32", 10),
    ("float32", "F32", 11), ("float64", "F64", 12), ("int64", "I64", 13),
    ("uint64", "U64", 14),
]
TORCH_TO_SAFETENSORS = {
    getattr(torch, t): (name, rank) for t, name, rank in _DTYPES if hasattr(torch, t)
}


def _state_dict(module_or_state_dict):
    if isinstance(module_or_state_dict, torch.nn.Module):
        return module_or_state_dict.state_dict()
    if isinstance(module_or_state_dict, dict):
        return module_or_state_dict
    raise TypeError(
        f"expected an nn.Module or a dict of tensors, got {type(module_or_state_dict).__name__}")


def _tensor_bytes(t):
    """The tensor's elements as little-endian C-order bytes."""
    flat = t.detach().to("cpu").contiguous().reshape(-1)
    if flat.numel() == 0:
        return b""
    raw = flat.view(torch.uint8)  # native byte order
    size = flat.element_size()
    if size > 1 and sys.byteorder == "big":
        raw = raw.view(-1, size).flip(1).reshape(-1)
    return raw.numpy().tobytes()


def safetensors_header(tensors, metadata=None):
    """(header bytes incl. padding, [(name, tensor)] in file order) for a dict of tensors."""
    entries = []
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be strings, got {name!r}")
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved for the metadata")
        if not torch.is_tensor(t):
            raise TypeError(f"state dict entry {name!r} is a {type(t).__name__}, not a tensor")
        if t.dtype not in TORCH_TO_SAFETENSORS:
            raise TypeError(f"tensor {name!r}: dtype {t.dtype} has no safetensors equivalent")
        entries.append((name, t))
    entries.sort(key=lambda e: (-TORCH_TO_SAFETENSORS[e[1].dtype][1], e[0]))

    header = {}
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("metadata must be a dict of str to str")
        header["__metadata__"] = {k: metadata[k] for k in sorted(metadata)}
    offset = 0
    for name, t in entries:
        n = t.numel() * t.element_size()
        header[name] = {
            "dtype": TORCH_TO_SAFETENSORS[t.dtype][0],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + n],
        }
        offset += n
    # serde_json's compact output: no spaces, non-ASCII kept as UTF-8.
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    if len(text) > MAX_HEADER_BYTES:
        raise ValueError(f"the header would be {len(text)} bytes, above the {MAX_HEADER_BYTES} readers accept")
    return text, entries


def export_safetensors(module_or_state_dict, path, metadata=None, dtype=None):
    """Writes module.state_dict() (or a dict of tensors) to path as safetensors.

    metadata: optional dict of str -> str, stored as the header's __metadata__.
    dtype: optional floating dtype (e.g. torch.float32) to cast every floating
    point tensor to; integer and bool tensors are kept.
    """
    tensors = dict(_state_dict(module_or_state_dict))
    if dtype is not None:
        tensors = {k: v.to(dtype) if torch.is_tensor(v) and v.is_floating_point() else v
                   for k, v in tensors.items()}
    header, entries = safetensors_header(tensors, metadata)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for _, t in entries:
            f.write(_tensor_bytes(t))


def _load_checkpoint(path):
    obj = torch.load(path, map_location="cpu")
    if isinstance(obj, torch.nn.Module):
        return obj.state_dict()
    if isinstance(obj, dict):
        if all(torch.is_tensor(v) for v in obj.values()):
            return obj
        for key in ("state_dict", "model_state_dict", "model"):
            inner = obj.get(key)
            if isinstance(inner, torch.nn.Module):
                return inner.state_dict()
            if isinstance(inner, dict) and all(torch.is_tensor(v) for v in inner.values()):
                return inner
    raise SystemExit(f"{path}: not a state_dict or nn.Module (torch.save(model.state_dict(), path))")


def main(argv=None):
    p = argparse.ArgumentParser(description="Convert a torch.save'd state_dict (or module) to .safetensors")
    p.add_argument("input", help="checkpoint written by torch.save (state_dict or nn.Module)")
    p.add_argument("output", help="the .safetensors file to write")
    p.add_argument("--metadata", action="append", default=[], metavar="KEY=VALUE",
                   help="a __metadata__ entry (repeatable)")
    p.add_argument("--float32", action="store_true", help="cast floating point tensors to float32")
    args = p.parse_args(argv)
    metadata = {}
    for kv in args.metadata:
        if "=" not in kv:
            p.error(f"--metadata needs KEY=VALUE, got {kv!r}")
        k, v = kv.split("=", 1)
        metadata[k] = v
    sd = _load_checkpoint(args.input)
    export_safetensors(sd, args.output, metadata or None, torch.float32 if args.float32 else None)
    print(f"{args.output}: {len(sd)} tensors")


if __name__ == "__main__":
    main()
