// Training off the main thread (js/trainer.js + js/trainer-worker.js) in Node's
// worker_threads, and the model specs (js/spec.js) that rebuild a model
// there: progress events, bit-identical results across threads, pause /
// resume / cancel, NON_FINITE, options that cannot cross threads, and a main
// thread that stays responsive while the worker trains.
import { test } from 'node:test';
import { loadavg } from 'node:os';
import assert from 'node:assert/strict';
import { init, RnnError, modelSpec, buildModel, createTrainer, Trainer } from '../dist/index.js';
import { addingBatches, addingRegressor, lcg } from './helpers/util.mjs';

const rnn = await init();

const regressor = (cell, seed, dropout) => addingRegressor(rnn, cell, seed, dropout);

const OPTS = { epochs: 3, loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 }, clipGradNorm: 1, seed: 3 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves when a progress record satisfies pred.
function progressWhere(trainer, pred) {
  return new Promise((resolve) => {
    const fn = (p) => { if (pred(p)) { trainer.off('progress', fn); resolve(p); } };
    trainer.on('progress', fn);
  });
}

test('modelSpec / buildModel: JSON round trip, same state_dict keys and initial weights for every layer kind', () => {
  const models = [
    new rnn.RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', numLayers: 2, bias: false, seed: 5 }),
    new rnn.LSTM({ inputSize: 3, hiddenSize: 5, projSize: 2, bidirectional: true, numLayers: 2, dropout: 0.25, seed: 6 }),
    new rnn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 7 }),
    new rnn.GRU({ inputSize: 3, hiddenSize: 4, resetAfter: false, gateActivation: 'hardSigmoid', seed: 7 }),
    new rnn.LSTM({ inputSize: 3, hiddenSize: 4, gateActivation: 'hardSigmoidKeras3', seed: 7 }),
    new rnn.Linear({ inFeatures: 4, outFeatures: 3, bias: false, seed: 8 }),
    new rnn.Embedding({ numEmbeddings: 9, embeddingDim: 3, paddingIdx: -1, seed: 9 }),
    new rnn.Embedding({ numEmbeddings: 9, embeddingDim: 3, seed: 10 }),
    new rnn.Dropout({ p: 0.3, seed: 11 }),
    new rnn.Pool({ mode: 'mean' }),
    new rnn.Sequential([
      new rnn.Embedding({ numEmbeddings: 7, embeddingDim: 3, paddingIdx: 0, seed: 1 }),
      new rnn.Dropout({ p: 0.1, seed: 2 }),
      new rnn.GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, bidirectional: true, seed: 3 }),
      new rnn.Pool({ mode: 'final' }),
      new rnn.Sequential([new rnn.Linear({ inFeatures: 8, outFeatures: 4, seed: 4 }), new rnn.Linear({ inFeatures: 4, outFeatures: 2, seed: 5 })]),
    ]),
    new rnn.models.SentimentLSTM({ vocabSize: 20, embedDim: 4, hiddenDim: 5, numLayers: 2, dropout: 0.2, seed: 12 }),
  ];
  for (const m of models) {
    const spec = modelSpec(m);
    const json = JSON.parse(JSON.stringify(spec));
    assert.deepEqual(json, spec, 'the spec is plain JSON');
    const copy = buildModel(rnn, json);
    assert.equal(copy.constructor.name, m.constructor.name);
    assert.deepEqual(modelSpec(copy), spec, `${spec.type}: spec of the rebuilt model`);
    if (m.stateDict) {
      assert.deepEqual(Object.keys(copy.stateDict()), Object.keys(m.stateDict()), `${spec.type}: keys`);
      assert.deepEqual(copy.stateDict(), m.stateDict(), `${spec.type}: the same seeds give the same initial weights`);
    }
    if ('rngState' in m) assert.deepEqual(copy.rngState, m.rngState);
    const bound = rnn.buildModel(json); // the API's own, bound to this engine
    assert.deepEqual(modelSpec(bound), spec);
    for (const x of [copy, bound, m]) x.dispose();
  }
  assert.deepEqual(modelSpec(new rnn.RNN({ inputSize: 1, hiddenSize: 2, seed: 0 })).nonlinearity, 'tanh');
  const gru = modelSpec(new rnn.GRU({ inputSize: 1, hiddenSize: 2, seed: 0 }));
  assert.deepEqual([gru.gateActivation, gru.resetAfter], ['sigmoid', true], 'GRU defaults are in the spec');
  assert.equal(modelSpec(new rnn.LSTM({ inputSize: 1, hiddenSize: 2, seed: 0 })).gateActivation, 'sigmoid');
  assert.throws(() => buildModel(rnn, { type: 'LSTM', inputSize: 1, hiddenSize: 2, resetAfter: false }), /unknown option 'resetAfter'/);
  const emb = new rnn.Embedding({ numEmbeddings: 9, embeddingDim: 3, paddingIdx: -1, seed: 9 });
  assert.equal(modelSpec(emb).paddingIdx, 8, 'paddingIdx as PyTorch stores it');
  emb.dispose();
  assert.throws(() => modelSpec({ forward() {}, backward() {} }), (e) => e instanceof RnnError && e.code === 'UNSUPPORTED' && /model \(Object\)/.test(e.message));
  const custom = { forward: (x) => x, backward: (g) => ({ dx: g.dOutput }), train() {}, dispose() {} };
  const seq = new rnn.Sequential([new rnn.Linear({ inFeatures: 2, outFeatures: 2, seed: 1 }), custom]);
  assert.throws(() => modelSpec(seq), /model\.layers\[1\].*not a module modelSpec can describe/);
  seq.dispose();
  assert.throws(() => buildModel(rnn, { type: 'Transformer' }), (e) => e.code === 'INVALID_ARGUMENT' && /"Transformer" is unknown/.test(e.message));
  assert.throws(() => buildModel(rnn, { type: 'Sequential', layers: [{ type: 'Linear', inFeatures: 2, outFeatures: 2 }, { type: 'LSTM', inputSize: 2, hiddenSize: 3, batchFirst: true, bogus: 1 }] }), /unknown option 'bogus'/);
  assert.throws(() => buildModel(null, { type: 'Linear' }), /rnn must be the API object/);
});

