// fuzz_safetensors.mjs - a mutation fuzz loop over safetensors.parse, the
// one place the library parses a file (in JS: the C side has no parser).
//
// Starts from valid files (the PyTorch-written fixture and files made with
// serialize() holding every dtype, empty tensors and metadata) and mutates
// them: bit flips, interesting bytes, truncation, insertion, deletion,
// splices, the 8-byte header length, and header-aware edits of the JSON
// (dtypes, shapes, data_offsets, metadata, names, duplicate keys, number
// forms, invalid UTF-8). Every parse must either return tensors whose data
// length matches their shape, or throw an RnnError with code FORMAT or
// UNSUPPORTED; any other exception, or a parse slower than `slowMs`, is a
// failure, reported with the input (base64) so it can be replayed.
//
//   node fuzz/fuzz_safetensors.mjs [iterations=200000] [seed=1]
//
// tests/fuzz.test.mjs runs a bounded number of iterations.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runIfMain } from './cli.mjs';
import { parseSafetensors as parse, serializeSafetensors as serialize, RnnError } from '../dist/index.js';

const FIXTURE = fileURLToPath(new URL('../tests/fixtures/sentiment_torch.safetensors', import.meta.url));

/** xorshift32: a small seeded generator, so a run is reproducible. */
export function makeRng(seed) {
  let s = (seed >>> 0) || 0x9e3779b9;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
  return {
    u32: next,
    int: (n) => next() % n, // [0, n)
    pick: (a) => a[next() % a.length],
    chance: (p) => next() / 4294967296 < p,
  };
}

function seedFiles() {
  const files = [new Uint8Array(readFileSync(FIXTURE))];
  const f = (n, k = 1) => Float32Array.from({ length: n }, (_, i) => (i - n / 2) * 0.37 * k);
  files.push(serialize({
    a: { shape: [2, 3], data: f(6) },
    b: { shape: [4], data: new Float64Array([1, -2, 3.5, 1e300]) },
    c: { shape: [3], data: new Int32Array([1, -2, 3]) },
    d: { shape: [2, 2], data: new BigInt64Array([1n, -2n, 3n, 4n]) },
    e: { shape: [0, 5], data: new Float32Array(0) },
    s: { shape: [], data: new Float32Array([42]) },
  }, { format: 'pt', note: 'seed' }));
  files.push(serialize({
    h: { shape: [3], data: f(3), dtype: 'F16' },
    bf: { shape: [2, 2], data: f(4), dtype: 'BF16' },
    e4: { shape: [5], data: f(5), dtype: 'F8_E4M3' },
    e5: { shape: [5], data: f(5), dtype: 'F8_E5M2' },
    u8: { shape: [4], data: new Uint8Array([0, 1, 255, 7]) },
    i8: { shape: [2], data: new Int8Array([-128, 127]) },
    u16: { shape: [2], data: new Uint16Array([0, 65535]) },
    i16: { shape: [2], data: new Int16Array([-1, 1]) },
    u32: { shape: [1], data: new Uint32Array([4294967295]) },
    u64: { shape: [1], data: new BigUint64Array([2n ** 64n - 1n]) },
    bool: { shape: [3], data: new Uint8Array([0, 1, 1]), dtype: 'BOOL' },
  }));
  files.push(serialize({}));
  return files;
}

const DTYPES = ['F32', 'F64', 'F16', 'BF16', 'F8_E4M3', 'F8_E5M2', 'I8', 'U8', 'I16', 'U16', 'I32',
  'U32', 'I64', 'U64', 'BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'F8_E8M0', 'C64', 'f32', '', 'F128',
  '__proto__', 'constructor', 'toString'];
const NUMBERS = [0, 1, -1, 2, 3, 7, 8, 255, 256, 65536, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53,
  2 ** 53 + 2, 2 ** 63, 1e300, -0, 0.5, 1.0, 1e21];
const VALUES = [null, true, false, 'x', '', [], {}, [1], [[1]], { dtype: 'F32' }, '1', NaN];
const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x7b, 0x7d, 0x22, 0x5b, 0x5d, 0x2c, 0x3a, 0x2d,
  0x30, 0x39, 0x20, 0x5c, 0x65, 0xc0, 0xed, 0xef, 0xf4, 0xfe];

