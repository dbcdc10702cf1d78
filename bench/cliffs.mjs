// node bench/cliffs.mjs [--quick] [--skip=tfjs-wasm,ort,rnn-wasm-2t] [--out=build/cliffs.json]
// (BENCH_CLOCK=cpu: process CPU time instead of wall time, for a loaded machine)
// Speed cliffs (issue 24): each case where subnormal floats used to appear,
// timed against its normal twin in the same process, runs alternating
// (normal, cliff, normal, cliff, ...), medians. Ratio = cliff / normal
// (per step where the two differ in T); target: every ratio <= 1.2x.
//   bptt      LSTM/GRU/RNN H256 B32 I32, forward + a Linear(H, 1) head on hN
//             + mse + backward with dx (the loss on the last step only), per
//             step at T 256 against T 128
//   sweep     the LSTM case's per step time from T 64 to T 4096 (quick: 512),
//             against T 64
//   saturated LSTM/GRU/RNN forward, T 128, inputs of scale 1000 against 1
//   linear    Linear [2048 x 256] . [256 x 1024], subnormal inputs against normal
//   stream    LSTM H256 batch 1, 100 000 steps (quick: 20 000) on saturated inputs
//             against normal, through stream.run in chunks of 1000
// rnn-wasm runs the SIMD build on 1 thread and the 2-thread build
// (init({ threads: 2 })); TensorFlow.js-wasm (tfjs.mjs's setup) and
// onnxruntime-web (an ONNX LSTM / MatMul from onnx_lstm.mjs) run the cases
// they have, with the same shapes (peers: fewer stream steps). Each library
// runs in its own child process, one after the other. Prints a table and one
// `BENCH_JSON {...}` line (bench/run.mjs's "cliffs" section reads it).
// Child mode: --lib=rnn-wasm|rnn-wasm-2t|tfjs-wasm|ort.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockKind, emit, now, parseArgs, uniform } from './peers/common.mjs';

const args = parseArgs();
const quick = args.quick;
const root = fileURLToPath(new URL('..', import.meta.url));
const SHAPE = { B: 32, I: 32, H: 256 };
const TINY = 2 ** -130; // uniform(n, seed, TINY): every value subnormal or 0
const STREAM_STEPS = quick ? 20000 : 100000;
const PEER_STREAM_STEPS = quick ? 2000 : 5000;

/**
 * Times normal() and cliff() alternately: one untimed call of each, then up
 * to `runs` pairs, stopping after `budgetMs` (at least one pair). Medians.
 */
async function pair(normal, cliff, { runs = quick ? 3 : 5, budgetMs = quick ? 4000 : 12000, perNormal = 1, perCliff = 1 } = {}) {
  await normal(); await cliff();
  const tn = [], tc = [];
  const start = now();
  for (let i = 0; i < runs && (i === 0 || now() - start < budgetMs); i++) {
    let t0 = now(); await normal(); tn.push(now() - t0);
    t0 = now(); await cliff(); tc.push(now() - t0);
  }
  const med = (a) => { const s = [...a].sort((x, y) => x - y); const n = s.length; return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2; };
  const normalMs = med(tn) / perNormal, cliffMs = med(tc) / perCliff;
  return { normalMs, cliffMs, ratio: cliffMs / normalMs, runs: tn.length };
}

// ---- rnn-wasm ---------------------------------------------------------------

