// losses.js - mse, bceWithLogits and crossEntropy with torch.nn.functional
// semantics. The arithmetic is in src/loss.c: float32 inputs, every value and
// sum computed in double (log-sum-exp, log1p), gradients rounded to float32
// once. Each loss returns { loss, grad } where grad = d loss / d input, ready
// to pass to a layer's backward({ dOutput: grad }). With reduction 'none',
// loss is a Tensor of per-element losses and grad is the gradient of their
// sum. Each takes the engine (core) first; rnn.losses binds them to one.
import { RnnError } from './errors.js';
import { checkTensor } from './tensor.js';
import { checkKnown, intOption, numOption } from './options.js';
import { indexTensor } from './layers.js';

const REDUCTION = { none: 0, mean: 1, sum: 2 };

function reductionOption(opts, what) {
  const r = opts.reduction ?? 'mean';
  if (!(typeof r === 'string' && r in REDUCTION)) {
    throw new RnnError('INVALID_ARGUMENT', `${what}: 'reduction' must be 'mean', 'sum' or 'none', got ${JSON.stringify(r)}`);
  }
  return r;
}

function sameShape(a, b, what, na, nb) {
  if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
    throw new RnnError('SHAPE', `${what}: ${nb} must have the shape of ${na} [${a}], got [${b}]`);
  }
}

// Runs one C loss with a block laid out as: the double loss (8 bytes, first
// so it is aligned), grad[nGrad], elems[nElems], then `extra` bytes that
// fill(ptr) copies the inputs into. Returns { loss, grad }.
function run(core, what, gradShape, elemShape, reduction, extraBytes, fill) {
  const nGrad = gradShape.reduce((a, b) => a * b, 1);
  const nElems = reduction === 'none' ? elemShape.reduce((a, b) => a * b, 1) : 0;
  return core.withBlock(8 + 4 * (nGrad + nElems) + extraBytes, `${what} buffers`, (p) => {
    const pLoss = p, pGrad = p + 8, pElems = pGrad + 4 * nGrad, pIn = pElems + 4 * nElems;
    core.check(fill(pIn, REDUCTION[reduction], pLoss, nElems ? pElems : 0, pGrad), what);
    const grad = { shape: [...gradShape], data: core.f32(pGrad, nGrad).slice() };
    const loss = reduction === 'none'
      ? { shape: [...elemShape], data: core.f32(pElems, nElems).slice() }
      : new Float64Array(core.memory.buffer, pLoss, 1)[0];
    return { loss, grad };
  });
}

/** F.mse_loss: (input - target)^2, same shapes. */
export function mse(core, input, target, opts = {}) {
  const what = 'losses.mse';
  checkKnown(opts ?? {}, ['reduction'], what);
  const reduction = reductionOption(opts ?? {}, what);
  const shape = checkTensor(input, 'input', null);
  sameShape(shape, checkTensor(target, 'target', null), what, 'input', 'target');
  const n = input.data.length;
  return run(core, what, shape, shape, reduction, 8 * n, (p, red, pl, pe, pg) => {
    core.f32(p, n).set(input.data);
    core.f32(p + 4 * n, n).set(target.data);
    return core.x.rnn_mse_loss(n, p, p + 4 * n, red, pl, pe, pg);
  });
}

/**
 * F.binary_cross_entropy_with_logits: max(x, 0) - x y + log(1 + e^-|x|),
 * same shapes. posWeight: [C] (C = last dimension of the input) or [1]
 * weights of the positive term, broadcast along the last dimension.
 */
export function bceWithLogits(core, input, target, opts = {}) {
  const what = 'losses.bceWithLogits';
  checkKnown(opts ?? {}, ['reduction', 'posWeight'], what);
  const reduction = reductionOption(opts ?? {}, what);
  const shape = checkTensor(input, 'input', null);
  sameShape(shape, checkTensor(target, 'target', null), what, 'input', 'target');
  const n = input.data.length;
  let pw = null;
  if (opts?.posWeight != null) {
    const last = shape.length ? shape[shape.length - 1] : 1;
    const pwShape = checkTensor(opts.posWeight, 'posWeight', null);
    if (pwShape.length !== 1 || (pwShape[0] !== last && pwShape[0] !== 1)) {
      throw new RnnError('SHAPE', `${what}: posWeight must have shape [${last}] (the input's last dimension) or [1], got [${pwShape}]`);
    }
    pw = opts.posWeight.data;
  }
  const npw = pw ? pw.length : 0;
  return run(core, what, shape, shape, reduction, 4 * (2 * n + npw), (p, red, pl, pe, pg) => {
    const pt = p + 4 * n, ppw = pt + 4 * n;
    core.f32(p, n).set(input.data);
    core.f32(pt, n).set(target.data);
    if (pw) core.f32(ppw, npw).set(pw);
    return core.x.rnn_bce_with_logits_loss(n, p, pt, pw ? ppw : 0, npw, red, pl, pe, pg);
  });
}

