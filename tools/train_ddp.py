#!/usr/bin/python3
"""Train an rnn-wasm model spec with PyTorch DistributedDataParallel, for
when one browser tab is not enough (docs/distributed.md). The model is the
torch twin of the spec (tools/spec_module.py), so the checkpoint it writes
loads into rnn-wasm by name and runs there exactly.

Task: a character-level language model (next character at every step) on a
text file, by default Tiny Shakespeare (data/text/tinyshakespeare/). The
spec must take ids [B, T] and give logits [B, T, V], V the vocabulary size
(a Sequential of Embedding, recurrent layers with batchFirst, Linear, as
examples/charlm.mjs builds); without --spec that model is made here.

    # CPUs (gloo), one machine, 2 processes:
    torchrun --standalone --nproc_per_node=2 tools/train_ddp.py --out run/ --steps 500
    # Debian 12 (torch 1.13 on Python 3.11): /usr/bin/python3 tools/torchrun.py instead of torchrun
    # GPUs (nccl, chosen when CUDA is there), 2 machines of 8:
    torchrun --nnodes=2 --nproc_per_node=8 --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 \\
        tools/train_ddp.py --spec spec.json --init browser.safetensors --vocab vocab.json --out run/

Each rank draws its own random windows of --seq + 1 characters (seeded by
--seed and the rank); DDP averages the gradients, so every rank holds the same
weights (each rank writes the SHA-256 of its parameters to OUT/rank<r>.json
to show it, with the SHA-256 of the windows it trained on). Rank 0 writes to OUT/:
    model.safetensors   the weights (rnn-wasm: model.loadStateDict(rnn.safetensors.parse(bytes)));
                        its metadata holds the spec, steps and losses
    spec.json           the spec (rnn-wasm: rnn.buildModel(spec))
    vocab.json          the vocabulary (rnn-wasm: rnn.data.CharVocab.fromJSON)
    probe.safetensors   x: validation windows (ids, I32) and output: the logits
                        PyTorch computes for them in eval mode, to check the
                        model gives the same in rnn-wasm
The vocabulary is rnn.data.CharVocab.fromText's ('<pad>', '<unk>', then the
training text's characters by code point) unless --vocab gives one.
"""
import argparse
import hashlib
import json
import os
import sys
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from export_safetensors import export_safetensors  # noqa: E402
from load_safetensors import load_into  # noqa: E402
from spec_module import SpecError, build_module  # noqa: E402

DEFAULT_DATA = os.path.join(HERE, '..', 'data', 'text', 'tinyshakespeare', 'tinyshakespeare.txt')
UNK_ID = 1


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--out', required=True, help='directory for the checkpoint, spec, vocabulary and probe')
    p.add_argument('--spec', help='a model spec JSON (modelSpec(model) in rnn-wasm); default Embedding -> LSTM -> Linear')
    p.add_argument('--init', help='starting weights, a .safetensors file (e.g. saved from the browser)')
    p.add_argument('--vocab', help="a CharVocab JSON ({type: 'CharVocab', chars}); default: the training text's characters")
    p.add_argument('--data', default=DEFAULT_DATA, help='a UTF-8 text file (default: Tiny Shakespeare)')
    p.add_argument('--limit', type=int, default=0, help='use only the first N characters (0: all)')
    p.add_argument('--steps', type=int, default=500)
    p.add_argument('--batch', type=int, default=32, help='windows per rank and step')
    p.add_argument('--seq', type=int, default=100, help='characters per window (T)')
    p.add_argument('--embed', type=int, default=64, help='default model: embedding size')
    p.add_argument('--hidden', type=int, default=128, help='default model: LSTM hidden size')
    p.add_argument('--lr', type=float, default=2e-3)
    p.add_argument('--clip', type=float, default=5.0, help='gradient norm clipping (0: off)')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--log-every', type=int, default=50)
    p.add_argument('--probe', type=int, default=2, help='validation windows in probe.safetensors')
    p.add_argument('--backend', choices=['auto', 'gloo', 'nccl'], default='auto',
                   help='auto: nccl (one GPU per process) when CUDA is there, else gloo on CPUs')
    return p.parse_args(argv)


