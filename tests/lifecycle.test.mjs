// init() memoization, seeded init, parameter layout, gradient accumulation,
// and flat wasm memory over 1,000 create/forward/backward/dispose cycles.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { lcg, randTensor } from './helpers/util.mjs';

test('init() is memoized and reports its backend', async () => {
  const [a, b] = await Promise.all([init(), init()]);
  assert.equal(a, b);
  assert.equal(a.backend, 'wasm-simd128');
  const s = await init({ simd: false });
  assert.equal(s.backend, 'wasm-scalar');
  assert.notEqual(s, a);
});

test('init({ wasmBinary }) and init({ locateFile }) load the engine from where you say', async () => {
  const { readFile } = await import('node:fs/promises');
  const bytes = await readFile(new URL('../dist/rnn-scalar.wasm', import.meta.url));
  const a = await init({ wasmBinary: bytes, simd: false });
  assert.equal(a.backend, 'wasm-scalar');
  const asked = [];
  const b = await init({ locateFile: (f) => { asked.push(f); return new URL(`../dist/${f}`, import.meta.url); } });
  assert.deepEqual(asked, ['rnn.wasm']);
  assert.notEqual(b, await init());
  for (const r of [a, b]) {
    const m = new r.GRU({ inputSize: 2, hiddenSize: 3, seed: 1 });
    assert.equal(m.forward({ shape: [2, 1, 2], data: new Float32Array(4) }).output.data.length, 6);
    m.dispose();
  }
  await assert.rejects(init({ locateFile: () => new URL('file:///nonexistent/rnn.wasm') }), /ENOENT/);
});

test('same seed, same weights (in both builds); PyTorch init range and state_dict layout', async () => {
  const simd = await init(), scalar = await init({ simd: false });
  const shapes = {
    LSTM: { weight_ih_l0: [64, 8], weight_hh_l0: [64, 16], bias_ih_l0: [64], bias_hh_l0: [64] },
    GRU: { weight_ih_l0: [48, 8], weight_hh_l0: [48, 16], bias_ih_l0: [48], bias_hh_l0: [48] },
    RNN: { weight_ih_l0: [16, 8], weight_hh_l0: [16, 16], bias_ih_l0: [16], bias_hh_l0: [16] },
  };
  for (const cls of ['LSTM', 'GRU', 'RNN']) {
    const a = new simd[cls]({ inputSize: 8, hiddenSize: 16, seed: 42 });
    const b = new scalar[cls]({ inputSize: 8, hiddenSize: 16, seed: 42 });
    const c = new simd[cls]({ inputSize: 8, hiddenSize: 16, seed: 43 });
    const sa = a.stateDict();
    assert.deepEqual(sa, b.stateDict());
    assert.notDeepEqual(sa, c.stateDict());
    assert.deepEqual(Object.fromEntries(Object.entries(sa).map(([k, v]) => [k, v.shape])), shapes[cls]);
    const bound = 1 / Math.sqrt(16);
    const all = Object.values(sa).flatMap((t) => [...t.data]);
    assert.ok(all.every((v) => v >= -bound && v < bound), 'outside U(-1/sqrt(H), 1/sqrt(H))');
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    const varc = all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length;
    assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(varc - bound * bound / 3) < 0.1 * bound * bound / 3, `variance ${varc}`);
    assert.equal(a.numParams, all.length);
    a.dispose(); b.dispose(); c.dispose();
  }
  const bi = new simd.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, bias: false });
  assert.deepEqual(Object.keys(bi.stateDict()), ['weight_ih_l0', 'weight_hh_l0', 'weight_ih_l0_reverse',
    'weight_hh_l0_reverse', 'weight_ih_l1', 'weight_hh_l1', 'weight_ih_l1_reverse', 'weight_hh_l1_reverse']);
  assert.deepEqual(bi.stateDict().weight_ih_l1.shape, [12, 8]);
  bi.dispose();
});

test('SIMD and scalar builds agree on forward and backward', async () => {
  const simd = await init(), scalar = await init({ simd: false });
  const rnd = lcg(9);
  const x = randTensor([7, 5, 6], rnd);
  const dy = randTensor([7, 5, 2 * 33], rnd);
  const a = new simd.LSTM({ inputSize: 6, hiddenSize: 33, bidirectional: true, numLayers: 2, seed: 5 });
  const b = new scalar.LSTM({ inputSize: 6, hiddenSize: 33, bidirectional: true, numLayers: 2, seed: 5 });
  const ya = a.forward(x).output.data, yb = b.forward(x).output.data;
  for (let i = 0; i < ya.length; i++) assert.ok(Math.abs(ya[i] - yb[i]) < 1e-5);
  const ga = a.backward({ dOutput: dy }).dx.data, gb = b.backward({ dOutput: dy }).dx.data;
  for (let i = 0; i < ga.length; i++) assert.ok(Math.abs(ga[i] - gb[i]) < 1e-4);
  a.dispose(); b.dispose();
});

