// digits_same_start.mjs - the digits recogniser's first steps in rnn-wasm,
// written out so tools/digits_same_start.py can replay them in PyTorch from
// the same start: the initial weights, the exact batches (inputs, targets,
// lengths; no augmentation) in one fixed order, and rnn-wasm's loss and
// gradient norm (before clipping) at every step. Differences that show at
// step 1 are the engine's; later ones may be the chaos of training. With
// --from a model file, the run starts from trained weights (saturated gates).
//
//   node tools/digits_same_start.mjs --data /work/digits-data3 --out /tmp/digits-same --max-train 1600
//   /usr/bin/python3 tools/digits_same_start.py /tmp/digits-same
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLASSES, decodeWav, modelInputs } from '../shared/digits-core.js';
import { loadRnn, parseFlags } from '../examples/common.mjs';

const flags = parseFlags({
  data: 'build/digits', out: '/tmp/digits-same', maxTrain: 1600, batch: 16, lr: 3e-3, hidden: 128, layers: 2, bins: 40, stack: 3, seed: 1, epochs: 1, from: '',
}, 'node tools/digits_same_start.mjs [flags]');
const rnn = await loadRnn();
mkdirSync(flags.out, { recursive: true });

const list = JSON.parse(readFileSync(join(flags.data, 'train.json'), 'utf8')).slice(0, flags.maxTrain);
const raw = list.map((u) => rnn.audio.fbank(decodeWav(new Uint8Array(readFileSync(join(flags.data, 'train', u.file)))).samples, { numMelBins: flags.bins }));
const M = flags.bins, sum = new Float64Array(M), sq = new Float64Array(M);
let n = 0;
for (const { shape: [T], data } of raw) {
  for (let i = 0; i < T * M; i++) sum[i % M] += data[i], sq[i % M] += data[i] * data[i];
  n += T;
}
const mean = Array.from(sum, (s) => s / n), std = Array.from(sq, (s, m) => Math.sqrt(Math.max(s / n - mean[m] ** 2, 1e-8)));
const frontEnd = { mean, std, stack: flags.stack };
const inputs = list.map((u, i) => ({ digits: u.digits, x: modelInputs(raw[i], frontEnd) })).sort((a, b) => a.x.shape[0] - b.x.shape[0]);
const batches = [];
for (let i = 0; i < inputs.length; i += flags.batch) {
  const group = inputs.slice(i, i + flags.batch), B = group.length, T = group[B - 1].x.shape[0], D = group[0].x.shape[1];
  const x = new Float32Array(B * T * D);
  group.forEach((u, b) => x.set(u.x.data, b * T * D));
  batches.push({
    x: { shape: [B, T, D], data: x },
    y: { targets: group.map((u) => u.digits.map((d) => d + 1)), inputLengths: group.map((u) => u.x.shape[0]), targetLengths: group.map((u) => u.digits.length) },
  });
}
const order = rnn.data.shuffle(rnn.data.range(batches.length), rnn.data.createRng(flags.seed));
const train = order.map((i) => batches[i]);

const model = new rnn.Sequential([
  new rnn.LSTM({ inputSize: flags.stack * M, hiddenSize: flags.hidden, numLayers: flags.layers, batchFirst: true, seed: flags.seed }),
  new rnn.Linear({ inFeatures: flags.hidden, outFeatures: CLASSES, seed: flags.seed + 1 }),
]);
if (flags.from) { // a trained model file (e.g. examples/digits.mjs --save): start from its weights
  const tensors = rnn.safetensors.parse(readFileSync(flags.from));
  for (const t of Object.values(tensors)) delete t.dtype;
  model.loadStateDict(tensors);
}
const f32 = (sd) => Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, { ...t, dtype: 'F32' }]));
writeFileSync(join(flags.out, 'init.safetensors'), rnn.safetensors.serialize(f32(model.stateDict())));
const xs = Object.fromEntries(train.map((b, i) => [`x${i}`, { ...b.x, dtype: 'F32' }]));
writeFileSync(join(flags.out, 'batches.safetensors'), rnn.safetensors.serialize(xs));

const steps = [];
const opt = new rnn.Adam(model.parameters(), { lr: flags.lr });
await rnn.fit(model, {
  train, epochs: flags.epochs, loss: 'ctc', optimizer: opt, clipGradNorm: 5, shuffle: false,
  onProgress: (p) => { if (!p.epochEnd) steps.push({ loss: p.loss, gradNorm: p.gradNorm }); },
});
writeFileSync(join(flags.out, 'final.safetensors'), rnn.safetensors.serialize(f32(model.stateDict())));
writeFileSync(join(flags.out, 'run.json'), JSON.stringify({ flags, y: train.map((b) => b.y), steps }));
console.log(`${train.length} batches x ${flags.epochs} epochs; rnn-wasm loss: first ${steps[0].loss.toFixed(5)}, last ${steps.at(-1).loss.toFixed(5)} -> ${flags.out}`);
