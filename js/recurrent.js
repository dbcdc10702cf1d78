// recurrent.js - RNN, LSTM and GRU layers: PyTorch's nn.RNN / nn.LSTM /
// nn.GRU options, shapes and state_dict, running on the wasm engine; and
// MinGRU / MinLSTM (Feng et al. 2024; tools/min_rnn.py is their PyTorch twin).
import { RnnError } from './errors.js';
import { ParamModule } from './param-module.js';
import { RecurrentStream, TAP_GATES } from './stream.js';
import { checkLengths, checkTensor } from './tensor.js';
import { boolOption, checkKnown, intOption, numOption, oneOfOption, randomSeed } from './options.js';

const CELL = { RNN_TANH: 0, RNN_RELU: 1, LSTM: 2, GRU: 3, MinGRU: 4, MinLSTM: 5 }; // + 2: log space
// rnn_gate_activation, in its order: sigmoid, clip(0.2x + 0.5, 0, 1) (TF.js,
// Keras 2), relu6(x + 3) / 6 (Keras 3, torch's Hardsigmoid)
const GATES = ['sigmoid', 'hardSigmoid', 'hardSigmoidKeras3'];
const COMMON = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dropout',
  'bidirectional', 'seed'];

// Copy a [A][B][F] block into [B][A][F] (the batch-first <-> time-major swap).
// Rows of 32 or more values go by set() (a memcpy: 4x faster at F = 128), short ones element by element.
function swap01(src, dst, A, B, F) {
  for (let a = 0; a < A; a++) {
    for (let b = 0; b < B; b++) {
      const s = (a * B + b) * F, d = (b * A + a) * F;
      if (F >= 32) dst.set(src.subarray(s, s + F), d);
      else for (let f = 0; f < F; f++) dst[d + f] = src[s + f];
    }
  }
}

export class RecurrentLayer extends ParamModule {
  constructor(core, mode, opts, extraKnown, logSpace = false) {
    const what = mode.startsWith('RNN') ? 'RNN' : mode;
    checkKnown(opts ?? {}, [...COMMON, ...extraKnown], what);
    opts = opts ?? {};
    const inputSize = intOption(opts, 'inputSize', what, { max: 1 << 20 });
    const hiddenSize = intOption(opts, 'hiddenSize', what, { max: 1 << 16 });
    const numLayers = intOption(opts, 'numLayers', what, { max: 64, def: 1 });
    const bias = boolOption(opts, 'bias', what, true);
    const batchFirst = boolOption(opts, 'batchFirst', what, false);
    const bidirectional = boolOption(opts, 'bidirectional', what, false);
    const dropout = numOption(opts, 'dropout', what, { min: 0, max: 1, maxExclusive: true, def: 0 });
    const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
    const projSize = mode === 'LSTM'
      ? intOption(opts, 'projSize', what, { min: 0, max: hiddenSize - 1, def: 0 }) : 0;
    // unknown to the cells that lack them (checkKnown): never ignored
    const gateActivation = oneOfOption(opts, 'gateActivation', what, GATES, 'sigmoid');
    const resetAfter = boolOption(opts, 'resetAfter', what, true);
    const ptr = core.outPointer(what, (out) => core.x.rnn_model_new(CELL[mode] + (logSpace ? 2 : 0), inputSize,
      hiddenSize, numLayers, bidirectional ? 1 : 0, bias ? 1 : 0, projSize, dropout, seed >>> 0,
      GATES.indexOf(gateActivation), resetAfter ? 0 : 1, out));
    super(core, ptr, 'rnn_model_destroy', what, core.x.rnn_model_parameters(ptr));
    this._quantizable = true;
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.bidirectional = bidirectional;
    this.dropout = dropout;
    this.seed = seed;
    this.projSize = projSize;
    if (mode === 'LSTM' || mode === 'GRU') this.gateActivation = gateActivation;
    if (mode === 'GRU') this.resetAfter = resetAfter;
    this._last = null; // { T, B, unbatched } of the forward backward will use
    this._streams = new Set(); // WeakRefs to the live streams on this layer
  }

  /**
   * A stream: this (unidirectional) layer run one step at a time in
   * evaluation mode, its state kept in wasm memory; see js/stream.js.
   * options: { batch = 1, taps = false }.
   */
  stream(options = {}) {
    this._live();
    checkKnown(options ?? {}, ['batch', 'taps'], `${this._what}.stream`);
    const batch = intOption(options ?? {}, 'batch', `${this._what}.stream`, { max: 1 << 20, def: 1 });
    const taps = boolOption(options ?? {}, 'taps', `${this._what}.stream`, false);
    if (this.bidirectional) {
      throw new RnnError('UNSUPPORTED', `${this._what}.stream: bidirectional layers cannot stream (the reverse direction needs the whole sequence); use forward`);
    }
    return new RecurrentStream(this, this._core, this._streams, { batch, taps });
  }