def char_vocab(train_text, vocab_path):
    """The characters from id 2 on, as rnn.data.CharVocab has them."""
    if vocab_path:
        with open(vocab_path, encoding='utf-8') as f:
            obj = json.load(f)
        if not isinstance(obj, dict) or obj.get('type') != 'CharVocab' or not isinstance(obj.get('chars'), list):
            raise SystemExit(f"{vocab_path}: not a CharVocab JSON ({{type: 'CharVocab', chars: [...]}})")
        return obj['chars']
    return sorted(set(train_text))


def encode(text, chars):
    ids = {c: i + 2 for i, c in enumerate(chars)}
    return torch.tensor([ids.get(c, UNK_ID) for c in text], dtype=torch.int64)


def default_spec(V, embed, hidden, seed):
    return {'type': 'Sequential', 'layers': [
        {'type': 'Embedding', 'numEmbeddings': V, 'embeddingDim': embed, 'seed': seed * 10 + 1},
        {'type': 'LSTM', 'inputSize': embed, 'hiddenSize': hidden, 'batchFirst': True, 'seed': seed * 10 + 2},
        {'type': 'Linear', 'inFeatures': hidden, 'outFeatures': V, 'seed': seed * 10 + 3},
    ]}


def windows(ids, n, T, gen):
    """n random windows of T + 1 ids: inputs [n, T] and next-character targets [n, T]."""
    starts = torch.randint(0, len(ids) - T - 1, (n,), generator=gen)
    w = torch.stack([ids[s:s + T + 1] for s in starts.tolist()])
    return w[:, :-1], w[:, 1:]


def param_digest(model):
    """SHA-256 of every parameter's float32 bytes, in name order (the same on every rank, or DDP broke)."""
    h = hashlib.sha256()
    for name, t in sorted(model.state_dict().items()):
        h.update(name.encode())
        h.update(t.detach().to('cpu', torch.float32).contiguous().numpy().tobytes())
    return h.hexdigest()


