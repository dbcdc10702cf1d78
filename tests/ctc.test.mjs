// rnn.losses.ctc against torch.nn.functional.ctc_loss
// (tests/fixtures/make_ctc_fixture.py): losses within 1e-4 relative and
// gradients within 1e-4 absolute on random cases (lengths 1..200, classes
// 2..60, repeats, the blank at 0 / in the middle / last, mixed lengths in a
// batch, impossible alignments, each reduction, zeroInfinity), from
// log-probabilities and from logits (the fused log_softmax), on both builds;
// the three target layouts agree; bad input is a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { BACKENDS, loadFixture, throwsCode } from './helpers/util.mjs';

const fx = loadFixture('ctc.json');
const num = (v) => (typeof v === 'string' ? Number(v) : v);

function sameNumber(got, want, what) {
  if (Number.isNaN(want) || !Number.isFinite(want)) {
    assert.ok(Object.is(got, want) || (Number.isNaN(want) && Number.isNaN(got)), `${what}: got ${got}, want ${want}`);
    return;
  }
  assert.ok(Math.abs(got - want) <= 1e-4 * Math.max(1, Math.abs(want)), `${what}: got ${got}, want ${want}`);
}

function args(c) {
  const [B, S] = c.targets.shape;
  return {
    input: { shape: c.log_probs.shape, data: Float32Array.from(c.log_probs.data, num) },
    targets: { shape: [B, S], data: Int32Array.from(c.targets.data) },
  };
}

for (const backend of BACKENDS) {
  test(`losses.ctc equals torch's ctc_loss and its gradients (${backend.name})`, async () => {
    const rnn = await init({ simd: backend.simd });
    let checked = 0;
    for (const c of fx.cases) {
      const { input, targets } = args(c);
      for (const r of c.results) {
        const what = `${c.name}, ${r.reduction}, zeroInfinity ${r.zero_infinity}, grad wrt ${r.wrt}`;
        const { loss, grad } = rnn.losses.ctc(input, targets, c.input_lengths, c.target_lengths, {
          blank: c.blank, reduction: r.reduction, zeroInfinity: r.zero_infinity, fromLogits: r.wrt === 'logits',
        });
        const losses = r.reduction === 'none' ? Array.from(loss.data) : [loss];
        assert.equal(losses.length, r.loss.length, `${what}: number of losses`);
        losses.forEach((l, i) => sameNumber(l, num(r.loss[i]), `${what}: loss ${i}`));
        assert.deepEqual(grad.shape, input.shape, `${what}: grad shape`);
        const want = r.grad.data.map(num);
        for (let i = 0; i < want.length; i++) {
          if (Number.isNaN(want[i])) assert.ok(Number.isNaN(grad.data[i]), `${what}: grad[${i}] should be NaN (torch's, impossible alignment)`);
          else assert.ok(Math.abs(grad.data[i] - want[i]) <= 1e-4, `${what}: grad[${i}] ${grad.data[i]} vs torch ${want[i]}`);
        }
        checked++;
      }
    }
    assert.equal(checked, fx.cases.length * 4);
  });
}

test('losses.ctc: padded, concatenated and per-sequence targets give one answer; batchFirst; [T, C] is one sequence', async () => {
  const rnn = await init();
  const c = fx.cases.find((x) => x.name.startsWith('mixed lengths'));
  const { input, targets } = args(c);
  const opts = { blank: c.blank, reduction: 'none' };
  const padded = rnn.losses.ctc(input, targets, c.input_lengths, c.target_lengths, opts);
  const S = targets.shape[1];
  const rows = c.target_lengths.map((L, b) => Array.from(targets.data.subarray(b * S, b * S + L)));
  const perSeq = rnn.losses.ctc(input, rows, c.input_lengths, c.target_lengths, opts);
  const concat = rnn.losses.ctc(input, rows.flat(), Int32Array.from(c.input_lengths), c.target_lengths, opts);
  assert.deepEqual(perSeq.loss.data, padded.loss.data);
  assert.deepEqual(concat.loss.data, padded.loss.data);
  assert.deepEqual(concat.grad.data, padded.grad.data);

  // batchFirst: the same numbers on [B, T, C]
  const [T0, B0, C0] = input.shape;
  const bf = new Float32Array(input.data.length);
  for (let t = 0; t < T0; t++) for (let b = 0; b < B0; b++) bf.set(input.data.subarray((t * B0 + b) * C0, (t * B0 + b + 1) * C0), (b * T0 + t) * C0);
  const first = rnn.losses.ctc({ shape: [B0, T0, C0], data: bf }, targets, c.input_lengths, c.target_lengths, { ...opts, batchFirst: true });
  assert.deepEqual(first.loss.data, padded.loss.data);
  for (let t = 0; t < T0; t++) {
    for (let b = 0; b < B0; b++) {
      assert.deepEqual(first.grad.data.subarray((b * T0 + t) * C0, (b * T0 + t + 1) * C0), padded.grad.data.subarray((t * B0 + b) * C0, (t * B0 + b + 1) * C0));
    }
  }

  const one = fx.cases.find((x) => x.name.startsWith('repeats filling'));
  const a = args(one);
  const batched = rnn.losses.ctc(a.input, a.targets, one.input_lengths, one.target_lengths);
  const [T, , C] = a.input.shape;
  const flat = rnn.losses.ctc({ shape: [T, C], data: a.input.data }, Array.from(a.targets.data), T, one.target_lengths[0]);
  assert.equal(flat.loss, batched.loss);
  assert.deepEqual(flat.grad.shape, [T, C]);
});

