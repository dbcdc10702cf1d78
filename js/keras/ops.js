// keras/ops.js - the steps of an imported Keras model at run time, each with
// forward(x, mask) -> { y, mask } and backward(dy) -> dx. Tensors are
// batch-first ({ shape: [B, T, F] | [B, F], data }); a mask is a Uint8Array
// of B*T (1 = a real step) or null, as Keras propagates it. Steps with
// parameters hold an rnn-wasm module (op.module) that does the work.
import { RnnError } from '../errors.js';
import { flushF32 } from '../tensor.js';
import { activate, activateBackward } from './activations.js';

const need = (cond, msg) => { if (!cond) throw new RnnError('STATE', msg); };

// Reverses the time axis of [B, T, F] (go_backwards).
function reverseTime(data, B, T, F) {
  const out = new data.constructor(data.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) out.set(data.subarray((b * T + t) * F, (b * T + t + 1) * F), (b * T + T - 1 - t) * F);
  return out;
}

/**
 * A recurrent layer (SimpleRNN / LSTM / GRU, or a Bidirectional one). With a
 * mask, each sequence's real steps are moved to the front and run as a
 * packed sequence (a masked step leaves the state as it was, so this is the
 * same function); at a masked step the output repeats the state carried
 * into it, as Keras does (the backward direction carries it from later
 * steps).
 */
export class RecurrentOp {
  constructor(name, module, { returnSequences, goBackwards = false, merge = null, needDx = true }) {
    Object.assign(this, { name, module, returnSequences, goBackwards, merge, needDx });
    this._last = null;
    this.wantTaps = false; // LayersModel.gateTaps asks the engine for the gates of the next forward
    this.taps = null;
  }

  get units() { return this.module.hiddenSize; }
  get outFeatures() { return this.module.numDirections === 2 && this.merge === 'concat' ? 2 * this.units : this.units; }

  forward(x, mask) {
    const [B, T, F] = x.shape, D = this.module.numDirections, H = this.units, DH = D * H;
    let data = x.data;
    if (this.goBackwards) {
      data = reverseTime(data, B, T, F);
      if (mask) mask = reverseTime(mask, B, T, 1);
    }
    const rec = { B, T, F, pack: null };
    let out; // [B, T, DH] or [B, DH]
    if (!mask) {
      const r = this.module.forward({ shape: [B, T, F], data }, { output: this.returnSequences, taps: this.wantTaps });
      this.taps = r.taps ?? null;
      out = this.returnSequences ? r.output.data : this._final(r.hN.data, B, null);
    } else {
      const pack = packMask(mask, B, T);
      rec.pack = pack;
      const xc = new Float32Array(B * T * F);
      for (let b = 0; b < B; b++) for (let k = 0; k < pack.counts[b]; k++) {
        const t = pack.pos[b * T + k];
        xc.set(data.subarray((b * T + t) * F, (b * T + t + 1) * F), (b * T + k) * F);
      }
      const r = this.module.forward({ shape: [B, T, F], data: xc }, { lengths: pack.lengths, output: this.returnSequences, taps: this.wantTaps });
      this.taps = r.taps ?? null;
      if (this.returnSequences) {
        out = new Float32Array(B * T * DH);
        const src = r.output.data;
        for (let d = 0; d < D; d++) {
          const from = pack.src[d];
          for (let i = 0; i < B * T; i++) {
            const s = from[i];
            if (s >= 0) out.set(src.subarray((Math.floor(i / T) * T + s) * DH + d * H, (Math.floor(i / T) * T + s) * DH + (d + 1) * H), i * DH + d * H);
          }
        }
      } else {
        out = this._final(r.hN.data, B, pack.counts);
      }
    }
    const N = out.length / DH;
    let y = out;
    if (D === 2 && this.merge !== 'concat') {
      y = new Float32Array(N * H);
      for (let n = 0; n < N; n++) {
        for (let j = 0; j < H; j++) {
          const f = out[n * DH + j], b = out[n * DH + H + j];
          y[n * H + j] = flushF32(this.merge === 'sum' ? f + b : this.merge === 'ave' ? (f + b) / 2 : f * b);
        }
      }
    }
    rec.cat = out;
    this._last = rec;
    const shape = this.returnSequences ? [B, T, y.length / (B * T)] : [B, y.length / B];
    return { y: { shape, data: y }, mask: this.returnSequences && mask ? (this.goBackwards ? reverseTime(mask, B, T, 1) : mask) : null };
  }

