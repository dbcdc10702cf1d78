// rnn.toOnnx: every kind of model buildModel makes, exported and checked by
// the tools of the ONNX world, not by this project's own reader:
//  - onnx.checker.check_model(full_check=True) (Debian's python3-onnx,
//    installed by scripts/setup.sh --test; fails, never skips, without it);
//  - onnxruntime-node and onnxruntime-web (wasm, in Node) run each model with
//    three (batch, time) shapes, with zero and with given initial states
//    (a CausalConv1d's context too), whole sequences and packed ones
//    (lengths): every output (final states and contexts too) within 1e-5 of
//    rnn-wasm's;
//  - the gate order (ONNX LSTM i, o, f, c and GRU z, r, h from PyTorch's
//    i, f, g, o and r, z, n) read back from the initializers;
//  - models ONNX cannot take: typed errors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { init } from '../dist/index.js';
import { decode } from '../js/onnx/protobuf.js';
import { ONNX } from '../js/onnx/schema.js';
import { assertClose, lcg, throwsCode } from './helpers/util.mjs';

const rnn = await init();
const tmp = mkdtempSync(join(tmpdir(), 'rnn-wasm-onnx-export-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

ortWeb.env.wasm.numThreads = 1;
ortWeb.env.wasm.proxy = false;
ortWeb.env.logLevel = 'error';
const RUNTIMES = [
  { name: 'onnxruntime-node', ort: ortNode, options: { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 } },
  { name: 'onnxruntime-web (wasm)', ort: ortWeb, options: { executionProviders: ['wasm'] } },
];
const TOL = 1e-5;

const r = { inputSize: 3, hiddenSize: 5, seed: 7 };
const CASES = {
  'RNN tanh': { type: 'RNN', ...r },
  'RNN relu, 2 layers, bidirectional, batch first': { type: 'RNN', ...r, nonlinearity: 'relu', numLayers: 2, bidirectional: true, batchFirst: true },
  'LSTM, 2 layers, bidirectional': { type: 'LSTM', ...r, numLayers: 2, bidirectional: true, dropout: 0.25 },
  'LSTM hard sigmoid (TF.js), batch first': { type: 'LSTM', ...r, gateActivation: 'hardSigmoid', batchFirst: true },
  'LSTM hard sigmoid (Keras 3), bidirectional, no bias': { type: 'LSTM', ...r, gateActivation: 'hardSigmoidKeras3', bidirectional: true, bias: false },
  'LSTM with projSize, 2 layers, bidirectional (Scan)': { type: 'LSTM', ...r, projSize: 3, numLayers: 2, bidirectional: true },
  'LSTM with projSize, hard sigmoid, batch first (Scan)': { type: 'LSTM', ...r, projSize: 2, gateActivation: 'hardSigmoid', batchFirst: true },
  'GRU (linear_before_reset 1), 2 layers, bidirectional': { type: 'GRU', ...r, numLayers: 2, bidirectional: true },
  'GRU resetAfter false (linear_before_reset 0), hard sigmoid': { type: 'GRU', ...r, resetAfter: false, gateActivation: 'hardSigmoid' },
  'GRU resetAfter false, Keras 3 hard sigmoid, bidirectional, no bias': { type: 'GRU', ...r, resetAfter: false, gateActivation: 'hardSigmoidKeras3', bidirectional: true, bias: false },
  'MinGRU, 2 layers, bidirectional (Scan)': { type: 'MinGRU', ...r, numLayers: 2, bidirectional: true },
  'MinLSTM, batch first (Scan)': { type: 'MinLSTM', ...r, batchFirst: true },
  'MinGRU log space, no bias (Scan)': { type: 'MinGRU', ...r, logSpace: true, bias: false },
  'MinLSTM log space, 2 layers, bidirectional (Scan)': { type: 'MinLSTM', ...r, logSpace: true, numLayers: 2, bidirectional: true },
  'Sequential: Embedding, Dropout, LSTM, Pool last, Linear': { type: 'Sequential', layers: [
    { type: 'Embedding', numEmbeddings: 11, embeddingDim: 4, paddingIdx: 0, seed: 1 }, { type: 'Dropout', p: 0.3, seed: 2 },
    { type: 'LSTM', inputSize: 4, hiddenSize: 6, numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.2, seed: 3 },
    { type: 'Pool', mode: 'last' }, { type: 'Linear', inFeatures: 12, outFeatures: 3, seed: 4 }] },
  'Sequential: GRU, Pool mean, Dropout, Linear': { type: 'Sequential', layers: [
    { type: 'GRU', inputSize: 3, hiddenSize: 5, batchFirst: true, seed: 5 }, { type: 'Pool', mode: 'mean' },
    { type: 'Dropout', p: 0.5, seed: 6 }, { type: 'Linear', inFeatures: 5, outFeatures: 2, seed: 7 }] },
  'Sequential: RNN, LSTM, Pool final, Linear (no bias)': { type: 'Sequential', layers: [
    { type: 'RNN', inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 8 },
    { type: 'LSTM', inputSize: 4, hiddenSize: 5, numLayers: 2, bidirectional: true, batchFirst: true, seed: 9 },
    { type: 'Pool', mode: 'final' }, { type: 'Linear', inFeatures: 10, outFeatures: 1, bias: false, seed: 10 }] },
  'Sequential: MinLSTM, per-step Linear': { type: 'Sequential', layers: [
    { type: 'MinLSTM', inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 11 }, { type: 'Linear', inFeatures: 4, outFeatures: 2, seed: 12 }] },
  'Sequential: nested (Embedding, GRU), per-step Linear': { type: 'Sequential', layers: [
    { type: 'Sequential', layers: [{ type: 'Embedding', numEmbeddings: 9, embeddingDim: 3, seed: 13 }, { type: 'GRU', inputSize: 3, hiddenSize: 4, batchFirst: true, seed: 14 }] },
    { type: 'Linear', inFeatures: 4, outFeatures: 2, seed: 15 }] },
  'Sequential: Linear, Dropout, Linear': { type: 'Sequential', layers: [
    { type: 'Linear', inFeatures: 3, outFeatures: 6, seed: 16 }, { type: 'Dropout', p: 0.1, seed: 17 }, { type: 'Linear', inFeatures: 6, outFeatures: 2, seed: 18 }] },
  'Sequential: min-cell blocks (Residual: Add; LayerNorm: LayerNormalization; GELU: Erf; ReLU)': { type: 'Sequential', layers: [
    { type: 'Embedding', numEmbeddings: 11, embeddingDim: 4, seed: 20 },
    { type: 'Residual', layers: [{ type: 'LayerNorm', normalizedShape: 4 }, { type: 'MinGRU', inputSize: 4, hiddenSize: 4, batchFirst: true, seed: 21 }] },
    { type: 'Residual', layers: [{ type: 'LayerNorm', normalizedShape: 4, eps: 1e-3 }, { type: 'Linear', inFeatures: 4, outFeatures: 8, seed: 22 },
      { type: 'GELU' }, { type: 'Linear', inFeatures: 8, outFeatures: 4, seed: 23 }] },
    { type: 'Residual', layers: [{ type: 'Linear', inFeatures: 4, outFeatures: 4, seed: 24 }, { type: 'ReLU' }] },
    { type: 'LayerNorm', normalizedShape: 4 }, { type: 'Linear', inFeatures: 4, outFeatures: 3, seed: 25 }] },
  'Sequential: CausalConv1d first (k 3), Linear': { type: 'Sequential', layers: [
    { type: 'CausalConv1d', channels: 3, kernelSize: 3, seed: 26 }, { type: 'Linear', inFeatures: 3, outFeatures: 2, seed: 27 }] },
  'Sequential: conv blocks (Residual: LayerNorm, CausalConv1d, MinGRU; k 4, k 8 > T, k 1 without bias)': { type: 'Sequential', layers: [
    { type: 'Embedding', numEmbeddings: 11, embeddingDim: 4, seed: 28 },
    ...[[4, true], [8, true], [1, false]].map(([kernelSize, bias], j) => ({ type: 'Residual', layers: [
      { type: 'LayerNorm', normalizedShape: 4 }, { type: 'CausalConv1d', channels: 4, kernelSize, bias, seed: 29 + j },
      { type: 'MinGRU', inputSize: 4, hiddenSize: 4, batchFirst: true, seed: 32 + j }] })),
    { type: 'LayerNorm', normalizedShape: 4 }, { type: 'Linear', inFeatures: 4, outFeatures: 3, seed: 35 }] },
  'SentimentLSTM': { type: 'SentimentLSTM', vocabSize: 13, embedDim: 4, hiddenDim: 5, numLayers: 2, dropout: 0.3, seed: 19 },
};

const RECURRENT = ['RNN', 'LSTM', 'GRU', 'MinGRU', 'MinLSTM'];
const exported = new Map(); // case name -> file

// The modules whose initial states the exported graph takes: [{ prefix, module }]
// (recurrent ones, and CausalConv1d with a context: kernelSize > 1).
function stateParts(model, spec, prefix = '') {
  if (RECURRENT.includes(spec.type)) return [{ prefix, module: model }];
  if (spec.type === 'CausalConv1d') return spec.kernelSize > 1 ? [{ prefix, module: model }] : [];
  if (spec.type === 'SentimentLSTM') return [{ prefix: 'lstm.', module: model.lstm }];
  if (spec.type !== 'Sequential' && spec.type !== 'Residual') return [];
  return spec.layers.flatMap((s, i) => stateParts(model.layers[i], s, `${prefix}${i}.`));
}

// A Sequential's final states and contexts (nested ones too) under the graph's names.
function sequentialStates(model, prefix, out) {
  for (const [i, s] of Object.entries(model.state ?? {})) {
    if (s.context?.shape[1]) out[`${prefix}${i}.contextn`] = s.context;
    if (!s.hN) continue; // a nested Sequential's own states: below
    out[`${prefix}${i}.hn`] = s.hN;
    if (s.cN) out[`${prefix}${i}.cn`] = s.cN;
  }
  model.layers.forEach((l, i) => { if (l.layers) sequentialStates(l, `${prefix}${i}.`, out); });
  return out;
}

// The model's input, for rnn-wasm and for onnxruntime.
function inputFor(spec, B, T, u) {
  const first = (s) => (s.type === 'Sequential' ? first(s.layers.find((l) => l.type !== 'Dropout')) : s);
  const f = spec.type === 'SentimentLSTM' ? { type: 'Embedding', numEmbeddings: spec.vocabSize } : first(spec);
  if (f.type === 'Embedding') {
    const ids = Int32Array.from({ length: B * T }, () => Math.floor(u() * f.numEmbeddings));
    return { ours: { shape: [B, T], data: ids }, onnx: (ort) => new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [B, T]) };
  }
  const shape = f.type === 'Linear' ? [B, f.inFeatures] : f.type === 'CausalConv1d' ? [B, T, f.channels]
    : f.batchFirst || spec.type === 'Sequential' ? [B, T, f.inputSize] : [T, B, f.inputSize];
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => 2 * u() - 1);
  return { ours: { shape, data }, onnx: (ort) => new ort.Tensor('float32', data, shape) };
}

