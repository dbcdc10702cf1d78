// node bench/peers/ort.mjs [--only=W4,W5] [--quick]
// onnxruntime-web (wasm execution provider, 1 thread), inference only:
//   W4  LSTM forward, T 64, B 32, I 32, H 256 (one session.run per sequence)
//   W5  one LSTM step, B 1, I 32, H 256, state fed back through session.run
// The ONNX models are one LSTM node each, written by bench/peers/onnx_lstm.mjs
// from PyTorch-layout weights and cached in build/bench/. Before timing, a
// small model is checked against a plain-JS nn.LSTM reference.
import * as ort from 'onnxruntime-web';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lstmModel } from './onnx_lstm.mjs';
import { WORKLOADS, cellWeights, emit, environment, parseArgs, time, timeSteps, uniform } from './common.mjs';

const args = parseArgs();
const want = (w) => !args.only || args.only.has(w);
const q = args.quick ? 0.3 : 1;

ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';
const sessionOptions = {
  executionProviders: ['wasm'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
};

const cacheDir = fileURLToPath(new URL('../../build/bench/', import.meta.url));
mkdirSync(cacheDir, { recursive: true });

function modelBytes(name, spec) {
  const file = `${cacheDir}${name}.onnx`;
  const bytes = lstmModel(spec);
  // Cached for inspection (e.g. with netron or onnx.checker); rebuilt each run, it takes < 1 ms.
  if (!existsSync(file) || !readFileSync(file).equals(Buffer.from(bytes))) writeFileSync(file, bytes);
  return bytes;
}

// nn.LSTM in plain JS (float64), gates i, f, g, o: the reference for the check.
function referenceLstm({ T, B, I, H, weights: w }, x, h0, c0) {
  const sig = (v) => 1 / (1 + Math.exp(-v));
  let h = Float64Array.from(h0), c = Float64Array.from(c0);
  const ys = [];
  for (let t = 0; t < T; t++) {
    const hn = new Float64Array(B * H), cn = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      const g = new Float64Array(4 * H);
      for (let r = 0; r < 4 * H; r++) {
        let s = w.bias_ih[r] + w.bias_hh[r];
        for (let k = 0; k < I; k++) s += w.weight_ih[r * I + k] * x[(t * B + b) * I + k];
        for (let k = 0; k < H; k++) s += w.weight_hh[r * H + k] * h[b * H + k];
        g[r] = s;
      }
      for (let j = 0; j < H; j++) {
        const i = sig(g[j]), f = sig(g[H + j]), gg = Math.tanh(g[2 * H + j]), o = sig(g[3 * H + j]);
        cn[b * H + j] = f * c[b * H + j] + i * gg;
        hn[b * H + j] = o * Math.tanh(cn[b * H + j]);
      }
    }
    h = hn; c = cn;
    ys.push(h);
  }
  return { ys, h, c };
}

async function check() {
  const spec = { T: 3, B: 2, I: 4, H: 5 };
  spec.weights = cellWeights(spec, 4, 5);
  const x = uniform(spec.T * spec.B * spec.I, 3);
  const h0 = uniform(spec.B * spec.H, 4), c0 = uniform(spec.B * spec.H, 5);
  const ref = referenceLstm(spec, x, h0, c0);
  const seq = await ort.InferenceSession.create(lstmModel({ ...spec, state: false }), sessionOptions);
  const step = await ort.InferenceSession.create(lstmModel({ ...spec, T: 1, state: true }), sessionOptions);
  // The sequence model starts from zero state; so does its reference.
  const ref0 = referenceLstm(spec, x, new Float32Array(spec.B * spec.H), new Float32Array(spec.B * spec.H));
  const { Y } = await seq.run({ X: new ort.Tensor('float32', x, [spec.T, spec.B, spec.I]) });
  let err = 0;
  for (let t = 0; t < spec.T; t++) {
    for (let k = 0; k < spec.B * spec.H; k++) err = Math.max(err, Math.abs(Y.data[t * spec.B * spec.H + k] - ref0.ys[t][k]));
  }
  let h = new ort.Tensor('float32', h0, [1, spec.B, spec.H]), c = new ort.Tensor('float32', c0, [1, spec.B, spec.H]);
  for (let t = 0; t < spec.T; t++) {
    const X = new ort.Tensor('float32', x.slice(t * spec.B * spec.I, (t + 1) * spec.B * spec.I), [1, spec.B, spec.I]);
    ({ hN: h, cN: c } = await step.run({ X, h0: h, c0: c }));
  }
  for (let k = 0; k < spec.B * spec.H; k++) {
    err = Math.max(err, Math.abs(h.data[k] - ref.h[k]), Math.abs(c.data[k] - ref.c[k]));
  }
  await seq.release();
  await step.release();
  if (!(err < 1e-5)) throw new Error(`the ONNX LSTM does not match nn.LSTM (max error ${err})`);
  return err;
}

const results = {};
const checkError = await check();

if (want('W4')) {
  const s = WORKLOADS.W4;
  const weights = cellWeights(s, 4);
  const session = await ort.InferenceSession.create(modelBytes('lstm_w4', { ...s, weights, state: false }), sessionOptions);
  const X = new ort.Tensor('float32', uniform(s.T * s.B * s.I, 1), [s.T, s.B, s.I]);
  results.W4 = { ...(await time(() => session.run({ X }), { warmup: 3, minRuns: 10, minMs: 3000 * q })), unit: 'ms' };
  await session.release();
}

if (want('W5')) {
  const s = WORKLOADS.W5;
  const weights = cellWeights(s, 4);
  const session = await ort.InferenceSession.create(modelBytes('lstm_w5_step', { ...s, weights, state: true }), sessionOptions);
  const xs = Array.from({ length: 64 }, (_, t) => new ort.Tensor('float32', uniform(s.I, 100 + t), [1, 1, s.I]));
  let h = new ort.Tensor('float32', new Float32Array(s.H), [1, 1, s.H]);
  let c = new ort.Tensor('float32', new Float32Array(s.H), [1, 1, s.H]);
  let t = 0;
  const step = async () => {
    const out = await session.run({ X: xs[t++ & 63], h0: h, c0: c });
    h.dispose?.(); c.dispose?.();
    h = out.hN; c = out.cN;
  };
  results.W5 = { ...(await timeSteps(step, { inner: 100, warmup: 500, minMs: 2000 * q })), how: 'session.run per step, hN/cN fed back as h0/c0' };
  await session.release();
}

emit({
  library: 'onnxruntime-web',
  version: ort.env.versions?.web ?? ort.env.versions?.common ?? 'unknown',
  backend: 'wasm, 1 thread',
  check: { maxAbsErrorVsReference: checkError },
  ...environment(),
  results,
});
