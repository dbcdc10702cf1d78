// node bench/onnx_import.mjs [--rounds=7] [--quick]
// The same ONNX LSTM models (one LSTM node, written by bench/peers/onnx_lstm.mjs
// from PyTorch-layout weights) in onnxruntime-web (wasm, 1 thread, in Node) and
// in rnn-wasm after rnn.loadOnnx, interleaved round by round in one process,
// each side's best round reported (wall and process CPU time):
//   W4  inference, T 64, B 32, I 32, H 256: one run of the whole sequence
//   W5  one streaming step, B 1, I 32, H 256: ORT feeds the state back through
//       session.run; rnn-wasm's OnnxModel.stream() keeps it in the engine
// A report, not a test: the ratios go to the README. Outputs are checked equal
// (<= 1e-5) before timing.
import * as ort from 'onnxruntime-web';
import { cpus } from 'node:os';
import { init } from '../dist/index.js';
import { lstmModel } from './peers/onnx_lstm.mjs';
import { WORKLOADS, cellWeights, parseArgs, uniform } from './peers/common.mjs';

const args = parseArgs();
const rounds = Number(args.rounds ?? (args.quick ? 3 : 7));
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';
const sessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' };
const rnn = await init();

// Runs fn (async or not) `reps` times; returns { wall, cpu } ms per rep.
async function measure(fn, reps) {
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / reps, cpu: (c.user + c.system) / 1000 / reps };
}

function maxDiff(a, b) { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; }

async function w4() {
  const s = WORKLOADS.W4;
  const bytes = lstmModel({ ...s, weights: cellWeights(s, 4), state: false });
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const model = await rnn.loadOnnx(bytes);
  const x = uniform(s.T * s.B * s.I, 1);
  const X = new ort.Tensor('float32', x, [s.T, s.B, s.I]);
  const diff = maxDiff((await session.run({ X })).Y.data, model.run({ X: { shape: [s.T, s.B, s.I], data: x } }).Y.data);
  if (!(diff <= 1e-5)) throw new Error(`W4: rnn-wasm and onnxruntime-web differ by ${diff}`);
  const reps = args.quick ? 2 : 4;
  // the same weights in an rnn.LSTM made directly: what the import costs on top
  const direct = new rnn.LSTM({ inputSize: s.I, hiddenSize: s.H });
  direct.eval();
  direct.loadStateDict(Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k.split('.').pop(), v])));
  const best = { ort: { wall: Infinity, cpu: Infinity }, rnn: { wall: Infinity, cpu: Infinity }, direct: { wall: Infinity, cpu: Infinity } };
  for (let k = 0; k < 2; k++) { await session.run({ X }); model.run({ X: { shape: [s.T, s.B, s.I], data: x } }); }
  for (let r = 0; r < rounds; r++) {
    const pair = [['ort', () => session.run({ X })], ['rnn', () => model.run({ X: { shape: [s.T, s.B, s.I], data: x } })],
      ['direct', () => direct.forward({ shape: [s.T, s.B, s.I], data: x })]];
    if (r % 2) pair.reverse();
    for (const [who, fn] of pair) {
      const m = await measure(fn, reps);
      best[who].wall = Math.min(best[who].wall, m.wall);
      best[who].cpu = Math.min(best[who].cpu, m.cpu);
    }
  }
  await session.release();
  model.dispose();
  direct.dispose();
  return { ...best, unit: 'ms', diff };
}

async function w5() {
  const s = WORKLOADS.W5;
  const bytes = lstmModel({ ...s, weights: cellWeights(s, 4), state: true });
  const session = await ort.InferenceSession.create(bytes, sessionOptions);
  const model = await rnn.loadOnnx(bytes);
  const stream = model.stream({ batch: 1 });
  const xs = Array.from({ length: 64 }, (_, k) => uniform(s.I, 100 + k));
  const zeros = new Float32Array(s.H);
  let h = new ort.Tensor('float32', zeros, [1, 1, s.H]), c = new ort.Tensor('float32', zeros, [1, 1, s.H]), k = 0;
  const ortStep = async () => { ({ hN: h, cN: c } = await session.run({ X: new ort.Tensor('float32', xs[k++ % 64], [1, 1, s.I]), h0: h, c0: c })); };
  let j = 0, last = null;
  const rnnStep = () => { last = stream.step({ X: { shape: [1, 1, s.I], data: xs[j++ % 64] } }); };
  for (let t = 0; t < 64; t++) { await ortStep(); rnnStep(); }
  const diff = Math.max(maxDiff(h.data, last.hN.data), maxDiff(c.data, last.cN.data));
  if (!(diff <= 1e-5)) throw new Error(`W5: the states after 64 steps differ by ${diff}`);
  const reps = args.quick ? 300 : 1000;
  const best = { ort: { wall: Infinity, cpu: Infinity }, rnn: { wall: Infinity, cpu: Infinity } };
  for (let r = 0; r < rounds; r++) {
    const pair = [['ort', ortStep], ['rnn', rnnStep]];
    if (r % 2) pair.reverse();
    for (const [who, fn] of pair) {
      const m = await measure(fn, reps);
      best[who].wall = Math.min(best[who].wall, m.wall * 1000);
      best[who].cpu = Math.min(best[who].cpu, m.cpu * 1000);
    }
  }
  stream.dispose();
  await session.release();
  model.dispose();
  return { ...best, unit: 'us', diff };
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(`bench/onnx_import.mjs: ${cpu}, node ${process.version}, onnxruntime-web ${ort.env.versions?.web ?? ''} (wasm, 1 thread), rnn-wasm ${rnn.backend}; best of ${rounds} interleaved rounds`);
for (const [name, run, what] of [['W4', w4, 'LSTM inference T64 B32 I32 H256'], ['W5', w5, 'LSTM stream step B1 I32 H256']]) {
  const r = await run();
  const f = (v) => v.toFixed(r.unit === 'ms' ? 2 : 1);
  console.log(`${name} ${what}: onnxruntime-web ${f(r.ort.wall)} ${r.unit} (cpu ${f(r.ort.cpu)}), rnn-wasm loadOnnx ${f(r.rnn.wall)} ${r.unit} (cpu ${f(r.rnn.cpu)}); `
    + `rnn-wasm ${(r.ort.cpu / r.rnn.cpu).toFixed(2)}x faster by CPU time (${(r.ort.wall / r.rnn.wall).toFixed(2)}x wall); outputs within ${r.diff.toExponential(1)}`
    + (r.direct ? `; rnn.LSTM made directly ${f(r.direct.wall)} ${r.unit} (cpu ${f(r.direct.cpu)})` : ''));
}
