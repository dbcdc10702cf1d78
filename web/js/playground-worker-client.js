// playground-worker-client.js - the page's side of the playground's own
// worker (playground-worker.js, which prepares the datasets and trains the
// seq2seq model): a request / reply protocol over postMessage, and
// G2pTrainer, which gives seq2seq training the library Trainer's interface
// (on('progress'), pause, resume, cancel, done).
//
// Protocol: the page posts { id, type, ... }; the worker answers
// { id, event, ... } any number of times (progress, info), then once
// { id, result } or { id, error: { message, code } }. { type: 'control',
// action: 'pause' | 'resume' | 'cancel' } steers a running training.

export class PlaygroundWorker {
  constructor() {
    this.n = 0;
    this.pending = new Map();
  }

  // Started on the first request (it loads the engine a second time).
  get worker() {
    if (this.started) return this.started;
    this.started = new Worker(new URL('./playground-worker.js', import.meta.url), { type: 'module' });
    this.attach(this.started);
    return this.started;
  }

  attach(worker) {
    worker.addEventListener('message', (e) => {
      const m = e.data, p = this.pending.get(m.id);
      if (!p) return;
      if (m.event) { p.onEvent?.(m); return; }
      this.pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      else p.resolve(m.result);
    });
    worker.addEventListener('error', (e) => {
      e.preventDefault?.();
      for (const p of this.pending.values()) p.reject(new Error(`the lab worker failed: ${e.message || 'it could not be loaded'}`));
      this.pending.clear();
    });
  }

  /** Sends a request; resolves with its result. onEvent(m) sees the events before it. */
  call(msg, onEvent) {
    const id = ++this.n;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.worker.postMessage({ ...msg, id });
    });
  }

  control(action) { this.worker.postMessage({ type: 'control', action, id: 0 }); }
  terminate() { this.started?.terminate(); }
}

/** The library Trainer's interface, for seq2seq training in a worker of its own. */
export class G2pTrainer {
  constructor(url, options, stateDict) {
    this.lab = new PlaygroundWorker();
    this.listeners = { progress: new Set() };
    this.status = 'running';
    this.done = this.lab.call({ type: 'train-g2p', url, options, stateDict }, (m) => {
      if (m.event === 'progress') for (const fn of this.listeners.progress) fn(m.record);
      if (m.event === 'info') this.info = m.info;
    }).finally(() => { this.status = 'done'; this.lab.terminate(); });
  }

  on(event, fn) { this.listeners[event]?.add(fn); return this; }
  pause() { this.lab.control('pause'); this.status = 'paused'; return Promise.resolve(); }
  resume() { this.lab.control('resume'); this.status = 'running'; return Promise.resolve(); }
  cancel() { this.lab.control('cancel'); return this.done; }
}
