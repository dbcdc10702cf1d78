// keras/build.js - Keras layers (class, config, weights) -> the run-time
// steps of keras/ops.js with rnn-wasm modules holding the weights. Every
// option that changes what a layer computes is read and either honoured or
// refused with UNSUPPORTED naming the layer and the option; the weights'
// shapes are checked against the topology.
import { RnnError } from '../errors.js';
import { Dropout, Embedding, Linear } from '../layers.js';
import { GRU, LSTM, RNN } from '../recurrent.js';
import { checkActivation } from './activations.js';
import { ActivationOp, DenseOp, DropoutOp, EmbeddingOp, FlattenOp, GlobalPoolOp, MaskingOp, RecurrentOp } from './ops.js';
import { TORCH_FROM_KERAS, biasReorder, kernelToTorch } from './weights.js';

const unsupported = (where, msg) => { throw new RnnError('UNSUPPORTED', `loadLayersModel: ${where}: ${msg}`); };
const bad = (where, msg) => { throw new RnnError('FORMAT', `loadLayersModel: ${where}: ${msg}`); };
const RECURRENT = { SimpleRNN: 'RNN', LSTM: 'LSTM', GRU: 'GRU' };
const MERGES = ['concat', 'sum', 'ave', 'mul'];

/**
 * The rnn-wasm options of a Keras recurrent cell: SimpleRNN's activation;
 * for LSTM and GRU the gate function (recurrent_activation: sigmoid, or
 * hard_sigmoid as the model's Keras version defines it: clip(0.2x + 0.5)
 * in TF.js and Keras 2, relu6(x + 3) / 6 in Keras 3) and GRU's reset_after.
 * Missing values take TF.js's defaults (hard_sigmoid; reset_after false).
 */
function cellOptions(cell, c, where, keras3) {
  if (cell === 'RNN') {
    const act = c.activation ?? 'tanh';
    if (act !== 'tanh' && act !== 'relu') unsupported(where, `activation ${JSON.stringify(act)} (SimpleRNN: tanh or relu)`);
    return { nonlinearity: act };
  }
  if ((c.activation ?? 'tanh') !== 'tanh') unsupported(where, `activation ${JSON.stringify(c.activation)} (the cell's candidate activation must be tanh)`);
  const gate = c.recurrent_activation ?? 'hard_sigmoid';
  const GATES = { sigmoid: 'sigmoid', hard_sigmoid: keras3 ? 'hardSigmoidKeras3' : 'hardSigmoid' };
  if (!GATES[gate]) unsupported(where, `recurrent_activation ${JSON.stringify(gate)} (supported: ${Object.keys(GATES).join(', ')})`);
  const opts = {};
  if (gate !== 'sigmoid') opts.gateActivation = GATES[gate];
  if (cell === 'GRU' && !flag(c, 'reset_after', false, where)) opts.resetAfter = false;
  return opts;
}

// A cell variant this engine build does not have yet is refused by name.
function makeCell(Cell, core, opts, where) {
  try {
    return new Cell(core, opts);
  } catch (e) {
    const variant = ['gateActivation', 'resetAfter'].find((k) => k in opts && e.message.includes(`'${k}'`));
    if (!variant) throw e;
    const what = variant === 'resetAfter' ? 'reset_after false (the reset gate before the recurrent product; TF.js\'s only GRU form)' : `recurrent_activation hard_sigmoid (${opts.gateActivation})`;
    return unsupported(where, `${what} is not supported yet by this engine`);
  }
}

// Options that only change training in Keras: honoured as far as they can be, or reported.
function trainingOnly(c, where, warnings) {
  if (c.time_major) unsupported(where, 'time_major true (inputs must be batch-first)');
  for (const k of ['dropout', 'recurrent_dropout']) {
    if (c[k] > 0) warnings.push(`${where}: ${k}=${c[k]} is applied by Keras in training only and is not applied when training here (inference is the same)`);
  }
  for (const k of ['kernel_regularizer', 'recurrent_regularizer', 'bias_regularizer', 'activity_regularizer', 'embeddings_regularizer']) {
    if (c[k] != null) warnings.push(`${where}: ${k} is not applied when training here`);
  }
  if (c.stateful) warnings.push(`${where}: stateful is ignored (each forward starts from zero states)`);
}

/**
 * The weights of one layer: name segments after the layer's name ->
 * { 'kernel', 'forward/kernel', ... } (the last segment; Bidirectional
 * weights keyed by the direction of their forward_ / backward_ segment).
 */