/**
 * F.cross_entropy with class-index targets. input: [N, C] with target [N],
 * [N, C, d1, ...] with target [N, d1, ...], or unbatched [C] with a 0-d
 * target (or a plain integer). Targets equal to ignoreIndex contribute
 * nothing and 'mean' divides by the number of the others. labelSmoothing
 * eps: (1 - eps) nll + eps * mean over classes of -log p.
 */
export function crossEntropy(core, input, target, opts = {}) {
  const what = 'losses.crossEntropy';
  checkKnown(opts ?? {}, ['reduction', 'ignoreIndex', 'labelSmoothing'], what);
  opts = opts ?? {};
  const reduction = reductionOption(opts, what);
  const ignoreIndex = intOption(opts, 'ignoreIndex', what, { min: -(2 ** 31), def: -100 });
  const labelSmoothing = numOption(opts, 'labelSmoothing', what, { min: 0, max: 1, def: 0 });
  const shape = checkTensor(input, 'input', null);
  if (shape.length < 1) throw new RnnError('SHAPE', `${what}: input must be [C], [N, C] or [N, C, d1, ...], got [${shape}]`);
  const unbatched = shape.length === 1;
  const C = unbatched ? shape[0] : shape[1];
  if (C < 1) throw new RnnError('SHAPE', `${what}: input needs at least one class, got [${shape}]`);
  const N = unbatched ? 1 : shape[0];
  const S = unbatched ? 1 : shape.slice(2).reduce((a, b) => a * b, 1);
  const tShape = unbatched ? [] : [N, ...shape.slice(2)];
  const t = indexTensor(typeof target === 'number' ? { shape: [], data: [target] } : target,
    what, 'target', C, ignoreIndex);
  if (t.shape.length !== tShape.length || t.shape.some((d, i) => d !== tShape[i])) {
    throw new RnnError('SHAPE', `${what}: for input [${shape}] target must have shape [${tShape}], got [${t.shape}]`);
  }
  if (N * S > 2 ** 31 - 1) throw new RnnError('OUT_OF_MEMORY', `${what}: too many targets`);
  const n = input.data.length, nt = t.data.length;
  return run(core, what, shape, tShape, reduction, 4 * (n + nt), (p, red, pl, pe, pg) => {
    const pt = p + 4 * n;
    core.f32(p, n).set(input.data);
    core.i32(pt, nt).set(t.data);
    return core.x.rnn_cross_entropy_loss(N, C, S, p, pt, ignoreIndex, labelSmoothing, red, pl, pe, pg);
  });
}


// An integer list of n values (array, typed array or, for n = 1, a number).
function intList(v, n, what, name) {
  const a = typeof v === 'number' ? [v] : v;
  if (!(Array.isArray(a) || (ArrayBuffer.isView(a) && !(a instanceof DataView)))) {
    throw new RnnError('INVALID_ARGUMENT', `${what}: ${name} must be an array of ${n} integers, got ${a === null ? 'null' : typeof a}`);
  }
  if (a.length !== n) throw new RnnError('SHAPE', `${what}: ${name} must have ${n} values (one per sequence), got ${a.length}`);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(a[i]) || a[i] < 0 || a[i] > 2 ** 31 - 1) throw new RnnError('INVALID_ARGUMENT', `${what}: ${name}[${i}] = ${a[i]} is not a non-negative integer`);
    out[i] = a[i];
  }
  return out;
}

