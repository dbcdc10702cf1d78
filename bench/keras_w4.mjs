// keras_w4.mjs - W4 (LSTM H256, B32, T64, I32, forward over the sequence)
// for a Keras / TF.js LSTM: the model built and saved by TF.js, loaded into
// rnn-wasm with loadLayersModel, and timed next to TF.js's own predict of
// the same model (wasm backend, XNNPACK + SIMD, one thread, as in
// bench/peers/tfjs.mjs) and a natively built rnn-wasm LSTM. One process,
// the three interleaved round by round; the minimum of each is reported.
// The outputs are checked to agree first.
//
//   node bench/keras_w4.mjs [--rounds=7]      (BENCH_CLOCK=cpu: process CPU time, for a busy machine)
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { init } from '../dist/index.js';
import { WORKLOADS, clockKind, parseArgs, time, uniform } from './peers/common.mjs';

const args = parseArgs();
const rounds = Number(args.rounds ?? 7);
const { T, B, I, H } = WORKLOADS.W4;
const require = createRequire(import.meta.url);
setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');

const rnn = await init();
const model = tf.sequential({ layers: [tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [T, I] })] });
model.setWeights(model.getWeights().map((w, i) => tf.tensor(uniform(w.size, 7 + i, 1 / Math.sqrt(H)), w.shape)));
let art;
await model.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
const imported = await rnn.loadLayersModel(art);
const native = new rnn.LSTM({ inputSize: I, hiddenSize: H, batchFirst: true, seed: 1 });
// the same weights: the imported model's state dict is '<keras layer>.<PyTorch name>'
native.eval().loadStateDict(Object.fromEntries(Object.entries(imported.stateDict()).map(([k, v]) => [k.slice(k.indexOf('.') + 1), v])));
const xData = uniform(B * T * I, 1);
const x = { shape: [B, T, I], data: xData };
const xt = tf.tensor3d(xData, [B, T, I]);

const wantT = model.predict(xt);
const want = wantT.dataSync();
wantT.dispose();
const got = imported.forward(x).data;
let worst = 0;
for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
if (!(worst <= 2e-5)) throw new Error(`imported LSTM differs from TF.js by ${worst}`);

const runs = {
  'rnn-wasm, imported from TF.js': () => imported.forward(x),
  'rnn-wasm, native rnn.LSTM': () => native.forward(x),
  // as bench/peers/tfjs.mjs runs it (predict inside tf.tidy is ~4x slower: it tracks every step's tensors)
  'TF.js 4.22 predict (wasm backend)': () => { const out = model.predict(xt); out.dataSync(); out.dispose(); },
};
const best = Object.fromEntries(Object.keys(runs).map((k) => [k, Infinity]));
for (let r = 0; r < rounds; r++) {
  for (const [k, fn] of Object.entries(runs)) best[k] = Math.min(best[k], (await time(fn, { warmup: 2, minRuns: 5, minMs: 500 })).min);
}
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
console.log(`W4 (LSTM H${H} B${B} T${T} I${I}, forward over the sequence), ${cpu}, Node ${process.version}, ${rnn.backend}; max |diff| vs TF.js ${worst.toExponential(1)}; min of ${rounds} interleaved rounds, ${clockKind} clock:`);
const tfjsMs = best['TF.js 4.22 predict (wasm backend)'];
for (const [k, ms] of Object.entries(best)) console.log(`  ${k.padEnd(36)} ${ms.toFixed(2)} ms  (${(tfjsMs / ms).toFixed(2)}x TF.js's speed)`);
