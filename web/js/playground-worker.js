// playground-worker.js - the playground's own worker (the page calls it
// through playground-worker-client.js; the UI calls it "the lab worker"):
// fetches and parses the datasets and cuts them into batches (so the page's
// main thread never parses megabytes of text), and trains the seq2seq model,
// which the library's createTrainer does not cover (it trains what modelSpec
// can describe). Messages: { id, type: 'prepare', task, url, options } ->
// { id, result }; { id, type: 'train-g2p', url, options } -> { id, event:
// 'info' | 'progress' } ... { id, result }; { id, type: 'train-dates',
// options } -> progress events, { id, result } (the seq2seq section's live
// training); { id, type: 'compare' } -> { id, event: 'compare', data } ...
// { id, result } (the cells compared, by compare-run.js); { id, type: 'race', text, name, seconds }
// -> { id, event: 'race', data } ... { id, result } (one runner of the LSTM / minGRU race, by
// race-run.js); { type: 'control', action }.
import { data, init } from '../../dist/index.js';
import { prepareNab } from '../../shared/anomaly-core.js';
import { DATE_TARGET_CHARS, dateDataset } from '../../shared/dates-core.js';
import { runLongRange, runSpeed } from './compare-run.js';
import { PAGE_BUILD } from './engine-status.js';
import { runRace } from './race-run.js';

let rnnPromise = null;
const engine = () => (rnnPromise ??= init({ build: PAGE_BUILD }));
const texts = new Map();
const control = { paused: false, cancelled: false };

async function fetchText(url) {
  if (!texts.has(url)) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
    texts.set(url, await res.text());
  }
  return texts.get(url);
}

// ---- sentiment: UCI sentences -> word ids, padded batches, BCE targets ----
async function sentiment(url, { batchSize = 32, maxLength = 48, seed = 7 } = {}) {
  const tsv = data.readCsv(await fetchText(url), { delimiter: '\t', quote: null });
  const sentences = data.column(tsv, 'text', String);
  const labels = data.column(tsv, 'label');
  const { train, val } = data.trainValSplit(data.range(sentences.length), { valFraction: 0.15, seed });
  const vocab = data.WordVocab.fromTexts(train.map((i) => sentences[i]), { minCount: 2 });
  const enc = sentences.map((t) => { const ids = vocab.encode(t); return ids.length ? ids : Int32Array.of(data.UNK_ID); });
  const batch = (idx) => {
    const { ids, lengths } = data.padSequences(idx.map((i) => enc[i]), { maxLength });
    return { x: ids, lengths, y: { shape: [idx.length, 1], data: Float32Array.from(idx, (i) => labels[i]) } };
  };
  const trainBatches = data.batches(train.length, { batchSize, seed: seed + 1 }).map((b) => batch(b.map((j) => train[j])));
  const valBatches = [];
  for (let s = 0; s < val.length; s += 150) valBatches.push(batch(val.slice(s, s + 150)));
  // A few short held-out sentences to try.
  const examples = [];
  for (const want of [1, 0, 1, 0, 1, 0]) {
    const i = val.find((j) => labels[j] === want && sentences[j].length < 48 && sentences[j].length > 14 && !examples.some((e) => e.text === sentences[j]));
    if (i !== undefined) examples.push({ text: sentences[i], label: labels[i] });
  }
  return {
    vocab: vocab.toJSON(), train: trainBatches, val: valBatches,
    info: { sentences: sentences.length, train: train.length, val: val.length, vocabSize: vocab.size, examples },
  };
}

// ---- character LM: Tiny Shakespeare -> TBPTT chunks -----------------------
async function charlm(url, { chars = 300_000, valChars = 40_000, batchSize = 32, k = 64 } = {}) {
  const rnn = await engine();
  const text = await fetchText(url);
  const vocab = data.CharVocab.fromText(text);
  const trainIds = vocab.encode(text.slice(0, chars));
  const valIds = vocab.encode(text.slice(chars, chars + valChars));
  return {
    vocab: vocab.toJSON(),
    train: rnn.tbpttBatches(trainIds, { batchSize, k }),
    val: rnn.tbpttBatches(valIds, { batchSize: 16, k }),
    info: { chars: text.length, train: trainIds.length, val: valIds.length, vocabSize: vocab.size, k, batchSize },
  };
}

// ---- NAB machine temperature -> normalised series, TBPTT forecasting chunks --
// (the method is shared with examples/anomaly.mjs)
const anomaly = async (url, options) => prepareNab(await fetchText(url), data, options);

// ---- grapheme-to-phoneme (CMUdict subset) with rnn.models.Seq2Seq ----------
async function g2pData(url) {
  const tsv = data.readCsv(await fetchText(url), { delimiter: '\t', quote: null });
  const words = data.column(tsv, 'word', String);
  const prons = data.column(tsv, 'phonemes', String).map((p) => p.split(' '));
  const src = data.CharVocab.fromText(words.join(''));
  const phonemes = [...new Set(prons.flat())].sort();
  const tgt = ['<pad>', '<unk>', '<s>', '</s>', ...phonemes];
  const tid = new Map(tgt.map((t, i) => [t, i]));
  const { train, val } = data.trainValSplit(data.range(words.length), { valFraction: 0.05, seed: 5 });
  return { words, prons, src, tgt, tid, train, val };
}

