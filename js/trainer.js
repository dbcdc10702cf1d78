// trainer.js - training in a worker, main-thread side: a Trainer starts a
// worker running trainer-worker.js (a module Web Worker in browsers, worker_threads
// in Node), sends it modelSpec(model), a copy of the weights (transferred)
// and the fit options, and relays progress / checkpoints / the result.
// The batches are copied (structured clone) unless transferData: true
// (then their buffers are transferred and the caller's arrays detached).
// Functions cannot cross threads: onProgress / onCheckpoint / signal stay
// here; loss, lrSchedule and optimizer must be names or configs. The trained
// weights come back transferred; the model is changed only with applyTo.
import { RnnError } from './errors.js';
import { rngStates, setRngStates } from './rng-states.js';
import { modelSpec } from './spec.js';
import { refuseQuantized } from './param-module.js';

const isNode = typeof process === 'object' && process.versions?.node != null;

const FIT_OPTIONS = ['train', 'val', 'loss', 'epochs', 'optimizer', 'lr', 'lrSchedule', 'clipGradNorm', 'metrics',
  'earlyStopping', 'tbptt', 'seed', 'shuffle', 'progressEvery', 'yieldEveryMs', 'checkpointEvery', 'resume', 'maxSteps'];
const OWN_OPTIONS = ['model', 'applyTo', 'onProgress', 'onCheckpoint', 'signal', 'workerUrl', 'init', 'transferData'];
const EVENTS = ['progress', 'epoch', 'checkpoint', 'paused', 'resumed'];

const fail = (msg) => new RnnError('INVALID_ARGUMENT', `createTrainer: ${msg}`);

// Throws when a function hides anywhere in the options sent to the worker.
function findFunction(v, path, seen = new Set()) {
  if (typeof v === 'function') return path;
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return null;
  if (seen.has(v)) return null;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (v[i] !== null && (typeof v[i] === 'object' || typeof v[i] === 'function')) {
        const p = findFunction(v[i], `${path}[${i}]`, seen);
        if (p) return p;
      }
    }
    return null;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = findFunction(x, `${path}.${k}`, seen);
    if (p) return p;
  }
  return null;
}

function checkOptions(options) {
  if (options === null || typeof options !== 'object') throw fail('options must be an object { model, train, ...fit options }');
  for (const k of Object.keys(options)) {
    if (k === 'control') throw fail("'control' is not an option of a trainer: use trainer.pause(), resume() and cancel()");
    if (!FIT_OPTIONS.includes(k) && !OWN_OPTIONS.includes(k)) {
      throw fail(`unknown option '${k}' (known: ${[...OWN_OPTIONS, ...FIT_OPTIONS].join(', ')})`);
    }
  }
  const { model, loss, lrSchedule, optimizer } = options;
  if (!model || typeof model.stateDict !== 'function') throw fail("'model' is required (the model to train)");
  refuseQuantized([model], 'createTrainer');
  if (typeof loss === 'function') {
    throw fail("loss must be 'mse', 'bce', 'crossEntropy' or 'ctc': a loss function cannot be sent to a worker (functions do not cross threads); train with rnn.fit on this thread for a custom loss");
  }
  if (typeof lrSchedule === 'function') {
    throw fail("lrSchedule must be an object { type: 'step' | 'exponential' | 'cosine', ... }: a schedule function cannot be sent to a worker (functions do not cross threads)");
  }
  if (optimizer && typeof optimizer === 'object' && typeof optimizer.step === 'function') {
    throw fail("optimizer must be a name ('adam', 'adamw', 'sgd') or a config { type, lr, ... }: an optimizer object lives in this thread's engine; the worker creates its own");
  }
  for (const k of ['onProgress', 'onCheckpoint']) {
    if (options[k] != null && typeof options[k] !== 'function') throw fail(`${k} must be a function`);
  }
  if (options.applyTo != null && options.applyTo !== true && options.applyTo !== false
      && typeof options.applyTo?.loadStateDict !== 'function') {
    throw fail('applyTo must be a model (with loadStateDict) or true (the trained model)');
  }
  if (options.init != null) {
    if (typeof options.init !== 'object') throw fail('init must be an object { build, simd, wasmBinary, wasmUrl, threads }');
    for (const k of Object.keys(options.init)) {
      if (!['build', 'simd', 'wasmBinary', 'wasmUrl', 'threads'].includes(k)) throw fail(`unknown init option '${k}' (known: build, simd, wasmBinary, wasmUrl, threads)`);
    }
  }
  for (const k of FIT_OPTIONS) {
    const where = findFunction(options[k], k);
    if (where) throw fail(`${where} is a function; functions cannot be sent to a worker (functions do not cross threads)`);
  }
}

/**
 * What crosses threads of a model, both ways: fresh copies of its weights
 * and generator states (ours to transfer), and the buffers to transfer.
 */
export function modelState(model) {
  const stateDict = model.stateDict();
  const rng = rngStates(model);
  const transfer = [...Object.values(stateDict).map((t) => t.data.buffer), ...Object.values(rng).map((s) => s.buffer)];
  return { stateDict, rngStates: rng, transfer };
}