test('Trainer (worker thread): progress events, and the weights equal bit for bit what rnn.fit gives on the main thread', async () => {
  const train = addingBatches(60, 16, 10, 1), val = addingBatches(2, 32, 10, 2);
  const model = regressor('LSTM');
  const before = model.stateDict();
  const progress = [], epochs = [];
  const trainer = rnn.createTrainer({ model, train, val, ...OPTS, onProgress: (p) => progress.push(p) });
  assert.ok(trainer instanceof rnn.Trainer);
  trainer.on('epoch', (e) => epochs.push(e));
  const result = await trainer.done;
  assert.equal(trainer.status, 'done');
  assert.equal(await trainer.result(), result);
  const { history, stateDict } = result;
  assert.equal(history.stopped, 'completed');
  assert.equal(history.steps, 180);
  const steps = progress.filter((p) => !p.epochEnd);
  assert.equal(steps.length, 180, 'one progress record per step');
  assert.deepEqual(steps.map((p) => p.step), Array.from({ length: 180 }, (_, i) => i + 1));
  for (const k of ['step', 'epoch', 'batch', 'loss', 'lr', 'gradNorm', 'examplesPerSec', 'etaSeconds', 'totalSteps']) assert.ok(k in steps[0], k);
  assert.equal(epochs.length, 3);
  assert.deepEqual(progress.filter((p) => p.epochEnd), epochs);
  assert.ok(epochs.every((e) => Number.isFinite(e.valLoss)));
  for (const t of Object.values(stateDict)) assert.ok(t.data instanceof Float32Array);
  assert.deepEqual(model.stateDict(), before, 'without applyTo the model is not changed');
  assert.deepEqual(train[0].x.data, addingBatches(1, 16, 10, 1)[0].x.data, 'the data was copied, not transferred');

  const twin = regressor('LSTM');
  const losses = [];
  const mainHistory = await rnn.fit(twin, { train, val, ...OPTS, onProgress: (p) => { if (!p.epochEnd) losses.push(p.loss); } });
  assert.deepEqual(steps.map((p) => p.loss), losses, 'the same loss at every step');
  assert.deepEqual(history, mainHistory);
  assert.deepEqual(stateDict, twin.stateDict(), 'bit-identical weights across threads');
  model.loadStateDict(stateDict);
  assert.deepEqual(model.stateDict(), twin.stateDict());
  model.dispose();
  twin.dispose();
});

