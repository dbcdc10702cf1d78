// playground-tasks.js - the playground's four tasks (sentiment, character
// LM, anomaly detection, spelling to sound): the data each trains on, its
// loss, metric and defaults, the words that describe it, and the model built
// for it. No DOM: the UI (playground.js) reads these tables.
import { DATASETS } from './paths.js';
import { int, num } from './util.js';

export const TASKS = {
  sentiment: {
    url: DATASETS.sentiment, loss: 'bce', metrics: ['accuracy'], tbptt: false,
    metric: ['Val. acc.', (r) => (r.valAccuracy == null ? null : `${(100 * r.valAccuracy).toFixed(1)}%`)],
    unit: ['sentences/s', 1], cells: ['RNN', 'LSTM', 'GRU'], defaults: { hidden: 32, epochs: 4, lr: '0.005' },
    desc: (i) => `Is a review sentence positive or negative? ${i ? `${int(i.sentences)} sentences from Amazon, IMDb and Yelp (UCI): ${int(i.train)} to train on, ${int(i.val)} held out; a vocabulary of ${int(i.vocabSize)} words.` : 'UCI review sentences from Amazon, IMDb and Yelp.'}`,
    arch: (c, h) => `Embedding(32) → ${c}(${h}) → last state → Linear → p(positive)`,
  },
  charlm: {
    url: DATASETS.shakespeare, loss: 'crossEntropy', metrics: [], tbptt: true,
    metric: ['Val. loss', (r) => (r.valLoss == null ? null : num(r.valLoss, 4))],
    unit: ['chars/s', 64], cells: ['RNN', 'LSTM', 'GRU'], defaults: { hidden: 64, epochs: 2, lr: '0.005' },
    desc: (i) => `Write like Shakespeare, one character at a time. ${i ? `${int(i.train)} characters of Tiny Shakespeare to learn from (${i.vocabSize - 2} distinct), ` : ''}truncated BPTT over chunks of 64 characters that carry the state from chunk to chunk.`,
    arch: (c, h) => `Embedding(32) → ${c}(${h}) → Linear → next character`,
  },
  anomaly: {
    url: DATASETS.nab, loss: 'mse', metrics: [], tbptt: true,
    metric: ['Val. MSE', (r) => (r.valLoss == null ? null : num(r.valLoss, 3))],
    unit: ['readings/s', 32], cells: ['RNN', 'LSTM', 'GRU'], defaults: { hidden: 32, epochs: 30, lr: '0.005' },
    desc: (i) => `An industrial machine's temperature sensor (Numenta Anomaly Benchmark)${i ? `: ${int(i.rows)} readings every 5 minutes, averaged to ${i.minutes}-minute steps` : ''}. The network learns to forecast the next reading on the first 40%; then the whole series streams through it and readings far from the forecast are flagged.`,
    arch: (c, h) => `${c}(${h}) → Linear → next reading`,
  },
  g2p: {
    url: DATASETS.g2p, loss: 'crossEntropy', metrics: ['accuracy'], tbptt: false,
    metric: ['Val. acc.', (r) => (r.valAccuracy == null ? null : `${(100 * r.valAccuracy).toFixed(1)}%`)],
    unit: ['words/s', 1], cells: ['LSTM', 'GRU'], defaults: { hidden: 64, epochs: 3, lr: '0.005' },
    desc: (i) => `Spelling to sound: an encoder–decoder (rnn.models.Seq2Seq, dot attention) reads a word's letters and writes its ARPAbet phonemes${i ? `; ${int(i.words)} CMUdict words, ${int(i.val)} held out` : ''}. Trained in this page's own worker with rnn.fit.`,
    arch: (c, h) => `Seq2Seq: ${c}(${h}) encoder → attention → ${c}(${h}) decoder`,
  },
};

/** Sentences offered as chips under the sentiment input (before the held-out examples). */
export const SENTENCES = ['I love this phone, the screen is gorgeous.', 'Terrible service and the food was cold.', 'Not bad at all.', 'I would not recommend it to anyone.'];

/** The Seq2Seq configuration of the g2p task for a prepared dataset and { cell, hidden, layers }. */
export const g2pConfig = (ds, { cell, hidden, layers }) => ({
  srcVocab: ds.src.chars.length + 2, tgtVocab: ds.tgt.length, embedDim: 32, hiddenDim: hidden, numLayers: layers,
  cell: cell.toLowerCase(), attention: 'dot', bosId: 2, eosId: 3, seed: 1,
});

/** A new (untrained) model for `task`, sized by { cell, hidden, layers }, for the prepared dataset ds. */
export function makeModel(rnn, task, { cell, hidden, layers }, ds) {
  const rec = (inputSize) => new rnn[cell]({ inputSize, hiddenSize: hidden, numLayers: layers, batchFirst: true, seed: 2 });
  switch (task) {
    case 'sentiment': {
      const V = ds.vocab.words.length + 2;
      return new rnn.Sequential([
        new rnn.Embedding({ numEmbeddings: V, embeddingDim: 32, paddingIdx: 0, seed: 1 }), rec(32),
        new rnn.Pool({ mode: 'final' }), new rnn.Linear({ inFeatures: hidden, outFeatures: 1, seed: 3 }),
      ]);
    }
    case 'charlm': {
      const V = ds.vocab.chars.length + 2;
      return new rnn.Sequential([
        new rnn.Embedding({ numEmbeddings: V, embeddingDim: 32, seed: 1 }), rec(32),
        new rnn.Linear({ inFeatures: hidden, outFeatures: V, seed: 3 }),
      ]);
    }
    case 'anomaly':
      return new rnn.Sequential([rec(1), new rnn.Linear({ inFeatures: hidden, outFeatures: 1, seed: 3 })]);
    case 'g2p':
      return new rnn.models.Seq2Seq(g2pConfig(ds, { cell, hidden, layers }));
    default: throw new Error(`unknown task ${task}`);
  }
}

/** The spec saved with a model's weights (Seq2Seq is not a modelSpec model: its config stands in). */
export function specOf(rnn, task, entry) {
  return task === 'g2p' ? { type: 'Seq2Seq', ...entry.config } : rnn.modelSpec(entry.model);
}

/** { cell, hidden, layers } read back from a saved spec. */
export function cellOfSpec(task, spec) {
  if (task === 'g2p') return { cell: spec.cell.toUpperCase(), hidden: spec.hiddenDim, layers: spec.numLayers };
  const r = spec.layers.find((l) => ['RNN', 'LSTM', 'GRU'].includes(l.type));
  return { cell: r.type, hidden: r.hiddenSize, layers: r.numLayers };
}
