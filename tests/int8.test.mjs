// int8 inference (issue 21 §1): quantize() / dequantize() on every cell and
// variant, sequences (packed lengths, bidirectional, stacks) and streams with
// taps, the SIMD and scalar builds giving the same numbers, int8 state dicts
// through safetensors, PyTorch's quantize_dynamic error as the bar on the W4
// LSTM (tests/fixtures/int8.json, made by make_int8_fixture.py), and the
// errors: training a quantized model, non-finite weights, bad int8 files.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init } from '../dist/index.js';
import { BACKENDS, assertClose, lcg, randTensor, throwsCode } from './helpers/util.mjs';
import { w4Int8Error } from './helpers/int8-w4.mjs';

const rnn = await init();
await rnn.loadInt8();

const CELLS = [
  ['LSTM', {}], ['LSTM', { projSize: 3 }], ['GRU', {}], ['GRU', { resetAfter: false }], ['RNN', {}],
  ['RNN', { nonlinearity: 'relu' }], ['MinGRU', {}], ['MinLSTM', { logSpace: true }],
];

const make = (api, cls, opts) => new api[cls]({ inputSize: 5, hiddenSize: 12, seed: 11, ...opts }).eval();

// x rounded to the nearest bfloat16 (ties to even), as src/flush.h's rnn_bf16
function bf16(x) {
  const u = new Uint32Array(Float32Array.of(x).buffer);
  u[0] = (u[0] + 0x7fff + ((u[0] >>> 16) & 1)) & 0xffff0000;
  return new Float32Array(u.buffer)[0];
}

test('quantize(): every weight becomes scale * q per row (scale bfloat16, |q| <= 127, the row max at 127), biases round to bfloat16, dequantize() keeps the values', () => {
  const m = make(rnn, 'LSTM', { numLayers: 2 });
  const before = m.stateDict();
  assert.equal(m.quantized, false);
  assert.equal(m.quantize(), m);
  assert.equal(m.quantized, true);
  const after = m.stateDict();
  for (const [name, t] of Object.entries(after)) {
    if (!name.startsWith('weight')) {
      assert.deepEqual(t.data, before[name].data.map(bf16), name);
      continue;
    }
    const [rows, cols] = t.shape;
    for (let r = 0; r < rows; r++) {
      const row = t.data.subarray(r * cols, (r + 1) * cols), orig = before[name].data.subarray(r * cols, (r + 1) * cols);
      const amax = Math.max(...orig.map(Math.abs)), s = bf16(Math.fround(amax / 127));
      assert.equal(Math.max(...row.map((v) => Math.abs(v / s))), 127, `${name}[${r}]: the row max at 127`);
      for (let k = 0; k < cols; k++) {
        const q = row[k] / s;
        assert.ok(Math.abs(q - Math.round(q)) < 1e-3 && Math.abs(q) <= 127.001, `${name}[${r}][${k}]: ${q}`);
        assert.ok(Math.abs(row[k] - orig[k]) <= s / 2 + 1e-7, `${name}[${r}][${k}] moved more than half a step`);
      }
    }
  }
  m.dequantize();
  assert.equal(m.quantized, false);
  assert.deepEqual(m.stateDict(), after);
  m.dispose();
});

test('int8 forward is close to float32 and the same in both builds; streams (with taps) equal it', async (t) => {
  const apis = await Promise.all(BACKENDS.map(({ simd }) => init({ simd })));
  await Promise.all(apis.map((api) => api.loadInt8()));
  for (const [cls, extra] of CELLS) {
    for (const [numLayers, bidirectional] of [[1, false], [3, false], [2, true]]) {
      await t.test(`${cls} ${JSON.stringify(extra)} L=${numLayers} bidirectional=${bidirectional}`, () => {
        const rnd = lcg(5);
        const T = 6, B = 3, x = randTensor([T, B, 5], rnd, 1);
        const lengths = [6, 2, 4];
        const outs = apis.map((api) => {
          const m = make(api, cls, { ...extra, numLayers, bidirectional });
          const f = m.forward(x, { lengths });
          m.quantize();
          const q = m.forward(x, { lengths });
          const res = { f, q, m };
          return res;
        });
        const [simd, scalar] = outs;
        assertClose(simd.q.output, simd.f.output, { atol: 0.03, what: 'int8 output vs float32' });
        assert.deepEqual(simd.q.output.data, scalar.q.output.data, 'SIMD and scalar int8 outputs bitwise equal');
        assert.deepEqual(simd.q.hN.data, scalar.q.hN.data, 'hN bitwise equal');
        if (!bidirectional) {
          // a stream at batch 1 over sequence 0 (full length) gives its int8 output
          const m = simd.m, s = m.stream({ taps: true });
          const Ho = m.outputSize;
          for (let step = 0; step < T; step++) {
            const y = s.step(x.data.slice(step * B * 5, step * B * 5 + 5));
            const want = simd.q.output.data.subarray(step * B * Ho, step * B * Ho + Ho);
            assertClose(y, want, { atol: 1e-6, what: `stream step ${step}` });
            assertClose(s.taps()[numLayers - 1].h, want, { atol: 1e-6, what: `taps h, step ${step}` });
          }
          s.dispose();
        }
        for (const o of outs) o.m.dispose();
      });
    }
  }
});

