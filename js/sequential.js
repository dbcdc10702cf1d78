// sequential.js - models composed from layers: Sequential runs its layers in
// order, forward and backward, passing sequence lengths and recurrent state
// along; Pool turns per-step outputs into one vector per sequence
// (many-to-one); Residual adds its input to a Sequential's output.
// Recurrent layers in a Sequential should use batchFirst:
// true, so every tensor between layers is [B, T, features].
import { Container } from './container.js';
import { RnnError } from './errors.js';
import { RecurrentLayer } from './recurrent.js';
import { checkKnown } from './options.js';

/**
 * Pool({ mode }): [B, T, F] -> [B, F].
 *  'last'  the output at each sequence's last step (t = length - 1);
 *  'mean'  the mean over each sequence's steps;
 *  'final' the preceding recurrent layer's final hidden state of its last
 *          layer (both directions concatenated for bidirectional layers),
 *          as in h = cat(h_n[-2], h_n[-1]).
 */
export class Pool {
  constructor(opts = {}) {
    checkKnown(opts ?? {}, ['mode'], 'Pool');
    const mode = opts.mode ?? 'last';
    if (!['last', 'mean', 'final'].includes(mode)) {
      throw new RnnError('INVALID_ARGUMENT', `Pool: 'mode' must be 'last', 'mean' or 'final', got ${JSON.stringify(mode)}`);
    }
    this.mode = mode;
    this._last = null;
  }

  get numParams() { return 0; }
  train() { return this; }
  eval() { return this; }
  dispose() {}
  get spec() { return { type: 'Pool', mode: this.mode }; }

  /** ctx: { lengths, prev: { layer, hN } of the preceding recurrent layer } */
  forward(x, ctx = {}) {
    if (this.mode === 'final') return this._forwardFinal(ctx);
    const [B, T, F] = x.shape;
    if (x.shape.length !== 3) throw new RnnError('SHAPE', `Pool(${this.mode}): input must be [B, T, F], got [${x.shape}]`);
    const lengths = ctx.lengths ?? new Int32Array(B).fill(T);
    const y = new Float32Array(B * F);
    for (let b = 0; b < B; b++) {
      const L = lengths[b];
      if (this.mode === 'last') {
        y.set(x.data.subarray((b * T + L - 1) * F, (b * T + L) * F), b * F);
      } else {
        for (let t = 0; t < L; t++) for (let f = 0; f < F; f++) y[b * F + f] += x.data[(b * T + t) * F + f] / L;
      }
    }
    this._last = { shape: x.shape, lengths };
    return { shape: [B, F], data: y };
  }

  _forwardFinal(ctx) {
    const prev = ctx.prev;
    if (!prev) throw new RnnError('STATE', "Pool('final') must follow a recurrent layer");
    const { layer, hN } = prev;
    const D = layer.numDirections, H = layer.outputSize, B = hN.shape[1];
    const first = (layer.numLayers - 1) * D;
    const y = new Float32Array(B * D * H);
    for (let b = 0; b < B; b++) {
      for (let d = 0; d < D; d++) {
        y.set(hN.data.subarray(((first + d) * B + b) * H, ((first + d) * B + b + 1) * H), (b * D + d) * H);
      }
    }
    this._last = { final: true, layer, B };
    return { shape: [B, D * H], data: y };
  }

  /** Returns { dx } (per-step gradient) or, for 'final', { dhN }. */
  backward(dy) {
    if (!this._last) throw new RnnError('STATE', 'Pool.backward: call forward first');
    const last = this._last;
    this._last = null;
    if (last.final) {
      const { layer, B } = last;
      const D = layer.numDirections, H = layer.outputSize, LD = layer.numLayers * D;
      const first = (layer.numLayers - 1) * D;
      const dhN = { shape: [LD, B, H], data: new Float32Array(LD * B * H) };
      for (let b = 0; b < B; b++) {
        for (let d = 0; d < D; d++) {
          dhN.data.set(dy.data.subarray((b * D + d) * H, (b * D + d + 1) * H), ((first + d) * B + b) * H);
        }
      }
      return { dhN };
    }
    const [B, T, F] = last.shape;
    const dx = new Float32Array(B * T * F);
    for (let b = 0; b < B; b++) {
      const L = last.lengths[b];
      if (this.mode === 'last') {
        dx.set(dy.data.subarray(b * F, (b + 1) * F), (b * T + L - 1) * F);
      } else {
        for (let t = 0; t < L; t++) for (let f = 0; f < F; f++) dx[(b * T + t) * F + f] = dy.data[b * F + f] / L;
      }
    }
    return { dx: { shape: [B, T, F], data: dx } };
  }
}

/**
 * Sequential(layers): runs layers in order. forward(x, { lengths, state })
 * returns the last layer's output; the recurrent layers' final states are in
 * model.state afterwards (pass it back as { state } to carry it into the next
 * chunk without gradient: truncated BPTT). backward(dOutput) runs BPTT
 * through all layers and accumulates every parameter gradient.
 */
