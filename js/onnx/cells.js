// onnx/cells.js - ONNX's RNN / GRU / LSTM operators on rnn-wasm's
// recurrent layers: the attributes -> the layer's options (gate activation,
// GRU form), the weights W, R, B in ONNX's gate order -> the layer's PyTorch
// state dict, and the step that runs it (layouts, sequence_lens, initial
// states, direction reverse as a forward layer on each sequence reversed
// within its length) forward, backward and streaming.
import { RnnError } from '../errors.js';
import { GRU, LSTM, RNN } from '../recurrent.js';
import { makeTensor } from './read.js';

const unsupported = (where, msg) => { throw new RnnError('UNSUPPORTED', `loadOnnx: ${where}: ${msg}`); };
const bad = (where, msg) => { throw new RnnError('FORMAT', `loadOnnx: ${where}: ${msg}`); };

// PyTorch gate block k is ONNX block ORDER[op][k] (LSTM i, o, f, c -> i, f, g, o; GRU z, r, h -> r, z, n).
const ORDER = { LSTM: [0, 2, 3, 1], GRU: [1, 0, 2], RNN: [0] };
// ONNX blocks that pass through the gate activation f (LSTM i, o, f; GRU z, r).
const GATED = { LSTM: [0, 1, 2], GRU: [0, 1], RNN: [] };
const CLASSES = { LSTM, GRU, RNN };
const NUM_ACTS = { LSTM: 3, GRU: 2, RNN: 1 };
const HS = 0.2; // the engine's hard sigmoid: clip(0.2 z + 0.5, 0, 1)

/**
 * The activations of each direction -> { opts (layer options), fold[d]:
 * { scale, shift } per direction or null }. A HardSigmoid(alpha, beta) gate
 * is the engine's hard sigmoid of z' = (alpha z + beta - 0.5) / 0.2, a
 * linear function of z, so it folds into the gate rows of W, R and B.
 * activation_alpha / beta are consumed in order by the activations that
 * take them, as onnxruntime reads them.
 */
function activations(op, a, D, where) {
  const n = NUM_ACTS[op];
  const names = a.activations ?? [];
  const list = names.length ? names : Array.from({ length: n * D }, (_, k) => (op === 'RNN' || k % n ? 'Tanh' : 'Sigmoid'));
  if (list.length !== n * D) bad(where, `activations lists ${list.length} functions, ${op} with ${D} direction(s) needs ${n * D}`);
  const alphas = [...(a.activation_alpha ?? [])], betas = [...(a.activation_beta ?? [])];
  const fold = [], gates = [];
  for (let d = 0; d < D; d++) {
    const [f, ...rest] = list.slice(d * n, (d + 1) * n);
    if (op === 'RNN') {
      if (f !== 'Tanh' && f !== 'Relu') unsupported(where, `activation ${f} (an RNN supports Tanh and Relu)`);
      gates.push(f);
      fold.push(null);
      continue;
    }
    if (rest.some((g) => g !== 'Tanh')) unsupported(where, `activations [${list}]: the candidate${op === 'LSTM' ? ' and output' : ''} activation must be Tanh`);
    if (f === 'Sigmoid') { gates.push('sigmoid'); fold.push(null); continue; }
    if (f !== 'HardSigmoid') unsupported(where, `gate activation ${f} (supported: Sigmoid, HardSigmoid)`);
    const alpha = alphas.length ? alphas.shift() : 0.2, beta = betas.length ? betas.shift() : 0.5;
    if (!(alpha > 0) || !Number.isFinite(beta)) unsupported(where, `HardSigmoid(alpha ${alpha}, beta ${beta}): alpha must be positive`);
    gates.push('hardSigmoid');
    fold.push(alpha === HS && beta === 0.5 ? null : { scale: alpha / HS, shift: (beta - 0.5) / HS });
  }
  if (gates.some((g) => g !== gates[0])) unsupported(where, `activations [${list}]: both directions must use the same gate function`);
  const opts = {};
  if (op === 'RNN') opts.nonlinearity = gates[0].toLowerCase();
  else if (gates[0] !== 'sigmoid') opts.gateActivation = gates[0];
  return { opts, fold };
}

