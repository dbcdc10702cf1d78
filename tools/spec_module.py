#!/usr/bin/python3
"""The PyTorch side of rnn-wasm's model specs (js/spec.js): the JSON spec that
`modelSpec(model)` writes and `buildModel(rnn, spec)` reads builds the
equivalent torch.nn.Module here, with the same state_dict keys and shapes, so
a safetensors file moves both ways with no mapping:

    import json, sys; sys.path.insert(0, 'tools')
    from spec_module import build_module
    from load_safetensors import load_into
    model = build_module(json.load(open('spec.json')))     # SpecError on a bad spec
    load_into(model, 'model.safetensors')                   # strict=True
    model.eval()
    y = model(ids, lengths=lengths)                          # what rnn-wasm's forward gives

Every kind buildModel knows: RNN, LSTM, GRU, MinGRU, MinLSTM, Linear,
Embedding, Dropout, LayerNorm, ReLU, GELU (nn.LayerNorm / nn.ReLU / nn.GELU),
CausalConv1d (tools/min_rnn.py's depthwise nn.Conv1d), Pool, Sequential and
Residual (nested) and SentimentLSTM.
- Recurrent layers are nn.RNN / nn.LSTM / nn.GRU (PyTorch's own kernels), or
  tools/torch_twins.py's GatedRNN for the cell variants torch.nn lacks
  (gateActivation 'hardSigmoid' / 'hardSigmoidKeras3', GRU resetAfter false),
  or tools/min_rnn.py's MinRNN; their forward(x, lengths=None, h0=None,
  c0=None) returns (output, h_n, c_n or None) with rnn-wasm's packed
  semantics for lengths (outputs 0 past each length).
- Sequential.forward(x, lengths=None, state=None) runs its layers as
  js/sequential.js does (lengths go to the recurrent layers and Pools, a
  Pool('final') reads the preceding recurrent layer's h_n; the final states
  are left in .state). A CausalConv1d carries its context there as
  js/sequential.js does: {'context': [B, k - 1, C]} under its index, taken
  back from the state given to the next call.
- Seeds are accepted and not used: torch draws its own initial weights (the
  same distributions). Load rnn-wasm's weights to start where it started.
Options are checked as the JS constructors check them (unknown options,
missing or out-of-range values), so a spec buildModel refuses is refused here.
The modules expect batched input ([B, T, F], or [T, B, F] without batchFirst).

From the command line, print the state_dict a spec gives (names and shapes):

    /usr/bin/python3 tools/spec_module.py spec.json
"""
import json
import math
import os
import sys
import warnings

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from min_rnn import CausalConv1d, MinRNN  # noqa: E402
from torch_twins import GatedRNN, SentimentLSTM as TwinSentimentLSTM  # noqa: E402

TYPES = ['RNN', 'LSTM', 'GRU', 'MinGRU', 'MinLSTM', 'Linear', 'Embedding', 'Dropout', 'LayerNorm',
         'CausalConv1d', 'ReLU', 'GELU', 'Pool', 'Sequential', 'Residual', 'SentimentLSTM']
GATES = ['sigmoid', 'hardSigmoid', 'hardSigmoidKeras3']
COMMON = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'seed']
KNOWN = {
    'RNN': COMMON + ['nonlinearity'],
    'LSTM': COMMON + ['projSize', 'gateActivation'],
    'GRU': COMMON + ['gateActivation', 'resetAfter'],
    'MinGRU': COMMON + ['logSpace'],
    'MinLSTM': COMMON + ['logSpace'],
    'Linear': ['inFeatures', 'outFeatures', 'bias', 'seed'],
    'Embedding': ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'seed'],
    'Dropout': ['p', 'seed'],
    'LayerNorm': ['normalizedShape', 'eps'],
    'CausalConv1d': ['channels', 'kernelSize', 'bias', 'seed'],
    'ReLU': [],
    'GELU': [],
    'Pool': ['mode'],
    'Sequential': ['layers'],
    'Residual': ['layers'],
    'SentimentLSTM': ['vocabSize', 'embedDim', 'hiddenDim', 'numLayers', 'dropout', 'seed'],
}
RECURRENT = ('RNN', 'LSTM', 'GRU', 'MinGRU', 'MinLSTM')


