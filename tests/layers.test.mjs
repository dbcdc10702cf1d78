// Linear, Embedding, Dropout and the losses: against PyTorch golden fixtures
// (tests/fixtures/make_layer_fixtures.py) on both builds, finite differences,
// dropout statistics and mask order, init statistics, errors, optimizers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { BACKENDS, assertClose, lcg, loadFixture, maxAbs, randTensor, t32, throwsCode } from './helpers/util.mjs';

const fixture = loadFixture('layers.json');


const i32 = (j) => ({ shape: j.shape, data: Int32Array.from(j.data) });
const sd32 = (params) => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, t32(v)]));

// Elementwise |got - want| <= rtol |want| + atol * max|want|. The atol term
// covers values below float32 resolution at the tensor's scale, and one
// known PyTorch float64 inexactness: for x = 30, y = 1, torch's
// log(1 + e^-30) is off by 1e-3 relative (9e-14 added to 1), where
// log1p here is exact.
function assertRel(got, want, { rtol = 1e-5, atol = 1e-7, what = 'tensor' } = {}) {
  const g = got.data ?? got, w = want.data ?? want;
  if (want.shape && got.shape) assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(g.length, w.length, `${what}: length`);
  const floor = atol * maxAbs(w);
  for (let i = 0; i < w.length; i++) {
    const d = Math.abs(g[i] - w[i]);
    assert.ok(d <= rtol * Math.abs(w[i]) + floor,
      `${what}[${i}]: got ${g[i]}, want ${w[i]} (|diff| ${d})`);
  }
}

// ---------------------------------------------------------------------------
// Golden fixtures, both builds
// ---------------------------------------------------------------------------

for (const { simd, name: backend } of BACKENDS) {
  for (const c of fixture.linear) {
    test(`${backend}: Linear ${c.name} forward and backward match PyTorch`, async () => {
      const rnn = await init({ simd });
      const lin = new rnn.Linear({ inFeatures: c.inFeatures, outFeatures: c.outFeatures, bias: c.bias, seed: 0 });
      try {
        lin.loadStateDict(sd32(c.params));
        const y = lin.forward(t32(c.x));
        assertClose(y, c.output, { rtol: 1e-5, atol: 1e-6, what: 'output' });
        const { dx } = lin.backward({ dOutput: t32(c.dOutput) });
        const tol = (what) => ({ rtol: 1e-5, atol: 1e-6, what });
        assertClose(dx, c.grads.x, tol('dx'));
        const g = lin.grads();
        assertClose(g.weight, c.grads.weight, tol('grad weight'));
        if (c.bias) assertClose(g.bias, c.grads.bias, tol('grad bias'));
        else assert.deepEqual(Object.keys(g), ['weight']);
      } finally {
        lin.dispose();
      }
    });
  }

  for (const c of fixture.embedding) {
    test(`${backend}: Embedding ${c.name} forward and weight grad match PyTorch`, async () => {
      const rnn = await init({ simd });
      const emb = new rnn.Embedding({ numEmbeddings: c.numEmbeddings, embeddingDim: c.embeddingDim,
        paddingIdx: c.paddingIdx, seed: 0 });
      try {
        assert.equal(emb.paddingIdx, c.paddingIdxNormalized);
        emb.loadStateDict(sd32(c.params));
        const y = emb.forward(i32(c.ids));
        assertClose(y, c.output, { what: 'output' }); // a gather: exact
        assert.deepEqual(emb.backward({ dOutput: t32(c.dOutput) }), {});
        assertClose(emb.grads().weight, c.grads.weight, { rtol: 1e-6, what: 'grad weight' });
      } finally {
        emb.dispose();
      }
    });
  }

  test(`${backend}: losses match PyTorch (${fixture.losses.length} cases)`, async () => {
    const rnn = await init({ simd });
    for (const c of fixture.losses) {
      const opts = { ...c.opts };
      if (opts.posWeight) opts.posWeight = t32(opts.posWeight);
      const target = c.kind === 'crossEntropy' ? i32(c.target) : t32(c.target);
      const r = rnn.losses[c.kind](t32(c.input), target, opts);
      if (typeof c.loss === 'number') {
        assert.equal(typeof r.loss, 'number', c.name);
        assert.ok(Math.abs(r.loss - c.loss) <= 1e-5 * Math.abs(c.loss) + 1e-12,
          `${c.name}: loss ${r.loss}, PyTorch ${c.loss}`);
      } else {
        assertRel(r.loss, c.loss, { what: `${c.name} loss` });
      }
      assertRel(r.grad, c.grad, { what: `${c.name} grad` });
    }
  });
}

