// onnx/glue.js - the operators around the recurrent ones in exported graphs,
// on the small tensors of onnx/read.js: shape arithmetic (Shape, Gather,
// Concat, ConstantOfShape, Expand, ...), layout moves (Transpose, Reshape,
// Squeeze, Slice, ...) and a few pointwise ops. Each is a function of its
// inputs (fwd) and, for float tensors, has a backward (bwd: d outputs -> d
// inputs) so imported models train. The ops that move elements share one
// form: an index map (out[i] = in[map[i]]), cached per input shape, whose
// backward is a scatter-add.
import { RnnError } from '../errors.js';
import { flushF32 } from '../tensor.js';
import { makeTensor } from './read.js';

const numel = (shape) => shape.reduce((a, d) => a * d, 1);
const stridesOf = (shape) => {
  const s = new Array(shape.length);
  for (let i = shape.length - 1, k = 1; i >= 0; i--) { s[i] = k; k *= shape[i]; }
  return s;
};
const fail = (where, msg, code = 'SHAPE') => { throw new RnnError(code, `${where}: ${msg}`); };

/** The index of axis a (negative counts from the end) of a rank-r tensor. */
function axisOf(a, r, where) {
  const k = a < 0 ? a + r : a;
  if (!Number.isInteger(k) || k < 0 || k >= r) fail(where, `axis ${a} is out of range for rank ${r}`);
  return k;
}

// out[i] = src[map[i]] over an output shape: map(outIndex[]) -> source flat index.
const MAX_ELEMENTS = 2 ** 24; // a bound on what one glue op makes (a malformed shape must not exhaust memory)

function buildMap(outShape, srcIndex) {
  if (numel(outShape) > MAX_ELEMENTS) fail('an index map', `[${outShape}] has more than ${MAX_ELEMENTS} elements`);
  const n = numel(outShape), map = new Int32Array(n), r = outShape.length, idx = new Array(r).fill(0);
  for (let i = 0; i < n; i++) {
    map[i] = srcIndex(idx);
    for (let d = r - 1; d >= 0; d--) { if (++idx[d] < outShape[d]) break; idx[d] = 0; }
  }
  return map;
}

function gatherBy(x, map, shape) {
  const out = new x.data.constructor(map.length), src = x.data;
  for (let i = 0; i < map.length; i++) out[i] = src[map[i]];
  return makeTensor(x.type, shape, out);
}

function scatterBy(dy, map, n) {
  const dx = new Float32Array(n);
  for (let i = 0; i < map.length; i++) dx[map[i]] += dy.data[i];
  return dx;
}

/** An op that moves elements by an index map; plan(x, ins) -> { shape, map }. */
class MapOp {
  constructor(node, plan) { this.node = node; this.plan = plan; this.cache = new Map(); }
  fwd(ins) {
    const x = ins[0];
    const key = x.shape.join(',') + '|' + ins.slice(1).map((t) => (t ? Array.from(t.data).join(',') : '')).join('|');
    let p = this.cache.get(key);
    if (!p) {
      p = this.plan(x, ins, this.node);
      if (this.cache.size > 16) this.cache.clear();
      this.cache.set(key, p);
    }
    this.last = { p, n: x.data.length, shape: x.shape };
    return [gatherBy(x, p.map, p.shape)];
  }
  bwd([dy]) { const { p, n, shape } = this.last; return [makeTensor('float', shape, scatterBy(dy, p.map, n))]; }
}

/** An op that only changes the shape (same data): plan(x, ins) -> shape. */
class ViewOp {
  constructor(node, plan) { this.node = node; this.plan = plan; }
  fwd(ins) {
    const x = ins[0], shape = this.plan(x, ins, this.node);
    if (numel(shape) !== x.data.length) fail(this.node.where, `cannot view [${x.shape}] as [${shape}]`);
    this.shape = x.shape;
    return [makeTensor(x.type, shape, x.data)];
  }
  bwd([dy]) { return [makeTensor('float', this.shape, dy.data)]; }
}