// ONNX [G*H, cols] of one direction -> PyTorch's gate order, with the fold applied to the gated rows.
function toTorch(src, op, H, cols, fold, shift) {
  const out = new Float32Array(src.length);
  ORDER[op].forEach((from, k) => {
    const block = src.subarray(from * H * cols, (from + 1) * H * cols);
    if (!fold || !GATED[op].includes(from)) { out.set(block, k * H * cols); return; }
    for (let i = 0; i < block.length; i++) out[k * H * cols + i] = block[i] * fold.scale + (shift ? fold.shift : 0);
  });
  return out;
}

/** What a recurrent node needs of the graph: its constant inputs (W, R, B) by position. */
export function buildRecurrent(core, node, constOf, seed, keep) {
  const { op, attrs: a, where } = node;
  for (const k of ['clip', 'input_forget']) {
    if (a[k] !== undefined && !(k === 'input_forget' && a[k] === 0)) unsupported(where, `attribute ${k} (not implemented: the engine's cells have no ${k === 'clip' ? 'cell clipping' : 'coupled input and forget gates'})`);
  }
  if (op === 'LSTM' && node.inputs[7]) unsupported(where, 'peephole weights P');
  const dir = a.direction ?? 'forward';
  if (!['forward', 'reverse', 'bidirectional'].includes(dir)) bad(where, `direction '${dir}'`);
  const D = dir === 'bidirectional' ? 2 : 1;
  const layout = a.layout ?? 0;
  if (layout !== 0 && layout !== 1) bad(where, `layout ${layout}`);
  const W = constOf(1, 'W'), R = constOf(2, 'R');
  const Bt = node.inputs[3] ? constOf(3, 'B') : null;
  const G = ORDER[op].length;
  if (W.shape.length !== 3 || W.shape[0] !== D || W.shape[1] % G) bad(where, `W has shape [${W.shape}], expected [${D}, ${G}*hidden_size, input_size]`);
  const H = a.hidden_size ?? W.shape[1] / G, I = W.shape[2];
  if (!Number.isInteger(H) || H < 1 || W.shape[1] !== G * H) bad(where, `W has shape [${W.shape}] but hidden_size is ${H}`);
  const need = (t, shape, what) => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) bad(where, `${what} has shape [${t.shape}], expected [${shape}]`);
  };
  need(R, [D, G * H, H], 'R');
  if (Bt) need(Bt, [D, 2 * G * H], 'B');
  const { opts, fold } = activations(op, a, D, where);
  if (op === 'GRU' && (a.linear_before_reset ?? 0) === 0) opts.resetAfter = false;
  const sd = {};
  for (let d = 0; d < D; d++) {
    const sfx = d ? '_reverse' : '';
    const slab = (t, k, n) => t.data.subarray(k * n, (k + 1) * n);
    sd[`weight_ih_l0${sfx}`] = { shape: [G * H, I], data: toTorch(slab(W, d, G * H * I), op, H, I, fold[d], false) };
    sd[`weight_hh_l0${sfx}`] = { shape: [G * H, H], data: toTorch(slab(R, d, G * H * H), op, H, H, fold[d], false) };
    const b = Bt ? slab(Bt, d, 2 * G * H) : new Float32Array(2 * G * H);
    sd[`bias_ih_l0${sfx}`] = { shape: [G * H], data: toTorch(b.subarray(0, G * H), op, H, 1, fold[d], true) };
    sd[`bias_hh_l0${sfx}`] = { shape: [G * H], data: toTorch(b.subarray(G * H), op, H, 1, fold[d], false) };
  }
  let layer;
  try {
    layer = keep(new CLASSES[op](core, { inputSize: I, hiddenSize: H, bidirectional: D === 2, batchFirst: layout === 1, seed, ...opts }));
  } catch (e) {
    if (e.code === 'INVALID_ARGUMENT') unsupported(where, `this engine build cannot make the cell (${e.message})`);
    throw e;
  }
  layer.loadStateDict(sd);
  return new RecurrentStep(node, layer, { D, H, I, layout, reverse: dir === 'reverse', lstm: op === 'LSTM' });
}