class SpecError(ValueError):
    """A spec that buildModel would refuse (the message names the path and option)."""


# ---- option checks: js/options.js's rules ------------------------------------------------

class _Opts:
    def __init__(self, spec, what, path):
        self.spec, self.what, self.path = spec, what, path

    def fail(self, msg):
        raise SpecError(f'{self.path}: {self.what}: {msg}')

    def get(self, name, default):
        v = self.spec.get(name)
        return default if v is None else v   # JS `??`: null means the default

    def int(self, name, lo=1, hi=2 ** 31 - 1, default=None):
        v = self.get(name, default)
        if v is None:
            self.fail(f"option '{name}' is required")
        if not _is_int(v) or v < lo or v > hi:
            self.fail(f"'{name}' must be an integer in [{lo}, {hi}], got {json.dumps(v)}")
        return int(v)

    def num(self, name, lo, hi, default):
        v = self.get(name, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or math.isnan(v) or not (lo <= v < hi):
            self.fail(f"'{name}' must be a number in [{lo}, {hi}), got {json.dumps(v)}")
        return float(v)

    def bool(self, name, default):
        v = self.get(name, default)
        if not isinstance(v, bool):
            self.fail(f"'{name}' must be true or false, got {json.dumps(v)}")
        return v

    def one_of(self, name, values, default):
        v = self.get(name, default)
        if v not in values:
            self.fail(f"'{name}' must be {' or '.join(repr(x) for x in values)}, got {json.dumps(v)}")
        return v


def _is_int(v):
    return not isinstance(v, bool) and (isinstance(v, int) or (isinstance(v, float) and v.is_integer()))


# ---- recurrent layers: one forward signature over three implementations ------------------

class _TorchRNNForward:
    """forward(x, lengths, h0, c0) -> (output, h_n, c_n | None) over nn.RNN / LSTM / GRU."""

    def forward(self, x, lengths=None, h0=None, c0=None):
        T = x.shape[1] if self.batch_first else x.shape[0]
        is_lstm = isinstance(self, nn.LSTM)
        hx = None
        if h0 is not None or c0 is not None:
            B = x.shape[0] if self.batch_first else x.shape[1]
            D, L, H = 2 if self.bidirectional else 1, self.num_layers, self.hidden_size
            out_h = self.proj_size if getattr(self, 'proj_size', 0) else H
            h0 = h0 if h0 is not None else x.new_zeros(L * D, B, out_h)
            if is_lstm:
                hx = (h0, c0 if c0 is not None else x.new_zeros(L * D, B, H))
            else:
                hx = h0
        inp = x
        if lengths is not None:
            inp = pack_padded_sequence(x, torch.as_tensor(lengths, dtype=torch.int64).cpu(),
                                       batch_first=self.batch_first, enforce_sorted=False)
        out, state = super().forward(inp, hx)
        if lengths is not None:
            out, _ = pad_packed_sequence(out, batch_first=self.batch_first, total_length=T)
        return (out, state[0], state[1]) if is_lstm else (out, state, None)


class SpecRNN(_TorchRNNForward, nn.RNN):
    pass


class SpecLSTM(_TorchRNNForward, nn.LSTM):
    pass


class SpecGRU(_TorchRNNForward, nn.GRU):
    pass


class SpecGatedRNN(GatedRNN):
    """LSTM / GRU cell variants torch.nn has not (hard-sigmoid gates, GRU resetAfter false)."""

    def forward(self, x, lengths=None, h0=None, c0=None):
        B = x.shape[0] if self.batch_first else x.shape[1]
        if h0 is None:
            out = getattr(self, 'weight_hh_l0').shape[1]
            h0 = x.new_zeros(self.L * self.D, B, out)
        return super().forward(x, h0, c0, lengths)


class SpecMinRNN(MinRNN):
    def forward(self, x, lengths=None, h0=None, c0=None):
        if c0 is not None:
            raise SpecError(f'{self.mode} has no cell state: c0 must be None')
        out, h_n = super().forward(x, h0, lengths)
        return out, h_n, None


def _recurrent(kind, o):
    what = o.what
    input_size = o.int('inputSize', hi=1 << 20)
    hidden = o.int('hiddenSize', hi=1 << 16)
    layers = o.int('numLayers', hi=64, default=1)
    bias = o.bool('bias', True)
    batch_first = o.bool('batchFirst', False)
    bidir = o.bool('bidirectional', False)
    dropout = o.num('dropout', 0, 1, 0)
    o.int('seed', lo=0, hi=2 ** 32 - 1, default=0)
    common = dict(num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidir)
    if kind in ('MinGRU', 'MinLSTM'):
        log_space = o.bool('logSpace', False)
        return SpecMinRNN(kind, input_size, hidden, dropout=dropout, log_space=log_space, **common)
    with warnings.catch_warnings():   # torch warns about dropout with one layer; rnn-wasm ignores it too
        warnings.simplefilter('ignore', UserWarning)
        if kind == 'RNN':
            nl = o.one_of('nonlinearity', ['tanh', 'relu'], 'tanh')
            return SpecRNN(input_size, hidden, nonlinearity=nl, dropout=dropout, **common)
        gate = o.one_of('gateActivation', GATES, 'sigmoid')
        if kind == 'LSTM':
            proj = o.int('projSize', lo=0, hi=hidden - 1, default=0)
            if gate == 'sigmoid':
                return SpecLSTM(input_size, hidden, dropout=dropout, proj_size=proj, **common)
            return SpecGatedRNN('LSTM', input_size, hidden, gate_activation=gate, dropout=dropout,
                                proj_size=proj, **common)
        reset_after = o.bool('resetAfter', True)
        if gate == 'sigmoid' and reset_after:
            return SpecGRU(input_size, hidden, dropout=dropout, **common)
        return SpecGatedRNN('GRU', input_size, hidden, gate_activation=gate, reset_after=reset_after,
                            dropout=dropout, **common)


def is_recurrent(m):
    return isinstance(m, (SpecRNN, SpecLSTM, SpecGRU, SpecGatedRNN, SpecMinRNN))


def _num_directions(m):
    return m.D if isinstance(m, (GatedRNN, MinRNN)) else (2 if m.bidirectional else 1)


def _num_layers(m):
    return m.L if isinstance(m, GatedRNN) else m.num_layers


# ---- the other layers ----------------------------------------------------------------------

class Pool(nn.Module):
    """js/sequential.js's Pool: [B, T, F] -> [B, F] ('last', 'mean'), or the
    preceding recurrent layer's last-layer h_n, directions concatenated ('final')."""

    def __init__(self, mode='last'):
        super().__init__()
        self.mode = mode

    def forward(self, x, lengths=None, prev=None):
        if self.mode == 'final':
            if prev is None:
                raise SpecError("Pool('final') must follow a recurrent layer")
            layer, h_n = prev
            D, L = _num_directions(layer), _num_layers(layer)
            return torch.cat([h_n[(L - 1) * D + d] for d in range(D)], dim=1)
        if x.dim() != 3:
            raise SpecError(f'Pool({self.mode}): input must be [B, T, F], got {list(x.shape)}')
        B, T, _ = x.shape
        lens = torch.full((B,), T, dtype=torch.int64) if lengths is None else torch.as_tensor(lengths, dtype=torch.int64)
        if self.mode == 'last':
            return x[torch.arange(B), lens.to(x.device) - 1]
        steps = torch.arange(T, device=x.device).unsqueeze(0) < lens.to(x.device).unsqueeze(1)
        return (x * steps.unsqueeze(2).to(x.dtype)).sum(1) / lens.to(x.device, x.dtype).unsqueeze(1)


class Sequential(nn.Module):
    """js/sequential.js's Sequential: children '0', '1', ... (so state_dict keys
    are '0.weight', '1.weight_ih_l0', ...); lengths reach the recurrent layers,
    Pools and nested Sequentials; .state holds {i: (h_n, c_n)} afterwards (a
    nested Sequential's or Residual's own .state under its index, a
    CausalConv1d's {'context': next context})."""

    def __init__(self, layers):
        super().__init__()
        for i, m in enumerate(layers):
            self.add_module(str(i), m)
        self.state = None

    def forward(self, x, lengths=None, state=None):
        h, prev, new_state = x, None, {}
        for i, layer in enumerate(self.children()):
            if is_recurrent(layer):
                s = (state or {}).get(i)
                h, h_n, c_n = layer(h, lengths, *(s if s else (None, None)))
                new_state[i] = (h_n, c_n)
                prev = (layer, h_n)
            elif isinstance(layer, Pool):
                h = layer(h, lengths, prev)
            elif isinstance(layer, Sequential):
                h = layer(h, lengths, (state or {}).get(i))
                new_state[i] = layer.state
            elif isinstance(layer, CausalConv1d):
                h, context = layer(h, ((state or {}).get(i) or {}).get('context'), lengths)
                new_state[i] = {'context': context}
            else:
                h = layer(h)
        self.state = new_state
        return h


class Residual(Sequential):
    """js/sequential.js's Residual: x + Sequential(layers)(x), the skip connection
    of the pre-norm blocks of Feng et al. (x = x + minGRU(LayerNorm(x)))."""

    def forward(self, x, lengths=None, state=None):
        return x + super().forward(x, lengths, state)


class SentimentLSTM(TwinSentimentLSTM):
    """rnn.models.SentimentLSTM (tools/torch_twins.py); lengths default to the full T."""

    def forward(self, ids, lengths=None):
        if lengths is None:
            lengths = torch.full((ids.shape[0],), ids.shape[1], dtype=torch.int64)
        return super().forward(ids, lengths)


# ---- the builder -----------------------------------------------------------------------------

def build_module(spec, path='spec'):
    """The torch.nn.Module for a spec of modelSpec() (a dict, or its JSON text)."""
    if isinstance(spec, (str, bytes)):
        spec = json.loads(spec)
    if not isinstance(spec, dict):
        got = 'null' if spec is None else ('array' if isinstance(spec, list) else type(spec).__name__)
        raise SpecError(f'{path} must be an object {{ type, ...options }}, got {got}')
    kind = spec.get('type')
    if kind not in TYPES:
        raise SpecError(f'{path}.type {json.dumps(kind)} is unknown (use {", ".join(TYPES)})')
    opts = {k: v for k, v in spec.items() if k != 'type'}
    what = 'RNN' if kind == 'RNN' else kind
    for k in opts:
        if k not in KNOWN[kind]:
            raise SpecError(f"{path}: {what}: unknown option '{k}' (known: {', '.join(KNOWN[kind])})")
    o = _Opts(opts, what, path)
    if kind in RECURRENT:
        return _recurrent(kind, o)
    if kind == 'Linear':
        o.int('seed', lo=0, hi=2 ** 32 - 1, default=0)
        return nn.Linear(o.int('inFeatures', hi=1 << 20), o.int('outFeatures', hi=1 << 20), bias=o.bool('bias', True))
    if kind == 'Embedding':
        num = o.int('numEmbeddings', hi=2 ** 30)
        dim = o.int('embeddingDim', hi=1 << 20)
        pad = None if opts.get('paddingIdx') is None else o.int('paddingIdx', lo=-num, hi=num - 1)
        o.int('seed', lo=0, hi=2 ** 32 - 1, default=0)
        return nn.Embedding(num, dim, padding_idx=pad)
    if kind == 'Dropout':
        o.int('seed', lo=0, hi=2 ** 32 - 1, default=0)
        return nn.Dropout(o.num('p', 0, 1, 0.5))
    if kind == 'LayerNorm':
        eps = o.get('eps', 1e-5)
        if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps <= 1:
            o.fail(f"'eps' must be a number in (0, 1], got {json.dumps(eps)}")
        shape = o.get('normalizedShape', None)
        if isinstance(shape, list):
            if len(shape) != 1:
                o.fail(f'normalizedShape must be one size (the last dimension), got {json.dumps(shape)}')
            o = _Opts({'normalizedShape': shape[0]}, what, path)
        return nn.LayerNorm(o.int('normalizedShape', hi=1 << 20), eps=float(eps))
    if kind == 'CausalConv1d':
        channels, kernel = o.int('channels', hi=1 << 20), o.int('kernelSize', hi=256)
        bias = o.bool('bias', True)
        o.int('seed', lo=0, hi=2 ** 32 - 1, default=0)
        return CausalConv1d(channels, kernel, bias=bias)
    if kind in ('ReLU', 'GELU'):
        return nn.ReLU() if kind == 'ReLU' else nn.GELU()
    if kind == 'Pool':
        return Pool(o.one_of('mode', ['last', 'mean', 'final'], 'last'))
    if kind == 'SentimentLSTM':
        vocab = o.int('vocabSize', lo=2)
        embed, hidden = o.int('embedDim', default=128), o.int('hiddenDim', default=256)
        layers = o.int('numLayers', hi=64, default=2)
        dropout = o.num('dropout', 0, 1, 0.3)
        o.int('seed', lo=0, hi=2 ** 32 - 1, default=0)
        return SentimentLSTM(vocab, embed, hidden, layers, dropout)
    layers = opts.get('layers')   # Sequential
    if not isinstance(layers, list) or not layers:
        raise SpecError(f'{path}.layers must be a non-empty array of specs')
    mods = [build_module(s, f'{path}.layers[{i}]') for i, s in enumerate(layers)]
    for i, m in enumerate(mods):
        if is_recurrent(m) and not m.batch_first:
            raise SpecError(f'{path}: Sequential: layers[{i}] ({layers[i]["type"]}) must be created with batchFirst: true')
    return Residual(mods) if kind == 'Residual' else Sequential(mods)


def flat_state(state, prefix='state.'):
    """A Sequential's .state as flat tensors: {'state.<i>.hN' / '.cN' / '.context'}
    (a nested one's as 'state.<i>.<j>....'), the names tests give JS's model.state."""
    out = {}
    for i, s in (state or {}).items():
        if isinstance(s, tuple):
            out.update({f'{prefix}{i}.{k}': t for k, t in zip(('hN', 'cN'), s) if t is not None})
        elif 'context' in s:
            out[f'{prefix}{i}.context'] = s['context']
        else:
            out.update(flat_state(s, f'{prefix}{i}.'))
    return out


def run(module, x, lengths=None, state=None):
    """One forward as rnn-wasm's model.forward(x, { lengths, state }) gives it:
    {'output'} (and 'hN', 'cN' for a recurrent layer, 'context' for a
    CausalConv1d, flat_state's entries for a Sequential). state: a
    Sequential's .state, or a CausalConv1d's {'context'}."""
    if isinstance(module, CausalConv1d):
        y, context = module(x, (state or {}).get('context'), lengths)
        return {'output': y, 'context': context}
    if isinstance(module, Sequential):
        return {'output': module(x, lengths, state), **flat_state(module.state)}
    if is_recurrent(module):
        out, h_n, c_n = module(x, lengths)
        res = {'output': out, 'hN': h_n}
        if c_n is not None:
            res['cN'] = c_n
        return res
    if isinstance(module, (Pool, SentimentLSTM)):
        return {'output': module(x, lengths)}
    return {'output': module(x)}


def main(argv=None):
    import argparse
    p = argparse.ArgumentParser(description="Print the state_dict (names, shapes) of the torch module a spec builds")
    p.add_argument('spec', help='a JSON file written from modelSpec(model)')
    args = p.parse_args(argv)
    with open(args.spec, encoding='utf-8') as f:
        model = build_module(json.load(f))
    print(type(model).__name__, f'{sum(t.numel() for t in model.state_dict().values())} parameters')
    for k, t in model.state_dict().items():
        print(f'{k}\t{list(t.shape)}')


if __name__ == '__main__':
    try:
        main()
    except SpecError as e:
        sys.exit(f'spec_module.py: {e}')
