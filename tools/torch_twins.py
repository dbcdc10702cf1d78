"""PyTorch twins of rnn-wasm's modules that torch.nn lacks, with the same
state_dicts, so weights load into rnn-wasm (and back) by name:

- SentimentLSTM: rnn.models.SentimentLSTM.
- GatedRNN: rnn.LSTM / rnn.GRU with the cell options torch.nn has not:
  gate_activation ('sigmoid', 'hardSigmoid', 'hardSigmoidKeras3') and, for
  GRU, reset_after=False. Plain autograd over the cell equations, so in
  float64 it is the reference tests/fixtures/make_variant_fixtures.py records.

    import sys; sys.path.insert(0, 'tools')
    from torch_twins import SentimentLSTM, GatedRNN
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence


class SentimentLSTM(nn.Module):
    """rnn.models.SentimentLSTM: Embedding -> Dropout -> packed bidirectional
    LSTM -> cat(h_n[-2], h_n[-1]) -> Dropout -> Linear (one logit)."""

    def __init__(self, vocab_size, embed_dim=128, hidden_dim=256, num_layers=2, dropout=0.3):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, num_layers=num_layers, bidirectional=True,
                            batch_first=True, dropout=dropout if num_layers > 1 else 0.0)
        self.fc = nn.Linear(2 * hidden_dim, 1)

    def forward(self, ids, lengths):           # ids [B, T] int64 (0 = padding), lengths [B]
        emb = self.dropout(self.embedding(ids))
        lengths = lengths.cpu() if torch.is_tensor(lengths) else lengths
        packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        h = torch.cat([h_n[-2], h_n[-1]], dim=1)
        return self.fc(self.dropout(h)).squeeze(1)   # one logit per sequence


GATE_ACTIVATIONS = {
    'sigmoid': torch.sigmoid,
    # TF.js and Keras 2: clip(0.2 x + 0.5, 0, 1) (torch's clamp passes the
    # gradient where the value is inside [0, 1], as TF's clip_by_value does)
    'hardSigmoid': lambda x: torch.clamp(0.2 * x + 0.5, 0.0, 1.0),
    # Keras 3: relu6(x + 3) / 6, which is torch's hardsigmoid (gradient 1/6
    # strictly inside, as TF's relu6)
    'hardSigmoidKeras3': F.hardsigmoid,
}


class GatedRNN(nn.Module):
    """rnn.LSTM / rnn.GRU (mode 'LSTM' or 'GRU') with gate_activation and,
    for GRU, reset_after (False: n = tanh(W_in x + b_in + W_hn (r * h) + b_hn),
    Keras reset_after=False). Parameters named and shaped as nn.LSTM /
    nn.GRU's, initialised as theirs; forward(x, h0[, c0], lengths=None) with
    nn.LSTM / nn.GRU's shapes and packed-sequence semantics for lengths
    (outputs 0 past each length, final states at each sequence's own end).
    dropout (between layers, in training mode) and proj_size (LSTM's
    weight_hr) as nn.LSTM / nn.GRU's."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, bidirectional=False, gate_activation='sigmoid',
                 reset_after=True, dropout=0.0, proj_size=0):
        super().__init__()
        assert mode in ('LSTM', 'GRU') and (reset_after or mode == 'GRU') and (proj_size == 0 or mode == 'LSTM')
        self.mode, self.H, self.L = mode, hidden_size, num_layers
        self.D = 2 if bidirectional else 1
        self.bias, self.batch_first, self.dropout = bias, batch_first, dropout
        self.act, self.reset_after = GATE_ACTIVATIONS[gate_activation], reset_after
        G = 4 if mode == 'LSTM' else 3
        out = proj_size or hidden_size
        k = 1.0 / math.sqrt(hidden_size)
        for l in range(num_layers):
            for d in range(self.D):
                sfx = f'_l{l}' + ('_reverse' if d else '')
                fan_in = input_size if l == 0 else self.D * out
                shapes = [('weight_ih', (G * hidden_size, fan_in)),
                          ('weight_hh', (G * hidden_size, out))]
                if bias:
                    shapes += [('bias_ih', (G * hidden_size,)), ('bias_hh', (G * hidden_size,))]
                if proj_size:
                    shapes.append(('weight_hr', (proj_size, hidden_size)))
                for name, shape in shapes:
                    self.register_parameter(name + sfx, nn.Parameter(torch.empty(shape).uniform_(-k, k)))

    def _p(self, name, l, d):
        return getattr(self, f'{name}_l{l}' + ('_reverse' if d else ''), None)

    def _step(self, x, h, c, l, d):
        H = self.H
        gi = F.linear(x, self._p('weight_ih', l, d), self._p('bias_ih', l, d))
        whh, bhh = self._p('weight_hh', l, d), self._p('bias_hh', l, d)
        if self.mode == 'LSTM':
            i, f, g, o = (gi + F.linear(h, whh, bhh)).chunk(4, 1)
            i, f, o = self.act(i), self.act(f), self.act(o)
            c = f * c + i * torch.tanh(g)
            h = o * torch.tanh(c)
            whr = self._p('weight_hr', l, d)
            return (h if whr is None else F.linear(h, whr)), c
        if self.reset_after:
            gh = F.linear(h, whh, bhh)
            r = self.act(gi[:, :H] + gh[:, :H])
            z = self.act(gi[:, H:2 * H] + gh[:, H:2 * H])
            n = torch.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        else:
            ghrz = F.linear(h, whh[:2 * H], None if bhh is None else bhh[:2 * H])
            r = self.act(gi[:, :H] + ghrz[:, :H])
            z = self.act(gi[:, H:2 * H] + ghrz[:, H:])
            n = torch.tanh(gi[:, 2 * H:] + F.linear(r * h, whh[2 * H:], None if bhh is None else bhh[2 * H:]))
        return (1 - z) * n + z * h, c

    def forward(self, x, h0, c0=None, lengths=None):
        if self.batch_first:
            x = x.transpose(0, 1)
        T, B = x.shape[0], x.shape[1]
        lengths = torch.full((B,), T) if lengths is None else torch.as_tensor(lengths)
        hN, cN = [], []
        inp = x
        for l in range(self.L):
            outs = []
            for d in range(self.D):
                k = l * self.D + d
                h = h0[k]
                c = c0[k] if c0 is not None else h.new_zeros(B, self.H)
                ys = [None] * T
                for t in (range(T - 1, -1, -1) if d else range(T)):
                    live = (t < lengths).to(x.dtype).unsqueeze(1)
                    hn, cn = self._step(inp[t], h, c, l, d)
                    h = live * hn + (1 - live) * h
                    c = live * cn + (1 - live) * c
                    ys[t] = live * hn
                outs.append(torch.stack(ys))
                hN.append(h)
                cN.append(c)
            inp = torch.cat(outs, 2)
            if l + 1 < self.L and self.dropout > 0 and self.training:
                inp = F.dropout(inp, self.dropout)
        out = inp.transpose(0, 1) if self.batch_first else inp
        return out, torch.stack(hN), (torch.stack(cN) if self.mode == 'LSTM' else None)