  // hN [D, B, H] -> [B, D*H]; zeros for a sequence with no real step.
  _final(hN, B, counts) {
    const D = this.module.numDirections, H = this.units, y = new Float32Array(B * D * H);
    for (let b = 0; b < B; b++) {
      if (counts && counts[b] === 0) continue;
      for (let d = 0; d < D; d++) y.set(hN.subarray((d * B + b) * H, (d * B + b + 1) * H), (b * D + d) * H);
    }
    return y;
  }

  backward(dy) {
    need(this._last, `${this.name}: backward before forward`);
    const { B, T, F, pack, cat } = this._last;
    this._last = null;
    const D = this.module.numDirections, H = this.units, DH = D * H;
    const N = cat.length / DH;
    let dcat = dy.data;
    if (D === 2 && this.merge !== 'concat') {
      dcat = new Float32Array(N * DH);
      for (let n = 0; n < N; n++) {
        for (let j = 0; j < H; j++) {
          const g = dy.data[n * H + j];
          const [gf, gb] = this.merge === 'sum' ? [g, g] : this.merge === 'ave' ? [g / 2, g / 2] : [g * cat[n * DH + H + j], g * cat[n * DH + j]];
          dcat[n * DH + j] = flushF32(gf);
          dcat[n * DH + H + j] = flushF32(gb);
        }
      }
    }
    const grads = { dx: this.needDx };
    if (this.returnSequences) {
      let dOut = dcat;
      if (pack) {
        dOut = new Float32Array(B * T * DH);
        for (let d = 0; d < D; d++) {
          for (let i = 0; i < B * T; i++) {
            const s = pack.src[d][i];
            if (s < 0) continue;
            const at = (Math.floor(i / T) * T + s) * DH + d * H;
            for (let j = 0; j < H; j++) dOut[at + j] += dcat[i * DH + d * H + j];
          }
        }
      }
      grads.dOutput = { shape: [B, T, DH], data: dOut };
    } else {
      const dhN = new Float32Array(D * B * H);
      for (let b = 0; b < B; b++) {
        if (pack && pack.counts[b] === 0) continue;
        for (let d = 0; d < D; d++) dhN.set(dcat.subarray((b * D + d) * H, (b * D + d + 1) * H), (d * B + b) * H);
      }
      grads.dhN = { shape: [D, B, H], data: dhN };
    }
    const r = this.module.backward(grads);
    if (!this.needDx) return null;
    let dx = r.dx.data;
    if (pack) {
      const full = new Float32Array(B * T * F);
      for (let b = 0; b < B; b++) for (let k = 0; k < pack.counts[b]; k++) {
        const t = pack.pos[b * T + k];
        full.set(dx.subarray((b * T + k) * F, (b * T + k + 1) * F), (b * T + t) * F);
      }
      dx = full;
    }
    if (this.goBackwards) dx = reverseTime(dx, B, T, F);
    return { shape: [B, T, F], data: dx };
  }
}

/**
 * A mask's packing: counts[b] real steps, pos[b*T + k] = the time of the
 * k-th, lengths for the engine (at least 1: an all-masked sequence runs one
 * zero step whose results are dropped), and per direction src[d][b*T + t] =
 * the packed step whose output time t shows (-1: zeros).
 */
function packMask(mask, B, T) {
  const counts = new Int32Array(B), pos = new Int32Array(B * T);
  const src = [new Int32Array(B * T), new Int32Array(B * T)];
  for (let b = 0; b < B; b++) {
    let k = 0;
    for (let t = 0; t < T; t++) if (mask[b * T + t]) pos[b * T + k++] = t;
    counts[b] = k;
    let c = 0;
    for (let t = 0; t < T; t++) {
      const real = mask[b * T + t];
      if (real) c++;
      src[0][b * T + t] = c - 1; // forward: the state carried up to t
      src[1][b * T + t] = real ? c - 1 : (c < k ? c : -1); // backward: carried from the next real step
    }
  }
  const lengths = Array.from(counts, (c) => Math.max(1, c));
  return { counts, pos, src, lengths };
}

