// trainer-worker.js - the off-thread trainer's worker side (trainer.js starts
// it): loads the engine (index.js and the .wasm next to this file), rebuilds
// the model from its spec and weights, runs fit() and posts progress /
// checkpoint / paused / resumed / done / error messages (weights as
// transferred buffers).
import { init } from './index.js';
import { setRngStates } from './rng-states.js';
import { modelState } from './trainer.js';
import { buildModel } from './spec.js';

const isNode = typeof process === 'object' && process.versions?.node != null;

// The channel to the main thread, without top-level await (bundlers build
// workers as classic scripts by default, e.g. Vite's 'iife' worker format).
// Browsers: listen at once (a message dispatched with no listener is lost).
// Node: node:worker_threads is imported first; its port queues messages
// until a listener is attached.
let port = null;
if (isNode) {
  const name = ['node', 'worker_threads'].join(':'); // opaque to bundlers and minifiers
  import(/* @vite-ignore */ /* webpackIgnore: true */ name).then(({ parentPort }) => {
    if (!parentPort) return; // imported outside a worker: nothing to do
    port = { post: (m, t) => parentPort.postMessage(m, t) };
    parentPort.on('message', onMessage);
  });
} else if (typeof self === 'object' && typeof self.postMessage === 'function' && typeof WorkerGlobalScope === 'function') {
  port = { post: (m, t) => self.postMessage(m, t) };
  self.addEventListener('message', (e) => onMessage(e.data));
}

// fit's control object; it exists from the first message on, so a pause or
// cancel sent while the engine loads is not lost.
const control = { paused: false, cancelled: false };
let model = null;
let step = 0;

function takeWeights() {
  if (!model || model.disposed) return { stateDict: null, rngStates: null, transfer: [] };
  return modelState(model);
}

function plainError(e) {
  return {
    name: e?.name ?? 'Error', code: e?.code ?? null,
    message: e?.message ?? String(e), stack: e?.stack ?? null,
  };
}

async function start(msg) {
  const { spec, stateDict, options, init: initOptions = {} } = msg;
  let rnn;
  const io = { ...initOptions };
  if (io.wasmUrl) {
    const url = io.wasmUrl;
    delete io.wasmUrl;
    io.locateFile = () => url;
  }
  try {
    rnn = await init(io);
    model = buildModel(rnn, spec);
    model.loadStateDict(stateDict);
    setRngStates(model, msg.rngStates);
    const fitOptions = {
      ...options,
      control,
      onProgress: (record) => {
        if (!record.epochEnd) step = record.step;
        port.post({ type: 'progress', record });
      },
    };
    if (options.checkpointEvery > 0) {
      fitOptions.onCheckpoint = (bytes, info) => port.post({ type: 'checkpoint', bytes, info }, [bytes.buffer]);
    }
    const history = await rnn.fit(model, fitOptions);
    const w = takeWeights();
    port.post({ type: 'done', history, stateDict: w.stateDict, rngStates: w.rngStates, threads: rnn.threads }, w.transfer);
  } catch (e) {
    // fit keeps the weights of the last good step (NON_FINITE): send them too.
    let w = { stateDict: null, rngStates: null, transfer: [] };
    try { w = takeWeights(); } catch { /* the model could not be built */ }
    port.post({ type: 'error', error: plainError(e), stateDict: w.stateDict, rngStates: w.rngStates }, w.transfer);
  } finally {
    model?.dispose();
  }
}

function onMessage(msg) {
  switch (msg?.type) {
    case 'start': start(msg); break;
    case 'pause':
      control.paused = true;
      port.post({ type: 'paused', step });
      break;
    case 'resume':
      control.paused = false;
      port.post({ type: 'resumed', step });
      break;
    case 'cancel': control.cancelled = true; break;
    default: break;
  }
}
