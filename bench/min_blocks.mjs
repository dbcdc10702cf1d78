// bench/min_blocks.mjs: the block stacks of bench/min_shakespeare.mjs (issue 23): the paper's pre-norm
// residual stack of min cells, and the additions measured there: the package's rnn.CausalConv1d before
// each min cell (started as a token shift), and two bench-only layers of earlier sessions, a fixed token
// shift and a character-pair embedding. The bench layers follow the Sequential protocol (forward /
// backward / parameters); tests/min-blocks-bench.test.mjs checks them.

/**
 * RWKV's token shift: the last `s` features of each step replaced by earlier steps' (zeros before a
 * chunk's first step), so the min cell's gates, which read x_t only, see x_{t-1} (with `steps` > 1:
 * the s features in `steps` equal groups, group j from x_{t-j}, a window of steps + 1 characters).
 * No parameters, no multiply-adds: a copy forward and backward. [B, T, d] batch-first, as the stack's.
 */
export class TimeShift {
  constructor(s, steps = 1) {
    this.groups = Array.from({ length: steps }, (_, j) => ({ lag: j + 1, n: Math.floor(s / steps) + (j < s % steps ? 1 : 0) }));
    let end = 0;
    for (const g of this.groups) g.end = end, end += g.n; // offsets from the row's end: lag 1 last, then 2, ...
    this._shape = null;
  }
  get numParams() { return 0; }
  train() { return this; }
  eval() { return this; }
  dispose() {}
  // out[t] = in[t + dir * lag] on each group's features (dir -1 forward, +1 backward), zeros outside [0, T)
  _move(x, dir) {
    const [B, T, d] = this._shape, y = x.slice();
    for (const { lag, n, end } of this.groups) {
      const c0 = d - end - n;
      for (let b = 0; b < B; b++) {
        for (let i = 0; i < T; i++) {
          const t = dir < 0 ? T - 1 - i : i, src = t + dir * lag, row = (b * T + t) * d + c0;
          if (src >= 0 && src < T) y.copyWithin(row, row + dir * lag * d, row + dir * lag * d + n);
          else y.fill(0, row, row + n);
        }
      }
    }
    return y;
  }
  forward(x) {
    this._shape = x.shape;
    return { shape: x.shape, data: this._move(x.data, -1) };
  }
  backward({ dOutput: dy }) {
    return { dx: { shape: this._shape, data: this._move(dy.data, 1) } };
  }
}

/**
 * rnn.CausalConv1d (depthwise, kernel k) started as the token shift: the last `shift` of the features take
 * x_{t-1}, the rest x_t (init 'shift'), or PyTorch's random init ('random'); then it learns its taps.
 */
export function causalConv(rnn, d, k, { seed = 1, init = 'shift', shift = 0.5 } = {}) {
  const conv = new rnn.CausalConv1d({ channels: d, kernelSize: k, seed });
  if (init === 'shift') {
    const s = Math.round(shift * d), w = new Float32Array(d * k);
    for (let c = 0; c < d; c++) w[c * k + k - 1 - (c >= d - s && k > 1 ? 1 : 0)] = 1; // tap k - 1 reads x_t, k - 2 x_{t-1}
    conv.loadStateDict({ weight: { shape: [d, 1, k], data: w }, bias: { shape: [d], data: new Float32Array(d) } });
  }
  return conv;
}

/**
 * Embedding of the character plus an embedding of the (previous, current) pair: the pairs seen in the
 * training text get a row each (unseen pairs, and a chunk's first step, one shared row). The pair table
 * starts at zero, so the stack starts as with the plain Embedding. Rows cost no multiply-adds, only Adam.
 */