def main(argv=None):
    args = parse_args(argv)
    with open(args.data, encoding='utf-8') as f:
        text = f.read()
    if args.limit:
        text = text[:args.limit]
    n_val = int(len(text) * 0.1 + 0.5)   # Math.round, as examples/charlm.mjs splits
    train_text, val_text = text[:len(text) - n_val], text[len(text) - n_val:]
    chars = char_vocab(train_text, args.vocab)
    V = len(chars) + 2
    train_ids, val_ids = encode(train_text, chars), encode(val_text, chars)
    if len(train_ids) <= args.seq + 1 or len(val_ids) <= args.seq + 1:
        raise SystemExit(f'{len(train_ids)} training / {len(val_ids)} validation characters: too few for --seq {args.seq}')

    if args.spec:
        with open(args.spec, encoding='utf-8') as f:
            spec = json.load(f)
    else:
        spec = default_spec(V, args.embed, args.hidden, args.seed)
    torch.manual_seed(args.seed)
    try:
        model = build_module(spec)
    except SpecError as e:
        raise SystemExit(f'{args.spec}: {e}') from None
    if args.init:
        try:
            load_into(model, args.init)   # strict: every name and shape must match
        except RuntimeError as e:
            raise SystemExit(f'{args.init} does not fit the spec: {e}') from None
    need = f'the spec must map ids [B, T] to logits [B, T, {V}] (vocabulary {V})'
    try:                                  # checked before any process waits for the others
        with torch.no_grad():
            probe_out = model.eval()(train_ids[:args.seq].unsqueeze(0))
    except (RuntimeError, IndexError, SpecError) as e:
        raise SystemExit(f'{need}; on ids [1, {args.seq}] it fails: {e}') from None
    if not torch.is_tensor(probe_out) or list(probe_out.shape) != [1, args.seq, V]:
        got = list(probe_out.shape) if torch.is_tensor(probe_out) else type(probe_out).__name__
        raise SystemExit(f'{need}; it gives {got} for ids [1, {args.seq}]')

    backend = args.backend if args.backend != 'auto' else ('nccl' if torch.cuda.is_available() else 'gloo')
    cuda = backend == 'nccl'
    local_rank = int(os.environ.get('LOCAL_RANK', 0))
    if cuda and local_rank >= torch.cuda.device_count():
        raise SystemExit(f'nccl runs one process per GPU: local rank {local_rank}, but {torch.cuda.device_count()} '
                         'CUDA devices (lower --nproc_per_node, or --backend gloo for CPUs)')
    dist.init_process_group(backend=backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device(f'cuda:{local_rank}') if cuda else torch.device('cpu')
    if cuda:
        torch.cuda.set_device(device)
    log = (lambda *a: print(*a, flush=True)) if rank == 0 else (lambda *a: None)

    model.train().to(device)
    ddp = DDP(model, device_ids=[local_rank] if cuda else None)   # broadcasts rank 0's weights
    opt = torch.optim.Adam(ddp.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed * 1000 + rank)   # each rank its own windows

    log(f'{world} ranks ({"nccl, CUDA" if cuda else "gloo, CPU"}); {len(train_text)} train / {len(val_text)} val '
        f'characters, vocabulary {V}; {sum(p.numel() for p in model.parameters())} parameters; '
        f'{args.steps} steps of {world} x {args.batch} windows of {args.seq}')
    t0, window_loss, seen = time.time(), 0.0, hashlib.sha256()
    for step in range(1, args.steps + 1):
        x, y = windows(train_ids, args.batch, args.seq, gen)
        seen.update(x.numpy().tobytes())
        logits = ddp(x.to(device))
        loss = F.cross_entropy(logits.reshape(-1, V), y.to(device).reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()   # DDP all-reduces (averages) the gradients here
        if args.clip > 0:
            torch.nn.utils.clip_grad_norm_(ddp.parameters(), args.clip)
        opt.step()
        window_loss += loss.item()
        if step % args.log_every == 0 or step == args.steps:
            n = (step - 1) % args.log_every + 1
            log(f'step {step}/{args.steps}  train_loss {window_loss / n:.4f} (rank 0)  {time.time() - t0:.1f} s')
            window_loss = 0.0

    os.makedirs(args.out, exist_ok=True)
    digest = param_digest(model)
    with open(os.path.join(args.out, f'rank{rank}.json'), 'w') as f:
        json.dump({'rank': rank, 'params_sha256': digest, 'data_sha256': seen.hexdigest()}, f)
    dist.barrier()
    if rank == 0:
        model.eval().cpu()
        starts = range(0, len(val_ids) - args.seq, args.seq)
        with torch.no_grad():
            val = torch.stack([val_ids[s:s + args.seq + 1] for s in starts])
            val_loss = F.cross_entropy(model(val[:, :-1]).reshape(-1, V), val[:, 1:].reshape(-1)).item()
            px = val[:args.probe, :-1]
            export_safetensors({'x': px.to(torch.int32), 'output': model(px).contiguous()},
                               os.path.join(args.out, 'probe.safetensors'))
        meta = {'spec': json.dumps(spec), 'steps': str(args.steps), 'ranks': str(world), 'val_loss': f'{val_loss:.6f}',
                'source': 'tools/train_ddp.py'}
        export_safetensors(model, os.path.join(args.out, 'model.safetensors'), metadata=meta)
        with open(os.path.join(args.out, 'spec.json'), 'w', encoding='utf-8') as f:
            json.dump(spec, f, indent=1)
        with open(os.path.join(args.out, 'vocab.json'), 'w', encoding='utf-8') as f:
            json.dump({'type': 'CharVocab', 'chars': chars}, f, ensure_ascii=False)
        log(f'val_loss {val_loss:.4f}  parameters sha256 {digest[:16]}  wrote {args.out}/model.safetensors, '
            f'spec.json, vocab.json, probe.safetensors')
    dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
