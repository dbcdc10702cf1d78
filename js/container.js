// container.js - a module made of named child modules (PyTorch's nn.Module
// with submodules): parameters, state dicts with dotted names
// ('lstm.weight_ih_l0', 'fc.bias'), train/eval, zeroGrad and dispose over
// all children.
import { RnnError } from './errors.js';
import { int8Files, Parameter } from './param-module.js';

/**
 * Runs make(keep), where keep(m) records a module it made and returns it; if
 * make throws, every module kept so far is disposed (a constructor that fails
 * halfway leaks no wasm memory).
 */
export function disposeOnThrow(make) {
  const made = [];
  try {
    return make((m) => { made.push(m); return m; });
  } catch (e) {
    for (const m of made) m.dispose();
    throw e;
  }
}

/** The seed of part k of a model seeded with `seed`: each part its own stream. */
export const partSeed = (seed, k) => (seed + k * 0x9E3779B9) >>> 0;

export class Container {
  /** @param {string} what  @param {[string, object][]} children name -> module */
  constructor(what, children) {
    this._what = what;
    this._children = children;
    this._training = true;
    this._disposed = false;
  }

  _live() {
    if (this._disposed) throw new RnnError('DISPOSED', `this ${this._what} was disposed; create a new one`);
  }

  get training() { return this._training; }
  train(mode = true) {
    this._live();
    this._training = !!mode;
    for (const [, m] of this._children) m.train(mode);
    return this;
  }
  eval() { return this.train(false); }

  get numParams() { return this._children.reduce((s, [, m]) => s + (m.numParams ?? 0), 0); }

  /** Parameters of every child, named '<child>.<name>'. */
  parameters() {
    this._live();
    return this._children.flatMap(([prefix, m]) => (m.parameters ? m.parameters() : [])
      .map((p) => new Parameter(p.module, `${prefix}.${p.name}`, p.shape, p.offset)));
  }

  _dict(method) {
    const out = {};
    for (const [prefix, m] of this._children) {
      if (!m[method]) continue;
      for (const [k, v] of Object.entries(m[method]())) out[`${prefix}.${k}`] = v;
    }
    return out;
  }

  stateDict() { this._live(); return this._dict('stateDict'); }
  quantizedStateDict() { this._live(); return int8Files.pack(this._dict('_int8Dict')); }
  _int8Dict() { return this._dict('_int8Dict'); }

  /** Every child's quantize() (ParamModule), all checked first: an error changes nothing. */
  quantize() { return this._quantize(2)._quantize(1); }
  dequantize() { return this._quantize(0); }
  get quantized() { return this._children.some(([, m]) => m.quantized); }
  _quantize(on) {
    this._live();
    for (const [, m] of this._children) m._quantize?.(on);
    return this;
  }
  grads() { this._live(); return this._dict('grads'); }

  /**
   * Loads every child's weights from dotted names. All keys and shapes are
   * checked before anything is written, so a bad dict changes nothing.
   */
  loadStateDict(sd) {
    sd = int8Files.unpack(sd, this._what);
    this._checkStateDict(sd);
    for (const [prefix, m] of this._children) {
      if (m.loadStateDict) m.loadStateDict(this._sub(sd, prefix));
    }
    return this;
  }

  _sub(sd, prefix) {
    const sub = {};
    for (const k of Object.keys(sd)) if (k.startsWith(`${prefix}.`)) sub[k.slice(prefix.length + 1)] = sd[k];
    return sub;
  }

  /** Every child checks its part before any child writes. */
  _checkStateDict(sd, outer = '') {
    this._live();
    if (sd === null || typeof sd !== 'object') {
      throw new RnnError('INVALID_ARGUMENT', `${this._what}.loadStateDict needs an object of tensors`);
    }
    const known = this._children.filter(([, m]) => m.loadStateDict).map(([p]) => `${p}.`);
    const stray = Object.keys(sd).filter((k) => !known.some((p) => k.startsWith(p)));
    if (stray.length) {
      throw new RnnError('SHAPE', `${this._what}.loadStateDict: unexpected keys: ${stray.map((k) => outer + k).join(', ')}`);
    }
    for (const [prefix, m] of this._children) {
      if (m._checkStateDict) m._checkStateDict(this._sub(sd, prefix), `${outer}${prefix}.`);
    }
  }

  zeroGrad() {
    this._live();
    for (const [, m] of this._children) m.zeroGrad?.();
  }

  dispose() {
    if (this._disposed) return;
    this._disposed = true;
    for (const [, m] of this._children) m.dispose();
  }
  get disposed() { return this._disposed; }
}
if (typeof Symbol.dispose === 'symbol') {
  Container.prototype[Symbol.dispose] = function dispose() { this.dispose(); };
}
