// ONNX import (rnn.loadOnnx, js/onnx.js): the files torch.onnx.export wrote
// (tests/fixtures/onnx/, made by make_onnx_fixtures.py) must give PyTorch's
// outputs (<= 1e-5 abs); the hand-built graphs for what torch never emits
// (reverse, layout 1, sequence_lens, linear_before_reset 0, HardSigmoid)
// must give onnxruntime-web's; imported models stream and train; bad files
// fail with typed errors and leave nothing allocated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { init } from '../dist/index.js';
import { decode, encode } from '../js/onnx/protobuf.js';
import { ONNX } from '../js/onnx/schema.js';
import { lstmModel } from '../bench/peers/onnx_lstm.mjs';

const rnn = await init();
const DIR = new URL('./fixtures/onnx/', import.meta.url);
const file = (name) => new Uint8Array(readFileSync(new URL(`${name}.onnx`, DIR)));
const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8'));
const ATOL = 1e-5;
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const tensorOf = (name, t) => ({ shape: t.shape, data: name === 'ids' || name === 'sequence_lens' ? Int32Array.from(t.data) : Float32Array.from(t.data) });
const feedsOf = (inputs) => Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, tensorOf(k, t)]));

function close(got, want, what) {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  let worst = 0;
  for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - want.data[i]));
  assert.ok(worst <= ATOL, `${what}: max abs error ${worst}`);
}

async function rejectsWith(promise, code, pattern) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, 'RnnError', e.stack);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

for (const [name, c] of Object.entries(expected)) {
  if (name === 'hand') continue;
  test(`torch.onnx.export ${name} (opset ${c.opset}: ${c.ops.join(', ')}): PyTorch's outputs at two batch and time sizes`, async () => {
    const model = await rnn.loadOnnx(file(name));
    for (const set of c.sets) {
      const out = model.run(feedsOf(set.inputs));
      for (const [k, want] of Object.entries(set.outputs)) close(out[k], want, `${name} ${k} (B, T = ${Object.values(set.inputs)[0].shape.slice(0, 2)})`);
    }
    assert.ok(model.numParams > 0);
    model.dispose();
  });
}

test('the exporter\'s zero-state arithmetic is there (so the test above covers it)', () => {
  for (const op of ['Shape', 'Gather', 'ConstantOfShape', 'Concat', 'Unsqueeze', 'Slice', 'Reshape', 'Transpose', 'Constant']) {
    assert.ok(expected.lstm_bidi2_batch_first.ops.includes(op), op);
  }
  assert.ok(expected.tagger.ops.includes('MatMul') && expected.sentiment.ops.includes('Gemm'));
});

const swap = (shape) => [shape[1], shape[0], ...shape.slice(2)];
// [P, Q, ...rest] data -> [Q, P, ...rest]
function swapData(data, shape) {
  const [P, Q] = shape, R = data.length / (P * Q), out = new data.constructor(data.length);
  for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) out.set(data.subarray((p * Q + q) * R, (p * Q + q + 1) * R), (q * P + p) * R);
  return out;
}

/**
 * onnxruntime-web's outputs of a one-node recurrent model. It has no
 * layout 1 (batch-major) kernels, so a layout-1 model runs as its layout-0
 * twin (the same node with layout 0) on inputs moved to time-major, and the
 * outputs are moved back: Y [T, D, B, H] -> [B, T, D, H], Y_h [D, B, H] -> [B, D, H].
 */
async function ortRun(bytes, inputs) {
  const m = decode(ONNX, 'ModelProto', bytes);
  const node = m.graph.node[0], layout = node.attribute.find((a) => a.name === 'layout');
  const batchMajor = layout?.i === 1;
  if (batchMajor) {
    layout.i = 0;
    for (const v of [...m.graph.input, ...m.graph.output]) {
      const dims = v.type.tensor_type.shape.dim;
      if (v.name === 'Y') v.type.tensor_type.shape.dim = [dims[1], dims[2], dims[0], dims[3]];
      else if (dims.length === 3) v.type.tensor_type.shape.dim = swap(dims);
    }
  }
  const session = await ort.InferenceSession.create(encode(ONNX, 'ModelProto', m), { executionProviders: ['wasm'] });
  const feeds = {};
  for (const [k, t] of Object.entries(inputs)) {
    const { data } = tensorOf(k, t);
    const move = batchMajor && t.shape.length === 3;
    feeds[k] = new ort.Tensor(k === 'sequence_lens' ? 'int32' : 'float32', move ? swapData(data, t.shape) : data, move ? swap(t.shape) : t.shape);
  }
  const res = await session.run(feeds);
  await session.release();
  const out = {};
  for (const [k, t] of Object.entries(res)) {
    const dims = [...t.dims];
    if (!batchMajor) out[k] = { shape: dims, data: t.data };
    else if (k === 'Y') { // [T, D, B, H] -> [T, B, D, H] -> [B, T, D, H]
      const [T, D, B, H] = dims, tb = new Float32Array(t.data.length);
      for (let s = 0; s < T; s++) tb.set(swapData(t.data.subarray(s * D * B * H, (s + 1) * D * B * H), [D, B, H]), s * D * B * H);
      out[k] = { shape: [B, T, D, H], data: swapData(tb, [T, B, D, H]) };
    } else out[k] = { shape: swap(dims), data: swapData(t.data, dims) };
  }
  return out;
}