// Targets as padded rows [B][S]: a tensor [B, S], one concatenated list of
// every target (as torch accepts; split by targetLengths), or an array of B
// label arrays.
function ctcTargets(targets, B, lengths, what) {
  const isList = (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
  const rows = (list) => {
    const S = Math.max(0, ...list.map((r) => r.length));
    const data = new Int32Array(B * S);
    list.forEach((r, b) => { for (let i = 0; i < r.length; i++) data[b * S + i] = checkLabel(r[i], `targets[${b}][${i}]`); });
    return { S, data };
  };
  const checkLabel = (k, where) => {
    if (!Number.isInteger(k) || k < -(2 ** 31) || k > 2 ** 31 - 1) throw new RnnError('INVALID_ARGUMENT', `${what}: ${where} = ${k} is not an integer label`);
    return k;
  };
  if (Array.isArray(targets) && targets.length === B && targets.every(isList) && (B > 1 || isList(targets[0]))) return rows(targets);
  if (isList(targets)) {
    const total = lengths.reduce((a, b) => a + b, 0);
    if (targets.length !== total) throw new RnnError('SHAPE', `${what}: concatenated targets hold ${targets.length} labels but targetLengths add up to ${total}`);
    let o = 0;
    return rows(Array.from(lengths, (L) => { const r = Array.prototype.slice.call(targets, o, o + L); o += L; return r; }));
  }
  if (targets && typeof targets === 'object' && Array.isArray(targets.shape) && isList(targets.data)) {
    const [b, S] = targets.shape;
    if (targets.shape.length !== 2 || b !== B || targets.data.length !== B * S) {
      throw new RnnError('SHAPE', `${what}: targets must be a tensor [${B}, S] (one padded row per sequence), got [${targets.shape}]`);
    }
    return rows(Array.from({ length: B }, (_, i) => Array.prototype.slice.call(targets.data, i * S, (i + 1) * S)));
  }
  throw new RnnError('INVALID_ARGUMENT', `${what}: targets must be a tensor [B, S], a concatenated label list or an array of label arrays`);
}

/**
 * F.ctc_loss: input [T, B, C] ([B, T, C] with batchFirst: true)
 * log-probabilities (or logits with fromLogits: true, the log_softmax
 * fused), or [T, C] for one sequence;
 * targets a padded tensor [B, S], a concatenated list or B label arrays;
 * inputLengths, targetLengths: B integers. Options blank (0), reduction
 * ('mean' divides each loss by its target length, then by B), zeroInfinity
 * (impossible alignments cost 0 instead of +inf). grad has the input's shape:
 * PyTorch's gradient, which through a log_softmax is the logits' gradient.
 */
export function ctc(core, input, targets, inputLengths, targetLengths, opts = {}) {
  const what = 'losses.ctc';
  checkKnown(opts ?? {}, ['blank', 'reduction', 'zeroInfinity', 'fromLogits', 'batchFirst'], what);
  opts = opts ?? {};
  const reduction = reductionOption(opts, what);
  const shape = checkTensor(input, 'input', null);
  if (shape.length !== 3 && shape.length !== 2) throw new RnnError('SHAPE', `${what}: input must be [T, B, C] or [T, C], got [${shape}]`);
  const batchFirst = shape.length === 3 && opts.batchFirst === true;
  const [T, B, C] = shape.length === 2 ? [shape[0], 1, shape[1]] : batchFirst ? [shape[1], shape[0], shape[2]] : shape;
  if (T < 1 || B < 1) throw new RnnError('SHAPE', `${what}: input needs at least one step and one sequence, got [${shape}]`);
  const blank = intOption(opts, 'blank', what, { min: 0, max: Math.max(0, C - 1), def: 0 });
  for (const k of ['zeroInfinity', 'fromLogits', 'batchFirst']) {
    if (opts[k] !== undefined && typeof opts[k] !== 'boolean') throw new RnnError('INVALID_ARGUMENT', `${what}: '${k}' must be true or false, got ${opts[k]}`);
  }
  const inLen = intList(inputLengths, B, what, 'inputLengths');
  const tLen = intList(targetLengths, B, what, 'targetLengths');
  const { S, data: tgt } = ctcTargets(targets, B, tLen, what);
  const n = input.data.length;
  return run(core, what, shape, [B], reduction, 4 * (n + tgt.length + 2 * B), (p, red, pl, pe, pg) => {
    const pt = p + 4 * n, pin = pt + 4 * tgt.length, ptl = pin + 4 * B;
    core.f32(p, n).set(input.data);
    core.i32(pt, tgt.length).set(tgt);
    core.i32(pin, B).set(inLen);
    core.i32(ptl, B).set(tLen);
    return core.x.rnn_ctc_loss(T, B, C, p, pt, S, pin, ptl, blank, red, opts.zeroInfinity ? 1 : 0, opts.fromLogits ? 1 : 0, batchFirst ? 1 : 0, pl, pe, pg);
  });
}
