// The PyTorch side of model specs (tools/spec_module.py): for every layer kind
// buildModel knows, the torch.nn.Module built from the same JSON spec has the
// same state_dict keys and shapes as rnn-wasm's model, loads rnn-wasm's
// safetensors with strict=True and gives rnn-wasm's outputs; torch's own
// weights load into rnn-wasm and give torch's outputs; the specs buildModel
// refuses are refused in Python too, and torch's autograd gives rnn-wasm's
// parameter gradients. Models that carry state (Sequential, Residual,
// CausalConv1d) also give torch's final states, and a second chunk started
// from them gives torch's outputs. The Python side is
// tests/interop/spec_parity.py (Debian's /usr/bin/python3 with python3-torch;
// without it this test fails).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, ErrorCode, buildModel, RnnError } from '../dist/index.js';
import { assertClose, lcg, randTensor } from './helpers/util.mjs';
import { python } from './helpers/python.mjs';

const rnn = await init();
const HELPER = fileURLToPath(new URL('./interop/spec_parity.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-torch-spec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// float32 rounding of different (but equivalent) orders of operations
const TOL = { atol: 1e-5, rtol: 1e-5 };

const rec = (type, o) => ({ type, inputSize: 4, hiddenSize: 5, seed: 11, ...o });
const seq = (...layers) => ({ type: 'Sequential', layers });
const emb = (o) => ({ type: 'Embedding', numEmbeddings: 13, embeddingDim: 4, seed: 21, ...o });
const lin = (inF, outF, o) => ({ type: 'Linear', inFeatures: inF, outFeatures: outF, seed: 31, ...o });
const conv = (k, o) => ({ type: 'CausalConv1d', channels: 4, kernelSize: k, seed: 41, ...o });
const ln = { type: 'LayerNorm', normalizedShape: 4 };

// input: 'ids' ([B, T] in [0, 13)) or a float shape; lengths per batch entry
const B = 3, T = 6, LEN = [6, 4, 1];
const CASES = [
  ['rnn_tanh_2layers', rec('RNN', { numLayers: 2 }), [T, B, 4], LEN],
  ['rnn_relu_bi_nobias', rec('RNN', { nonlinearity: 'relu', bidirectional: true, batchFirst: true, bias: false }), [B, T, 4], LEN],
  ['lstm', rec('LSTM', {}), [T, B, 4], null],
  ['lstm_proj_bi_dropout', rec('LSTM', { hiddenSize: 6, projSize: 3, numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.3 }), [B, T, 4], LEN],
  ['lstm_hardsigmoid', rec('LSTM', { numLayers: 2, gateActivation: 'hardSigmoid' }), [T, B, 4], LEN],
  ['lstm_keras3_proj_bi', rec('LSTM', { gateActivation: 'hardSigmoidKeras3', projSize: 2, bidirectional: true }), [T, B, 4], LEN],
  ['gru_bi_2layers', rec('GRU', { numLayers: 2, bidirectional: true }), [T, B, 4], LEN],
  ['gru_reset_before', rec('GRU', { resetAfter: false }), [T, B, 4], LEN],
  ['gru_reset_before_hard_bi', rec('GRU', { resetAfter: false, gateActivation: 'hardSigmoid', bidirectional: true, batchFirst: true, numLayers: 2, dropout: 0.2 }), [B, T, 4], LEN],
  ['gru_keras3', rec('GRU', { gateActivation: 'hardSigmoidKeras3' }), [T, B, 4], null],
  ['mingru_bi_2layers', rec('MinGRU', { numLayers: 2, bidirectional: true }), [T, B, 4], LEN],
  ['minlstm', rec('MinLSTM', { batchFirst: true }), [B, T, 4], LEN],
  ['mingru_logspace_scan', rec('MinGRU', { logSpace: true }), [T, B, 4], null],
  ['minlstm_logspace_bi', rec('MinLSTM', { logSpace: true, bidirectional: true }), [T, B, 4], LEN],
  ['linear_3d', lin(4, 3), [B, T, 4], null],
  ['linear_nobias', lin(4, 2, { bias: false }), [B, 4], null],
  ['embedding_padding', emb({ paddingIdx: 0 }), 'ids', null],
  ['dropout', { type: 'Dropout', p: 0.4, seed: 5 }, [B, 4], null],
  ['seq_charlm', seq(emb(), rec('LSTM', { batchFirst: true }), lin(5, 13)), 'ids', null],
  ['seq_classifier_final', seq(emb({ paddingIdx: 0 }), { type: 'Dropout', p: 0.2, seed: 3 },
    rec('GRU', { numLayers: 2, bidirectional: true, batchFirst: true, dropout: 0.1 }), { type: 'Pool', mode: 'final' },
    { type: 'Dropout', p: 0.2, seed: 4 }, lin(10, 2)), 'ids', LEN],
  ['seq_pool_mean', seq(rec('LSTM', { batchFirst: true, projSize: 3 }), { type: 'Pool', mode: 'mean' }, lin(3, 1)), [B, T, 4], LEN],
  ['seq_nested_pool_last', seq(seq(lin(4, 4), { type: 'Dropout', p: 0.5, seed: 1 }), rec('RNN', { batchFirst: true }),
    { type: 'Pool', mode: 'last' }, lin(5, 2)), [B, T, 4], LEN],
  ['seq_min_final', seq(rec('MinLSTM', { batchFirst: true, numLayers: 2 }), { type: 'Pool', mode: 'final' }), [B, T, 4], LEN],
  ['layernorm_3d', { type: 'LayerNorm', normalizedShape: 4, eps: 1e-3 }, [B, T, 4], null],
  ['causalconv_lengths', conv(3), [B, T, 4], LEN],
  ['causalconv_k1_nobias', conv(1, { bias: false }), [B, T, 4], null],
  ['causalconv_k_past_t', conv(8), [B, T, 4], LEN], // the context outlives the chunk: k - 1 > T
  ['seq_conv_lengths', seq(conv(4), lin(4, 2)), [B, T, 4], LEN],
  // ReLU and GELU have no parameters (and, like Pool, no state-dict methods): inside a Sequential
  ['seq_gelu', seq(lin(4, 4), { type: 'GELU' }), [B, 4], null],
  ['seq_relu', seq({ type: 'ReLU' }, lin(4, 3)), [B, T, 4], null],
  ['residual_min_lengths', { type: 'Residual', layers: [{ type: 'LayerNorm', normalizedShape: [4] },
    rec('MinLSTM', { batchFirst: true, hiddenSize: 4 })] }, [B, T, 4], LEN],
  // Feng et al.'s stack: x += minGRU(LN(x)); x += MLP(LN(x)); LN; Linear
  ['seq_min_blocks', seq(emb(), ...[1, 2].flatMap(() => [
    { type: 'Residual', layers: [{ type: 'LayerNorm', normalizedShape: 4 }, rec('MinGRU', { batchFirst: true, hiddenSize: 4 })] },
    { type: 'Residual', layers: [{ type: 'LayerNorm', normalizedShape: 4 }, lin(4, 8), { type: 'GELU' }, lin(8, 4)] }]),
  { type: 'LayerNorm', normalizedShape: 4 }, lin(4, 13)), 'ids', null],
  // issue 23's blocks: x += minGRU(conv(LN(x))), the conv's context and the cell's hN carried
  ['seq_conv_min_blocks', seq(emb(), ...[3, 4].flatMap((k) => [
    { type: 'Residual', layers: [ln, conv(k), rec('MinGRU', { batchFirst: true, hiddenSize: 4 })] },
    { type: 'Residual', layers: [ln, lin(4, 8), { type: 'GELU' }, lin(8, 4)] }]), ln, lin(4, 13)), 'ids', LEN],
  ['sentiment_lstm', { type: 'SentimentLSTM', vocabSize: 13, embedDim: 4, hiddenDim: 5, numLayers: 2, dropout: 0.3, seed: 9 }, 'ids', LEN],
];

// Each refused by buildModel; the Python message must name `word`.
const BAD = [
  [{ type: 'Conv1d' }, 'Conv1d'],
  [rec('LSTM', { resetAfter: false }), 'resetAfter'],
  [rec('GRU', { projSize: 2 }), 'projSize'],
  [rec('RNN', { gateActivation: 'hardSigmoid' }), 'gateActivation'],
  [rec('MinGRU', { gateActivation: 'hardSigmoid' }), 'gateActivation'],
  [{ type: 'LSTM', inputSize: 4 }, 'hiddenSize'],
  [rec('LSTM', { projSize: 5 }), 'projSize'],
  [rec('GRU', { gateActivation: 'relu' }), 'gateActivation'],
  [rec('RNN', { nonlinearity: 'gelu' }), 'nonlinearity'],
  [rec('LSTM', { dropout: 1 }), 'dropout'],
  [rec('LSTM', { numLayers: 0 }), 'numLayers'],
  [rec('GRU', { bidirectional: 'yes' }), 'bidirectional'],
  [seq(rec('LSTM', {})), 'batchFirst'],
  [seq(), 'layers'],
  [seq(lin(4, 4), null), 'layers[1]'],
  [{ type: 'Sequential', layers: [lin(2, 2)], extra: 1 }, 'extra'],
  [{ type: 'Pool', mode: 'max' }, 'mode'],
  [{ type: 'Dropout', p: 1 }, "'p'"],
  [emb({ paddingIdx: 13 }), 'paddingIdx'],
  [lin(0, 2), 'inFeatures'],
  [{ type: 'SentimentLSTM', vocabSize: 1 }, 'vocabSize'],
  [{ type: 'LayerNorm' }, 'normalizedShape'],
  [{ type: 'LayerNorm', normalizedShape: [2, 3] }, 'normalizedShape'],
  [{ type: 'LayerNorm', normalizedShape: 4, eps: 0 }, 'eps'],
  [{ type: 'GELU', approximate: 'tanh' }, 'approximate'],
  [{ type: 'Residual', layers: [] }, 'layers'],
  [conv(0), 'kernelSize'],
  [conv(257), 'kernelSize'],
  [{ type: 'CausalConv1d', kernelSize: 3 }, 'channels'],
  [conv(3, { bias: 1 }), 'bias'],
  [conv(3, { groups: 4 }), 'groups'],
];

function makeInput(input, seed) {
  const rnd = lcg(seed);
  if (input === 'ids') {
    return { shape: [B, T], data: Int32Array.from({ length: B * T }, () => Math.floor((rnd() + 0.5) * 13)) };
  }
  return randTensor(input, rnd, 1.5);
}

// model.state as flat tensors, as tests/interop/spec_parity.py names them: state.<i>.hN / cN / context.
function flatState(state, prefix = 'state.') {
  const out = {};
  for (const [i, s] of Object.entries(state ?? {})) {
    if (s?.hN || s?.context) {
      for (const k of ['hN', 'cN', 'context']) if (s[k]) out[`${prefix}${i}.${k}`] = s[k];
    } else Object.assign(out, flatState(s, `${prefix}${i}.`));
  }
  return out;
}

// Models that carry state from one forward to the next (given x2, a second chunk is run from it).
const CARRIES = ['Sequential', 'Residual', 'CausalConv1d'];

function forward(model, spec, x, lengths, state) {
  const opts = { ...(lengths ? { lengths } : {}), ...(state ? { state } : {}) };
  switch (spec.type) {
    case 'RNN': case 'LSTM': case 'GRU': case 'MinGRU': case 'MinLSTM': {
      const { output, hN, cN } = model.forward(x, opts);
      return cN ? { output, hN, cN } : { output, hN };
    }
    case 'Sequential': case 'Residual': return { output: model.forward(x, opts), ...flatState(model.state) };
    case 'CausalConv1d': return { output: model.forward(x, opts), context: model.state.context };
    case 'SentimentLSTM': return { output: model.forward(x, lengths ?? undefined) };
    default: return { output: model.forward(x) };
  }
}

// The gradient of sum(output * dOutput) into every parameter (eval mode: no dropout).
function backward(model, spec, dOutput) {
  switch (spec.type) {
    case 'Sequential': case 'Residual': case 'SentimentLSTM': model.backward(dOutput); break;
    default: model.backward({ dOutput });
  }
  return model.grads();
}

function compare(got, file, what) {
  const want = rnn.safetensors.parse(readFileSync(file));
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `${what}: outputs`);
  let worst = 0;
  for (const k of Object.keys(want)) worst = Math.max(worst, assertClose(got[k], want[k], { ...TOL, what: `${what}: ${k}` }));
  return worst;
}

const { serialize } = rnn.safetensors;
const models = new Map(), jsResults = new Map();
// forward, then (given x2) a second chunk from the state the first left: chunk2.* outputs.
function forwardChunks(model, spec, x, x2, lengths) {
  const outputs = forward(model, spec, x, lengths);
  if (!x2) return outputs;
  const next = forward(model, spec, x2, lengths, model.state);
  for (const [k, v] of Object.entries(next)) outputs[`chunk2.${k}`] = v;
  return outputs;
}

CASES.forEach(([name, spec, input, lengths], i) => {
  const model = buildModel(rnn, spec).eval();
  models.set(name, model);
  const x = makeInput(input, 100 + i), x2 = CARRIES.includes(spec.type) ? makeInput(input, 300 + i) : null;
  const outputs = forward(model, spec, x, lengths);
  const dOutput = randTensor(outputs.output.shape, lcg(200 + i));
  model.zeroGrad();
  const grads = backward(model, spec, dOutput);
  if (x2) Object.assign(outputs, forwardChunks(model, spec, x, x2, lengths));
  jsResults.set(name, { x, x2, outputs, grads });
  const tensors = { x, dOutput, ...(x2 ? { x2 } : {}) };
  if (lengths) tensors.lengths = { shape: [B], data: Int32Array.from(lengths) };
  writeFileSync(join(dir, `${name}.input.safetensors`), serialize(tensors));
  writeFileSync(join(dir, `${name}.js.safetensors`), serialize(model.stateDict()));
});

// Mutated specs (one change each: a value replaced, an option dropped or
// added, a layer swapped), for a differential check: tools/spec_module.py must
// accept exactly what buildModel accepts, and never fail other than with
// SpecError. One change at a time keeps every accepted model small.
const ODD_VALUES = [-1, 0, 1, 2, 3, 0.5, 1.5, null, true, false, 'x', 'tanh', 'relu', 'hardSigmoid', 'mean', 'final',
  [], {}, 70000, 2 ** 32];
const KEYS = ['type', 'inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout', 'bidirectional', 'seed',
  'nonlinearity', 'projSize', 'gateActivation', 'resetAfter', 'logSpace', 'inFeatures', 'outFeatures', 'numEmbeddings',
  'embeddingDim', 'paddingIdx', 'p', 'mode', 'layers', 'vocabSize', 'embedDim', 'hiddenDim', 'normalizedShape', 'eps',
  'channels', 'kernelSize'];
const TYPE_NAMES = ['RNN', 'LSTM', 'GRU', 'MinGRU', 'MinLSTM', 'Linear', 'Embedding', 'Dropout', 'LayerNorm', 'CausalConv1d', 'ReLU', 'GELU',
  'Pool', 'Sequential', 'Residual', 'SentimentLSTM', 'Conv1d'];

function mutate(spec, rnd) {
  const pick = (a) => a[Math.floor((rnd() + 0.5) * a.length)];
  const copy = structuredClone(spec);
  // the object to change: the spec itself or one of its (nested) layers
  let target = copy;
  while (Array.isArray(target.layers) && rnd() + 0.5 < 0.3) target = pick(target.layers);
  const what = rnd() + 0.5;
  if (what < 0.15) target.type = pick(TYPE_NAMES);
  else if (what < 0.3) delete target[pick(Object.keys(target))];
  else if (what < 0.45) target[pick(KEYS)] = pick(ODD_VALUES);
  else if (what < 0.55 && Array.isArray(target.layers)) target.layers[Math.floor((rnd() + 0.5) * target.layers.length)] = pick(CASES)[1];
  else target[pick(Object.keys(target))] = pick(ODD_VALUES);
  return copy;
}

const rndMut = lcg(2024);
const MUTANTS = Array.from({ length: 400 }, (_, i) => mutate(CASES[i % CASES.length][1], rndMut));
const CHECKS = [...BAD.map(([spec]) => spec), ...MUTANTS];
writeFileSync(join(dir, 'cases.json'), JSON.stringify({ cases: CASES.map(([name, spec]) => ({ name, spec })), checks: CHECKS }));
const report = JSON.parse(python([HELPER, dir], 'spec_parity.py'));
after(() => { for (const m of models.values()) m.dispose(); });

for (const [name, spec, , lengths] of CASES) {
  test(`spec ${name}: torch's state_dict keys and shapes are rnn-wasm's`, () => {
    const js = Object.entries(models.get(name).stateDict()).map(([k, t]) => [k, t.shape]);
    const byName = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0]);
    assert.deepEqual([...report.cases[name].keys].sort(byName), js.sort(byName));
  });

  test(`spec ${name}: rnn-wasm's weights in torch (strict) give rnn-wasm's outputs, and torch's weights here give torch's`, (t) => {
    const { x, x2, outputs } = jsResults.get(name);
    const a = compare(outputs, join(dir, `${name}.torch.safetensors`), `${name}, rnn-wasm's weights`);
    const other = buildModel(rnn, spec).eval();
    try {
      other.loadStateDict(rnn.safetensors.parse(readFileSync(join(dir, `${name}.torch-weights.safetensors`))));
      const b = compare(forwardChunks(other, spec, x, x2, lengths), join(dir, `${name}.torch-own.safetensors`), `${name}, torch's weights`);
      t.diagnostic(`max |rnn-wasm - torch|: ${a.toExponential(1)} (rnn-wasm's weights), ${b.toExponential(1)} (torch's)`);
    } finally {
      other.dispose();
    }
  });
}

