// module.js - what every module with parameters shares: its C handle, the
// parameter table (PyTorch state_dict names and shapes), stateDict /
// loadStateDict / grads / parameters, and the dispose() lifetime.
import { RnnError } from './errors.js';
import { checkTensor, numel } from './tensor.js';

export const HANDLE = Symbol('rnn-wasm.handle');

// Safety net only: dispose() is the API. Finalizers run late (after GC, as
// separate tasks), so code that creates models in a loop must dispose them.
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ core, ptr, destroy }) => core.x[destroy](ptr))
  : null;

/** One parameter tensor of a module, as handed to optimizers. */
export class Parameter {
  constructor(module, name, shape, offset) {
    this.module = module;
    this.name = name;
    this.shape = shape;
    this.numel = numel(shape);
    this.offset = offset; // floats from the start of the module's parameter block
  }
  /** A copy of the current values. */
  get data() { return this.module._copyOut(this.module._paramsPtr() + 4 * this.offset, this.numel); }
  /** A copy of the accumulated gradient. */
  get grad() { return this.module._copyOut(this.module._gradsPtr() + 4 * this.offset, this.numel); }
}

export class ParamModule {
  /** @param core Core  @param ptr C handle  @param destroy name of the C destroy export */
  constructor(core, ptr, destroy, what) {
    this._core = core;
    this[HANDLE] = ptr;
    this._destroy = destroy;
    this._what = what;
    this._training = true;
    registry?.register(this, { core, ptr, destroy }, this);
  }

  _live() {
    if (!this[HANDLE]) {
      throw new RnnError('DISPOSED', `this ${this._what} was disposed; create a new one`);
    }
    return this[HANDLE];
  }

  /** Frees the wasm memory. Idempotent; any later use throws DISPOSED. */
  dispose() {
    const ptr = this[HANDLE];
    if (!ptr) return;
    this[HANDLE] = 0;
    registry?.unregister(this);
    this._core.x[this._destroy](ptr);
  }

  get disposed() { return !this[HANDLE]; }

  train(mode = true) { this._training = !!mode; return this; }
  eval() { return this.train(false); }
  get training() { return this._training; }

  _copyOut(ptr, n) { return this._core.f32(ptr, n).slice(); }

  /** [{ name, shape, offset }] in state_dict order; subclasses provide it. */
  _tensorTable() { throw new Error('abstract'); }
  _paramsPtr() { throw new Error('abstract'); }
  _gradsPtr() { throw new Error('abstract'); }
  _paramsChanged() {}

  /** Number of parameters (floats). */
  get numParams() {
    return this._tensorTable().reduce((s, t) => s + numel(t.shape), 0);
  }

  parameters() {
    this._live();
    return this._tensorTable().map((t) => new Parameter(this, t.name, t.shape, t.offset));
  }

  _dict(base) {
    const out = {};
    for (const t of this._tensorTable()) {
      out[t.name] = { shape: [...t.shape], data: this._copyOut(base + 4 * t.offset, numel(t.shape)) };
    }
    return out;
  }

  /** Copies of the parameters under PyTorch's state_dict names. */
  stateDict() { this._live(); return this._dict(this._paramsPtr()); }

  /** Copies of the accumulated gradients, same names as stateDict(). */
  grads() { this._live(); return this._dict(this._gradsPtr()); }

  /**
   * Sets every parameter from a state dict ({ name: { shape, data } }).
   * Everything is checked before anything is written: missing, unexpected or
   * mis-shaped keys throw and leave the current weights as they were.
   */
  loadStateDict(sd) {
    this._checkStateDict(sd);
    const table = this._tensorTable();
    for (const t of table) {
      const values = sd[t.name].data;
      this._core.f32(this._paramsPtr() + 4 * t.offset, values.length).set(values);
    }
    this._paramsChanged();
    return this;
  }

  /**
   * Throws what loadStateDict(sd) would throw, without writing anything;
   * prefix names the keys in messages (containers pass 'child.').
   */
  _checkStateDict(sd, prefix = '') {
    this._live();
    if (sd === null || typeof sd !== 'object') {
      throw new RnnError('INVALID_ARGUMENT', `loadStateDict needs an object of tensors, got ${sd === null ? 'null' : typeof sd}`);
    }
    const table = this._tensorTable();
    const names = new Set(table.map((t) => t.name));
    const missing = table.filter((t) => !(t.name in sd)).map((t) => prefix + t.name);
    const unexpected = Object.keys(sd).filter((k) => !names.has(k)).map((k) => prefix + k);
    if (missing.length || unexpected.length) {
      const parts = [];
      if (missing.length) parts.push(`missing keys: ${missing.join(', ')}`);
      if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(', ')}`);
      throw new RnnError('SHAPE', `loadStateDict: ${parts.join('; ')}`);
    }
    for (const t of table) checkTensor(sd[t.name], `state dict entry '${prefix}${t.name}'`, t.shape);
  }

  /** Clears this module's accumulated gradients. */
  zeroGrad() {
    this._live();
    const n = this.numParams;
    this._core.f32(this._gradsPtr(), n).fill(0);
  }
}

if (typeof Symbol.dispose === 'symbol') {
  ParamModule.prototype[Symbol.dispose] = function dispose() { this.dispose(); };
}
