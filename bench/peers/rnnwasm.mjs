// node bench/peers/rnnwasm.mjs [--only=W1,W5] [--quick] [--breakdown] [--scalar] [--threads=N]
// node bench/peers/rnnwasm.mjs --scaling [--quick]
// node bench/peers/rnnwasm.mjs --memory=T [--tbptt=K]
// rnn-wasm (dist/, the SIMD128 build unless --scalar; the multi-threaded
// build with --threads=N > 1) through its JS API:
//   W1-W3  train step: layer.forward over [T, B, I], rnn.Linear(H, 1) on the
//          last hidden state, rnn.losses.mse, Linear.backward, layer.backward
//          (BPTT), one Adam step over the layer's and the Linear's parameters
//   W4     layer.forward
//   W5     one LSTM step at batch 1 with the state carried: layer.stream()
//          .step(x) when the streaming API is there, else forward with T = 1
//          and { h0, c0 } from the previous hN, cN (the result says which)
// --breakdown adds W1/W2 forward / read-out / backward / Adam times;
// --scaling times the LSTM train step against T, H and B; --memory reports
// the wasm memory (and process max RSS) after training steps at one T in a
// fresh process: full BPTT over T steps, or with --tbptt=K the same T steps
// as T/K chunks of K with the state carried between chunks (truncated BPTT).
import { init } from '../../dist/index.js';
import { WORKLOADS, emit, environment, now, parseArgs, time, timeSteps, uniform } from './common.mjs';

const args = parseArgs();
const want = (w) => !args.only || args.only.has(w);
const q = args.quick ? 0.3 : 1;
const rnn = await init({ simd: args.scalar !== 'true', threads: args.threads ? Number(args.threads) : 1 });
if (args.threads && rnn.threads !== Number(args.threads)) throw new Error(`asked for ${args.threads} threads, got ${rnn.threads}`);

/** A train-step closure for one configuration, and its disposer. */
function makeTrainStep(cell, { T, B, I, H }, { split = null } = {}) {
  const m = new rnn[cell]({ inputSize: I, hiddenSize: H, seed: 1 });
  const lin = new rnn.Linear({ inFeatures: H, outFeatures: 1, seed: 2 });
  const opt = new rnn.Adam([...m.parameters(), ...lin.parameters()], { lr: 1e-3 });
  const x = { shape: [T, B, I], data: uniform(T * B * I, 1) };
  const y = { shape: [B, 1], data: uniform(B, 2) };
  const clock = () => (split ? now() : 0);
  // The read-out sees the last hidden state only, so forward skips copying
  // the whole output out ({ output: false }, like tfjs's default
  // returnSequences: false) and the loss enters backward through dhN; x
  // needs no gradient ({ dx: false }; PyTorch and tfjs skip it too).
  const step = () => {
    const t0 = clock();
    opt.zeroGrad();
    const { hN } = m.forward(x, { output: false });
    const t1 = clock();
    const pred = lin.forward({ shape: [B, H], data: hN.data });
    const { grad } = rnn.losses.mse(pred, y);
    const { dx } = lin.backward({ dOutput: grad });
    const t2 = clock();
    m.backward({ dhN: { shape: hN.shape, data: dx.data }, dx: false });
    const t3 = clock();
    opt.step();
    if (split) {
      const t4 = clock();
      split.forward += t1 - t0; split.readout += t2 - t1; split.backward += t3 - t2; split.adam += t4 - t3;
      split.n++;
    }
  };
  const dispose = () => { opt.dispose(); lin.dispose(); m.dispose(); };
  return { step, dispose, model: m, opt };
}

async function trainStep(w, opts = {}) {
  const { cell, ...shape } = WORKLOADS[w] ?? opts;
  const s = makeTrainStep(cell, shape);
  const r = await time(s.step, { warmup: 3, minRuns: opts.minRuns ?? 10, minMs: (opts.minMs ?? 2000) * q });
  s.dispose();
  return { ...r, unit: 'ms', how: 'forward, Linear+mse, backward, Adam (JS API)' };
}

async function inference(w) {
  const { T, B, I, H } = WORKLOADS[w];
  const m = new rnn.LSTM({ inputSize: I, hiddenSize: H, seed: 1 });
  const x = { shape: [T, B, I], data: uniform(T * B * I, 1) };
  const r = await time(() => m.forward(x), { warmup: 3, minRuns: 10, minMs: 2000 * q });
  m.dispose();
  return { ...r, unit: 'ms', how: 'layer.forward' };
}