test('W4 LSTM (H256, B32, T64): int8 max abs error no worse than PyTorch quantize_dynamic on the same model and inputs', () => {
  const { fx, floatSum, err } = w4Int8Error(rnn);
  assert.ok(Math.abs(floatSum - fx.float_sum) < 1e-3, 'the same float32 model as the fixture');
  assert.ok(err > 0, 'int8 differs from float32');
  assert.ok(err <= fx.torch_int8_max_abs_err, `int8 max abs error ${err} > PyTorch's ${fx.torch_int8_max_abs_err}`);
});

test('Linear and containers quantize; int8 safetensors round-trip exactly and are ~4x smaller', () => {
  const model = new rnn.models.SentimentLSTM({ vocabSize: 50, embedDim: 16, hiddenDim: 32, numLayers: 2, seed: 4 }).eval();
  const ids = { shape: [3, 7], data: Int32Array.from({ length: 21 }, (_, i) => (i * 7) % 50) };
  const floatOut = model.forward(ids, { lengths: [7, 3, 5] }).data.slice();
  model.quantize();
  assert.equal(model.quantized, true);
  const q = model.forward(ids, { lengths: [7, 3, 5] }).data.slice();
  assertClose(q, floatOut, { atol: 0.02, what: 'SentimentLSTM int8 logits' });
  const bytes = rnn.safetensors.serialize(model.quantizedStateDict());
  const floatBytes = rnn.safetensors.serialize(model.stateDict());
  assert.ok(bytes.length < 0.35 * floatBytes.length, // biases stay float32: a small model's share of them is large
     `int8 file ${bytes.length} bytes vs float32 ${floatBytes.length}`);
  const file = rnn.safetensors.parse(bytes);
  assert.equal(file['lstm.weight_ih_l0'].dtype, 'I8');
  // every row scale in one 'scales' tensor: embedding 50 rows, fc 1, 8 LSTM weights of 128
  assert.deepEqual([file.scales.dtype, file.scales.shape], ['BF16', [50 + 1 + 8 * 128]]);
  assert.deepEqual(Object.keys(file).filter((k) => k.endsWith('.scale')), []);
  // in name order of the I8 tensors: 'embedding.weight' (rows 0-49), 'fc.weight' (50), then the LSTM's
  const q8 = model.quantizedStateDict(), vals = model.stateDict();
  for (const [name, at, cols] of [['embedding.weight', 0, 16], ['fc.weight', 50, 64], ['lstm.weight_hh_l0', 51, 32]]) {
    assert.ok(vals[name].data.every((v, i) => Math.fround(q8.scales.data[at + Math.floor(i / cols)] * q8[name].data[i]) === v), `${name}'s scales from ${at}`);
  }
  const twin = new rnn.models.SentimentLSTM({ vocabSize: 50, embedDim: 16, hiddenDim: 32, numLayers: 2, seed: 9 }).eval();
  twin.loadStateDict(file);
  assert.equal(twin.quantized, true);
  assert.deepEqual(twin.forward(ids, { lengths: [7, 3, 5] }).data, q, 'loaded int8 model: the same logits');
  assert.deepEqual(twin.stateDict(), model.stateDict(), 'the same values');
  model.dispose();
  twin.dispose();
});

