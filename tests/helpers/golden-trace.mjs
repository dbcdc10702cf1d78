// golden-trace.mjs - a fixed run through every part of the public API
// (layers, streams, losses, optimizers, clipping, fit, ready-made models,
// decoding) that records a digest of every float it produces. The digests
// were recorded before the redesign of issue 17 (tests/fixtures/make_golden.mjs)
// and tests/golden.test.mjs pins them bit for bit: a refactor that changes
// any output, gradient or optimizer step by one ulp fails there.
// Uses the public API only, so it runs unchanged on every version.
import { createHash } from 'node:crypto';

/** Deterministic test inputs (not the engine's generator). */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}
const rand = (shape, rnd, scale = 1) => ({
  shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * 2 * rnd()),
});
const ids = (shape, rnd, hi, lo = 0) => ({
  shape, data: Int32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + Math.floor((rnd() + 0.5) * (hi - lo))),
});

/** sha256 of the typed array's bytes (first 16 hex digits) and the first value, for a readable diff. */
function digest(x) {
  const data = x?.data ?? x;
  if (typeof data === 'number') return { value: data };
  const a = ArrayBuffer.isView(data) ? data : Float64Array.from(data);
  const hash = createHash('sha256').update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest('hex').slice(0, 16);
  return { n: a.length, first: a.length ? a[0] : null, hash };
}

function record(out, prefix, obj) {
  if (obj == null) return;
  if (typeof obj === 'number' || ArrayBuffer.isView(obj) || (obj.data && obj.shape)) {
    out[prefix] = digest(obj);
    return;
  }
  if (Array.isArray(obj) && obj.every((v) => typeof v === 'number')) {
    out[prefix] = digest(Float64Array.from(obj));
    return;
  }
  for (const [k, v] of Object.entries(obj)) record(out, `${prefix}.${k}`, v);
}

function sd(out, prefix, module) {
  for (const [k, v] of Object.entries(module.stateDict())) out[`${prefix}.params.${k}`] = digest(v);
}
function grads(out, prefix, module) {
  for (const [k, v] of Object.entries(module.grads())) out[`${prefix}.grads.${k}`] = digest(v);
}
function optState(out, prefix, opt) {
  const st = opt.getState();
  for (const [k, v] of Object.entries(st.buffers)) out[`${prefix}.opt.${k}`] = digest(v);
  out[`${prefix}.opt.steps`] = { value: st.steps };
}

