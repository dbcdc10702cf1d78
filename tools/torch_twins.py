"""PyTorch twins of rnn-wasm's ready-made models: the same modules, so their
state_dicts load into rnn-wasm (and back) by name.

    import sys; sys.path.insert(0, 'tools')
    from torch_twins import SentimentLSTM
"""
import torch
import torch.nn as nn
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