test('training a quantized model throws STATE (backward, optimizer, fit, the trainer worker) and changes nothing; dequantize() trains again', async () => {
  const m = make(rnn, 'LSTM', {}).train();
  const lin = new rnn.Linear({ inFeatures: 12, outFeatures: 1, seed: 2 });
  const opt = new rnn.Adam([...m.parameters(), ...lin.parameters()]);
  m.quantize();
  lin.quantize();
  const sd = m.stateDict();
  const x = randTensor([4, 2, 5], lcg(3), 1);
  const { output } = m.forward(x);
  throwsCode(() => m.backward({ dOutput: output }), 'STATE', /quantized/);
  const y = lin.forward({ shape: [2, 12], data: new Float32Array(24).fill(0.5) });
  throwsCode(() => lin.backward({ dOutput: y }), 'STATE', /quantized/);
  throwsCode(() => opt.step(), 'STATE', /quantized/);
  const batch = [{ x, y: output }];
  await assert.rejects(rnn.fit(m, { train: batch }), (e) => e.code === 'STATE' && /fit: the LSTM is quantized/.test(e.message));
  throwsCode(() => rnn.createTrainer({ model: m, train: batch, loss: 'mse' }), 'STATE', /createTrainer: the LSTM is quantized/);
  assert.deepEqual(m.stateDict(), sd);
  m.dequantize();
  lin.dequantize();
  m.forward(x);
  m.backward({ dOutput: output });
  opt.step();
  m.dispose();
  lin.dispose();
});

test('bad input: non-finite weights, int8 files with a missing or mismatched scale: typed errors, the model unchanged', () => {
  const m = make(rnn, 'GRU', { numLayers: 2 });
  const sd = m.stateDict();
  sd.weight_hh_l1.data[5] = NaN;
  m.loadStateDict(sd);
  throwsCode(() => m.quantize(), 'INVALID_ARGUMENT', /weight_hh_l1.*not finite/);
  assert.equal(m.quantized, false);
  assert.ok(Number.isNaN(m.stateDict().weight_hh_l1.data[5]));
  // a container checks every child before any changes
  const seq = new rnn.Sequential([make(rnn, 'LSTM', { batchFirst: true }), new rnn.Linear({ inFeatures: 12, outFeatures: 2, seed: 1 })]);
  const lsd = seq.stateDict();
  lsd['1.weight'].data[0] = Infinity;
  seq.loadStateDict(lsd);
  const before = seq.stateDict();
  throwsCode(() => seq.quantize(), 'INVALID_ARGUMENT', /not finite/);
  assert.equal(seq.quantized, false);
  assert.deepEqual(seq.stateDict(), before);

  const good = make(rnn, 'LSTM', {}).quantize();
  const file = rnn.safetensors.parse(rnn.safetensors.serialize(good.quantizedStateDict()));
  const target = make(rnn, 'LSTM', { seed: 3 });
  const keep = target.stateDict();
  const broken = (edit, from = file) => { const f = { ...from }; edit(f); return f; };
  const scales = (data) => (f) => { f.scales = { dtype: 'BF16', shape: [data.length], data }; };
  const s = file.scales.data; // 'weight_hh_l0' rows 0-47, 'weight_ih_l0' rows 48-95
  throwsCode(() => target.loadStateDict(broken((f) => delete f.scales)), 'FORMAT', /'weight_ih_l0' has no scales: no 'scales' tensor, no 'weight_ih_l0.scale'/);
  throwsCode(() => target.loadStateDict(broken(scales(s.subarray(1)))), 'SHAPE', /'scales' .*2 int8 tensors.* must have shape \[96\], got \[95\]/);
  throwsCode(() => target.loadStateDict(broken(scales(Float32Array.from(s, (v, i) => (i === 50 ? NaN : v))))), 'FORMAT', /'weight_ih_l0.scale' holds a negative or non-finite/);
  throwsCode(() => target.loadStateDict(broken((f) => { f.weight_ih_l0 = { dtype: 'I8', shape: [48, 4], data: new Int8Array(192) }; })), 'SHAPE');
  throwsCode(() => target.loadStateDict(broken((f) => { f['weight_ih_l0.scale'] = { shape: [48], data: s.slice(48) }; })), 'FORMAT', /given twice: 'scales' and 'weight_ih_l0.scale'/);
  throwsCode(() => target.loadStateDict(broken((f) => { f.bias_ih_l0 = { dtype: 'I8', shape: [48], data: new Int8Array(48) }; })), 'SHAPE');
  // the first layout, one '<name>.scale' per weight (tests/fixtures/int8_scale_per_weight.safetensors)
  const old = rnn.safetensors.parse(readFileSync(new URL('./fixtures/int8_scale_per_weight.safetensors', import.meta.url)));
  const oldTarget = new rnn.Sequential([make(rnn, 'LSTM', { inputSize: 3, hiddenSize: 5, batchFirst: true }), new rnn.Linear({ inFeatures: 5, outFeatures: 2, seed: 1 })]);
  const oldKeep = oldTarget.stateDict();
  throwsCode(() => oldTarget.loadStateDict(broken((f) => delete f['0.weight_hh_l0.scale'], old)), 'FORMAT', /'0\.weight_hh_l0' has no scales: no 'scales' tensor, no '0\.weight_hh_l0.scale'/);
  throwsCode(() => oldTarget.loadStateDict(broken((f) => { f['1.weight.scale'] = { shape: [3], data: new Float32Array(3) }; }, old)), 'SHAPE');
  throwsCode(() => oldTarget.loadStateDict(broken((f) => { f['0.bias_ih_l0.scale'] = f['0.weight_ih_l0.scale']; }, old)), 'SHAPE', /unexpected keys: 0\.bias_ih_l0.scale/);
  assert.deepEqual(oldTarget.stateDict(), oldKeep);
  oldTarget.dispose();
  assert.deepEqual(target.stateDict(), keep);
  assert.equal(target.quantized, false);
  // an int8 file whose last child's finite scale times q overflows float32:
  // refused before the first child is written (found by fuzz_int8_load)
  const qseq = new rnn.Sequential([make(rnn, 'LSTM', { batchFirst: true }), new rnn.Linear({ inFeatures: 12, outFeatures: 2, seed: 1 })]).quantize();
  const qfile = rnn.safetensors.parse(rnn.safetensors.serialize(qseq.quantizedStateDict()));
  qfile.scales.data.fill(3e38, -2); // '1.weight' sorts last: its 2 rows' scales
  const seqTarget = new rnn.Sequential([make(rnn, 'LSTM', { batchFirst: true, seed: 5 }), new rnn.Linear({ inFeatures: 12, outFeatures: 2, seed: 6 })]);
  const seqKeep = seqTarget.stateDict();
  throwsCode(() => seqTarget.loadStateDict(qfile), 'INVALID_ARGUMENT', /cannot quantize 1\.weight: a value is not finite/);
  assert.deepEqual(seqTarget.stateDict(), seqKeep);
  assert.equal(seqTarget.quantized, false);
  for (const x of [m, seq, good, target, qseq, seqTarget]) x.dispose();
});