// Reverses each sequence of a time-major [T, B, F] (or batch-first [B, T, F]) tensor within its length.
function reverseWithin(data, T, B, F, lengths, batchFirst) {
  const out = new Float32Array(data.length);
  const at = (t, b) => (batchFirst ? b * T + t : t * B + b) * F;
  for (let b = 0; b < B; b++) {
    const L = lengths ? lengths[b] : T;
    for (let t = 0; t < L; t++) out.set(data.subarray(at(t, b), at(t, b) + F), at(L - 1 - t, b));
    for (let t = L; t < T; t++) out.set(data.subarray(at(t, b), at(t, b) + F), at(t, b));
  }
  return out;
}

// [P, Q, R] -> [Q, P, R] (states between ONNX layout 1 and the engine's [D, B, H]).
function swap01(data, P, Q, R) {
  const out = new Float32Array(data.length);
  for (let p = 0; p < P; p++) for (let q = 0; q < Q; q++) out.set(data.subarray((p * Q + q) * R, (p * Q + q + 1) * R), (q * P + p) * R);
  return out;
}

/**
 * One recurrent node at run time. Inputs (ONNX order): X, W, R, B,
 * sequence_lens, initial_h, initial_c; outputs Y, Y_h, Y_c. With
 * `yTransposed` (set by the builder when Y's only use is a Transpose with
 * perm [0, 2, 1, 3], as torch.onnx.export writes) Y is given as [T, B, D, H]
 * and that Transpose is skipped.
 */
class RecurrentStep {
  constructor(node, layer, shape) {
    Object.assign(this, { node, module: layer, ...shape });
    this.yTransposed = false;
    this.stream = null;
  }

  _lengths(t, T, B) {
    if (!t) return null;
    if (t.type !== 'int' || t.data.length !== B) throw new RnnError('SHAPE', `${this.node.where}: sequence_lens must hold ${B} integers`);
    let full = true;
    for (const L of t.data) {
      if (!(L >= 1 && L <= T)) throw new RnnError('INVALID_ARGUMENT', `${this.node.where}: sequence_lens holds ${L}, not in [1, ${T}]`);
      if (L !== T) full = false;
    }
    return full ? null : Int32Array.from(t.data);
  }

  _state(t, B, what) {
    if (!t) return null;
    const { D, H } = this;
    const want = this.layout ? [B, D, H] : [D, B, H];
    if (t.type !== 'float' || t.shape.join() !== want.join()) throw new RnnError('SHAPE', `${this.node.where}: ${what} must have shape [${want}], got [${t.shape}]`);
    return { shape: [D, B, H], data: this.layout && D > 1 ? swap01(t.data, B, D, H) : t.data };
  }

  // engine [D, B, H] -> ONNX Y_h / Y_c
  _outState(data, B) {
    const { D, H } = this;
    return this.layout ? makeTensor('float', [B, D, H], D > 1 ? swap01(data, D, B, H) : data) : makeTensor('float', [D, B, H], data);
  }

