// adding.mjs - the adding problem (Hochreiter & Schmidhuber 1997) with LSTM,
// GRU and a vanilla (tanh) RNN, and on request minGRU / minLSTM (issue 23).
//
// Each sequence has T steps and two input channels: a value uniform in
// [0, 1) and a marker that is 1 at exactly two steps, one in each half of the
// sequence (0 elsewhere). The target is the sum of the two marked values.
// Predicting the mean (1) scores MSE = 2/12 = 0.167; solving the task needs
// the network to carry information across up to T steps.
//
// Every training batch is freshly generated (seeded); the test set is a
// separate held-out set. Model: <cell>(2 -> hidden) -> last step ->
// Linear(hidden -> 1), MSE, Adam, gradient clipping.
//
//   node examples/adding.mjs                         # full size: T = 100, all three cells
//   node examples/adding.mjs --T 30 --steps 300 --cells lstm,rnn
//   node examples/adding.mjs --T 1000 --cells mingru,minlstm
//
// Final line: cell=all lstm_test_mse=... gru_test_mse=... rnn_test_mse=...
//             baseline_mse=... steps=... seconds=...
import { cpuSeconds, fmt, finalLine, loadRnn, parseFlags, timer } from './common.mjs';
import { addingBatch } from '../shared/adding-core.js';

const flags = parseFlags({
  T: 100, steps: 4000, hidden: 64, batch: 64, lr: 2e-3, clip: 1, cells: 'lstm,gru,rnn',
  testSize: 2000, valSize: 500, evalEvery: 250, seed: 1,
}, 'node examples/adding.mjs [flags]: the adding problem with LSTM, GRU and RNN (cells: lstm, gru, rnn, mingru, minlstm)');

const rnn = await loadRnn();
const { createRng } = rnn.data;
const CELLS = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN', mingru: 'MinGRU', minlstm: 'MinLSTM' };
const cells = flags.cells.split(',').map((c) => c.trim().toLowerCase()).filter(Boolean);
for (const c of cells) if (!CELLS[c]) throw new Error(`unknown cell ${c} (use ${Object.keys(CELLS).join(', ')})`);

function mse(model, set, chunk = 500) {
  model.eval();
  const [n, T] = set.x.shape;
  let sum = 0;
  for (let s = 0; s < n; s += chunk) {
    const m = Math.min(chunk, n - s);
    const x = { shape: [m, T, 2], data: set.x.data.subarray(s * T * 2, (s + m) * T * 2) };
    const out = model.forward(x);
    for (let b = 0; b < m; b++) sum += (out.data[b] - set.y.data[s + b]) ** 2;
  }
  model.train();
  return sum / n;
}

// Held-out sets, from their own seeds (never seen in training).
const test = addingBatch(createRng(flags.seed * 1000 + 7), flags.testSize, flags.T);
const val = addingBatch(createRng(flags.seed * 1000 + 8), flags.valSize, flags.T);
let baseline = 0; // MSE of always predicting 1, the mean of the target
for (const v of test.y.data) baseline += (v - 1) ** 2;
baseline /= flags.testSize;

console.log(`adding problem: T=${flags.T} hidden=${flags.hidden} batch=${flags.batch} steps=${flags.steps} ` +
  `Adam lr=${flags.lr} clip=${flags.clip} backend=${rnn.backend}; test baseline MSE ${fmt(baseline)}`);

const elapsed = timer();
const results = {};
for (const [ci, cell] of cells.entries()) {
  const seed = flags.seed * 100 + ci * 10;
  const model = new rnn.Sequential([
    new rnn[CELLS[cell]]({ inputSize: 2, hiddenSize: flags.hidden, batchFirst: true, seed: seed + 1 }),
    new rnn.Pool({ mode: 'last' }),
    new rnn.Linear({ inFeatures: flags.hidden, outFeatures: 1, seed: seed + 2 }),
  ]);
  const opt = new rnn.Adam(model.parameters(), { lr: flags.lr });
  const dataRng = createRng(flags.seed * 1000 + ci);
  const cellTime = timer();
  let step = 0;
  while (step < flags.steps) {
    // Fresh batches for the next evalEvery steps; one optimizer throughout.
    const n = Math.min(flags.evalEvery, flags.steps - step);
    const train = [];
    for (let i = 0; i < n; i++) train.push(addingBatch(dataRng, flags.batch, flags.T));
    let lossSum = 0;
    await rnn.fit(model, {
      train, loss: 'mse', optimizer: opt, clipGradNorm: flags.clip, shuffle: false,
      onProgress: (p) => { if (!p.epochEnd) lossSum += p.loss; },
    });
    step += n;
    console.log(`${cell} step ${step}/${flags.steps}  train_mse ${fmt(lossSum / n)}  val_mse ${fmt(mse(model, val))}  ` +
      `${fmt(cellTime(), 1)} s`);
  }
  results[cell] = mse(model, test);
  console.log(`${cell}: test MSE ${fmt(results[cell])} (${fmt(cellTime(), 1)} s)`);
  opt.dispose();
  model.dispose();
}

finalLine({
  cell: flags.cells === 'lstm,gru,rnn' ? 'all' : cells.join(','),
  ...Object.fromEntries(cells.map((c) => [`${c}_test_mse`, results[c]])),
  baseline_mse: baseline, T: flags.T, hidden: flags.hidden, steps: flags.steps, seconds: elapsed(), cpu_seconds: cpuSeconds(),
});