/** Dense (also under TimeDistributed): Linear over the last axis, then the activation. */
export class DenseOp {
  constructor(name, module, activation, { needDx = true, timeDistributed = false } = {}) {
    Object.assign(this, { name, module, activation, needDx, timeDistributed });
    this._last = null;
  }

  get outFeatures() { return this.module.outFeatures; }

  /** logits: leave the activation out (LayersModel.logits). */
  forward(x, mask, logits = false) {
    const z = this.module.forward(x);
    const last = z.shape[z.shape.length - 1];
    const act = logits ? 'linear' : this.activation;
    const y = act === 'linear' ? z.data : activate(act, z.data, last);
    this._last = { z: z.data, y, last, act };
    return { y: { shape: z.shape, data: y }, mask };
  }

  backward(dy) {
    need(this._last, `${this.name}: backward before forward`);
    const { z, y, last, act } = this._last;
    this._last = null;
    const dz = act === 'linear' ? dy.data : activateBackward(act, z, y, dy.data, last);
    const r = this.module.backward({ dOutput: { shape: dy.shape, data: dz } });
    return this.needDx ? r.dx : null;
  }
}

/** Activation layer. */
export class ActivationOp {
  constructor(name, activation) { Object.assign(this, { name, activation, module: null }); }
  forward(x, mask) {
    const last = x.shape[x.shape.length - 1];
    const y = activate(this.activation, x.data, last);
    this._last = { x: x.data, y, last };
    return { y: { shape: x.shape, data: y }, mask };
  }
  backward(dy) {
    const { x, y, last } = this._last;
    return { shape: dy.shape, data: activateBackward(this.activation, x, y, dy.data, last) };
  }
}

/** Embedding: ids [B, T] -> [B, T, D]; with maskZero, id 0 masks its step. */
export class EmbeddingOp {
  constructor(name, module, maskZero) { Object.assign(this, { name, module, maskZero }); }
  get outFeatures() { return this.module.embeddingDim; }
  forward(x, mask) {
    const ids = x.data instanceof Int32Array ? x.data : Int32Array.from(x.data, (v, i) => {
      if (!Number.isInteger(v)) throw new RnnError('INVALID_ARGUMENT', `${this.name}: ids must be integers, got ${v} at ${i}`);
      return v;
    });
    const y = this.module.forward({ shape: x.shape, data: ids });
    let m = mask;
    if (this.maskZero) {
      m = new Uint8Array(ids.length);
      for (let i = 0; i < ids.length; i++) m[i] = ids[i] !== 0 && (!mask || mask[i]) ? 1 : 0;
    }
    return { y, mask: m };
  }
  backward(dy) { this.module.backward({ dOutput: dy }); return null; }
}

/** Masking: a step whose features all equal maskValue is masked and zeroed. */
export class MaskingOp {
  constructor(name, maskValue) { Object.assign(this, { name, maskValue, module: null }); }
  forward(x) {
    const [B, T, F] = x.shape, m = new Uint8Array(B * T), y = new Float32Array(x.data.length);
    for (let i = 0; i < B * T; i++) {
      for (let f = 0; f < F; f++) if (x.data[i * F + f] !== this.maskValue) { m[i] = 1; break; }
      if (m[i]) y.set(x.data.subarray(i * F, (i + 1) * F), i * F);
    }
    this._mask = m;
    return { y: { shape: x.shape, data: y }, mask: m };
  }
  backward(dy) {
    const F = dy.shape[2], dx = new Float32Array(dy.data.length);
    for (let i = 0; i < this._mask.length; i++) if (this._mask[i]) dx.set(dy.data.subarray(i * F, (i + 1) * F), i * F);
    return { shape: dy.shape, data: dx };
  }
}

/**
 * Dropout (module: an rnn-wasm Dropout) and SpatialDropout1D (spatial: one
 * mask per sequence and feature, shared by every step: the Dropout module
 * draws it over [B, F]). Identity in evaluation mode.
 */
