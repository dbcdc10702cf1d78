// stream.js - streaming inference on a recurrent layer: one time step per
// call with the state (h, c) kept in wasm memory (src/stream.c), for
// online use (audio frames, sensor samples, tokens as they arrive).
//
// The per-step path allocates nothing: x is copied into a buffer the stream
// owns in wasm memory (through a cached Float32Array view, re-made only when
// the memory has grown), and step() returns a cached view of the output
// buffer. That view is valid until the next call on this stream, or any call
// that may grow wasm memory (creating or running any model); pass `out` for
// a copy you keep.
import { RnnError } from './errors.js';
import { WasmHandle } from './handle.js';
import { assertFinite, checkTensor, finiteChecks, typeName } from './tensor.js';

/** Names of the gate blocks in a tap record, as the C side orders them. */
export const TAP_GATES = {
  LSTM: ['i', 'f', 'g', 'o'], GRU: ['r', 'z', 'n'], RNN_TANH: [], RNN_RELU: [],
  MinGRU: ['z', 'htilde'], MinLSTM: ['f', 'i', 'htilde'],
};


export class RecurrentStream extends WasmHandle {
  /** Use layer.stream(options); streams is the layer's set of live streams. */
  constructor(layer, core, streams, { batch, taps }) {
    const ptr = core.outPointer(`${layer._what}.stream`, (out) =>
      core.x.rnn_stream_create(layer._live(), batch, taps ? 1 : 0, out));
    // A stream collected undisposed leaves its layer's set too (the slot
    // holds only a WeakRef: the safety net must not keep the stream alive).
    const slot = { ref: null };
    super(core, ptr, 'rnn_stream_destroy', `${layer._what} stream`, () => streams.delete(slot.ref));
    this._layer = layer;
    this.batch = batch;
    this.inputSize = layer.inputSize;
    this.hiddenSize = layer.hiddenSize;
    this.outputSize = layer.outputSize;
    this.numLayers = layer.numLayers;
    this.mode = layer.mode;
    /** Whether taps() is available (the `taps` option). */
    this.tapsEnabled = taps;
    this._nx = batch * this.inputSize;
    this._ny = batch * this.outputSize;
    this._capSteps = 1;
    this._stepped = false;
    this._stepFn = core.x.rnn_stream_step;
    // The layer holds streams weakly, so a dropped stream can be collected;
    // the stream holds its layer, so the model outlives every live stream.
    this._streams = streams;
    this._ref = slot.ref = typeof WeakRef === 'function' ? new WeakRef(this) : this;
    streams.add(this._ref);
    this._remap();
  }

  // Views on the stream's buffers; wasm memory growth detaches old ones and
  // reserve() moves the buffers.
  _remap() {
    const core = this._core, x = core.x, p = this._ptr;
    this._pIn = x.rnn_stream_input(p) >>> 0;
    this._pOut = x.rnn_stream_output(p) >>> 0;
    this._pStage = x.rnn_stream_staging(p) >>> 0;
    this._xView = core.f32(this._pIn, this._nx);
    this._yView = core.f32(this._pOut, this._ny);
    this._inAll = core.f32(this._pIn, this._capSteps * this._nx);
    this._outAll = core.f32(this._pOut, this._capSteps * this._ny);
    this._runSteps = 0;
    this._runView = null;
  }

  _live() {
    const ptr = super._live();
    // Growth detaches the old buffer, and views on a detached buffer have
    // length 0: cheaper per step than the memory.buffer getter.
    if (this._xView.length === 0) this._remap();
    return ptr;
  }

  _checkIn(x, n, name) {
    if (!(x instanceof Float32Array)) {
      throw new RnnError('DTYPE', `${this._what}: ${name} must be a Float32Array, got ${typeName(x)}`);
    }
    if (x.length !== n) {
      throw new RnnError('SHAPE', `${this._what}: ${name} must have batch * inputSize = ${this.batch} * ${this.inputSize} = ${n} values, got ${x.length}`);
    }
  }

  _checkOut(out, n) {
    if (!(out instanceof Float32Array)) {
      throw new RnnError('DTYPE', `${this._what}: out must be a Float32Array, got ${typeName(out)}`);
    }
    if (out.length !== n) {
      throw new RnnError('SHAPE', `${this._what}: out must have ${n} values, got ${out.length}`);
    }
  }

  /**
   * One time step. x: Float32Array(batch * inputSize), row b at b * inputSize.
   * Returns the last layer's h_t, Float32Array(batch * outputSize): a view
   * into wasm memory, valid until the next call on this stream (or anything
   * that may grow wasm memory); with `out`, writes there and returns it.
   */
  step(x, out) {
    const ptr = this._live();
    if (!(x instanceof Float32Array) || x.length !== this._nx) this._checkIn(x, this._nx, 'x');
    if (out !== undefined) this._checkOut(out, this._ny);
    if (finiteChecks) assertFinite(x, `${this._what}.step: x`);
    this._xView.set(x);
    const st = this._stepFn(ptr, this._pIn, this._pOut);
    if (st !== 0) this._core.check(st, `${this._what}.step`);
    this._live(); // a step after a weight change repacks, which may grow the memory
    this._stepped = true;
    if (out === undefined) return this._yView;
    out.set(this._yView);
    return out;
  }