async function rnnWasm(threads) {
  const { init } = await import('../dist/index.js');
  const rnn = await init({ simd: true, threads });
  if (rnn.threads !== threads) throw new Error(`asked for ${threads} threads, got ${rnn.threads}`);
  const { B, I, H } = SHAPE;
  const cases = {};

  // forward + head + mse + backward (dx), the loss on the last step only
  const bpttRunner = (cell) => {
    const m = new rnn[cell]({ inputSize: I, hiddenSize: H, seed: 1 });
    const head = new rnn.Linear({ inFeatures: H, outFeatures: 1, seed: 2 });
    const y = { shape: [B, 1], data: uniform(B, 2) };
    const xs = new Map();
    const run = (T) => {
      if (!xs.has(T)) xs.set(T, { shape: [T, B, I], data: uniform(T * B * I, 1) });
      m.zeroGrad(); head.zeroGrad();
      const { hN } = m.forward(xs.get(T), { output: false });
      const pred = head.forward({ shape: [B, H], data: hN.data });
      const { dx } = head.backward({ dOutput: rnn.losses.mse(pred, y).grad });
      m.backward({ dhN: { shape: hN.shape, data: dx.data } });
    };
    return { run, dispose: () => { head.dispose(); m.dispose(); xs.clear(); } };
  };
  for (const cell of ['LSTM', 'GRU', 'RNN']) {
    const r = bpttRunner(cell);
    cases[`bptt_${cell}`] = await pair(() => r.run(128), () => r.run(256), { perNormal: 128, perCliff: 256 });
    r.dispose();
  }

  // per-step time against T (LSTM), single-thread build only; a fresh layer
  // per T, so the largest forward cache (~1 GB at T 4096) is allocated once
  let sweep = null;
  if (threads === 1) {
    sweep = [];
    const Ts = quick ? [64, 128, 256, 512] : [64, 128, 256, 512, 1024, 2048, 4096];
    const limitMs = quick ? 6000 : 30000;
    for (const T of Ts) {
      const r = bpttRunner('LSTM');
      try {
        r.run(T);
        const times = [];
        const reps = T <= 256 ? 3 : 1;
        for (let i = 0; i < reps; i++) { const t0 = now(); r.run(T); times.push(now() - t0); }
        const ms = Math.min(...times);
        sweep.push({ T, ms, perStepMs: ms / T });
        if (ms > limitMs) { sweep.push({ stopped: `T ${T} took ${(ms / 1000).toFixed(1)} s` }); break; }
      } catch (e) {
        sweep.push({ stopped: `T ${T}: ${e.code ?? e.name} (${e.message.slice(0, 80)})` });
        break;
      } finally {
        r.dispose();
      }
    }
    const base = sweep[0].perStepMs;
    for (const s of sweep) if (s.perStepMs) s.ratio = s.perStepMs / base;
  }

  for (const cell of ['LSTM', 'GRU', 'RNN']) {
    const m = new rnn[cell]({ inputSize: I, hiddenSize: H, seed: 1 });
    const T = 128;
    const x1 = { shape: [T, B, I], data: uniform(T * B * I, 1, 1) };
    const x1000 = { shape: [T, B, I], data: uniform(T * B * I, 1, 1000) };
    cases[`saturated_${cell}`] = await pair(() => m.forward(x1), () => m.forward(x1000));
    m.dispose();
  }

  {
    const lin = new rnn.Linear({ inFeatures: 256, outFeatures: 1024, seed: 3 });
    const xn = { shape: [2048, 256], data: uniform(2048 * 256, 4) };
    const xs = { shape: [2048, 256], data: uniform(2048 * 256, 4, TINY) };
    cases.linear = await pair(() => lin.forward(xn), () => lin.forward(xs));
    lin.dispose();
  }

  {
    const m = new rnn.LSTM({ inputSize: I, hiddenSize: H, seed: 1 });
    const chunk = 1000;
    const xn = uniform(chunk * I, 5, 1), xs = uniform(chunk * I, 5, 1000);
    const s = m.stream({ batch: 1 });
    const go = (x) => { s.reset(); for (let k = 0; k < STREAM_STEPS; k += chunk) s.run(x, chunk); };
    cases.stream = { ...(await pair(() => go(xn), () => go(xs), { runs: quick ? 3 : 3, perNormal: STREAM_STEPS / 1000, perCliff: STREAM_STEPS / 1000 })), unit: 'ms per 1000 steps', steps: STREAM_STEPS };
    s.dispose(); m.dispose();
  }
  return { backend: rnn.backend, threads: rnn.threads, cases, sweep };
}

// ---- TensorFlow.js wasm -------------------------------------------------------

