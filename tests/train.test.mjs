// Composition (Sequential, Pool) and the training loop: gradients through a
// composed model, fit's options, truncated BPTT, the non-finite guard,
// cancellation, and checkpoints that resume bit-identically.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, RnnError } from '../dist/index.js';
import { addingBatches, addingRegressor, lcg, maxAbs, randTensor } from './helpers/util.mjs';

const rnn = await init();

const regressor = (cell, seed, dropout) => addingRegressor(rnn, cell, seed, dropout);

test('Sequential: backward agrees with finite differences (Embedding -> bi-GRU -> Pool -> Linear)', () => {
  for (const mode of ['last', 'mean', 'final']) {
    const model = new rnn.Sequential([
      new rnn.Embedding({ numEmbeddings: 7, embeddingDim: 3, paddingIdx: 0, seed: 1 }),
      new rnn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, bidirectional: true, seed: 2 }),
      new rnn.Pool({ mode }),
      new rnn.Linear({ inFeatures: 8, outFeatures: 2, seed: 3 }),
    ]);
    const ids = { shape: [2, 4], data: Int32Array.from([1, 2, 3, 4, 5, 6, 0, 0]) };
    const lengths = [4, 2];
    const w = randTensor([2, 2], lcg(3));
    const loss = () => model.forward(ids, { lengths }).data.reduce((s, v, i) => s + v * w.data[i], 0);
    model.zeroGrad();
    model.forward(ids, { lengths });
    model.backward(w);
    const grads = model.grads(), sd = model.stateDict();
    for (const name of ['1.weight_ih_l0_reverse', '1.weight_hh_l0', '3.weight', '0.weight']) {
      const g = grads[name].data, scale = maxAbs(g);
      for (let i = 0; i < g.length; i += 5) {
        const orig = sd[name].data[i];
        sd[name].data[i] = orig + 1e-2; model.loadStateDict(sd); const lp = loss();
        sd[name].data[i] = orig - 1e-2; model.loadStateDict(sd); const lm = loss();
        sd[name].data[i] = orig; model.loadStateDict(sd);
        const fd = (lp - lm) / 2e-2;
        assert.ok(Math.abs(fd - g[i]) <= 3e-3 * scale + 2e-4, `${mode} ${name}[${i}]: ${g[i]} vs ${fd}`);
      }
    }
    assert.deepEqual(Object.keys(sd).slice(0, 2), ['0.weight', '1.weight_ih_l0']);
    model.dispose();
  }
});

test('Sequential nests: an inner Sequential gets the lengths and gives the same outputs and gradients as the flat one', () => {
  const make = () => [
    new rnn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 5 }),
    new rnn.Linear({ inFeatures: 4, outFeatures: 4, seed: 6 }),
    new rnn.LSTM({ inputSize: 4, hiddenSize: 2, batchFirst: true, seed: 7 }),
    new rnn.Pool({ mode: 'last' }),
  ];
  const [a, b, c, d] = make();
  const flat = new rnn.Sequential([a, b, c, d]);
  const [e, f, g, h] = make();
  const nested = new rnn.Sequential([new rnn.Sequential([e, f]), new rnn.Sequential([g]), h]);
  const rnd = lcg(4);
  const x = randTensor([3, 5, 3], rnd), lengths = [5, 2, 4];
  const dy = randTensor([3, 2], rnd);
  const yFlat = flat.forward(x, { lengths }), yNested = nested.forward(x, { lengths });
  assert.deepEqual(yNested, yFlat);
  const dxFlat = flat.backward(dy), dxNested = nested.backward({ dOutput: dy });
  assert.deepEqual(dxNested.dx, dxFlat.dx);
  assert.deepEqual(dxFlat.dx.shape, [3, 5, 3]);
  assert.ok(maxAbs(dxFlat.dx.data) > 0);
  assert.deepEqual(Object.keys(nested.grads()).slice(0, 2), ['0.0.weight_ih_l0', '0.0.weight_hh_l0']); // dotted names nest too
  assert.deepEqual(Object.values(nested.grads()), Object.values(flat.grads()));
  flat.dispose(); nested.dispose();
});