for (const [name, c] of Object.entries(expected.hand)) {
  if (name === 'lstm_clip') continue;
  test(`hand-built ${name}: onnxruntime-web's outputs`, async () => {
    const bytes = file(`hand_${name}`);
    const want = await ortRun(bytes, c.inputs);
    const model = await rnn.loadOnnx(bytes);
    const got = model.run(feedsOf(c.inputs));
    for (const k of Object.keys(want)) close(got[k], want[k], `${name} ${k}`);
    model.dispose();
  });
}

test('clip and other attributes the cells do not have are refused by name', async () => {
  await rejectsWith(rnn.loadOnnx(file('hand_lstm_clip')), 'UNSUPPORTED', /node 'lstm_clip_node' \(LSTM\): attribute clip/);
  const withAttr = (name, attr) => edit(file(name), (m) => { m.graph.node[0].attribute.push({ name: attr.name, type: attr.type, ...attr.value }); });
  await rejectsWith(rnn.loadOnnx(withAttr('hand_lstm_reverse', { name: 'input_forget', type: 2, value: { i: 1 } })), 'UNSUPPORTED', /attribute input_forget/);
  const acts = (list) => edit(file('hand_gru_lbr0'), (m) => {
    m.graph.node[0].attribute.push({ name: 'activations', type: 8, strings: list.map((a) => new TextEncoder().encode(a)) });
  });
  await rejectsWith(rnn.loadOnnx(acts(['Affine', 'Tanh'])), 'UNSUPPORTED', /gate activation Affine/);
  await rejectsWith(rnn.loadOnnx(acts(['Sigmoid', 'Relu'])), 'UNSUPPORTED', /candidate activation must be Tanh/);
  await rejectsWith(rnn.loadOnnx(acts(['Sigmoid'])), 'FORMAT', /activations lists 1 functions/);
});

test('stream(): one step at a time gives the whole-sequence outputs (zero states from the exporter\'s arithmetic; embedding + GRU + head)', async () => {
  for (const [name, out, bf] of [['rnn_tanh', 'y', false], ['tagger', 'probs', true], ['lstm_state_batch_first', 'y', true]]) {
    const model = await rnn.loadOnnx(file(name));
    const set = expected[name].sets[0];
    const feeds = feedsOf(set.inputs);
    const x = feeds.x ?? feeds.ids;
    const [B, T] = bf ? x.shape.slice(0, 2) : [x.shape[1], x.shape[0]];
    const F = x.data.length / (B * T);
    const stream = model.stream({ batch: B });
    assert.throws(() => model.run(feeds), (e) => e.code === 'STATE' && /open stream/.test(e.message));
    const want = set.outputs[out];
    const Fo = want.data.length / (B * T);
    for (let t = 0; t < T; t++) {
      const xt = new x.data.constructor(B * F);
      for (let b = 0; b < B; b++) xt.set(x.data.subarray((bf ? b * T + t : t * B + b) * F, (bf ? b * T + t : t * B + b) * F + F), b * F);
      const step = { ...feeds, [feeds.x ? 'x' : 'ids']: { shape: bf ? [B, 1, ...x.shape.slice(2)] : [1, B, ...x.shape.slice(2)], data: xt } };
      const y = stream.step(step)[out];
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < Fo; j++) {
          const w = want.data[(bf ? b * T + t : t * B + b) * Fo + j];
          assert.ok(Math.abs(y.data[b * Fo + j] - w) <= ATOL, `${name} step ${t} row ${b}: ${y.data[b * Fo + j]} vs ${w}`);
        }
      }
    }
    stream.dispose();
    close(model.run(feeds)[out], want, `${name} run after the stream`);
    model.dispose();
  }
  const bidi = await rnn.loadOnnx(file('gru_bidi2'));
  assert.throws(() => bidi.stream(), (e) => e.code === 'UNSUPPORTED' && /bidirectional.*stream/.test(e.message));
  bidi.dispose();
});

