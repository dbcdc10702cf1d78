// onnx/model.js - OnnxModel: an imported ONNX graph as an rnn-wasm module.
// Its steps (onnx/build.js) run on rnn-wasm layers, so it trains (backward
// through the graph into the layers' gradients; fit, optimizers and
// checkpoints work on it) and streams (one time step per call, the
// recurrent states kept by engine streams).
import { Container } from '../container.js';
import { RnnError } from '../errors.js';
import { checkKnown } from '../options.js';
import { DATA_TYPE as DT } from './schema.js';
import { runStep } from './glue.js';
import { makeTensor } from './read.js';

const FLOAT_TYPES = [DT.FLOAT, DT.DOUBLE];

export class OnnxModel extends Container {
  constructor(graph, { steps, consts, modules }) {
    super('OnnxModel', modules);
    this.steps = steps;
    this._consts = consts;
    /** The graph's inputs and outputs: [{ name, type: 'float' | 'int', shape (numbers, names of dynamic axes, or null) }]. */
    this.inputs = graph.inputs.map((v) => ({ name: v.name, type: v.elem == null || FLOAT_TYPES.includes(v.elem) ? 'float' : 'int', shape: v.shape }));
    this.outputs = graph.outputs.map((v) => ({ name: v.name, shape: v.shape }));
    this.opset = graph.opset;
    this.producer = graph.producer;
    this._last = null;
    this._streaming = false;
    this._stepping = false;
  }

  // A user's tensor -> the graph's tensor for input v.
  _feed(v, t) {
    const what = `OnnxModel: input '${v.name}'`;
    if (t === null || typeof t !== 'object' || !Array.isArray(t.shape) || !t.data || typeof t.data.length !== 'number') {
      throw new RnnError('INVALID_ARGUMENT', `${what} must be a tensor { shape, data }`);
    }
    const n = t.shape.reduce((a, d) => a * d, 1);
    if (t.data.length !== n || t.shape.some((d) => !Number.isInteger(d) || d < 0)) throw new RnnError('SHAPE', `${what}: shape [${t.shape}] does not match ${t.data.length} values`);
    if (v.shape && (v.shape.length !== t.shape.length || v.shape.some((d, i) => typeof d === 'number' && d !== t.shape[i]))) {
      throw new RnnError('SHAPE', `${what} must have shape [${v.shape.map((d) => d ?? '?')}], got [${t.shape}]`);
    }
    if (v.type === 'float') {
      if (!(t.data instanceof Float32Array)) throw new RnnError('DTYPE', `${what}: data must be a Float32Array`);
      return makeTensor('float', [...t.shape], t.data);
    }
    const data = Float64Array.from(t.data, (x) => {
      const k = Number(x);
      if (!Number.isInteger(k)) throw new RnnError('DTYPE', `${what}: integers expected, got ${x}`);
      return k;
    });
    return makeTensor('int', [...t.shape], data);
  }

  // feeds: a tensor (a one-input graph) or { name: tensor }; inputs feeding only initial states may be left out.
  _env(feeds) {
    const env = new Map(this._consts);
    const one = feeds && !Array.isArray(feeds) && Array.isArray(feeds.shape);
    if (!one && (feeds === null || typeof feeds !== 'object')) throw new RnnError('INVALID_ARGUMENT', 'OnnxModel: inputs must be a tensor or an object { inputName: tensor }');
    if (one && this.inputs.length !== 1) throw new RnnError('INVALID_ARGUMENT', `OnnxModel: the graph has ${this.inputs.length} inputs (${this.inputs.map((v) => v.name)}): pass { name: tensor }`);
    if (!one) checkKnown(feeds, this.inputs.map((v) => v.name), 'OnnxModel inputs');
    for (const v of this.inputs) {
      const t = one ? feeds : feeds[v.name];
      if (t != null) env.set(v.name, this._feed(v, t));
    }
    return env;
  }

  /**
   * Runs the graph: inputs -> { outputName: tensor } (every output). An
   * input the graph needs but was not given: INVALID_ARGUMENT naming it.
   */
  run(feeds) {
    this._live();
    if (this._streaming && !this._stepping) throw new RnnError('STATE', 'OnnxModel.run: this model has an open stream (its layers step one time step at a time); dispose the stream first');
    const env = this._env(feeds);
    for (const s of this.steps) {
      const ins = s.ins.map((i, j) => {
        if (!i) return null;
        const t = env.get(i);
        if (t === undefined && this._streaming && s.op.startStream && j >= 4) return null; // a stream keeps its own states
        if (t === undefined) throw new RnnError('INVALID_ARGUMENT', `OnnxModel: input '${i}' is needed by ${s.node.where} but was not given`);
        return t;
      });
      const outs = runStep(s.op, ins);
      s.outs.forEach((o, j) => { if (o && outs[j]) env.set(o, outs[j]); });
    }
    this._last = this._streaming ? null : env;
    const out = {};
    for (const o of this.outputs) {
      const t = env.get(o.name);
      if (!t) throw new RnnError('INVALID_ARGUMENT', `OnnxModel: output '${o.name}' was not computed`);
      out[o.name] = { shape: t.shape, data: t.type === 'float' ? t.data : Float64Array.from(t.data) };
    }
    return out;
  }

