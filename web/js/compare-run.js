// compare-run.js - the measurements behind "RNN, LSTM or GRU? — measured",
// without any DOM: the adding problem at growing lengths (which cells learn
// it) and the time of one training step of each cell. The page runs them in
// its worker (playground-worker.js, message 'compare'); the recorded run the
// page shows at first paint is the same code in Node
// (scripts/record-compare.mjs).
import { addingBatch } from '../../shared/adding-core.js';

export const CELLS = ['RNN', 'LSTM', 'GRU'];

/**
 * The adding problem (Hochreiter & Schmidhuber 1997, as in
 * examples/adding.mjs), sized to finish in about a minute in a browser tab:
 * steps per length grow with T because the longer gaps take longer to learn.
 */
export const LONG_RANGE = {
  lengths: [10, 30, 100], steps: { 10: 300, 30: 500, 100: 1000 },
  hidden: 32, batch: 32, lr: 0.01, clip: 1, testSize: 500, curveEvery: 10, seed: 1,
};
/** Test MSE below which a cell has learnt the task (predicting the mean scores ~0.167). */
export const SOLVED_MSE = 0.01;
/** One training step (forward, MSE, backward, clipping, Adam) at the parameter section's H = 256, I = 1. */
export const SPEED = { hidden: 256, input: 1, batch: 32, T: 50, rounds: 4, reps: 2 };

/** <cell>(inputSize -> hidden), its last step, Linear(hidden -> 1). */
function regressor(rnn, cell, inputSize, hidden, seed) {
  return new rnn.Sequential([
    new rnn[cell]({ inputSize, hiddenSize: hidden, batchFirst: true, seed }),
    new rnn.Pool({ mode: 'last' }),
    new rnn.Linear({ inFeatures: hidden, outFeatures: 1, seed: seed + 1 }),
  ]);
}

/** One training step; returns the loss. */
function trainStep(rnn, model, params, opt, batch, clip) {
  opt.zeroGrad();
  const { loss, grad } = rnn.losses.mse(model.forward(batch.x), batch.y);
  model.backward(grad);
  rnn.clipGradNorm(params, clip);
  opt.step();
  return loss;
}

const pause = () => new Promise((r) => setTimeout(r, 0));

/**
 * Trains every cell on the adding problem at every length. onEvent gets
 * { kind: 'curve', T, cell, step, loss } every curveEvery steps (loss: their
 * mean) and { kind: 'done', T, cell, testMse, seconds } per run; control:
 * { cancelled } polled between steps. Returns { config, baseline: { T: mse },
 * runs: { T: { cell: { curve: [[step, loss]...], testMse, seconds } } } }.
 */
export async function runLongRange(rnn, onEvent = () => {}, control = {}, config = LONG_RANGE) {
  const { createRng } = rnn.data;
  const out = { config, baseline: {}, runs: {} };
  for (const T of config.lengths) {
    const test = addingBatch(createRng(config.seed * 1000 + T), config.testSize, T);
    let base = 0; // always predicting the mean, 1
    for (const v of test.y.data) base += (v - 1) ** 2;
    out.baseline[T] = base / config.testSize;
    out.runs[T] = {};
    for (const [ci, cell] of CELLS.entries()) {
      const model = regressor(rnn, cell, 2, config.hidden, config.seed * 100 + ci * 10);
      const params = model.parameters();
      const opt = new rnn.Adam(params, { lr: config.lr });
      const rng = createRng(config.seed * 1000 + T * 10 + ci); // the same data stream for every cell would also do; this keeps runs independent
      const curve = [];
      const t0 = performance.now();
      let sum = 0, lastYield = t0;
      try {
        for (let step = 1; step <= config.steps[T]; step++) {
          if (control.cancelled) throw Object.assign(new Error('the comparison was stopped'), { code: 'CANCELLED' });
          sum += trainStep(rnn, model, params, opt, addingBatch(rng, config.batch, T), config.clip);
          if (step % config.curveEvery === 0) {
            curve.push([step, sum / config.curveEvery]);
            onEvent({ kind: 'curve', T, cell, step, loss: sum / config.curveEvery, steps: config.steps[T] });
            sum = 0;
          }
          if (performance.now() - lastYield > 100) { await pause(); lastYield = performance.now(); }
        }
        model.eval();
        const pred = model.forward(test.x).data;
        let mse = 0;
        for (let b = 0; b < config.testSize; b++) mse += (pred[b] - test.y.data[b]) ** 2;
        const run = { curve, testMse: mse / config.testSize, seconds: (performance.now() - t0) / 1000 };
        out.runs[T][cell] = run;
        onEvent({ kind: 'done', T, cell, testMse: run.testMse, seconds: run.seconds });
      } finally {
        opt.dispose();
        model.dispose();
      }
    }
  }
  return out;
}

/** Matrix-product FLOPs of one training step: forward 2·g·H·(I+H)·B·T, backward twice that (input and weight gradients). */
export function stepFlops(cell, { hidden: H, input: I, batch: B, T }) {
  const g = { RNN: 1, LSTM: 4, GRU: 3 }[cell];
  return 3 * 2 * g * H * (I + H) * B * T;
}

/**
 * ms per training step of each cell at the same H, I, B, T: rounds of
 * interleaved timings (cell after cell, so background load hits all alike),
 * the minimum of each cell (noise only ever adds time). Returns
 * { config, cells: { cell: { ms, gflops, params } } }.
 */
export async function runSpeed(rnn, onEvent = () => {}, control = {}, config = SPEED) {
  const { createRng } = rnn.data;
  const rng = createRng(11);
  const batch = { x: { shape: [config.batch, config.T, config.input], data: new Float32Array(config.batch * config.T * config.input) },
    y: { shape: [config.batch, 1], data: new Float32Array(config.batch) } };
  for (let i = 0; i < batch.x.data.length; i++) batch.x.data[i] = rng.uniform() * 2 - 1;
  for (let i = 0; i < batch.y.data.length; i++) batch.y.data[i] = rng.uniform();
  const models = CELLS.map((cell, i) => {
    const model = regressor(rnn, cell, config.input, config.hidden, 50 + i);
    const params = model.parameters();
    // lr 0: the weights stay put, so every timed step does the same work
    return { cell, model, params, opt: new rnn.Adam(params, { lr: 0 }), best: Infinity };
  });
  try {
    for (const m of models) trainStep(rnn, m.model, m.params, m.opt, batch, 1); // warm-up: buffers, JIT
    for (let r = 0; r < config.rounds; r++) {
      for (const m of models) {
        if (control.cancelled) throw Object.assign(new Error('the comparison was stopped'), { code: 'CANCELLED' });
        const t0 = performance.now();
        for (let k = 0; k < config.reps; k++) trainStep(rnn, m.model, m.params, m.opt, batch, 1);
        m.best = Math.min(m.best, (performance.now() - t0) / config.reps);
        await pause();
      }
      onEvent({ kind: 'speed', round: r + 1, rounds: config.rounds });
    }
    const cells = {};
    for (const m of models) {
      cells[m.cell] = { ms: m.best, gflops: stepFlops(m.cell, config) / (m.best * 1e6), params: m.model.layers?.[0]?.numParams ?? null };
    }
    return { config, cells };
  } finally {
    for (const m of models) { m.opt.dispose(); m.model.dispose(); }
  }
}
