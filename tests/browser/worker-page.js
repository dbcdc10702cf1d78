// worker-page.js - training in a Web Worker from a page (tests/browser/worker.html),
// checked by tests/worker-browser.test.mjs. The data, model and options are
// exported so Node can run the same training on its main thread and compare
// the per-step losses and final weights bit for bit.
//
//   import { runInPage } from './worker-page.js';
//   window.__result = await runInPage(await init({ build: 'simd' }), document); // bitwise Node's

import { addingBatches } from '../helpers/synthetic.js';

/** LSTM -> Pool('last') -> Linear, with recurrent dropout (so the generator state matters too). */
export function makeModel(rnn) {
  return new rnn.Sequential([
    new rnn.LSTM({ inputSize: 2, hiddenSize: 12, numLayers: 2, dropout: 0.2, batchFirst: true, seed: 1 }),
    new rnn.Pool({ mode: 'last' }),
    new rnn.Linear({ inFeatures: 12, outFeatures: 1, seed: 2 }),
  ]);
}

export const data = () => ({ train: addingBatches(40, 16, 10, 1), val: addingBatches(2, 32, 10, 2) });

/** ~1 s of training (about 1000 steps) on a desktop CPU. */
export const FIT_OPTIONS = Object.freeze({
  epochs: 25, loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 }, clipGradNorm: 1, seed: 3,
  lrSchedule: { type: 'step', stepSize: 300, gamma: 0.5 },
});

const plainDict = (sd) => Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, { shape: [...t.shape], data: Array.from(t.data) }]));

/**
 * Trains makeModel(rnn) in a worker; meanwhile a 10 ms setInterval and
 * requestAnimationFrame keep running on the page, which shows the progress.
 * Returns plain JSON: losses, history, final weights, and the longest gap
 * between interval ticks (and between frames) while the worker trains.
 */
export async function runInPage(rnn, doc) {
  const bar = doc.getElementById('bar'), status = doc.getElementById('status');
  const model = makeModel(rnn);
  const { train, val } = data();
  const totalSteps = FIT_OPTIONS.epochs * train.length;
  bar.max = totalSteps;
  const initial = plainDict(model.stateDict());

  // Measured while the worker trains: from the first progress event to done
  // (the worker's start-up, which loads the engine, is not training).
  const gaps = []; // [ms since the first step, gap] of ticks later than 30 ms
  let measuring = false, start = 0, last = 0, maxGap = 0, ticks = 0;
  const timer = setInterval(() => {
    if (!measuring) return;
    const t = performance.now();
    if (t - last > 30) gaps.push([Math.round(t - start), Math.round(t - last)]);
    maxGap = Math.max(maxGap, t - last);
    last = t;
    ticks++;
  }, 10);
  let frames = 0, lastFrame = null, maxFrameGap = 0, raf = true;
  const frame = (t) => {
    if (measuring) {
      if (lastFrame !== null) maxFrameGap = Math.max(maxFrameGap, t - lastFrame);
      lastFrame = t;
      frames++;
    }
    if (raf) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  // Tasks of the page's main thread that ran > 50 ms (Chromium's Long Tasks
  // API): a gap between ticks without a long task is the OS giving the CPU to
  // someone else (a loaded machine), not the page being busy.
  const longTasks = [];
  const observer = typeof PerformanceObserver === 'function' && PerformanceObserver.supportedEntryTypes?.includes('longtask')
    ? new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (measuring) longTasks.push(Math.round(e.duration));
    })
    : null;
  observer?.observe({ type: 'longtask' });

  const losses = [], epochs = [];
  let shown = 0;
  const t0 = performance.now();
  // The scripts of the workers started (the same way in every browser).
  const workerUrls = [];
  const PageWorker = globalThis.Worker;
  globalThis.Worker = class extends PageWorker {
    constructor(url, options) { workerUrls.push(new URL(url, location.href).pathname); super(url, options); }
  };
  const trainer = rnn.createTrainer({ model, train, val, ...FIT_OPTIONS, applyTo: model });
  trainer.on('progress', (p) => {
    if (!measuring) { measuring = true; start = last = performance.now(); }
    if (p.epochEnd) return;
    losses.push(p.loss);
    shown = p.step;
    bar.value = p.step;
    status.textContent = `step ${p.step} / ${totalSteps}, loss ${p.loss.toFixed(4)}`;
  });
  trainer.on('epoch', (e) => epochs.push(e));
  let result, trainingSeconds = 0;
  try {
    result = await trainer.done;
  } finally {
    globalThis.Worker = PageWorker;
    const t = performance.now();
    maxGap = Math.max(maxGap, t - last); // the wait since the last tick counts too
    measuring = false;
    clearInterval(timer);
    raf = false;
    observer?.disconnect();
    trainingSeconds = (t - start) / 1000;
  }
  const seconds = (performance.now() - t0) / 1000;
  status.textContent = `done: ${result.history.steps} steps in ${seconds.toFixed(2)} s`;
  const applied = plainDict(model.stateDict());
  model.dispose();
  return {
    backend: rnn.backend,
    initial,
    losses,
    epochs,
    history: result.history,
    stateDict: plainDict(result.stateDict),
    applied,
    shownStep: shown,
    seconds,
    trainingSeconds,
    maxGapMs: maxGap,
    ticks,
    frames,
    maxFrameGapMs: maxFrameGap,
    gaps,
    longTasks: observer ? longTasks : null,
    workerUrls,
  };
}