test('an imported model trains: backward through Softmax, Tanh, Linear, Transpose, GRU and Embedding matches finite differences', async () => {
  const model = await rnn.loadOnnx(file('tagger'));
  model.train();
  const ids = tensorOf('ids', expected.tagger.sets[0].inputs.ids);
  const out = model.forward(ids);
  const w = Float32Array.from(out.data, (_, i) => Math.sin(i + 1));
  const loss = () => model.forward(ids).data.reduce((s, v, i) => s + v * w[i], 0);
  model.zeroGrad();
  model.forward(ids);
  model.backward({ shape: out.shape, data: w });
  const grads = model.grads();
  const params = model.parameters();
  const names = Object.keys(grads);
  assert.ok(names.some((n) => n.startsWith('embedding')) && names.some((n) => n.includes('GRU')) && names.some((n) => n.includes('out')), names.join());
  const sd = model.stateDict();
  for (const p of params) {
    const g = grads[p.name].data, values = sd[p.name].data;
    for (const i of [0, Math.floor(values.length / 2), values.length - 1]) {
      const eps = 1e-2, v = values[i];
      const set = (x) => { values[i] = x; model.loadStateDict(sd); };
      set(v + eps); const up = loss();
      set(v - eps); const down = loss();
      set(v);
      const fd = (up - down) / (2 * eps);
      assert.ok(Math.abs(fd - g[i]) <= 2e-3 + 2e-2 * Math.abs(fd), `${p.name}[${i}]: backward ${g[i]}, finite difference ${fd}`);
    }
  }
  model.dispose();
});

test('an imported SentimentLSTM-like model trains with fit (loss bce, Adam): the loss falls', async () => {
  const model = await rnn.loadOnnx(file('sentiment'));
  const ids = tensorOf('ids', expected.sentiment.sets[0].inputs.ids);
  const y = { shape: [ids.shape[0]], data: Float32Array.from({ length: ids.shape[0] }, (_, i) => i % 2) };
  const history = await rnn.fit(model, { train: [{ x: ids, y }], loss: 'bce', epochs: 15, lr: 0.05 });
  const first = history.epochs[0].loss, last = history.epochs[14].loss;
  assert.ok(last < 0.5 * first, `losses ${history.epochs.map((e) => e.loss.toFixed(3))}`);
  model.dispose();
});

// --- bad files --------------------------------------------------------------

const edit = (bytes, change) => { const m = decode(ONNX, 'ModelProto', bytes); change(m); return encode(ONNX, 'ModelProto', m); };

test('a truncated file is a FORMAT error at every cut (never another error)', async () => {
  const bytes = file('lstm_bidi2_batch_first');
  for (let cut = 1; cut < bytes.length; cut += 97) {
    await assert.rejects(rnn.loadOnnx(bytes.subarray(0, cut)), (e) => {
      assert.equal(e.name, 'RnnError', `cut ${cut}: ${e.stack}`);
      assert.ok(['FORMAT', 'UNSUPPORTED'].includes(e.code), `cut ${cut}: ${e.code} ${e.message}`);
      return true;
    });
  }
  await rejectsWith(rnn.loadOnnx(new Uint8Array(0)), 'FORMAT', /empty/);
  await rejectsWith(rnn.loadOnnx('model.onnx'), 'INVALID_ARGUMENT', /Uint8Array/);
});

test('an initializer whose data does not fit its dims is a FORMAT error naming it', async () => {
  const bytes = edit(file('sentiment'), (m) => { m.graph.initializer.find((t) => t.name === 'fc.weight').dims = [1, 25]; });
  await rejectsWith(rnn.loadOnnx(bytes), 'FORMAT', /initializer 'fc\.weight'.*raw_data has 96 bytes.*\[1,25\]/);
  const w = edit(file('rnn_tanh'), (m) => { const t = m.graph.initializer[0]; t.dims = [...t.dims, 1]; t.dims[0] += 1; });
  await rejectsWith(rnn.loadOnnx(w), 'FORMAT', /raw_data has/);
});

test('weights of the wrong shape for the node are a FORMAT error naming the node', async () => {
  const bytes = edit(file('rnn_tanh'), (m) => {
    const node = m.graph.node.find((n) => n.op_type === 'RNN');
    const R = m.graph.initializer.find((t) => t.name === node.input[2]);
    R.dims = [1, R.dims[1] * R.dims[2]];
  });
  await rejectsWith(rnn.loadOnnx(bytes), 'FORMAT', /node '.*RNN.*' \(RNN\): R has shape/);
});

