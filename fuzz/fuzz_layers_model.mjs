// fuzz_layers_model.mjs - a mutation fuzz loop over loadLayersModel, the
// TF.js LayersModel reader (js/keras.js: model.json + weight shards).
//
// Starts from valid models: native rnn-wasm models exported with
// toLayersModel (Embedding, bidirectional LSTM stacks, SimpleRNN relu,
// Dropout, Pool, Linear) and the Keras-converter files of
// tests/fixtures/keras_gru/, and mutates them: JSON-aware edits of the
// topology (class names, numbers, option values, removed keys, layer order,
// inbound nodes) and of the weightsManifest (shapes, dtypes, names, paths,
// quantization), byte edits of model.json's text and of the shard
// (truncation, extension, bit flips). Every load must either build a model
// whose forward on a fitting input runs (or throws an RnnError), or throw an
// RnnError with code FORMAT, UNSUPPORTED, INVALID_ARGUMENT or SHAPE; any
// other exception, or a load slower than `slowMs`, is a failure, reported
// with the input so it can be replayed.
//
//   node fuzz/fuzz_layers_model.mjs [iterations=20000] [seed=1]
//
// tests/fuzz.test.mjs runs a bounded number of iterations.
import { readFileSync } from 'node:fs';
import { runIfMain } from './cli.mjs';
import { init, RnnError } from '../dist/index.js';

const CODES = ['FORMAT', 'UNSUPPORTED', 'INVALID_ARGUMENT', 'SHAPE'];
const GRU_DIR = new URL('../tests/fixtures/keras_gru/', import.meta.url);

function makeRng(seed) { // xorshift32, so a run is reproducible
  let s = (seed >>> 0) || 0x9e3779b9;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { int: (n) => next() % n, pick: (a) => a[next() % a.length], chance: (p) => next() / 4294967296 < p };
}

/** Seed models: [{ json (object), bin (Uint8Array) }] with one shard named in the manifest. */
async function seedModels(rnn) {
  const seeds = [];
  const add = async (model) => {
    const { modelJson, weightData } = await rnn.toLayersModel(model);
    seeds.push({ json: modelJson, bin: weightData });
    model.dispose();
  };
  await add(new rnn.Sequential([
    new rnn.Embedding({ numEmbeddings: 7, embeddingDim: 3, paddingIdx: 0, seed: 1 }),
    new rnn.LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, dropout: 0.2, batchFirst: true, seed: 2 }),
    new rnn.Pool({ mode: 'final' }), new rnn.Linear({ inFeatures: 4, outFeatures: 2, seed: 3 })]));
  await add(new rnn.Sequential([
    new rnn.RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu', batchFirst: true, seed: 4 }),
    new rnn.Pool({ mode: 'mean' }), new rnn.Dropout({ p: 0.1 }), new rnn.Linear({ inFeatures: 3, outFeatures: 1, seed: 5 })]));
  for (const name of ['stacked', 'bidirectional_masked']) {
    const json = JSON.parse(readFileSync(new URL(`${name}.json`, GRU_DIR), 'utf8'));
    json.weightsManifest[0].paths = ['weights.bin'];
    seeds.push({ json, bin: new Uint8Array(readFileSync(new URL(`${name}.bin`, GRU_DIR))) });
  }
  for (const s of seeds) s.json.weightsManifest[0].paths = ['weights.bin'];
  return seeds;
}

const NUMBERS = [0, 1, -1, 2, 3, 7, 1e9, 2 ** 31, 2 ** 53, 0.5, NaN, null, '3', true];
const VALUES = [null, true, false, 'x', '', [], {}, [1], 'tanh', 'relu', 'sigmoid', 'hard_sigmoid', 'concat', 'sum', 'mul', 'linear', 'softmax'];
const CLASSES = ['LSTM', 'GRU', 'SimpleRNN', 'Dense', 'Embedding', 'Bidirectional', 'TimeDistributed', 'Dropout', 'SpatialDropout1D',
  'Masking', 'Flatten', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'Activation', 'InputLayer', 'Conv1D', 'Model', 'Sequential', ''];
const DTYPES = ['float32', 'int32', 'bool', 'float64', 'string', 'complex64', '', null, 7];

// Every object or array inside v, for picking an edit site.
function nodes(v, out = []) {
  if (v !== null && typeof v === 'object') {
    out.push(v);
    for (const k of Object.keys(v)) nodes(v[k], out);
  }
  return out;
}

