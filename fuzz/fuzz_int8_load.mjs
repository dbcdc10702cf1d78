// fuzz_int8_load.mjs - a mutation fuzz loop over loading int8 weights: valid
// int8 files (quantizedStateDict() of an LSTM and of a Sequential with a
// Linear, with metadata) mutated by fuzz_safetensors.mjs's byte and header
// mutators, then safetensors.parse and model.loadStateDict. Each input must
// load (and then run), or throw an RnnError (FORMAT, UNSUPPORTED, SHAPE,
// DTYPE, INVALID_ARGUMENT) leaving the model's weights and quantized flag as
// they were; any other exception is a failure, reported with the input.
//
//   node fuzz/fuzz_int8_load.mjs [iterations=20000] [seed=1]
//
// tests/fuzz.test.mjs runs a bounded number of iterations.
import { runIfMain } from './cli.mjs';
import { init, RnnError } from '../dist/index.js';
import { makeRng, mutateBytes, mutateHeader } from './fuzz_safetensors.mjs';

const rnn = await init();
await rnn.loadInt8();
const CODES = new Set(['FORMAT', 'UNSUPPORTED', 'SHAPE', 'DTYPE', 'INVALID_ARGUMENT']);

function models() {
  const lstm = () => new rnn.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, seed: 1 }).eval();
  const seq = () => new rnn.Sequential([
    new rnn.LSTM({ inputSize: 3, hiddenSize: 5, batchFirst: true, seed: 2 }),
    new rnn.Linear({ inFeatures: 5, outFeatures: 2, seed: 3 }),
  ]).eval();
  return [
    { make: lstm, x: { shape: [2, 1, 3], data: new Float32Array([0.1, -0.2, 0.3, 0.4, 0.5, -0.6]) } },
    { make: seq, x: { shape: [1, 2, 3], data: new Float32Array([0.1, -0.2, 0.3, 0.4, 0.5, -0.6]) } },
  ];
}

const same = (a, b) => JSON.stringify(Object.entries(a).map(([k, t]) => [k, t.shape, Array.from(t.data)])) ===
  JSON.stringify(Object.entries(b).map(([k, t]) => [k, t.shape, Array.from(t.data)]));

export function fuzzInt8Load({ iterations = 2000, seed = 1 } = {}) {
  const rng = makeRng(seed);
  const kinds = models().map((k) => {
    const m = k.make().quantize();
    const file = rnn.safetensors.serialize(m.quantizedStateDict(), { note: 'int8 seed' });
    m.dispose();
    return { ...k, file, target: k.make() };
  });
  const counts = { runs: 0, loaded: 0, rejected: 0 };
  for (let i = 0; i < iterations; i++) {
    const k = rng.pick(kinds);
    const input = (rng.chance(0.6) && mutateHeader(rng, k.file)) || mutateBytes(rng, k.file, [k.file]);
    const before = k.target.stateDict(), wasQuantized = k.target.quantized;
    counts.runs++;
    try {
      k.target.loadStateDict(rnn.safetensors.parse(input));
      k.target.forward(k.x);
      counts.loaded++;
    } catch (e) {
      const b64 = Buffer.from(input).toString('base64');
      if (!(e instanceof RnnError) || !CODES.has(e.code)) throw new Error(`input ${b64}: ${e?.stack ?? e}`);
      if (!same(k.target.stateDict(), before) || k.target.quantized !== wasQuantized) {
        throw new Error(`input ${b64}: ${e.code} left the model changed (${e.message})`);
      }
      counts.rejected++;
    }
  }
  for (const k of kinds) k.target.dispose();
  return counts;
}

await runIfMain(import.meta.url, 'int8 loading', fuzzInt8Load, 20000);
