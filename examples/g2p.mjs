// examples/g2p.mjs - grapheme-to-phoneme conversion: an English word's letters
// to its ARPAbet pronunciation (with stress digits), e.g.
//   "corkscrew" -> K AO1 R K S K R UW2
// on the CMU Pronouncing Dictionary subset in data/seq2seq/cmudict-g2p/
// (11,407 words; BSD-2-Clause style licence, see LICENSE.txt there).
// A character encoder-decoder LSTM with Luong 'general' attention, trained
// with fit(), decoded greedily and with beam search (width 5).
//
// Held-out split: a word is held out when FNV-1a-32(word) % 10 == 0 (1,127
// words), so examples/pytorch/g2p.py holds out the very same words; it trains
// the same configuration in PyTorch and prints the same final line.
//
//   ./build.sh dist && node examples/g2p.mjs          (about 5 minutes of CPU on one core)
//   node examples/g2p.mjs --epochs 2                  (a quick smoke run)
//   --int8: also decode the held-out words with int8 weights (int8_* in the final line)
// Final line: word_acc=<beam 5 exact-word accuracy> per=<beam 5 phoneme error
// rate> greedy_word_acc=... greedy_per=... (PER = total Levenshtein distance
// / total reference phonemes).
//
// One run of each (20 epochs, 3,220 steps; held-out 1,127 words):
//   rnn-wasm  beam 5: word_acc 0.6903, PER 0.0957   greedy: 0.6859, 0.0982
//   PyTorch   beam 5: word_acc 0.6903, PER 0.0973   greedy: 0.6815, 0.1041
// (the final training losses were 0.1006 and 0.0995).
import { readFileSync } from 'node:fs';
import { init, data } from '../dist/index.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const CONFIG = {
  embedDim: 64, hiddenDim: 128, cell: 'lstm', numLayers: 1, attention: 'general', dropout: 0.2,
  batchSize: 64, epochs: arg('epochs', 20), lr: 3e-3, minLr: 1e-4, clipGradNorm: 1, beamWidth: 5,
};

// ------------------------------------------------------------------- data
const csv = data.readCsv(readFileSync(new URL('../data/seq2seq/cmudict-g2p/g2p.tsv', import.meta.url), 'utf8'),
  { delimiter: '\t', quote: null });
const words = data.column(csv, 'word', String);
const prons = data.column(csv, 'phonemes', (s) => s.split(' '));

function fnv1a(s) {
  let h = 0x811c9dc5;
  for (const ch of Buffer.from(s, 'utf8')) h = Math.imul(h ^ ch, 0x01000193) >>> 0;
  return h;
}
const isTest = words.map((w) => fnv1a(w) % 10 === 0);
const trainIdx = words.map((_, i) => i).filter((i) => !isTest[i]);
const testIdx = words.map((_, i) => i).filter((i) => isTest[i]);

// source: characters ('<pad>' 0, '<unk>' 1, then sorted characters);
// target: '<pad>' 0, '<unk>' 1, '<s>' 2, '</s>' 3, then the sorted phonemes
const srcVocab = data.CharVocab.fromText(trainIdx.map((i) => words[i]).join(''));
const phonemes = [...new Set(prons.flat())].sort();
const tgtTokens = ['<pad>', '<unk>', '<s>', '</s>', ...phonemes];
const tgtId = new Map(tgtTokens.map((t, i) => [t, i]));
const encodeWord = (w) => srcVocab.encode(w);
const encodePron = (p) => Int32Array.from(p, (t) => tgtId.get(t) ?? 1);

const rnn = await init();
const model = new rnn.models.Seq2Seq({
  srcVocab: srcVocab.size, tgtVocab: tgtTokens.length, embedDim: CONFIG.embedDim, hiddenDim: CONFIG.hiddenDim,
  cell: CONFIG.cell, numLayers: CONFIG.numLayers, attention: CONFIG.attention, dropout: CONFIG.dropout,
  bosId: 2, eosId: 3, seed: 1,
});
console.log(`g2p: ${trainIdx.length} train / ${testIdx.length} held-out words, ${srcVocab.size} source / ` +
  `${tgtTokens.length} target symbols, ${model.numParams} parameters, backend ${rnn.backend}`);