async function streamStep(w) {
  const { I, H } = WORKLOADS[w];
  const m = new rnn.LSTM({ inputSize: I, hiddenSize: H, seed: 1 });
  const xs = Array.from({ length: 64 }, (_, t) => uniform(I, 100 + t));
  let t = 0, r;
  if (typeof m.stream === 'function') {
    const s = m.stream({ batch: 1 });
    let sink = 0;
    r = await timeSteps(() => { sink += s.step(xs[t++ & 63])[0]; }, { inner: 1000, warmup: 2000, minMs: 2000 * q });
    if (!Number.isFinite(sink)) throw new Error('non-finite stream output');
    s.dispose();
    r.how = 'layer.stream({ batch: 1 }).step(x)';
  } else {
    const xt = xs.map((d) => ({ shape: [1, 1, I], data: d }));
    let state = {};
    r = await timeSteps(() => {
      const out = m.forward(xt[t++ & 63], state);
      state = { h0: out.hN, c0: out.cN };
    }, { inner: 500, warmup: 1000, minMs: 2000 * q });
    r.how = 'forward with T = 1, state carried (no stream API in this build)';
  }
  m.dispose();
  return r;
}

function breakdown(w) {
  const { cell, ...shape } = WORKLOADS[w];
  const split = { forward: 0, readout: 0, backward: 0, adam: 0, n: 0 };
  const s = makeTrainStep(cell, shape, { split: null });
  for (let i = 0; i < 3; i++) s.step();
  s.dispose();
  const t = makeTrainStep(cell, shape, { split });
  for (let i = 0; i < 3; i++) t.step();
  Object.assign(split, { forward: 0, readout: 0, backward: 0, adam: 0, n: 0 });
  for (let i = 0; i < Math.max(5, Math.round(20 * q)); i++) t.step();
  t.dispose();
  const n = split.n;
  return { forward_ms: split.forward / n, readout_ms: split.readout / n, backward_ms: split.backward / n, adam_ms: split.adam / n };
}

async function scaling() {
  const base = { T: 64, B: 32, I: 32, H: 128 };
  const out = { T: [], H: [], B: [] };
  const opts = { minRuns: 5, minMs: 600 };
  for (const T of [16, 32, 64, 128, 256]) out.T.push({ T, ...(await trainStep(null, { cell: 'LSTM', ...base, T, ...opts })) });
  for (const H of [64, 128, 256, 512]) out.H.push({ H, ...(await trainStep(null, { cell: 'LSTM', ...base, H, ...opts })) });
  for (const B of [1, 8, 32, 128]) out.B.push({ B, ...(await trainStep(null, { cell: 'LSTM', ...base, B, ...opts })) });
  return out;
}

function memory(T, K) {
  const B = 32, I = 32, H = 128;
  const before = rnn.memoryBytes();
  const rss0 = process.memoryUsage().rss;
  const m = new rnn.LSTM({ inputSize: I, hiddenSize: H, seed: 1 });
  const lin = new rnn.Linear({ inFeatures: H, outFeatures: 1, seed: 2 });
  const opt = new rnn.Adam([...m.parameters(), ...lin.parameters()], { lr: 1e-3 });
  const xAll = uniform(T * B * I, 1);
  const y = { shape: [B, 1], data: uniform(B, 2) };
  const chunk = K || T;
  const dOutput = { shape: [chunk, B, H], data: new Float32Array(chunk * B * H) };
  const t0 = now();
  for (let rep = 0; rep < 2; rep++) {
    let state = {};
    for (let s0 = 0; s0 < T; s0 += chunk) {
      const x = { shape: [chunk, B, I], data: xAll.subarray(s0 * B * I, (s0 + chunk) * B * I) };
      opt.zeroGrad();
      const out = m.forward(x, state);
      state = { h0: out.hN, c0: out.cN }; // carried, without gradient, to the next chunk
      const last = (chunk - 1) * B * H;
      const pred = lin.forward({ shape: [B, H], data: out.output.data.subarray(last) });
      const { grad } = rnn.losses.mse(pred, y);
      dOutput.data.set(lin.backward({ dOutput: grad }).dx.data, last);
      m.backward({ dOutput });
      opt.step();
    }
  }
  const ms = (now() - t0) / 2;
  const res = {
    T, tbptt: K || null, B, I, H,
    wasmBytes: rnn.memoryBytes(), wasmBytesAtInit: before,
    maxRssBytes: process.resourceUsage().maxRSS * 1024, rssAtStart: rss0,
    msPerSequence: ms,
  };
  opt.dispose(); lin.dispose(); m.dispose();
  return res;
}

const base = { library: 'rnn-wasm', version: (await import('../../package.json', { with: { type: 'json' } }).catch(() => ({ default: {} }))).default.version ?? '?', backend: rnn.backend, threads: rnn.threads, ...environment() };
if (args.memory) {
  emit({ ...base, memory: memory(Number(args.memory), args.tbptt ? Number(args.tbptt) : 0) });
} else if (args.scaling) {
  emit({ ...base, scaling: await scaling() });
} else {
  const results = {};
  for (const w of ['W1', 'W2', 'W3_GRU', 'W3_RNN']) if (want(w)) results[w] = await trainStep(w);
  if (want('W4')) results.W4 = await inference('W4');
  if (want('W5')) results.W5 = await streamStep('W5');
  const out = { ...base, results };
  if (args.breakdown) out.breakdown = { W1: breakdown('W1'), W2: breakdown('W2') };
  emit(out);
}