test('gradients accumulate across backward calls until zeroGrad', async () => {
  const rnn = await init();
  const m = new rnn.GRU({ inputSize: 3, hiddenSize: 4, seed: 1 });
  const rnd = lcg(3);
  const x = randTensor([4, 2, 3], rnd), dy = randTensor([4, 2, 4], rnd);
  m.forward(x); m.backward({ dOutput: dy });
  const once = m.grads();
  m.forward(x); m.backward({ dOutput: dy });
  const twice = m.grads();
  for (const k of Object.keys(once)) {
    once[k].data.forEach((v, i) => assert.ok(Math.abs(twice[k].data[i] - 2 * v) <= 1e-6 * (1 + Math.abs(v))));
  }
  const opt = new rnn.Adam(m.parameters());
  opt.zeroGrad();
  assert.ok(Object.values(m.grads()).every((t) => t.data.every((v) => v === 0)));
  opt.dispose(); m.dispose();
});

test('unbatched input [T, inputSize] and batchFirst follow PyTorch shapes', async () => {
  const rnn = await init();
  const rnd = lcg(4);
  const m = new rnn.LSTM({ inputSize: 3, hiddenSize: 4, seed: 1 });
  const x2 = randTensor([5, 3], rnd);
  const r2 = m.forward(x2);
  assert.deepEqual(r2.output.shape, [5, 4]);
  assert.deepEqual(r2.hN.shape, [1, 4]);
  const r3 = m.forward({ shape: [5, 1, 3], data: x2.data });
  assert.deepEqual([...r3.output.data], [...r2.output.data]);
  const bf = new rnn.LSTM({ inputSize: 3, hiddenSize: 4, seed: 1, batchFirst: true });
  const x = randTensor([2, 5, 3], rnd); // [B, T, I]
  const xt = { shape: [5, 2, 3], data: new Float32Array(30) };
  for (let b = 0; b < 2; b++) for (let t = 0; t < 5; t++) for (let i = 0; i < 3; i++) xt.data[(t * 2 + b) * 3 + i] = x.data[(b * 5 + t) * 3 + i];
  const yb = bf.forward(x), yt = m.forward(xt);
  assert.deepEqual(yb.output.shape, [2, 5, 4]);
  assert.deepEqual([...yb.hN.data], [...yt.hN.data]);
  for (let b = 0; b < 2; b++) for (let t = 0; t < 5; t++) for (let j = 0; j < 4; j++) {
    assert.equal(yb.output.data[(b * 5 + t) * 4 + j], yt.output.data[(t * 2 + b) * 4 + j]);
  }
  m.dispose(); bf.dispose();
});

test('1,000 create/forward/backward/step/dispose cycles leave wasm memory flat', async () => {
  const rnn = await init();
  const rnd = lcg(8);
  const x = randTensor([8, 4, 5], rnd), dy = randTensor([8, 4, 12], rnd);
  const cycle = (i) => {
    const cls = ['LSTM', 'GRU', 'RNN'][i % 3];
    const m = new rnn[cls]({ inputSize: 5, hiddenSize: 12, seed: i });
    const opt = new rnn.Adam(m.parameters(), { lr: 1e-3 });
    m.forward(x);
    m.backward({ dOutput: dy });
    opt.step();
    opt.dispose();
    m.dispose();
  };
  for (let i = 0; i < 20; i++) cycle(i); // warm up the allocator
  const before = rnn.memoryBytes();
  for (let i = 0; i < 1000; i++) cycle(i);
  assert.equal(rnn.memoryBytes(), before, 'wasm memory grew over 1,000 cycles');
});

test('soak (bench/cycles.mjs, 2,000 create/train/stream/dispose cycles): wasm memory and the JS heap stay flat', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('../bench/cycles.mjs', import.meta.url)), '2000'],
    { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  assert.ok(line, r.stdout);
  const res = JSON.parse(line.slice('BENCH_JSON '.length));
  assert.equal(res.cycles, 2000);
  assert.ok(res.gc, 'the heap figures follow a full GC');
  assert.ok(res.wasmFlat, `wasm memory grew: ${res.wasmBytes}`);
  // A leak of one small object per cycle would show: 2,000 x ~1.5 KB = 3 MB.
  assert.ok(res.heapGrowthBytes < 1 << 20, `JS heap grew by ${res.heapGrowthBytes} bytes over 2,000 cycles`);
});