test('int8 files of the first layout (a \'<name>.scale\' per weight) keep loading: the weights and output they were written with; written again, one \'scales\' tensor and a smaller file', () => {
  const bytes = readFileSync(new URL('./fixtures/int8_scale_per_weight.safetensors', import.meta.url));
  const old = rnn.safetensors.parse(bytes), meta = old.__metadata__;
  const build = (seed) => new rnn.Sequential([make(rnn, 'LSTM', { inputSize: 3, hiddenSize: 5, batchFirst: true, seed }), new rnn.Linear({ inFeatures: 5, outFeatures: 2, seed })]).eval();
  const m = build(7).loadStateDict(old);
  assert.equal(m.quantized, true);
  const x = { shape: [1, 2, 3], data: Float32Array.from(JSON.parse(meta.x)) };
  assert.deepEqual(Array.from(m.forward(x).data), JSON.parse(meta.y), 'the int8 output the file was written with (commit 2d5e465)');
  const sd = m.quantizedStateDict();
  assert.deepEqual(Object.keys(sd).filter((k) => k.endsWith('.scale') || k === 'scales'), ['scales']);
  assert.deepEqual(sd.scales.data, Float32Array.from([...old['0.weight_hh_l0.scale'].data, ...old['0.weight_ih_l0.scale'].data, ...old['1.weight.scale'].data]));
  const again = rnn.safetensors.serialize(sd, meta);
  assert.ok(again.length < bytes.length, `${again.length} bytes, the first layout ${bytes.length}`);
  const twin = build(9).loadStateDict(rnn.safetensors.parse(again));
  assert.deepEqual(twin.stateDict(), m.stateDict());
  assert.deepEqual(Array.from(twin.forward(x).data), JSON.parse(meta.y));
  m.dispose();
  twin.dispose();
});