const ints = (t, what, where) => {
  if (!t) fail(where, `missing input ${what}`, 'FORMAT');
  if (t.type !== 'int') fail(where, `${what} must be an integer tensor`, 'FORMAT');
  return Array.from(t.data);
};
// Axes from the input k (opset >= 13) or the attribute (older opsets).
const axesArg = (ins, k, node) => (ins[k] ? ints(ins[k], 'axes', node.where) : node.attrs.axes ?? null);

function transposePlan(x, ins, node) {
  const r = x.shape.length, perm = node.attrs.perm ?? [...Array(r).keys()].reverse();
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) fail(node.where, `perm [${perm}] is not a permutation of rank ${r}`);
  const st = stridesOf(x.shape), shape = perm.map((p) => x.shape[p]);
  return { shape, map: buildMap(shape, (idx) => { let s = 0; for (let d = 0; d < r; d++) s += idx[d] * st[perm[d]]; return s; }) };
}

function slicePlan(x, ins, node) {
  const r = x.shape.length;
  const starts = ins[1] ? ints(ins[1], 'starts', node.where) : node.attrs.starts;
  const ends = ins[2] ? ints(ins[2], 'ends', node.where) : node.attrs.ends;
  if (!starts || !ends || starts.length !== ends.length) fail(node.where, 'starts and ends must be given, of one length', 'FORMAT');
  const axes = (ins[3] ? ints(ins[3], 'axes', node.where) : node.attrs.axes) ?? starts.map((_, i) => i);
  const steps = ins[4] ? ints(ins[4], 'steps', node.where) : starts.map(() => 1);
  const begin = new Array(r).fill(0), step = new Array(r).fill(1), shape = [...x.shape];
  axes.forEach((a0, k) => {
    const a = axisOf(a0, r, node.where), D = x.shape[a], s = steps[k];
    if (!s) fail(node.where, 'a step of 0');
    let b = starts[k] < 0 ? starts[k] + D : starts[k], e = ends[k] < 0 ? ends[k] + D : ends[k];
    if (s > 0) { b = Math.min(Math.max(b, 0), D); e = Math.min(Math.max(e, 0), D); } else { b = Math.min(Math.max(b, 0), D - 1); e = Math.min(Math.max(e, -1), D - 1); }
    begin[a] = b; step[a] = s;
    shape[a] = Math.max(0, Math.ceil((e - b) / s));
  });
  const st = stridesOf(x.shape);
  return { shape, map: buildMap(shape, (idx) => { let s = 0; for (let d = 0; d < r; d++) s += (begin[d] + idx[d] * step[d]) * st[d]; return s; }) };
}

function gatherPlan(x, ins, node) {
  const r = x.shape.length, a = axisOf(node.attrs.axis ?? 0, r, node.where);
  const ind = ins[1], D = x.shape[a];
  if (!ind || ind.type !== 'int') fail(node.where, 'indices must be an integer tensor', 'FORMAT');
  const iv = Array.from(ind.data, (v) => {
    if (v < -D || v >= D) fail(node.where, `index ${v} is out of range for a dimension of ${D}`, 'INVALID_ARGUMENT');
    return v < 0 ? v + D : v;
  });
  const shape = [...x.shape.slice(0, a), ...ind.shape, ...x.shape.slice(a + 1)];
  const st = stridesOf(x.shape), q = ind.shape.length, ist = stridesOf(ind.shape);
  return {
    shape,
    map: buildMap(shape, (idx) => {
      let s = 0, k = 0;
      for (let d = 0; d < a; d++) s += idx[d] * st[d];
      for (let d = 0; d < q; d++) k += idx[a + d] * ist[d];
      s += iv[k] * st[a];
      for (let d = a + 1; d < r; d++) s += idx[d + q - 1] * st[d];
      return s;
    }),
  };
}

