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

test('backward matches finite differences through masks, go_backwards, Bidirectional merges and pooling', async () => {
  for (const mergeMode of ['sum', 'mul', 'ave', 'concat']) {
    const tm = tf.sequential({ layers: [
      L.masking({ maskValue: 0, inputShape: [5, 2] }),
      L.bidirectional({ layer: L.simpleRNN({ units: 3, returnSequences: true }), mergeMode }),
      L.lstm({ units: 3, returnSequences: true, goBackwards: true, ...SIG }),
      L.globalAveragePooling1d(), L.dense({ units: 2, activation: 'tanh' })] });
    randomizeWeights(tm, 11);
    const m = await rnn.loadLayersModel(await saveArtifacts(tm));
    const x = floats([3, 5, 2], 12);
    x.data.fill(0, 3 * 2, 5 * 2); // row 0: two masked steps at the end
    x.data.fill(0, 10, 12);       // row 1: the first step masked
    const w = floats([3, 2], 13);
    const loss = () => m.forward(x).data.reduce((a, v, i) => a + v * w.data[i], 0);
    m.zeroGrad();
    m.forward(x);
    m.backward({ shape: [3, 2], data: w.data });
    const grads = m.grads();
    const sd = m.stateDict();
    for (const [k, g] of Object.entries(grads)) {
      for (const i of [0, Math.floor(g.data.length / 2), g.data.length - 1]) {
        const eps = 1e-2, base = sd[k].data[i];
        const at = (v) => { const d = sd[k].data.slice(); d[i] = v; m.loadStateDict({ ...sd, [k]: { shape: sd[k].shape, data: d } }); return loss(); };
        const num = (at(base + eps) - at(base - eps)) / (2 * eps);
        m.loadStateDict(sd);
        assert.ok(Math.abs(num - g.data[i]) <= 2e-3 + 2e-2 * Math.abs(num), `${mergeMode} ${k}[${i}]: analytic ${g.data[i]} numeric ${num}`);
      }
    }
    m.dispose();
    tm.dispose();
  }
});

test('export: native rnn-wasm models load in TF.js and predict the same; a PyTorch-form GRU is refused, saying why', async () => {
  const emb = new rnn.Embedding({ numEmbeddings: 9, embeddingDim: 3, paddingIdx: 0, seed: 1 });
  const lstm = new rnn.LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, seed: 2 });
  const fc = new rnn.Linear({ inFeatures: 8, outFeatures: 2, seed: 3 });
  const model = new rnn.Sequential([emb, lstm, new rnn.Pool({ mode: 'final' }), fc]).eval();
  const x = ids(4, 6, 9, 14, false);
  const lengths = [6, 4, 5, 2];
  for (let b = 0; b < 4; b++) x.data.fill(0, b * 6 + lengths[b], (b + 1) * 6);
  const want = model.forward(x, { lengths });
  const { modelJson, weightData } = await rnn.toLayersModel(model);
  const tm = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: weightData.slice().buffer }));
  assertClose(tfPredict(tm, x, true), want.data, { atol: ATOL, what: 'TF.js on the exported model' });
  tm.dispose();
  const rnnOnly = new rnn.RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu', batchFirst: true, seed: 4 });
  const xr = floats([2, 4, 2], 15);
  const { modelJson: mj, weightData: wd } = await rnn.toLayersModel(rnnOnly);
  const tr = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: mj.modelTopology, weightSpecs: mj.weightsManifest[0].weights, weightData: wd.slice().buffer }));
  assertClose(tfPredict(tr, xr), rnnOnly.forward(xr).output.data, { atol: ATOL, what: 'SimpleRNN relu' });
  tr.dispose();
  // TF.js's GRU form: exported as GRU(reset_after false, recurrent_activation hard_sigmoid)
  const tfGru = new rnn.GRU({ inputSize: 2, hiddenSize: 3, batchFirst: true, resetAfter: false, gateActivation: 'hardSigmoid', seed: 6 });
  const { modelJson: gj, weightData: gw } = await rnn.toLayersModel(tfGru);
  const tg = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: gj.modelTopology, weightSpecs: gj.weightsManifest[0].weights, weightData: gw.slice().buffer }));
  assertClose(tfPredict(tg, xr), tfGru.forward(xr).output.data, { atol: ATOL, what: 'GRU reset_after false, hard_sigmoid' });
  tg.dispose();
  tfGru.dispose();
  const gru = new rnn.GRU({ inputSize: 2, hiddenSize: 3, batchFirst: true, seed: 5 });
  await assert.rejects(rnn.toLayersModel(gru), (e) => e.code === 'UNSUPPORTED' && /reset_after=True/.test(e.message) && /safetensors/.test(e.message));
  for (const m of [model, rnnOnly, gru]) m.dispose();
});

