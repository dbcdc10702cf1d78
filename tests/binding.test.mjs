// The API object binds the module-level classes and functions to its engine
// (js/bind.js): what a user sees of that binding — instanceof (the layers a
// model builds for itself included), subclassing, names, arity, one set
// per engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Trainer } from '../dist/index.js';

const SEQ2SEQ = { srcVocab: 6, tgtVocab: 7, embedDim: 3, hiddenDim: 4, attention: 'general', seed: 1 };
const SENTIMENT = { vocabSize: 9, embedDim: 3, hiddenDim: 4, numLayers: 1, dropout: 0, seed: 2 };

test('a model\'s own layers are instances of the API\'s layer classes', async () => {
  const rnn = await init();
  const s = new rnn.models.SentimentLSTM(SENTIMENT);
  const q = new rnn.models.Seq2Seq(SEQ2SEQ);
  try {
    assert.ok(s instanceof rnn.models.SentimentLSTM);
    assert.ok(q instanceof rnn.models.Seq2Seq);
    assert.ok(!(s instanceof rnn.models.Seq2Seq));
    assert.ok(s.lstm instanceof rnn.LSTM);
    assert.ok(s.embedding instanceof rnn.Embedding);
    assert.ok(s.fc instanceof rnn.Linear);
    const [, enc] = q.encoder._children.find(([n]) => n === 'lstm');
    assert.ok(enc instanceof rnn.LSTM);
    assert.ok(!(enc instanceof rnn.GRU));
    const lstm = new rnn.LSTM({ inputSize: 2, hiddenSize: 3 });
    assert.ok(lstm instanceof rnn.LSTM);
    lstm.dispose();
  } finally {
    s.dispose();
    q.dispose();
  }
});

test('the API\'s classes can be subclassed; the subclass test stays its own', async () => {
  const rnn = await init();
  class Tagged extends rnn.models.SentimentLSTM {
    constructor(opts) { super(opts); this.tag = 'mine'; }
    logitsOf(ids, lengths) { return this.forward(ids, lengths).data; }
  }
  class Wide extends rnn.LSTM {
    width() { return this.hiddenSize * 2; }
  }
  const t = new Tagged(SENTIMENT), plain = new rnn.models.SentimentLSTM(SENTIMENT), w = new Wide({ inputSize: 2, hiddenSize: 3 });
  try {
    assert.ok(t instanceof Tagged && t instanceof rnn.models.SentimentLSTM);
    assert.ok(!(plain instanceof Tagged));
    assert.equal(t.tag, 'mine');
    const ids = { shape: [1, 3], data: Int32Array.of(1, 2, 3) };
    assert.deepEqual(t.logitsOf(ids, [3]), plain.forward(ids, [3]).data, 'same seed, same logits');
    assert.equal(w.width(), 6);
    assert.ok(w instanceof rnn.LSTM);
  } finally {
    t.dispose();
    plain.dispose();
    w.dispose();
  }
});

test('bound classes and functions: public names, the arity callers see, one engine each', async () => {
  const rnn = await init({ simd: true });
  const scalar = await init({ simd: false });
  assert.equal(rnn.models.SentimentLSTM.name, 'SentimentLSTM');
  assert.equal(rnn.models.Seq2Seq.name, 'Seq2Seq');
  assert.equal(rnn.Trainer.name, 'Trainer');
  assert.deepEqual([rnn.fit.name, rnn.fit.length], ['fit', 1]);
  for (const k of ['mse', 'bceWithLogits', 'crossEntropy']) assert.deepEqual([rnn.losses[k].name, rnn.losses[k].length], [k, 2]);
  assert.equal(rnn.Trainer.length, 1);
  assert.notEqual(rnn.models.Seq2Seq, scalar.models.Seq2Seq, 'each engine binds its own');
  const a = new rnn.models.SentimentLSTM(SENTIMENT), b = new scalar.models.SentimentLSTM(SENTIMENT);
  try {
    const ids = { shape: [1, 3], data: Int32Array.of(4, 5, 6) };
    // Each on its own build, with bitwise the same numbers (golden.test pins every output).
    assert.deepEqual(a.forward(ids, [3]), b.forward(ids, [3]));
  } finally {
    a.dispose();
    b.dispose();
  }
  const loss = rnn.losses.mse({ shape: [2], data: Float32Array.of(1, 2) }, { shape: [2], data: Float32Array.of(1, 4) });
  assert.equal(loss.loss, 2);
  assert.ok(Trainer.prototype.isPrototypeOf(rnn.Trainer.prototype), 'rnn.Trainer is the Trainer bound to this build');
});