function headerOf(bytes) {
  if (bytes.length < 8) return null;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  if (8 + n > bytes.length) return null;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    return { json: JSON.parse(text), data: bytes.subarray(8 + n) };
  } catch {
    return null;
  }
}

function withHeader(text, data, lengthDelta = 0) {
  const h = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, h.length + lengthDelta)), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** A JSON-level edit of the header; falls back to a byte mutation. */
export function mutateHeader(rng, bytes) {
  const hd = headerOf(bytes);
  if (!hd || typeof hd.json !== 'object' || hd.json === null || Array.isArray(hd.json)) return null;
  const json = hd.json;
  const names = Object.keys(json).filter((k) => k !== '__metadata__');
  const name = names.length ? rng.pick(names) : null;
  const entry = name && json[name] && typeof json[name] === 'object' ? json[name] : null;
  let text = null;
  switch (rng.int(14)) {
    case 0: if (entry) entry.dtype = rng.pick(DTYPES); break;
    case 1: if (entry) entry.shape = Array.isArray(entry.shape) && entry.shape.length && rng.chance(0.7)
      ? entry.shape.map((d) => (rng.chance(0.5) ? rng.pick(NUMBERS) : d))
      : Array.from({ length: rng.int(5) }, () => rng.pick(NUMBERS)); break;
    case 2: if (entry && Array.isArray(entry.data_offsets)) {
      const i = rng.int(2);
      entry.data_offsets[i] = rng.chance(0.5) ? entry.data_offsets[i] + rng.int(9) - 4 : rng.pick(NUMBERS);
    } break;
    case 3: if (entry) entry.data_offsets = rng.pick([[], [0], [0, 0, 0], 'x', null, [-1, 3], [3, 1]]); break;
    case 4: if (entry) delete entry[rng.pick(['dtype', 'shape', 'data_offsets'])]; break;
    case 5: if (name) json[name] = rng.pick(VALUES); break;
    case 6: json.__metadata__ = rng.pick([null, { a: 'b' }, { a: 1 }, 'meta', [], { __proto__: 'x' }]); break;
    case 7: if (name) { // rename, maybe to a reserved or odd name
      const v = json[name];
      delete json[name];
      json[rng.pick(['__metadata__', '__proto__', '', 'a'.repeat(300), '\ud800', 'é', name + '_'])] = v;
    } break;
    case 8: if (entry && names.length > 1) { // overlap / copy another tensor's offsets
      const other = json[rng.pick(names)];
      if (other && typeof other === 'object') entry.data_offsets = other.data_offsets;
    } break;
    case 9: if (entry) entry.extra = rng.pick(VALUES); break;
    case 10: { // duplicate key, textually
      const t = JSON.stringify(json);
      text = name ? t.replace(/}$/, `,${JSON.stringify(name)}:${JSON.stringify(json[name])}}`) : t;
    } break;
    case 11: { // number forms JSON allows: 1.0, 1e0, -0
      const t = JSON.stringify(json);
      text = t.replace(/(\d+)/g, (m) => (rng.chance(0.1) ? rng.pick([`${m}.0`, `${m}e0`, `-${m}`, `0${m}`]) : m));
    } break;
    case 12: { // padding and whitespace
      text = JSON.stringify(json) + ' '.repeat(rng.int(9)) + (rng.chance(0.3) ? rng.pick(['\0', '\t', 'x', '}']) : '');
    } break;
    default: { // rebuild with an empty or extended data section
      const t = JSON.stringify(json);
      const extra = rng.int(3) === 0 ? new Uint8Array(0) : new Uint8Array(rng.int(64));
      return withHeader(t, rng.chance(0.5) ? extra : concat(hd.data, extra));
    }
  }
  return withHeader(text ?? JSON.stringify(json), hd.data, rng.chance(0.1) ? rng.int(9) - 4 : 0);
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export function mutateBytes(rng, bytes, seeds) {
  let b = Uint8Array.from(bytes);
  const rounds = 1 + rng.int(4);
  for (let r = 0; r < rounds; r++) {
    const pos = b.length ? rng.int(b.length) : 0;
    switch (rng.int(9)) {
      case 0: if (b.length) b[pos] ^= 1 << rng.int(8); break;
      case 1: if (b.length) b[pos] = rng.pick(INTERESTING); break;
      case 2: b = b.subarray(0, rng.int(b.length + 1)).slice(); break;
      case 3: { // insert bytes
        const ins = Uint8Array.from({ length: 1 + rng.int(16) }, () => (rng.chance(0.5) ? rng.pick(INTERESTING) : rng.int(256)));
        b = concat(concat(b.subarray(0, pos), ins), b.subarray(pos));
      } break;
      case 4: b = concat(b.subarray(0, pos), b.subarray(Math.min(b.length, pos + 1 + rng.int(32)))); break;
      case 5: if (b.length >= 8) { // the header length field
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        const n = dv.getBigUint64(0, true);
        dv.setBigUint64(0, rng.pick([0n, 1n, n - 1n, n + 1n, n + 8n, BigInt(b.length), 100_000_000n,
          100_000_001n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, BigInt(rng.u32())]) & (2n ** 64n - 1n), true);
      } break;
      case 6: { // splice with another seed
        const o = rng.pick(seeds);
        const at = rng.int(o.length + 1);
        b = concat(b.subarray(0, pos), o.subarray(at, at + 1 + rng.int(256)));
      } break;
      case 7: if (b.length > 8) { // invalid UTF-8 in the header area
        const p = 8 + rng.int(Math.min(b.length - 8, 2048));
        b[p] = rng.pick([0xc0, 0xc1, 0xf5, 0xff, 0x80, 0xed]);
      } break;
      default: { // overwrite a run with one value
        const v = rng.pick(INTERESTING);
        for (let i = pos, e = Math.min(b.length, pos + 1 + rng.int(8)); i < e; i++) b[i] = v;
      }
    }
  }
  return b;
}