// What rnn-wasm gives, under the exported graph's output names. states: prefix -> { h0, c0 }.
function runOurs(model, spec, x, states, lengths) {
  if (RECURRENT.includes(spec.type)) {
    const o = model.forward(x, { ...states[''], lengths });
    return { output: o.output, hn: o.hN, ...(o.cN ? { cn: o.cN } : {}) };
  }
  if (spec.type === 'SentimentLSTM') {
    // its forward starts from zeros and keeps hN: the same computation from its parts
    const zero = model.forward(x, lengths);
    const { hN, cN } = model.lstm.forward(model.embedding.forward(x), { ...states['lstm.'], lengths });
    const [LD, B, H] = hN.shape;
    const h = { shape: [B, 2 * H], data: new Float32Array(B * 2 * H) };
    for (let b = 0; b < B; b++) for (let d = 0; d < 2; d++) h.data.set(hN.data.subarray(((LD - 2 + d) * B + b) * H, ((LD - 2 + d) * B + b + 1) * H), (2 * b + d) * H);
    const output = { shape: [B], data: model.fc.forward(h).data };
    if (!states['lstm.']) assert.deepEqual(output, zero);
    return { output, 'lstm.hn': hN, 'lstm.cn': cN };
  }
  const state = {}; // prefix '1.0.' -> state[1][0], nested as Sequential.forward takes it
  for (const [p, s] of Object.entries(states)) {
    const path = p.slice(0, -1).split('.');
    const at = path.slice(0, -1).reduce((o, k) => (o[k] ??= {}), state);
    at[path[path.length - 1]] = s.context0 ? { context: s.context0 } : { hN: s.h0, cN: s.c0 };
  }
  return sequentialStates(model, '', { output: model.forward(x, { state, lengths }) });
}

