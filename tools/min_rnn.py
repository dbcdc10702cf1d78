"""PyTorch twins of rnn.MinGRU and rnn.MinLSTM (and MinLM, the paper's LM of
pre-norm residual blocks, with rnn-wasm's names, and CausalConv1d, the
depthwise causal convolution that can go before each cell): minGRU and minLSTM of Feng et
al., "Were RNNs All We Needed?" (2024), with rnn-wasm's state_dict names, so
weights move both ways as safetensors (tools/export_safetensors.py,
load_safetensors.py) and the engine's answers can be checked against these.

    import sys; sys.path.insert(0, 'tools')
    from min_rnn import MinRNN
    m = MinRNN('MinGRU', input_size=8, hidden_size=16, num_layers=2)
    out, h_n = m(x)                      # x [T, B, I] (or [B, T, I] with batch_first)

Per layer and direction k (suffix _l{k}, _reverse for the second direction):
    weight_ih_l{k} [G*H, in], bias_ih_l{k} [G*H]   (no weight_hh / bias_hh)
    minGRU  rows (z, h~):    z = sigmoid(W_z x + b_z), h~ = W_h x + b_h
                             h_t = (1 - z) * h_{t-1} + z * h~
    minLSTM rows (f, i, h~): f' = f / (f + i), i' = i / (f + i)
                             h_t = f' * h_{t-1} + i' * h~
log_space=True is the paper's log-space variant: h~ becomes g(h~) with
g(x) = x + 0.5 (x >= 0), sigmoid(x) (x < 0), and the scan runs in log space
with logcumsumexp (h0 must then be >= 0). Sequences with `lengths` (and the
plain form) run the same recurrence step by step.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


def _g(x):
    return torch.where(x >= 0, x + 0.5, torch.sigmoid(x))


def _log_g(x):
    return torch.where(x >= 0, torch.log(F.relu(x) + 0.5), -F.softplus(-x))


def _coeffs(mode, pre, H, log_space):
    """The scan's a_t and v_t (h_t = a_t h_{t-1} + v_t) from the gate pre-activations."""
    if mode == 'MinGRU':
        z = torch.sigmoid(pre[..., :H])
        c = _g(pre[..., H:]) if log_space else pre[..., H:]
        return 1 - z, z * c
    f, i = torch.sigmoid(pre[..., :H]), torch.sigmoid(pre[..., H:2 * H])
    c = _g(pre[..., 2 * H:]) if log_space else pre[..., 2 * H:]
    return f / (f + i), i / (f + i) * c


def _log_scan(mode, pre, H, h0):
    """The paper's log-space parallel scan over [T, B, *]: log h_t =
    a*_t + logcumsumexp(log v - a*), a* = cumsum log a."""
    if mode == 'MinGRU':
        k, c = pre[..., :H], pre[..., H:]
        log_a, log_v = -F.softplus(k), -F.softplus(-k) + _log_g(c)
    else:
        kf, ki, c = pre[..., :H], pre[..., H:2 * H], pre[..., 2 * H:]
        diff = F.softplus(-kf) - F.softplus(-ki)
        log_a, log_v = -F.softplus(diff), -F.softplus(-diff) + _log_g(c)
    a_star = F.pad(torch.cumsum(log_a, dim=0), (0, 0, 0, 0, 1, 0))
    log_values = torch.cat([torch.log(h0).unsqueeze(0), log_v], dim=0)
    log_h = a_star + torch.logcumsumexp(log_values - a_star, dim=0)
    return torch.exp(log_h[1:])


class MinRNN(nn.Module):
    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, log_space=False):
        super().__init__()
        assert mode in ('MinGRU', 'MinLSTM')
        self.mode, self.hidden_size, self.num_layers = mode, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, dropout
        self.D, self.log_space = 2 if bidirectional else 1, log_space
        G = 2 if mode == 'MinGRU' else 3
        k = hidden_size ** -0.5
        for l in range(num_layers):
            for d in range(self.D):
                sfx = f'_l{l}' + ('_reverse' if d else '')
                fan_in = input_size if l == 0 else self.D * hidden_size
                setattr(self, 'weight_ih' + sfx, nn.Parameter(torch.empty(G * hidden_size, fan_in).uniform_(-k, k)))
                if bias:
                    setattr(self, 'bias_ih' + sfx, nn.Parameter(torch.empty(G * hidden_size).uniform_(-k, k)))

    def _direction(self, x, h0, lengths, sfx, reverse):
        H, T = self.hidden_size, x.shape[0]
        pre = F.linear(x, getattr(self, 'weight_ih' + sfx), getattr(self, 'bias_ih' + sfx, None))
        if self.log_space and lengths is None:
            seq = pre.flip(0) if reverse else pre
            out = _log_scan(self.mode, seq, H, h0)
            return (out.flip(0) if reverse else out), out[-1]
        a, v = _coeffs(self.mode, pre, H, self.log_space)
        lens = torch.full((x.shape[1],), T) if lengths is None else torch.as_tensor(lengths)
        h, outs = h0, [None] * T
        for t in (range(T - 1, -1, -1) if reverse else range(T)):
            live = (t < lens).to(x.dtype).unsqueeze(1)
            h = live * (a[t] * h + v[t]) + (1 - live) * h
            outs[t] = live * h
        return torch.stack(outs), h

    def forward(self, x, h0=None, lengths=None):
        """x [T, B, I] ([B, T, I] batch_first); h0 [L*D, B, H]; lengths [B] or None.
        Returns (output [T, B, D*H], h_n [L*D, B, H]); output is 0 past a sequence's length."""
        if self.batch_first:
            x = x.transpose(0, 1)
        L, D, H = self.num_layers, self.D, self.hidden_size
        if h0 is None:
            h0 = x.new_zeros(L * D, x.shape[1], H)
        h_n = []
        for l in range(L):
            outs = []
            for d in range(D):
                out, hN = self._direction(x, h0[l * D + d], lengths, f'_l{l}' + ('_reverse' if d else ''), d == 1)
                outs.append(out)
                h_n.append(hN)
            x = torch.cat(outs, dim=2)
            if l + 1 < L and self.dropout > 0 and self.training:
                x = F.dropout(x, self.dropout)
        if self.batch_first:
            x = x.transpose(0, 1)
        return x, torch.stack(h_n)