test('Trainer: applyTo loads the weights and dropout generator states; a used model continues exactly as on the main thread', async () => {
  const train = addingBatches(10, 8, 6, 4);
  const model = regressor('LSTM', 5, 0.3);
  // Advance the model's dropout generator first: the worker must start from this state, not the seed's.
  model.forward(train[0].x);
  const twin = buildModel(rnn, modelSpec(model));
  twin.loadStateDict(model.stateDict());
  twin.layers[0].rngState = model.layers[0].rngState;
  const trainer = createTrainer({ model, train, ...OPTS, epochs: 2, applyTo: model });
  assert.ok(trainer instanceof Trainer, 'the top-level createTrainer');
  const { stateDict, rngStates } = await trainer.done;
  await rnn.fit(twin, { train, ...OPTS, epochs: 2 });
  assert.deepEqual(model.stateDict(), twin.stateDict(), 'applied: the same weights as training on the main thread');
  assert.deepEqual(stateDict, twin.stateDict());
  assert.deepEqual(model.layers[0].rngState, twin.layers[0].rngState, 'and the same generator state');
  assert.deepEqual(rngStates['0'], twin.layers[0].rngState);
  model.dispose();
  twin.dispose();
});

test('Trainer: pause stops the steps (none during a 200 ms pause), resume continues, cancel stops early with the weights so far', async () => {
  const train = addingBatches(60, 16, 10, 1);
  const model = regressor('LSTM');
  let count = 0;
  const trainer = rnn.createTrainer({ model, train, ...OPTS, epochs: 100, onProgress: (p) => { if (!p.epochEnd) count++; } });
  const pausedEvents = [];
  trainer.on('paused', (e) => pausedEvents.push(e));
  await progressWhere(trainer, (p) => p.step >= 20);
  const { step } = await trainer.pause();
  assert.equal(trainer.status, 'paused');
  assert.equal(step, count, 'the worker had sent every step it made before it acknowledged the pause');
  const atPause = count;
  await sleep(200);
  assert.equal(count, atPause, 'no step arrives while paused');
  assert.deepEqual(pausedEvents, [{ step }]);
  await trainer.resume();
  assert.equal(trainer.status, 'running');
  await progressWhere(trainer, (p) => p.step >= atPause + 20);
  assert.ok(count >= atPause + 20, 'training continues after resume');
  const { history, stateDict } = await trainer.cancel();
  assert.equal(trainer.status, 'done');
  assert.equal(history.stopped, 'cancelled');
  assert.ok(history.steps < 6000 && history.steps >= atPause + 20, `${history.steps} steps`);
  assert.equal(history.steps, count);
  assert.equal(trainer.lastProgress.step, history.steps);
  // The weights so far are those of exactly history.steps steps.
  const twin = regressor('LSTM');
  await rnn.fit(twin, { train, ...OPTS, epochs: 100, maxSteps: history.steps });
  assert.deepEqual(stateDict, twin.stateDict());
  assert.deepEqual(await trainer.pause(), { step: history.steps }, 'pause after done is a no-op');
  model.dispose();
  twin.dispose();
});