test('losses.ctc: bad input is a clear error', async () => {
  const rnn = await init();
  const T = 4, B = 2, C = 3;
  const x = { shape: [T, B, C], data: new Float32Array(T * B * C).fill(Math.log(1 / 3)) };
  const ok = [[1, 2], [2]];
  rnn.losses.ctc(x, ok, [4, 3], [2, 1]); // valid
  const cases = [
    [() => rnn.losses.ctc(x, [[1, 2, 1, 2, 1], [2]], [4, 3], [5, 1]), 'INVALID_ARGUMENT', /5 labels but its input only 4 steps/],
    [() => rnn.losses.ctc(x, [[1, 3], [2]], [4, 3], [2, 1]), 'INVALID_ARGUMENT', /targets\[0\]\[1\] = 3 is not a class/],
    [() => rnn.losses.ctc(x, [[1, 0], [2]], [4, 3], [2, 1]), 'INVALID_ARGUMENT', /is the blank/],
    [() => rnn.losses.ctc(x, [[1, 2], [2]], [4, 3], [2, 1], { blank: 2 }), 'INVALID_ARGUMENT', /is the blank/],
    [() => rnn.losses.ctc(x, [[1, 2], [2]], [4, 3], [2, 1], { blank: 3 }), 'INVALID_ARGUMENT', /blank/],
    [() => rnn.losses.ctc(x, ok, [5, 3], [2, 1]), 'SHAPE', /inputLengths\[0\] = 5 does not fit the input's 4 steps/],
    [() => rnn.losses.ctc(x, ok, [4], [2, 1]), 'SHAPE', /inputLengths must have 2 values/],
    [() => rnn.losses.ctc(x, ok, [4, -1], [2, 1]), 'INVALID_ARGUMENT', /inputLengths\[1\] = -1/],
    [() => rnn.losses.ctc(x, ok, [4, 3], [3, 1]), 'SHAPE', /targetLengths\[0\] = 3 does not fit the targets' 2 labels/],
    [() => rnn.losses.ctc(x, [1, 2, 2], [4, 3], [2, 2]), 'SHAPE', /concatenated targets hold 3 labels but targetLengths add up to 4/],
    [() => rnn.losses.ctc(x, { shape: [3, 2], data: new Int32Array(6) }, [4, 3], [2, 1]), 'SHAPE', /targets must be a tensor \[2, S\]/],
    [() => rnn.losses.ctc({ shape: [T, B * C], data: x.data }, ok, [4, 3], [2, 1]), 'SHAPE', /inputLengths must have 1 values/],
    [() => rnn.losses.ctc(x, ok, [4, 3], [2, 1], { reduction: 'avg' }), 'INVALID_ARGUMENT', /reduction/],
    [() => rnn.losses.ctc(x, ok, [4, 3], [2, 1], { zeroInfinity: 1 }), 'INVALID_ARGUMENT', /zeroInfinity/],
    [() => rnn.losses.ctc(x, ok, [4, 3], [2, 1], { beam: 2 }), 'INVALID_ARGUMENT', /unknown option 'beam'/],
    [() => rnn.losses.ctc({ shape: [T, B, 1], data: new Float32Array(T * B) }, [[], []], [4, 3], [0, 0]), 'SHAPE', /C >= 2/],
  ];
  for (const [fn, code, re] of cases) throwsCode(fn, code, re);
});