export class DropoutOp {
  constructor(name, module, spatial) { Object.assign(this, { name, module, spatial }); }
  forward(x, mask) {
    if (!this.spatial || x.shape.length !== 3) return { y: this.module.forward(x), mask };
    const [B, T, F] = x.shape;
    if (!this.module.training) { this._keep = null; return { y: x, mask }; }
    const keep = this.module.forward({ shape: [B, F], data: new Float32Array(B * F).fill(1) }).data;
    this.module._last = null; // the mask is kept here; the module's own backward is not used
    this._keep = keep;
    return { y: { shape: x.shape, data: scaleSteps(x.data, keep, B, T, F) }, mask };
  }
  backward(dy) {
    if (!this.spatial || dy.shape.length !== 3) return this.module.backward({ dOutput: dy }).dx;
    if (!this._keep) return dy;
    const [B, T, F] = dy.shape;
    return { shape: dy.shape, data: scaleSteps(dy.data, this._keep, B, T, F) };
  }
}

function scaleSteps(data, keep, B, T, F) {
  const out = new Float32Array(data.length);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) {
    const i = (b * T + t) * F + f;
    out[i] = flushF32(data[i] * keep[b * F + f]);
  }
  return out;
}

const noMask = (mask, name, what) => {
  if (mask) throw new RnnError('UNSUPPORTED', `${name} (${what}) does not take a mask (TF.js refuses it too); put it after a recurrent layer with return_sequences false, or drop mask_zero / Masking`);
};

/** Flatten [B, T, F] -> [B, T*F]. */
export class FlattenOp {
  constructor(name) { Object.assign(this, { name, module: null }); }
  forward(x, mask) {
    noMask(mask, this.name, 'Flatten');
    this._shape = x.shape;
    return { y: { shape: [x.shape[0], x.data.length / x.shape[0]], data: x.data }, mask: null };
  }
  backward(dy) { return { shape: this._shape, data: dy.data }; }
}

/**
 * GlobalAveragePooling1D (the mean over real steps with a mask, as Keras
 * computes it) and GlobalMaxPooling1D (no mask), [B, T, F] -> [B, F].
 */
export class GlobalPoolOp {
  constructor(name, mode) { Object.assign(this, { name, mode, module: null }); }
  forward(x, mask) {
    const [B, T, F] = x.shape, y = new Float32Array(B * F);
    if (this.mode === 'max') {
      noMask(mask, this.name, 'GlobalMaxPooling1D');
      const arg = new Int32Array(B * F);
      for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) {
        let best = -Infinity, at = 0;
        for (let t = 0; t < T; t++) { const v = x.data[(b * T + t) * F + f]; if (v > best) { best = v; at = t; } }
        y[b * F + f] = best;
        arg[b * F + f] = at;
      }
      this._last = { shape: x.shape, arg };
    } else {
      const w = new Float64Array(B * T);
      for (let b = 0; b < B; b++) {
        let n = 0;
        for (let t = 0; t < T; t++) n += mask ? mask[b * T + t] : 1;
        for (let t = 0; t < T; t++) w[b * T + t] = (mask ? mask[b * T + t] : 1) / Math.max(n, 1);
      }
      for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) {
        let s = 0;
        for (let t = 0; t < T; t++) s += w[b * T + t] * x.data[(b * T + t) * F + f];
        y[b * F + f] = flushF32(s);
      }
      this._last = { shape: x.shape, w };
    }
    return { y: { shape: [B, F], data: y }, mask: null };
  }
  backward(dy) {
    const { shape, arg, w } = this._last, [B, T, F] = shape, dx = new Float32Array(B * T * F);
    for (let b = 0; b < B; b++) for (let f = 0; f < F; f++) {
      const g = dy.data[b * F + f];
      if (arg) dx[(b * T + arg[b * F + f]) * F + f] = g;
      else for (let t = 0; t < T; t++) dx[(b * T + t) * F + f] = flushF32(g * w[b * T + t]);
    }
    return { shape, data: dx };
  }
}
