// safetensors: round trips, decoding of every dtype against hand-made bytes,
// malformed files (every check of parse), byte-exact agreement with the
// PyTorch-side writer (tools/export_safetensors.py), and real PyTorch interop
// both ways (tests/interop/torch_roundtrip.py) for LSTM / GRU / RNN.
//
// The PyTorch tests run Debian's /usr/bin/python3 with python3-torch; without
// it they fail (never skip): sudo apt-get install python3-torch.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, ErrorCode, parseSafetensors, serializeSafetensors } from '../dist/index.js';
import { assertClose, lcg, randTensor, throwsCode } from './helpers/util.mjs';
import { python } from './helpers/python.mjs';

const rnn = await init();
const { parse, serialize } = rnn.safetensors;

const HELPER = fileURLToPath(new URL('./interop/torch_roundtrip.py', import.meta.url));

const tmp = mkdtempSync(join(tmpdir(), 'rnn-wasm-safetensors-'));
after(() => rmSync(tmp, { recursive: true, force: true }));



const enc = new TextEncoder();

/** A file from a header (object or raw string / bytes) and data bytes; n overrides the length field. */
function craft(header, data = new Uint8Array(0), { n, pad = true } = {}) {
  let h = typeof header === 'string' ? enc.encode(header)
    : header instanceof Uint8Array ? header : enc.encode(JSON.stringify(header));
  if (pad && h.length % 8) h = Uint8Array.from([...h, ...new Array(8 - (h.length % 8)).fill(0x20)]);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(n ?? h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** Little-endian bytes of values written with a DataView setter. */
function le(setter, size, values) {
  const b = new Uint8Array(size * values.length);
  const dv = new DataView(b.buffer);
  values.forEach((v, i) => dv[setter](i * size, v, true));
  return b;
}

const sameBits = (a, b) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

// ---------------------------------------------------------------------------

test('API: rnn.safetensors and the top-level exports are the same functions; FORMAT is an error code', () => {
  assert.equal(parse, parseSafetensors);
  assert.equal(serialize, serializeSafetensors);
  assert.equal(ErrorCode.FORMAT, 'FORMAT');
  assert.ok(Object.isFrozen(rnn.safetensors));
});

test('known bytes: the reference implementation\'s serialization vectors', () => {
  const a = serialize({ 'attn.0': { shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
  const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
  assert.equal(header.length, 64);
  assert.deepEqual(a, Uint8Array.from([64, 0, 0, 0, 0, 0, 0, 0, ...enc.encode(header),
    ...new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer)]));
  // Header padded with spaces to a multiple of 8 (so the data is 8-byte aligned).
  const b = serialize({ attn0: { shape: [1, 1, 2, 3], data: new Float32Array(6) } });
  assert.equal(new DataView(b.buffer).getUint32(0, true), 72);
  assert.equal(new TextDecoder().decode(b.subarray(8, 80)),
    '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
  assert.deepEqual(serialize({}), Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]));
  assert.deepEqual(serialize({}, { framework: 'pt' }), Uint8Array.from([40, 0, 0, 0, 0, 0, 0, 0,
    ...enc.encode('{"__metadata__":{"framework":"pt"}}'), 32, 32, 32, 32, 32]));
});

test('round trip: F32 tensors incl. scalars and empty tensors, metadata', () => {
  const rnd = lcg(7);
  const tensors = {
    weight_ih_l0: randTensor([8, 3], rnd),
    bias: randTensor([8], rnd),
    scalar: { shape: [], data: new Float32Array([3.5]) },
    empty: { shape: [0], data: new Float32Array(0) },
    empty_2x0x3: { shape: [2, 0, 3], data: new Float32Array(0) },
    'odd name "with" quotes\\ and ünïcode 😀': randTensor([2, 2], rnd),
    special: { shape: [5], data: new Float32Array([Infinity, -Infinity, NaN, -0, 1e-45]) },
  };
  const metadata = { format: 'pt', note: 'line\nbreak "quoted" ключ 😀', empty: '' };
  const bytes = serialize(tensors, metadata);
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(new DataView(bytes.buffer).getUint32(0, true) % 8, 0);
  for (const input of [bytes, bytes.buffer.slice(0)]) {
    const back = parse(input);
    assert.deepEqual(Object.keys(back).sort(), Object.keys(tensors).sort());
    for (const [k, t] of Object.entries(tensors)) {
      assert.equal(back[k].dtype, 'F32');
      assert.deepEqual(back[k].shape, t.shape);
      assert.ok(back[k].data instanceof Float32Array);
      assert.equal(back[k].data.length, t.data.length);
      t.data.forEach((v, i) => assert.ok(sameBits(back[k].data[i], v), `${k}[${i}]`));
    }
    assert.deepEqual(back.__metadata__, metadata);
    assert.equal(Object.getOwnPropertyDescriptor(back, '__metadata__').enumerable, false);
  }
  assert.equal(parse(serialize(tensors)).__metadata__, null);
  assert.deepEqual(parse(serialize({}, {})).__metadata__, {});
  // serialize(parse(bytes), metadata) gives the same file back; Maps work too.
  const back = parse(bytes);
  assert.deepEqual(serialize(back, back.__metadata__), bytes);
  assert.deepEqual(serialize(new Map(Object.entries(tensors)), metadata), bytes);
});

test('parse copies: aligned data that does not alias the input, from any offset', () => {
  const bytes = serialize({ w: { shape: [3], data: new Float32Array([1, 2, 3]) } });
  // Into a buffer at an odd offset, and with a 9-byte header (unaligned data).
  const shifted = new Uint8Array(bytes.length + 1);
  shifted.set(bytes, 1);
  const a = parse(shifted.subarray(1));
  assert.deepEqual([...a.w.data], [1, 2, 3]);
  shifted.fill(0);
  assert.deepEqual([...a.w.data], [1, 2, 3]);
  const odd = craft('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} ', le('setFloat32', 4, [1.5, -2]), { pad: false });
  assert.equal(new DataView(odd.buffer).getUint32(0, true) % 4, 3);
  const b = parse(odd);
  assert.equal(b.w.data.byteOffset % 4, 0);
  assert.deepEqual([...b.w.data], [1.5, -2]);
});

test('a "__proto__" tensor name is an own key, not the prototype', () => {
  const bytes = craft('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', le('setFloat32', 4, [7]));
  const r = parse(bytes);
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
  assert.ok(Object.hasOwn(r, '__proto__'));
  assert.deepEqual(Object.keys(r), ['__proto__']);
  assert.deepEqual(serialize(r), bytes);
});

test('decoding F16, BF16, F64, F8 to Float32Array against known values', () => {
  const f16bits = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0x3555, 0x0000];
  const f16vals = [1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, Infinity, -Infinity, NaN, -0, 0.333251953125, 0];
  const bf16bits = [0x3f80, 0xc040, 0x7f80, 0xff80, 0x0001, 0x4049, 0x7fc0, 0xff7f, 0x8000];
  const bf16vals = [1, -3, Infinity, -Infinity, 2 ** -133, 3.140625, NaN, -(2 - 2 ** -7) * 2 ** 127, -0];
  const f64vals = [0.1, 1e300, -1e-50, 1.5, -(2 ** 60), NaN];
  const e4m3 = [0x38, 0x7e, 0x7f, 0x01, 0xb8, 0x08, 0xff];
  const e4m3vals = [1, 448, NaN, 2 ** -9, -1, 2 ** -6, NaN];
  const e5m2 = [0x3c, 0x7b, 0x7c, 0xfc, 0x7f, 0x01, 0x04];
  const e5m2vals = [1, 57344, Infinity, -Infinity, NaN, 2 ** -16, 2 ** -14];
  const parts = [
    ['h', 'F16', le('setUint16', 2, f16bits), f16vals],
    ['b', 'BF16', le('setUint16', 2, bf16bits), bf16vals],
    ['d', 'F64', le('setFloat64', 8, f64vals), f64vals.map(Math.fround)],
    ['e4', 'F8_E4M3', Uint8Array.from(e4m3), e4m3vals],
    ['e5', 'F8_E5M2', Uint8Array.from(e5m2), e5m2vals],
  ];
  const header = {};
  let off = 0;
  for (const [name, dtype, bytes, vals] of parts) {
    header[name] = { dtype, shape: [vals.length], data_offsets: [off, off + bytes.length] };
    off += bytes.length;
  }
  const data = new Uint8Array(off);
  off = 0;
  for (const [, , bytes] of parts) { data.set(bytes, off); off += bytes.length; }
  const r = parse(craft(header, data));
  for (const [name, dtype, , vals] of parts) {
    assert.equal(r[name].dtype, dtype);
    assert.ok(r[name].data instanceof Float32Array, name);
    vals.forEach((v, i) => assert.ok(sameBits(r[name].data[i], v), `${name}[${i}]: got ${r[name].data[i]}, want ${v}`));
  }
  assert.ok(Object.is(r.d.data[1], Infinity) && Object.is(r.d.data[2], -0)); // float32 overflow / underflow
});

test('decoding integer and bool dtypes to typed arrays', () => {
  const cases = [
    ['i32', 'I32', le('setInt32', 4, [-1, 2 ** 31 - 1, -(2 ** 31), 123456789]), Int32Array, [-1, 2 ** 31 - 1, -(2 ** 31), 123456789]],
    ['u32', 'U32', le('setUint32', 4, [0, 2 ** 32 - 1]), Uint32Array, [0, 2 ** 32 - 1]],
    ['i16', 'I16', le('setInt16', 2, [-32768, 32767, -2]), Int16Array, [-32768, 32767, -2]],
    ['u16', 'U16', le('setUint16', 2, [65535, 1]), Uint16Array, [65535, 1]],
    ['i8', 'I8', Uint8Array.from([0x80, 0x7f, 0xff]), Int8Array, [-128, 127, -1]],
    ['u8', 'U8', Uint8Array.from([0, 255]), Uint8Array, [0, 255]],
    ['bool', 'BOOL', Uint8Array.from([1, 0, 1]), Uint8Array, [1, 0, 1]],
    ['i64', 'I64', le('setBigInt64', 8, [-1n, 2n ** 63n - 1n, -(2n ** 63n), 5n]), BigInt64Array, [-1n, 2n ** 63n - 1n, -(2n ** 63n), 5n]],
    ['u64', 'U64', le('setBigUint64', 8, [2n ** 64n - 1n, 3n]), BigUint64Array, [2n ** 64n - 1n, 3n]],
  ];
  const header = {};
  let off = 0;
  for (const [name, dtype, bytes, , vals] of cases) {
    header[name] = { dtype, shape: [vals.length], data_offsets: [off, off + bytes.length] };
    off += bytes.length;
  }
  const data = new Uint8Array(off);
  off = 0;
  for (const [, , bytes] of cases) { data.set(bytes, off); off += bytes.length; }
  const file = craft(header, data);
  const r = parse(file);
  for (const [name, dtype, , Type, vals] of cases) {
    assert.equal(r[name].dtype, dtype);
    assert.ok(r[name].data instanceof Type, `${name}: ${r[name].data.constructor.name}`);
    assert.deepEqual([...r[name].data], vals, name);
  }
  // Written back with the dtype tags: the same tensors (in the reference's order).
  const again = parse(serialize(r));
  for (const [name] of cases) assert.deepEqual(again[name], r[name]);
});

test('encoding F16 / BF16 / F8: every code round trips, ties go to even, overflow as PyTorch', () => {
  for (const [dtype, codes, bits] of [['F16', 1 << 16, 2], ['BF16', 1 << 16, 2], ['F8_E4M3', 256, 1], ['F8_E5M2', 256, 1]]) {
    const raw = bits === 2 ? le('setUint16', 2, Array.from({ length: codes }, (_, i) => i)) : Uint8Array.from({ length: codes }, (_, i) => i);
    const file = craft({ t: { dtype, shape: [codes], data_offsets: [0, raw.length] } }, raw);
    const t = parse(file).t;
    const back = serialize({ t });
    const got = parse(back).t.data;
    for (let i = 0; i < codes; i++) {
      assert.ok(sameBits(got[i], t.data[i]), `${dtype} code ${i}: ${t.data[i]} -> ${got[i]}`);
    }
    // Non-NaN codes come back bit for bit.
    const rawBack = back.subarray(back.length - raw.length);
    for (let i = 0; i < codes; i++) {
      if (!Number.isNaN(t.data[i])) assert.equal(rawBack[i * bits] | (bits === 2 ? rawBack[i * bits + 1] << 8 : 0), i, `${dtype} code ${i}`);
    }
  }
  const halfBits = (vals, dtype = 'F16') => {
    const b = serialize({ t: { dtype, shape: [vals.length], data: Float32Array.from(vals) } });
    const dv = new DataView(b.buffer, b.length - 2 * vals.length);
    return vals.map((_, i) => dv.getUint16(2 * i, true));
  };
  assert.deepEqual(halfBits([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65519, 65520, -1e6, 2 ** -25, 3 * 2 ** -26, -0, NaN]),
    [0x3c00, 0x3c02, 0x7bff, 0x7c00, 0xfc00, 0x0000, 0x0001, 0x8000, 0x7e00]);
  assert.deepEqual(halfBits([1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4028234663852886e38, NaN, -0], 'BF16'),
    [0x3f80, 0x3f82, 0x7f80, 0x7fc0, 0x8000]);
  const f8 = (vals, dtype) => [...serialize({ t: { dtype, shape: [vals.length], data: Float32Array.from(vals) } }).slice(-vals.length)];
  assert.deepEqual(f8([448, 464, 465, 480, 1e9, -1e9, NaN, 2 ** -10, 3 * 2 ** -10], 'F8_E4M3'),
    [0x7e, 0x7e, 0x7f, 0x7f, 0x7f, 0xff, 0x7f, 0x00, 0x02]);
  assert.deepEqual(f8([57344, 61439, 61440, -1e9, NaN, 2 ** -17], 'F8_E5M2'),
    [0x7b, 0x7b, 0x7c, 0xfc, 0x7f, 0x00]);
});

test('serialize: dtype inference, conversions and argument checks', () => {
  const r = parse(serialize({
    a: { shape: [2], data: new Float64Array([0.1, 2]) },
    b: { shape: [2], data: new Int32Array([1, -1]) },
    c: { shape: [2], data: new BigInt64Array([1n, -1n]) },
    d: { shape: [2], data: new Float64Array([0.1, 2]), dtype: 'F32' },
    e: { shape: [2], data: new Int32Array([3, -4]), dtype: 'I64' },
    f: { shape: [3], data: new Uint8Array([1, 0, 1]), dtype: 'BOOL' },
    g: { shape: [2], data: new Float32Array([1.5, 2]), dtype: 'F64' },
  }));
  assert.deepEqual(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.dtype])),
    { a: 'F64', b: 'I32', c: 'I64', d: 'F32', e: 'I64', f: 'BOOL', g: 'F64' });
  assert.deepEqual([...r.d.data], [Math.fround(0.1), 2]);
  assert.deepEqual([...r.e.data], [3n, -4n]);

  const t = (data, shape = [data.length]) => ({ shape, data });
  throwsCode(() => serialize(null), 'INVALID_ARGUMENT', /needs an object/);
  throwsCode(() => serialize([t(new Float32Array(1))]), 'INVALID_ARGUMENT', /needs an object/);
  throwsCode(() => serialize({ a: 5 }), 'INVALID_ARGUMENT', /tensor 'a' must be \{ shape, data \}/);
  throwsCode(() => serialize({ a: t([1, 2]) }), 'DTYPE', /tensor 'a': data must be a typed array.*Array/);
  throwsCode(() => serialize({ a: t(new Float32Array(2), [3]) }), 'SHAPE', /2 values but shape \[3\] needs 3/);
  throwsCode(() => serialize({ a: t(new Float32Array(2), [-2]) }), 'SHAPE', /non-negative integers/);
  throwsCode(() => serialize({ a: t(new Float32Array(2), [2.5]) }), 'SHAPE', /non-negative integers/);
  throwsCode(() => serialize({ a: { ...t(new Float32Array(2)), dtype: 'F31' } }), 'INVALID_ARGUMENT', /dtype "F31" is not one of/);
  throwsCode(() => serialize({ a: { ...t(new Float32Array(2)), dtype: 'F4' } }), 'UNSUPPORTED', /F4/);
  throwsCode(() => serialize({ a: { ...t(new BigInt64Array(2)), dtype: 'F32' } }), 'DTYPE', /numbers/);
  throwsCode(() => serialize({ a: { ...t(new Int32Array([300])), dtype: 'I8' } }), 'INVALID_ARGUMENT', /I8 needs integers in \[-128, 127\], got 300/);
  throwsCode(() => serialize({ a: { ...t(new Float32Array([1.5])), dtype: 'I32' } }), 'INVALID_ARGUMENT', /got 1\.5/);
  throwsCode(() => serialize({ a: { ...t(new Uint8Array([2])), dtype: 'BOOL' } }), 'INVALID_ARGUMENT', /BOOL needs integers in \[0, 1\]/);
  throwsCode(() => serialize({ a: t(new Uint8ClampedArray(2)) }), 'DTYPE', /cannot tell the dtype of a Uint8ClampedArray/);
  throwsCode(() => serialize({ __metadata__: t(new Float32Array(1)) }), 'INVALID_ARGUMENT', /reserved/);
  throwsCode(() => serialize({ ['a\uD800']: t(new Float32Array(1)) }), 'INVALID_ARGUMENT', /lone surrogate/);
  throwsCode(() => serialize({}, { a: 1 }), 'INVALID_ARGUMENT', /metadata values must be strings/);
  throwsCode(() => serialize({}, 'pt'), 'INVALID_ARGUMENT', /metadata must be an object/);
});