test('an operator out of the supported set is UNSUPPORTED naming it and its node', async () => {
  const bytes = edit(file('tagger'), (m) => { m.graph.node.find((n) => n.op_type === 'Tanh').op_type = 'Erf'; });
  await rejectsWith(rnn.loadOnnx(bytes), 'UNSUPPORTED', /node '\/Tanh' \(Erf\): operator Erf is not supported/);
});

test('an unknown opset or domain is UNSUPPORTED', async () => {
  await rejectsWith(rnn.loadOnnx(edit(file('rnn_tanh'), (m) => { m.opset_import[0].version = 99; })), 'UNSUPPORTED', /opset 99/);
  await rejectsWith(rnn.loadOnnx(edit(file('rnn_tanh'), (m) => { m.graph.node[0].domain = 'com.microsoft'; })), 'UNSUPPORTED', /domain 'com\.microsoft'/);
  await rejectsWith(rnn.loadOnnx(edit(file('rnn_tanh'), (m) => { m.opset_import = []; })), 'FORMAT', /no opset_import/);
});

test('a missing input or initializer is a FORMAT error; a missing feed at run time names the input', async () => {
  const noW = edit(file('lstm_bidi_state'), (m) => { m.graph.initializer.shift(); });
  await rejectsWith(rnn.loadOnnx(noW), 'FORMAT', /is not defined before this node/);
  const model = await rnn.loadOnnx(file('lstm_bidi_state'));
  const { x } = feedsOf(expected.lstm_bidi_state.sets[0].inputs);
  assert.throws(() => model.run({ x }), (e) => e.code === 'INVALID_ARGUMENT' && /'h0'/.test(e.message));
  assert.throws(() => model.run({ x: { shape: [2, 2], data: new Float32Array(4) } }), (e) => e.code === 'SHAPE');
  model.dispose();
});

test('nothing stays allocated after a failed load (the layers made before the failing node are disposed)', async () => {
  const H = 256, I = 64, G = 4 * H;
  const r = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.1);
  const big = lstmModel({ T: 4, B: 1, I, H, state: false, weights: { weight_ih: r(G * I), weight_hh: r(G * H), bias_ih: r(G), bias_hh: r(G) } });
  const bad = edit(big, (m) => {
    m.graph.node.push({ input: ['Y'], output: ['Z'], name: 'after', op_type: 'Erf', attribute: [] });
    m.graph.output[0].name = 'Z';
  });
  await rejectsWith(rnn.loadOnnx(bad), 'UNSUPPORTED', /node 'after' \(Erf\)/);
  const before = rnn.memoryBytes();
  for (let k = 0; k < 40; k++) await rejectsWith(rnn.loadOnnx(bad), 'UNSUPPORTED', /Erf/);
  assert.ok(rnn.memoryBytes() - before < 16 * 2 ** 20, `memory grew by ${rnn.memoryBytes() - before} bytes over 40 failed loads`);
});

test('round trip: rnn.toOnnx exports load back with the same outputs (LSTM stack bidirectional, GRU reset-before hard-sigmoid, relu RNN, SentimentLSTM)', async () => {
  const x = { shape: [2, 4, 3], data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)) };
  const cases = [
    [new rnn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, batchFirst: true, seed: 1 }), x],
    [new rnn.GRU({ inputSize: 3, hiddenSize: 4, resetAfter: false, gateActivation: 'hardSigmoid', batchFirst: true, seed: 2 }), x],
    [new rnn.RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', batchFirst: true, seed: 3 }), x],
  ];
  for (const [m, input] of cases) {
    m.eval();
    const imported = await rnn.loadOnnx(await rnn.toOnnx(m));
    const want = m.forward(input);
    const got = imported.run({ [imported.inputs[0].name]: input });
    close(got.output, want.output, `${m.mode} output`);
    close(got.hn, want.hN, `${m.mode} hN`);
    if (want.cN) close(got.cn, want.cN, `${m.mode} cN`);
    imported.dispose();
    m.dispose();
  }
  const s = new rnn.models.SentimentLSTM({ vocabSize: 20, embedDim: 6, hiddenDim: 5, numLayers: 2, seed: 4 });
  s.eval();
  const ids = { shape: [3, 5], data: Int32Array.from({ length: 15 }, (_, i) => 1 + (i * 7) % 19) };
  const imported = await rnn.loadOnnx(await rnn.toOnnx(s));
  close(imported.forward(ids), s.forward(ids, [5, 5, 5]), 'SentimentLSTM logits');
  imported.dispose();
  s.dispose();
});
