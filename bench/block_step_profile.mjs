// node bench/block_step_profile.mjs [flags]: where one training step of the
// block stack goes (issue 23): each layer's forward and backward, the loss,
// clipping and Adam, in CPU ms per step (the minimum over --reps steps); and
// beside it, interleaved step by step, the LSTM 1x256 of examples/charlm.mjs.
//   nice -n 10 node bench/block_step_profile.mjs --blocks 4 --d-model 128
import { cpuSeconds, fmt, loadRnn, parseFlags } from '../examples/common.mjs';

const flags = parseFlags({ blocks: 4, dModel: 128, batch: 32, k: 100, reps: 8, cell: 'MinGRU', V: 67 },
  'node bench/block_step_profile.mjs [flags]: per-layer CPU time of a block-stack training step');
const rnn = await loadRnn();
const { batch: B, k: T, dModel: d, V } = flags;
const layers = [new rnn.Embedding({ numEmbeddings: V, embeddingDim: d, seed: 1 })];
for (let i = 0; i < flags.blocks; i++) {
  layers.push(new rnn.Residual([new rnn.LayerNorm({ normalizedShape: d }),
    new rnn[flags.cell]({ inputSize: d, hiddenSize: d, batchFirst: true, seed: 2 + i })]));
}
layers.push(new rnn.LayerNorm({ normalizedShape: d }), new rnn.Linear({ inFeatures: d, outFeatures: V, seed: 99 }));
const model = new rnn.Sequential(layers);
const params = model.parameters();
const opt = new rnn.Adam(params, { lr: 1e-3 });
const ids = new Int32Array(B * T).map((_, i) => (i * 7919) % V);
const x = { shape: [B, T], data: ids }, y = ids.map((v, i) => ids[(i + 1) % ids.length]);

// charlm's LSTM 1x256, stepped in turn with the stack (one clock, one load)
const lstm = new rnn.Sequential([new rnn.Embedding({ numEmbeddings: V, embeddingDim: 64, seed: 11 }),
  new rnn.LSTM({ inputSize: 64, hiddenSize: 256, batchFirst: true, seed: 12 }), new rnn.Linear({ inFeatures: 256, outFeatures: V, seed: 13 })]);
const lstmParams = lstm.parameters(), lstmOpt = new rnn.Adam(lstmParams, { lr: 1e-3 });
function lstmStep() {
  lstmOpt.zeroGrad();
  const out = lstm.forward(x, { state: null });
  const { grad } = rnn.losses.crossEntropy({ shape: [B * T, V], data: out.data }, y);
  lstm.backward({ shape: out.shape, data: grad.data });
  rnn.clipGradNorm(lstmParams, 5);
  lstmOpt.step();
}

const best = new Map();
const time = (name, f) => {
  const t0 = cpuSeconds(); const r = f(); const dt = (cpuSeconds() - t0) * 1e3;
  best.set(name, Math.min(best.get(name) ?? Infinity, dt));
  return r;
};
for (let rep = 0; rep < flags.reps; rep++) {
  const s0 = cpuSeconds();
  opt.zeroGrad();
  let h = x;
  const states = [];
  model.layers.forEach((l, i) => { h = time(`${i} ${l._what ?? l.constructor.name} fwd`, () => (l instanceof rnn.Sequential ? l.forward(h, { state: null }) : l.forward(h))); });
  const { grad } = time('loss', () => rnn.losses.crossEntropy({ shape: [B * T, V], data: h.data }, y));
  let dy = { shape: h.shape, data: grad.data };
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const l = model.layers[i];
    const r = time(`${i} ${l._what ?? l.constructor.name} bwd`, () => l.backward({ dOutput: dy }));
    dy = r?.dx;
  }
  time('clip', () => rnn.clipGradNorm(params, 5));
  time('adam', () => opt.step());
  const tot = (cpuSeconds() - s0) * 1e3;
  best.set('STEP', Math.min(best.get('STEP') ?? Infinity, tot));
  time('LSTM', lstmStep);
}
const step = best.get('STEP'), lstmMs = best.get('LSTM');
best.delete('LSTM');
let sum = 0;
for (const [k, v] of best) if (k !== 'STEP') sum += v;
console.log(`LSTM 1x256 (charlm): step ${fmt(lstmMs, 1)} ms; the stack's step is ${fmt(step / lstmMs, 3)} of it`);
console.log(`${flags.cell} ${flags.blocks} blocks d${d}, B ${B} x T ${T}: step ${fmt(step, 1)} ms (sum of parts ${fmt(sum, 1)})`);
for (const [k, v] of best) if (k !== 'STEP') console.log(`${k.padEnd(24)} ${fmt(v, 2).padStart(8)} ms  ${fmt(100 * v / step, 1)}%`);