test('loadStateDict(parse(bytes)) just works, also from F16 / BF16 / F64 files', () => {
  const a = new rnn.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 1 });
  const b = new rnn.GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, seed: 2 });
  try {
    const sd = a.stateDict();
    b.loadStateDict(parse(serialize(sd, { framework: 'rnn-wasm' })));
    assert.deepEqual(b.stateDict(), sd);
    for (const dtype of ['F16', 'BF16', 'F64']) {
      const tagged = Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, { ...v, dtype }]));
      const file = parse(serialize(tagged));
      b.loadStateDict(file);
      const got = b.stateDict();
      for (const k of Object.keys(sd)) {
        assert.equal(file[k].dtype, dtype);
        assertClose(got[k], sd[k], { atol: dtype === 'F64' ? 0 : dtype === 'F16' ? 1e-3 : 4e-3, what: `${dtype} ${k}` });
      }
    }
    // Integer tensors are not weights: the usual DTYPE error.
    const bad = parse(serialize({ ...sd, weight_ih_l0: { shape: sd.weight_ih_l0.shape, data: new Int32Array(sd.weight_ih_l0.data.length) } }));
    throwsCode(() => b.loadStateDict(bad), 'DTYPE', /weight_ih_l0.*Float32Array, got Int32Array/);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('malformed files throw FORMAT errors naming the problem', () => {
  const f32 = (shape, offs, extra = {}) => ({ dtype: 'F32', shape, data_offsets: offs, ...extra });
  const d8 = new Uint8Array(8), d12 = new Uint8Array(12);
  const cases = [
    [new Uint8Array(0), /0 bytes, too short/],
    [new Uint8Array(7), /7 bytes, too short/],
    [craft('{}', d8, { n: 100_000_001 }), /header length 100000001 is above the limit/],
    [craft('{}', d8, { n: 2n ** 64n - 1n }), /header length 18446744073709551615 is above the limit/],
    [craft('{}', d8, { n: 1000 }), /header length 1000 runs past the end of the file/],
    [craft('{}', new Uint8Array(0), { n: 0 }), /starting with '\{'/],
    [craft('[1]'), /starting with '\{'/],
    [craft('  {}'), /starting with '\{'/],
    [craft(Uint8Array.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])), /not valid UTF-8/],
    [craft('{"a":'), /not valid JSON/],
    [craft('{"a":1} x'), /not valid JSON/],
    [craft({ a: 5 }), /tensor 'a': header entry must be an object, got 5/],
    [craft({ a: [1, 2] }), /tensor 'a': header entry must be an object/],
    [craft({ a: null }), /tensor 'a': header entry must be an object, got null/],
    [craft({ a: { dtype: 'F31', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /unknown dtype "F31"/],
    [craft({ a: { dtype: 5, shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /dtype must be a string, got 5/],
    [craft({ a: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /dtype must be a string/],
    [craft({ a: f32([-1], [0, 4]) }, new Uint8Array(4)), /shape must hold non-negative integers, got \[-1\]/],
    [craft({ a: f32([1.5], [0, 4]) }, new Uint8Array(4)), /shape must hold non-negative integers/],
    [craft({ a: f32(['1'], [0, 4]) }, new Uint8Array(4)), /shape must hold non-negative integers/],
    [craft({ a: f32(1, [0, 4]) }, new Uint8Array(4)), /shape must be an array, got 1/],
    [craft({ a: f32(null, [0, 4]) }, new Uint8Array(4)), /shape must be an array/],
    [craft({ a: f32([2 ** 60], [0, 4]) }, new Uint8Array(4)), /dimension 1152921504606846976 in shape is too large/],
    [craft('{"a":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}}', new Uint8Array(4)), /shape must hold non-negative integers/],
    [craft({ a: f32([1], [0]) }, new Uint8Array(4)), /data_offsets must be \[begin, end\]/],
    [craft({ a: f32([1], [0, 4, 8]) }, new Uint8Array(4)), /data_offsets must be \[begin, end\]/],
    [craft({ a: f32([1], [-4, 0]) }, new Uint8Array(4)), /data_offsets must be \[begin, end\]/],
    [craft({ a: f32([1], [0.5, 4.5]) }, new Uint8Array(4)), /data_offsets must be \[begin, end\]/],
    [craft({ a: f32([1], '0,4') }, new Uint8Array(4)), /data_offsets must be \[begin, end\]/],
    [craft({ a: f32([1]) }, new Uint8Array(4)), /data_offsets must be \[begin, end\]/],
    [craft({ a: f32([1], [0, 2 ** 60]) }, new Uint8Array(4)), /data_offsets must be \[begin, end\]/],
    [craft({ a: f32([0], [8, 4]) }, d8), /data_offsets \[8, 4\] end before they begin/],
    [craft({ a: f32([100], [0, 400]) }, d8), /data_offsets \[0, 400\] are out of the data section \(8 bytes\)/],
    [craft({ a: f32([3], [0, 8]) }, d8), /F32 shape \[3\] needs 12 bytes but data_offsets \[0, 8\] hold 8/],
    [craft({ a: f32([2 ** 26, 2 ** 26, 2 ** 26], [0, 8]) }, d8), /needs 1208925819614629174706176 bytes/],
    [craft({ a: f32([2], [0, 8]), b: f32([2], [4, 12]) }, d12), /tensors 'a' \[0, 8\] and 'b' \[4, 12\] overlap/],
    [craft({ a: f32([2], [0, 8]), b: f32([2], [0, 8]) }, d8), /overlap/],
    [craft({ a: f32([1], [0, 4]), b: f32([1], [8, 12]) }, d12), /bytes \[4, 8\) of the data section belong to no tensor/],
    [craft({ a: f32([1], [4, 8]) }, d8), /bytes \[0, 4\) of the data section belong to no tensor/],
    [craft({ a: f32([1], [0, 4]) }, d8), /data section is 8 bytes but the tensors cover 4 \(4 bytes left over\)/],
    [craft({}, d8), /4 bytes left over|8 bytes left over/],
    [craft({ __metadata__: 5 }), /__metadata__ must be an object of strings, got 5/],
    [craft({ __metadata__: ['a'] }), /__metadata__ must be an object of strings/],
    [craft({ __metadata__: { k: 1 } }), /__metadata__ values must be strings, got 1 for 'k'/],
  ];
  for (const [bytes, pattern] of cases) throwsCode(() => parse(bytes), 'FORMAT', pattern);
  throwsCode(() => parse(craft({ a: { dtype: 'F4', shape: [2], data_offsets: [0, 1] } }, new Uint8Array(1))), 'UNSUPPORTED', /dtype F4 is not supported/);
  throwsCode(() => parse('not bytes'), 'INVALID_ARGUMENT', /needs the file's bytes/);
  throwsCode(() => parse(null), 'INVALID_ARGUMENT', /got null/);
  throwsCode(() => parse([1, 2, 3]), 'INVALID_ARGUMENT', /got Array/);
  // Accepted edge cases: no metadata (null), tensors of zero bytes anywhere.
  assert.equal(parse(craft({ __metadata__: null })).__metadata__, null);
  const z = parse(craft({ a: f32([0], [0, 0]), b: f32([2], [0, 8]), c: f32([3, 0], [8, 8]) }, d8));
  assert.deepEqual(Object.keys(z), ['a', 'b', 'c']);
});

test('huge claims in small files throw before anything is allocated', () => {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  const data = new Uint8Array(100 - 8 - 64);
  const claims = [
    { a: { dtype: 'F64', shape: [2 ** 50], data_offsets: [0, 2 ** 53 - 1] } },
    { a: { dtype: 'F64', shape: [2 ** 50], data_offsets: [0, 28] } },
    { a: { dtype: 'F32', shape: [2 ** 25, 2 ** 25], data_offsets: [0, 2 ** 52] } },
    { a: { dtype: 'U8', shape: [2 ** 31, 2 ** 31, 0], data_offsets: [0, 28] } },
  ];
  for (const header of claims) {
    const bytes = craft(header, data);
    assert.ok(bytes.length <= 136, `${bytes.length} bytes`);
    throwsCode(() => parse(bytes), 'FORMAT', /out of the data section|needs \d+ bytes/);
  }
  // A header length of 2^63 or just under the limit, in a 16-byte file.
  throwsCode(() => parse(craft('{}', new Uint8Array(0), { n: 2 ** 63 })), 'FORMAT', /above the limit/);
  throwsCode(() => parse(craft('{}', new Uint8Array(0), { n: 99_999_999 })), 'FORMAT', /runs past the end/);
  const ms = performance.now() - t0;
  assert.ok(ms < 500, `took ${ms} ms`);
  assert.ok(process.memoryUsage().arrayBuffers - before < 16 << 20, 'no large buffers were allocated');
});

// ---------------------------------------------------------------------------
// PyTorch

test('PyTorch is installed (/usr/bin/python3 with torch)', () => {
  const out = python(['-c', 'import torch; print(torch.__version__)'], 'import torch');
  assert.match(out, /\d+\.\d+/);
});

// Tensors of every dtype PyTorch 1.13 has, names whose order differs between
// UTF-16 and code points, escapes, scalars, empty tensors, rounding cases.
function mixedTensors() {
  const rnd = lcg(3);
  const wide = Array.from({ length: 300 }, (_, i) => Math.fround(rnd() * 2 ** (((i * 7) % 60) - 35)));
  const halfEdges = [0, 1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 65519, 65520, 1e6, -1e6, 2 ** -24, 2 ** -25,
    3 * 2 ** -26, 2 ** -26, 6.1e-5, 0.1, 1 / 3, -2.5e-6].map(Math.fround);
  const bfEdges = [1, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 3.4028234663852886e38, -3.4e38, 1e-40, 1e-45, 0.1, 1 / 3].map(Math.fround);
  return {
    weight: randTensor([2, 3], rnd),
    scalar: { shape: [], data: new Float32Array([3.5]) },
    empty: { shape: [0], data: new Float32Array(0) },
    'empty 2x0x3': { shape: [2, 0, 3], data: new Float32Array(0) },
    B: randTensor([1], rnd),
    a: randTensor([1], rnd),
    'é/ü.bias': randTensor([2], rnd),
    'quote"back\\slash\nnewline\u0001ctl\u007f': randTensor([1], rnd),
    '\uff01 fullwidth': randTensor([1], rnd),
    '\u{1F600} emoji': randTensor([1], rnd),
    f64: { shape: [4], data: new Float64Array([0.1, -1e300, 2 ** -1074, 1 / 3]) },
    f16: { dtype: 'F16', shape: [halfEdges.length + wide.length], data: Float32Array.from([...halfEdges, ...wide]) },
    bf16: { dtype: 'BF16', shape: [bfEdges.length + wide.length], data: Float32Array.from([...bfEdges, ...wide]) },
    i64: { shape: [3], data: new BigInt64Array([1n, -(2n ** 40n) + 1n, 2n ** 62n + 7n]) },
    i32: { shape: [3], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1, 5]) },
    i16: { shape: [2, 1], data: new Int16Array([-3, 300]) },
    i8: { shape: [2], data: new Int8Array([-128, 127]) },
    u8: { shape: [2], data: new Uint8Array([0, 255]) },
    bool: { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) },
  };
}
const mixedMetadata = { format: 'pt', 'ключ': 'значение 😀', z: '1', a: 'x"y\\z', '\uff01': '', '\u{1F600}': 'emoji key' };

test('serialize is byte for byte tools/export_safetensors.py (safetensors.torch.save_file\'s format)', () => {
  const tensors = mixedTensors();
  const spec = {
    metadata: mixedMetadata,
    tensors: Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, {
      dtype: t.dtype ?? { Float32Array: 'F32', Float64Array: 'F64', BigInt64Array: 'I64', Int32Array: 'I32', Int16Array: 'I16', Int8Array: 'I8', Uint8Array: 'U8' }[t.data.constructor.name],
      shape: t.shape,
      data: Array.from(t.data, (v) => (typeof v === 'bigint' ? String(v) : v)),
    }])),
  };
  const specPath = join(tmp, 'spec.json'), pyPath = join(tmp, 'py.safetensors');
  writeFileSync(specPath, JSON.stringify(spec));
  for (const metadata of [mixedMetadata, null]) {
    writeFileSync(specPath, JSON.stringify({ ...spec, metadata }));
    python([HELPER, 'export-tensors', specPath, pyPath], 'export_safetensors');
    const py = readFileSync(pyPath);
    const js = serialize(tensors, metadata);
    if (!Buffer.from(js).equals(py)) {
      const hdr = (b) => new TextDecoder().decode(b.subarray(8, 8 + Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true))));
      assert.equal(hdr(js), hdr(py), 'headers differ');
      let i = 0;
      while (js[i] === py[i]) i++;
      assert.fail(`files differ first at byte ${i} of ${js.length} / ${py.length}`);
    }
  }
});