class CausalConv1d(nn.Conv1d):
    """rnn.CausalConv1d: nn.Conv1d(C, C, k, groups=C) (state_dict weight [C, 1, k],
    bias [C]) on batch-first [B, T, C], with k - 1 steps of left context: the
    given context [B, k - 1, C] (the inputs before t = 0) or zeros.

    forward(x, context=None, lengths=None) -> (y [B, T, C], next context): y is
    0 at steps past a sequence's length; the next context is each sequence's
    last k - 1 inputs up to its length (reaching into the context when T is
    shorter), so chunks see what one long sequence would."""

    def __init__(self, channels, kernel_size, bias=True):
        super().__init__(channels, channels, kernel_size, groups=channels, bias=bias)

    def forward(self, x, context=None, lengths=None):
        B, T, C = x.shape
        P = self.kernel_size[0] - 1
        if context is None:
            context = x.new_zeros(B, P, C)
        xp = torch.cat([context.to(x.dtype), x], dim=1)                # [B, P + T, C]
        y = F.conv1d(xp.transpose(1, 2), self.weight, self.bias, groups=C).transpose(1, 2)
        lens = torch.full((B,), T) if lengths is None else torch.as_tensor(lengths)
        y = y * (torch.arange(T).unsqueeze(0) < lens.unsqueeze(1)).to(y.dtype).unsqueeze(2)
        nxt = torch.stack([xp[b, int(lens[b]):int(lens[b]) + P] for b in range(B)]) if B else xp[:, :P]
        return y, nxt.detach()


class Residual(nn.Module):
    """rnn.Residual: x + layers(x), children '0', '1', ...; a MinRNN child takes
    h0 and gives its h_n, a CausalConv1d child its context. forward(x, state)
    returns (y, state): state is {child index: h_n or context} of those children."""

    def __init__(self, *layers):
        super().__init__()
        for i, m in enumerate(layers):
            self.add_module(str(i), m)

    def forward(self, x, state=None):
        y, new = x, {}
        for i, m in enumerate(self.children()):
            if isinstance(m, (MinRNN, CausalConv1d)):
                y, new[i] = m(y, (state or {}).get(i))
            else:
                y = m(y)
        return x + y, new


class MinLM(nn.Module):
    """The character LM of Feng et al. (pre-norm residual blocks) with the
    state_dict names of rnn-wasm's Sequential of the same layers
    (bench/min_shakespeare.mjs's block stack, docs/api.md's Residual):

        0          nn.Embedding(vocab, d)                        0.weight
        per block  Residual(LayerNorm(d), MinRNN(d, d))          k.0.weight, k.0.bias, k.1.weight_ih_l0, k.1.bias_ih_l0
                   (conv k > 0: Residual(LayerNorm(d),            k.1.weight [d, 1, k], k.1.bias; the cell k.2.*
                    CausalConv1d(d, k), MinRNN(d, d)))
                   Residual(LayerNorm(d), Linear(d, mlp d),       k+1.0.*, k+1.1.weight / bias, k+1.3.weight / bias
                            GELU or ReLU, Linear(mlp d, d))       (mlp 0: no MLP block)
        then       nn.LayerNorm(d), nn.Linear(d, vocab)

    forward(ids [B, T], state=None) -> (logits [B, T, vocab], state): state is
    the list of each cell block's {child index: h_n [1, B, d] or context
    [B, k - 1, d]}, to carry into the next chunk."""

    def __init__(self, vocab, d_model, n_blocks, mlp=2, cell='MinGRU', act='GELU', conv=0):
        super().__init__()
        d = d_model
        layers = [nn.Embedding(vocab, d)]
        for _ in range(n_blocks):
            layers.append(Residual(nn.LayerNorm(d), *([CausalConv1d(d, conv)] if conv else []),
                                   MinRNN(cell, d, d, batch_first=True)))
            if mlp:
                layers.append(Residual(nn.LayerNorm(d), nn.Linear(d, mlp * d),
                                       nn.GELU() if act == 'GELU' else nn.ReLU(), nn.Linear(mlp * d, d)))
        layers += [nn.LayerNorm(d), nn.Linear(d, vocab)]
        for i, m in enumerate(layers):
            self.add_module(str(i), m)

    def forward(self, ids, state=None):
        x, new_state, k = ids, [], 0
        for m in self.children():
            if isinstance(m, Residual):
                has_cell = any(isinstance(c, MinRNN) for c in m.children())
                x, s = m(x, state[k] if state is not None and has_cell else None)
                if has_cell:
                    new_state.append(s)
                    k += 1
            else:
                x = m(x)
        return x, new_state