export class BigramEmbedding {
  constructor(rnn, V, d, trainIds, seed) {
    this.V = V;
    this.row = new Int32Array(V * V).fill(0); // pair p * V + c -> row; 0: unseen or no previous
    const ids = trainIds.data ?? trainIds; // a tensor or an Int32Array
    let rows = 1;
    for (let i = 1; i < ids.length; i++) {
      const k = ids[i - 1] * V + ids[i];
      if (!this.row[k]) this.row[k] = rows++;
    }
    this.uni = new rnn.Embedding({ numEmbeddings: V, embeddingDim: d, seed });
    this.pair = new rnn.Embedding({ numEmbeddings: rows, embeddingDim: d, seed: seed + 1 });
    this.pair.loadStateDict({ weight: { shape: [rows, d], data: new Float32Array(rows * d) } });
  }
  get numParams() { return this.uni.numParams + this.pair.numParams; }
  get _parts() { return [['uni', this.uni], ['pair', this.pair]]; }
  parameters() { return this._parts.flatMap(([k, e]) => e.parameters().map((p) => Object.assign(p, { name: `${k}.${p.name}` }))); }
  // state dicts as a container's: uni.weight, pair.weight
  _dict(what) { return Object.fromEntries(this._parts.flatMap(([k, e]) => Object.entries(e[what]()).map(([n, t]) => [`${k}.${n}`, t]))); }
  stateDict() { return this._dict('stateDict'); }
  grads() { return this._dict('grads'); }
  _sub(sd, k) { return Object.fromEntries(Object.entries(sd).filter(([n]) => n.startsWith(`${k}.`)).map(([n, t]) => [n.slice(k.length + 1), t])); }
  _checkStateDict(sd, prefix = '') { for (const [k, e] of this._parts) e._checkStateDict(this._sub(sd, k), `${prefix}${k}.`); }
  loadStateDict(sd) { this._checkStateDict(sd); for (const [k, e] of this._parts) e.loadStateDict(this._sub(sd, k)); return this; }
  zeroGrad() { this.uni.zeroGrad(); this.pair.zeroGrad(); }
  train(on = true) { this.uni.train(on); this.pair.train(on); return this; }
  eval() { return this.train(false); }
  dispose() { this.uni.dispose(); this.pair.dispose(); }
  forward(x) {
    const [B, T] = x.shape, ids = x.data, pairs = new Int32Array(ids.length);
    for (let b = 0; b < B; b++) {
      for (let t = 1; t < T; t++) pairs[b * T + t] = this.row[ids[b * T + t - 1] * this.V + ids[b * T + t]];
    }
    const u = this.uni.forward(x), p = this.pair.forward({ shape: x.shape, data: pairs });
    for (let i = 0; i < u.data.length; i++) u.data[i] += p.data[i];
    return u;
  }
  backward({ dOutput }) {
    this.uni.backward({ dOutput });
    this.pair.backward({ dOutput });
    return { dx: null };
  }
}

/** Embedding -> blocks of [x + cell(LayerNorm(x))] and [x + Linear(act(Linear(LayerNorm(x))))] -> LayerNorm -> Linear. */
export function blockStack(rnn, m, V, { trainIds, seed: seed0 = 1 } = {}) {
  const d = m.hidden;
  let seed = seed0 * 100;
  const layers = [m.bigram ? new BigramEmbedding(rnn, V, d, trainIds, seed++ * 7)
    : new rnn.Embedding({ numEmbeddings: V, embeddingDim: d, seed: seed++ })];
  for (let i = 0; i < m.layers; i++) {
    layers.push(new rnn.Residual([
      new rnn.LayerNorm({ normalizedShape: d }),
      ...(m.conv ? [causalConv(rnn, d, m.conv, { seed: seed++ * 13, init: m.convInit, shift: m.shift || 0.5 })]
        : m.shift ? [new TimeShift(Math.round(m.shift * d), m.shiftSteps ?? 1)] : []),
      new rnn[m.cell]({ inputSize: d, hiddenSize: d, batchFirst: true, seed: seed++ }),
    ]));
    if (m.mlp) {
      layers.push(new rnn.Residual([
        new rnn.LayerNorm({ normalizedShape: d }),
        new rnn.Linear({ inFeatures: d, outFeatures: m.mlp * d, seed: seed++ }),
        new rnn[m.act](),
        new rnn.Linear({ inFeatures: m.mlp * d, outFeatures: d, seed: seed++ }),
      ]));
    }
  }
  layers.push(new rnn.LayerNorm({ normalizedShape: d }), new rnn.Linear({ inFeatures: d, outFeatures: V, seed: seed++ }));
  return new rnn.Sequential(layers);
}