async function trainG2p(id, url, { cell = 'lstm', hidden = 64, layers = 1, epochs = 3, lr = 0.005, batchSize = 64, seed = 1 } = {}, initial = null) {
  const rnn = await engine();
  const d = await g2pData(url);
  const config = {
    srcVocab: d.src.size, tgtVocab: d.tgt.length, embedDim: 32, hiddenDim: hidden, numLayers: layers,
    cell, attention: 'dot', bosId: 2, eosId: 3, seed,
  };
  const model = new rnn.models.Seq2Seq(config);
  if (initial) model.loadStateDict(initial); // continue from the page's weights
  const enc = (idx) => [idx.map((i) => d.src.encode(d.words[i])), idx.map((i) => Int32Array.from(d.prons[i], (p) => d.tid.get(p)))];
  const train = model.makeBatches(...enc(d.train), { batchSize, seed: seed + 1 });
  const val = model.makeBatches(...enc(d.val), { batchSize: 256, shuffle: false });
  self.postMessage({ id, event: 'info', info: { words: d.words.length, train: d.train.length, val: d.val.length, steps: epochs * train.length } });
  try {
    const history = await rnn.fit(model, {
      train, val, loss: 'crossEntropy', metrics: ['accuracy'], epochs, optimizer: 'adam', lr, clipGradNorm: 1, seed,
      control, onProgress: (record) => self.postMessage({ id, event: 'progress', record }),
    });
    const stateDict = model.stateDict();
    self.postMessage({ id, result: { history, stateDict, config, src: d.src.toJSON(), tgt: d.tgt } },
      Object.values(stateDict).map((t) => t.data.buffer));
  } finally {
    model.dispose();
  }
}

// ---- dates to ISO (the seq2seq section): the recipe of examples/dates.mjs ----
// config: the shipped model's Seq2Seq options; srcVocab: its CharVocab JSON;
// teacherForcing: the ratio (1 = teacher forcing, 0 = own predictions).
async function trainDates(id, { config, srcVocab, teacherForcing, maxSteps }) {
  const rnn = await engine();
  const train = dateDataset(data.createRng, 24000, 1);
  const src = data.CharVocab.fromJSON(srcVocab), tgt = new data.CharVocab(DATE_TARGET_CHARS);
  const model = new rnn.models.Seq2Seq({ ...config, teacherForcing });
  try {
    const batches = model.makeBatches(train.map((e) => src.encode(e.text)), train.map((e) => tgt.encode(e.iso)), { batchSize: 64, seed: 3 });
    const history = await rnn.fit(model, {
      train: batches, loss: 'crossEntropy', epochs: 5, optimizer: 'adam', lr: 2e-3, clipGradNorm: 1, seed: 4,
      lrSchedule: { type: 'cosine', totalSteps: 5 * batches.length, minLr: 1e-4 }, maxSteps, control,
      onProgress: (record) => self.postMessage({ id, event: 'progress', record: { step: record.step, loss: record.loss } }),
    });
    const stateDict = model.stateDict();
    self.postMessage({ id, result: { steps: history.steps, stateDict } }, Object.values(stateDict).map((t) => t.data.buffer));
  } finally {
    model.dispose();
  }
}

const PREPARE = { sentiment, charlm, anomaly };

self.addEventListener('message', async (e) => {
  const m = e.data;
  if (m?.type === 'control') {
    if (m.action === 'pause') control.paused = true;
    if (m.action === 'resume') control.paused = false;
    if (m.action === 'cancel') control.cancelled = true;
    self.postMessage({ id: m.id, event: m.action, ok: true });
    return;
  }
  try {
    if (m.type === 'prepare') {
      const result = await PREPARE[m.task](m.url, m.options);
      self.postMessage({ id: m.id, result });
    } else if (m.type === 'train-g2p') {
      await trainG2p(m.id, m.url, m.options, m.stateDict);
    } else if (m.type === 'train-dates') {
      await trainDates(m.id, m.options);
    } else if (m.type === 'compare') {
      const rnn = await engine();
      const send = (d) => self.postMessage({ id: m.id, event: 'compare', data: d });
      const speed = await runSpeed(rnn, send, control);
      send({ kind: 'speed-done', speed, backend: rnn.backend });
      const longRange = await runLongRange(rnn, send, control);
      self.postMessage({ id: m.id, result: { backend: rnn.backend, speed, longRange } });
    } else if (m.type === 'race') {
      const rnn = await engine();
      const result = await runRace(rnn, m.text, m.name, {
        seconds: m.seconds, control, onEvent: (d) => self.postMessage({ id: m.id, event: 'race', data: d }),
      });
      self.postMessage({ id: m.id, result: { ...result, backend: rnn.backend } });
    } else if (m.type === 'g2p-vocab') {
      const d = await g2pData(m.url);
      self.postMessage({ id: m.id, result: { src: d.src.toJSON(), tgt: d.tgt, words: d.words.length, train: d.train.length, val: d.val.length } });
    } else {
      throw new Error(`unknown message type ${m.type}`);
    }
  } catch (err) {
    self.postMessage({ id: m.id, error: { message: err?.message ?? String(err), code: err?.code ?? null } });
  }
});
