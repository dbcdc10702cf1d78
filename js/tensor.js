// tensor.js - the plain { shape, data } tensors that cross the API, and the
// checks that give a clear error naming the argument.
import { RnnError } from './errors.js';

export function numel(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** A new { shape, data } tensor, zero-filled unless data is given. */
export function tensor(shape, data) {
  checkShape(shape, 'shape');
  const n = numel(shape);
  if (data === undefined) return { shape: [...shape], data: new Float32Array(n) };
  const f = data instanceof Float32Array ? data : Float32Array.from(data);
  if (f.length !== n) {
    throw new RnnError('SHAPE', `tensor data has ${f.length} values but shape [${shape}] needs ${n}`);
  }
  return { shape: [...shape], data: f };
}

/**
 * Whether every float tensor the API takes in is scanned for NaN / Infinity
 * (off by default: the scan costs one pass over the data). Set through
 * rnn.setCheckFinite(on); one switch for the whole page or process.
 */
export let finiteChecks = false;

export function setFiniteChecks(on) {
  const before = finiteChecks;
  finiteChecks = Boolean(on);
  return before;
}

/** Throws NON_FINITE naming the argument and the first bad index. */
export function assertFinite(data, name) {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new RnnError('NON_FINITE', `${name} holds ${data[i]} at index ${i} (finite values are checked: rnn.setCheckFinite(true))`);
    }
  }
}

function checkShape(shape, name) {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RnnError('SHAPE', `${name} must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

/** A value's type for error messages: 'null', a typed array's or Array's name, or typeof. */
export function typeName(v) {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return v.constructor.name;
  return typeof v;
}

/**
 * Checks that t is a { shape, data: Float32Array } tensor whose shape matches
 * `expected` (numbers, or null for "any size"). Returns the shape.
 */
export function checkTensor(t, name, expected) {
  if (t === null || typeof t !== 'object' || !('shape' in t) || !('data' in t)) {
    throw new RnnError('INVALID_ARGUMENT', `${name} must be a tensor { shape, data }, got ${typeName(t)}`);
  }
  checkShape(t.shape, `${name}.shape`);
  if (!(t.data instanceof Float32Array)) {
    throw new RnnError('DTYPE', `${name}.data must be a Float32Array, got ${typeName(t.data)}`);
  }
  if (t.data.length !== numel(t.shape)) {
    throw new RnnError('SHAPE', `${name}.data has ${t.data.length} values but ${name}.shape [${t.shape}] needs ${numel(t.shape)}`);
  }
  if (expected) {
    const ok = t.shape.length === expected.length &&
      expected.every((e, i) => e === null || e === t.shape[i]);
    if (!ok) {
      const want = expected.map((e) => (e === null ? '*' : e)).join(', ');
      throw new RnnError('SHAPE', `${name} must have shape [${want}], got [${t.shape}]`);
    }
  }
  if (finiteChecks) assertFinite(t.data, name);
  return t.shape;
}

// Subnormal floats (0 < |v| < 2^-126) cost a slow path on many CPUs for
// every operation on them, and WebAssembly has no flush-to-zero mode: the
// engine flushes every value it produces (src/flush.h), and JS code that
// computes in double and stores float32 does the same through these.
const FLT_MIN = 2 ** -126;

/** v as float32, with a subnormal result flushed to a zero of its sign. */
export function flushF32(v) {
  const f = Math.fround(v);
  return f !== 0 && Math.abs(f) < FLT_MIN ? (f < 0 ? -0 : 0) : f;
}

/** A Float32Array of the values (e.g. a Float64Array), subnormals flushed. */
export function toFloat32Flushed(values) {
  const out = Float32Array.from(values);
  for (let i = 0; i < out.length; i++) if (out[i] !== 0 && Math.abs(out[i]) < FLT_MIN) out[i] = out[i] < 0 ? -0 : 0;
  return out;
}

/** lengths: one integer in [1, T] per batch entry, any order (null: all T) -> an Int32Array or null. */
export function checkLengths(lengths, T, B, what) {
  if (lengths == null) return null;
  if (!Array.isArray(lengths) && !(lengths instanceof Int32Array)) {
    throw new RnnError('INVALID_ARGUMENT', `${what}: lengths must be an array or Int32Array of ${B} integers`);
  }
  if (lengths.length !== B) {
    throw new RnnError('SHAPE', `${what}: lengths has ${lengths.length} entries but the batch has ${B}`);
  }
  for (let b = 0; b < B; b++) {
    const v = lengths[b];
    if (!Number.isInteger(v) || v < 1 || v > T) {
      throw new RnnError('INVALID_ARGUMENT', `${what}: lengths[${b}] must be an integer in [1, ${T}], got ${v}`);
    }
  }
  return Int32Array.from(lengths);
}
