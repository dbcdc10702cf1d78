// threads.js - the multi-threaded build's helpers: when the runtime can share
// wasm memory across threads (Node, or a cross-origin isolated page), each
// helper is a worker running threads-helper.js on the engine's own module and
// memory; large products are then split by columns over all threads (see
// src/parallel.c), with bitwise the same results as one thread.
import { RnnError } from './errors.js';

const isNode = typeof process === 'object' && process.versions?.node != null;
const HELPER_STACK = 256 * 1024;

/** Whether this runtime can run the multi-threaded build. */
export function threadsSupported() {
  if (typeof SharedArrayBuffer !== 'function') return false;
  if (!isNode && globalThis.crossOriginIsolated !== true) return false;
  try {
    return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** Threads to use for options.threads: a count, or 'auto' (the cores, at most 4). */
export function resolveThreads(threads) {
  if (threads === undefined || threads === 1) return 1;
  if (threads === 'auto') {
    let cores = 1;
    if (typeof navigator === 'object' && navigator.hardwareConcurrency) cores = navigator.hardwareConcurrency;
    else if (isNode && typeof globalThis.process?.availableParallelism === 'function') cores = process.availableParallelism();
    return Math.max(1, Math.min(4, cores));
  }
  if (!Number.isInteger(threads) || threads < 1 || threads > 16) {
    throw new RnnError('INVALID', `init: threads must be an integer in [1, 16] or 'auto', got ${String(threads)}`);
  }
  return threads;
}

async function spawn() {
  if (isNode) {
    const name = ['node', 'worker_threads'].join(':'); // opaque to bundlers and minifiers
    const { Worker: NodeWorker } = await import(/* @vite-ignore */ /* webpackIgnore: true */ name);
    const file = './threads-helper.js';
    // Not the parent's --input-type (node -e): workers run a file; nor V8's
    // --experimental-wasm-* flags, which workers refuse (they are process-wide).
    const execArgv = process.execArgv.filter((a) => !/^--(input-type|experimental-wasm-)/.test(a));
    const w = new NodeWorker(new URL(file, import.meta.url), { execArgv });
    w.unref(); // helpers never keep a Node process alive
    return {
      post: (m) => w.postMessage(m),
      onMessage: (fn) => w.on('message', fn),
      onError: (fn) => { w.on('error', fn); w.on('exit', () => fn(new Error('the helper thread exited'))); },
      // A 'message' listener keeps a port alive (and the process running).
      started: () => { w.removeAllListeners('message'); w.unref(); },
      terminate: () => w.terminate(),
    };
  }
  const w = new Worker(new URL('./threads-helper.js', import.meta.url), { type: 'module' });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
    onError: (fn) => w.addEventListener('error', (e) => { e.preventDefault?.(); fn(new Error(e.message || 'threads-helper.js could not be loaded')); }),
    started: () => {},
    terminate: () => w.terminate(),
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts `count` helpers on instance `x` (exports) with `module` and `memory`.
 * Resolves once every helper is inside rnn_thread_main; a helper that fails to
 * start rejects the promise (and stops the others).
 */
export async function startHelpers(x, module, memory, count) {
  const workers = [];
  const stacks = [];
  try {
    for (let id = 1; id <= count; id++) {
      const base = x.malloc(HELPER_STACK);
      if (!base) throw new RnnError('OUT_OF_MEMORY', 'init: out of wasm memory for a helper thread stack');
      stacks.push(base);
      const w = await spawn();
      workers.push(w);
      await new Promise((resolve, reject) => {
        w.onError(reject);
        w.onMessage((m) => {
          if (m?.ready === id) resolve();
          else if (m?.error) reject(new Error(m.error));
        });
        w.post({ module, memory, id, stackTop: (base + HELPER_STACK) & ~15 });
      });
      w.started();
    }
    // 'ready' is posted just before rnn_thread_main: wait until all are in.
    for (let i = 0; x.rnn_threads_active() < count + 1; i++) {
      if (i > 2000) throw new Error('the helper threads did not start within 10 s');
      await sleep(5);
    }
  } catch (e) {
    x.rnn_threads_stop();
    for (const w of workers) w.terminate();
    throw new RnnError('UNSUPPORTED', `init: could not start ${count} helper thread(s): ${e.message}`);
  }
  return {
    count: count + 1,
    stop() {
      x.rnn_threads_stop();
      for (const w of workers) w.terminate();
    },
  };
}