test('export: a CausalConv1d (alone, first, after an LSTM) is refused with UNSUPPORTED naming it and saying why', async () => {
  const conv = () => new rnn.CausalConv1d({ channels: 3, kernelSize: 4, seed: 1 });
  const models = [conv(),
    new rnn.Sequential([conv(), new rnn.LSTM({ inputSize: 3, hiddenSize: 2, batchFirst: true, seed: 2 })]),
    new rnn.Sequential([new rnn.LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, seed: 3 }), conv(), new rnn.Linear({ inFeatures: 3, outFeatures: 1, seed: 4 })])];
  for (const [m, at] of models.map((m, i) => [m, ['CausalConv1d', 'layers\\[0\\] \\(CausalConv1d\\)', 'layers\\[1\\] \\(CausalConv1d\\)'][i]])) {
    await assert.rejects(rnn.toLayersModel(m), (e) => e.code === 'UNSUPPORTED' && new RegExp(`toLayersModel: ${at}: TF.js 4.22 has no depthwise`).test(e.message) && /toOnnx/.test(e.message), at);
    m.dispose();
  }
  // the claim: TF.js's Conv1D config has no groups (and tf.layers no depthwiseConv1d)
  assert.equal(typeof tf.layers.depthwiseConv1d, 'undefined');
  const c = tf.layers.conv1d({ filters: 3, kernelSize: 4, padding: 'causal' });
  assert.equal('groups' in c.getConfig(), false);
});

// A small saved model to break in the bad-file tests.
async function sample() {
  const tm = tf.sequential({ layers: [
    L.lstm({ units: 3, returnSequences: true, inputShape: [4, 2], ...SIG }), L.simpleRNN({ units: 2 }), L.dense({ units: 1 })] });
  randomizeWeights(tm, 20);
  const art = await saveArtifacts(tm);
  tm.dispose();
  return artifactsToFiles(art, 40);
}
const clone = (o) => JSON.parse(JSON.stringify(o));
const rejectsWith = (p, code, pattern) => assert.rejects(p, (e) => {
  assert.equal(e.name, 'RnnError', e.stack);
  assert.equal(e.code, code, e.message);
  assert.match(e.message, pattern);
  return true;
});