test('tools/load_safetensors.py reads what serialize writes (every dtype, metadata)', () => {
  const tensors = mixedTensors();
  const path = join(tmp, 'js-mixed.safetensors');
  const bytes = serialize(tensors, mixedMetadata);
  writeFileSync(path, bytes);
  const { metadata, tensors: py } = JSON.parse(python([HELPER, 'load-tensors', path], 'load_safetensors'));
  assert.deepEqual(metadata, mixedMetadata);
  assert.deepEqual(Object.keys(py).sort(), Object.keys(tensors).sort());
  const js = parse(bytes);
  const num = (v) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v === 'nan' ? NaN : v);
  for (const [k, t] of Object.entries(tensors)) {
    assert.equal(py[k].dtype, js[k].dtype, k);
    assert.deepEqual(py[k].shape, t.shape, k);
    // What PyTorch holds: the values written (F16 / BF16: as rounded, i.e. what parse reads).
    const want = t.dtype === 'F16' || t.dtype === 'BF16' ? js[k].data : t.data;
    const got = py[k].data.map(num);
    assert.equal(got.length, want.length, k);
    want.forEach((v, i) => {
      const g = typeof v === 'bigint' ? BigInt(got[i]) : got[i];
      assert.ok(typeof v === 'bigint' ? g === v : sameBits(g, v), `${k}[${i}]: PyTorch ${got[i]}, JS ${v}`);
    });
  }
});