test('Trainer: a NaN in the data rejects done with NON_FINITE; the error carries the last good weights', async () => {
  const train = addingBatches(6, 4, 5, 5);
  train[3].y.data[0] = NaN;
  const model = regressor('RNN');
  const trainer = rnn.createTrainer({ model, train, shuffle: false, loss: 'mse', lr: 1e-2 });
  let error = null;
  await assert.rejects(trainer.done, (e) => { error = e; return true; });
  assert.ok(error instanceof RnnError, `${error}`);
  assert.equal(error.code, 'NON_FINITE');
  assert.match(error.message, /loss is NaN at step 3/);
  assert.match(error.stack, /thrown in the training worker/);
  assert.equal(trainer.status, 'failed');
  const twin = regressor('RNN');
  await assert.rejects(rnn.fit(twin, { train, shuffle: false, loss: 'mse', lr: 1e-2 }), /step 3/);
  assert.deepEqual(error.stateDict, twin.stateDict(), 'the weights of the last good step');
  // An option fit itself refuses also comes back as the RnnError fit throws.
  const bad = rnn.createTrainer({ model, train, optimizer: 'rmsprop' });
  await assert.rejects(bad.done, (e) => e instanceof RnnError && e.code === 'INVALID_ARGUMENT' && /unknown optimizer/.test(e.message));
  model.dispose();
  twin.dispose();
});

test('Trainer: options that cannot cross threads throw a clear RnnError at once', async () => {
  const train = addingBatches(2, 2, 4, 1);
  const model = regressor('GRU');
  const throwsWith = (opts, re) => assert.throws(() => rnn.createTrainer({ model, train, ...opts }),
    (e) => e instanceof RnnError && e.code === 'INVALID_ARGUMENT' && re.test(e.message));
  throwsWith({ loss: (out, y) => rnn.losses.mse(out, y) }, /loss must be 'mse', 'bce', 'crossEntropy' or 'ctc': a loss function cannot be sent to a worker/);
  throwsWith({ lrSchedule: (step) => 1e-3 / (step + 1) }, /lrSchedule must be an object .* cannot be sent to a worker/);
  const opt = new rnn.Adam(model.parameters());
  throwsWith({ optimizer: opt }, /optimizer must be a name .* or a config/);
  opt.dispose();
  throwsWith({ control: { paused: false } }, /use trainer\.pause\(\), resume\(\) and cancel\(\)/);
  throwsWith({ epoch: 3 }, /unknown option 'epoch'/);
  throwsWith({ train: [{ ...train[0], transform: () => 0 }] }, /train\[0\]\.transform is a function/);
  throwsWith({ onProgress: 'log' }, /onProgress must be a function/);
  assert.throws(() => rnn.createTrainer({ train }), /'model' is required/);
  const ok = rnn.createTrainer({ model, train, loss: 'mse' });
  assert.throws(() => ok.on('finish', () => {}), /unknown event "finish"/);
  assert.equal((await ok.done).history.steps, 2);
  model.dispose();
});

test('Trainer: checkpoints arrive as bytes, and a new trainer resumes from one bit-identically', async () => {
  const train = addingBatches(12, 4, 6, 7);
  const opts = { train, epochs: 3, loss: 'mse', optimizer: { type: 'adam', lr: 5e-3 }, seed: 11 };
  const full = regressor('LSTM', 1, 0.3);
  const a = rnn.createTrainer({ model: full, ...opts, checkpointEvery: 10 });
  const checkpoints = [];
  a.on('checkpoint', (bytes, info) => checkpoints.push({ bytes, info }));
  const fullResult = await a.done;
  assert.deepEqual(checkpoints.map((c) => c.info.step), [10, 20, 30]);
  assert.ok(checkpoints.every((c) => c.bytes instanceof Uint8Array && c.bytes.length > 0));
  const other = regressor('LSTM', 99, 0.3); // different init: everything comes from the checkpoint
  const b = rnn.createTrainer({ model: other, ...opts, resume: checkpoints[1].bytes });
  const resumed = await b.done;
  assert.deepEqual(resumed.stateDict, fullResult.stateDict);
  full.dispose();
  other.dispose();
});