console.log(`config ${JSON.stringify(CONFIG)}`);

// ------------------------------------------------------------------ train
const batches = model.makeBatches(trainIdx.map((i) => encodeWord(words[i])), trainIdx.map((i) => encodePron(prons[i])),
  { batchSize: CONFIG.batchSize, seed: 1 });
const t0 = performance.now();
const history = await rnn.fit(model, {
  train: batches, loss: 'crossEntropy', epochs: CONFIG.epochs, optimizer: 'adam', lr: CONFIG.lr,
  lrSchedule: { type: 'cosine', totalSteps: CONFIG.epochs * batches.length, minLr: CONFIG.minLr },
  clipGradNorm: CONFIG.clipGradNorm, seed: 2,
  onProgress: (p) => {
    if (p.epochEnd) console.log(`epoch ${p.epoch + 1}/${CONFIG.epochs}: train loss ${p.loss.toFixed(4)} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  },
});
const trainSec = (performance.now() - t0) / 1000;
console.log(`trained ${history.steps} steps in ${trainSec.toFixed(1)} s`);

// --------------------------------------------------------------- evaluate
function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

model.eval();
function evaluate(decode, chunk) {
  let right = 0, errors = 0, total = 0;
  const t = performance.now();
  for (let k = 0; k < testIdx.length; k += chunk) {
    const part = testIdx.slice(k, k + chunk);
    const out = decode(part.map((i) => encodeWord(words[i])));
    out.forEach((o, j) => {
      const hyp = [...o.tokens].map((id) => tgtTokens[id]), ref = prons[part[j]];
      if (hyp.join(' ') === ref.join(' ')) right++;
      errors += editDistance(hyp, ref);
      total += ref.length;
    });
  }
  return { wordAcc: right / testIdx.length, per: errors / total, msPerWord: (performance.now() - t) / testIdx.length };
}
const greedy = evaluate((src) => model.greedy(src, { maxLength: 30 }), 256);
console.log(`greedy: word_acc=${greedy.wordAcc.toFixed(4)} per=${greedy.per.toFixed(4)} (${greedy.msPerWord.toFixed(2)} ms/word)`);
const beam = evaluate((src) => model.beamSearch(src, { beamWidth: CONFIG.beamWidth, maxLength: 30 }), 64);
console.log(`beam ${CONFIG.beamWidth}: word_acc=${beam.wordAcc.toFixed(4)} per=${beam.per.toFixed(4)} (${beam.msPerWord.toFixed(2)} ms/word)`);

// --int8: the same held-out words decoded with int8 weights (model.quantize())
let int8 = '';
if (process.argv.includes('--int8')) {
  await rnn.loadInt8(); // the int8 code, fetched on first use
  model.quantize();
  const g = evaluate((src) => model.greedy(src, { maxLength: 30 }), 256);
  const b = evaluate((src) => model.beamSearch(src, { beamWidth: CONFIG.beamWidth, maxLength: 30 }), 64);
  model.dequantize();
  console.log(`int8: beam ${CONFIG.beamWidth} word_acc=${b.wordAcc.toFixed(4)} per=${b.per.toFixed(4)}, greedy word_acc=${g.wordAcc.toFixed(4)}`);
  int8 = ` int8_word_acc=${b.wordAcc.toFixed(4)} int8_per=${b.per.toFixed(4)} int8_greedy_word_acc=${g.wordAcc.toFixed(4)}`;
}

for (const w of ['corkscrew', 'whale', 'shakespeare', 'nevermore', 'tensorflow']) {
  let streamed = [];
  const [r] = model.beamSearch([encodeWord(w)], { beamWidth: CONFIG.beamWidth, onToken: (b, tok) => streamed.push(tgtTokens[tok]) });
  console.log(`  ${w} -> ${[...r.tokens].map((id) => tgtTokens[id]).join(' ')}` +
    `${streamed.join(' ') === [...r.tokens].map((id) => tgtTokens[id]).join(' ') ? '' : ' (stream differs!)'}`);
}
model.dispose();
console.log(`word_acc=${beam.wordAcc.toFixed(4)} per=${beam.per.toFixed(4)} greedy_word_acc=${greedy.wordAcc.toFixed(4)} greedy_per=${greedy.per.toFixed(4)}${int8}`);