test('fit: an LSTM learns a short adding problem; progress, validation, history', async () => {
  const train = addingBatches(60, 16, 10, 1), val = addingBatches(4, 64, 10, 2);
  const model = regressor('LSTM');
  const progress = [];
  const h = await rnn.fit(model, {
    train, val, epochs: 10, loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 }, clipGradNorm: 1,
    onProgress: (p) => progress.push(p), seed: 3,
  });
  assert.equal(h.stopped, 'completed');
  assert.equal(h.steps, 600);
  assert.equal(h.epochs.length, 10);
  const steps = progress.filter((p) => !p.epochEnd);
  assert.equal(steps.length, 600);
  for (const k of ['step', 'epoch', 'loss', 'examplesPerSec', 'etaSeconds', 'lr', 'gradNorm']) assert.ok(k in steps[0], k);
  assert.equal(steps.at(-1).etaSeconds, 0);
  assert.ok(h.epochs.at(-1).valLoss < 0.5 * h.epochs[0].valLoss, JSON.stringify(h.epochs));
  model.dispose();
});

test('fit: learning-rate schedules, accuracy metric and early stopping', async () => {
  const train = addingBatches(10, 8, 6, 4).map((b) => ({ ...b, y: { shape: b.y.shape, data: b.y.data.map((v) => (v > 1 ? 1 : 0)) } }));
  const model = regressor('GRU');
  const lrs = [];
  const h = await rnn.fit(model, {
    train, val: train.slice(0, 3), epochs: 50, loss: 'bce', metrics: ['accuracy'],
    optimizer: 'sgd', lr: 0, lrSchedule: (step) => 0, earlyStopping: { patience: 2 },
    onProgress: (p) => { if (!p.epochEnd) lrs.push(p.lr); },
  });
  assert.equal(h.stopped, 'earlyStopping'); // lr 0: validation loss never improves after epoch 0
  assert.equal(h.epochs.length, 3);
  assert.ok(lrs.every((v) => v === 0));
  assert.ok(h.epochs[0].valAccuracy >= 0 && h.epochs[0].valAccuracy <= 1);
  const steps = [];
  await rnn.fit(model, { train, epochs: 2, loss: 'bce', lr: 0.1, optimizer: 'sgd', lrSchedule: { type: 'step', stepSize: 5, gamma: 0.5 }, onProgress: (p) => { if (!p.epochEnd) steps.push(p.lr); } });
  assert.deepEqual(steps.slice(0, 11).map((v) => +v.toFixed(6)), [0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025]);
  await assert.rejects(rnn.fit(model, { train, loss: 'hinge' }), /unknown loss/);
  await assert.rejects(rnn.fit(model, { train, optimizer: 'rmsprop' }), /unknown optimizer/);
  await assert.rejects(rnn.fit(model, { train, epoch: 3 }), /unknown option 'epoch'/);
  model.dispose();
});

test('fit: a NaN loss stops training with NON_FINITE and keeps the last good weights', async () => {
  const train = addingBatches(6, 4, 5, 5);
  train[3].y.data[0] = NaN;
  const model = regressor('RNN');
  let good = null;
  await assert.rejects(rnn.fit(model, {
    train, shuffle: false, loss: 'mse', lr: 1e-2,
    onProgress: (p) => { if (p.step === 3) good = model.stateDict(); },
  }), (e) => e instanceof RnnError && e.code === 'NON_FINITE' && /step 3/.test(e.message));
  assert.deepEqual(model.stateDict(), good);
  model.dispose();
});

test('fit: cancel and pause through a control object', async () => {
  const train = addingBatches(50, 4, 5, 6);
  const model = regressor('GRU');
  const control = { paused: false, cancelled: false };
  const h = await rnn.fit(model, {
    train, loss: 'mse', control, yieldEveryMs: 0,
    onProgress: (p) => {
      if (p.step === 5) { control.paused = true; setTimeout(() => { control.paused = false; }, 50); }
      if (p.step === 10) control.cancelled = true;
    },
  });
  assert.equal(h.stopped, 'cancelled');
  assert.equal(h.steps, 10);
  model.dispose();
});