const b64 = (u8) => Buffer.from(u8).toString('base64');

/** Checks one parse; returns 'ok', 'FORMAT' or 'UNSUPPORTED', throws on anything else. */
export function checkOne(input, slowMs = 2000) {
  const t0 = performance.now();
  let result, error;
  try {
    result = parse(input);
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - t0;
  if (ms > slowMs) throw new Error(`parse took ${ms.toFixed(0)} ms on input (base64) ${b64(input).slice(0, 4000)}`);
  if (error) {
    if (error instanceof RnnError && (error.code === 'FORMAT' || error.code === 'UNSUPPORTED')) return error.code;
    throw new Error(`parse threw ${error?.constructor?.name} ${error?.code ?? ''}: ${error?.message}\n` +
      `input (${input.length} bytes, base64): ${b64(input).slice(0, 4000)}`);
  }
  if (result === null || typeof result !== 'object') throw new Error(`parse returned ${typeof result}`);
  for (const [name, t] of Object.entries(result)) {
    const numel = t.shape.reduce((a, d) => a * d, 1);
    if (!ArrayBuffer.isView(t.data) || t.data.length !== numel) {
      throw new Error(`tensor '${name}': data of ${t.data?.length} for shape [${t.shape}]; input ${b64(input).slice(0, 4000)}`);
    }
  }
  return 'ok';
}

/** Runs `iterations` mutations (or until timeLimitMs); returns the counts. */
export function fuzzSafetensors({ iterations = 2000, seed = 1, timeLimitMs = Infinity, slowMs = 2000 } = {}) {
  const rng = makeRng(seed);
  const seeds = seedFiles();
  const pool = [...seeds]; // seeds plus mutants that parsed (kept small)
  const counts = { runs: 0, ok: 0, FORMAT: 0, UNSUPPORTED: 0 };
  const start = performance.now();
  for (const s of seeds) if (checkOne(s, slowMs) !== 'ok') throw new Error('a seed file does not parse');
  for (let i = 0; i < iterations && performance.now() - start < timeLimitMs; i++) {
    const base = rng.pick(pool);
    const input = (rng.chance(0.5) && mutateHeader(rng, base)) || mutateBytes(rng, base, seeds);
    const r = checkOne(input, slowMs);
    counts.runs++;
    counts[r]++;
    if (r === 'ok' && input.length < 65536 && pool.length < 256) pool.push(input);
  }
  return counts;
}

await runIfMain(import.meta.url, 'safetensors.parse', fuzzSafetensors, 200000);
