// Training with the CTC loss: fit({ loss: 'ctc' }) learns a toy alignment
// task (labels shown for a few noisy frames each, silences between, the
// targets without timing) until greedy decoding reads held-out sequences;
// the Trainer worker gives fit's weights bit for bit and resumes from a
// checkpoint; a NaN in the data stops training with NON_FINITE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, RnnError } from '../dist/index.js';
import { lcg } from './helpers/util.mjs';

const rnn = await init();
const C = 5; // blank + labels 1..4; inputs are one-hot over the 5 classes (class 0 = silence)

// n batches of B sequences, T frames, batch first x [B, T, C] (Sequential's layout).
function batches(n, B, T, seed) {
  const rand = lcg(seed);
  const u = () => rand() + 0.5;
  return Array.from({ length: n }, () => {
    const x = new Float32Array(T * B * C);
    const targets = [], inputLengths = [];
    for (let b = 0; b < B; b++) {
      const labels = [];
      let t = Math.floor(u() * 3);
      while (t < T - 4) {
        const k = 1 + Math.floor(u() * 4);
        const dur = 1 + Math.floor(u() * 3);
        for (let d = 0; d < dur && t < T; d++, t++) x[(b * T + t) * C + k] = 1;
        labels.push(k);
        t += 1 + Math.floor(u() * 2); // a silence: repeats stay apart
      }
      for (let i = 0; i < T * C; i++) {
        const tt = Math.floor(i / C), c = i % C;
        x[(b * T + tt) * C + c] += 0.3 * (u() - 0.5);
      }
      targets.push(labels);
      inputLengths.push(T);
    }
    return {
      x: { shape: [B, T, C], data: x },
      y: { targets, inputLengths, targetLengths: targets.map((l) => l.length) },
    };
  });
}

const model = (seed = 1) => new rnn.Sequential([
  new rnn.LSTM({ inputSize: C, hiddenSize: 24, seed, batchFirst: true }),
  new rnn.Linear({ inFeatures: 24, outFeatures: C, seed: seed + 1 }),
]);

const OPTS = { loss: 'ctc', optimizer: { type: 'adam', lr: 2e-2 }, clipGradNorm: 5, seed: 4 };

// Sequences of the held-out batches decoded exactly by greedy decoding.
function exactShare(m, data) {
  let right = 0, all = 0;
  m.eval();
  for (const { x, y } of data) {
    const out = m.forward(x).output ?? m.forward(x);
    const [B, T] = x.shape;
    for (let b = 0; b < B; b++) {
      const lp = { shape: [T, C], data: out.data.subarray(b * T * C, (b + 1) * T * C) };
      right += Array.from(rnn.ctc.greedy(lp).labels).join() === y.targets[b].join() ? 1 : 0;
      all++;
    }
  }
  m.train();
  return right / all;
}

test("fit({ loss: 'ctc' }) learns to read unaligned label sequences", async () => {
  const train = batches(24, 16, 24, 1), val = batches(4, 16, 24, 2);
  const m = model();
  const before = exactShare(m, val);
  const history = await rnn.fit(m, { train, val, epochs: 12, ...OPTS });
  const first = history.epochs[0].loss, last = history.epochs.at(-1).loss;
  assert.ok(last < 0.2 * first, `the CTC loss fell from ${first} to ${last}`);
  const after = exactShare(m, val);
  assert.ok(after >= 0.9, `held-out sequences read exactly: ${before} before, ${after} after training`);
  m.dispose();
});

test("Trainer with loss 'ctc': fit's weights bit for bit, and a checkpoint resumes bit-identically", async () => {
  const train = batches(6, 8, 20, 3);
  const opts = { train, epochs: 2, ...OPTS };
  const a = model(5);
  const result = await rnn.createTrainer({ model: a, ...opts, checkpointEvery: 6 }).done;
  const b = model(5);
  await rnn.fit(b, opts);
  assert.deepEqual(result.stateDict, b.stateDict());

  const c = model(5);
  const t = rnn.createTrainer({ model: c, ...opts, checkpointEvery: 6 });
  const checkpoints = [];
  t.on('checkpoint', (bytes) => checkpoints.push(bytes));
  await t.done;
  const d = model(5);
  const resumed = await rnn.createTrainer({ model: d, ...opts, resume: checkpoints[0] }).done;
  assert.deepEqual(resumed.stateDict, result.stateDict);
  for (const m of [a, b, c, d]) m.dispose();
});

test("fit({ loss: 'ctc' }): a NaN input stops with NON_FINITE; a y that is not CTC targets is a clear error", async () => {
  const train = batches(2, 4, 12, 6);
  train[1].x.data[7] = NaN;
  const m = model(7);
  await assert.rejects(rnn.fit(m, { train, epochs: 1, ...OPTS }), (e) => e instanceof RnnError && e.code === 'NON_FINITE');
  const bad = batches(1, 4, 12, 8).map(({ x }) => ({ x, y: { shape: [4], data: new Float32Array(4) } }));
  await assert.rejects(rnn.fit(m, { train: bad, epochs: 1, ...OPTS }), /with loss 'ctc' each batch's y must be \{ targets, inputLengths, targetLengths \}/);
  m.dispose();
});