// tools/load_int8.py: the same file in PyTorch, as float32 weights (scale * q)
// and as a quantize_dynamic model. Debian's /usr/bin/python3 with python3-torch;
// without it this fails (never skips).
test('tools/load_int8.py loads an int8 file into PyTorch: dequantized (the float32 forward of scale * q) and as quantize_dynamic', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rnn-wasm-int8-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const m = new rnn.LSTM({ inputSize: 5, hiddenSize: 16, numLayers: 2, bidirectional: true, seed: 8 }).eval().quantize();
  const x = randTensor([7, 2, 5], lcg(9), 1);
  writeFileSync(join(tmp, 'm.safetensors'), rnn.safetensors.serialize(m.quantizedStateDict()));
  writeFileSync(join(tmp, 'x.json'), JSON.stringify(Array.from(x.data)));
  const int8Out = m.forward(x).output.data;
  m.dequantize();
  const floatOut = m.forward(x).output.data;
  const tools = fileURLToPath(new URL('../tools', import.meta.url));
  const script = `
import json, sys, torch
sys.path.insert(0, ${JSON.stringify(tools)})
from load_int8 import load_int8_into
torch.manual_seed(0)
x = torch.tensor(json.load(open(${JSON.stringify(join(tmp, 'x.json'))}))).reshape(7, 2, 5)
lstm = torch.nn.LSTM(5, 16, num_layers=2, bidirectional=True).eval()
f = load_int8_into(lstm, ${JSON.stringify(join(tmp, 'm.safetensors'))})
q = load_int8_into(torch.nn.LSTM(5, 16, num_layers=2, bidirectional=True).eval(), ${JSON.stringify(join(tmp, 'm.safetensors'))}, quantize_dynamic=True)
with torch.no_grad():
    print(json.dumps({'float': f(x)[0].flatten().tolist(), 'qdyn': q(x)[0].flatten().tolist(), 'kind': type(q).__module__}))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.ok(!r.error, `cannot run /usr/bin/python3 (${r.error?.code}): sudo apt-get install python3-torch`);
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout);
  assertClose(Float32Array.from(got.float), floatOut, { atol: 2e-6, what: 'PyTorch float32 forward of scale * q' });
  assert.match(got.kind, /quantized\.dynamic/);
  assertClose(Float32Array.from(got.qdyn), int8Out, { atol: 0.02, what: 'PyTorch quantize_dynamic vs rnn-wasm int8' });
  // files without scales, or with too few, are refused with a message naming them
  const file = rnn.safetensors.parse(rnn.safetensors.serialize(m.quantize().quantizedStateDict()));
  const refused = (f) => {
    writeFileSync(join(tmp, 'bad.safetensors'), rnn.safetensors.serialize(f));
    const bad = spawnSync('/usr/bin/python3', [join(tools, 'load_int8.py'), join(tmp, 'bad.safetensors')], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    return bad.stderr;
  };
  const { scales, ...noScales } = file;
  assert.match(refused(noScales), /'weight_hh_l0' has no scales: no 'scales' tensor, no 'weight_hh_l0.scale'/);
  assert.match(refused({ ...noScales, scales: { dtype: 'BF16', shape: [10], data: scales.data.subarray(0, 10) } }), /'scales' must hold 512 values \(the rows of 8 int8 tensors\), got shape \[10\]/);
  // the first layout (a '.scale' per weight) in PyTorch: the values it was written with
  const fixture = fileURLToPath(new URL('./fixtures/int8_scale_per_weight.safetensors', import.meta.url));
  const old = spawnSync('/usr/bin/python3', ['-c', `
import json, sys
sys.path.insert(0, ${JSON.stringify(tools)})
from load_int8 import dequantized_state_dict
print(json.dumps({k: v.flatten().tolist() for k, v in dequantized_state_dict(${JSON.stringify(fixture)}).items()}))
`], { encoding: 'utf8' });
  assert.equal(old.status, 0, old.stderr);
  const target = new rnn.Sequential([new rnn.LSTM({ inputSize: 3, hiddenSize: 5, batchFirst: true }), new rnn.Linear({ inFeatures: 5, outFeatures: 2 })]);
  target.loadStateDict(rnn.safetensors.parse(readFileSync(fixture)));
  assert.deepEqual(JSON.parse(old.stdout), Object.fromEntries(Object.entries(target.stateDict()).map(([k, t]) => [k, Array.from(t.data)])));
  target.dispose();
  m.dispose();
});

// The int8 code is fetched on first use (rnn.loadInt8(): js/int8.js and
// rnn-int8*.wasm). One engine per build, a model each, the same weights.
const LOAD_CHILD = `
  import { init } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
  const out = {};
  for (const opts of JSON.parse(process.argv[1])) {
    const api = await init(opts);
    await api.loadInt8();
    const m = new api.GRU({ inputSize: 5, hiddenSize: 12, numLayers: 2, seed: 3 }).eval().quantize();
    const x = { shape: [4, 2, 5], data: Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)) };
    out[api.build + '/' + api.threads] = Array.from(m.forward(x).output.data);
  }
  console.log(JSON.stringify(out));
