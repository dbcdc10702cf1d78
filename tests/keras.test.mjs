// TF.js LayersModel import and export (js/keras.js), with TensorFlow.js 4.22
// as the oracle: models built in TF.js with seeded random weights for every
// supported layer and option are saved with tf.io.withSaveHandler, loaded
// here and compared (<= 2e-5 abs); exported models are loaded by
// tf.loadLayersModel and compared the other way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { assertClose, lcg } from './helpers/util.mjs';
import { artifactsToFiles, randomizeWeights, saveArtifacts, tf, tfPredict } from './helpers/tfjs.mjs';

const rnn = await init();
const ATOL = 2e-5;
const L = tf.layers;

// Random floats [B, T, F] and ids [B, T] with zero padding (post, pre and holes).
function floats(shape, seed) {
  const r = lcg(seed);
  return { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * r() - 1) };
}
function ids(B, T, V, seed, pads = true) {
  const r = lcg(seed);
  const data = new Int32Array(B * T);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) data[b * T + t] = 1 + Math.floor(((r() + 1) / 2) * (V - 1)) % (V - 1);
  if (pads && B >= 4) {
    data.fill(0, 0 * T + T - 2, 1 * T);        // row 0: post-padding
    data.fill(0, 1 * T, 1 * T + 3);            // row 1: pre-padding
    data[2 * T + 2] = 0; data[2 * T + 4] = 0;  // row 2: holes
    data.fill(0, 3 * T, 4 * T);                // row 3: all padding
  }
  return { shape: [B, T], data };
}

// Builds the TF.js model, randomizes, saves; loads it here both from the
// artifacts and from model.json + shards; compares predictions.
async function roundTrip(build, x, { isIds = false, seed = 1, shard = 64, exportBack = true } = {}) {
  const tm = build();
  randomizeWeights(tm, seed);
  const want = tfPredict(tm, x, isIds);
  const art = await saveArtifacts(tm);
  const m1 = await rnn.loadLayersModel(art);
  const got1 = m1.forward(x);
  assertClose(got1.data, want, { atol: ATOL, what: 'from artifacts' });
  const { modelJson, files } = artifactsToFiles(art, shard);
  const m2 = await rnn.loadLayersModel({ modelJson: JSON.stringify(modelJson), weights: files });
  assertClose(m2.forward(x).data, want, { atol: ATOL, what: 'from model.json + shards' });
  m2.dispose();
  if (exportBack) { // and back: rnn-wasm -> model.json -> tf.loadLayersModel
    const { modelJson: mj, weightData } = m1.toLayersModel();
    const back = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: mj.weightsManifest[0].weights, weightData: weightData.slice().buffer }));
    assertClose(tfPredict(back, x, isIds), want, { atol: ATOL, what: 'exported, in TF.js' });
    back.dispose();
  }
  tm.dispose();
  return m1;
}

const SIG = { recurrentActivation: 'sigmoid' };

test('SimpleRNN (tanh, relu), return_sequences both ways, Dense activations, TimeDistributed', async () => {
  const x = floats([3, 6, 4], 1);
  (await roundTrip(() => tf.sequential({ layers: [
    L.simpleRNN({ units: 5, inputShape: [6, 4] }), L.dense({ units: 3, activation: 'sigmoid' })] }), x)).dispose();
  (await roundTrip(() => tf.sequential({ layers: [
    L.simpleRNN({ units: 5, activation: 'relu', returnSequences: true, inputShape: [null, 4] }),
    L.timeDistributed({ layer: L.dense({ units: 3, activation: 'softmax' }) })] }), x)).dispose();
  for (const activation of ['relu', 'tanh', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'hardSigmoid', 'relu6', 'linear']) {
    (await roundTrip(() => tf.sequential({ layers: [
      L.simpleRNN({ units: 4, useBias: false, inputShape: [6, 4] }), L.dense({ units: 3, activation })] }), x, { exportBack: activation === 'elu' })).dispose();
  }
});

test('LSTM stacks, Dropout, Activation, use_bias false, go_backwards', async () => {
  const x = floats([4, 7, 3], 2);
  (await roundTrip(() => tf.sequential({ layers: [
    L.lstm({ units: 6, returnSequences: true, inputShape: [null, 3], ...SIG }), L.dropout({ rate: 0.3 }),
    L.lstm({ units: 5, ...SIG }), L.dense({ units: 2 }), L.activation({ activation: 'tanh' })] }), x)).dispose();
  (await roundTrip(() => tf.sequential({ layers: [
    L.lstm({ units: 4, useBias: false, goBackwards: true, returnSequences: true, inputShape: [7, 3], ...SIG }),
    L.spatialDropout1d({ rate: 0.2 }), L.lstm({ units: 3, goBackwards: true, ...SIG })] }), x)).dispose();
});

