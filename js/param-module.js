// param-module.js - what every module with parameters shares: its C handle
// (WasmHandle) and its C rnn_params, read through the one set of rnn_params_*
// functions whatever the module's kind: the parameter table (PyTorch
// state_dict names and shapes), stateDict / loadStateDict / grads /
// parameters / zeroGrad.
import { RnnError } from './errors.js';
import { WasmHandle } from './handle.js';
import { checkTensor, numel } from './tensor.js';

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

export class ParamModule extends WasmHandle {
  /**
   * @param core Core  @param ptr C handle  @param destroy its C destroy export
   * @param params its rnn_params (0: a module without parameters)
   */
  constructor(core, ptr, destroy, what, params) {
    super(core, ptr, destroy, what);
    this._params = params;
    this._table = params ? readTable(core, params) : [];
    this._training = true;
  }

  train(mode = true) { this._training = !!mode; return this; }
  eval() { return this.train(false); }
  get training() { return this._training; }

  _copyOut(ptr, n) { return this._core.f32(ptr, n).slice(); }

  /** [{ name, shape, offset }] in state_dict order. */
  _tensorTable() { return this._table; }
  _paramsPtr() { return this._live() && this._params && this._core.x.rnn_params_values(this._params) >>> 0; }
  _gradsPtr() { return this._live() && this._params && this._core.x.rnn_params_grads(this._params) >>> 0; }
  _paramsChanged() { if (this._live() && this._params) this._core.x.rnn_params_changed(this._params); }

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

  /**
   * int8 inference (recurrent layers, Linear, Embedding; needs rnn.loadInt8()
   * first, else STATE): every weight matrix becomes int8 with a bfloat16
   * scale per row (the values become scale * q), the biases bfloat16, and
   * forward products run in int8. Training then throws STATE; dequantize()
   * returns to float32 products. Non-finite weights throw INVALID_ARGUMENT
   * and change nothing.
   */
  quantize() { return this._quantize(1); }
  dequantize() { return this._quantize(0); }
  get quantized() { return !!this._params && this._live() && this._core.x.rnn_params_quantized(this._params) === 1; }
  _quantize(on) { // 2: check only (containers check every child first)
    this._live();
    if (this._quantizable) this._core.check(this._core.x.rnn_params_quantize(this._params, on), `${this._what}.quantize`);
    return this;
  }

  /** stateDict(), of a quantized module as int8 files hold it (js/int8.js; safetensors-ready). */
  quantizedStateDict() { return int8Files.pack(this._int8Dict()); }
  _int8Dict() {
    const sd = this.stateDict();
    return this.quantized ? this._core.int8.toInt8(sd, this._tensorTable()) : sd;
  }

  /** Copies of the accumulated gradients, same names as stateDict(). */
  grads() { this._live(); return this._dict(this._gradsPtr()); }

  /**
   * Sets every parameter from a state dict ({ name: { shape, data } }).
   * Everything is checked before anything is written: missing, unexpected or
   * mis-shaped keys throw and leave the current weights as they were.
   */
  loadStateDict(sd) {
    sd = int8Files.unpack(sd, this._what);
    this._checkStateDict(sd);
    const int8 = fromInt8(this, sd);
    sd = int8.sd;
    const table = this._tensorTable();
    const quantize = int8.found || this.quantized;
    for (const t of table) {
      const values = sd[t.name].data;
      this._core.f32(this._paramsPtr() + 4 * t.offset, values.length).set(values);
    }
    this._paramsChanged();
    // int8 weights in, or loaded into a quantized module: quantized values
    return quantize ? this._quantize(1) : this;
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
    const int8 = fromInt8(this, sd, prefix);
    sd = int8.sd;
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
    // quantize() refuses non-finite weights (an int8 weight times a huge
    // scale can overflow): checked here, so a container checks every child
    // before any child is written
    if (int8.found || this.quantized) {
      const bad = table.find((t) => isWeight(t) && !sd[t.name].data.every(Number.isFinite));
      if (bad) throw new RnnError('INVALID_ARGUMENT', `cannot quantize ${prefix}${bad.name}: a value is not finite`);
    }
  }

  /** Clears this module's accumulated gradients. */
  zeroGrad() {
    this._live();
    if (this._params) this._core.x.rnn_params_zero_grad(this._params);
  }
}

/** Training entry points call this first: a quantized module is for inference only. */
export function refuseQuantized(modules, what) {
  const q = modules.find((m) => m?.quantized);
  if (q) throw new RnnError('STATE', `${what}: the ${q._what} is quantized (int8, inference only): dequantize() it to train`);
}

// int8 weights: their state-dict form lives in js/int8.js, which
// rnn.loadInt8() loads (core.int8, and int8Files: a file's one 'scales'
// tensor <-> '<name>.scale' tensors); without it an I8 tensor is refused.
const isWeight = (t) => t.shape.length === 2 && t.name.startsWith('weight');
function refuseInt8(sd, what) {
  if (sd && typeof sd === 'object' && Object.values(sd).some((e) => e?.data instanceof Int8Array)) {
    throw new RnnError('STATE', `${what}.loadStateDict: int8 weights need the int8 code: call await rnn.loadInt8() first`);
  }
  return sd;
}
export const int8Files = { pack: (sd) => sd, unpack: refuseInt8 };
function fromInt8(module, sd, prefix = '') {
  const int8 = module._core.int8;
  if (int8) return int8.fromInt8(sd, prefix, module._quantizable && module._tensorTable());
  return { sd: refuseInt8(sd, module._what), found: false };
}

// The tensor table of an rnn_params, once per module: it never changes.
function readTable(core, params) {
  const x = core.x, p = core.out, n = x.rnn_params_num_tensors(params);
  const table = [];
  for (let i = 0; i < n; i++) {
    const dims = x.rnn_params_tensor(params, i, p, p + 4, p + 8, p + 12);
    const [namePtr, offset, rows, cols] = core.u32(p, 4);
    table.push({ name: core.cstring(namePtr), offset, shape: dims === 1 ? [rows] : dims === 3 ? [rows, 1, cols] : [rows, cols] });
  }
  return table;
}