// The buffers of every typed array in the batches (deduplicated; shared
// memory is shared anyway, so it is never in a transfer list).
function dataBuffers(batchLists) {
  const out = new Set();
  const add = (v) => {
    const a = ArrayBuffer.isView(v) ? v : ArrayBuffer.isView(v?.data) ? v.data : null;
    if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer);
  };
  for (const list of batchLists) {
    if (!Array.isArray(list)) continue;
    for (const b of list) {
      if (b && typeof b === 'object') for (const v of Object.values(b)) add(v);
    }
  }
  return [...out];
}

// A worker behind one interface: post, listen, terminate.
async function spawn(workerUrl) {
  if (isNode) {
    const name = ['node', 'worker_threads'].join(':'); // opaque to bundlers and minifiers
    const { Worker: NodeWorker } = await import(/* @vite-ignore */ /* webpackIgnore: true */ name);
    // Not the literal new URL('./trainer-worker.js', ...) form here: bundlers would copy
    // the unbundled file as an asset for this Node-only branch.
    const file = './trainer-worker.js';
    const w = new NodeWorker(workerUrl ?? new URL(file, import.meta.url));
    return {
      post: (m, t) => w.postMessage(m, t),
      onMessage: (fn) => w.on('message', fn),
      onError: (fn) => {
        w.on('error', fn);
        w.on('messageerror', fn);
        w.on('exit', (code) => fn(new RnnError('STATE', `the training worker exited (code ${code}) before it finished`)));
      },
      terminate: () => w.terminate().then(() => {}, () => {}),
    };
  }
  if (typeof Worker === 'function') {
    const w = workerUrl
      ? new Worker(workerUrl, { type: 'module' })
      : new Worker(new URL('./trainer-worker.js', import.meta.url), { type: 'module' });
    return {
      post: (m, t) => w.postMessage(m, t),
      onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
      onError: (fn) => {
        w.addEventListener('error', (e) => {
          e.preventDefault?.();
          fn(new RnnError('STATE', `the training worker failed: ${e.message || 'it could not be loaded (check that trainer-worker.js, index.js and the .wasm are served next to each other)'}`));
        });
        w.addEventListener('messageerror', () => fn(new RnnError('STATE', 'a message from the training worker could not be read')));
      },
      terminate: async () => { w.terminate(); },
    };
  }
  throw new RnnError('UNSUPPORTED', 'createTrainer: this runtime has neither Web Workers nor node:worker_threads');
}

function remoteError(e) {
  const err = e?.name === 'RnnError' && e.code ? new RnnError(e.code, e.message) : new Error(e?.message ?? 'training failed in the worker');
  if (err.name !== 'RnnError' && e?.name) err.name = e.name;
  if (e?.stack) err.stack = `${err.name}: ${err.message}\n    (thrown in the training worker)\n${String(e.stack).split('\n').slice(1).join('\n')}`;
  return err;
}

/**
 * Trains a model in a worker. new Trainer({ model, ...fit options, applyTo,
 * onProgress, onCheckpoint, signal, transferData, workerUrl, init }); see
 * the top of this file for what is copied and what is transferred.
 * defaults: init options the worker starts from (rnn.Trainer passes its
 * engine's { build }, so the worker loads the same build).
 */
export class Trainer {
  constructor(options, defaults = {}) {
    checkOptions(options);
    const { model, applyTo, onProgress, onCheckpoint, signal, workerUrl, transferData = false } = options;
    const spec = modelSpec(model);
    const fitOptions = {};
    for (const k of FIT_OPTIONS) if (options[k] !== undefined) fitOptions[k] = options[k];
    // The engine's build unless options.init chooses one (build or simd).
    const own = options.init ?? {};
    const init = own.build !== undefined || own.simd !== undefined ? { ...own } : { ...defaults, ...own };
    if (init.wasmUrl != null) init.wasmUrl = String(init.wasmUrl);
    for (const k of ['build', 'simd']) if (init[k] === undefined) delete init[k];
    const { stateDict, rngStates: rng, transfer } = modelState(model);
    if (transferData) transfer.push(...dataBuffers([fitOptions.train, fitOptions.val]));

    this._listeners = new Map(EVENTS.map((e) => [e, new Set()]));
    this._applyTo = applyTo === true ? model : applyTo || null;
    this._status = 'starting';
    this._waiting = { paused: [], resumed: [] };
    this._worker = null;
    this._lastProgress = null;
    this._settled = false;
    this.done = new Promise((resolve, reject) => { this._resolve = resolve; this._reject = reject; });
    this.done.catch(() => {}); // a rejection nobody awaits is not an unhandled one
    if (onProgress) this.on('progress', onProgress);
    if (onCheckpoint) this.on('checkpoint', onCheckpoint);

    this._ready = spawn(workerUrl).then((w) => {
      this._worker = w;
      if (this._settled) { w.terminate(); return null; }
      w.onMessage((m) => this._onMessage(m));
      w.onError((e) => this._fail(e instanceof Error ? e : new RnnError('STATE', String(e?.message ?? e))));
      w.post({ type: 'start', spec, stateDict, rngStates: rng, options: fitOptions, init }, transfer);
      if (this._status === 'starting') this._status = 'running';
      return w;
    });
    this._ready.catch((e) => this._fail(e));
    if (signal) {
      if (signal.aborted) this.cancel();
      else signal.addEventListener('abort', () => this.cancel(), { once: true });
    }
  }