/** The numpy broadcast of two shapes. */
function broadcast(a, b, where) {
  const r = Math.max(a.length, b.length), out = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1, y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) fail(where, `shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

// The map from a broadcast output shape to a source of shape src.
function broadcastMap(shape, src) {
  const r = shape.length, off = r - src.length, st = stridesOf(src);
  return buildMap(shape, (idx) => { let s = 0; for (let d = 0; d < src.length; d++) s += (src[d] === 1 ? 0 : idx[d + off]) * st[d]; return s; });
}

function expandPlan(x, ins, node) {
  const shape = broadcast(x.shape, ints(ins[1], 'shape', node.where), node.where);
  return { shape, map: broadcastMap(shape, x.shape) };
}

/** Add (numpy broadcasting), float or int. */
class AddOp {
  constructor(node) { this.node = node; }
  fwd([a, b]) {
    if (a.type !== b.type) fail(this.node.where, 'inputs of different element types', 'DTYPE');
    const shape = broadcast(a.shape, b.shape, this.node.where), n = numel(shape);
    const same = (t) => t.data.length === n;
    const ma = same(a) ? null : broadcastMap(shape, a.shape), mb = same(b) ? null : broadcastMap(shape, b.shape);
    const out = new a.data.constructor(n);
    for (let i = 0; i < n; i++) out[i] = a.data[ma ? ma[i] : i] + b.data[mb ? mb[i] : i];
    if (a.type === 'float') for (let i = 0; i < n; i++) out[i] = flushF32(out[i]);
    this.last = { ma, mb, na: a.data.length, nb: b.data.length, sa: a.shape, sb: b.shape };
    return [makeTensor(a.type, shape, out)];
  }
  bwd([dy]) {
    const { ma, mb, na, nb, sa, sb } = this.last;
    return [makeTensor('float', sa, ma ? scatterBy(dy, ma, na) : dy.data), makeTensor('float', sb, mb ? scatterBy(dy, mb, nb) : dy.data)];
  }
}

/** Concat along one axis. */
class ConcatOp {
  constructor(node) { this.node = node; }
  fwd(ins) {
    const where = this.node.where;
    if (!ins.length) fail(where, 'no inputs', 'FORMAT');
    const r = ins[0].shape.length, a = axisOf(this.node.attrs.axis ?? fail(where, 'no axis attribute', 'FORMAT'), r, where);
    for (const t of ins) {
      if (t.type !== ins[0].type || t.shape.length !== r || t.shape.some((d, i) => i !== a && d !== ins[0].shape[i])) fail(where, `inputs [${ins.map((u) => `[${u.shape}]`)}] do not concatenate on axis ${a}`);
    }
    const outer = numel(ins[0].shape.slice(0, a)), inner = numel(ins[0].shape.slice(a + 1));
    const sizes = ins.map((t) => t.shape[a] * inner), total = sizes.reduce((s, v) => s + v, 0);
    const out = new ins[0].data.constructor(outer * total);
    for (let o = 0, at = 0; o < outer; o++) ins.forEach((t, k) => { out.set(t.data.subarray(o * sizes[k], (o + 1) * sizes[k]), at); at += sizes[k]; });
    this.last = { shapes: ins.map((t) => t.shape), outer, sizes, total };
    const shape = [...ins[0].shape];
    shape[a] = total / inner;
    return [makeTensor(ins[0].type, shape, out)];
  }
  bwd([dy]) {
    const { shapes, outer, sizes, total } = this.last;
    let off = 0;
    return shapes.map((shape, k) => {
      const dx = new Float32Array(outer * sizes[k]);
      for (let o = 0; o < outer; o++) dx.set(dy.data.subarray(o * total + off, o * total + off + sizes[k]), o * sizes[k]);
      off += sizes[k];
      return makeTensor('float', shape, dx);
    });
  }
}

/** Sigmoid, Tanh, Relu: y = f(x), dy/dx from y. */
const POINTWISE = {
  Sigmoid: [(v) => 1 / (1 + Math.exp(-v)), (y) => y * (1 - y)],
  Tanh: [Math.tanh, (y) => 1 - y * y],
  Relu: [(v) => (v > 0 ? v : 0), (y) => (y > 0 ? 1 : 0)],
};
class PointwiseOp {
  constructor(node) { this.node = node; [this.f, this.df] = POINTWISE[node.op]; }
  fwd([x]) {
    if (x.type !== 'float') fail(this.node.where, 'needs a float tensor', 'DTYPE');
    const y = new Float32Array(x.data.length);
    for (let i = 0; i < y.length; i++) y[i] = flushF32(this.f(x.data[i]));
    this.y = makeTensor('float', x.shape, y);
    return [this.y];
  }
  bwd([dy]) {
    const y = this.y.data, dx = new Float32Array(y.length);
    for (let i = 0; i < y.length; i++) dx[i] = flushF32(dy.data[i] * this.df(y[i]));
    return [makeTensor('float', this.y.shape, dx)];
  }
}

/** Softmax over one axis (opset >= 13), or over the axes from `axis` on (older opsets). */
class SoftmaxOp {
  constructor(node, opset) { this.node = node; this.opset = opset; }
  fwd([x]) {
    const r = x.shape.length, a = axisOf(this.node.attrs.axis ?? (this.opset >= 13 ? -1 : 1), r, this.node.where);
    const old = this.opset < 13;
    const L = old ? numel(x.shape.slice(a)) : x.shape[a], inner = old ? 1 : numel(x.shape.slice(a + 1)), outer = x.data.length / (L * inner);
    const y = new Float32Array(x.data.length);
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) {
      const base = o * L * inner + j;
      let m = -Infinity, s = 0;
      for (let k = 0; k < L; k++) m = Math.max(m, x.data[base + k * inner]);
      for (let k = 0; k < L; k++) s += Math.exp(x.data[base + k * inner] - m);
      for (let k = 0; k < L; k++) y[base + k * inner] = flushF32(Math.exp(x.data[base + k * inner] - m) / s);
    }
    this.last = { y, shape: x.shape, L, inner, outer };
    return [makeTensor('float', x.shape, y)];
  }
  bwd([dy]) {
    const { y, shape, L, inner, outer } = this.last, dx = new Float32Array(y.length);
    for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) {
      const base = o * L * inner + j;
      let dot = 0;
      for (let k = 0; k < L; k++) dot += dy.data[base + k * inner] * y[base + k * inner];
      for (let k = 0; k < L; k++) dx[base + k * inner] = flushF32(y[base + k * inner] * (dy.data[base + k * inner] - dot));
    }
    return [makeTensor('float', shape, dx)];
  }
}

/** Ops with no gradient: fwd only. */
const plain = (node, fwd) => ({ node, fwd: (ins) => fwd(ins, node) });

function reshapeShape(x, ins, node) {
  const want = ints(ins[1], 'shape', node.where), allowZero = node.attrs.allowzero === 1;
  const shape = want.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
  const k = shape.indexOf(-1);
  if (k >= 0) {
    const rest = numel(shape.filter((_, i) => i !== k));
    shape[k] = rest ? x.data.length / rest : 0;
  }
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) fail(node.where, `cannot reshape [${x.shape}] to [${want}]`);
  return shape;
}

function squeezeShape(x, ins, node) {
  const r = x.shape.length, axes = axesArg(ins, 1, node);
  const drop = new Set(axes ? axes.map((a) => axisOf(a, r, node.where)) : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])));
  for (const a of drop) if (x.shape[a] !== 1) fail(node.where, `cannot squeeze axis ${a} of [${x.shape}] (size ${x.shape[a]})`);
  return x.shape.filter((_, i) => !drop.has(i));
}

function unsqueezeShape(x, ins, node) {
  const axes = axesArg(ins, 1, node);
  if (!axes) fail(node.where, 'no axes', 'FORMAT');
  const r = x.shape.length + axes.length, ax = new Set(axes.map((a) => axisOf(a, r, node.where)));
  if (ax.size !== axes.length) fail(node.where, `repeated axes [${axes}]`, 'FORMAT');
  const shape = [], src = [...x.shape];
  for (let i = 0; i < r; i++) shape.push(ax.has(i) ? 1 : src.shift());
  return shape;
}

function shapeOf([x], node) {
  const r = x.shape.length;
  const s = node.attrs.start ?? 0, e = node.attrs.end ?? r;
  const clamp = (v) => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const dims = x.shape.slice(clamp(s), clamp(e));
  return [makeTensor('int', [dims.length], Float64Array.from(dims))];
}

function constantOfShape([s], node) {
  const shape = ints(s, 'shape', node.where);
  if (shape.some((d) => !Number.isInteger(d) || d < 0) || numel(shape) > MAX_ELEMENTS) fail(node.where, `shape [${shape}] is not a valid size`);
  const v = node.attrs.value ?? makeTensor('float', [1], new Float32Array(1));
  if (v.data.length !== 1) fail(node.where, 'value must hold one element', 'FORMAT');
  const data = new v.data.constructor(numel(shape)).fill(v.data[0]);
  return [makeTensor(v.type, shape, data)];
}

function constant(_, node) {
  const a = node.attrs;
  if (a.value) return [a.value];
  if (a.value_float !== undefined) return [makeTensor('float', [], Float32Array.of(a.value_float))];
  if (a.value_floats) return [makeTensor('float', [a.value_floats.length], Float32Array.from(a.value_floats))];
  if (a.value_int !== undefined) return [makeTensor('int', [], Float64Array.of(a.value_int))];
  if (a.value_ints) return [makeTensor('int', [a.value_ints.length], Float64Array.from(a.value_ints))];
  return fail(node.where, 'a Constant with no value (supported: value, value_float(s), value_int(s))', 'UNSUPPORTED');
}

/** Identity (also Dropout, an identity in inference: its mask output is not supported). */
class IdentityOp {
  constructor(node) { this.node = node; }
  fwd([x]) { return [x]; }
  bwd([dy]) { return [dy]; }
}

// The inputs each op must have (at least).
const ARITY = { Gather: 2, Expand: 2, Reshape: 2, Add: 2, Concat: 1, Shape: 1, ConstantOfShape: 1, Constant: 0 };

/** The glue op of a node, or null when the op is not one of these. */
export function glueOp(node, opset) {
  const op = makeGlue(node, opset);
  if (!op) return null;
  const want = ARITY[node.op] ?? 1;
  for (let k = 0; k < want; k++) if (!node.inputs[k]) fail(node.where, `input ${k} is missing (${node.op} takes at least ${want})`, 'FORMAT');
  if (node.op === 'Slice' && opset >= 10 && !(node.inputs[1] && node.inputs[2])) fail(node.where, 'starts and ends are missing', 'FORMAT');
  return op;
}

/**
 * Runs a step's forward; an error that is not an RnnError (a malformed
 * node whose inputs do not fit its operator) becomes FORMAT naming it.
 */
export function runStep(op, ins) {
  try {
    return op.fwd(ins);
  } catch (e) {
    if (e instanceof RnnError) throw e;
    throw new RnnError('FORMAT', `loadOnnx: ${op.node.where}: its inputs do not fit the operator (${e.message})`);
  }
}

function makeGlue(node, opset) {
  switch (node.op) {
    case 'Identity': return new IdentityOp(node);
    case 'Dropout':
      if (node.outputs.length > 1 && node.outputs[1]) fail(node.where, 'its mask output is not supported', 'UNSUPPORTED');
      return new IdentityOp(node);
    case 'Transpose': return new MapOp(node, transposePlan);
    case 'Slice': return new MapOp(node, slicePlan);
    case 'Gather': return new MapOp(node, gatherPlan);
    case 'Expand': return new MapOp(node, expandPlan);
    case 'Reshape': return new ViewOp(node, reshapeShape);
    case 'Squeeze': return new ViewOp(node, squeezeShape);
    case 'Unsqueeze': return new ViewOp(node, unsqueezeShape);
    case 'Concat': return new ConcatOp(node);
    case 'Add': return new AddOp(node);
    case 'Sigmoid': case 'Tanh': case 'Relu': return new PointwiseOp(node);
    case 'Softmax': return new SoftmaxOp(node, opset);
    case 'Shape': return plain(node, shapeOf);
    case 'ConstantOfShape': return plain(node, constantOfShape);
    case 'Constant': return plain(node, constant);
    default: return null;
  }
}
