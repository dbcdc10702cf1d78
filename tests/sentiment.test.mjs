// rnn.models.SentimentLSTM against its PyTorch twin
// (tests/fixtures/make_sentiment_fixture.py): the same state_dict keys,
// step-0 gradients, 20 Adam steps of BCE-with-logits whose losses match
// PyTorch's within 1e-4 relative, the final weights, and eval-mode logits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { assertClose, loadFixture, t32 } from './helpers/util.mjs';

const fx = loadFixture('sentiment.json');

function batch(step) {
  const B = step.ids.length, T = step.ids[0].length;
  return { ids: { shape: [B, T], data: Int32Array.from(step.ids.flat()) }, lengths: step.lengths };
}

test('SentimentLSTM trains exactly like the PyTorch module', async () => {
  const rnn = await init();
  const c = fx.config;
  const model = new rnn.models.SentimentLSTM({
    vocabSize: c.vocabSize, embedDim: c.embedDim, hiddenDim: c.hiddenDim, numLayers: c.numLayers, dropout: 0, seed: 1,
  });
  try {
    assert.deepEqual(Object.keys(model.stateDict()).sort(), Object.keys(fx.initial).sort());
    model.loadStateDict(Object.fromEntries(Object.entries(fx.initial).map(([k, v]) => [k, t32(v)])));
    const opt = new rnn.Adam(model.parameters(), { lr: 1e-3 });
    fx.steps.forEach((step, i) => {
      opt.zeroGrad();
      const { ids, lengths } = batch(step);
      const logits = model.forward(ids, lengths);
      assertClose(logits, step.logits, { atol: 2e-5, what: `step ${i} logits` });
      const { loss, grad } = rnn.losses.bceWithLogits(logits, { shape: [ids.shape[0]], data: Float32Array.from(step.labels) });
      assert.ok(Math.abs(loss - step.loss) <= 1e-4 * Math.abs(step.loss), `step ${i}: loss ${loss} vs PyTorch ${step.loss}`);
      model.backward(grad);
      if (i === 0) {
        const grads = model.grads();
        for (const [k, v] of Object.entries(fx.steps[0].grads ?? fx.grads ?? {})) {
          assertClose(grads[k], v, { rtol: 1e-4, atol: 1e-7, what: `step 0 grad ${k}` });
        }
      }
      opt.step();
    });
    const final = model.stateDict();
    for (const [k, v] of Object.entries(fx.final)) assertClose(final[k], v, { atol: 1e-5, what: `final ${k}` });
    model.eval();
    const ev = fx.eval_forward;
    const B = ev.ids.length, T = ev.ids[0].length;
    const logits = model.forward({ shape: [B, T], data: Int32Array.from(ev.ids.flat()) }, ev.lengths);
    assertClose(logits, ev.logits, { atol: 1e-4, what: 'eval logits' });
    assert.ok(final['embedding.weight'].data.subarray(0, c.embedDim).every((v) => v === 0), 'padding row must stay zero');
    opt.dispose();
  } finally {
    model.dispose();
  }
});

test('SentimentLSTM: dropout only in training, keys and errors', async () => {
  const rnn = await init();
  const model = new rnn.models.SentimentLSTM({ vocabSize: 30, embedDim: 8, hiddenDim: 6, seed: 3 });
  try {
    assert.equal(model.lstm.dropout, 0.3);
    assert.equal(model.lstm.numLayers, 2);
    const keys = Object.keys(model.stateDict());
    assert.equal(keys[0], 'embedding.weight');
    assert.ok(keys.includes('lstm.bias_hh_l1_reverse') && keys.includes('fc.weight') && keys.includes('fc.bias'));
    const ids = { shape: [2, 4], data: Int32Array.from([1, 2, 3, 0, 4, 5, 0, 0]) };
    const a = model.forward(ids, [3, 2]).data, b = model.forward(ids, [3, 2]).data;
    assert.notDeepEqual(a, b, 'training mode draws fresh dropout masks');
    model.eval();
    assert.deepEqual(model.forward(ids, [3, 2]).data, model.forward(ids, [3, 2]).data);
    const sd = model.stateDict();
    const before = model.stateDict();
    sd['fc.weight'] = { shape: [1, 3], data: new Float32Array(3) };
    assert.throws(() => model.loadStateDict(sd), /fc\.weight/);
    const { 'lstm.weight_hh_l0': _drop, ...missing } = before;
    assert.throws(() => model.loadStateDict(missing), /missing keys: lstm\.weight_hh_l0/);
    assert.throws(() => model.loadStateDict({ ...before, 'decoder.x': before['fc.bias'] }), /unexpected keys: decoder\.x/);
    assert.deepEqual(model.stateDict(), before, 'a rejected load changed the weights');
    assert.throws(() => model.forward(ids, [5, 2]), /lengths\[0\]/);
    assert.throws(() => model.forward({ shape: [2, 4], data: Int32Array.from([1, 2, 3, 0, 4, 99, 0, 0]) }, [3, 2]), /99/);
  } finally {
    model.dispose();
  }
  assert.throws(() => model.parameters(), /disposed/);
});