  /** Frees the wasm memory, and that of every stream on this layer. */
  dispose() {
    for (const ref of [...this._streams]) {
      const s = ref instanceof RecurrentStream ? ref : ref.deref();
      s?._release('cannot be used: its model was disposed');
    }
    this._streams.clear();
    super.dispose();
  }

  // Copies of every direction's per-step internals from the forward just run
  // (rnn_model_forward_taps): [{ i, f, g, o, c, h } | { r, z, n, h } | { h }]
  // at index layer * D + direction, each shaped like the output.
  _forwardTaps(T, B, unbatched) {
    const core = this._core, m = this._ptr;
    const H = this.hiddenSize, Ho = this.outputSize, n = T * B;
    const parts = TAP_GATES[this.mode].map((g) => [g, H]);
    if (this.isLSTM) parts.push(['c', H]);
    parts.push(['h', Ho]);
    const floats = parts.reduce((a, [, F]) => a + n * F, 0);
    const LD = this.numLayers * this.numDirections;
    const p = core.staging(4 * floats, `forward taps (T=${T}, B=${B})`);
    const taps = [];
    for (let k = 0; k < LD; k++) {
      core.check(core.x.rnn_model_forward_taps(m, k, p), `${this._what}.forward taps`);
      const rec = {};
      let off = p;
      for (const [name, F] of parts) {
        rec[name] = this._seqTensor(off, T, B, F, unbatched);
        off += 4 * n * F;
      }
      taps.push(rec);
    }
    return taps;
  }

  get numDirections() { return this.bidirectional ? 2 : 1; }
  /** Size of h: projSize for a projected LSTM, else hiddenSize. */
  get outputSize() { return this.projSize > 0 ? this.projSize : this.hiddenSize; }

  /** The dropout generator's state (a copy); assign it back to replay the same masks. */
  get rngState() {
    this._core.x.rnn_model_get_rng(this._live(), this._core.out);
    return this._core.u32(this._core.out, 4).slice();
  }
  set rngState(state) {
    if (!(state instanceof Uint32Array) || state.length !== 4) {
      throw new RnnError('INVALID_ARGUMENT', `${this._what}: rngState must be a Uint32Array of 4 words`);
    }
    const m = this._live();
    this._core.u32(this._core.out, 4).set(state);
    this._core.x.rnn_model_set_rng(m, this._core.out);
  }

  train(mode = true) {
    super.train(mode);
    this._core.x.rnn_model_set_training(this._live(), this.training ? 1 : 0);
    return this;
  }
  get isLSTM() { return this.mode === 'LSTM'; }

  // Shapes of this call: T, B, whether x was unbatched ([T, inputSize]).
  _inputDims(x) {
    const shape = checkTensor(x, 'x', null);
    const I = this.inputSize;
    if (shape.length === 2) {
      if (shape[1] !== I) throw new RnnError('SHAPE', `x must have shape [T, ${I}] or a batch of it, got [${shape}]`);
      return { T: shape[0], B: 1, unbatched: true };
    }
    if (shape.length !== 3 || shape[2] !== I) {
      const layout = this.batchFirst ? `[B, T, ${I}]` : `[T, B, ${I}]`;
      throw new RnnError('SHAPE', `x must have shape ${layout} (inputSize ${I}${this.batchFirst ? ', batchFirst' : ''}), got [${shape}]`);
    }
    const [T, B] = this.batchFirst ? [shape[1], shape[0]] : [shape[0], shape[1]];
    if (T < 1 || B < 1) throw new RnnError('SHAPE', `x must have at least one step and one batch entry, got [${shape}]`);
    return { T, B, unbatched: false };
  }

  _stateShape(B, unbatched, size = this.outputSize) {
    const LD = this.numLayers * this.numDirections;
    return unbatched ? [LD, size] : [LD, B, size];
  }

  _lengths(lengths, T, B) { return checkLengths(lengths, T, B, `${this._what}.forward`); }

  _seqShape(T, B, F, unbatched) {
    if (unbatched) return [T, F];
    return this.batchFirst ? [B, T, F] : [T, B, F];
  }