async function tfjsWasm() {
  const tf = await import('@tensorflow/tfjs');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')) + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs wasm backend failed to initialise');
  await tf.ready();
  const { B, I, H } = SHAPE;
  const layerFor = { LSTM: tf.layers.lstm, GRU: tf.layers.gru, RNN: tf.layers.simpleRNN };
  const layer = (cell, extra) => layerFor[cell]({ units: H, activation: 'tanh', ...(cell === 'RNN' ? {} : { recurrentActivation: 'sigmoid' }), ...extra });
  const cases = {};

  if (!quick) {
    // the loss on the last step: tfjs's default returnSequences: false
    for (const cell of ['LSTM', 'GRU', 'RNN']) {
      const models = new Map(), data = new Map();
      const y = tf.tensor2d(uniform(B, 2), [B, 1]);
      const run = (T) => {
        if (!models.has(T)) {
          models.set(T, tf.sequential({ layers: [layer(cell, { inputShape: [T, I] }), tf.layers.dense({ units: 1 })] }));
          data.set(T, tf.tensor3d(uniform(B * T * I, 1), [B, T, I]));
        }
        const model = models.get(T), x = data.get(T);
        const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true })));
        for (const g of Object.values(grads)) g.dataSync();
        tf.dispose([value, ...Object.values(grads)]);
      };
      cases[`bptt_${cell}`] = await pair(() => run(128), () => run(256), { runs: 2, budgetMs: 20000, perNormal: 128, perCliff: 256 });
      for (const m of models.values()) m.dispose?.();
      tf.dispose([y, ...data.values()]);
    }
  }

  for (const cell of ['LSTM', 'GRU', 'RNN']) {
    const T = 128;
    const model = tf.sequential({ layers: [layer(cell, { inputShape: [T, I], returnSequences: true })] });
    const x1 = tf.tensor3d(uniform(B * T * I, 1, 1), [B, T, I]);
    const x1000 = tf.tensor3d(uniform(B * T * I, 1, 1000), [B, T, I]);
    const fwd = (x) => { const o = model.predict(x); o.dataSync(); o.dispose(); };
    cases[`saturated_${cell}`] = await pair(() => fwd(x1), () => fwd(x1000));
    model.dispose?.();
    tf.dispose([x1, x1000]);
  }

  {
    const w = tf.tensor2d(uniform(256 * 1024, 3, 1 / 16), [256, 1024]);
    const xn = tf.tensor2d(uniform(2048 * 256, 4), [2048, 256]);
    const xs = tf.tensor2d(uniform(2048 * 256, 4, TINY), [2048, 256]);
    const mm = (x) => { const o = tf.matMul(x, w); o.dataSync(); o.dispose(); };
    cases.linear = await pair(() => mm(xn), () => mm(xs), { runs: 3 });
    tf.dispose([w, xn, xs]);
  }

  {
    // the LSTMCell with h, c carried (tfjs.mjs's fastest W5 path)
    const model = tf.sequential({ layers: [layer('LSTM', { batchInputShape: [1, 1, I], stateful: true })] });
    const cellLayer = model.layers[0].cell;
    const steps = PEER_STREAM_STEPS;
    const xsN = Array.from({ length: 64 }, (_, t) => tf.tensor2d(uniform(I, 100 + t, 1), [1, I]));
    const xsS = Array.from({ length: 64 }, (_, t) => tf.tensor2d(uniform(I, 100 + t, 1000), [1, I]));
    const go = (xs) => {
      let h = tf.zeros([1, H]), c = tf.zeros([1, H]);
      for (let t = 0; t < steps; t++) {
        const [h1, c1] = tf.tidy(() => { const [, hn, cn] = cellLayer.call([xs[t & 63], h, c], {}); return [tf.keep(hn), tf.keep(cn)]; });
        h1.dataSync();
        tf.dispose([h, c]);
        h = h1; c = c1;
      }
      tf.dispose([h, c]);
    };
    cases.stream = { ...(await pair(() => go(xsN), () => go(xsS), { runs: 2, perNormal: steps / 1000, perCliff: steps / 1000 })), unit: 'ms per 1000 steps', steps };
    tf.dispose([...xsN, ...xsS]);
    model.dispose?.();
  }
  return { version: tf.version.tfjs, backend: `wasm, simd ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, 1 thread`, cases, skipped: quick ? 'bptt cases: full mode only (seconds per run)' : undefined };
}

