// layers.js - Linear, Embedding and Dropout: PyTorch's nn.Linear /
// nn.Embedding / nn.Dropout options, shapes and state_dict, with forward and
// backward running on the wasm engine (src/linear.c, embedding.c, dropout.c).
import { RnnError } from './errors.js';
import { ParamModule } from './module.js';
import { checkTensor, numel } from './tensor.js';
import { boolOption, checkKnown, intOption, numOption, randomSeed } from './options.js';

function typeName(v) {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return v.constructor.name;
  return typeof v;
}

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

// Reads a C module's tensor table through its <prefix>_num_tensors / _tensor.
function readTable(core, prefix, m) {
  const n = core.x[`${prefix}_num_tensors`](m);
  return core.withBlock(16, 'tensor info', (p) => {
    const table = [];
    for (let i = 0; i < n; i++) {
      const dims = core.x[`${prefix}_tensor`](m, i, p, p + 4, p + 8, p + 12);
      const [namePtr, offset, rows, cols] = core.u32(p, 4);
      table.push({ name: core.cstring(namePtr), offset, shape: dims === 1 ? [rows] : [rows, cols] });
    }
    return table;
  });
}

// Shared by Linear and Embedding: a C object exposing <prefix>_params/grads/...
class CModule extends ParamModule {
  constructor(core, prefix, ptr, what) {
    super(core, ptr, `${prefix}_destroy`, what);
    this._prefix = prefix;
    this._table = readTable(core, prefix, ptr);
    this._last = null; // what backward needs of the last forward
  }

  _tensorTable() { return this._table; }
  _paramsPtr() { return this._core.x[`${this._prefix}_params`](this._live()) >>> 0; }
  _gradsPtr() { return this._core.x[`${this._prefix}_grads`](this._live()) >>> 0; }
  _paramsChanged() { this._core.x[`${this._prefix}_params_changed`](this._live()); }

  // The { dOutput } argument of backward, checked against the last forward.
  _dOutput(grads, shape) {
    if (grads === null || typeof grads !== 'object') {
      throw new RnnError('INVALID_ARGUMENT', `${this._what}.backward: the argument must be an object { dOutput }`);
    }
    checkKnown(grads, ['dOutput'], `${this._what}.backward`);
    if (!this._last) throw new RnnError('STATE', `${this._what}.backward: call forward first (one backward per forward)`);
    if (grads.dOutput == null) throw new RnnError('INVALID_ARGUMENT', `${this._what}.backward: dOutput is required`);
    checkTensor(grads.dOutput, 'dOutput', shape ?? this._last.outShape);
    return grads.dOutput;
  }
}

function createHandle(core, what, create) {
  return core.withBlock(4, `${what} handle`, (out) => {
    core.check(create(out), what);
    return core.u32(out, 1)[0];
  });
}

