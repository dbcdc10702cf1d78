// sentiment.mjs - rnn.models.SentimentLSTM on the UCI Sentiment Labelled
// Sentences (3,000 review sentences from Amazon, IMDb and Yelp, labelled
// positive / negative; data/sentiment/uci/sentences.tsv).
//
// A fixed, seeded split (80% train, 10% validation, 10% test), a word
// vocabulary from the training part only, batches padded per batch with
// their true lengths (packed semantics in the bidirectional LSTM),
// BCE-with-logits and Adam. After every epoch the validation and test
// accuracies are measured; the result is the test accuracy of the epoch with
// the best validation accuracy (model selection on validation only). With
// --runs N the whole training is repeated with N model seeds (same split,
// same vocabulary) and the accuracies are averaged: 300 test sentences give
// a standard error of ~2.5 points for one run, which N runs reduce.
//
//   node examples/sentiment.mjs                      # full size
//   node examples/sentiment.mjs --epochs 3 --runs 1  # quick
//   node examples/sentiment.mjs --write-split examples/pytorch/sentiment_split.json
//
//   node examples/sentiment.mjs --runs 1 --save FILE # also write the best-validation
//                                                    # weights of run 1 as .safetensors (config
//                                                    # and vocabulary in the metadata)
//   node examples/sentiment.mjs --load FILE --text "a sentence"   # no training: print its logit
//   node examples/sentiment.mjs --load FILE [--int8]  # no training: its val and test accuracy
//                                                    # (--int8: also with int8 weights, test_acc_int8)
// The course page's pre-trained model (web/models/sentiment-lstm.safetensors) was made with
//   node examples/sentiment.mjs --runs 1 --epochs 30 --layers 2 --embed 32 --hidden 32 --min-count 2 --save web/models/sentiment-lstm.safetensors
//
// Final line: test_acc=... val_acc=... epochs=... runs=... seconds=...
import { readFileSync, writeFileSync } from 'node:fs';
import { cpuSeconds, fmt, finalLine, loadRnn, parseFlags, readRepoFile, timer, vocabJSON } from './common.mjs';

const flags = parseFlags({
  epochs: 15, batch: 32, lr: 1e-3, embed: 64, hidden: 64, layers: 1, dropout: 0.5, minCount: 1,
  splitSeed: 2024, seed: 1, runs: 5, writeSplit: '', save: '', load: '', text: '', int8: false,
}, 'node examples/sentiment.mjs [flags]: SentimentLSTM on the UCI sentences');

const rnn = await loadRnn();
const { data } = rnn;

let loaded = null; // --load without --text: { model, vocab } to evaluate on the split
if (flags.load) {
  const file = rnn.safetensors.parse(readFileSync(flags.load));
  const meta = file.__metadata__;
  const model = new rnn.models.SentimentLSTM({ ...JSON.parse(meta.config), seed: 1 });
  model.loadStateDict(file);
  model.eval();
  loaded = { model, vocab: data.WordVocab.fromJSON(JSON.parse(meta.vocab)) };
}
if (loaded && flags.text) {
  const { model } = loaded;
  const ids = loaded.vocab.encode(flags.text);
  const logit = model.forward({ shape: [1, ids.length], data: ids }, [ids.length]).data[0];
  console.log(JSON.stringify({ text: flags.text, ids: [...ids], logit }));
  model.dispose();
  process.exit(0);
}

// The data and the split.
const tsv = data.readCsv(readRepoFile('data/sentiment/uci/sentences.tsv'), { delimiter: '\t', quote: null });
const texts = data.column(tsv, 'text', String);
const labels = data.column(tsv, 'label');
const N = texts.length;
const order = data.shuffle(data.range(N), flags.splitSeed);
const nTest = Math.round(N * 0.1), nVal = Math.round(N * 0.1);
const split = {
  train: order.slice(0, N - nVal - nTest),
  val: order.slice(N - nVal - nTest, N - nTest),
  test: order.slice(N - nTest),
};
const vocab = loaded?.vocab ?? data.WordVocab.fromTexts(split.train.map((i) => texts[i]), { minCount: flags.minCount });
// A sentence with no token at all would have length 0: give it one '<unk>'.
const encoded = texts.map((t) => { const ids = vocab.encode(t); return ids.length ? ids : Int32Array.of(data.UNK_ID); });

if (flags.writeSplit) {
  writeFileSync(flags.writeSplit, JSON.stringify({
    splitSeed: flags.splitSeed, minCount: flags.minCount, ...split, vocab: vocab.words,
  }));
  console.log(`wrote the split (${split.train.length}/${split.val.length}/${split.test.length}) and vocabulary to ${flags.writeSplit}`);
}

function batchOf(indices) {
  const { ids, lengths } = data.padSequences(indices.map((i) => encoded[i]));
  const y = Float32Array.from(indices, (i) => labels[i]);
  return { ids, lengths, y: { shape: [indices.length], data: y } };
}