// ---- onnxruntime-web ----------------------------------------------------------

async function ortWeb() {
  const ort = (await import('onnxruntime-web')).default ?? (await import('onnxruntime-web'));
  const { lstmModel, matmulModel, recurrentModel } = await import('./peers/onnx_lstm.mjs');
  const { cellWeights, GATES } = await import('./peers/common.mjs');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  const so = { executionProviders: ['wasm'], graphOptimizationLevel: 'all', intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' };
  const { B, I, H } = SHAPE;
  const cases = {};
  for (const cell of ['LSTM', 'GRU', 'RNN']) {
    const T = 128, spec = { T, B, I, H };
    const session = await ort.InferenceSession.create(recurrentModel({ ...spec, cell, weights: cellWeights(spec, GATES[cell]), state: false }), so);
    const x1 = new ort.Tensor('float32', uniform(T * B * I, 1, 1), [T, B, I]);
    const x1000 = new ort.Tensor('float32', uniform(T * B * I, 1, 1000), [T, B, I]);
    cases[`saturated_${cell}`] = await pair(() => session.run({ X: x1 }), () => session.run({ X: x1000 }));
    await session.release();
  }
  {
    const session = await ort.InferenceSession.create(matmulModel({ M: 2048, K: 256, N: 1024, b: uniform(256 * 1024, 3, 1 / 16) }), so);
    const xn = new ort.Tensor('float32', uniform(2048 * 256, 4), [2048, 256]);
    const xs = new ort.Tensor('float32', uniform(2048 * 256, 4, TINY), [2048, 256]);
    cases.linear = await pair(() => session.run({ A: xn }), () => session.run({ A: xs }), { runs: 3 });
    await session.release();
  }
  {
    const spec = { T: 1, B: 1, I, H };
    const session = await ort.InferenceSession.create(lstmModel({ ...spec, weights: cellWeights(spec, 4), state: true }), so);
    const steps = PEER_STREAM_STEPS;
    const mk = (scale) => Array.from({ length: 64 }, (_, t) => new ort.Tensor('float32', uniform(I, 100 + t, scale), [1, 1, I]));
    const xsN = mk(1), xsS = mk(1000);
    const go = async (xs) => {
      let h = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
      let c = new ort.Tensor('float32', new Float32Array(H), [1, 1, H]);
      for (let t = 0; t < steps; t++) ({ hN: h, cN: c } = await session.run({ X: xs[t & 63], h0: h, c0: c }));
    };
    cases.stream = { ...(await pair(() => go(xsN), () => go(xsS), { runs: 2, perNormal: steps / 1000, perCliff: steps / 1000 })), unit: 'ms per 1000 steps', steps };
    await session.release();
  }
  return { version: ort.env.versions?.web ?? ort.env.versions?.common ?? 'unknown', backend: 'wasm, 1 thread', cases, skipped: 'bptt (inference only)' };
}

// ---- driver -------------------------------------------------------------------

const LIBS = {
  'rnn-wasm': () => rnnWasm(1),
  'rnn-wasm-2t': () => rnnWasm(2),
  'tfjs-wasm': tfjsWasm,
  ort: ortWeb,
};

if (args.lib) {
  const run = LIBS[args.lib];
  if (!run) throw new Error(`unknown --lib=${args.lib}`);
  emit({ library: args.lib, ...(await run()) });
} else {
  const skip = new Set((args.skip ?? '').split(',').filter(Boolean));
  const started = new Date();
  const libs = {};
  for (const id of Object.keys(LIBS)) {
    if (skip.has(id)) { libs[id] = { skipped: 'skipped with --skip' }; continue; }
    process.stderr.write(`cliffs: ${id}\n`);
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), `--lib=${id}`, ...(quick ? ['--quick'] : [])],
      { cwd: root, encoding: 'utf8', timeout: 1_800_000, maxBuffer: 16 << 20, env: { ...process.env, BENCH_CLOCK: clockKind } });
    const line = (r.stdout ?? '').split('\n').reverse().find((l) => l.startsWith('BENCH_JSON '));
    libs[id] = line ? { ...JSON.parse(line.slice(11)), seconds: (Date.now() - t0) / 1000 }
      : { error: `exit ${r.status ?? r.signal ?? r.error?.code}: ${`${r.stderr ?? ''}`.trim().split('\n').slice(-4).join(' | ')}` };
  }
  const report = formatReport(libs, started);
  console.log(report);
  const out = { date: started.toISOString(), cpu: os.cpus()[0]?.model ?? 'unknown CPU', cores: os.cpus().length, node: process.version, quick, libs, report };
  const file = path.resolve(root, args.out ?? 'build/cliffs.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(out, null, 2));
  emit(out);
}