  fwd(ins) {
    const x = ins[0], { D, H, I, layout } = this;
    if (x.type !== 'float' || x.shape.length !== 3 || x.shape[2] !== I) throw new RnnError('SHAPE', `${this.node.where}: X must have shape [${layout ? 'batch, time' : 'time, batch'}, ${I}], got [${x.shape}]`);
    const [T, B] = layout ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
    if (this.stream) return this._step(x, ins, B);
    const lengths = this._lengths(ins[4], T, B);
    const h0 = this._state(ins[5], B, 'initial_h'), c0 = this.lstm ? this._state(ins[6], B, 'initial_c') : null;
    const xd = this.reverse ? reverseWithin(x.data, T, B, I, lengths, layout === 1) : x.data;
    const r = this.module.forward({ shape: x.shape, data: xd }, { h0, c0, lengths });
    let y = r.output.data;
    if (this.reverse) y = reverseWithin(y, T, B, H, lengths, layout === 1);
    this.last = { T, B, lengths, shape: x.shape, hasH0: !!h0, hasC0: !!c0 };
    let Y;
    if (layout) Y = makeTensor('float', [B, T, D, H], y);
    else if (D === 1 || this.yTransposed) Y = makeTensor('float', this.yTransposed ? [T, B, D, H] : [T, D, B, H], y);
    else Y = makeTensor('float', [T, D, B, H], swap01ByStep(y, T, B, D, H));
    return [Y, this._outState(r.hN.data, B), this.lstm ? this._outState(r.cN.data, B) : null];
  }

  bwd([dY, dYh, dYc], needDx) {
    const { T, B, lengths, shape, hasH0, hasC0 } = this.last, { D, H, layout } = this;
    const grads = { dx: needDx };
    if (dY) {
      let dy = dY.data;
      if (!layout && D > 1 && !this.yTransposed) dy = swap01ByStep(dy, T, D, B, H);
      if (this.reverse) dy = reverseWithin(dy, T, B, H, lengths, layout === 1);
      grads.dOutput = { shape: layout ? [B, T, D * H] : [T, B, D * H], data: dy };
    }
    const inState = (t) => ({ shape: [D, B, H], data: layout && D > 1 ? swap01(t.data, B, D, H) : t.data });
    if (dYh) grads.dhN = inState(dYh);
    if (dYc) grads.dcN = inState(dYc);
    if (!dY && !dYh && !dYc) return [];
    const r = this.module.backward(grads);
    const out = [];
    if (needDx) out[0] = makeTensor('float', shape, this.reverse ? reverseWithin(r.dx.data, T, B, this.I, lengths, layout === 1) : r.dx.data);
    if (hasH0) out[5] = this._outState(r.dh0.data, B);
    if (hasC0) out[6] = this._outState(r.dc0.data, B);
    return out;
  }

  /** Streaming: one step per run, the state kept in an engine stream (forward direction only). */
  startStream(batch) {
    if (this.D > 1 || this.reverse) unsupported(this.node.where, `a ${this.D > 1 ? 'bidirectional' : 'reverse'} layer cannot stream (it needs the whole sequence)`);
    this.stream = this.module.stream({ batch });
    this.fresh = true;
  }

  stopStream() { this.stream?.dispose(); this.stream = null; }

  _step(x, ins, B) {
    if (x.data.length !== B * this.I || B !== this.stream.batch) throw new RnnError('SHAPE', `${this.node.where}: a stream step takes one time step of batch ${this.stream.batch}, got X [${x.shape}]`);
    if (this.fresh) { // the first step starts from the initial states the graph gives, if any
      const h = this._state(ins[5], B, 'initial_h'), c = this.lstm ? this._state(ins[6], B, 'initial_c') : null;
      if (h || c) this.stream.setState({ ...(h ? { h } : {}), ...(c ? { c } : {}) });
      this.fresh = false;
    }
    const h = this.stream.step(x.data).slice(), H = this.H;
    const Y = makeTensor('float', this.layout ? [B, 1, 1, H] : (this.yTransposed ? [1, B, 1, H] : [1, 1, B, H]), h);
    const Yh = this.layout ? makeTensor('float', [B, 1, H], h) : makeTensor('float', [1, B, H], h);
    return [Y, Yh, this.lstm ? makeTensor('float', this.layout ? [B, 1, H] : [1, B, H], this.stream.getState().c.data) : null];
  }
}

// [T, P, Q, H] -> [T, Q, P, H]
function swap01ByStep(data, T, P, Q, H) {
  const out = new Float32Array(data.length), n = P * Q * H;
  for (let t = 0; t < T; t++) out.set(swap01(data.subarray(t * n, (t + 1) * n), P, Q, H), t * n);
  return out;
}