function accuracy(model, indices, chunk = 100) {
  model.eval();
  let correct = 0;
  for (let s = 0; s < indices.length; s += chunk) {
    const b = batchOf(indices.slice(s, s + chunk));
    const logits = model.forward(b.ids, b.lengths);
    for (let i = 0; i < logits.data.length; i++) correct += (logits.data[i] > 0) === (b.y.data[i] > 0.5) ? 1 : 0;
  }
  model.train();
  return correct / indices.length;
}

if (loaded) {
  const { model } = loaded, val = accuracy(model, split.val), test = accuracy(model, split.test);
  if (flags.int8) await rnn.loadInt8(); // the int8 code, fetched on first use
  const int8 = flags.int8 ? { test_acc_int8: accuracy(model.quantize(), split.test), val_acc_int8: accuracy(model, split.val) } : {};
  console.log(`${flags.load}: val_acc ${fmt(val)} test_acc ${fmt(test)}${flags.int8 ? ` (int8: ${fmt(int8.val_acc_int8)}, ${fmt(int8.test_acc_int8)})` : ''}`);
  finalLine({ test_acc: test, val_acc: val, ...int8 });
  model.dispose();
  process.exit(0);
}

console.log(`UCI sentences: ${split.train.length} train / ${split.val.length} val / ${split.test.length} test, ` +
  `vocabulary ${vocab.size} (train only, minCount ${flags.minCount}); SentimentLSTM embed ${flags.embed} ` +
  `hidden ${flags.hidden} layers ${flags.layers} bidirectional dropout ${flags.dropout}; Adam lr ${flags.lr}, ` +
  `batch ${flags.batch}, ${flags.epochs} epochs, ${flags.runs} run(s); backend ${rnn.backend}`);

const elapsed = timer();
const runs = [];
let saved = null;   // run 1's weights at its best validation epoch (--save)
for (let r = 0; r < flags.runs; r++) {
  const seed = flags.seed + r;
  const model = new rnn.models.SentimentLSTM({
    vocabSize: vocab.size, embedDim: flags.embed, hiddenDim: flags.hidden, numLayers: flags.layers,
    dropout: flags.dropout, seed,
  });
  const opt = new rnn.Adam(model.parameters(), { lr: flags.lr });
  const batchRng = data.createRng(seed);   // a new batch order every epoch
  let best = { val: -1, test: 0, epoch: -1 };
  for (let epoch = 0; epoch < flags.epochs; epoch++) {
    let lossSum = 0, n = 0;
    for (const idx of data.batches(split.train.length, { batchSize: flags.batch, rng: batchRng })) {
      const b = batchOf(idx.map((i) => split.train[i]));
      opt.zeroGrad();
      const logits = model.forward(b.ids, b.lengths);
      const { loss, grad } = rnn.losses.bceWithLogits(logits, b.y);
      model.backward(grad);
      opt.step();
      lossSum += loss;
      n++;
    }
    const valAcc = accuracy(model, split.val), testAcc = accuracy(model, split.test);
    if (valAcc > best.val) {
      best = { val: valAcc, test: testAcc, epoch: epoch + 1 };
      if (flags.save && r === 0) saved = { ...best, weights: model.stateDict() };
    }
    console.log(`run ${r + 1}/${flags.runs} epoch ${epoch + 1}/${flags.epochs}  train_loss ${fmt(lossSum / n)}  ` +
      `val_acc ${fmt(valAcc)}  test_acc ${fmt(testAcc)}  ${fmt(elapsed(), 1)} s`);
  }
  console.log(`run ${r + 1}: best validation epoch ${best.epoch}: val_acc ${fmt(best.val)} test_acc ${fmt(best.test)}`);
  runs.push(best);
  opt.dispose();
  model.dispose();
}

if (saved) {
  const config = { vocabSize: vocab.size, embedDim: flags.embed, hiddenDim: flags.hidden, numLayers: flags.layers, dropout: flags.dropout };
  const args = process.argv.slice(2);
  writeFileSync(flags.save, rnn.safetensors.serialize(saved.weights, {
    format: 'rnn-wasm-sentiment', model: 'SentimentLSTM', config: JSON.stringify(config),
    vocab: vocabJSON(vocab), epoch: String(saved.epoch), valAcc: saved.val.toFixed(4), testAcc: saved.test.toFixed(4),
    trainedWith: `node examples/sentiment.mjs ${args.filter((a, i) => a !== '--save' && args[i - 1] !== '--save').join(' ')}`,
  }));
  console.log(`saved ${flags.save} (run 1, epoch ${saved.epoch}: val_acc ${fmt(saved.val)} test_acc ${fmt(saved.test)})`);
}

const mean = (k) => runs.reduce((s, r) => s + r[k], 0) / runs.length;
finalLine({
  test_acc: mean('test'), val_acc: mean('val'), epochs: flags.epochs, runs: flags.runs,
  test_acc_runs: runs.map((r) => r.test.toFixed(4)).join(','), seconds: elapsed(), cpu_seconds: cpuSeconds(),
});