const randState = (shape, u) => ({ shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => 2 * u() - 1) });

async function compare(ort, options, bytes, model, spec, { initialStates: given, lengths: withLengths }, what) {
  const session = await ort.InferenceSession.create(bytes, options);
  const parts = stateParts(model, spec);
  const rnd = lcg(99), u = () => rnd() + 0.5;
  for (const [B, T] of [[2, 5], [3, 1], [1, 7]]) {
    const x = inputFor(spec, B, T, u);
    const states = {}, feeds = { input: x.onnx(ort) };
    let lengths;
    if (withLengths) {
      lengths = Int32Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + Math.floor(u() * T)));
      feeds.lengths = new ort.Tensor('int32', lengths, [B]);
    }
    if (given) {
      for (const { prefix, module: m } of parts) {
        if (m.kernelSize) states[prefix] = { context0: randState([B, m.kernelSize - 1, m.channels], u) };
        else {
          const LD = m.numLayers * (m.bidirectional ? 2 : 1);
          states[prefix] = { h0: randState([LD, B, m.outputSize], u) };
          if (m.mode === 'LSTM') states[prefix].c0 = randState([LD, B, m.hiddenSize], u);
        }
        for (const [k, t] of Object.entries(states[prefix])) feeds[`${prefix}${k}`] = new ort.Tensor('float32', t.data, t.shape);
      }
    }
    assert.deepEqual([...session.inputNames].sort(), Object.keys(feeds).sort(), `${what}: graph inputs`);
    const want = runOurs(model, spec, x.ours, states, lengths);
    const got = await session.run(feeds);
    assert.deepEqual([...session.outputNames].sort(), Object.keys(want).sort(), `${what}: graph outputs`);
    for (const [k, w] of Object.entries(want)) {
      const at = `${what}, B ${B}, T ${T}: ${k}`;
      assert.deepEqual(got[k].dims, w.shape, `${at}: shape`);
      assertClose(got[k].data, w.data, { atol: TOL, what: at });
    }
  }
  await session.release();
}