function mutateJson(rng, json) {
  const j = structuredClone(json);
  const objects = (a) => (Array.isArray(a) ? a.filter((v) => v !== null && typeof v === 'object') : []);
  const layers = objects(j.modelTopology?.model_config?.config?.layers ?? j.modelTopology?.config?.layers);
  const specs = objects(j.weightsManifest?.[0]?.weights);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    switch (rng.int(10)) {
      case 0: if (layers?.length) rng.pick(layers).class_name = rng.pick(CLASSES); break;
      case 1: case 2: { // a value anywhere in the topology
        const site = rng.pick(nodes(j.modelTopology ?? {}) .concat([{}]));
        const keys = Object.keys(site);
        if (keys.length) site[rng.pick(keys)] = rng.chance(0.5) ? rng.pick(NUMBERS) : rng.pick(VALUES);
      } break;
      case 3: { // remove a key
        const site = rng.pick(nodes(j).concat([{}]));
        const keys = Object.keys(site);
        if (keys.length) delete site[rng.pick(keys)];
      } break;
      case 4: { // swap two layers in the file
        const list = j.modelTopology?.model_config?.config?.layers ?? j.modelTopology?.config?.layers;
        if (Array.isArray(list) && list.length > 1) { const a = rng.int(list.length), b = rng.int(list.length); [list[a], list[b]] = [list[b], list[a]]; }
      } break;
      case 5: if (specs?.length) { const s = rng.pick(specs); s.shape = rng.chance(0.5) && Array.isArray(s.shape) ? s.shape.map((d) => (rng.chance(0.5) ? rng.pick(NUMBERS) : d)) : rng.pick([[], [1], [0, 3], 'x', null]); } break;
      case 6: if (specs?.length) rng.pick(specs).dtype = rng.pick(DTYPES); break;
      case 7: if (specs?.length) { const s = rng.pick(specs); s.quantization = rng.pick([{ dtype: 'uint8', scale: 0.1, min: -1 }, { dtype: 'float16' }, { dtype: 'uint16', scale: NaN, min: 0 }, { dtype: 'int4' }, null, 'x']); } break;
      case 8: if (specs?.length) rng.pick(specs).name = rng.pick(['', 'x/kernel', specs[0].name, `${rng.pick(specs).name}/kernel`, null]); break;
      default: if (objects(j.weightsManifest).length) objects(j.weightsManifest)[0].paths = rng.pick([['weights.bin'], ['weights.bin', 'weights.bin'], ['other.bin'], [], null, [7]]);
    }
  }
  return j;
}

function mutateBytes(rng, bytes) {
  let b = Uint8Array.from(bytes);
  switch (rng.int(4)) {
    case 0: b = b.slice(0, rng.int(b.length + 1)); break;
    case 1: { const e = new Uint8Array(b.length + 1 + rng.int(16)); e.set(b); b = e; } break;
    case 2: for (let k = 0; k < 1 + rng.int(4) && b.length; k++) b[rng.int(b.length)] ^= 1 << rng.int(8); break;
    default: if (b.length >= 4) new DataView(b.buffer).setFloat32(4 * rng.int(b.length >> 2), rng.pick([NaN, Infinity, -Infinity, 1e38, 0]), true);
  }
  return b;
}

// An input that fits the model's declared shape (ids when an Embedding comes first).
function inputFor(model) {
  const shape = (model.inputShape ?? [null, null, 2]).map((d, i) => (i === 0 ? 2 : d ?? 3));
  const n = shape.reduce((a, d) => a * d, 1);
  if (n > 1e6) return { shape, data: [] };
  if (model.layers[0]?.className === 'Embedding') {
    const V = model.ops[0].module.numEmbeddings;
    return { shape, data: Int32Array.from({ length: n }, (_, i) => i % V) };
  }
  return { shape, data: Float32Array.from({ length: n }, (_, i) => Math.sin(i)) };
}

const describe = (j, bin) => `model.json ${JSON.stringify(j).slice(0, 3000)} | weights ${bin.length} bytes (base64 ${Buffer.from(bin).toString('base64').slice(0, 400)})`;

/** Checks one load; returns 'ok' or the RnnError code; throws on anything else. */
export async function checkOne(rnn, modelJson, bin, slowMs = 2000) {
  const t0 = performance.now();
  let model, error;
  try {
    model = await rnn.loadLayersModel({ modelJson, weights: { 'weights.bin': bin } });
  } catch (e) {
    error = e;
  }
  if (performance.now() - t0 > slowMs) throw new Error(`load took ${(performance.now() - t0).toFixed(0)} ms: ${describe(modelJson, bin)}`);
  if (error) {
    if (error instanceof RnnError && CODES.includes(error.code)) return error.code;
    throw new Error(`load threw ${error?.constructor?.name} ${error?.code ?? ''}: ${error?.message}\n${describe(modelJson, bin)}`);
  }
  try {
    const x = inputFor(model);
    if (x.data.length > 1e6) return 'ok'; // a valid but huge declared input: not run
    const y = model.forward(x);
    if (!(y.data instanceof Float32Array) || y.data.length !== y.shape.reduce((a, d) => a * d, 1)) throw new Error('forward returned a malformed tensor');
  } catch (e) {
    if (!(e instanceof RnnError)) throw new Error(`forward threw ${e?.constructor?.name}: ${e?.message}\n${describe(modelJson, bin)}`);
  } finally {
    model.dispose();
  }
  return 'ok';
}

/** Runs `iterations` mutations (or until timeLimitMs); returns the counts. */
export async function fuzzLayersModel({ iterations = 2000, seed = 1, timeLimitMs = Infinity, slowMs = 2000 } = {}) {
  const rnn = await init();
  const rng = makeRng(seed);
  const seeds = await seedModels(rnn);
  const counts = { runs: 0, ok: 0 };
  for (const s of seeds) if (await checkOne(rnn, s.json, s.bin, slowMs) !== 'ok') throw new Error('a seed model does not load');
  const start = performance.now();
  for (let i = 0; i < iterations && performance.now() - start < timeLimitMs; i++) {
    const s = rng.pick(seeds);
    let json = s.json, bin = s.bin;
    const what = rng.int(4);
    if (what <= 1) json = mutateJson(rng, json);
    if (what >= 1 && what <= 2) bin = mutateBytes(rng, bin);
    if (what === 3) { // model.json's text, byte-edited
      const text = mutateBytes(rng, new TextEncoder().encode(JSON.stringify(json)));
      json = new TextDecoder().decode(text);
    }
    const r = await checkOne(rnn, json, bin, slowMs);
    counts.runs++;
    counts[r] = (counts[r] ?? 0) + 1;
  }
  return counts;
}

await runIfMain(import.meta.url, 'loadLayersModel', fuzzLayersModel, 20000);
