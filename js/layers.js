// layers.js - Linear, Embedding, Dropout, LayerNorm, CausalConv1d, ReLU and
// GELU: PyTorch's options, shapes and state_dict, with forward and backward
// running on the wasm engine (src/linear.c, embedding.c, dropout.c,
// layernorm.c, causal_conv.c); ReLU and GELU are elementwise in JavaScript.
import { RnnError } from './errors.js';
import { ParamModule } from './param-module.js';
import { checkLengths, checkTensor, numel, typeName } from './tensor.js';
import { boolOption, checkKnown, intOption, numOption, randomSeed } from './options.js';


// Flat position -> "[i, j, ...]" in a tensor of this shape.
function position(flat, shape) {
  if (shape.length === 0) return '[]';
  const idx = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d];
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

/**
 * Integer index tensors (embedding ids, class targets): { shape, data } with
 * Int32Array, Uint32Array or an Array of integers as data, or one of those
 * arrays alone (1-D). Every value must be an integer in [0, hi), or equal to
 * `ignore` when given. Returns { shape, data: Int32Array }; throws before
 * anything runs, naming the first bad value and where it is (messages start
 * with `what`, the calling function).
 */
export function indexTensor(t, what, name, hi, ignore) {
  let shape, data;
  if (Array.isArray(t) || ArrayBuffer.isView(t)) {
    data = t;
    shape = [t.length];
  } else if (t !== null && typeof t === 'object' && 'shape' in t && 'data' in t) {
    ({ shape, data } = t);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new RnnError('SHAPE', `${what}: ${name}.shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    }
  } else {
    throw new RnnError('INVALID_ARGUMENT', `${what}: ${name} must be a tensor { shape, data } of integers (or an Int32Array / array of integers), got ${typeName(t)}`);
  }
  const field = data === t ? name : `${name}.data`;
  if (!(data instanceof Int32Array || data instanceof Uint32Array || Array.isArray(data))) {
    throw new RnnError('DTYPE', `${what}: ${field} must be an Int32Array, Uint32Array or array of integers, got ${typeName(data)}`);
  }
  if (data.length !== numel(shape)) {
    throw new RnnError('SHAPE', `${what}: ${name}.data has ${data.length} values but ${name}.shape [${shape}] needs ${numel(shape)}`);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v === ignore) continue;
    if (!Number.isInteger(v) || v < 0 || v >= hi) {
      const at = shape.length === 1 && data === t ? `[${i}]` : position(i, shape);
      const ok = ignore === undefined ? `[0, ${hi})` : `[0, ${hi}) and is not ignoreIndex (${ignore})`;
      throw new RnnError('INVALID_ARGUMENT', `${what}: ${name}${at} = ${v} is out of range ${ok}`);
    }
  }
  return { shape: [...shape], data: data instanceof Int32Array ? data : Int32Array.from(data) };
}

// The { dOutput } argument of a layer's backward, checked against its last
// forward (layer._last.outShape unless shape is given).
function dOutputOf(layer, grads, shape) {
  const what = layer._what;
  if (grads === null || typeof grads !== 'object') {
    throw new RnnError('INVALID_ARGUMENT', `${what}.backward: the argument must be an object { dOutput }`);
  }
  checkKnown(grads, ['dOutput'], `${what}.backward`);
  if (!layer._last) throw new RnnError('STATE', `${what}.backward: call forward first (one backward per forward)`);
  if (grads.dOutput == null) throw new RnnError('INVALID_ARGUMENT', `${what}.backward: dOutput is required`);
  checkTensor(grads.dOutput, 'dOutput', shape ?? layer._last.outShape);
  return grads.dOutput;
}

/** nn.Linear: y = x W^T + b over the last dimension. */
export class Linear extends ParamModule {
  constructor(core, opts = {}) {
    const what = 'Linear';
    checkKnown(opts ?? {}, ['inFeatures', 'outFeatures', 'bias', 'seed'], what);
    opts = opts ?? {};
    const inFeatures = intOption(opts, 'inFeatures', what, { max: 1 << 20 });
    const outFeatures = intOption(opts, 'outFeatures', what, { max: 1 << 20 });
    const bias = boolOption(opts, 'bias', what, true);
    const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
    const ptr = core.outPointer(what, (out) => core.x.rnn_linear_create(inFeatures, outFeatures, bias ? 1 : 0, seed >>> 0, out));
    super(core, ptr, 'rnn_linear_destroy', what, core.x.rnn_linear_parameters(ptr));
    this._quantizable = true;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.bias = bias;
    this.seed = seed;
    this._last = null; // what backward needs of the last forward
  }

  /** x: [..., inFeatures] (at least 1-D) -> a new [..., outFeatures] tensor. */
  forward(x) {
    const m = this._live(), core = this._core;
    const shape = checkTensor(x, 'x', null);
    const I = this.inFeatures, O = this.outFeatures;
    if (shape.length < 1 || shape[shape.length - 1] !== I) {
      throw new RnnError('SHAPE', `x must have shape [..., ${I}] (inFeatures ${I}), got [${shape}]`);
    }
    const rows = x.data.length / I;
    if (rows > 2 ** 31 - 1) throw new RnnError('OUT_OF_MEMORY', `Linear.forward: ${rows} rows is too many`);
    const ny = rows * O;
    const outShape = [...shape.slice(0, -1), O];
    this._last = null;
    const py = core.staging(4 * ny, `Linear activations (${rows} rows)`);
    // x goes straight into the layer's own input cache: one copy in.
    const px = core.outPointer('Linear.forward', (out) => core.x.rnn_linear_input(m, rows, out));
    core.f32(px, x.data.length).set(x.data);
    core.check(core.x.rnn_linear_forward(m, rows, px, py), 'Linear.forward');
    this._last = { inShape: [...shape], outShape, rows };
    return { shape: outShape, data: core.f32(py, ny).slice() };
  }

  /**
   * dOutput: d loss / d output of the last forward. Returns { dx } and
   * accumulates weight and bias gradients. One backward per forward.
   */
  backward(grads) {
    const m = this._live(), core = this._core;
    const dOutput = dOutputOf(this, grads);
    const { inShape, rows } = this._last;
    const nx = rows * this.inFeatures, ny = rows * this.outFeatures;
    const pdy = core.staging(4 * (nx + ny), `Linear gradients (${rows} rows)`), pdx = pdy + 4 * ny;
    core.f32(pdy, ny).set(dOutput.data);
    const st = core.x.rnn_linear_backward(m, pdy, pdx);
    this._last = null;
    core.check(st, 'Linear.backward');
    return { dx: { shape: [...inShape], data: core.f32(pdx, nx).slice() } };
  }
}

/** nn.Embedding: rows of a [numEmbeddings, embeddingDim] table by index. */
export class Embedding extends ParamModule {
  constructor(core, opts = {}) {
    const what = 'Embedding';
    checkKnown(opts ?? {}, ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'seed'], what);
    opts = opts ?? {};
    const num = intOption(opts, 'numEmbeddings', what, { max: 2 ** 30 });
    const dim = intOption(opts, 'embeddingDim', what, { max: 1 << 20 });
    const hasPadding = opts.paddingIdx != null;
    const paddingIdx = hasPadding ? intOption(opts, 'paddingIdx', what, { min: -num, max: num - 1 }) : null;
    const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
    const ptr = core.outPointer(what, (out) =>
      core.x.rnn_embedding_create(num, dim, hasPadding ? 1 : 0, paddingIdx ?? 0, seed >>> 0, out));
    super(core, ptr, 'rnn_embedding_destroy', what, core.x.rnn_embedding_parameters(ptr));
    this._quantizable = true; // int8 rows (a lookup reads them as scale * q)
    this.numEmbeddings = num;
    this.embeddingDim = dim;
    /** Normalized to [0, numEmbeddings) as PyTorch stores it, or null. */
    this.paddingIdx = hasPadding ? (paddingIdx < 0 ? paddingIdx + num : paddingIdx) : null;
    this.seed = seed;
    this._last = null;
  }

  /**
   * ids: integer tensor { shape, data: Int32Array | Uint32Array | number[] }
   * (or such an array alone, 1-D) -> a new [...shape, embeddingDim] tensor.
   */
  forward(ids) {
    const m = this._live(), core = this._core;
    const t = indexTensor(ids, 'Embedding.forward', 'ids', this.numEmbeddings);
    const n = t.data.length, D = this.embeddingDim, ny = n * D;
    const outShape = [...t.shape, D];
    this._last = null;
    const py = core.staging(4 * ny, `Embedding output (${n} ids)`);
    // the ids go straight into the layer's own cache (backward scatters by them)
    const pids = core.outPointer('Embedding.forward', (out) => core.x.rnn_embedding_input(m, n, out));
    core.i32(pids, n).set(t.data);
    core.check(core.x.rnn_embedding_forward(m, n, pids, py), 'Embedding.forward');
    this._last = { outShape, n };
    return { shape: outShape, data: core.f32(py, ny).slice() };
  }

  /**
   * Scatter-adds dOutput into the weight gradient (rows of repeated ids
   * sum; the padding row gets nothing). Ids have no gradient: returns {}.
   */
  backward(grads) {
    const m = this._live(), core = this._core;
    const dOutput = dOutputOf(this, grads);
    const ny = this._last.n * this.embeddingDim;
    const p = core.staging(4 * ny, 'Embedding gradient');
    core.f32(p, ny).set(dOutput.data);
    const st = core.x.rnn_embedding_backward(m, p);
    this._last = null;
    core.check(st, 'Embedding.backward');
    return {};
  }
}

// A layer whose C forward and backward run in place on one staged buffer
// (one copy in, one out): _fwd(m, p, n, shape) and _bwd(m, p) call C on handle m.
class InPlaceLayer extends ParamModule {
  _run(what, data, shape, run) {
    const core = this._core, n = data.length;
    const p = core.staging(4 * n, `${what} (${n} values)`);
    core.f32(p, n).set(data);
    core.check(run(p, n), what);
    return { shape: [...shape], data: core.f32(p, n).slice() };
  }

  /** A new tensor of x's shape. */
  forward(x) {
    const m = this._live();
    const shape = checkTensor(x, 'x', null);
    this._last = null;
    const y = this._run(`${this._what}.forward`, x.data, shape, (p, n) => this._fwd(m, p, n, shape));
    this._last = { outShape: [...shape] };
    return y;
  }

  /** dOutput of the last forward -> { dx } (parameter gradients accumulate). */
  backward(grads) {
    const m = this._live();
    const dy = dOutputOf(this, grads);
    const { outShape } = this._last;
    this._last = null;
    return { dx: this._run(`${this._what}.backward`, dy.data, outShape, (p) => this._bwd(m, p)) };
  }
}

/**
 * nn.Dropout: in training mode zeroes each element with probability p and
 * scales the rest by 1/(1-p) (mask from the seeded generator, kept in C
 * between forward and backward: src/dropout.c); identity in eval mode. No
 * parameters, but a C object, so it has dispose() too.
 */
export class Dropout extends InPlaceLayer {
  constructor(core, opts = {}) {
    const what = 'Dropout';
    checkKnown(opts ?? {}, ['p', 'seed'], what);
    opts = opts ?? {};
    const p = numOption(opts, 'p', what, { min: 0, max: 1, maxExclusive: true, def: 0.5 });
    const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
    const ptr = core.outPointer(what, (out) => core.x.rnn_dropout_create(p, seed >>> 0, out));
    super(core, ptr, 'rnn_dropout_destroy', what, 0);
    this.p = p;
    this.seed = seed;
    this._last = null; // { outShape } of the last forward
  }

  /** The mask generator's state (a copy); assign it back to replay the same masks. */
  get rngState() { return this._core.u32(this._core.x.rnn_dropout_rng(this._live()), 4).slice(); }
  set rngState(state) {
    if (!(state instanceof Uint32Array) || state.length !== 4) {
      throw new RnnError('INVALID_ARGUMENT', 'Dropout: rngState must be a Uint32Array of 4 words');
    }
    this._core.u32(this._core.x.rnn_dropout_rng(this._live()), 4).set(state);
  }

  // x times a fresh mask (training) or a copy of x (eval); dx = dy times that mask.
  _fwd(m, p, n) { return this._core.x.rnn_dropout_forward(m, this.training ? 1 : 0, n, p, p); }
  _bwd(m, p) { return this._core.x.rnn_dropout_backward(m, p, p); }
}

/**
 * nn.LayerNorm over the last dimension (src/layernorm.c): normalizedShape is
 * its size (or [size]); weight (ones) and bias (zeros).
 */
export class LayerNorm extends InPlaceLayer {
  constructor(core, opts = {}) {
    const what = 'LayerNorm';
    checkKnown(opts ?? {}, ['normalizedShape', 'eps'], what);
    const ns = opts?.normalizedShape; // one size (the last dimension), or [size]
    const D = intOption({ normalizedShape: ns?.length === 1 ? ns[0] : ns }, 'normalizedShape', what, { max: 1 << 20 });
    const eps = numOption(opts, 'eps', what, { min: 0, minExclusive: true, max: 1, def: 1e-5 });
    const ptr = core.outPointer(what, (out) => core.x.rnn_layernorm_create(D, eps, out));
    super(core, ptr, 'rnn_layernorm_destroy', what, core.x.rnn_layernorm_parameters(ptr));
    this.normalizedShape = D;
    this.eps = eps;
    this._last = null;
  }

  _fwd(m, p, n, shape) {
    const D = this.normalizedShape;
    if (shape[shape.length - 1] !== D) throw new RnnError('SHAPE', `LayerNorm.forward: x must have shape [..., ${D}], got [${shape}]`);
    return this._core.x.rnn_layernorm_forward(m, n / D, p, p);
  }
  _bwd(m, p) { return this._core.x.rnn_layernorm_backward(m, p, p); }
}

/**
 * A depthwise causal convolution over time (src/causal_conv.c), as Mamba runs
 * before its scan: [B, T, channels] -> the same shape, each channel mixing its
 * own last kernelSize inputs. PyTorch's nn.Conv1d(channels, channels,
 * kernelSize, groups=channels) on [B, C, T] with kernelSize - 1 zeros of left
 * padding (tools/min_rnn.py CausalConv1d); state_dict weight
 * [channels, 1, kernelSize], bias [channels]. Like a recurrent layer it
 * carries state: forward(x, { lengths, state }) starts from a previous
 * layer.state ({ context: [B, kernelSize - 1, channels], the inputs before
 * t = 0; zeros without it) and leaves the next one, so chunks see what one
 * long sequence would; steps at or past a sequence's length give 0.
 */
export class CausalConv1d extends ParamModule {
  constructor(core, opts = {}) {
    const what = 'CausalConv1d';
    checkKnown(opts ?? {}, ['channels', 'kernelSize', 'bias', 'seed'], what);
    opts = opts ?? {};
    const channels = intOption(opts, 'channels', what, { max: 1 << 20 });
    const kernelSize = intOption(opts, 'kernelSize', what, { max: 256 });
    const bias = boolOption(opts, 'bias', what, true);
    const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
    const ptr = core.outPointer(what, (out) => core.x.rnn_causalconv_create(channels, kernelSize, bias ? 1 : 0, seed >>> 0, out));
    super(core, ptr, 'rnn_causalconv_destroy', what, core.x.rnn_causalconv_parameters(ptr));
    Object.assign(this, { channels, kernelSize, bias, seed, state: null, _last: null });
  }

  /** Sequential hands this layer { lengths, state } and keeps its .state, as for a nested Sequential. */
  get carriesState() { return true; }

  forward(x, opts = {}) {
    const m = this._live(), core = this._core, what = 'CausalConv1d.forward';
    checkKnown(opts ?? {}, ['lengths', 'state'], what);
    const shape = checkTensor(x, 'x', null), C = this.channels, P = this.kernelSize - 1;
    if (shape.length !== 3 || shape[2] !== C) throw new RnnError('SHAPE', `${what}: x must have shape [B, T, ${C}], got [${shape}]`);
    const [B, T] = shape, lengths = checkLengths(opts?.lengths, T, B, what), ctx = opts?.state?.context;
    if (ctx != null) checkTensor(ctx, 'state.context', [B, P, C]);
    const n = B * T * C, nc = B * P * C;
    this._last = null;
    const px = core.staging(4 * (2 * n + 2 * nc + B), `${what} (${n} values)`), py = px + 4 * n, pc = py + 4 * n, pco = pc + 4 * nc;
    core.f32(px, n).set(x.data);
    if (ctx != null) core.f32(pc, nc).set(ctx.data);
    if (lengths) core.i32(pco + 4 * nc, B).set(lengths);
    core.check(core.x.rnn_causalconv_forward(m, B, T, px, lengths ? pco + 4 * nc : 0, ctx != null ? pc : 0, py, pco), what);
    this.state = { context: { shape: [B, P, C], data: core.f32(pco, nc).slice() } };
    this._last = { outShape: [B, T, C] };
    return { shape: [B, T, C], data: core.f32(py, n).slice() };
  }

  /** dOutput of the last forward -> { dx }; the weight and bias gradients accumulate (none reaches the context). */
  backward(grads) {
    const m = this._live(), core = this._core;
    const dy = dOutputOf(this, grads), n = dy.data.length, outShape = this._last.outShape;
    this._last = null;
    const pdy = core.staging(8 * n, `CausalConv1d gradients (${n} values)`), pdx = pdy + 4 * n;
    core.f32(pdy, n).set(dy.data);
    core.check(core.x.rnn_causalconv_backward(m, pdy, pdx), 'CausalConv1d.backward');
    return { dx: { shape: outShape, data: core.f32(pdx, n).slice() } };
  }
}

const TINY = 1.1754943508222875e-38; // FLT_MIN: results below it are flushed to 0 (src/flush.h's rule)

// nn.ReLU / nn.GELU: elementwise in JavaScript (no parameters, no C object),
// keeping x for backward.
class Activation {
  constructor(opts, what, f, df) {
    checkKnown(opts ?? {}, [], what);
    Object.assign(this, { _what: what, _f: f, _df: df, _last: null });
  }

  get numParams() { return 0; }
  train() { return this; }
  eval() { return this; }
  dispose() {}

  /** A new tensor: f of every element. */
  forward(x) {
    const shape = checkTensor(x, 'x', null), d = x.data;
    const y = new Float32Array(d.length);
    for (let i = 0; i < d.length; i++) y[i] = flush(this._f(d[i]));
    this._last = { outShape: [...shape], x: Float32Array.from(d) };
    return { shape: [...shape], data: y };
  }

  /** dOutput of the last forward -> { dx } = dOutput f'(x). */
  backward(grads) {
    const dy = dOutputOf(this, grads).data, { outShape, x } = this._last;
    this._last = null;
    for (let i = 0; i < x.length; i++) x[i] = flush(dy[i] * this._df(x[i]));
    return { dx: { shape: outShape, data: x } };
  }
}
const flush = (v) => (Math.abs(v) < TINY ? 0 * v : v);

// The standard normal CDF, erf by Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7).
function normalCdf(x) {
  const z = Math.abs(x) * Math.SQRT1_2, t = 1 / (1 + 0.3275911 * z);
  const e = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-z * z) / 2;
  return x >= 0 ? 1 - e : e;
}

/** nn.ReLU: max(x, 0). */
export class ReLU extends Activation {
  constructor(opts) { super(opts, 'ReLU', (x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0)); }
}

/** nn.GELU (approximate 'none'): x Phi(x), Phi the standard normal CDF. */
export class GELU extends Activation {
  constructor(opts) {
    super(opts, 'GELU', (x) => x * normalCdf(x), (x) => normalCdf(x) + x * 0.3989422804014327 * Math.exp(-x * x / 2));
  }
}