const VARIANTS = [{}, { initialStates: true }, { lengths: true }, { initialStates: true, lengths: true }];

for (const [name, spec] of Object.entries(CASES)) {
  test(`toOnnx: ${name}: onnxruntime-node and -web give rnn-wasm's outputs (three shapes; zero and given initial states; whole and packed sequences)`, async () => {
    const model = rnn.buildModel(spec).eval();
    for (const variant of VARIANTS) {
      const bytes = await rnn.toOnnx(model, variant);
      assert.ok(bytes instanceof Uint8Array);
      const file = join(tmp, `${exported.size}.onnx`);
      writeFileSync(file, bytes);
      exported.set(`${name} ${JSON.stringify(variant)}`, file);
      for (const { name: rt, ort, options } of RUNTIMES) {
        await compare(ort, options, bytes, model, spec, variant, `${rt} ${JSON.stringify(variant)}`);
      }
    }
    model.dispose();
  });
}

test('toOnnx: every exported model passes onnx.checker.check_model(full_check=True) (python3-onnx)', () => {
  assert.equal(exported.size, VARIANTS.length * Object.keys(CASES).length, 'every case exported');
  const script = `
import sys, onnx
for path in sys.argv[1:]:
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)
    assert m.opset_import[0].version >= 14
    print('ok', path)
`;
  const res = spawnSync('/usr/bin/python3', ['-c', script, ...exported.values()], { encoding: 'utf8' });
  if (res.error) assert.fail(`cannot run /usr/bin/python3 (${res.error.code}); sudo apt-get install python3-onnx`);
  if (/No module named '?onnx'?/.test(res.stderr)) assert.fail('/usr/bin/python3 has no onnx: sudo apt-get install python3-onnx');
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim().split('\n').length, exported.size);
});