// ---------------------------------------------------------------------------
// Finite differences
// ---------------------------------------------------------------------------

test('finite differences agree with Linear backward (dx, dW, db)', async () => {
  const rnn = await init();
  const lin = new rnn.Linear({ inFeatures: 7, outFeatures: 5, seed: 3 });
  try {
    const rnd = lcg(9);
    const x = randTensor([2, 3, 7], rnd, 1);
    const w = randTensor([2, 3, 5], rnd, 1);
    const loss = () => lin.forward(x).data.reduce((s, v, i) => s + v * w.data[i], 0);
    lin.zeroGrad();
    lin.forward(x);
    const { dx } = lin.backward({ dOutput: w });
    const grads = lin.grads();
    const EPS = 1e-2;
    const check = (what, analytic, perturb) => {
      const scale = Math.max(maxAbs(analytic), 1e-3);
      for (let i = 0; i < analytic.length; i += 3) {
        perturb(i, +EPS); const lp = loss();
        perturb(i, -2 * EPS); const lm = loss();
        perturb(i, +EPS);
        const fd = (lp - lm) / (2 * EPS);
        assert.ok(Math.abs(fd - analytic[i]) <= 1e-3 * scale + 1e-4,
          `${what}[${i}]: backward ${analytic[i]} vs finite difference ${fd}`);
      }
    };
    check('dx', dx.data, (i, d) => { x.data[i] += d; });
    const sd = lin.stateDict();
    for (const name of ['weight', 'bias']) {
      check(`grad ${name}`, grads[name].data, (i, d) => { sd[name].data[i] += d; lin.loadStateDict(sd); });
    }
  } finally {
    lin.dispose();
  }
});

test('finite differences agree with the loss gradients', async () => {
  const rnn = await init();
  const rnd = lcg(21);
  const total = (r) => (typeof r.loss === 'number' ? r.loss : r.loss.data.reduce((a, b) => a + b, 0));
  const cases = [
    ['mse mean', (x) => rnn.losses.mse(x, randY, {}), [4, 5]],
    ['mse none', (x) => rnn.losses.mse(x, randY, { reduction: 'none' }), [4, 5]],
    ['bce mean', (x) => rnn.losses.bceWithLogits(x, probs, {}), [4, 5]],
    ['bce sum posWeight', (x) => rnn.losses.bceWithLogits(x, probs, { reduction: 'sum', posWeight: pw }), [4, 5]],
    ['ce mean', (x) => rnn.losses.crossEntropy(x, Int32Array.from([1, 4, -100, 0]), {}), [4, 5]],
    ['ce smooth none', (x) => rnn.losses.crossEntropy(x, Int32Array.from([1, 4, -100, 0]), { reduction: 'none', labelSmoothing: 0.2 }), [4, 5]],
    ['ce spatial', (x) => rnn.losses.crossEntropy(x, { shape: [2, 2], data: [3, 0, -100, 2] }, { labelSmoothing: 0.1 }), [2, 4, 2]],
  ];
  const randY = randTensor([4, 5], rnd, 1);
  const probs = { shape: [4, 5], data: Float32Array.from({ length: 20 }, () => rnd() + 0.5) };
  const pw = { shape: [5], data: Float32Array.from([0.5, 1, 2, 3, 0.25]) };
  for (const [name, f, shape] of cases) {
    const x = randTensor(shape, rnd, 2);
    const { grad } = f(x);
    const scale = Math.max(maxAbs(grad.data), 1e-3);
    for (let i = 0; i < x.data.length; i++) {
      const x0 = x.data[i];
      x.data[i] = x0 + 1e-3; const xp = x.data[i]; const lp = total(f(x));
      x.data[i] = x0 - 1e-3; const xm = x.data[i]; const lm = total(f(x));
      x.data[i] = x0;
      const fd = (lp - lm) / (xp - xm); // the float32 step actually taken
      assert.ok(Math.abs(fd - grad.data[i]) <= 1e-4 * scale + 1e-6,
        `${name} grad[${i}]: ${grad.data[i]} vs finite difference ${fd}`);
    }
  }
});

