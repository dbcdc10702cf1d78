#!/usr/bin/python3
"""The PyTorch twin of examples/g2p.mjs: the same grapheme-to-phoneme
encoder-decoder (LSTM, Luong 'general' attention), the same data, held-out
split, vocabularies, configuration, training schedule and decoding (greedy and
beam search with the same rules), so the two final lines can be compared.

    /usr/bin/python3 examples/pytorch/g2p.py [--epochs N] [--threads N]

Model (state_dict keys as rnn.models.Seq2Seq):
  encoder.embedding  Embedding(29, 64, padding_idx=0) -> Dropout(0.2)
  encoder.lstm       LSTM(64, 128, batch_first) over the packed source
  decoder.embedding  Embedding(72, 64, padding_idx=0) -> Dropout(0.2)
  decoder.lstm       LSTM(64, 128, batch_first), initial state = encoder's final (h, c)
  decoder.attn       Linear(128, 128, bias=False): score(h_t, h_s) = h_t . W_a h_s
  decoder.concat     Linear(256, 128): h~_t = tanh(W_c [c_t; h_t] + b_c)
  decoder.fc         Linear(128, 72): logits = fc(h~_t)
Attention is over the valid source positions only. No input feeding, so the
teacher-forced decoder runs over the whole target at once.

Training: Adam(lr 3e-3), cosine decay per step to 1e-4 (rnn-wasm's fit
'cosine' schedule), clip_grad_norm_(1.0), batches of 64 made once (shuffled,
seeded) and visited in a new random order every epoch (like fit), cross
entropy ignoring padding, teacher forcing 1.

Decoding: greedy; beam search of width 5: per step the 2K best extensions by
total log-probability, EOS among the top K finishes a hypothesis, the K best
others stay live; done at K finished or maxLength (30) steps; best by
logProb / length (length = steps including EOS).

Final line: word_acc=<beam 5> per=<beam 5> greedy_word_acc=... greedy_per=...
"""

import argparse
import math
import os
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "data", "seq2seq", "cmudict-g2p", "g2p.tsv")
CONFIG = dict(embedDim=64, hiddenDim=128, cell="lstm", numLayers=1, attention="general", dropout=0.2,
              batchSize=64, epochs=20, lr=3e-3, minLr=1e-4, clipGradNorm=1.0, beamWidth=5)
BOS, EOS, MAX_LEN = 2, 3, 30


def fnv1a(s):
    h = 0x811C9DC5
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


class Encoder(nn.Module):
    def __init__(self, vocab, E, H, L, dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocab, E, padding_idx=0)
        self.lstm = nn.LSTM(E, H, L, batch_first=True, dropout=dropout if L > 1 else 0.0)
        self.drop = nn.Dropout(dropout)

    def forward(self, src, lengths):
        emb = self.drop(self.embedding(src))
        packed = pack_padded_sequence(emb, lengths, batch_first=True, enforce_sorted=False)
        out, state = self.lstm(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.size(1))
        return out, state


class Decoder(nn.Module):
    def __init__(self, vocab, E, H, L, dropout):
        super().__init__()
        self.embedding = nn.Embedding(vocab, E, padding_idx=0)
        self.lstm = nn.LSTM(E, H, L, batch_first=True, dropout=dropout if L > 1 else 0.0)
        self.attn = nn.Linear(H, H, bias=False)
        self.concat = nn.Linear(2 * H, H)
        self.fc = nn.Linear(H, vocab)
        self.drop = nn.Dropout(dropout)

    def forward(self, inp, state, enc_out, keys, mask):
        """inp [B, T] -> logits [B, T, V], state (T = 1 for a decoding step)."""
        out, state = self.lstm(self.drop(self.embedding(inp)), state)     # [B, T, H]
        score = torch.bmm(out, keys.transpose(1, 2))                     # [B, T, S]
        score = score.masked_fill(~mask.unsqueeze(1), float("-inf"))
        ctx = torch.bmm(F.softmax(score, dim=2), enc_out)                # [B, T, H]
        h = torch.tanh(self.concat(torch.cat([ctx, out], dim=2)))
        return self.fc(h), state