for (const [name] of CASES) {
  test(`spec ${name}: torch's autograd gives rnn-wasm's parameter gradients`, (t) => {
    const { grads } = jsResults.get(name);
    const worst = compare(grads, join(dir, `${name}.torch-grads.safetensors`), `${name}, gradients`);
    t.diagnostic(`max |rnn-wasm - torch| over the gradients: ${worst.toExponential(1)}`);
  });
}

test('specs that buildModel refuses are refused by tools/spec_module.py, naming the same option', () => {
  BAD.forEach(([spec, word], i) => {
    assert.throws(() => buildModel(rnn, spec), (e) => e instanceof RnnError && e.code === ErrorCode.INVALID_ARGUMENT,
      `buildModel should refuse ${JSON.stringify(spec)}`);
    const { status, message: msg } = report.checks[i];
    assert.equal(status, 'refused', `spec_module.py should refuse ${JSON.stringify(spec)}: ${msg ?? status}`);
    assert.ok(msg.includes(word), `spec_module.py's message for ${JSON.stringify(spec)} should name ${word}: ${msg}`);
  });
});

test('400 mutated specs: tools/spec_module.py accepts exactly what buildModel accepts, and refuses only with SpecError', (t) => {
  let accepted = 0;
  MUTANTS.forEach((spec, i) => {
    let js = 'accepted';
    try {
      buildModel(rnn, spec).dispose();
    } catch (e) {
      assert.ok(e instanceof RnnError, `buildModel threw a non-RnnError for ${JSON.stringify(spec)}: ${e}`);
      js = 'refused';
    }
    const py = report.checks[BAD.length + i];
    assert.notEqual(py.status, 'crash', `spec_module.py crashed on ${JSON.stringify(spec)}: ${py.message}`);
    assert.equal(py.status, js, `buildModel ${js} ${JSON.stringify(spec)}, spec_module.py ${py.status}${py.message ? `: ${py.message}` : ''}`);
    if (js === 'accepted') accepted++;
  });
  t.diagnostic(`${accepted} of ${MUTANTS.length} mutants accepted by both, the rest refused by both`);
});