export function weightsOf(all, layerName, used) {
  const out = new Map();
  for (const [full, t] of all) {
    const parts = full.replace(/:\d+$/, '').split('/');
    const at = parts.lastIndexOf(layerName);
    if (at < 0 || at === parts.length - 1) continue;
    const rest = parts.slice(at + 1);
    const dir = rest.find((s) => s.startsWith('forward_') || s.startsWith('backward_'));
    const key = (dir ? `${dir.split('_')[0]}/` : '') + rest[rest.length - 1];
    if (out.has(key)) bad(`layer '${layerName}'`, `weights '${out.get(key).full}' and '${full}' are both its ${key}`);
    out.set(key, { ...t, full });
    used.add(full);
  }
  return out;
}

function take(w, key, shape, where) {
  const t = w.get(key);
  if (!t) bad(where, `weight '${key}' is missing from the weightsManifest (has: ${[...w.keys()].join(', ') || 'none'})`);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    bad(where, `weight '${t.full}' has shape [${t.shape}] but the topology needs [${shape}]`);
  }
  return t.data;
}

// A Keras cell's weights -> the rnn-wasm state dict of one direction.
function recurrentWeights(cell, w, prefix, I, H, useBias, resetAfter, where, suffix) {
  const order = TORCH_FROM_KERAS[cell], G = order.length;
  const k = take(w, `${prefix}kernel`, [I, G * H], where);
  const r = take(w, `${prefix}recurrent_kernel`, [H, G * H], where);
  const sd = {
    [`weight_ih_l0${suffix}`]: { shape: [G * H, I], data: kernelToTorch(k, I, H, order) },
    [`weight_hh_l0${suffix}`]: { shape: [G * H, H], data: kernelToTorch(r, H, H, order) },
  };
  if (useBias) {
    const two = cell === 'GRU' && resetAfter;
    const b = take(w, `${prefix}bias`, two ? [2, G * H] : [G * H], where);
    sd[`bias_ih_l0${suffix}`] = { shape: [G * H], data: biasReorder(b.subarray(0, G * H), H, order, true) };
    sd[`bias_hh_l0${suffix}`] = { shape: [G * H], data: two ? biasReorder(b.subarray(G * H), H, order, true) : new Float32Array(G * H) };
  }
  return sd;
}

const CELLS = { RNN, LSTM, GRU };

