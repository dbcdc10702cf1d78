// charlm.mjs - a character-level language model on Tiny Shakespeare
// (data/text/tinyshakespeare/tinyshakespeare.txt, ~1.1 M characters) trained
// with truncated BPTT, then sampled.
//
// The first 90% of the text trains, the last 10% validates. The vocabulary
// is the training part's characters (CharVocab: ids 0 '<pad>' and 1 '<unk>',
// then the characters). rnn.tbpttBatches cuts the training ids into `batch`
// contiguous streams and those into chunks of k characters; fit({ tbptt:
// true }) carries the LSTM state from one chunk to the next without gradient.
// Model: Embedding(V, embed) -> LSTM(embed, hidden) -> Linear(hidden, V),
// cross-entropy, Adam, gradient clipping, a fixed number of steps.
//
// val_loss is the mean cross-entropy (nats per character) over the
// validation text cut into `valBatch` streams, the state carried from chunk
// to chunk through each stream. Then 300 characters are sampled at
// temperature 0.8 (seeded), one at a time, carrying the state.
//
//   node examples/charlm.mjs                        # full size
//   node examples/charlm.mjs --steps 150 --hidden 64 --sample 200
//
// Final line: val_loss=... steps=... seconds=... sample_chars=300
// (--int8: also val_loss_int8, the validation loss with int8 weights)
import { cpuSeconds, fmt, finalLine, loadRnn, parseFlags, readRepoFile, streamLoss, timer } from './common.mjs';

const flags = parseFlags({
  steps: 2000, batch: 32, k: 100, embed: 64, hidden: 128, lr: 2e-3, clip: 5, valBatch: 16,
  sample: 300, temperature: 0.8, prime: 'ROMEO:\n', seed: 1, progressEvery: 100, int8: false,
}, 'node examples/charlm.mjs [flags]: character LSTM on Tiny Shakespeare with truncated BPTT');

const rnn = await loadRnn();
const { data } = rnn;

const text = readRepoFile('data/text/tinyshakespeare/tinyshakespeare.txt');
const chars = [...text];
const nVal = Math.round(chars.length * 0.1);
const trainText = chars.slice(0, chars.length - nVal).join('');
const valText = chars.slice(chars.length - nVal).join('');
const vocab = data.CharVocab.fromText(trainText);
const V = vocab.size;
const train = rnn.tbpttBatches(vocab.encode(trainText), { batchSize: flags.batch, k: flags.k });
const val = rnn.tbpttBatches(vocab.encode(valText), { batchSize: flags.valBatch, k: flags.k });

const model = new rnn.Sequential([
  new rnn.Embedding({ numEmbeddings: V, embeddingDim: flags.embed, seed: flags.seed * 10 + 1 }),
  new rnn.LSTM({ inputSize: flags.embed, hiddenSize: flags.hidden, batchFirst: true, seed: flags.seed * 10 + 2 }),
  new rnn.Linear({ inFeatures: flags.hidden, outFeatures: V, seed: flags.seed * 10 + 3 }),
]);

console.log(`Tiny Shakespeare: ${trainText.length} train / ${valText.length} val characters, vocabulary ${V} ` +
  `(${V - 2} characters + <pad>, <unk>); Embedding ${flags.embed} -> LSTM ${flags.hidden} -> Linear ${V}; ` +
  `TBPTT batch ${flags.batch} x k ${flags.k} (${train.length} chunks per epoch), ${flags.steps} steps, ` +
  `Adam lr ${flags.lr}, clip ${flags.clip}; backend ${rnn.backend}`);

const elapsed = timer();
let windowLoss = 0, windowN = 0;
const history = await rnn.fit(model, {
  train, loss: 'crossEntropy', tbptt: true, epochs: Math.ceil(flags.steps / train.length), maxSteps: flags.steps,
  optimizer: { type: 'adam', lr: flags.lr }, clipGradNorm: flags.clip, seed: flags.seed,
  onProgress: (p) => {
    if (p.epochEnd) return;
    windowLoss += p.loss;
    windowN++;
    if (p.step % flags.progressEvery === 0 || p.step === flags.steps) {
      console.log(`step ${p.step}/${flags.steps}  epoch ${p.epoch + 1}  train_loss ${fmt(windowLoss / windowN)}  ` +
        `${fmt(p.examplesPerSec * flags.k, 0)} chars/s  ${fmt(elapsed(), 1)} s  eta ${fmt(p.etaSeconds, 0)} s`);
      windowLoss = 0;
      windowN = 0;
    }
  },
});
const trainSeconds = elapsed();

// Validation: the state carried through each validation stream.
const valLoss = streamLoss(rnn, model, val, V);
let valLossInt8; // --int8: the same with int8 weights (model.quantize())
if (flags.int8) {
  await rnn.loadInt8(); // the int8 code, fetched on first use
  model.quantize();
  valLossInt8 = streamLoss(rnn, model, val, V);
  model.dequantize();
}
console.log(`validation: ${fmt(valLoss)} nats/char (${fmt(valLoss / Math.LN2)} bits/char) over ` +
  `${val.length * flags.valBatch * flags.k} characters; ${history.steps} steps in ${fmt(trainSeconds, 1)} s`);

// Sampling: feed the prime, then one character at a time, carrying the state.
const rng = data.createRng(flags.seed);
function sampleFrom(logits) {
  // softmax(logits / temperature) over the characters (ids 0 '<pad>' and 1 '<unk>' excluded)
  let max = -Infinity;
  for (let i = 2; i < V; i++) max = Math.max(max, logits[i] / flags.temperature);
  const p = new Float64Array(V);
  let sum = 0;
  for (let i = 2; i < V; i++) sum += (p[i] = Math.exp(logits[i] / flags.temperature - max));
  let u = rng.uniform() * sum;
  for (let i = 2; i < V; i++) if ((u -= p[i]) < 0) return i;
  return V - 1;
}
const primeIds = vocab.encode(flags.prime);
let out = model.forward({ shape: [1, primeIds.length], data: primeIds });
let state = model.state;
const sampled = [];
for (let n = 0; n < flags.sample; n++) {
  const id = sampleFrom(out.data.subarray(out.data.length - V));
  sampled.push(id);
  out = model.forward({ shape: [1, 1], data: Int32Array.of(id) }, { state });
  state = model.state;
}
const sample = vocab.decode(sampled);
console.log(`sample (temperature ${flags.temperature}, seed ${flags.seed}):\n----\n${flags.prime}${sample}\n----`);
model.dispose();

finalLine({
  val_loss: valLoss, ...(flags.int8 ? { val_loss_int8: valLossInt8 } : {}), steps: history.steps, hidden: flags.hidden, train_seconds: trainSeconds,
  seconds: elapsed(), cpu_seconds: cpuSeconds(), sample_chars: [...sample].length,
});