// ---------------------------------------------------------------------------
// Dropout
// ---------------------------------------------------------------------------

// Reference of src/rng.c (xoshiro128** seeded by splitmix64) for the mask order.
function refRng(seed) {
  const M = (1n << 64n) - 1n;
  let x = BigInt(seed);
  const sm = () => {
    x = (x + 0x9E3779B97F4A7C15n) & M;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & M;
    return z ^ (z >> 31n);
  };
  const a = sm(), b = sm();
  const s = Uint32Array.from([Number(a & 0xffffffffn), Number(a >> 32n), Number(b & 0xffffffffn), Number(b >> 32n)]);
  const rotl = (v, k) => ((v << k) | (v >>> (32 - k))) >>> 0;
  return () => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
}

for (const { simd, name: backend } of BACKENDS) {
  test(`${backend}: Dropout statistics, scaling, mask order, eval identity, backward mask`, async () => {
    const rnn = await init({ simd });
    const p = 0.3, n = 100_000;
    const drop = new rnn.Dropout({ p, seed: 1234 });
    try {
      assert.equal(drop.numParams, 0);
      assert.deepEqual(drop.parameters(), []);
      assert.deepEqual(drop.stateDict(), {});
      const x = randTensor([100, 1000], lcg(4), 1);
      const y = drop.forward(x);
      assert.deepEqual(y.shape, [100, 1000]);
      const scale = Math.fround(1 / (1 - Math.fround(p)));
      let kept = 0;
      for (let i = 0; i < n; i++) {
        if (y.data[i] !== 0) {
          kept++;
          assert.equal(y.data[i], Math.fround(x.data[i] * scale));
        }
      }
      const sigma = Math.sqrt(p * (1 - p) / n);
      assert.ok(Math.abs(kept / n - (1 - p)) <= 3 * sigma, `kept ${kept / n}, want ${1 - p} +- ${3 * sigma}`);
      // The documented order: one u32 per element, kept iff u >= p * 2^32.
      const u32 = refRng(1234), thr = Math.ceil(Math.fround(p) * 2 ** 32);
      for (let i = 0; i < n; i++) {
        assert.equal(y.data[i] !== 0 || x.data[i] === 0, u32() >= thr, `mask[${i}]`);
      }
      // Backward multiplies by the same mask.
      const ones = { shape: [100, 1000], data: new Float32Array(n).fill(1) };
      const { dx } = drop.backward({ dOutput: ones });
      for (let i = 0; i < n; i++) assert.equal(dx.data[i], y.data[i] === 0 ? 0 : scale);
      throwsCode(() => drop.backward({ dOutput: ones }), 'STATE', /forward first/);
      // A second forward draws a fresh mask.
      const y2 = drop.forward(x);
      assert.ok(y2.data.some((v, i) => v !== y.data[i]));
      // Same seed, same mask; another seed, another.
      const same = new rnn.Dropout({ p, seed: 1234 }), other = new rnn.Dropout({ p, seed: 1235 });
      assert.deepEqual(same.forward(x).data, y.data);
      assert.notDeepEqual(other.forward(x).data, y.data);
      same.dispose(); other.dispose();
      // Eval mode: identity, and backward passes dOutput through.
      drop.eval();
      assert.equal(drop.training, false);
      const e = drop.forward(x);
      assert.deepEqual(e.data, x.data);
      assert.notEqual(e.data, x.data); // a copy
      assert.deepEqual(drop.backward({ dOutput: x }).dx.data, x.data);
      drop.train();
      assert.ok(drop.forward(x).data.some((v) => v === 0));
    } finally {
      drop.dispose();
    }
    assert.equal(drop.disposed, true);
    throwsCode(() => drop.forward({ shape: [1], data: new Float32Array(1) }), 'DISPOSED');
  });
}