const camel = { input_size: 'inputSize', hidden_size: 'hiddenSize', num_layers: 'numLayers', bias: 'bias',
  batch_first: 'batchFirst', bidirectional: 'bidirectional', nonlinearity: 'nonlinearity' };

function makeLayer(c, seed) {
  const opts = { seed };
  for (const [k, v] of Object.entries(c.kwargs)) opts[camel[k]] = v;
  return new rnn[c.kind](opts);
}

let exported = null;
function torchModels() {
  if (!exported) {
    const dir = mkdtempSync(join(tmp, 'models-'));
    python([HELPER, 'export-models', dir], 'export-models');
    exported = { dir, cases: JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) };
  }
  return exported;
}

const readST = (path) => parse(readFileSync(path));
const state = (io) => ({ ...(io.h0 && { h0: io.h0 }), ...(io.c0 && { c0: io.c0 }) });

test('PyTorch -> rnn-wasm: nn.LSTM / nn.GRU / nn.RNN weights exported by PyTorch give PyTorch\'s outputs', () => {
  const { dir, cases } = torchModels();
  assert.equal(cases.length, 4);
  for (const c of cases) {
    const weights = readST(join(dir, `${c.name}.weights.safetensors`));
    assert.equal(weights.__metadata__.module, c.kind);
    const io = readST(join(dir, `${c.name}.io.safetensors`));
    const layer = makeLayer(c, 1);
    try {
      layer.loadStateDict(weights);
      const out = layer.forward(io.x, state(io));
      assertClose(out.output, io.output, { atol: 2e-5, what: `${c.name} output` });
      assertClose(out.hN, io.hN, { atol: 2e-5, what: `${c.name} hN` });
      if (io.cN) assertClose(out.cN, io.cN, { atol: 2e-5, what: `${c.name} cN` });
    } finally {
      layer.dispose();
    }
  }
});