export function makeLayerClasses(core) {
  /** nn.Linear: y = x W^T + b over the last dimension. */
  class Linear extends CModule {
    constructor(opts = {}) {
      const what = 'Linear';
      checkKnown(opts ?? {}, ['inFeatures', 'outFeatures', 'bias', 'seed'], what);
      opts = opts ?? {};
      const inFeatures = intOption(opts, 'inFeatures', what, { max: 1 << 20 });
      const outFeatures = intOption(opts, 'outFeatures', what, { max: 1 << 20 });
      const bias = boolOption(opts, 'bias', what, true);
      const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
      const ptr = createHandle(core, what, (out) =>
        core.x.rnn_linear_create(inFeatures, outFeatures, bias ? 1 : 0, seed >>> 0, out));
      super(core, 'rnn_linear', ptr, what);
      this.inFeatures = inFeatures;
      this.outFeatures = outFeatures;
      this.bias = bias;
      this.seed = seed;
    }

    /** x: [..., inFeatures] (at least 1-D) -> a new [..., outFeatures] tensor. */
    forward(x) {
      const m = this._live();
      const shape = checkTensor(x, 'x', null);
      const I = this.inFeatures, O = this.outFeatures;
      if (shape.length < 1 || shape[shape.length - 1] !== I) {
        throw new RnnError('SHAPE', `x must have shape [..., ${I}] (inFeatures ${I}), got [${shape}]`);
      }
      const rows = x.data.length / I;
      if (rows > 2 ** 31 - 1) throw new RnnError('OUT_OF_MEMORY', `Linear.forward: ${rows} rows is too many`);
      const nx = rows * I, ny = rows * O;
      const outShape = [...shape.slice(0, -1), O];
      return core.withBlock(4 * (nx + ny), `Linear activations (${rows} rows)`, (p) => {
        const px = p, py = p + 4 * nx;
        core.f32(px, nx).set(x.data);
        this._last = null;
        core.check(core.x.rnn_linear_forward(m, rows, px, py), 'Linear.forward');
        this._last = { inShape: [...shape], outShape, rows };
        return { shape: outShape, data: core.f32(py, ny).slice() };
      });
    }

    /**
     * dOutput: d loss / d output of the last forward. Returns { dx } and
     * accumulates weight and bias gradients. One backward per forward.
     */
    backward(grads) {
      const m = this._live();
      const dOutput = this._dOutput(grads);
      const { inShape, rows } = this._last;
      const nx = rows * this.inFeatures, ny = rows * this.outFeatures;
      return core.withBlock(4 * (nx + ny), `Linear gradients (${rows} rows)`, (p) => {
        const pdy = p, pdx = p + 4 * ny;
        core.f32(pdy, ny).set(dOutput.data);
        const st = core.x.rnn_linear_backward(m, pdy, pdx);
        this._last = null;
        core.check(st, 'Linear.backward');
        return { dx: { shape: [...inShape], data: core.f32(pdx, nx).slice() } };
      });
    }
  }

  /** nn.Embedding: rows of a [numEmbeddings, embeddingDim] table by index. */
  class Embedding extends CModule {
    constructor(opts = {}) {
      const what = 'Embedding';
      checkKnown(opts ?? {}, ['numEmbeddings', 'embeddingDim', 'paddingIdx', 'seed'], what);
      opts = opts ?? {};
      const num = intOption(opts, 'numEmbeddings', what, { max: 2 ** 30 });
      const dim = intOption(opts, 'embeddingDim', what, { max: 1 << 20 });
      const hasPadding = opts.paddingIdx != null;
      const paddingIdx = hasPadding ? intOption(opts, 'paddingIdx', what, { min: -num, max: num - 1 }) : null;
      const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
      const ptr = createHandle(core, what, (out) =>
        core.x.rnn_embedding_create(num, dim, hasPadding ? 1 : 0, paddingIdx ?? 0, seed >>> 0, out));
      super(core, 'rnn_embedding', ptr, what);
      this.numEmbeddings = num;
      this.embeddingDim = dim;
      /** Normalized to [0, numEmbeddings) as PyTorch stores it, or null. */
      this.paddingIdx = hasPadding ? (paddingIdx < 0 ? paddingIdx + num : paddingIdx) : null;
      this.seed = seed;
    }

    /**
     * ids: integer tensor { shape, data: Int32Array | Uint32Array | number[] }
     * (or such an array alone, 1-D) -> a new [...shape, embeddingDim] tensor.
     */
    forward(ids) {
      const m = this._live();
      const t = indexTensor(ids, 'Embedding.forward', 'ids', this.numEmbeddings);
      const n = t.data.length, D = this.embeddingDim, ny = n * D;
      const outShape = [...t.shape, D];
      return core.withBlock(4 * (n + ny), `Embedding output (${n} ids)`, (p) => {
        const pids = p, py = p + 4 * n;
        core.i32(pids, n).set(t.data);
        this._last = null;
        core.check(core.x.rnn_embedding_forward(m, n, pids, py), 'Embedding.forward');
        this._last = { outShape, n };
        return { shape: outShape, data: core.f32(py, ny).slice() };
      });
    }

    /**
     * Scatter-adds dOutput into the weight gradient (rows of repeated ids
     * sum; the padding row gets nothing). Ids have no gradient: returns {}.
     */
    backward(grads) {
      const m = this._live();
      const dOutput = this._dOutput(grads);
      const ny = this._last.n * this.embeddingDim;
      return core.withBlock(4 * ny, 'Embedding gradient', (p) => {
        core.f32(p, ny).set(dOutput.data);
        const st = core.x.rnn_embedding_backward(m, p);
        this._last = null;
        core.check(st, 'Embedding.backward');
        return {};
      });
    }
  }

  /**
   * nn.Dropout: in training mode zeroes each element with probability p and
   * scales the rest by 1/(1-p) (mask from the seeded generator,
   * rnn_dropout_mask); identity in eval mode. No parameters. Its handle is
   * the generator's state in wasm memory, so it has dispose() too.
   */
  class Dropout extends ParamModule {
    constructor(opts = {}) {
      const what = 'Dropout';
      checkKnown(opts ?? {}, ['p', 'seed'], what);
      opts = opts ?? {};
      const p = numOption(opts, 'p', what, { min: 0, max: 1, maxExclusive: true, def: 0.5 });
      const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
      const rng = core.alloc(16, 'Dropout generator');
      core.x.rnn_rng_seed(rng, BigInt(seed));
      super(core, rng, 'free', what);
      this.p = p;
      this.seed = seed;
      this._last = null; // { shape, mask: Float32Array | null (identity) }
    }

    _tensorTable() { return []; }
    _paramsPtr() { return 0; }
    _gradsPtr() { return 0; }

    /** The mask generator's state (a copy); assign it back to replay the same masks. */
    get rngState() { return core.u32(this._live(), 4).slice(); }
    set rngState(state) {
      if (!(state instanceof Uint32Array) || state.length !== 4) {
        throw new RnnError('INVALID_ARGUMENT', 'Dropout: rngState must be a Uint32Array of 4 words');
      }
      core.u32(this._live(), 4).set(state);
    }

    /** A new tensor: x times a fresh mask (training) or a copy of x (eval). */
    forward(x) {
      const rng = this._live();
      const shape = checkTensor(x, 'x', null);
      const n = x.data.length;
      this._last = null;
      if (!this.training) {
        this._last = { shape: [...shape], mask: null };
        return { shape: [...shape], data: x.data.slice() };
      }
      const mask = core.withBlock(4 * n, `Dropout mask (${n} values)`, (pm) => {
        core.x.rnn_dropout_mask(rng, this.p, n, pm);
        return core.f32(pm, n).slice();
      });
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) y[i] = x.data[i] * mask[i];
      this._last = { shape: [...shape], mask };
      return { shape: [...shape], data: y };
    }

    /** dx = dOutput times the mask of the last forward (a copy in eval mode). */
    backward(grads) {
      this._live();
      if (grads === null || typeof grads !== 'object') {
        throw new RnnError('INVALID_ARGUMENT', 'Dropout.backward: the argument must be an object { dOutput }');
      }
      checkKnown(grads, ['dOutput'], 'Dropout.backward');
      if (!this._last) throw new RnnError('STATE', 'Dropout.backward: call forward first (one backward per forward)');
      if (grads.dOutput == null) throw new RnnError('INVALID_ARGUMENT', 'Dropout.backward: dOutput is required');
      const { shape, mask } = this._last;
      const dy = grads.dOutput;
      checkTensor(dy, 'dOutput', shape);
      this._last = null;
      if (!mask) return { dx: { shape: [...shape], data: dy.data.slice() } };
      const dx = new Float32Array(mask.length);
      for (let i = 0; i < mask.length; i++) dx[i] = dy.data[i] * mask[i];
      return { dx: { shape: [...shape], data: dx } };
    }
  }

  return { Linear, Embedding, Dropout };
}