test('toOnnx: ONNX gate order from PyTorch\'s: LSTM i, o, f, c from i, f, g, o; GRU z, r, h from r, z, n', async () => {
  for (const [type, order] of [['LSTM', [0, 3, 1, 2]], ['GRU', [1, 0, 2]]]) {
    const H = 2, I = 1;
    const m = new rnn[type]({ inputSize: I, hiddenSize: H, seed: 1 });
    // mark every row of weight_ih / bias_ih with its PyTorch gate block
    const sd = m.stateDict();
    const G = order.length;
    sd.weight_ih_l0.data.forEach((_, k) => { sd.weight_ih_l0.data[k] = Math.floor(k / (H * I)); });
    sd.bias_ih_l0.data.forEach((_, k) => { sd.bias_ih_l0.data[k] = 10 + Math.floor(k / H); });
    sd.bias_hh_l0.data.forEach((_, k) => { sd.bias_hh_l0.data[k] = 20 + Math.floor(k / H); });
    m.loadStateDict(sd);
    const proto = decode(ONNX, 'ModelProto', await rnn.toOnnx(m));
    const node = proto.graph.node.find((n) => n.op_type === type);
    const init = (name) => {
      const t = proto.graph.initializer.find((x) => x.name === name);
      return [...new Float32Array(t.raw_data.slice().buffer)];
    };
    const blocks = (v, size) => Array.from({ length: v.length / size }, (_, k) => v[k * size]);
    assert.deepEqual(blocks(init(node.input[1]), H * I), order, `${type} W`);
    assert.deepEqual(blocks(init(node.input[3]), H), [...order.map((g) => 10 + g), ...order.map((g) => 20 + g)], `${type} B`);
    assert.equal(G, blocks(init(node.input[2]), H * H).length);
    m.dispose();
  }
});

test('toOnnx: models ONNX cannot take, and bad arguments: typed errors', async () => {
  const rejects = (p, code, re) => assert.rejects(p, (e) => e.name === 'RnnError' && e.code === code && (!re || re.test(e.message)));
  await rejects(rnn.toOnnx(null), 'INVALID_ARGUMENT');
  await rejects(rnn.toOnnx({}), 'UNSUPPORTED', /modelSpec/);
  const lstm = new rnn.LSTM({ inputSize: 2, hiddenSize: 3 });
  await rejects(rnn.toOnnx(lstm, { nope: 1 }), 'INVALID_ARGUMENT', /nope/);
  await rejects(rnn.toOnnx(lstm, { docString: 3 }), 'INVALID_ARGUMENT', /docString/);
  lstm.dispose();
  await rejects(rnn.toOnnx(lstm), 'DISPOSED');
  const lin = new rnn.Linear({ inFeatures: 2, outFeatures: 3 });
  await rejects(rnn.toOnnx(lin), 'UNSUPPORTED', /inside a Sequential/);
  const bad = [
    [[{ type: 'Pool', mode: 'mean' }, { type: 'Linear', inFeatures: 2, outFeatures: 1 }], /Pool cannot come first/],
    [[{ type: 'Linear', inFeatures: 2, outFeatures: 3 }, { type: 'Embedding', numEmbeddings: 4, embeddingDim: 2 }], /Embedding must come first/],
    [[{ type: 'Linear', inFeatures: 2, outFeatures: 3 }, { type: 'LSTM', inputSize: 3, hiddenSize: 2, batchFirst: true }], /takes \[batch, time, features\]/],
    [[{ type: 'Embedding', numEmbeddings: 4, embeddingDim: 2 }, { type: 'Linear', inFeatures: 3, outFeatures: 1 }], /takes 3 features but the layer before gives 2/],
    [[{ type: 'GRU', inputSize: 2, hiddenSize: 2, batchFirst: true }, { type: 'Linear', inFeatures: 2, outFeatures: 2 }, { type: 'Pool', mode: 'final' }], /Pool\('final'\) must follow a recurrent layer/],
    [[{ type: 'Linear', inFeatures: 2, outFeatures: 3 }, { type: 'Residual', layers: [{ type: 'Linear', inFeatures: 3, outFeatures: 2 }] }], /Residual\): its layers must keep the shape/],
    [[{ type: 'Embedding', numEmbeddings: 4, embeddingDim: 2 }, { type: 'LayerNorm', normalizedShape: 3 }], /LayerNorm\): takes 3 features/],
    [[{ type: 'Embedding', numEmbeddings: 4, embeddingDim: 2 }, { type: 'CausalConv1d', channels: 3, kernelSize: 2 }], /CausalConv1d\): takes 3 features/],
    [[{ type: 'Linear', inFeatures: 2, outFeatures: 3 }, { type: 'CausalConv1d', channels: 3, kernelSize: 2 }], /CausalConv1d\): takes \[batch, time, features\]/],
  ];
  for (const [layers, re] of bad) {
    const m = rnn.buildModel({ type: 'Sequential', layers });
    await rejects(rnn.toOnnx(m), 'UNSUPPORTED', re);
    m.dispose();
  }
  const s2s = new rnn.models.Seq2Seq({ srcVocab: 5, tgtVocab: 5, embedDim: 2, hiddenDim: 3 });
  await rejects(rnn.toOnnx(s2s), 'UNSUPPORTED');
  s2s.dispose();
});