/** Every recorded digest, keyed by what it is. */
export async function goldenTrace(rnn) {
  const out = {};

  // LSTM: stacked, bidirectional, projected, dropout, packed lengths, states, taps; Adam.
  {
    const rnd = lcg(1);
    const m = new rnn.LSTM({ inputSize: 5, hiddenSize: 7, numLayers: 2, bidirectional: true, projSize: 3, dropout: 0.3, batchFirst: true, seed: 11 });
    const opt = new rnn.Adam(m.parameters(), { lr: 0.01 });
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      const x = rand([4, 6, 5], rnd);
      const h0 = rand([4, 4, 3], rnd), c0 = rand([4, 4, 7], rnd);
      const y = m.forward(x, { h0, c0, lengths: [6, 2, 5, 1], taps: step === 0 });
      record(out, `lstm.s${step}.fwd`, y);
      const g = m.backward({ dOutput: rand([4, 6, 6], rnd), dhN: rand([4, 4, 3], rnd), dcN: rand([4, 4, 7], rnd) });
      record(out, `lstm.s${step}.bwd`, g);
      grads(out, `lstm.s${step}`, m);
      opt.step();
    }
    sd(out, 'lstm', m);
    optState(out, 'lstm', opt);
    out['lstm.rng'] = digest(Float64Array.from(m.rngState));
    m.eval();
    const s = m.bidirectional ? null : m.stream();
    s?.dispose();
    opt.dispose();
    m.dispose();
  }

  // GRU unbatched, SGD with Nesterov momentum and weight decay; clipGradNorm.
  {
    const rnd = lcg(2);
    const m = new rnn.GRU({ inputSize: 4, hiddenSize: 9, seed: 3 });
    const opt = new rnn.SGD(m.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01 });
    for (let step = 0; step < 3; step++) {
      opt.zeroGrad();
      const y = m.forward(rand([8, 4], rnd), { h0: rand([1, 9], rnd) });
      record(out, `gru.s${step}.fwd`, y);
      record(out, `gru.s${step}.bwd`, m.backward({ dOutput: rand([8, 9], rnd, 3) }));
      out[`gru.s${step}.norm`] = { value: rnn.clipGradNorm(m.parameters(), 0.5) };
      grads(out, `gru.s${step}`, m);
      opt.step();
    }
    sd(out, 'gru', m);
    optState(out, 'gru', opt);
    opt.dispose();
    m.dispose();
  }

  // Elman RNNs (tanh bidirectional, relu stacked) with AdamW amsgrad.
  for (const nonlinearity of ['tanh', 'relu']) {
    const rnd = lcg(3);
    const m = new rnn.RNN({ inputSize: 6, hiddenSize: 10, numLayers: 2, bidirectional: nonlinearity === 'tanh', nonlinearity, bias: nonlinearity === 'tanh', seed: 5 });
    const D = m.numDirections;
    const opt = new rnn.AdamW(m.parameters(), { lr: 0.003, amsgrad: true, weightDecay: 0.1, betas: [0.8, 0.99] });
    for (let step = 0; step < 2; step++) {
      opt.zeroGrad();
      record(out, `rnn_${nonlinearity}.s${step}.fwd`, m.forward(rand([7, 3, 6], rnd), { lengths: [7, 4, 1] }));
      record(out, `rnn_${nonlinearity}.s${step}.bwd`, m.backward({ dOutput: rand([7, 3, 10 * D], rnd), dx: step === 0 }));
      opt.step();
    }
    sd(out, `rnn_${nonlinearity}`, m);
    optState(out, `rnn_${nonlinearity}`, opt);
    opt.dispose();
    m.dispose();
  }

  // Streams: LSTM with projection and taps, step and run; GRU stream with a set state.
  {
    const rnd = lcg(4);
    const m = new rnn.LSTM({ inputSize: 3, hiddenSize: 8, numLayers: 2, projSize: 5, seed: 9 });
    const s = m.stream({ batch: 2, taps: true });
    for (let t = 0; t < 3; t++) {
      record(out, `stream.lstm.t${t}.y`, s.step(rand([6], rnd).data).slice());
      record(out, `stream.lstm.t${t}.taps`, s.taps());
    }
    record(out, 'stream.lstm.run', s.run(rand([10 * 6], rnd).data).slice());
    record(out, 'stream.lstm.state', s.getState());
    s.dispose();
    m.dispose();
    const g = new rnn.GRU({ inputSize: 2, hiddenSize: 6, seed: 10 });
    const gs = g.stream({ batch: 3 });
    gs.setState({ h: rand([1, 3, 6], rnd) });
    record(out, 'stream.gru.run', gs.run(rand([5 * 6], rnd).data).slice());
    gs.dispose();
    g.dispose();
  }

  // Linear, Embedding, Dropout and the three losses.
  {
    const rnd = lcg(5);
    const lin = new rnn.Linear({ inFeatures: 13, outFeatures: 6, seed: 12 });
    const emb = new rnn.Embedding({ numEmbeddings: 20, embeddingDim: 13, paddingIdx: 0, seed: 13 });
    const drop = new rnn.Dropout({ p: 0.25, seed: 14 });
    const e = emb.forward(ids([3, 4], rnd, 20));
    const d = drop.forward(e);
    const y = lin.forward(d);
    record(out, 'layers.fwd', { e, d, y });
    const ce = rnn.losses.crossEntropy({ shape: [12, 6], data: y.data }, { shape: [12], data: Int32Array.from([0, 1, 2, 3, 4, 5, -100, 0, 1, 2, 3, 4]) }, { labelSmoothing: 0.1 });
    record(out, 'loss.ce', ce);
    const mse = rnn.losses.mse(y, rand([3, 4, 6], rnd), { reduction: 'none' });
    record(out, 'loss.mse', mse);
    const tgt = { shape: [3, 4, 6], data: Float32Array.from({ length: 72 }, (_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : 0.3)) };
    const bce = rnn.losses.bceWithLogits(y, tgt, { posWeight: rand([6], rnd, 2), reduction: 'sum' });
    record(out, 'loss.bce', bce);
    const gy = { shape: [3, 4, 6], data: ce.grad.data.map((v, i) => v + mse.grad.data[i] + bce.grad.data[i]) };
    const { dx } = lin.backward({ dOutput: gy });
    const dd = drop.backward({ dOutput: dx });
    emb.backward({ dOutput: dd.dx });
    record(out, 'layers.bwd', { dx, dd });
    grads(out, 'linear', lin);
    grads(out, 'embedding', emb);
    out['dropout.rng'] = digest(Float64Array.from(drop.rngState));
    lin.dispose(); emb.dispose(); drop.dispose();
  }

  // Sequential trained with fit(): Embedding, Dropout, GRU, Pool, Linear; cosine schedule, clipping, val.
  {
    const rnd = lcg(6);
    const model = new rnn.Sequential([
      new rnn.Embedding({ numEmbeddings: 12, embeddingDim: 8, paddingIdx: 0, seed: 20 }),
      new rnn.Dropout({ p: 0.1, seed: 22 }),
      new rnn.GRU({ inputSize: 8, hiddenSize: 16, batchFirst: true, bidirectional: true, seed: 21 }),
      new rnn.Pool({ mode: 'final' }),
      new rnn.Linear({ inFeatures: 32, outFeatures: 1, seed: 23 }),
    ]);
    const batch = () => {
      const x = ids([5, 9], rnd, 12, 1);
      const y = { shape: [5, 1], data: Float32Array.from({ length: 5 }, () => (rnd() > 0 ? 1 : 0)) };
      return { x, y, lengths: [9, 3, 5, 9, 1] };
    };
    const train = Array.from({ length: 6 }, batch), val = Array.from({ length: 2 }, batch);
    const history = await rnn.fit(model, {
      train, val, loss: 'bce', metrics: ['accuracy'], epochs: 3, optimizer: { type: 'adamw', lr: 0.01 },
      clipGradNorm: 1, lrSchedule: { type: 'cosine', totalSteps: 18, warmupSteps: 2 }, seed: 7,
    });
    const epochs = history.epochs ?? history;
    record(out, 'fit.history', (Array.isArray(epochs) ? epochs : []).map((e) => [e.loss, e.valLoss, e.valAccuracy]).flat());
    sd(out, 'fit', model);
    model.dispose();
  }

  // SentimentLSTM forward / backward / Adam step.
  {
    const rnd = lcg(7);
    const m = new rnn.models.SentimentLSTM({ vocabSize: 30, embedDim: 6, hiddenDim: 5, numLayers: 2, dropout: 0.2, seed: 30 });
    const opt = new rnn.Adam(m.parameters(), { lr: 0.01 });
    const x = ids([4, 7], rnd, 30, 1);
    const y = m.forward(x, [7, 2, 4, 6]);
    record(out, 'sentiment.fwd', y);
    const { grad } = rnn.losses.bceWithLogits(y, { shape: [4], data: Float32Array.from([1, 0, 1, 0]) });
    m.backward(grad);
    grads(out, 'sentiment', m);
    opt.step();
    sd(out, 'sentiment', m);
    opt.dispose();
    m.dispose();
  }

  // Seq2Seq with general attention: teacher-forced forward / backward, greedy and beam search.
  {
    const rnd = lcg(8);
    const m = new rnn.models.Seq2Seq({ srcVocab: 11, tgtVocab: 9, embedDim: 6, hiddenDim: 8, numLayers: 2, attention: 'general', dropout: 0.1, teacherForcing: 0.7, seed: 40 });
    const src = Array.from({ length: 4 }, (_, i) => Array.from({ length: 3 + i }, () => 1 + Math.floor((rnd() + 0.5) * 10)));
    const tgt = Array.from({ length: 4 }, (_, i) => Array.from({ length: 2 + (i % 3) }, () => 4 + Math.floor((rnd() + 0.5) * 5)));
    const [b] = m.makeBatches(src, tgt, { batchSize: 4, shuffle: false });
    const logits = m.forward(b.x, { lengths: b.lengths });
    record(out, 's2s.fwd', logits);
    const ce = rnn.losses.crossEntropy({ shape: [logits.data.length / 9, 9], data: logits.data }, { shape: [b.y.data.length], data: b.y.data });
    m.backward({ shape: logits.shape, data: ce.grad.data });
    grads(out, 's2s', m);
    m.eval();
    const greedy = m.greedy(src);
    record(out, 's2s.greedy', greedy.map((r) => [...r.tokens, r.logProb, r.eos ? 1 : 0]).flat());
    const beam = m.beamSearch(src, { beamWidth: 3, maxLength: 8 });
    record(out, 's2s.beam', beam.map((r) => [...r.tokens, r.logProb, r.score, r.eos ? 1 : 0]).flat());
    m.dispose();
  }
  return out;
}