test('Trainer: transferData hands the batches over without a copy; terminate rejects done', async () => {
  const train = addingBatches(20, 4, 5, 2);
  const model = regressor('GRU');
  const t = rnn.createTrainer({ model, train, epochs: 500, loss: 'mse', transferData: true });
  await progressWhere(t, (p) => p.step >= 5);
  assert.equal(train[0].x.data.length, 0, 'transferred: the caller\'s arrays are detached');
  await t.terminate();
  await assert.rejects(t.done, (e) => e instanceof RnnError && e.code === 'STATE' && /terminated/.test(e.message));
  assert.equal(t.status, 'terminated');
  // An AbortSignal cancels.
  const ac = new AbortController();
  const c = rnn.createTrainer({ model, train: addingBatches(20, 4, 5, 2), epochs: 500, loss: 'mse', signal: ac.signal });
  await progressWhere(c, (p) => p.step >= 5);
  ac.abort();
  assert.equal((await c.done).history.stopped, 'cancelled');
  // A listener that throws stops training and rejects done with its error (as onProgress in fit).
  const l = rnn.createTrainer({ model, train: addingBatches(20, 4, 5, 2), epochs: 50, loss: 'mse', onProgress: (p) => { if (p.step === 3) throw new Error('listener bug'); } });
  await assert.rejects(l.done, /listener bug/);
  model.dispose();
});

// Trains in a worker for 1 s (from its first step: the worker's start-up is
// not training), then cancels; meanwhile a 10 ms interval ticks here.
async function measureResponsiveness(train) {
  const model = regressor('LSTM');
  let training = false, last = 0, maxGap = 0, ticks = 0, startedAt = 0;
  const timer = setInterval(() => {
    if (!training) return;
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 10);
  const trainer = rnn.createTrainer({ model, train, ...OPTS, epochs: 1000 });
  trainer.on('progress', () => {
    if (training) return;
    training = true;
    startedAt = last = performance.now();
    setTimeout(() => trainer.cancel(), 1000);
  });
  try {
    const { history } = await trainer.done;
    assert.equal(history.stopped, 'cancelled');
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    return { steps: history.steps, seconds: (now - startedAt) / 1000, maxGap, ticks };
  } finally {
    clearInterval(timer);
    model.dispose();
  }
}

test('Trainer: the main event loop stays responsive while the worker trains (~1 s)', async (t) => {
  const train = addingBatches(60, 16, 10, 1);
  // A timing: on a loaded machine another process can take this thread's
  // CPU for a while, so up to 5 runs are tried.
  const gaps = [];
  for (let attempt = 1; attempt <= 5; attempt++) {
    const { steps, seconds, maxGap, ticks } = await measureResponsiveness(train);
    t.diagnostic(`run ${attempt}: the worker trained ${steps} steps in ${seconds.toFixed(2)} s; ${ticks} ticks of a 10 ms interval on the main thread, longest gap ${maxGap.toFixed(1)} ms; load average ${loadavg()[0].toFixed(1)}`);
    assert.ok(seconds >= 0.9 && steps > 100, `training ran ${seconds} s, ${steps} steps`);
    assert.ok(ticks >= seconds * 1000 / 10 / 3, `only ${ticks} ticks in ${seconds} s`);
    gaps.push(maxGap);
    if (maxGap < 100) break;
  }
  assert.ok(Math.min(...gaps) < 100, `the main thread stalled while the worker trained: longest gaps ${gaps.map((g) => `${g.toFixed(1)} ms`).join(', ')} (load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}: a busy machine can cause this)`);
});

test('Trainer with init: { threads: 2 }: the worker trains on 2 threads and gives bit for bit the weights of rnn.fit on 1', { timeout: 120_000 }, async () => {
  const big = (seed) => new rnn.Sequential([
    new rnn.LSTM({ inputSize: 2, hiddenSize: 128, batchFirst: true, seed }),
    new rnn.Pool({ mode: 'last' }),
    new rnn.Linear({ inFeatures: 128, outFeatures: 1, seed: seed + 1 }),
  ]);
  const train = addingBatches(6, 32, 20, 4);
  const opts = { epochs: 1, loss: 'mse', optimizer: { type: 'adam', lr: 1e-3 }, seed: 3 };
  const model = big(1);
  const trainer = rnn.createTrainer({ model, train, ...opts, init: { threads: 2 } });
  const result = await trainer.done;
  assert.equal(result.threads, 2, 'the worker should train on 2 threads');
  const twin = big(1);
  await rnn.fit(twin, { train, ...opts });
  assert.deepEqual(result.stateDict, twin.stateDict(), 'bit-identical weights on 2 threads');
  assert.notDeepEqual(result.stateDict, model.stateDict(), 'training changed the weights');
  model.dispose();
  twin.dispose();
});