  /** A copy of the engine's [T, B, F] block at ptr, in this layer's layout. */
  _seqTensor(ptr, T, B, F, unbatched) {
    const n = T * B * F, src = this._core.f32(ptr, n), data = new Float32Array(n);
    if (this.batchFirst && !unbatched) swap01(src, data, T, B, F);
    else data.set(src);
    return { shape: this._seqShape(T, B, F, unbatched), data };
  }

  /**
   * Runs the whole sequence. x: [T, B, inputSize] ([B, T, ...] with
   * batchFirst, or unbatched [T, inputSize]); h0/c0: [numLayers*D, B, H].
   * Returns copies: { output, hN, cN } (cN for LSTM only). With
   * { taps: true }, also taps: per layer and direction (index layer * D +
   * direction) { i, f, g, o, c, h } (LSTM), { r, z, n, h } (GRU) or { h }
   * (RNN), each over all steps shaped like output ([T, B, H]; h has
   * outputSize features); zeros past a sequence's length. With
   * { output: false }, output is not copied out (nor returned): for callers
   * that read only hN/cN, such as a classifier on the last hidden state.
   */
  forward(x, state = {}) {
    const m = this._live();
    if (state === null || typeof state !== 'object') throw new RnnError('INVALID_ARGUMENT', 'forward: the second argument must be an object { h0, c0 }');
    checkKnown(state, ['h0', 'c0', 'lengths', 'taps', 'output'], `${this._what}.forward`);
    const taps = boolOption(state, 'taps', `${this._what}.forward`, false);
    const wantOutput = boolOption(state, 'output', `${this._what}.forward`, true);
    const { T, B, unbatched } = this._inputDims(x);
    const hShape = this._stateShape(B, unbatched);
    const cShape = this._stateShape(B, unbatched, this.hiddenSize);
    const { h0, c0 } = state;
    const lengths = this._lengths(state.lengths, T, B);
    if (h0 != null) checkTensor(h0, 'h0', hShape);
    if (c0 != null) {
      if (!this.isLSTM) throw new RnnError('INVALID_ARGUMENT', `${this._what}.forward: c0 is only for LSTM`);
      checkTensor(c0, 'c0', cShape);
    }
    const core = this._core;
    const I = this.inputSize, DH = this.numDirections * this.outputSize;
    const nx = T * B * I, nh = hShape.reduce((a, b) => a * b, 1);
    const nc = cShape.reduce((a, b) => a * b, 1), ny = wantOutput ? T * B * DH : 0;
    // x goes straight into the model's input cache (one copy in); the
    // states, lengths and outputs share the reused staging block.
    const p = core.staging(4 * (2 * nh + 2 * nc + ny + B), `forward activations (T=${T}, B=${B})`);
    const px = core.outPointer(`${this._what}.forward`, (out) => core.x.rnn_model_input(m, T, B, out));
    if (this.batchFirst && !unbatched) swap01(x.data, core.f32(px, nx), B, T, I);
    else core.f32(px, nx).set(x.data);
    const ph0 = p, pc0 = ph0 + 4 * nh, py = pc0 + 4 * nc;
    const phN = py + 4 * ny, pcN = phN + 4 * nh, plen = pcN + 4 * nc;
    if (h0 != null) core.f32(ph0, nh).set(h0.data);
    if (c0 != null) core.f32(pc0, nc).set(c0.data);
    if (lengths) core.i32(plen, B).set(lengths);
    const st = core.x.rnn_model_forward(m, T, B, px, lengths ? plen : 0, h0 != null ? ph0 : 0,
      c0 != null ? pc0 : 0, wantOutput ? py : 0, phN, this.isLSTM ? pcN : 0);
    core.check(st, `${this._what}.forward`);
    const result = {};
    if (wantOutput) result.output = this._seqTensor(py, T, B, DH, unbatched);
    result.hN = { shape: hShape, data: core.f32(phN, nh).slice() };
    if (this.isLSTM) result.cN = { shape: cShape, data: core.f32(pcN, nc).slice() };
    this._last = { T, B, unbatched };
    if (taps) result.taps = this._forwardTaps(T, B, unbatched); // reuses the staging block
    return result;
  }

