// optim.js - SGD, Adam, AdamW and clipGradNorm over module parameters, with
// torch.optim's semantics (the float32 arithmetic is in src/optim.c).
import { RnnError } from './errors.js';
import { WasmHandle } from './handle.js';
import { Parameter, refuseQuantized } from './param-module.js';
import { boolOption, checkKnown, numOption } from './options.js';

const KIND = { SGD: 0, Adam: 1, AdamW: 2 };

function checkParams(params, what) {
  if (!Array.isArray(params) || params.length === 0) {
    throw new RnnError('INVALID_ARGUMENT', `${what}: params must be a non-empty array of parameters (module.parameters())`);
  }
  const seen = new Set();
  params.forEach((p, i) => {
    if (!(p instanceof Parameter)) {
      throw new RnnError('INVALID_ARGUMENT', `${what}: params[${i}] is not a parameter (use module.parameters())`);
    }
    p.module._live();
    const key = `${p.module._paramsPtr()}:${p.offset}`;
    if (seen.has(key)) throw new RnnError('INVALID_ARGUMENT', `${what}: parameter '${p.name}' appears twice`);
    seen.add(key);
  });
  return params;
}

// The (param, grad, count) segment arrays the C side takes, in the staging
// block: fn(params, grads, counts, n).
function withSegments(core, params, fn) {
  const n = params.length;
  const p = core.staging(12 * n, 'parameter list');
  const v = core.u32(p, 3 * n);
  params.forEach((q, i) => {
    v[i] = q.module._paramsPtr() + 4 * q.offset;
    v[n + i] = q.module._gradsPtr() + 4 * q.offset;
    v[2 * n + i] = q.numel;
  });
  return fn(p, p + 4 * n, p + 8 * n, n);
}

export class Optimizer extends WasmHandle {
  constructor(core, kind, params, cfg) {
    checkParams(params, kind);
    const ptr = withSegments(core, params, (pp, pg, pc, n) => core.outPointer(kind, (out) =>
      core.x.rnn_optimizer_new(KIND[kind], cfg.lr, cfg.betas[0], cfg.betas[1], cfg.eps, cfg.weightDecay,
        cfg.amsgrad ? 1 : 0, cfg.momentum, cfg.dampening, cfg.nesterov ? 1 : 0, n, pp, pg, pc, out)));
    super(core, ptr, 'rnn_optimizer_destroy', `${kind} optimizer`);
    this._kind = kind;
    this.params = params;
    this._modules = [...new Set(params.map((p) => p.module))];
    this._cfg = cfg;
  }

  _live() {
    const ptr = super._live();
    for (const m of this._modules) {
      if (m.disposed) throw new RnnError('DISPOSED', `${this._kind}: a module whose parameters it updates was disposed`);
    }
    return ptr;
  }

  /** Current learning rate; settable (learning-rate schedules). */
  get lr() { return this._cfg.lr; }
  set lr(v) {
    if (typeof v !== 'number' || !(v >= 0)) throw new RnnError('INVALID_ARGUMENT', `${this._kind}: lr must be a number >= 0, got ${v}`);
    this._core.x.rnn_optimizer_set_lr(this._live(), v);
    this._cfg.lr = v;
  }

  /** Number of step() calls so far. */
  get stepCount() { return Number(this._core.x.rnn_optimizer_steps(this._live())); }