// A boolean option of a layer's config (missing: def).
function flag(c, key, def, where) {
  const v = c[key] ?? def;
  if (typeof v !== 'boolean') bad(where, `${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function buildRecurrent(core, layer, inner, shape, ctx) {
  const { name } = layer;
  const bidi = inner !== null;
  const spec = bidi ? inner : layer;
  const cell = RECURRENT[spec.className];
  const where = bidi ? `layer '${name}' (Bidirectional ${spec.className})` : `layer '${name}' (${spec.className})`;
  const c = spec.config;
  if (shape.rank !== 3) unsupported(where, `needs a [batch, time, features] input, got rank ${shape.rank}`);
  const H = c.units;
  if (!Number.isInteger(H) || H < 1) bad(where, `units must be a positive integer, got ${JSON.stringify(H)}`);
  const opts = cellOptions(cell, c, where, ctx.keras3);
  trainingOnly(c, where, ctx.warnings);
  const useBias = flag(c, 'use_bias', true, where);
  const returnSequences = flag(c, 'return_sequences', false, where);
  const goBackwards = flag(c, 'go_backwards', false, where);
  let merge = null;
  if (bidi) {
    merge = layer.config.merge_mode === undefined ? 'concat' : layer.config.merge_mode;
    if (!MERGES.includes(merge)) unsupported(where, `merge_mode ${JSON.stringify(merge)} (supported: ${MERGES.join(', ')})`);
    const back = layer.config.backward_layer;
    if (back != null) {
      const bc = back.config ?? {};
      if (back.class_name !== spec.className || bc.units !== H || (bc.return_sequences ?? false) !== (c.return_sequences ?? false)
        || (bc.recurrent_activation ?? 'hard_sigmoid') !== (c.recurrent_activation ?? 'hard_sigmoid') || (bc.activation ?? 'tanh') !== (c.activation ?? 'tanh')
        || (bc.reset_after ?? false) !== (c.reset_after ?? false) || (bc.use_bias ?? true) !== useBias) {
        unsupported(where, 'backward_layer differs from the forward layer (only mirrored Bidirectional layers load)');
      }
    }
    if (goBackwards) unsupported(where, 'go_backwards inside Bidirectional');
  }
  const I = shape.F;
  const resetAfter = cell === 'GRU' && c.reset_after === true;
  const w = weightsOf(ctx.weights, name, ctx.used);
  const sd = bidi
    ? { ...recurrentWeights(cell, w, 'forward/', I, H, useBias, resetAfter, where, ''), ...recurrentWeights(cell, w, 'backward/', I, H, useBias, resetAfter, where, '_reverse') }
    : recurrentWeights(cell, w, '', I, H, useBias, resetAfter, where, '');
  // stateDict order: l0 then l0_reverse, weights before biases per direction
  const module = ctx.keep(makeCell(CELLS[cell], core, { inputSize: I, hiddenSize: H, bias: useBias, batchFirst: true, bidirectional: bidi, seed: ctx.seed, ...opts }, where));
  module.loadStateDict(sd);
  const op = new RecurrentOp(name, module, { returnSequences, goBackwards, merge: bidi ? merge : 'concat', needDx: ctx.needDx });
  const F = op.outFeatures;
  return { op, shape: returnSequences ? { rank: 3, T: shape.T, F } : { rank: 2, F } };
}

function buildDense(core, name, c, shape, ctx, timeDistributed) {
  const where = `layer '${name}' (${timeDistributed ? 'TimeDistributed(Dense)' : 'Dense'})`;
  if (timeDistributed && shape.rank !== 3) unsupported(where, `needs a [batch, time, features] input, got rank ${shape.rank}`);
  const U = c.units;
  if (!Number.isInteger(U) || U < 1) bad(where, `units must be a positive integer, got ${JSON.stringify(U)}`);
  const act = kerasActivation(c.activation ?? 'linear', ctx, where);
  trainingOnly(c, where, ctx.warnings);
  const useBias = flag(c, 'use_bias', true, where);
  const w = weightsOf(ctx.weights, name, ctx.used);
  const k = take(w, 'kernel', [shape.F, U], where);
  const sd = { weight: { shape: [U, shape.F], data: kernelToTorch(k, shape.F, U, [0]) } };
  if (useBias) sd.bias = { shape: [U], data: take(w, 'bias', [U], where).slice() };
  const module = ctx.keep(new Linear(core, { inFeatures: shape.F, outFeatures: U, bias: useBias, seed: ctx.seed }));
  module.loadStateDict(sd);
  return { op: new DenseOp(name, module, act, { needDx: ctx.needDx, timeDistributed }), shape: { ...shape, F: U } };
}

// An activation's name in this file's Keras version -> the one activations.js implements.
function kerasActivation(name, ctx, where) {
  if (name === 'hard_sigmoid_keras3') unsupported(where, `activation ${JSON.stringify(name)}`);
  const act = name === 'hard_sigmoid' && ctx.keras3 ? 'hard_sigmoid_keras3' : name;
  checkActivation(act, `loadLayersModel: ${where}`);
  return act;
}

// The batch input shape a layer's config declares (Keras 2 / TF.js: batch_input_shape; Keras 3: batch_shape).
const declaredShape = (c) => c.batch_input_shape ?? c.batch_shape ?? null;

/**
 * Builds the steps of a chain of Keras layers. ctx: { weights (Map),
 * warnings, seed, keep(module) }. Returns { ops, input: { shape, ids } }.
 */
export function buildOps(core, layers, ctx) {
  const used = new Set();
  const ops = [];
  let shape = null, input = null, anyParams = false;
  ctx = { ...ctx, used };
  const startFrom = (decl, where) => {
    if (!Array.isArray(decl) || decl.length < 2 || decl.length > 3) unsupported(where, `input shape ${JSON.stringify(decl)} (supported: [batch, time] ids or [batch, time, features])`);
    if (!decl.every((d) => d == null || (Number.isInteger(d) && d >= 1 && d < 2 ** 31))) bad(where, `input shape ${JSON.stringify(decl)} must hold positive integers or null`);
    input = { shape: decl.map((d) => (d == null ? null : d)) };
    shape = decl.length === 3 ? { rank: 3, T: decl[1], F: decl[2] } : { rank: 'ids', T: decl[1] };
  };
  layers.forEach((layer, i) => {
    const { className, name, config: c } = layer;
    const where = `layer '${name}' (${className})`;
    if (className === 'InputLayer') {
      if (i !== 0) unsupported(where, 'an InputLayer after the first layer');
      if (c.sparse || c.ragged) unsupported(where, 'sparse or ragged inputs');
      return startFrom(declaredShape(c), where);
    }
    if (shape === null) {
      const decl = declaredShape(c);
      if (decl) startFrom(decl, where);
      else if (className === 'Embedding') startFrom([null, c.input_length ?? null], where);
      else unsupported(where, 'the first layer declares no input shape (batch_input_shape)');
    }
    if (shape.rank === 'ids' && className !== 'Embedding') unsupported(where, 'a [batch, time] input must go into an Embedding first');
    ctx.needDx = anyParams;
    let built;
    switch (className) {
      case 'Embedding': {
        if (shape.rank !== 'ids') unsupported(where, 'an Embedding after the first layer');
        const V = c.input_dim, D = c.output_dim;
        if (!Number.isInteger(V) || V < 1 || !Number.isInteger(D) || D < 1) bad(where, 'input_dim and output_dim must be positive integers');
        trainingOnly(c, where, ctx.warnings);
        const table = take(weightsOf(ctx.weights, name, used), 'embeddings', [V, D], where).slice();
        const module = ctx.keep(new Embedding(core, { numEmbeddings: V, embeddingDim: D, seed: ctx.seed }));
        module.loadStateDict({ weight: { shape: [V, D], data: table } });
        built = { op: new EmbeddingOp(name, module, flag(c, 'mask_zero', false, where)), shape: { rank: 3, T: shape.T, F: D } };
        break;
      }
      case 'Masking': {
        if (shape.rank !== 3) unsupported(where, 'needs a [batch, time, features] input');
        const v = c.mask_value ?? 0;
        if (typeof v !== 'number') unsupported(where, `mask_value ${JSON.stringify(v)}`);
        built = { op: new MaskingOp(name, v), shape };
        break;
      }
      case 'SimpleRNN': case 'LSTM': case 'GRU':
        built = buildRecurrent(core, layer, null, shape, ctx);
        break;
      case 'Bidirectional': {
        const inner = c.layer;
        if (!inner || !RECURRENT[inner.class_name]) unsupported(where, `wraps ${JSON.stringify(inner?.class_name)} (supported: ${Object.keys(RECURRENT).join(', ')})`);
        built = buildRecurrent(core, layer, { className: inner.class_name, name: inner.config?.name, config: inner.config ?? {} }, shape, ctx);
        break;
      }
      case 'Dense':
        built = buildDense(core, name, c, shape, ctx, false);
        break;
      case 'TimeDistributed':
        if (c.layer?.class_name !== 'Dense') unsupported(where, `wraps ${JSON.stringify(c.layer?.class_name)} (supported: Dense)`);
        built = buildDense(core, name, c.layer.config ?? {}, shape, ctx, true);
        break;
      case 'Activation':
        built = { op: new ActivationOp(name, kerasActivation(c.activation, ctx, where)), shape };
        break;
      case 'Dropout': case 'SpatialDropout1D': {
        const rate = c.rate ?? 0;
        if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) bad(where, `rate must be in [0, 1), got ${JSON.stringify(rate)}`);
        if (c.noise_shape != null) unsupported(where, 'noise_shape');
        if (className === 'SpatialDropout1D' && shape.rank !== 3) unsupported(where, 'needs a [batch, time, features] input');
        const module = ctx.keep(new Dropout(core, { p: rate, seed: (ctx.seed + i) >>> 0 }));
        built = { op: new DropoutOp(name, module, className === 'SpatialDropout1D'), shape };
        break;
      }
      case 'Flatten':
        if (shape.rank !== 3) unsupported(where, 'Flatten is supported on [batch, time, features] (after a recurrent layer)');
        if (shape.T == null) unsupported(where, 'Flatten needs a fixed number of time steps (batch_input_shape)');
        built = { op: new FlattenOp(name), shape: { rank: 2, F: shape.T * shape.F, T: shape.T, flattenF: shape.F } };
        break;
      case 'GlobalAveragePooling1D': case 'GlobalMaxPooling1D':
        if (shape.rank !== 3) unsupported(where, 'needs a [batch, time, features] input');
        if ((c.data_format ?? 'channels_last') !== 'channels_last') unsupported(where, `data_format ${JSON.stringify(c.data_format)}`);
        if (c.keepdims) unsupported(where, 'keepdims true');
        built = { op: new GlobalPoolOp(name, className === 'GlobalMaxPooling1D' ? 'max' : 'mean'), shape: { rank: 2, F: shape.F } };
        break;
      default:
        unsupported(where, `layer class '${className}' is not supported (supported: InputLayer, Embedding, Masking, SimpleRNN, LSTM, GRU, Bidirectional, Dense, TimeDistributed(Dense), Activation, Dropout, SpatialDropout1D, Flatten, GlobalAveragePooling1D, GlobalMaxPooling1D)`);
    }
    built.op.className = className;
    built.op.inShape = shape;
    if (built.op.module && built.op.module.numParams > 0) anyParams = true;
    ops.push(built.op);
    shape = built.shape;
  });
  if (!ops.length) unsupported('the model', 'has no layers after its input');
  const stray = [...ctx.weights.keys()].filter((k) => !used.has(k));
  if (stray.length) bad('weightsManifest', `weight '${stray[0]}' belongs to no layer of the topology${stray.length > 1 ? ` (and ${stray.length - 1} more)` : ''}`);
  return { ops, input, output: shape };
}