function formatReport(libs, started) {
  const CASES = [
    ['bptt_LSTM', 'LSTM backward, loss on last step: T 256 vs 128 (ms/step)'],
    ['bptt_GRU', 'GRU  backward, loss on last step: T 256 vs 128 (ms/step)'],
    ['bptt_RNN', 'RNN  backward, loss on last step: T 256 vs 128 (ms/step)'],
    ['saturated_LSTM', 'LSTM forward T 128: inputs x1000 vs x1 (ms)'],
    ['saturated_GRU', 'GRU  forward T 128: inputs x1000 vs x1 (ms)'],
    ['saturated_RNN', 'RNN  forward T 128: inputs x1000 vs x1 (ms)'],
    ['linear', 'Linear [2048x256].[256x1024]: subnormal vs normal x (ms)'],
    ['stream', 'LSTM stream, batch 1: saturated vs normal (ms/1000 steps)'],
  ];
  const ids = Object.keys(libs).filter((id) => libs[id].cases);
  const f = (v) => (v == null || !Number.isFinite(v) ? '-' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const cell = (c) => (c ? `${f(c.normalMs)} -> ${f(c.cliffMs)}  ${c.ratio.toFixed(2)}x${c.ratio > 1.2 ? ' !' : ''}` : '-');
  const rows = CASES.map(([k, label]) => [label, ...ids.map((id) => cell(libs[id].cases[k]))]);
  const header = ['case (H 256, B 32, I 32; normal -> cliff, ratio)', ...ids];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  const out = [];
  out.push(`Speed cliffs (issue 24)  ${started.toISOString()}  ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}${quick ? '  (--quick)' : ''}`);
  out.push(`Each case against its normal twin in the same process, alternating runs, medians of ${clockKind === 'cpu' ? 'process CPU time (BENCH_CLOCK=cpu; the 2-thread build counts both threads)' : 'wall-clock time'}; target: ratio <= 1.2x (! = above).`);
  out.push(line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line));
  const worst = {};
  for (const id of ids) {
    const rs = Object.values(libs[id].cases).map((c) => c.ratio);
    worst[id] = Math.max(...rs);
  }
  out.push(`worst ratio: ${ids.map((id) => `${id} ${worst[id].toFixed(2)}x`).join(', ')}`);
  const sw = libs['rnn-wasm']?.sweep;
  if (sw) {
    out.push('\nrnn-wasm LSTM forward + backward, loss on the last step, per step against T (ratio to T 64; target <= 1.2x)');
    out.push(sw.map((s) => (s.stopped ? `(stopped: ${s.stopped})` : `T ${s.T}: ${f(s.perStepMs)} ms/step ${s.ratio.toFixed(2)}x`)).join('\n'));
  }
  for (const [id, L] of Object.entries(libs)) {
    if (L.error) out.push(`${id}: FAILED ${L.error}`);
    else if (L.skipped && !L.cases) out.push(`${id}: not run (${L.skipped})`);
    else if (L.skipped) out.push(`${id}: not measured: ${L.skipped}`);
    if (L.version) out.push(`${id}: ${L.version}, ${L.backend}`);
  }
  out.push(`stream steps: rnn-wasm ${STREAM_STEPS}, peers ${PEER_STREAM_STEPS} (a session.run / LSTMCell call per step)`);
  return out.join('\n');
}
