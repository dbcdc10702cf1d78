// The path past one tab (docs/distributed.md): a model prototyped here goes
// to PyTorch DistributedDataParallel and comes back. rnn-wasm builds a
// character LM from a spec and saves its spec and initial weights; torchrun
// runs tools/train_ddp.py on 2 CPU processes (gloo) over a slice of Tiny
// Shakespeare, starting from those weights. Checked: the two ranks trained on
// different windows yet end with bitwise the same parameters (DDP averaged
// the gradients), the vocabulary is rnn.data.CharVocab's, the checkpoint is
// those parameters, it loads into buildModel(spec) and gives PyTorch's
// logits within float32 rounding. Needs Debian's /usr/bin/python3 with
// python3-torch (scripts/setup.sh --test); without it this test fails.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, buildModel } from '../dist/index.js';
import { assertClose } from './helpers/util.mjs';
import { python, pythonFails } from './helpers/python.mjs';

const rnn = await init();
const { parse, serialize } = rnn.safetensors;
const repo = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const DATA = repo('data/text/tinyshakespeare/tinyshakespeare.txt');
const LIMIT = 20000, STEPS = 8, BATCH = 8, SEQ = 32;

const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-ddp-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const out = join(dir, 'run');

// The browser side: the vocabulary of the slice's training part (the first
// 90%, as tools/train_ddp.py splits it), a spec and its initial weights.
const chars = [...readFileSync(DATA, 'utf8')].slice(0, LIMIT);
const trainText = chars.slice(0, chars.length - Math.round(chars.length * 0.1)).join('');
const vocab = rnn.data.CharVocab.fromText(trainText);
const V = vocab.size;
const spec = {
  type: 'Sequential', layers: [
    { type: 'Embedding', numEmbeddings: V, embeddingDim: 16, seed: 1 },
    { type: 'LSTM', inputSize: 16, hiddenSize: 24, numLayers: 2, dropout: 0.1, batchFirst: true, seed: 2 },
    { type: 'Linear', inFeatures: 24, outFeatures: V, seed: 3 },
  ],
};
const initial = buildModel(rnn, spec);
const initialWeights = initial.stateDict();
initial.dispose();
writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
writeFileSync(join(dir, 'init.safetensors'), serialize(initialWeights));

const started = process.hrtime.bigint();
const log = python([repo('tools/torchrun.py'), '--standalone', '--nproc_per_node=2', '--monitor_interval=0.5',
  repo('tools/train_ddp.py'), '--backend', 'gloo', '--spec', join(dir, 'spec.json'), '--init', join(dir, 'init.safetensors'),
  '--data', DATA, '--limit', String(LIMIT), '--steps', String(STEPS), '--batch', String(BATCH), '--seq', String(SEQ),
  '--log-every', '4', '--out', out], 'torchrun tools/train_ddp.py', { timeout: 180_000 });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const readJson = (name) => JSON.parse(readFileSync(join(out, name), 'utf8'));

/** SHA-256 over name and float32 bytes of each tensor in name order: tools/train_ddp.py's param_digest. */
function paramDigest(sd) {
  const h = createHash('sha256');
  for (const name of Object.keys(sd).sort()) {
    const { data } = sd[name];
    h.update(name);
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return h.digest('hex');
}

test('torchrun --nproc_per_node=2 (gloo) trains; the ranks saw different windows and end with identical weights', (t) => {
  t.diagnostic(`torchrun: ${seconds.toFixed(1)} s wall (mostly starting 3 Python processes with torch)`);
  for (const line of log.trim().split('\n')) t.diagnostic(`rank 0: ${line}`);
  assert.match(log, /2 ranks \(gloo, CPU\)/);
  assert.match(log, new RegExp(`step ${STEPS}/${STEPS}`));
  const [r0, r1] = [readJson('rank0.json'), readJson('rank1.json')];
  assert.notEqual(r0.data_sha256, r1.data_sha256, 'each rank should train on its own windows');
  assert.equal(r0.params_sha256, r1.params_sha256, 'DDP should keep the two ranks\' parameters identical');
});

test('the checkpoint is the ranks\' weights, with the spec and rnn.data.CharVocab\'s vocabulary beside it', () => {
  const file = parse(readFileSync(join(out, 'model.safetensors')));
  assert.equal(paramDigest(file), readJson('rank0.json').params_sha256);
  assert.deepEqual(readJson('spec.json'), spec);
  assert.deepEqual(JSON.parse(file.__metadata__.spec), spec);
  assert.deepEqual(readJson('vocab.json'), vocab.toJSON());
  const moved = Object.keys(initialWeights).filter((k) => {
    const a = initialWeights[k].data, b = file[k].data;
    return a.some((v, i) => v !== b[i]);
  });
  assert.deepEqual(moved.sort(), Object.keys(initialWeights).sort(), 'training should change every tensor');
});

test('the checkpoint loads into buildModel(spec) and gives PyTorch\'s logits', (t) => {
  const model = buildModel(rnn, readJson('spec.json'));
  try {
    model.loadStateDict(parse(readFileSync(join(out, 'model.safetensors'))));
    model.eval();
    const probe = parse(readFileSync(join(out, 'probe.safetensors')));
    assert.deepEqual(probe.x.shape, [2, SEQ]);
    const logits = model.forward(probe.x);
    const worst = assertClose(logits, probe.output, { atol: 1e-5, rtol: 1e-5, what: 'logits' });
    t.diagnostic(`max |rnn-wasm - PyTorch| over ${probe.output.data.length} logits: ${worst.toExponential(1)}`);
  } finally {
    model.dispose();
  }
});

test('train_ddp.py refuses, before any process waits for the others, a spec that is not a char LM, weights that do not fit, or more nccl processes than GPUs', () => {
  const run = (name, specObj, extra = [], env = {}) => {
    writeFileSync(join(dir, name), JSON.stringify(specObj));
    return pythonFails([repo('tools/train_ddp.py'), '--spec', join(dir, name), '--data', DATA, '--limit', String(LIMIT),
      '--seq', String(SEQ), '--out', join(dir, 'refused'), ...extra], `train_ddp.py --spec ${name}`, env);
  };
  assert.match(run('sentiment.json', { type: 'SentimentLSTM', vocabSize: V, embedDim: 8, hiddenDim: 8, numLayers: 1 }),
    new RegExp(`must map ids \\[B, T\\] to logits \\[B, T, ${V}\\].*gives \\[1\\]`));
  assert.match(run('small-vocab.json', { type: 'Sequential', layers: [{ type: 'Embedding', numEmbeddings: 5, embeddingDim: 4 },
    { type: 'Linear', inFeatures: 4, outFeatures: V }] }), /index out of range/);
  assert.match(run('time-major.json', { type: 'Sequential', layers: [{ type: 'Embedding', numEmbeddings: V, embeddingDim: 4 },
    { type: 'GRU', inputSize: 4, hiddenSize: 4 }] }), /layers\[1\] \(GRU\) must be created with batchFirst: true/);
  assert.match(run('other-shapes.json', { ...spec, layers: [spec.layers[0], { ...spec.layers[1], hiddenSize: 20 }, { ...spec.layers[2], inFeatures: 20 }] },
    ['--init', join(dir, 'init.safetensors')]), /init\.safetensors does not fit the spec: .*size mismatch for 1\.weight_hh_l0/s);
  // a local rank past the last GPU (on a machine without CUDA: any rank)
  assert.match(run('nccl.json', spec, ['--backend', 'nccl'], { LOCAL_RANK: '999' }), /nccl runs one process per GPU: local rank 999, but \d+ CUDA devices/);
});