export class Sequential extends Container {
  constructor(layers) {
    if (!Array.isArray(layers) || layers.length === 0) {
      throw new RnnError('INVALID_ARGUMENT', 'Sequential needs a non-empty array of layers');
    }
    layers.forEach((l, i) => {
      if (!l || typeof l.forward !== 'function' || typeof l.backward !== 'function') {
        throw new RnnError('INVALID_ARGUMENT', `Sequential: layers[${i}] is not a layer (it needs forward and backward)`);
      }
      if (l instanceof RecurrentLayer && !l.batchFirst) {
        throw new RnnError('INVALID_ARGUMENT', `Sequential: layers[${i}] (${l._what}) must be created with batchFirst: true`);
      }
    });
    super('Sequential', layers.map((l, i) => [String(i), l]));
    this.layers = layers;
    this.state = null;
    this._trace = null;
  }

  /**
   * x: the first layer's input (ids for an Embedding, [B, T, F] floats for a
   * recurrent layer). lengths: per-sequence lengths (packed semantics).
   * state: a previous model.state to start the recurrent layers from.
   */
  forward(x, opts = {}) {
    this._live();
    checkKnown(opts ?? {}, ['lengths', 'state'], 'Sequential.forward');
    const { lengths, state } = opts;
    let h = x;
    let prev = null;
    const trace = [];
    const newState = {};
    this.layers.forEach((layer, i) => {
      if (layer instanceof RecurrentLayer) {
        const s = state?.[i];
        const r = layer.forward(h, { lengths, h0: s?.hN, c0: s?.cN });
        newState[i] = { hN: r.hN, cN: r.cN };
        prev = { layer, hN: r.hN, index: i };
        trace.push({ kind: 'rnn' });
        h = r.output;
      } else if (layer instanceof Pool) {
        trace.push({ kind: 'pool', prevIndex: prev?.index });
        h = layer.forward(h, { lengths, prev });
      } else if (layer instanceof Sequential || layer.carriesState) { // nested (a Residual), or a CausalConv1d: its state under i
        trace.push({ kind: 'plain' });
        h = layer.forward(h, { lengths, state: state?.[i] });
        newState[i] = layer.state;
      } else {
        trace.push({ kind: 'plain' });
        h = layer.forward(h);
      }
    });
    this.state = newState;
    this._trace = trace;
    return h;
  }

  /**
   * dOutput: the gradient of the last layer's output, as a tensor or as
   * { dOutput } (the layers' form, so a Sequential nests in another).
   * Returns { dx }: the gradient of the input (null after an Embedding).
   */
  backward(dOutput) {
    this._live();
    if (!this._trace) throw new RnnError('STATE', 'Sequential.backward: call forward first (one backward per forward)');
    const trace = this._trace;
    this._trace = null;
    let dy = dOutput !== null && typeof dOutput === 'object' && !('shape' in dOutput) && 'dOutput' in dOutput
      ? dOutput.dOutput : dOutput;
    let dhN = null; // a Pool('final') hands its gradient to the recurrent layer's hN
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      if (trace[i].kind === 'rnn') {
        const r = layer.backward({ dOutput: dy ?? undefined, dhN: dhN ?? undefined });
        dy = r.dx;
        dhN = null;
      } else if (trace[i].kind === 'pool') {
        const r = layer.backward(dy);
        dy = r.dx ?? null;
        dhN = r.dhN ?? null;
      } else {
        const r = layer.backward({ dOutput: dy });
        dy = r?.dx ?? null;
      }
    }
    return { dx: dy };
  }
}

/**
 * Residual(layers): x + Sequential(layers)(x), the skip connection of
 * pre-norm blocks (x = x + minGRU(LayerNorm(x))). Children and state as
 * Sequential's; the layers must keep x's shape.
 */
// a += b in place, when a is not b (every layer here returns a new array; one that hands back
// its input gets a copy). A plain loop: TypedArray.map with a callback, and a fresh array per
// add, were 25% of a 4-block minGRU stack's training step.
function addInto(a, b) {
  const out = a === b ? a.slice() : a;
  for (let i = 0; i < out.length; i++) out[i] += b[i];
  return out;
}

export class Residual extends Sequential {
  constructor(layers) {
    super(layers);
    this._what = 'Residual';
  }

  forward(x, opts) {
    const y = super.forward(x, opts);
    if (y.data.length !== x.data.length) throw new RnnError('SHAPE', `Residual: its layers turned [${x.shape}] into [${y.shape}]`);
    return { shape: y.shape, data: addInto(y.data, x.data) };
  }

  backward(dOutput) {
    const dy = dOutput.dOutput ?? dOutput, { dx } = super.backward(dy);
    return { dx: { shape: dx.shape, data: addInto(dx.data, dy.data) } };
  }
}
