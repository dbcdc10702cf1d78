// node bench/peers/tfjs.mjs --backend=wasm|cpu [--only=W1,W4] [--quick] [--method=minimize|trainOnBatch]
// TensorFlow.js 4.22 (layers API), pure-JS `cpu` or `wasm` (XNNPACK, SIMD,
// 1 thread: tfjs disables its threaded wasm build in Node) backend:
//   W1-W3  train step: tf.layers.lstm / gru / simpleRNN (recurrentActivation
//          'sigmoid', PyTorch's gate function; tfjs's GRU is the reset-before
//          variant, PyTorch's is reset-after: same cost) on [B, T, I], Dense(1)
//          on the last hidden state, MSE, Adam (lr 1e-3) via
//          optimizer.minimize (measured faster than model.trainOnBatch, which
//          adds a loss read-back and the Keras bookkeeping; --method to switch)
//   W4     LSTM forward over the sequence (returnSequences), model.predict
//   W5     one LSTM step, batch 1, state carried: the fastest of a stateful
//          LSTM layer (predict on [1, 1, I]) and the layer's own LSTMCell
//          called in tf.tidy with h, c kept between calls
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { WORKLOADS, emit, environment, parseArgs, time, timeSteps, uniform } from './common.mjs';

const args = parseArgs();
const backend = args.backend ?? args.positional[0] ?? 'wasm';
const want = (w) => !args.only || args.only.has(w);
const q = args.quick ? 0.3 : 1;
const method = args.method ?? 'minimize';

const require = createRequire(import.meta.url);
if (backend === 'wasm') {
  // In Node the wasm backend reads its .wasm with fs from this folder.
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}
if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend ${backend} failed to initialise`);
await tf.ready();

const layerFor = { LSTM: tf.layers.lstm, GRU: tf.layers.gru, RNN: tf.layers.simpleRNN };

function recurrentLayer(cell, H, extra = {}) {
  const opts = { units: H, activation: 'tanh', ...extra };
  if (cell !== 'RNN') opts.recurrentActivation = 'sigmoid';
  return layerFor[cell](opts);
}

// How long the slow configurations run: tfjs-cpu takes seconds per W2 step.
function budget(w) {
  const slow = backend === 'cpu' ? { W1: 5, W2: 3, W3_GRU: 5, W3_RNN: 5 } : { W2: 6 };
  const minRuns = Math.max(3, Math.round((slow[w] ?? 10) * q));
  return { warmup: backend === 'cpu' ? 1 : 2, minRuns, minMs: backend === 'cpu' ? 0 : 3000 * q, maxRuns: 200 };
}

async function trainStep(w) {
  const { cell, T, B, I, H } = WORKLOADS[w];
  const model = tf.sequential({
    layers: [
      recurrentLayer(cell, H, { inputShape: [T, I] }), // returns the last hidden state
      tf.layers.dense({ units: 1 }),
    ],
  });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.tensor3d(uniform(B * T * I, 1), [B, T, I]);
  const y = tf.tensor2d(uniform(B, 2), [B, 1]);
  let step;
  if (method === 'trainOnBatch') {
    model.compile({ optimizer, loss: 'meanSquaredError' });
    step = () => model.trainOnBatch(x, y);
  } else {
    const vars = model.trainableWeights.map((v) => v.read());
    step = () => {
      const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true })), true, vars);
      loss.dataSync(); // both backends run kernels eagerly; this only confirms it
      loss.dispose();
    };
  }
  const r = await time(step, budget(w));
  model.dispose?.();
  optimizer.dispose();
  tf.dispose([x, y]);
  return { ...r, unit: 'ms', how: method === 'trainOnBatch' ? 'model.trainOnBatch' : 'optimizer.minimize' };
}

async function inference(w) {
  const { T, B, I, H } = WORKLOADS[w];
  const model = tf.sequential({ layers: [recurrentLayer('LSTM', H, { inputShape: [T, I], returnSequences: true })] });
  const x = tf.tensor3d(uniform(B * T * I, 1), [B, T, I]);
  const run = () => {
    const out = model.predict(x);
    out.dataSync();
    out.dispose();
  };
  const r = await time(run, { warmup: backend === 'cpu' ? 1 : 3, minRuns: backend === 'cpu' ? 5 : 10, minMs: backend === 'cpu' ? 0 : 3000 * q });
  model.dispose?.();
  x.dispose();
  return { ...r, unit: 'ms', how: 'model.predict (returnSequences)' };
}

async function streamStep(w) {
  const { I, H } = WORKLOADS[w];
  const xs = Array.from({ length: 64 }, (_, t) => tf.tensor3d(uniform(I, 100 + t), [1, 1, I]));
  const opts = { inner: backend === 'cpu' ? 20 : 50, warmup: 200, minBatches: 10, minMs: 2000 * q };

  // (a) stateful layer, batch 1
  const model = tf.sequential({ layers: [recurrentLayer('LSTM', H, { batchInputShape: [1, 1, I], stateful: true })] });
  let t = 0;
  const stateful = await timeSteps(() => {
    const out = model.predict(xs[t++ & 63]);
    out.dataSync();
    out.dispose();
  }, opts);

  // (b) the same layer's LSTMCell, state kept as tensors
  const cellLayer = model.layers[0].cell;
  const xs2 = xs.map((x) => x.reshape([1, I]));
  let h = tf.zeros([1, H]), c = tf.zeros([1, H]);
  t = 0;
  const cellStep = await timeSteps(() => {
    const [out, h1, c1] = tf.tidy(() => {
      const [o, hn, cn] = cellLayer.call([xs2[t++ & 63], h, c], {});
      return [o, tf.keep(hn), tf.keep(cn)];
    });
    out.dataSync();
    tf.dispose([h, c]);
    h = h1; c = c1;
  }, opts);
  tf.dispose([h, c, ...xs, ...xs2]);
  model.dispose?.();
  const best = cellStep.median < stateful.median
    ? { ...cellStep, how: 'LSTMCell.call in tf.tidy, h/c carried (stateful layer: ' + stateful.median.toFixed(1) + ' us)' }
    : { ...stateful, how: 'stateful LSTM layer, predict per step (LSTMCell in tf.tidy: ' + cellStep.median.toFixed(1) + ' us)' };
  return best;
}

const results = {};
const header = () => ({
  library: `tfjs-${backend}`,
  version: tf.version.tfjs,
  backend: `${tf.getBackend()}${backend === 'wasm' ? `, simd ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'yes' : '1'}` : ''}`,
  ...environment(),
});
// Results are emitted after every workload (cumulative), so a run stopped
// by the driver's time limit still reports what it finished.
const order = ['W1', 'W2', 'W3_GRU', 'W3_RNN', 'W4', 'W5'].filter(want);
for (const w of order) {
  if (w === 'W4') results.W4 = await inference('W4');
  else if (w === 'W5') results.W5 = await streamStep('W5');
  else results[w] = await trainStep(w);
  emit({ ...header(), results, done: w === order[order.length - 1] });
}