test('Embedding mask_zero: masked steps (post, pre, holes, all) behave as in TF.js', async () => {
  const x = ids(5, 8, 12, 3);
  (await roundTrip(() => tf.sequential({ layers: [
    L.embedding({ inputDim: 12, outputDim: 4, maskZero: true, inputLength: 8 }),
    L.lstm({ units: 5, returnSequences: true, ...SIG }), L.simpleRNN({ units: 3, returnSequences: true }),
    L.dense({ units: 2 })] }), x, { isIds: true })).dispose();
  (await roundTrip(() => tf.sequential({ layers: [
    L.embedding({ inputDim: 12, outputDim: 4, maskZero: true }),
    L.lstm({ units: 5, goBackwards: true, returnSequences: true, ...SIG }), L.lstm({ units: 3, ...SIG }),
    L.dense({ units: 1, activation: 'sigmoid' })] }), x, { isIds: true })).dispose();
});

test('Masking layer', async () => {
  const x = floats([4, 6, 3], 4);
  for (const [b, t] of [[0, 4], [0, 5], [1, 0], [2, 2], [3, 0], [3, 1], [3, 2], [3, 3], [3, 4], [3, 5]]) x.data.fill(0.25, (b * 6 + t) * 3, (b * 6 + t + 1) * 3);
  (await roundTrip(() => tf.sequential({ layers: [
    L.masking({ maskValue: 0.25, inputShape: [6, 3] }), L.simpleRNN({ units: 4, returnSequences: true }),
    L.lstm({ units: 3, ...SIG })] }), x)).dispose();
});

test('Bidirectional: concat, sum, ave, mul; sequences and last; with and without a mask', async () => {
  const x = ids(5, 7, 9, 5);
  for (const mergeMode of ['concat', 'sum', 'ave', 'mul']) {
    for (const returnSequences of [true, false]) {
      (await roundTrip(() => tf.sequential({ layers: [
        L.embedding({ inputDim: 9, outputDim: 3, maskZero: returnSequences, inputLength: 7 }),
        L.bidirectional({ layer: L.lstm({ units: 4, returnSequences, ...SIG }), mergeMode }),
        L.dense({ units: 2 })] }), x, { isIds: true, exportBack: mergeMode !== 'ave' || returnSequences })).dispose();
    }
  }
  const xf = floats([3, 5, 2], 6);
  (await roundTrip(() => tf.sequential({ layers: [
    L.bidirectional({ layer: L.simpleRNN({ units: 3, returnSequences: true }), inputShape: [5, 2] }),
    L.bidirectional({ layer: L.lstm({ units: 2, ...SIG }), mergeMode: 'mul' })] }), xf)).dispose();
});

test('Flatten, GlobalAveragePooling1D, GlobalMaxPooling1D after a recurrent layer', async () => {
  const x = floats([3, 5, 2], 7);
  for (const pool of [() => L.flatten(), () => L.globalAveragePooling1d(), () => L.globalMaxPooling1d()]) {
    (await roundTrip(() => tf.sequential({ layers: [
      L.lstm({ units: 4, returnSequences: true, inputShape: [5, 2], ...SIG }), pool(), L.dense({ units: 2, activation: 'relu' })] }), x)).dispose();
  }
});

test('functional models whose layers form a chain', async () => {
  const x = floats([2, 4, 3], 8);
  (await roundTrip(() => {
    const input = tf.input({ shape: [4, 3] });
    const h = L.lstm({ units: 5, returnSequences: true, ...SIG }).apply(input);
    const y = L.dense({ units: 2 }).apply(L.simpleRNN({ units: 3 }).apply(h));
    return tf.model({ inputs: input, outputs: y });
  }, x)).dispose();
});

test('a loaded model trains: gradients flow through every layer and the loss falls', async () => {
  const tm = tf.sequential({ layers: [
    L.embedding({ inputDim: 10, outputDim: 4, maskZero: true }),
    L.bidirectional({ layer: L.lstm({ units: 5, returnSequences: true, ...SIG }), mergeMode: 'sum' }),
    L.globalAveragePooling1d(), L.dense({ units: 1, activation: 'sigmoid' })] });
  randomizeWeights(tm, 9);
  const m = await rnn.loadLayersModel(await saveArtifacts(tm));
  const x = ids(8, 6, 10, 10, false);
  const y = { shape: [8, 1], data: Float32Array.from({ length: 8 }, (_, i) => i % 2) };
  m.logits = true;
  const before = m.predict(x);
  const hist = await rnn.fit(m, { train: [{ x, y }], loss: 'bce', epochs: 30, lr: 0.05 });
  assert.ok(hist.epochs.at(-1).loss < hist.epochs[0].loss * 0.5, `loss ${hist.epochs[0].loss} -> ${hist.epochs.at(-1).loss}`);
  assert.notDeepEqual(m.predict(x).data, before.data);
  for (const [k, g] of Object.entries(m.grads())) assert.ok(g.data.some((v) => v !== 0), `${k} got a gradient`);
  m.dispose();
  tm.dispose();
});