test('bad files: missing or short shards, disagreeing shapes, unknown dtypes, stray weights, graph models', async () => {
  const { modelJson, files } = await sample();
  const load = (mj, w = files) => rnn.loadLayersModel({ modelJson: mj, weights: w });
  const [first, ...rest] = Object.keys(files);
  await rejectsWith(load(modelJson, Object.fromEntries(rest.map((k) => [k, files[k]]))), 'FORMAT', new RegExp(`'${first}' is missing`));
  const last = rest.at(-1);
  await rejectsWith(load(modelJson, { ...files, [last]: files[last].subarray(0, files[last].length - 4) }), 'FORMAT', /short shard/);
  const units = clone(modelJson);
  units.modelTopology.config.layers[1].config.units = 3;
  await rejectsWith(load(units), 'FORMAT', /simple_rnn.*kernel' has shape \[3,2\] but the topology needs \[3,3\]/);
  const dtype = clone(modelJson);
  dtype.weightsManifest[0].weights[0].dtype = 'float64';
  await rejectsWith(load(dtype), 'FORMAT', /dtype "float64"/);
  const stray = clone(modelJson);
  stray.weightsManifest[0].weights.push({ name: 'extra/kernel', shape: [1], dtype: 'float32' });
  await rejectsWith(load(stray, { ...files, [last]: new Uint8Array([...files[last], 0, 0, 0, 0]) }), 'FORMAT', /'extra\/kernel' belongs to no layer/);
  await rejectsWith(load({ ...modelJson, format: 'graph-model' }), 'UNSUPPORTED', /graph model/);
  await rejectsWith(load('{ not json'), 'FORMAT', /not JSON/);
  const conv = clone(modelJson);
  conv.modelTopology.config.layers.splice(2, 0, { class_name: 'Conv1D', config: { name: 'conv', filters: 2 } });
  await rejectsWith(load(conv), 'UNSUPPORTED', /layer 'conv' \(Conv1D\).*not supported/);
  const rate = clone(modelJson);
  rate.modelTopology.config.layers[0].config.recurrent_activation = 'softsign';
  await rejectsWith(load(rate), 'UNSUPPORTED', /lstm.*recurrent_activation "softsign"/);
  const ln = clone(modelJson);
  ln.modelTopology.config.layers[0].config.activation = 'relu';
  await rejectsWith(load(ln), 'UNSUPPORTED', /lstm.*activation "relu"/);
});

test('NaN weights load, and are reported in model.warnings', async () => {
  const { modelJson, files } = await sample();
  const [first] = Object.keys(files);
  const bytes = files[first].slice();
  new DataView(bytes.buffer).setFloat32(4, NaN, true);
  const m = await rnn.loadLayersModel({ modelJson, weights: { ...files, [first]: bytes } });
  assert.equal(m.warnings.length, 1);
  assert.match(m.warnings[0], /lstm.*kernel' holds 1 non-finite value/);
  m.dispose();
});

test('a layer graph that is not a chain is refused, and nothing stays allocated after a failed load', async () => {
  const input = tf.input({ shape: [4, 2] });
  const a = L.lstm({ units: 3, ...SIG }).apply(input);
  const b = L.simpleRNN({ units: 3 }).apply(input);
  const tm = tf.model({ inputs: input, outputs: L.add().apply([a, b]) });
  await rejectsWith(rnn.loadLayersModel(await saveArtifacts(tm)), 'UNSUPPORTED', /'add\w*' \(Add\) takes 2 inputs.*chain/);
  tm.dispose();
  // a chain in the file's order whose links branch: the second layer also reads the input
  const inp = tf.input({ shape: [4, 2] });
  const chain = tf.model({ inputs: inp, outputs: L.dense({ units: 1 }).apply(L.simpleRNN({ units: 2 }).apply(inp)) });
  const art = await saveArtifacts(chain);
  const layers = art.modelTopology.config.layers;
  layers[2].inbound_nodes = [[[layers[0].name, 0, 0, {}]]];
  await rejectsWith(rnn.loadLayersModel(art), 'UNSUPPORTED', /feeds 2 layers.*chain/);
  chain.dispose();
  // modules are made layer by layer; the Dense layer's bad shape fails each load after the
  // LSTM (H 256: ~1.3 MB of weights, more packed) was made: leaked, 40 loads would grow the memory by > 100 MB
  const big = tf.sequential({ layers: [L.lstm({ units: 256, inputShape: [4, 64], recurrentInitializer: 'zeros', kernelInitializer: 'zeros', ...SIG }), L.dense({ units: 2 })] });
  const { modelJson, files } = artifactsToFiles(await saveArtifacts(big));
  big.dispose();
  modelJson.modelTopology.config.layers[1].config.units = 3;
  await rejectsWith(rnn.loadLayersModel({ modelJson, weights: files }), 'FORMAT', /dense.*topology needs/);
  const before = rnn.memoryBytes();
  for (let k = 0; k < 40; k++) await rejectsWith(rnn.loadLayersModel({ modelJson, weights: files }), 'FORMAT', /dense/);
  assert.ok(rnn.memoryBytes() - before < 16 * 2 ** 20, `memory grew by ${rnn.memoryBytes() - before} bytes over 40 failed loads`);
});

test('sources: a URL (fetch), Files, and one weights buffer', async () => {
  const { modelJson, files } = await sample();
  const x = floats([2, 4, 2], 21);
  const ref = await rnn.loadLayersModel({ modelJson, weights: files });
  const want = ref.forward(x).data;
  const served = { 'http://host/m/model.json': new TextEncoder().encode(JSON.stringify(modelJson)) };
  for (const [k, v] of Object.entries(files)) served[`http://host/m/${k}`] = v;
  const fetch = async (u) => (served[u] ? { ok: true, arrayBuffer: async () => served[u].slice().buffer } : { ok: false, status: 404 });
  const byUrl = await rnn.loadLayersModel('http://host/m/model.json', { fetch });
  assert.deepEqual(byUrl.forward(x).data, want);
  await rejectsWith(rnn.loadLayersModel('http://host/other/model.json', { fetch }), 'FORMAT', /HTTP 404/);
  const asFiles = [new File([served['http://host/m/model.json']], 'model.json'), ...Object.entries(files).map(([k, v]) => new File([v], k))];
  const byFiles = await rnn.loadLayersModel(asFiles);
  assert.deepEqual(byFiles.forward(x).data, want);
  const all = new Uint8Array(Object.values(files).reduce((a, v) => a + v.length, 0));
  let at = 0;
  for (const v of Object.values(files)) { all.set(v, at); at += v.length; }
  const byBuffer = await rnn.loadLayersModel({ modelJson, weights: all.buffer });
  assert.deepEqual(byBuffer.forward(x).data, want);
  for (const m of [ref, byUrl, byFiles, byBuffer]) m.dispose();
});

test('Keras GRUs with reset_after=True (converter format): the same outputs as PyTorch through the weight mapping', async () => {
  const { readFileSync } = await import('node:fs');
  const dir = new URL('./fixtures/keras_gru/', import.meta.url);
  const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8'));
  for (const name of ['stacked', 'bidirectional_masked']) {
    const m = await rnn.loadLayersModel({
      modelJson: readFileSync(new URL(`${name}.json`, dir)), weights: { [`${name}.bin`]: readFileSync(new URL(`${name}.bin`, dir)) },
    });
    const { x, y } = expected[name];
    assertClose(m.forward({ shape: x.shape, data: Float32Array.from(x.data) }).data, y.data, { atol: ATOL, what: name });
    // TF.js cannot run it, so it cannot be exported to TF.js: the error says why and what to do
    assert.throws(() => m.toLayersModel(), (e) => e.code === 'UNSUPPORTED' && /reset_after=True/.test(e.message) && /safetensors/.test(e.message));
    m.dispose();
  }
});

test('gateTaps: the gates of a loaded model\'s cells', async () => {
  const tm = tf.sequential({ layers: [L.lstm({ units: 3, returnSequences: true, inputShape: [5, 2], ...SIG }), L.simpleRNN({ units: 2 })] });
  randomizeWeights(tm, 30);
  const m = await rnn.loadLayersModel(await saveArtifacts(tm));
  const x = floats([2, 5, 2], 31);
  const taps = m.gateTaps(x);
  assert.deepEqual(taps.map((t) => [t.name, t.cell]), [[tm.layers[0].name, 'LSTM'], [tm.layers[1].name, 'RNN_TANH']]);
  assert.deepEqual(Object.keys(taps[0].taps[0]).sort(), ['c', 'f', 'g', 'h', 'i', 'o']);
  assert.deepEqual(taps[0].taps[0].i.shape, [2, 5, 3]);
  assertClose(taps[1].taps[0].h.data.filter((_, k) => k % 10 >= 8), tfPredict(tm, x), { atol: ATOL, what: 'the last h' });
  assert.ok(taps[0].taps[0].f.data.every((v) => v > 0 && v < 1));
  m.dispose();
  tm.dispose();
});

test('a sentiment model trained in TF.js: the same accuracy here, and fine-tuning here lowers its loss', async () => {
  const { readFileSync } = await import('node:fs');
  const dir = new URL('./fixtures/tfjs_sentiment/', import.meta.url);
  const expected = JSON.parse(readFileSync(new URL('expected.json', dir), 'utf8'));
  const asFile = (name) => new File([readFileSync(new URL(name, dir))], name);
  const m = await rnn.loadLayersModel([asFile('model.json'), asFile('model.weights.bin')]);
  const { ids, labels, probs, accuracy } = expected.test;
  const n = labels.length, T = expected.T;
  const p = m.forward({ shape: [n, T], data: Int32Array.from(ids) }).data;
  assertClose(p, probs, { atol: ATOL, what: 'probabilities on the test sentences' });
  const acc = labels.reduce((a, y, k) => a + ((p[k] > 0.5) === (y > 0.5) ? 1 : 0), 0) / n;
  assert.equal(acc, accuracy);
  assert.ok(acc > 0.6, `TF.js's model reached ${acc}`);
  // fine-tune on 256 training sentences (BCE on logits, as Keras's binary cross-entropy)
  const t = expected.tune, B = 32;
  const batches = [];
  for (let s = 0; s < t.labels.length; s += B) {
    batches.push({ x: { shape: [B, T], data: Int32Array.from(t.ids.slice(s * T, (s + B) * T)) }, y: { shape: [B, 1], data: Float32Array.from(t.labels.slice(s, s + B)) } });
  }
  m.logits = true;
  const lossOf = () => { m.eval(); let l = 0; for (const b of batches) l += rnn.losses.bceWithLogits(m.forward(b.x), b.y).loss; return l / batches.length; };
  const before = lossOf();
  await rnn.fit(m, { train: batches, loss: 'bce', epochs: 3, lr: 3e-3, seed: 1 });
  const after = lossOf();
  assert.ok(after < before, `fine-tuning: loss ${before} -> ${after}`);
  m.dispose();
});

test('TF.js\'s own cell forms: hard_sigmoid gates (its LSTM / GRU default) and GRU reset_after=false, against TF.js', async () => {
  const x = floats([4, 6, 3], 40);
  (await roundTrip(() => tf.sequential({ layers: [
    L.lstm({ units: 5, returnSequences: true, inputShape: [6, 3] }), // recurrentActivation: TF.js's default hard_sigmoid
    L.gru({ units: 4, returnSequences: true }),                       // TF.js's GRU: reset_after false, hard_sigmoid
    L.gru({ units: 3, recurrentActivation: 'sigmoid', useBias: false })] }), x, { seed: 41 })).dispose();
  const xi = ids(5, 7, 9, 42);
  (await roundTrip(() => tf.sequential({ layers: [
    L.embedding({ inputDim: 9, outputDim: 3, maskZero: true }),
    L.bidirectional({ layer: L.gru({ units: 4, returnSequences: true }), mergeMode: 'ave' }),
    L.bidirectional({ layer: L.lstm({ units: 3 }) }), L.dense({ units: 2, activation: 'softmax' })] }), xi, { isIds: true, seed: 43 })).dispose();
  // the saturated region of the hard sigmoid (weights large enough to clip the gates)
  (await roundTrip(() => tf.sequential({ layers: [L.gru({ units: 3, inputShape: [6, 3] })] }), x, { seed: 44 })).dispose();
});

test('gradients of the TF.js cell forms match finite differences', async () => {
  const tm = tf.sequential({ layers: [L.gru({ units: 3, returnSequences: true, inputShape: [5, 2] }), L.lstm({ units: 2 })] });
  randomizeWeights(tm, 45, 0.3);
  const m = await rnn.loadLayersModel(await saveArtifacts(tm));
  const x = floats([2, 5, 2], 46);
  const w = floats([2, 2], 47);
  const loss = () => m.forward(x).data.reduce((a, v, i) => a + v * w.data[i], 0);
  m.zeroGrad();
  m.forward(x);
  m.backward({ shape: [2, 2], data: w.data });
  const grads = m.grads(), sd = m.stateDict();
  for (const [k, g] of Object.entries(grads)) {
    for (const i of [1, Math.floor(g.data.length / 3), g.data.length - 2]) {
      const eps = 1e-3;
      const at = (v) => { const d = sd[k].data.slice(); d[i] = v; m.loadStateDict({ ...sd, [k]: { shape: sd[k].shape, data: d } }); return loss(); };
      const num = (at(sd[k].data[i] + eps) - at(sd[k].data[i] - eps)) / (2 * eps);
      m.loadStateDict(sd);
      assert.ok(Math.abs(num - g.data[i]) <= 3e-3 + 3e-2 * Math.abs(num), `${k}[${i}]: analytic ${g.data[i]} numeric ${num}`);
    }
  }
  m.dispose();
  tm.dispose();
});

test('Keras 3 files: hard_sigmoid means relu6(x + 3) / 6 (the engine\'s hardSigmoidKeras3), and is refused on export', async () => {
  const tm = tf.sequential({ layers: [L.lstm({ units: 3, recurrentActivation: 'hardSigmoid', inputShape: [4, 2] })] });
  randomizeWeights(tm, 48);
  const art = await saveArtifacts(tm);
  art.modelTopology.keras_version = '3.6.0';
  const m = await rnn.loadLayersModel(art);
  const native = new rnn.LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: true, gateActivation: 'hardSigmoidKeras3' });
  native.loadStateDict(Object.fromEntries(Object.entries(m.stateDict()).map(([k, v]) => [k.slice(k.indexOf('.') + 1), v])));
  const x = floats([2, 4, 2], 49);
  const r = native.forward(x);
  const last = new Float32Array(6);
  for (let b = 0; b < 2; b++) last.set(r.output.data.subarray((b * 4 + 3) * 3, (b * 4 + 4) * 3), b * 3);
  assert.deepEqual(m.forward(x).data, last);
  assert.throws(() => m.toLayersModel(), (e) => e.code === 'UNSUPPORTED' && /Keras 3's hard sigmoid/.test(e.message));
  m.dispose(); native.dispose(); tm.dispose();
});