  /** 'starting' | 'running' | 'paused' | 'done' | 'failed' | 'terminated'. */
  get status() { return this._status; }
  /** The last progress record of a step (not an epoch end), or null. */
  get lastProgress() { return this._lastProgress; }

  /**
   * Listens to 'progress' (every fit progress record, epoch ends included),
   * 'epoch' (epoch-end records), 'checkpoint' ((bytes, { step, epoch }),
   * with checkpointEvery), 'paused' / 'resumed' ({ step }). An exception in a
   * listener stops training and rejects done with it (as in fit).
   */
  on(event, fn) {
    if (!this._listeners.has(event)) throw new RnnError('INVALID_ARGUMENT', `Trainer.on: unknown event ${JSON.stringify(event)} (use ${EVENTS.join(', ')})`);
    if (typeof fn !== 'function') throw new RnnError('INVALID_ARGUMENT', 'Trainer.on: the listener must be a function');
    this._listeners.get(event).add(fn);
    return this;
  }
  off(event, fn) { this._listeners.get(event)?.delete(fn); return this; }

  /** The same promise as done: { history, stateDict, rngStates }. */
  result() { return this.done; }

  /** Pauses between steps; resolves ({ step }) once the worker has stopped stepping. */
  pause() { return this._ask('pause', 'paused'); }
  /** Resumes; resolves ({ step }) once the worker has been told. */
  resume() { return this._ask('resume', 'resumed'); }

  /** Stops after the current step; done resolves with history.stopped 'cancelled' and the weights so far. */
  cancel() {
    if (!this._settled) this._send({ type: 'cancel' });
    return this.done;
  }

  /** Ends the worker now; done (if still pending) rejects with code STATE. */
  async terminate() {
    if (!this._settled) this._finish(null, new RnnError('STATE', 'Trainer: terminated before training finished'), 'terminated');
    const w = this._worker ?? await this._ready.catch(() => null);
    await w?.terminate();
  }

  _ask(type, ack) {
    if (this._settled) return Promise.resolve({ step: this._lastProgress?.step ?? 0 });
    return new Promise((resolve) => {
      this._waiting[ack].push(resolve);
      this._send({ type });
    });
  }

  _send(msg) {
    this._ready.then((w) => { if (w && !this._settled) w.post(msg); }).catch((e) => this._fail(e));
  }

  _emit(event, ...args) {
    for (const fn of this._listeners.get(event)) {
      try {
        fn(...args);
      } catch (e) {
        this._fail(e);
        return;
      }
    }
  }

  _onMessage(m) {
    if (this._settled) return;
    switch (m?.type) {
      case 'progress':
        if (!m.record.epochEnd) this._lastProgress = m.record;
        this._emit('progress', m.record);
        if (m.record.epochEnd && !this._settled) this._emit('epoch', m.record);
        break;
      case 'checkpoint':
        this._emit('checkpoint', m.bytes, m.info);
        break;
      case 'paused': case 'resumed':
        if (this._status === 'running' || this._status === 'paused') this._status = m.type === 'paused' ? 'paused' : 'running';
        for (const r of this._waiting[m.type].splice(0)) r({ step: m.step });
        this._emit(m.type, { step: m.step });
        break;
      case 'done': {
        const result = { history: m.history, stateDict: m.stateDict, rngStates: m.rngStates, threads: m.threads ?? 1 };
        try {
          this._apply(m);
        } catch (e) {
          this._fail(e);
          return;
        }
        this._finish(result, null, 'done');
        break;
      }
      case 'error': {
        const err = remoteError(m.error);
        // As fit leaves the weights of the last good step in the model:
        if (m.stateDict) {
          err.stateDict = m.stateDict;
          try { this._apply(m); } catch { /* keep the training error */ }
        }
        this._finish(null, err, 'failed');
        break;
      }
      default: break;
    }
  }

  _apply(m) {
    if (!this._applyTo || !m.stateDict) return;
    this._applyTo.loadStateDict(m.stateDict);
    setRngStates(this._applyTo, m.rngStates);
  }

  _fail(e) {
    if (!this._settled) this._finish(null, e, 'failed');
  }

  _finish(result, error, status) {
    if (this._settled) return;
    this._settled = true;
    this._status = status;
    for (const list of Object.values(this._waiting)) for (const r of list.splice(0)) r({ step: this._lastProgress?.step ?? 0 });
    if (error) this._reject(error);
    else this._resolve(result);
    this._ready.then((w) => w?.terminate()).catch(() => {});
  }
}

/** new Trainer(options). */
export function createTrainer(options) {
  return new Trainer(options);
}
