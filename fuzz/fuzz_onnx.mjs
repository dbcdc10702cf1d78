// fuzz_onnx.mjs - a mutation fuzz loop over rnn.loadOnnx, the ONNX reader
// (js/onnx.js: the protobuf wire format, the graph, the builder).
//
// Starts from valid files (the torch.onnx.export and hand-built fixtures of
// tests/fixtures/onnx/) and mutates them two ways: bytes (bit flips,
// interesting bytes, truncation, insertion, deletion, splices) and the
// decoded model (dims, data types, raw data sizes, op types, attribute
// values, input names, removed initializers or nodes, opset versions),
// encoded again. Every load must either build a model whose run on the
// seed's inputs works or throws an RnnError, or throw an RnnError with code
// FORMAT, UNSUPPORTED, INVALID_ARGUMENT or SHAPE; any other exception, or a
// load slower than `slowMs`, is a failure, reported with the input (base64)
// so it can be replayed. Every model built is disposed.
//
//   node fuzz/fuzz_onnx.mjs [iterations=20000] [seed=1]
//
// tests/fuzz.test.mjs runs a bounded number of iterations.
import { readFileSync } from 'node:fs';
import { runIfMain } from './cli.mjs';
import { init, RnnError } from '../dist/index.js';
import { decode, encode } from '../js/onnx/protobuf.js';
import { ONNX } from '../js/onnx/schema.js';

const CODES = ['FORMAT', 'UNSUPPORTED', 'INVALID_ARGUMENT', 'SHAPE', 'DTYPE'];
const DIR = new URL('../tests/fixtures/onnx/', import.meta.url);
const SEEDS = ['rnn_tanh', 'lstm_bidi2_batch_first', 'gru_state_batch_first', 'tagger', 'hand_lstm_layout1_seqlens_states', 'hand_gru_lbr0'];
const OPS = ['LSTM', 'GRU', 'RNN', 'Gather', 'MatMul', 'Gemm', 'Add', 'Transpose', 'Squeeze', 'Unsqueeze', 'Slice', 'Concat', 'Reshape',
  'Softmax', 'Shape', 'ConstantOfShape', 'Expand', 'Identity', 'Erf', 'Loop'];
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12];

function makeRng(seed) { // xorshift32, so a run is reproducible
  let s = (seed >>> 0) || 0x9e3779b9;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { int: (n) => next() % n, pick: (a) => a[next() % a.length], chance: (p) => next() / 4294967296 < p };
}

function seeds() {
  const expected = JSON.parse(readFileSync(new URL('expected.json', DIR), 'utf8'));
  return SEEDS.map((name) => {
    const c = name.startsWith('hand_') ? expected.hand[name.slice(5)] : expected[name].sets[0];
    const feeds = {};
    for (const [k, t] of Object.entries(c.inputs)) feeds[k] = { shape: t.shape, data: k === 'ids' || k === 'sequence_lens' ? Int32Array.from(t.data) : Float32Array.from(t.data) };
    return { name, bytes: new Uint8Array(readFileSync(new URL(`${name}.onnx`, DIR))), feeds };
  });
}

function mutateBytes(rng, src) {
  let b = Uint8Array.from(src);
  for (let k = 1 + rng.int(4); k > 0; k--) {
    const at = rng.int(Math.max(1, b.length));
    switch (rng.int(6)) {
      case 0: b[at] ^= 1 << rng.int(8); break;
      case 1: b[at] = rng.pick(INTERESTING); break;
      case 2: b = b.slice(0, at); break;
      case 3: { const n = 1 + rng.int(8), out = new Uint8Array(b.length + n); out.set(b.subarray(0, at)); for (let i = 0; i < n; i++) out[at + i] = rng.int(256); out.set(b.subarray(at), at + n); b = out; break; }
      case 4: b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + 1 + rng.int(16))]); break;
      default: { const from = rng.int(Math.max(1, b.length)), n = rng.int(32); b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(from, from + n), ...b.subarray(at)]); }
    }
  }
  return b;
}

const NUMBERS = [0, 1, -1, 2, 3, 7, -2, 2 ** 31, 2 ** 40, -(2 ** 40)];