  /**
   * `steps` steps in one wasm call. xs: Float32Array(steps * batch *
   * inputSize), time-major; returns Float32Array(steps * batch * outputSize),
   * a view valid until the next call on this stream (like step), or `out`.
   * steps defaults to xs.length / (batch * inputSize).
   */
  run(xs, steps, out) {
    this._live();
    if (!(xs instanceof Float32Array)) this._checkIn(xs, 0, 'xs');
    if (steps === undefined) steps = xs.length / this._nx;
    if (!Number.isInteger(steps) || steps < 1) {
      throw new RnnError(Number.isInteger(steps) ? 'SHAPE' : 'INVALID_ARGUMENT',
        `${this._what}.run: steps must be an integer >= 1, got ${steps} (xs has ${xs.length} values, ${this._nx} per step)`);
    }
    if (xs.length !== steps * this._nx) {
      throw new RnnError('SHAPE', `${this._what}.run: xs must have steps * batch * inputSize = ${steps} * ${this.batch} * ${this.inputSize} = ${steps * this._nx} values, got ${xs.length}`);
    }
    const ny = steps * this._ny;
    if (out !== undefined) this._checkOut(out, ny);
    if (finiteChecks) assertFinite(xs, `${this._what}.run: xs`);
    const core = this._core;
    if (steps > this._capSteps) {
      core.check(core.x.rnn_stream_reserve(this._ptr, steps), `${this._what}.run`);
      this._capSteps = steps;
      this._remap();
    }
    this._inAll.set(xs);
    core.check(core.x.rnn_stream_run(this._ptr, steps, this._pIn, this._pOut), `${this._what}.run`);
    this._live();
    this._stepped = true;
    if (out !== undefined) {
      out.set(steps === this._capSteps ? this._outAll : this._outAll.subarray(0, ny));
      return out;
    }
    if (this._runSteps !== steps) {
      this._runView = core.f32(this._pOut, ny);
      this._runSteps = steps;
    }
    return this._runView;
  }

  /** State back to zeros. */
  reset() {
    this._core.x.rnn_stream_reset(this._live());
    this._stepped = false;
  }

  /** Copies of the state: h [numLayers, batch, outputSize], c (LSTM) [numLayers, batch, hiddenSize]. */
  getState() {
    const ptr = this._live(), core = this._core;
    const nh = this.numLayers * this.batch * this.outputSize;
    const nc = this.numLayers * this.batch * this.hiddenSize;
    const lstm = this.mode === 'LSTM';
    core.x.rnn_stream_get_state(ptr, this._pStage, lstm ? this._pStage + 4 * nh : 0);
    const state = { h: { shape: [this.numLayers, this.batch, this.outputSize], data: core.f32(this._pStage, nh).slice() } };
    if (lstm) state.c = { shape: [this.numLayers, this.batch, this.hiddenSize], data: core.f32(this._pStage + 4 * nh, nc).slice() };
    return state;
  }

  /** Sets the state from { h, c } (shapes as getState; a missing part is zeros). */
  setState(state) {
    const ptr = this._live(), core = this._core;
    if (state === null || typeof state !== 'object') {
      throw new RnnError('INVALID_ARGUMENT', `${this._what}.setState: the argument must be an object { h, c }`);
    }
    for (const k of Object.keys(state)) {
      if (k !== 'h' && k !== 'c') throw new RnnError('INVALID_ARGUMENT', `${this._what}.setState: unknown key '${k}' (known: h, c)`);
    }
    const L = this.numLayers, B = this.batch;
    const { h, c } = state;
    if (h != null) checkTensor(h, 'h', [L, B, this.outputSize]);
    if (c != null) {
      if (this.mode !== 'LSTM') throw new RnnError('INVALID_ARGUMENT', `${this._what}.setState: c is only for LSTM`);
      checkTensor(c, 'c', [L, B, this.hiddenSize]);
    }
    const nh = L * B * this.outputSize;
    if (h != null) core.f32(this._pStage, nh).set(h.data);
    if (c != null) core.f32(this._pStage + 4 * nh, c.data.length).set(c.data);
    core.x.rnn_stream_set_state(ptr, h != null ? this._pStage : 0, c != null ? this._pStage + 4 * nh : 0);
    this._stepped = false;
  }

  /**
   * Per-layer internals of the last step (streams made with taps: true):
   * [{ i, f, g, o, c, h }] (LSTM), [{ r, z, n, h }] (GRU), [{ h }] (RNN),
   * [{ z, htilde, h }] (MinGRU), [{ f, i, htilde, h }] (MinLSTM);
   * Float32Array copies of batch * hiddenSize values (h: batch * outputSize).
   */
  taps() {
    const ptr = this._live(), core = this._core;
    if (!this.tapsEnabled) throw new RnnError('STATE', `${this._what}.taps: create the stream with { taps: true }`);
    if (!this._stepped) throw new RnnError('STATE', `${this._what}.taps: no step since the stream was created, reset or given a state`);
    const gates = TAP_GATES[this.mode], B = this.batch;
    const parts = [...gates.map((g) => [g, B * this.hiddenSize])];
    if (this.mode === 'LSTM') parts.push(['c', B * this.hiddenSize]);
    parts.push(['h', B * this.outputSize]);
    const layers = [];
    for (let l = 0; l < this.numLayers; l++) {
      core.check(core.x.rnn_stream_taps(ptr, l, this._pStage), `${this._what}.taps`);
      const rec = {};
      let off = this._pStage;
      for (const [name, n] of parts) {
        rec[name] = core.f32(off, n).slice();
        off += 4 * n;
      }
      layers.push(rec);
    }
    return layers;
  }

  // Frees the C stream and forgets it in its layer.
  _release(reason) {
    if (!super._release(reason)) return false;
    this._streams.delete(this._ref);
    this._xView = this._yView = this._inAll = this._outAll = this._runView = null;
    return true;
  }
}