test('rnn-wasm -> PyTorch: weights trained in rnn-wasm, saved with serialize, load_into(strict=True) gives rnn-wasm\'s outputs', () => {
  const { dir, cases } = torchModels();
  const expected = {};
  const rnd = lcg(11);
  for (const c of cases) {
    const io = readST(join(dir, `${c.name}.io.safetensors`));
    const layer = makeLayer(c, 5);
    try {
      layer.loadStateDict(readST(join(dir, `${c.name}.weights.safetensors`)));
      const start = layer.stateDict();
      // A few Adam steps on mean(output^2) from PyTorch's weights.
      const opt = new rnn.Adam(layer.parameters(), { lr: 0.05 });
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        const { output } = layer.forward(io.x, state(io));
        const dOutput = { shape: output.shape, data: output.data.map((v) => (2 * v) / output.data.length) };
        layer.backward({ dOutput });
        opt.step();
      }
      opt.dispose();
      const trained = layer.stateDict();
      const moved = Math.max(...Object.keys(start).map((k) => Math.max(...trained[k].data.map((v, i) => Math.abs(v - start[k].data[i])))));
      assert.ok(moved > 1e-2, `${c.name}: weights moved by ${moved}`);

      const input = { x: randTensor(io.x.shape, rnd) };
      if (io.h0) input.h0 = randTensor(io.h0.shape, rnd, 0.5);
      if (io.c0) input.c0 = randTensor(io.c0.shape, rnd, 0.5);
      expected[c.name] = layer.forward(input.x, state(input));
      writeFileSync(join(dir, `${c.name}.js.safetensors`), serialize(trained, { source: 'rnn-wasm' }));
      writeFileSync(join(dir, `${c.name}.input.safetensors`), serialize(input));
    } finally {
      layer.dispose();
    }
  }
  python([HELPER, 'check-models', dir], 'check-models (load_into, strict=True)');
  for (const c of cases) {
    const got = readST(join(dir, `${c.name}.torch.safetensors`));
    const want = expected[c.name];
    assertClose(got.output, want.output, { atol: 2e-5, what: `${c.name} output` });
    assertClose(got.hN, want.hN, { atol: 2e-5, what: `${c.name} hN` });
    if (want.cN) assertClose(got.cN, want.cN, { atol: 2e-5, what: `${c.name} cN` });
  }
});

test('load_into is strict: a state dict with a missing key is rejected by PyTorch', () => {
  const { dir, cases } = torchModels();
  const c = cases[0];
  const weights = readST(join(dir, `${c.name}.weights.safetensors`));
  delete weights.bias_hh_l0;
  const path = join(dir, 'missing.safetensors');
  writeFileSync(path, serialize(weights));
  const script = `import sys, torch; sys.path.insert(0, ${JSON.stringify(fileURLToPath(new URL('../tools', import.meta.url)))})
from load_safetensors import load_into
try:
    load_into(torch.nn.LSTM(5, 7, num_layers=2, bidirectional=True), ${JSON.stringify(path)})
except RuntimeError as e:
    print('rejected:', str(e).splitlines()[0])`;
  assert.match(python(['-c', script], 'load_into strict'), /rejected: Error\(s\) in loading state_dict/);
});
