// relaxed-child.mjs - the relaxed-SIMD build's checks, run by
// tests/relaxed.test.mjs under `node --experimental-wasm-relaxed-simd` (Node
// 20 validates relaxed SIMD only with that flag). Throws (exit status 1) on the
// first failed check; prints one JSON line of measurements for the parent.
import assert from 'node:assert/strict';
import { init, relaxedSupported } from '../../dist/index.js';
import { runThreadsCase } from '../browser/threads.js';
import { addingBatches, addingRegressor, assertClose } from './util.mjs';

assert.equal(relaxedSupported(), true, 'relaxedSupported() under --experimental-wasm-relaxed-simd');
const relaxed = await init();
assert.equal(relaxed.build, 'relaxed', 'init() picks the relaxed build where it validates');
assert.equal(relaxed.backend, 'wasm-relaxed-simd');
assert.equal((await init({ build: 'relaxed' })).build, 'relaxed');
const simd = await init({ build: 'simd' });
assert.equal(simd.backend, 'wasm-simd128');
const threaded = await init({ threads: 2 });
assert.equal(threaded.threads, 2, 'threads: 2 still loads the multi-threaded build');
assert.equal(threaded.build, 'simd', 'the multi-threaded build is SIMD128');

// The same cases on both builds: relaxed_madd may round once where mul+add
// rounds twice, so results agree to float32 rounding, not bit for bit.
const a = runThreadsCase(relaxed), b = runThreadsCase(simd);
const worst = {};
let differing = 0, total = 0;
for (const k of ['LSTM', 'GRU', 'RNN', 'GRU_before']) {
  for (const [name, values] of Object.entries(b[k])) {
    worst[`${k}.${name}`] = assertClose(a[k][name], values, { atol: 1e-6, rtol: 1e-4, what: `${k}.${name}` });
    for (let i = 0; i < values.length; i++) differing += a[k][name][i] !== values[i];
    total += values.length;
  }
}
worst.stream = assertClose(a.stream, b.stream, { atol: 1e-6, rtol: 1e-4, what: '300 LSTM stream steps' });

// A short training run: the losses follow the SIMD build's closely.
function train(rnn) {
  const lstm = new rnn.LSTM({ inputSize: 8, hiddenSize: 37, numLayers: 2, seed: 3 });
  const head = new rnn.Linear({ inFeatures: 37, outFeatures: 1, seed: 4 });
  const opt = new rnn.Adam([...lstm.parameters(), ...head.parameters()], { lr: 0.01 });
  const x = rnn.tensor([12, 6, 8], Float32Array.from({ length: 12 * 6 * 8 }, (_, i) => Math.sin(i * 0.7)));
  const y = rnn.tensor([6, 1], Float32Array.from({ length: 6 }, (_, i) => Math.cos(i)));
  const losses = [];
  for (let step = 0; step < 30; step++) {
    opt.zeroGrad();
    const { output } = lstm.forward(x);
    const last = rnn.tensor([6, 37], output.data.slice(11 * 6 * 37));
    const pred = head.forward(last);
    const { loss, grad } = rnn.losses.mse(pred, y);
    const { dx: dLast } = head.backward({ dOutput: grad });
    const dOutput = new Float32Array(output.data.length);
    dOutput.set(dLast.data, 11 * 6 * 37);
    lstm.backward({ dOutput: rnn.tensor(output.shape, dOutput) });
    opt.step();
    losses.push(loss);
  }
  [opt, head, lstm].forEach((m) => m.dispose());
  return losses;
}
const lossR = train(relaxed), lossS = train(simd);
assert.ok(lossR[29] < lossR[0] / 2, `training on the relaxed build lowers the loss (${lossR[0]} -> ${lossR[29]})`);
worst.trainingLoss = assertClose(lossR, lossS, { rtol: 1e-4, what: 'the losses of 30 Adam steps' });
assert.deepEqual(train(relaxed), lossR, 'the relaxed build is deterministic on one machine');

// rnn.Trainer's worker loads the same (relaxed) build: its weights are the
// main thread's bit for bit, and not the SIMD build's.
const OPTS = { epochs: 2, loss: 'mse', optimizer: { type: 'adam', lr: 1e-2 }, seed: 3 };
const batches = addingBatches(20, 16, 10, 1);
const { stateDict } = await relaxed.createTrainer({ model: addingRegressor(relaxed, 'LSTM'), train: batches, ...OPTS }).done;
const [onMain, onSimd] = [relaxed, simd].map((rnn) => addingRegressor(rnn, 'LSTM'));
await relaxed.fit(onMain, { train: batches, ...OPTS });
await simd.fit(onSimd, { train: batches, ...OPTS });
assert.deepEqual(stateDict, onMain.stateDict(), 'the trainer worker ran the relaxed build, as the main thread');
// (Where the CPU fuses, which the cases above show, the SIMD build's differ.)
if (differing > 0) assert.notDeepEqual(stateDict, onSimd.stateDict(), 'the trainer worker ran the SIMD build');

// Every kernel of rnn-relaxed-kernels.wasm is called (full and partial tiles,
// the batch-1 GEMV): the loader's imports wrapped in counters.
const calls = {};
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = function (source, imports) {
  if (imports?.kernels) {
    const k = imports.kernels;
    imports = { ...imports, kernels: Object.fromEntries(Object.keys(k).filter((n) => typeof k[n] === 'function')
      .map((n) => [n, (...args) => { calls[n] = (calls[n] ?? 0) + 1; return k[n](...args); }])) };
  }
  return instantiate.call(this, source, imports);
};
const counted = await init({ build: 'relaxed', locateFile: (f) => new URL(`../../dist/${f}`, import.meta.url) });
WebAssembly.instantiate = instantiate;
assert.equal(counted.build, 'relaxed');
const c = runThreadsCase(counted);
for (const k of ['LSTM', 'GRU', 'RNN', 'GRU_before']) assert.deepEqual(c[k], a[k], `${k}: the counted run is the relaxed run`);
const odd = new counted.GRU({ inputSize: 5, hiddenSize: 13, seed: 2 }); // partial 4x8 and 1x8 tiles
odd.forward(counted.tensor([3, 7, 5], new Float32Array(105).fill(0.5)));
odd.dispose();
for (const k of ['rnn_gemm_4x8__wasmsimd', 'rnn_gemm_4x8_pa__wasmsimd', 'rnn_gemm_1x8__wasmsimd', 'rnn_gemv_1x28__wasmsimd']) {
  assert.ok(calls[k] > 0, `${k} of rnn-relaxed-kernels.wasm was never called: ${JSON.stringify(calls)}`);
}

console.log(JSON.stringify({ worst, differing, total, calls }));