test('checkpoints: resuming continues bit-identically (weights, Adam moments, dropout masks, data order)', async () => {
  const train = addingBatches(12, 4, 6, 7);
  const opts = { train, epochs: 3, loss: 'mse', optimizer: { type: 'adam', lr: 5e-3 }, clipGradNorm: 0.5, seed: 11 };
  const full = regressor('LSTM', 1, 0.3);
  const fullLosses = [];
  await rnn.fit(full, { ...opts, onProgress: (p) => { if (!p.epochEnd) fullLosses.push(p.loss); } });

  const first = regressor('LSTM', 1, 0.3);
  let saved = null;
  const losses = [];
  await rnn.fit(first, {
    ...opts, maxSteps: 17, checkpointEvery: 17, onCheckpoint: (bytes) => { saved = bytes; },
    onProgress: (p) => { if (!p.epochEnd) losses.push(p.loss); },
  });
  assert.ok(saved instanceof Uint8Array);
  const resumed = regressor('LSTM', 99, 0.3); // different init: everything comes from the checkpoint
  await rnn.fit(resumed, { ...opts, resume: saved, onProgress: (p) => { if (!p.epochEnd) losses.push(p.loss); } });
  assert.deepEqual(losses, fullLosses);
  assert.deepEqual(resumed.stateDict(), full.stateDict());
  for (const m of [full, first, resumed]) m.dispose();
});

test('checkpoints: a checkpoint the optimizer rejects leaves the model with its own weights', async () => {
  const train = addingBatches(12, 4, 6, 7);
  const src = regressor('LSTM', 1, 0);
  let saved = null;
  await rnn.fit(src, { train, epochs: 1, loss: 'mse', optimizer: { type: 'adam', lr: 5e-3 }, seed: 3, checkpointEvery: 5, maxSteps: 5, onCheckpoint: (b) => { saved = b; } });
  const target = regressor('LSTM', 42, 0);
  const before = target.stateDict();
  assert.notDeepEqual(before, src.stateDict());
  // An Adam checkpoint resumed with SGD: the optimizer state does not fit.
  await assert.rejects(rnn.fit(target, { train, epochs: 1, loss: 'mse', optimizer: { type: 'sgd', lr: 0.1 }, resume: saved }),
    (e) => e instanceof rnn.RnnError && /setState/.test(e.message));
  assert.deepEqual(target.stateDict(), before);
  // A checkpoint with broken metadata is a typed error too.
  const file = rnn.safetensors.parse(saved);
  const meta = { ...file.__metadata__, rng: '{not json' };
  delete file.__metadata__;
  await assert.rejects(rnn.fit(target, { train, epochs: 1, loss: 'mse', resume: rnn.safetensors.serialize(file, meta) }),
    (e) => e instanceof rnn.RnnError && e.code === 'INVALID_ARGUMENT' && /metadata/.test(e.message));
  assert.deepEqual(target.stateDict(), before);
  for (const m of [src, target]) m.dispose();
});

test('determinism: the same seed gives bit-identical losses and weights', async () => {
  const run = async () => {
    const model = regressor('GRU', 5, 0.2);
    const losses = [];
    await rnn.fit(model, { train: addingBatches(8, 4, 6, 8), epochs: 2, loss: 'mse', seed: 2, onProgress: (p) => losses.push(p.loss) });
    const sd = model.stateDict();
    model.dispose();
    return { losses, sd };
  };
  const a = await run(), b = await run();
  assert.deepEqual(a, b);
});

test('truncated BPTT: state carried across chunks without gradient; a character LM learns', async () => {
  const text = 'the quick brown fox jumps over the lazy dog. '.repeat(40);
  const chars = [...new Set(text)].sort();
  const ids = Int32Array.from(text, (c) => chars.indexOf(c) + 1);
  const V = chars.length + 1;
  const batches = rnn.tbpttBatches(ids, { batchSize: 4, k: 16 });
  assert.deepEqual(batches[0].x.shape, [4, 16]);
  assert.equal(batches[0].y.data[0], batches[0].x.data[1]); // next-character targets
  const model = new rnn.Sequential([
    new rnn.Embedding({ numEmbeddings: V, embeddingDim: 8, seed: 1 }),
    new rnn.LSTM({ inputSize: 8, hiddenSize: 32, batchFirst: true, seed: 2 }),
    new rnn.Linear({ inFeatures: 32, outFeatures: V, seed: 3 }),
  ]);
  const h = await rnn.fit(model, { train: batches, epochs: 8, loss: 'crossEntropy', tbptt: true, lr: 1e-2, clipGradNorm: 5 });
  assert.ok(h.epochs.at(-1).loss < 0.5 * h.epochs[0].loss, JSON.stringify(h.epochs.map((e) => e.loss)));
  // The state really is carried: a chunk's loss depends on the chunk before.
  model.eval();
  const fresh = model.forward(batches[1].x).data.slice();
  model.forward(batches[0].x);
  const carried = model.forward(batches[1].x, { state: model.state }).data;
  assert.notDeepEqual(carried, fresh);
  model.dispose();
});