  /** The first output (or `output`) of run(inputs): the form fit() uses. */
  forward(feeds, opts = {}) {
    checkKnown(opts ?? {}, ['output', 'lengths', 'state'], 'OnnxModel.forward');
    if (opts?.lengths != null || opts?.state != null) throw new RnnError('UNSUPPORTED', 'OnnxModel.forward: lengths and state are given by the graph\'s own inputs (sequence_lens, initial states)');
    const name = opts?.output ?? this.outputs[0].name;
    if (!this.outputs.some((o) => o.name === name)) throw new RnnError('INVALID_ARGUMENT', `OnnxModel.forward: no output '${name}'`);
    this._outName = name;
    return this.run(feeds)[name];
  }

  /**
   * Backward through the last run: dy of forward's output (or { name: dy }
   * per output). Parameter gradients accumulate until zeroGrad().
   */
  backward(dy) {
    this._live();
    const env = this._last;
    if (!env) throw new RnnError('STATE', 'OnnxModel.backward: call forward first (one backward per forward)');
    this._last = null;
    const grads = new Map();
    const seeds = dy && Array.isArray(dy.shape) ? { [this._outName ?? this.outputs[0].name]: dy } : dy;
    for (const [name, g] of Object.entries(seeds ?? {})) {
      const t = env.get(name);
      if (!t || t.type !== 'float') throw new RnnError('INVALID_ARGUMENT', `OnnxModel.backward: '${name}' is not a float output`);
      if (!(g.data instanceof Float32Array) || g.data.length !== t.data.length) throw new RnnError('SHAPE', `OnnxModel.backward: the gradient of '${name}' must be a Float32Array of ${t.data.length} values`);
      grads.set(name, makeTensor('float', t.shape, g.data));
    }
    // values whose gradient matters: those downstream of a layer with parameters
    const live = new Set();
    for (const s of this.steps) if (s.op.module || s.ins.some((i) => live.has(i))) s.outs.forEach((o) => o && live.add(o));
    for (let k = this.steps.length - 1; k >= 0; k--) {
      const s = this.steps[k];
      if (!s.outs.some((o) => grads.has(o)) || !s.op.bwd || !s.outs.some((o) => live.has(o))) continue;
      const needDx = s.ins.some((i) => live.has(i));
      const dIns = s.op.bwd(s.outs.map((o) => grads.get(o) ?? null), needDx);
      dIns.forEach((g, j) => {
        const name = s.ins[j];
        if (!g || !name || !live.has(name)) return;
        const prev = grads.get(name);
        if (!prev) grads.set(name, g);
        else { const sum = new Float32Array(prev.data); for (let i = 0; i < sum.length; i++) sum[i] += g.data[i]; grads.set(name, makeTensor('float', prev.shape, sum)); }
      });
    }
    return null;
  }

  /**
   * A stream: the graph run one time step per call (inputs with a time axis
   * of 1), every recurrent layer's state kept between calls. Forward
   * recurrent layers only. { batch } (default 1).
   */
  stream(options = {}) {
    this._live();
    checkKnown(options ?? {}, ['batch'], 'OnnxModel.stream');
    const batch = options?.batch ?? 1;
    if (this._streaming) throw new RnnError('STATE', 'OnnxModel.stream: this model already has an open stream; dispose it first');
    const rec = this.steps.filter((s) => s.op.startStream);
    const started = [];
    try {
      for (const s of rec) { s.op.startStream(batch); started.push(s); }
    } catch (e) {
      for (const s of started) s.op.stopStream();
      throw e;
    }
    this._streaming = true;
    const model = this;
    return {
      batch,
      /** One step: inputs as for run() with a time axis of 1 -> every output. */
      step: (feeds) => {
        model._stepping = true;
        try { return model.run(feeds); } finally { model._stepping = false; }
      },
      /** States back to zeros (or the graph's initial states on the next step). */
      reset: () => rec.forEach((s) => { s.op.stream.reset(); s.op.fresh = true; }),
      dispose: () => { rec.forEach((s) => s.op.stopStream()); model._streaming = false; },
    };
  }

  dispose() {
    if (this._streaming) for (const s of this.steps) s.op.stopStream?.();
    this._streaming = false;
    super.dispose();
  }
}