class Seq2Seq(nn.Module):
    def __init__(self, src_vocab, tgt_vocab, c):
        super().__init__()
        self.encoder = Encoder(src_vocab, c["embedDim"], c["hiddenDim"], c["numLayers"], c["dropout"])
        self.decoder = Decoder(tgt_vocab, c["embedDim"], c["hiddenDim"], c["numLayers"], c["dropout"])

    def encode(self, src, lengths):
        enc_out, state = self.encoder(src, lengths)
        mask = torch.arange(src.size(1)).unsqueeze(0) < lengths.unsqueeze(1)
        return enc_out, self.decoder.attn(enc_out), mask, state

    def forward(self, src, lengths, dec_in):
        enc_out, keys, mask, state = self.encode(src, lengths)
        return self.decoder(dec_in, state, enc_out, keys, mask)[0]

    @torch.no_grad()
    def greedy(self, src, lengths):
        enc_out, keys, mask, state = self.encode(src, lengths)
        B = src.size(0)
        tok = torch.full((B, 1), BOS, dtype=torch.long)
        out, live = [[] for _ in range(B)], [True] * B
        for _ in range(MAX_LEN):
            logits, state = self.decoder(tok, state, enc_out, keys, mask)
            best = logits[:, 0].argmax(1)
            for b in range(B):
                if live[b]:
                    if int(best[b]) == EOS:
                        live[b] = False
                    else:
                        out[b].append(int(best[b]))
            if not any(live):
                break
            tok = best.unsqueeze(1)
        return out

    @torch.no_grad()
    def beam(self, src, lengths, K, alpha=1.0):
        """One example at a time (src [1, S]); the rules of Seq2Seq.beamSearch."""
        enc_out, keys, mask, (h, c) = self.encode(src, lengths)
        enc_out, keys, mask = enc_out.expand(K, -1, -1), keys.expand(K, -1, -1), mask.expand(K, -1)
        h, c = h.repeat(1, K, 1), c.repeat(1, K, 1)
        beam_lp = torch.full((K,), float("-inf"), dtype=torch.float64)
        beam_lp[0] = 0.0
        hyps = [[] for _ in range(K)]
        tok = torch.full((K, 1), BOS, dtype=torch.long)
        finished = []
        V = self.decoder.fc.out_features
        for t in range(MAX_LEN):
            logits, (h, c) = self.decoder(tok, (h, c), enc_out, keys, mask)
            lp = F.log_softmax(logits[:, 0].double(), dim=1)
            cand = (beam_lp.unsqueeze(1) + lp).view(-1)
            cand[torch.isnan(cand)] = float("-inf")
            scores, idx = cand.topk(2 * K)        # ties: the lower flat index first
            last = t + 1 >= MAX_LEN
            parents, toks, lps = [], [], []
            for i in range(2 * K):
                s = float(scores[i])
                if s == float("-inf") or len(parents) == K:
                    break
                r, v = divmod(int(idx[i]), V)
                if v == EOS:
                    if i < K:
                        finished.append((s / (t + 1) ** alpha, s, hyps[r]))
                    continue
                parents.append(r)
                toks.append(v)
                lps.append(s)
                if last:
                    finished.append((s / (t + 1) ** alpha, s, hyps[r] + [v]))
            finished.sort(key=lambda f: -f[0])
            finished = finished[:K]
            if len(finished) >= K or last or not parents:
                break
            while len(parents) < K:
                parents.append(0)
                toks.append(0)
                lps.append(float("-inf"))
            p = torch.tensor(parents)
            h, c = h[:, p], c[:, p]
            hyps = [hyps[r] + [v] for r, v in zip(parents, toks)]
            beam_lp = torch.tensor(lps, dtype=torch.float64)
            tok = torch.tensor(toks).unsqueeze(1)
        return finished[0][2]


def edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i]
        for j in range(1, len(b) + 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])))
        prev = cur
    return prev[-1]