`;

test('rnn.loadInt8(): before it quantize() and int8 state dicts throw STATE and change nothing; after it every build runs int8: SIMD128, scalar and threads with the same numbers, relaxed (under its flag) close to them', { timeout: 120_000 }, async () => {
  const fresh = await init({ wasmBinary: readFileSync(new URL('../dist/rnn.wasm', import.meta.url)) });
  const m = make(fresh, 'LSTM', {});
  const before = m.stateDict();
  throwsCode(() => m.quantize(), 'STATE', /int8 code is not loaded.*loadInt8/);
  assert.equal(m.quantized, false);
  const int8File = rnn.safetensors.parse(rnn.safetensors.serialize(make(rnn, 'LSTM', {}).quantize().quantizedStateDict()));
  throwsCode(() => m.loadStateDict(int8File), 'STATE', /int8 weights need the int8 code.*loadInt8/);
  assert.deepEqual(m.stateDict(), before);
  const [a, b] = await Promise.all([fresh.loadInt8(), fresh.loadInt8()]);
  assert.equal(a, b);
  m.loadStateDict(int8File);
  assert.equal(m.quantized, true);
  m.dispose();
  // every build, in child processes (the relaxed one needs Node's flag)
  const builds = [{ build: 'simd' }, { build: 'scalar' }, { threads: 2 }];
  const run = (flags, list) => {
    const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', LOAD_CHILD, JSON.stringify(list)], { encoding: 'utf8', timeout: 100_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };
  const outs = { ...run([], builds), ...run(['--experimental-wasm-relaxed-simd'], [{ build: 'relaxed' }]) };
  assert.deepEqual(Object.keys(outs).sort(), ['relaxed/1', 'scalar/1', 'simd/1', 'simd/2']);
  // int8 products are integers and the gate math is the same code: bitwise
  // equal; the relaxed build's module quantizes activations to 7 bits
  // (relaxed SIMD's int8 dot): close, not equal (docs/api.md)
  for (const [k, v] of Object.entries(outs)) if (k !== 'relaxed/1') assert.deepEqual(v, outs['simd/1'], `${k} against simd/1`);
  assertClose(Float32Array.from(outs['relaxed/1']), Float32Array.from(outs['simd/1']), { atol: 0.02, what: 'relaxed against simd/1' });
  assert.notDeepEqual(outs['relaxed/1'], outs['simd/1'], 'the relaxed build runs its own int8 module');
});

test('the relaxed build\'s int8 (rnn-int8-relaxed.wasm, under --experimental-wasm-relaxed-simd): bitwise its scalar c4 reference, within 0.03 of the SIMD128 build, streams equal forward, the W4 error within PyTorch\'s', { timeout: 120_000 }, (t) => {
  const child = fileURLToPath(new URL('./helpers/int8-relaxed-child.mjs', import.meta.url));
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', child], { encoding: 'utf8', timeout: 100_000 });
  assert.equal(r.status, 0, `int8-relaxed-child.mjs failed:\n${r.stderr}`);
  const m = JSON.parse(r.stdout.trim().split('\n').at(-1));
  t.diagnostic(`${m.cases} cases: largest |relaxed - simd| ${m.worst.toExponential(2)} (${m.differing} of ${m.total} values differ), against float32 ${m.worstVsFloat.toExponential(2)}; W4 error ${m.w4Error.toExponential(3)} (PyTorch ${m.torchW4Error.toExponential(3)})`);
});

// Issue 21's size target: the shipped models' int8 files <= 0.27x their
// float32 files, whole files, both written the same way with the shipped
// metadata. int8 weights are 0.25x; the 0.02 left holds the row scales (one
// BF16 per row: 1/16 of a 32-wide row's bytes), the BF16 biases and the
// header, with the scales in one tensor (one header entry, not one per
// weight). The sentiment model's metadata holds its vocabulary (1,960
// words, 13.6 KB in the compact form), text that is the same bytes in both
// files: its whole file is 0.293x (its tensors 0.2695x), and no lossless
// layout of the tensors gets it to 0.27x (bench/RESULTS-2026-12-05-int8-size.txt).
// Measured: whole files 0.2581x (digits), 0.2687x (dates), 0.2929x (sentiment).
test('the shipped models (web/models) as int8 files: whole files <= 0.27x float32 (issue 21), the sentiment model\'s tensors <= 0.27x (its vocabulary is in both files)', (t) => {
  const read = (name) => rnn.safetensors.parse(readFileSync(new URL(`../web/models/${name}`, import.meta.url)));
  const metaOf = (name) => {
    const b = readFileSync(new URL(`../web/models/${name}`, import.meta.url));
    return JSON.parse(b.subarray(8, 8 + Number(b.readBigUInt64LE(0))).toString()).__metadata__;
  };
  const builders = { // [build, bound on the whole file]
    'sentiment-lstm.safetensors': [(meta) => new rnn.models.SentimentLSTM(JSON.parse(meta.config)), 0.294],
    'dates-seq2seq.safetensors': [(meta) => new rnn.models.Seq2Seq(JSON.parse(meta.config)), 0.27],
    'digits-lstm.safetensors': [(meta) => rnn.buildModel(JSON.parse(meta.model)), 0.27],
  };
  const bad = [];
  for (const [name, [build, bound]] of Object.entries(builders)) {
    const meta = metaOf(name), model = build(meta).eval();
    const tensors = read(name);
    for (const v of Object.values(tensors)) delete v.dtype; // the shipped F16 digits model: float32 values here
    model.loadStateDict(tensors);
    const float = rnn.safetensors.serialize(model.stateDict(), meta).length;
    const floatBare = rnn.safetensors.serialize(model.stateDict()).length;
    model.quantize();
    const int8 = rnn.safetensors.serialize(model.quantizedStateDict(), meta).length;
    const int8Bare = rnn.safetensors.serialize(model.quantizedStateDict()).length;
    t.diagnostic(`${name}: float32 ${float} B, int8 ${int8} B (${(int8 / float).toFixed(4)}x); without metadata ${floatBare} / ${int8Bare} B (${(int8Bare / floatBare).toFixed(4)}x)`);
    if (int8 > bound * float) bad.push(`${name}: int8 file ${int8} B is ${(int8 / float).toFixed(4)}x float32's ${float} B`);
    if (int8Bare > 0.27 * floatBare) bad.push(`${name}: int8 tensors ${int8Bare} B are ${(int8Bare / floatBare).toFixed(4)}x float32's ${floatBare} B`);
    model.dispose();
  }
  assert.deepEqual(bad, []);
});

// The first step of a stream on a freshly quantized W5-sized layer repacks
// the int8 weights, which grows wasm memory in a fresh engine: the step's
// returned view must be re-mapped, not the old buffer's detached (empty) one.
test('stream.step() right after quantize() on a fresh engine returns the step\'s output, not a detached view', () => {
  const child = `
    const { init } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
    const rnn = await init();
    await rnn.loadInt8();
    const m = new rnn.LSTM({ inputSize: 32, hiddenSize: 256, seed: 3 }).eval().quantize();
    const x = new Float32Array(32).map((_, i) => Math.sin(i));
    const y = Array.from(m.stream().step(x));
    const f = Array.from(m.forward({ data: x, shape: [1, 1, 32] }).output.data);
    console.log(JSON.stringify({ y, f }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const { y, f } = JSON.parse(r.stdout.trim().split('\n').pop());
  assert.equal(y.length, 256, 'the step returned an empty (detached) view');
  assert.deepEqual(y, f);
});
