// keras/model.js - LayersModel: an imported Keras / TF.js model as an
// rnn-wasm module. Its steps (keras/ops.js) run on rnn-wasm layers, so it
// trains like any other model (fit, optimizers, checkpoints); state dicts
// are named '<keras layer>.<PyTorch name>'.
import { Container } from '../container.js';
import { RnnError } from '../errors.js';
import { checkKnown } from '../options.js';
import { numel } from '../tensor.js';

export class LayersModel extends Container {
  /**
   * ops: the steps in order; input: { shape } the model declares;
   * warnings: what loading noticed (non-finite weights, training-only
   * options that are not applied here).
   */
  constructor(ops, input, warnings) {
    super('LayersModel', ops.filter((op) => op.module).map((op) => [op.name, op.module]));
    this.ops = ops;
    this.inputShape = input?.shape ?? null;
    this.warnings = warnings;
    this.state = null;
    this._trace = null;
    this._logits = false;
  }

  /** The Keras layers, in order: [{ name, className }]. */
  get layers() { return this.ops.map((op) => ({ name: op.name, className: op.className })); }

  /**
   * With logits true the last Dense layer's sigmoid / softmax is left out,
   * so fit's 'bce' and 'crossEntropy' losses (which take logits) train the
   * model as Keras's binary / categorical cross-entropy would.
   */
  get logits() { return this._logits; }
  set logits(on) {
    const last = this.ops[this.ops.length - 1];
    if (on && !(last.activation === 'sigmoid' || last.activation === 'softmax')) {
      throw new RnnError('INVALID_ARGUMENT', `LayersModel.logits: the last layer '${last.name}' has no sigmoid or softmax to leave out`);
    }
    this._logits = !!on;
  }

  // x: ids [B, T] (an Embedding first) or floats [B, T, F]; lengths mask the steps past each length.
  _input(x, lengths) {
    if (x === null || typeof x !== 'object' || !Array.isArray(x.shape) || !x.data) {
      throw new RnnError('INVALID_ARGUMENT', 'LayersModel.forward: x must be a tensor { shape, data }');
    }
    const ids = this.ops[0].className === 'Embedding';
    const rank = ids ? 2 : 3;
    const want = this.inputShape ?? [];
    if (x.shape.length !== rank || x.data.length !== numel(x.shape)
      || x.shape.some((d, i) => i > 0 && want[i] != null && want[i] !== d) || x.shape.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new RnnError('SHAPE', `LayersModel.forward: x must have shape [${want.map((d, i) => (i === 0 || d == null ? '*' : d)).join(', ')}] (${ids ? 'ids' : 'batch, time, features'}), got [${x.shape}]`);
    }
    if (!ids && !(x.data instanceof Float32Array)) throw new RnnError('DTYPE', 'LayersModel.forward: x.data must be a Float32Array');
    if (lengths == null) return null;
    const [B, T] = x.shape;
    if (lengths.length !== B) throw new RnnError('SHAPE', `LayersModel.forward: lengths has ${lengths.length} entries but the batch has ${B}`);
    const mask = new Uint8Array(B * T);
    for (let b = 0; b < B; b++) {
      const L = lengths[b];
      if (!Number.isInteger(L) || L < 0 || L > T) throw new RnnError('INVALID_ARGUMENT', `LayersModel.forward: lengths[${b}] must be an integer in [0, ${T}], got ${L}`);
      mask.fill(1, b * T, b * T + L);
    }
    return mask;
  }

  /**
   * Runs the model: x ([B, T] ids or [B, T, F]) -> the last layer's output
   * ([B, units] or [B, T, units]). { lengths } masks the steps past each
   * sequence's length, as a Keras mask does (combined with mask_zero and
   * Masking layers). A loaded model starts in evaluation mode, as TF.js's
   * predict; fit() switches it to training.
   */
  forward(x, opts = {}) {
    this._live();
    checkKnown(opts ?? {}, ['lengths', 'state'], 'LayersModel.forward');
    if (opts.state != null) throw new RnnError('UNSUPPORTED', 'LayersModel.forward: state (truncated BPTT) is not supported; each forward starts from zero states');
    let mask = this._input(x, opts.lengths);
    let h = x;
    const n = this.ops.length;
    this.ops.forEach((op, i) => {
      const r = op.forward(h, mask, i === n - 1 && this._logits);
      h = r.y;
      mask = r.mask;
    });
    this._trace = true;
    return h;
  }

  /** BPTT through the last forward; dOutput as a tensor or { dOutput }. Returns {}. */
  backward(dOutput) {
    this._live();
    if (!this._trace) throw new RnnError('STATE', 'LayersModel.backward: call forward first (one backward per forward)');
    this._trace = null;
    let dy = dOutput !== null && typeof dOutput === 'object' && !('shape' in dOutput) && 'dOutput' in dOutput ? dOutput.dOutput : dOutput;
    for (let i = this.ops.length - 1; i >= 0 && dy; i--) dy = this.ops[i].backward(dy);
    return {};
  }

  /**
   * The gates of every recurrent layer over x (evaluation mode):
   * [{ name, className, cell, taps }], taps as RNN / LSTM / GRU forward's
   * { taps: true } gives them (per direction: { i, f, g, o, c, h },
   * { r, z, n, h } or { h }, [B, T, H] batch-first). With a mask, each
   * sequence's real steps come first (they run as a packed sequence).
   */
  gateTaps(x, opts = {}) {
    const rec = this.ops.filter((op) => op.wantTaps !== undefined);
    rec.forEach((op) => { op.wantTaps = true; });
    try {
      this.predict(x, opts);
      return rec.map((op) => ({ name: op.name, className: op.className, cell: op.module.mode, taps: op.taps }));
    } finally {
      rec.forEach((op) => { op.wantTaps = false; op.taps = null; });
    }
  }

  /** forward in evaluation mode, the mode restored afterwards. */
  predict(x, opts = {}) {
    const was = this.training;
    this.eval();
    try { return this.forward(x, opts); } finally { this.train(was); this._trace = null; }
  }
}