def pad(seqs, value=0):
    T = max(len(s) for s in seqs)
    return torch.tensor([list(s) + [value] * (T - len(s)) for s in seqs], dtype=torch.long)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=CONFIG["epochs"])
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    c = dict(CONFIG, epochs=args.epochs)
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    random.seed(1)

    with open(DATA, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    words, prons = [r[0] for r in rows], [r[1].split(" ") for r in rows]
    test_idx = [i for i, w in enumerate(words) if fnv1a(w) % 10 == 0]
    train_idx = [i for i, w in enumerate(words) if fnv1a(w) % 10 != 0]
    chars = sorted(set("".join(words[i] for i in train_idx)))
    src_id = {ch: i + 2 for i, ch in enumerate(chars)}
    tgt_tokens = ["<pad>", "<unk>", "<s>", "</s>"] + sorted(set(p for pr in prons for p in pr))
    tgt_id = {t: i for i, t in enumerate(tgt_tokens)}
    enc_word = lambda w: [src_id.get(ch, 1) for ch in w]
    enc_pron = lambda p: [tgt_id.get(t, 1) for t in p]

    model = Seq2Seq(len(chars) + 2, len(tgt_tokens), c)
    print("g2p (PyTorch %s): %d train / %d held-out words, %d source / %d target symbols, %d parameters"
          % (torch.__version__, len(train_idx), len(test_idx), len(chars) + 2, len(tgt_tokens),
             sum(p.numel() for p in model.parameters())))
    print("config", c)

    order = train_idx[:]
    random.shuffle(order)
    batches = []
    for k in range(0, len(order), c["batchSize"]):
        part = order[k:k + c["batchSize"]]
        src = pad([enc_word(words[i]) for i in part])
        lengths = torch.tensor([len(words[i]) for i in part])
        dec_in = pad([[BOS] + enc_pron(prons[i]) for i in part])
        y = pad([enc_pron(prons[i]) + [EOS] for i in part], value=-100)
        batches.append((src, lengths, dec_in, y))

    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    total = c["epochs"] * len(batches)
    step, t0 = 0, time.time()
    model.train()
    for epoch in range(c["epochs"]):
        random.shuffle(batches)
        tot = 0.0
        for src, lengths, dec_in, y in batches:
            p = min(1.0, step / max(1, total))
            for g in opt.param_groups:
                g["lr"] = c["minLr"] + 0.5 * (c["lr"] - c["minLr"]) * (1 + math.cos(math.pi * p))
            opt.zero_grad()
            logits = model(src, lengths, dec_in)
            loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), ignore_index=-100)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), c["clipGradNorm"])
            opt.step()
            tot += float(loss)
            step += 1
        print("epoch %d/%d: train loss %.4f (%.0f s)" % (epoch + 1, c["epochs"], tot / len(batches), time.time() - t0))
    print("trained %d steps in %.1f s" % (step, time.time() - t0))

    model.eval()

    def score(hyps, idx):
        right = errs = tot = 0
        for h, i in zip(hyps, idx):
            hyp, ref = [tgt_tokens[t] for t in h], prons[i]
            right += hyp == ref
            errs += edit_distance(hyp, ref)
            tot += len(ref)
        return right / len(idx), errs / tot

    t = time.time()
    greedy = []
    for k in range(0, len(test_idx), 256):
        part = test_idx[k:k + 256]
        greedy += model.greedy(pad([enc_word(words[i]) for i in part]), torch.tensor([len(words[i]) for i in part]))
    g_acc, g_per = score(greedy, test_idx)
    print("greedy: word_acc=%.4f per=%.4f (%.2f ms/word)" % (g_acc, g_per, 1000 * (time.time() - t) / len(test_idx)))
    t = time.time()
    beam = [model.beam(torch.tensor([enc_word(words[i])]), torch.tensor([len(words[i])]), c["beamWidth"])
            for i in test_idx]
    b_acc, b_per = score(beam, test_idx)
    print("beam %d: word_acc=%.4f per=%.4f (%.2f ms/word)" % (c["beamWidth"], b_acc, b_per,
                                                           1000 * (time.time() - t) / len(test_idx)))
    for w in ["corkscrew", "whale", "shakespeare", "nevermore", "tensorflow"]:
        h = model.beam(torch.tensor([enc_word(w)]), torch.tensor([len(w)]), c["beamWidth"])
        print("  %s -> %s" % (w, " ".join(tgt_tokens[t] for t in h)))
    print("word_acc=%.4f per=%.4f greedy_word_acc=%.4f greedy_per=%.4f" % (b_acc, b_per, g_acc, g_per))


if __name__ == "__main__":
    main()