test('Dropout p = 0 is the identity in training; defaults to p = 0.5', async () => {
  const rnn = await init();
  const d0 = new rnn.Dropout({ p: 0, seed: 1 });
  const x = randTensor([3, 7], lcg(2), 1);
  assert.deepEqual(d0.forward(x).data, x.data);
  d0.dispose();
  const d = new rnn.Dropout();
  assert.equal(d.p, 0.5);
  d.dispose();
});

// ---------------------------------------------------------------------------
// Init
// ---------------------------------------------------------------------------

test('Embedding init: N(0, 1) by the documented Box-Muller, padding row zero and never updated', async () => {
  const rnn = await init();
  const emb = new rnn.Embedding({ numEmbeddings: 1000, embeddingDim: 100, paddingIdx: -1, seed: 77 });
  try {
    assert.equal(emb.paddingIdx, 999);
    const w = emb.stateDict().weight;
    assert.deepEqual(w.shape, [1000, 100]);
    const vals = w.data.subarray(0, 999 * 100);
    const n = vals.length;
    const mean = vals.reduce((a, b) => a + b, 0) / n;
    const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    assert.ok(Math.abs(mean) < 4 / Math.sqrt(n), `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 4 * Math.sqrt(2 / n), `variance ${variance}`);
    assert.ok(w.data.subarray(999 * 100).every((v) => v === 0), 'padding row is zero');
    // Box-Muller pairs from two u32 draws (see src/embedding.c).
    const u32 = refRng(77);
    for (let i = 0; i < 200; i += 2) {
      const u1 = (u32() + 0.5) / 2 ** 32, u2 = u32() / 2 ** 32;
      const r = Math.sqrt(-2 * Math.log(u1));
      assert.ok(Math.abs(w.data[i] - r * Math.cos(2 * Math.PI * u2)) < 1e-6, `weight[${i}]`);
      assert.ok(Math.abs(w.data[i + 1] - r * Math.sin(2 * Math.PI * u2)) < 1e-6, `weight[${i + 1}]`);
    }
    // Same seed, same table.
    const again = new rnn.Embedding({ numEmbeddings: 1000, embeddingDim: 100, paddingIdx: 999, seed: 77 });
    assert.deepEqual(again.stateDict().weight.data, w.data);
    again.dispose();
    // The padding row gets no gradient, even when looked up repeatedly.
    const ids = { shape: [2, 3], data: Int32Array.from([999, 5, 999, 5, 0, 999]) };
    const y = emb.forward(ids);
    assert.ok(y.data.subarray(0, 100).every((v) => v === 0));
    emb.backward({ dOutput: { shape: [2, 3, 100], data: new Float32Array(600).fill(1) } });
    const g = emb.grads().weight.data;
    assert.ok(g.subarray(999 * 100).every((v) => v === 0), 'no gradient on the padding row');
    assert.ok(g.subarray(500, 600).every((v) => v === 2), 'id 5 twice');
    assert.ok(g.subarray(0, 100).every((v) => v === 1), 'id 0 once');
  } finally {
    emb.dispose();
  }
});

test('Linear init: U(-1/sqrt(in), 1/sqrt(in)) from the seeded generator, weight then bias', async () => {
  const rnn = await init();
  const I = 10, O = 6;
  const lin = new rnn.Linear({ inFeatures: I, outFeatures: O, seed: 5 });
  const sd = lin.stateDict();
  const k = Math.fround(1 / Math.fround(Math.sqrt(I)));
  const u32 = refRng(5);
  // rnn_rng_uniform in float32: lo + (hi - lo) * (u >> 8) / 2^24
  const uniform = () => Math.fround(-k + Math.fround(Math.fround(2 * k) * Math.fround((u32() >>> 8) / 2 ** 24)));
  for (const v of sd.weight.data) assert.equal(v, uniform());
  for (const v of sd.bias.data) assert.equal(v, uniform());
  assert.deepEqual(new rnn.Linear({ inFeatures: I, outFeatures: O, seed: 5 }).stateDict(), sd);
  assert.equal(lin.numParams, I * O + O);
  const noBias = new rnn.Linear({ inFeatures: I, outFeatures: O, bias: false, seed: 5 });
  assert.deepEqual(Object.keys(noBias.stateDict()), ['weight']);
  assert.equal(noBias.numParams, I * O);
  lin.dispose(); noBias.dispose();
});

// ---------------------------------------------------------------------------
// Shapes and details
// ---------------------------------------------------------------------------

test('Linear: any leading dims, empty batches, one backward per forward', async () => {
  const rnn = await init();
  const lin = new rnn.Linear({ inFeatures: 3, outFeatures: 2, seed: 1 });
  try {
    const y1 = lin.forward({ shape: [3], data: Float32Array.from([1, 2, 3]) });
    assert.deepEqual(y1.shape, [2]);
    const y4 = lin.forward(randTensor([2, 1, 2, 3], lcg(1), 1));
    assert.deepEqual(y4.shape, [2, 1, 2, 2]);
    assert.deepEqual(lin.backward({ dOutput: randTensor([2, 1, 2, 2], lcg(2), 1) }).dx.shape, [2, 1, 2, 3]);
    throwsCode(() => lin.backward({ dOutput: randTensor([2, 1, 2, 2], lcg(2), 1) }), 'STATE', /forward first/);
    const empty = lin.forward({ shape: [0, 3], data: new Float32Array(0) });
    assert.deepEqual(empty.shape, [0, 2]);
    lin.zeroGrad();
    assert.deepEqual(lin.backward({ dOutput: { shape: [0, 2], data: new Float32Array(0) } }).dx.shape, [0, 3]);
    assert.ok(lin.grads().weight.data.every((v) => v === 0));
  } finally {
    lin.dispose();
  }
});

test('Embedding accepts Int32Array, Uint32Array and integer arrays; empty and 0-d ids', async () => {
  const rnn = await init();
  const emb = new rnn.Embedding({ numEmbeddings: 6, embeddingDim: 2, seed: 1 });
  try {
    const w = emb.stateDict().weight.data;
    const a = emb.forward(Int32Array.from([5, 0]));
    assert.deepEqual(a.shape, [2, 2]);
    assert.deepEqual([...a.data], [w[10], w[11], w[0], w[1]]);
    assert.deepEqual(emb.forward([5, 0]).data, a.data);
    assert.deepEqual(emb.forward({ shape: [1, 2], data: Uint32Array.from([5, 0]) }).data, a.data);
    assert.deepEqual(emb.forward({ shape: [], data: [3] }).shape, [2]);
    assert.deepEqual(emb.forward({ shape: [0], data: new Int32Array(0) }).shape, [0, 2]);
  } finally {
    emb.dispose();
  }
});

test('loss shapes: none keeps the target shape, unbatched crossEntropy, all targets ignored', async () => {
  const rnn = await init();
  const x = randTensor([3, 4, 2], lcg(8), 1);
  const r = rnn.losses.crossEntropy(x, { shape: [3, 2], data: [0, 1, 2, 3, -100, 0] }, { reduction: 'none' });
  assert.deepEqual(r.loss.shape, [3, 2]);
  assert.equal(r.loss.data[4], 0);
  assert.deepEqual(r.grad.shape, [3, 4, 2]);
  const u = rnn.losses.crossEntropy({ shape: [4], data: Float32Array.from([1, 2, 3, 4]) }, 3);
  const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4));
  assert.ok(Math.abs(u.loss - (lse - 4)) < 1e-12);
  assert.deepEqual(rnn.losses.crossEntropy({ shape: [4], data: Float32Array.from([1, 2, 3, 4]) }, 3, { reduction: 'none' }).loss.shape, []);
  // As PyTorch: the mean over zero targets is NaN, the sum 0; no gradient.
  const ign = { shape: [2], data: [-100, -100] };
  const x2 = randTensor([2, 3], lcg(1), 1);
  assert.ok(Number.isNaN(rnn.losses.crossEntropy(x2, ign).loss));
  assert.equal(rnn.losses.crossEntropy(x2, ign, { reduction: 'sum' }).loss, 0);
  assert.ok(rnn.losses.crossEntropy(x2, ign).grad.data.every((v) => v === 0));
  // bceWithLogits is finite for huge logits.
  const big = rnn.losses.bceWithLogits({ shape: [2], data: Float32Array.from([1e4, -1e4]) },
    { shape: [2], data: Float32Array.from([1, 0]) }, { reduction: 'sum' });
  assert.equal(big.loss, 0);
  assert.deepEqual([...big.grad.data], [0, 0]);
});

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

test('constructor options are checked by name', async () => {
  const rnn = await init();
  throwsCode(() => new rnn.Linear({ inFeatures: 3 }), 'INVALID_ARGUMENT', /outFeatures.*required/);
  throwsCode(() => new rnn.Linear({ inFeatures: 3, outFeatures: 0 }), 'INVALID_ARGUMENT', /outFeatures/);
  throwsCode(() => new rnn.Linear({ inFeatures: 3, outFeatures: 2, bias: 'yes' }), 'INVALID_ARGUMENT', /bias/);
  throwsCode(() => new rnn.Linear({ in_features: 3, outFeatures: 2 }), 'INVALID_ARGUMENT', /unknown option 'in_features'/);
  throwsCode(() => new rnn.Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: 5 }), 'INVALID_ARGUMENT', /paddingIdx/);
  throwsCode(() => new rnn.Embedding({ numEmbeddings: 5, embeddingDim: 2, paddingIdx: -6 }), 'INVALID_ARGUMENT', /paddingIdx/);
  throwsCode(() => new rnn.Embedding({ numEmbeddings: 5, embeddingDim: 2, maxNorm: 1 }), 'INVALID_ARGUMENT', /unknown option 'maxNorm'/);
  throwsCode(() => new rnn.Embedding({ numEmbeddings: 5 }), 'INVALID_ARGUMENT', /embeddingDim.*required/);
  throwsCode(() => new rnn.Dropout({ p: 1 }), 'INVALID_ARGUMENT', /'p' must be a number in \[0, 1\)/);
  throwsCode(() => new rnn.Dropout({ p: -0.1 }), 'INVALID_ARGUMENT', /'p'/);
  throwsCode(() => new rnn.Dropout({ p: 0.2, inplace: true }), 'INVALID_ARGUMENT', /unknown option 'inplace'/);
  throwsCode(() => new rnn.Dropout({ seed: 2 ** 32 }), 'INVALID_ARGUMENT', /seed/);
});

test('bad ids throw INVALID_ARGUMENT naming the id and its position, before anything runs', async () => {
  const rnn = await init();
  const emb = new rnn.Embedding({ numEmbeddings: 10, embeddingDim: 3, seed: 1 });
  try {
    emb.forward([1, 2]); // a forward that must survive the failed calls below
    throwsCode(() => emb.forward({ shape: [2, 3], data: Int32Array.from([0, 1, 2, 3, 12, 5]) }),
      'INVALID_ARGUMENT', /ids\[1, 1\] = 12 is out of range \[0, 10\)/);
    throwsCode(() => emb.forward(Int32Array.from([0, -1])), 'INVALID_ARGUMENT', /ids\[1\] = -1/);
    throwsCode(() => emb.forward([0, 1.5]), 'INVALID_ARGUMENT', /ids\[1\] = 1\.5/);
    throwsCode(() => emb.forward(Uint32Array.from([2 ** 32 - 1])), 'INVALID_ARGUMENT', /4294967295/);
    throwsCode(() => emb.forward({ shape: [2], data: Float32Array.from([0, 1]) }), 'DTYPE', /Int32Array/);
    throwsCode(() => emb.forward({ shape: [3], data: [0, 1] }), 'SHAPE', /2 values/);
    throwsCode(() => emb.forward('0 1'), 'INVALID_ARGUMENT', /ids must be a tensor/);
    emb.backward({ dOutput: { shape: [2, 3], data: new Float32Array(6).fill(1) } });
    assert.deepEqual([...emb.grads().weight.data.subarray(3, 9)], [1, 1, 1, 1, 1, 1]);
  } finally {
    emb.dispose();
  }
});

test('bad shapes, order and use after dispose', async () => {
  const rnn = await init();
  const lin = new rnn.Linear({ inFeatures: 4, outFeatures: 2, seed: 1 });
  throwsCode(() => lin.backward({ dOutput: randTensor([1, 2], lcg(1), 1) }), 'STATE', /forward first/);
  throwsCode(() => lin.forward(randTensor([3, 5], lcg(1), 1)), 'SHAPE', /\[\.\.\., 4\]/);
  throwsCode(() => lin.forward({ shape: [], data: new Float32Array(1) }), 'SHAPE', /\[\.\.\., 4\]/);
  throwsCode(() => lin.forward({ shape: [4], data: new Float64Array(4) }), 'DTYPE', /Float32Array/);
  lin.forward(randTensor([3, 4], lcg(1), 1));
  throwsCode(() => lin.backward({ dOutput: randTensor([3, 3], lcg(1), 1) }), 'SHAPE', /dOutput must have shape \[3, 2\]/);
  throwsCode(() => lin.backward({ dy: randTensor([3, 2], lcg(1), 1) }), 'INVALID_ARGUMENT', /unknown option 'dy'/);
  throwsCode(() => lin.backward({}), 'INVALID_ARGUMENT', /dOutput is required/);
  assert.deepEqual(lin.backward({ dOutput: randTensor([3, 2], lcg(1), 1) }).dx.shape, [3, 4]); // kept
  throwsCode(() => lin.loadStateDict({ weight: randTensor([2, 4], lcg(1), 1) }), 'SHAPE', /missing keys: bias/);
  lin.dispose();
  throwsCode(() => lin.forward(randTensor([1, 4], lcg(1), 1)), 'DISPOSED');
  throwsCode(() => lin.parameters(), 'DISPOSED');
  const d = new rnn.Dropout({ p: 0.1 });
  d.forward(randTensor([2, 2], lcg(1), 1));
  throwsCode(() => d.backward({ dOutput: randTensor([4], lcg(1), 1) }), 'SHAPE', /\[2, 2\]/);
  d.dispose();
});

test('loss arguments are checked', async () => {
  const rnn = await init();
  const { mse, bceWithLogits, crossEntropy } = rnn.losses;
  const a = randTensor([2, 3], lcg(1), 1), b = randTensor([3, 2], lcg(2), 1);
  throwsCode(() => mse(a, b), 'SHAPE', /target must have the shape of input \[2,3\]/);
  throwsCode(() => mse(a, a, { reduction: 'avg' }), 'INVALID_ARGUMENT', /reduction/);
  throwsCode(() => mse(a, a, { size_average: true }), 'INVALID_ARGUMENT', /unknown option 'size_average'/);
  throwsCode(() => bceWithLogits(a, b), 'SHAPE', /target/);
  throwsCode(() => bceWithLogits(a, a, { posWeight: randTensor([2], lcg(1), 1) }), 'SHAPE', /posWeight must have shape \[3\]/);
  throwsCode(() => bceWithLogits(a, a, { weight: a }), 'INVALID_ARGUMENT', /unknown option 'weight'/);
  throwsCode(() => crossEntropy(a, [0, 3]), 'INVALID_ARGUMENT', /target\[1\] = 3 is out of range \[0, 3\) and is not ignoreIndex \(-100\)/);
  throwsCode(() => crossEntropy(a, [0, -1]), 'INVALID_ARGUMENT', /target\[1\] = -1/);
  throwsCode(() => crossEntropy(a, [0, 1, 2]), 'SHAPE', /target must have shape \[2\]/);
  throwsCode(() => crossEntropy(a, { shape: [2], data: Float32Array.from([0, 1]) }), 'DTYPE', /Int32Array/);
  throwsCode(() => crossEntropy(a, [0, 1], { labelSmoothing: 1.5 }), 'INVALID_ARGUMENT', /labelSmoothing/);
  throwsCode(() => crossEntropy(a, [0, 1], { ignoreIndex: 0.5 }), 'INVALID_ARGUMENT', /ignoreIndex/);
  throwsCode(() => crossEntropy(a, [0, 1], { weight: a }), 'INVALID_ARGUMENT', /unknown option 'weight'/);
  throwsCode(() => crossEntropy({ shape: [2, 0], data: new Float32Array(0) }, [0, 0]), 'SHAPE', /at least one class/);
  // ignoreIndex may name a real class
  assert.equal(typeof crossEntropy(a, [0, 2], { ignoreIndex: 2 }).loss, 'number');
});

// ---------------------------------------------------------------------------
// Training with the optimizers
// ---------------------------------------------------------------------------

test('Adam trains a Linear regression; packed weights follow every step', async () => {
  const rnn = await init();
  const lin = new rnn.Linear({ inFeatures: 4, outFeatures: 2, seed: 3 });
  const opt = new rnn.Adam(lin.parameters(), { lr: 0.05 });
  try {
    const rnd = lcg(33);
    const x = randTensor([32, 4], rnd, 1);
    const wTrue = [0.5, -1, 2, 0.25, -0.5, 1, 0, 1.5], bTrue = [0.1, -0.2];
    const y = { shape: [32, 2], data: new Float32Array(64) };
    for (let r = 0; r < 32; r++) {
      for (let o = 0; o < 2; o++) {
        let s = bTrue[o];
        for (let i = 0; i < 4; i++) s += wTrue[o * 4 + i] * x.data[r * 4 + i];
        y.data[r * 2 + o] = s;
      }
    }
    let first;
    let last;
    for (let step = 0; step < 300; step++) {
      opt.zeroGrad();
      const { loss, grad } = rnn.losses.mse(lin.forward(x), y);
      if (step === 0) first = loss;
      last = loss;
      lin.backward({ dOutput: grad });
      opt.step();
    }
    assert.ok(last < first * 1e-3, `loss ${first} -> ${last}`);
    // The forward uses the weights the optimizer wrote.
    const sd = lin.stateDict();
    const out = lin.forward(x);
    for (let r = 0; r < 32; r++) {
      for (let o = 0; o < 2; o++) {
        let s = sd.bias.data[o];
        for (let i = 0; i < 4; i++) s += sd.weight.data[o * 4 + i] * x.data[r * 4 + i];
        assert.ok(Math.abs(out.data[r * 2 + o] - s) < 1e-5);
      }
    }
  } finally {
    opt.dispose();
    lin.dispose();
  }
});

test('SGD trains Embedding -> Dropout -> Linear with crossEntropy; the padding row stays zero', async () => {
  const rnn = await init();
  const emb = new rnn.Embedding({ numEmbeddings: 8, embeddingDim: 6, paddingIdx: 0, seed: 1 });
  const drop = new rnn.Dropout({ p: 0.1, seed: 2 });
  const lin = new rnn.Linear({ inFeatures: 6, outFeatures: 4, seed: 3 });
  const opt = new rnn.SGD([...emb.parameters(), ...lin.parameters()], { lr: 0.5, momentum: 0.9 });
  try {
    const ids = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 0]);
    const target = Int32Array.from([0, 1, 2, 3, 0, 1, 2, -100]);
    const run = (train) => {
      opt.zeroGrad();
      const h = drop.forward(emb.forward(ids));
      const { loss, grad } = rnn.losses.crossEntropy(lin.forward(h), target);
      if (train) {
        const { dx } = lin.backward({ dOutput: grad });
        emb.backward({ dOutput: drop.backward({ dOutput: dx }).dx });
        opt.step();
      }
      return loss;
    };
    const first = run(true);
    for (let i = 0; i < 200; i++) run(true);
    drop.eval();
    const last = run(false);
    assert.ok(last < first * 0.1, `loss ${first} -> ${last}`);
    assert.ok(emb.stateDict().weight.data.subarray(0, 6).every((v) => v === 0));
  } finally {
    opt.dispose();
    emb.dispose();
    drop.dispose();
    lin.dispose();
  }
});