function mutateModel(rng, bytes) {
  const m = decode(ONNX, 'ModelProto', bytes), g = m.graph;
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const node = g.node.length ? rng.pick(g.node) : null;
    const init = g.initializer.length ? rng.pick(g.initializer) : null;
    switch (rng.int(10)) {
      case 0: if (init && init.dims.length) init.dims[rng.int(init.dims.length)] = rng.pick(NUMBERS); break;
      case 1: if (init) init.data_type = rng.pick([1, 6, 7, 10, 11, 8, 99]); break;
      case 2: if (init?.raw_data) init.raw_data = init.raw_data.subarray(0, rng.int(init.raw_data.length + 1)); break;
      case 3: if (node) node.op_type = rng.pick(OPS); break;
      case 4: if (node && node.attribute.length) { const a = rng.pick(node.attribute); if (a.ints?.length) a.ints[rng.int(a.ints.length)] = rng.pick(NUMBERS); else if (a.i !== undefined) a.i = rng.pick(NUMBERS); else if (a.s) a.s = new TextEncoder().encode(rng.pick(['reverse', 'bidirectional', 'forward', 'sideways'])); else if (a.floats?.length) a.floats[0] = rng.pick([0, 0.5, -1, 1e30, NaN]); } break;
      case 5: if (node && node.input.length) node.input[rng.int(node.input.length)] = rng.chance(0.5) ? '' : rng.pick([...g.initializer.map((t) => t.name), ...g.node.flatMap((n) => n.output), 'nowhere']); break;
      case 6: if (g.initializer.length) g.initializer.splice(rng.int(g.initializer.length), 1); break;
      case 7: if (g.node.length) g.node.splice(rng.int(g.node.length), 1); break;
      case 8: if (m.opset_import.length) m.opset_import[0].version = rng.pick([1, 6, 7, 13, 14, 17, 21, 22, 99]); break;
      default: if (node && node.attribute.length) node.attribute.splice(rng.int(node.attribute.length), 1);
    }
  }
  return encode(ONNX, 'ModelProto', m);
}

const ok = (e) => e instanceof RnnError && CODES.includes(e.code);

async function checkOne(rnn, seed, bytes, slowMs) {
  const t0 = performance.now();
  let model, result = 'ok';
  try {
    model = await rnn.loadOnnx(bytes);
  } catch (e) {
    if (!ok(e)) throw new Error(`loadOnnx threw ${e?.name} ${e?.code ?? ''}: ${e?.message} (seed ${seed.name}, input ${Buffer.from(bytes).toString('base64')})\n${e?.stack}`);
    result = e.code;
  }
  if (model) {
    try { model.run(seed.feeds); } catch (e) {
      if (!(e instanceof RnnError)) throw new Error(`run threw ${e?.name}: ${e?.message} (seed ${seed.name}, input ${Buffer.from(bytes).toString('base64')})\n${e?.stack}`);
    } finally { model.dispose(); }
  }
  const ms = performance.now() - t0;
  if (ms > slowMs) throw new Error(`a load took ${ms.toFixed(0)} ms (seed ${seed.name}, input ${Buffer.from(bytes).toString('base64')})`);
  return result;
}

export async function fuzzOnnx({ iterations = 2000, seed = 1, slowMs = 2000 } = {}) {
  const rnn = await init();
  const rng = makeRng(seed);
  const all = seeds();
  const counts = { runs: 0, ok: 0 };
  for (const s of all) if (await checkOne(rnn, s, s.bytes, slowMs) !== 'ok') throw new Error(`seed ${s.name} does not load`);
  for (let i = 0; i < iterations; i++) {
    const s = rng.pick(all);
    let bytes = s.bytes;
    if (rng.chance(0.6)) {
      try { bytes = mutateModel(rng, bytes); } catch (e) { if (!ok(e)) throw e; }
    }
    if (bytes === s.bytes || rng.chance(0.3)) bytes = mutateBytes(rng, bytes);
    const r = await checkOne(rnn, s, bytes, slowMs);
    counts.runs++;
    counts[r] = (counts[r] ?? 0) + 1;
  }
  return counts;
}

await runIfMain(import.meta.url, 'loadOnnx', fuzzOnnx, 20000);