  /**
   * Copies of the optimizer's state for checkpoints: { steps, config,
   * buffers: { exp_avg?, exp_avg_sq?, max_exp_avg_sq?, momentum_buffer? } }
   * (flat Float32Arrays in parameter order).
   */
  getState() {
    const ptr = this._live(), x = this._core.x;
    const n = x.rnn_optimizer_state_size(ptr) >>> 0;
    const names = this._kind === 'SGD' ? ['momentum_buffer'] : ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];
    const buffers = {};
    names.forEach((name, which) => {
      const p = x.rnn_optimizer_moment(ptr, which) >>> 0;
      if (p) buffers[name] = this._core.f32(p, n).slice();
    });
    return { kind: this._kind, steps: this.stepCount, config: { ...this._cfg, betas: [...this._cfg.betas] }, buffers };
  }

  /** Restores what getState() returned (same kind and parameters). */
  setState(state) {
    const ptr = this._live(), x = this._core.x;
    if (state === null || typeof state !== 'object' || state.kind !== this._kind) {
      throw new RnnError('INVALID_ARGUMENT', `${this._kind}.setState: expected the state of a ${this._kind} optimizer, got ${state?.kind}`);
    }
    const n = x.rnn_optimizer_state_size(ptr) >>> 0;
    const names = this._kind === 'SGD' ? ['momentum_buffer'] : ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];
    const targets = [];
    names.forEach((name, which) => {
      const p = x.rnn_optimizer_moment(ptr, which) >>> 0;
      if (!p) return;
      const v = state.buffers?.[name];
      if (!(v instanceof Float32Array) || v.length !== n) {
        throw new RnnError('SHAPE', `${this._kind}.setState: buffer '${name}' must be a Float32Array of ${n} values`);
      }
      targets.push([p, v]);
    });
    if (!Number.isInteger(state.steps) || state.steps < 0) {
      throw new RnnError('INVALID_ARGUMENT', `${this._kind}.setState: steps must be an integer >= 0`);
    }
    for (const [p, v] of targets) this._core.f32(p, n).set(v);
    x.rnn_optimizer_set_steps(ptr, BigInt(state.steps));
    if (state.config?.lr !== undefined) this.lr = state.config.lr;
  }

  /** Sets the gradients of every parameter it updates to zero. */
  zeroGrad() {
    this._live();
    for (const p of this.params) this._core.f32(p.module._gradsPtr() + 4 * p.offset, p.numel).fill(0);
  }

  /** One update from the accumulated gradients. */
  step() {
    const ptr = this._live();
    refuseQuantized(this._modules, `${this._kind}.step`);
    this._core.check(this._core.x.rnn_optimizer_step(ptr), `${this._kind}.step`);
    for (const m of this._modules) m._paramsChanged();
  }
}

function adamConfig(opts, what, defaultWd) {
  checkKnown(opts, ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad'], what);
  const betas = opts.betas ?? [0.9, 0.999];
  if (!Array.isArray(betas) || betas.length !== 2) {
    throw new RnnError('INVALID_ARGUMENT', `${what}: 'betas' must be an array [beta1, beta2], got ${JSON.stringify(betas)}`);
  }
  numOption({ beta1: betas[0] }, 'beta1', what, { min: 0, max: 1, maxExclusive: true });
  numOption({ beta2: betas[1] }, 'beta2', what, { min: 0, max: 1, maxExclusive: true });
  return {
    lr: numOption(opts, 'lr', what, { min: 0, def: 1e-3 }),
    betas: [...betas],
    eps: numOption(opts, 'eps', what, { min: 0, def: 1e-8 }),
    weightDecay: numOption(opts, 'weightDecay', what, { min: 0, def: defaultWd }),
    amsgrad: boolOption(opts, 'amsgrad', what, false),
    momentum: 0, dampening: 0, nesterov: false,
  };
}

/** torch.optim.Adam: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0 (L2), amsgrad false. */
export class Adam extends Optimizer {
  constructor(core, params, opts = {}) { super(core, 'Adam', params, adamConfig(opts, 'Adam', 0)); }
}

/** torch.optim.AdamW: as Adam with decoupled weightDecay (default 1e-2). */
export class AdamW extends Optimizer {
  constructor(core, params, opts = {}) { super(core, 'AdamW', params, adamConfig(opts, 'AdamW', 1e-2)); }
}

/** torch.optim.SGD: lr 1e-3, momentum 0, dampening 0, weightDecay 0, nesterov false. */
export class SGD extends Optimizer {
  constructor(core, params, opts = {}) {
    checkKnown(opts, ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov'], 'SGD');
    const cfg = {
      lr: numOption(opts, 'lr', 'SGD', { min: 0, def: 1e-3 }),
      momentum: numOption(opts, 'momentum', 'SGD', { min: 0, def: 0 }),
      dampening: numOption(opts, 'dampening', 'SGD', { def: 0 }),
      weightDecay: numOption(opts, 'weightDecay', 'SGD', { min: 0, def: 0 }),
      nesterov: boolOption(opts, 'nesterov', 'SGD', false),
      betas: [0, 0], eps: 0, amsgrad: false,
    };
    if (cfg.nesterov && (cfg.momentum <= 0 || cfg.dampening !== 0)) {
      throw new RnnError('INVALID_ARGUMENT', 'SGD: nesterov needs momentum > 0 and dampening 0');
    }
    super(core, 'SGD', params, cfg);
  }
}

/**
 * torch.nn.utils.clip_grad_norm_: scales all gradients so their global L2
 * norm is at most maxNorm; returns the norm before clipping.
 */
export function clipGradNorm(core, params, maxNorm) {
  checkParams(params, 'clipGradNorm');
  numOption({ maxNorm }, 'maxNorm', 'clipGradNorm', { min: 0 });
  return withSegments(core, params, (pp, pg, pc, n) => {
    core.check(core.x.rnn_clip_grad_norm(n, pg, pc, maxNorm, core.out), 'clipGradNorm');
    return new Float64Array(core.memory.buffer, core.out, 1)[0];
  });
}