  /**
   * BPTT through the last forward: gradients of a loss with respect to
   * output, hN, cN in; { dx, dh0, dc0 } out (dc0 for LSTM). Parameter
   * gradients accumulate until zeroGrad(). One backward per forward.
   * { dx: false } skips the input gradient (its product and its copy), as
   * PyTorch does for an input that does not require grad; dx is then absent.
   */
  backward(grads = {}) {
    const m = this._live();
    if (grads === null || typeof grads !== 'object') throw new RnnError('INVALID_ARGUMENT', 'backward: the argument must be an object { dOutput, dhN, dcN }');
    checkKnown(grads, ['dOutput', 'dhN', 'dcN', 'dx'], `${this._what}.backward`);
    const wantDx = boolOption(grads, 'dx', `${this._what}.backward`, true);
    if (!this._last) throw new RnnError('STATE', `${this._what}.backward: call forward first (one backward per forward)`);
    const { T, B, unbatched } = this._last;
    const { dOutput, dhN, dcN } = grads;
    const I = this.inputSize, DH = this.numDirections * this.outputSize;
    const hShape = this._stateShape(B, unbatched);
    const cShape = this._stateShape(B, unbatched, this.hiddenSize);
    if (dOutput != null) checkTensor(dOutput, 'dOutput', this._seqShape(T, B, DH, unbatched));
    if (dhN != null) checkTensor(dhN, 'dhN', hShape);
    if (dcN != null) {
      if (!this.isLSTM) throw new RnnError('INVALID_ARGUMENT', `${this._what}.backward: dcN is only for LSTM`);
      checkTensor(dcN, 'dcN', cShape);
    }
    const core = this._core;
    const ny = T * B * DH, nx = wantDx ? T * B * I : 0;
    const nh = hShape.reduce((a, b) => a * b, 1), nc = cShape.reduce((a, b) => a * b, 1);
    const pdy = core.staging(4 * (ny + 2 * nh + 2 * nc + nx), `backward buffers (T=${T}, B=${B})`);
    const pdhN = pdy + 4 * ny, pdcN = pdhN + 4 * nh, pdx = pdcN + 4 * nc;
    const pdh0 = pdx + 4 * nx, pdc0 = pdh0 + 4 * nh;
    if (dOutput != null) {
      if (this.batchFirst && !unbatched) swap01(dOutput.data, core.f32(pdy, ny), B, T, DH);
      else core.f32(pdy, ny).set(dOutput.data);
    }
    if (dhN != null) core.f32(pdhN, nh).set(dhN.data);
    if (dcN != null) core.f32(pdcN, nc).set(dcN.data);
    const st = core.x.rnn_model_backward(m, dOutput != null ? pdy : 0, dhN != null ? pdhN : 0,
      dcN != null ? pdcN : 0, wantDx ? pdx : 0, pdh0, this.isLSTM ? pdc0 : 0);
    this._last = null;
    core.check(st, `${this._what}.backward`);
    const result = {};
    if (wantDx) result.dx = this._seqTensor(pdx, T, B, I, unbatched);
    result.dh0 = { shape: hShape, data: core.f32(pdh0, nh).slice() };
    if (this.isLSTM) result.dc0 = { shape: cShape, data: core.f32(pdc0, nc).slice() };
    return result;
  }
}

/** nn.RNN (nonlinearity 'tanh' or 'relu'). */
export class RNN extends RecurrentLayer {
  constructor(core, opts = {}) {
    const nl = oneOfOption(opts ?? {}, 'nonlinearity', 'RNN', ['tanh', 'relu'], 'tanh');
    super(core, nl === 'relu' ? 'RNN_RELU' : 'RNN_TANH', opts, ['nonlinearity']);
    this.nonlinearity = nl;
  }
}

/** nn.LSTM (with projSize), gateActivation. */
export class LSTM extends RecurrentLayer {
  constructor(core, opts = {}) { super(core, 'LSTM', opts, ['projSize', 'gateActivation']); }
}

/** nn.GRU; gateActivation, and resetAfter: false for Keras' reset_after=False form. */
export class GRU extends RecurrentLayer {
  constructor(core, opts = {}) { super(core, 'GRU', opts, ['gateActivation', 'resetAfter']); }
}

// minGRU / minLSTM: gates of x only, trained with one GEMM and a scan
// (src/cell_min.c); logSpace: the paper's log-space variant (positive h~).
class MinCell extends RecurrentLayer {
  constructor(core, mode, opts) {
    const logSpace = boolOption(opts ?? {}, 'logSpace', mode, false);
    super(core, mode, opts, ['logSpace'], logSpace);
    this.logSpace = logSpace;
  }
}

/** minGRU: h = (1 - z) * h + z * h~, with z = sigmoid(W_z x + b_z), h~ = W_h x + b_h. */
export class MinGRU extends MinCell {
  constructor(core, opts = {}) { super(core, 'MinGRU', opts); }
}

/** minLSTM: h = f' * h + i' * h~, with f' = f / (f + i), i' = i / (f + i). */
export class MinLSTM extends MinCell {
  constructor(core, opts = {}) { super(core, 'MinLSTM', opts); }
}

