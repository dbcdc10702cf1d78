// safetensors.js - read and write the safetensors format (Hugging Face's
// tensor file format, what safetensors.torch.save_file / load_file use):
//
//   [8 bytes: N, little-endian u64] [N bytes: JSON header, UTF-8, space-padded]
//   [data: every tensor's little-endian bytes, back to back]
//
// The header maps each tensor name to { dtype, shape, data_offsets: [begin, end] }
// (byte offsets from the start of the data), plus an optional "__metadata__"
// object of strings.
//
// parse() treats its input as untrusted: everything the header claims is
// checked against the file (sizes, offsets, overlaps, coverage, arithmetic)
// before any tensor memory is allocated, and every problem throws an RnnError
// with code 'FORMAT' (or 'UNSUPPORTED' for a dtype of the format this module
// does not decode) and a message naming it. It accepts exactly the files the
// reference implementation accepts (up to the JSON parser's tolerance of e.g.
// 1.0 for an integer).
//
// serialize() writes the bytes the reference implementation writes for the
// same tensors: tensors ordered by descending dtype alignment, then by name
// (code point order), compact JSON header padded with spaces to a multiple
// of 8, "__metadata__" first with its keys sorted.
import { RnnError } from './errors.js';
import { typeName } from './tensor.js';

/** The reference implementation's limit on the header size (bytes). */
export const MAX_HEADER_BYTES = 100_000_000;

// Every dtype of the format this module reads and writes. rank: the reference
// implementation's Dtype order (serialize sorts by descending rank, then name).
// Store: the typed array holding the raw little-endian elements.
// view: the DataView accessor for big-endian hosts.
const DTYPES = {
  BOOL: { size: 1, rank: 0, Store: Uint8Array, view: 'Uint8', kind: 'bool' },
  U8: { size: 1, rank: 1, Store: Uint8Array, view: 'Uint8', kind: 'int', min: 0, max: 0xff },
  I8: { size: 1, rank: 2, Store: Int8Array, view: 'Int8', kind: 'int', min: -0x80, max: 0x7f },
  F8_E5M2: { size: 1, rank: 3, Store: Uint8Array, view: 'Uint8', kind: 'small', E: 5, M: 2 },
  F8_E4M3: { size: 1, rank: 4, Store: Uint8Array, view: 'Uint8', kind: 'small', E: 4, M: 3 },
  I16: { size: 2, rank: 5, Store: Int16Array, view: 'Int16', kind: 'int', min: -0x8000, max: 0x7fff },
  U16: { size: 2, rank: 6, Store: Uint16Array, view: 'Uint16', kind: 'int', min: 0, max: 0xffff },
  F16: { size: 2, rank: 7, Store: Uint16Array, view: 'Uint16', kind: 'small', E: 5, M: 10 },
  BF16: { size: 2, rank: 8, Store: Uint16Array, view: 'Uint16', kind: 'small', E: 8, M: 7 },
  I32: { size: 4, rank: 9, Store: Int32Array, view: 'Int32', kind: 'int', min: -0x80000000, max: 0x7fffffff },
  U32: { size: 4, rank: 10, Store: Uint32Array, view: 'Uint32', kind: 'int', min: 0, max: 0xffffffff },
  F32: { size: 4, rank: 11, Store: Float32Array, view: 'Float32', kind: 'float' },
  F64: { size: 8, rank: 12, Store: Float64Array, view: 'Float64', kind: 'float' },
  I64: { size: 8, rank: 13, Store: BigInt64Array, view: 'BigInt64', kind: 'int64', min: -(2n ** 63n), max: 2n ** 63n - 1n },
  U64: { size: 8, rank: 14, Store: BigUint64Array, view: 'BigUint64', kind: 'int64', min: 0n, max: 2n ** 64n - 1n },
};

// Dtypes newer versions of the format define that this module does not decode.
const NOT_SUPPORTED = new Set(['F4', 'F6_E2M3', 'F6_E3M2', 'F8_E8M0', 'C64']);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const fail = (message) => new RnnError('FORMAT', `safetensors: ${message}`);
const bad = (code, message) => new RnnError(code, `safetensors.serialize: ${message}`);

// Own, enumerable, writable property, even for names like "__proto__".
function setOwn(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const show = (v) => String(JSON.stringify(v) ?? v).slice(0, 200);

// ---------------------------------------------------------------------------
// Small float formats (F16, BF16, F8_E5M2, F8_E4M3): bits <-> numbers.

/** The value of a small-float bit pattern: E exponent bits, M mantissa bits. */
function decodeSmall(bits, E, M, fn) {
  const bias = (1 << (E - 1)) - 1, expAll = (1 << E) - 1;
  const sign = bits >> (E + M) & 1 ? -1 : 1;
  const e = (bits >> M) & expAll, m = bits & ((1 << M) - 1);
  if (fn) { // F8_E4M3 ("fn"): no infinities, only S.1111.111 is NaN
    if (e === expAll && m === (1 << M) - 1) return NaN;
  } else if (e === expAll) {
    return m ? NaN : sign * Infinity;
  }
  if (e === 0) return sign * m * 2 ** (1 - bias - M);
  return sign * (1 + m / 2 ** M) * 2 ** (e - bias);
}

const f64 = new Float64Array(1);
const f64Hi = new Uint32Array(f64.buffer);
const HI = LITTLE_ENDIAN ? 1 : 0;

/** floor(log2(a)) for a normal double a > 0. */
function exponentOf(a) {
  f64[0] = a;
  return ((f64Hi[HI] >>> 20) & 0x7ff) - 1023;
}

/**
 * Nearest bit pattern (round half to even) of a float32 value v: PyTorch's
 * float -> half / bfloat16 / float8 conversions. Overflow gives infinity
 * (F8_E4M3: NaN, as PyTorch's float8_e4m3fn); NaN gives PyTorch's NaN.
 */
function encodeSmall(v, E, M, fn, nanBits) {
  const bias = (1 << (E - 1)) - 1, expAll = (1 << E) - 1;
  if (v !== v) return nanBits;
  const sign = v < 0 || Object.is(v, -0) ? 1 << (E + M) : 0;
  const a = Math.abs(v);
  if (fn) {
    if (a >= 480) return sign | 0x7f; // PyTorch: |v| >= 480 is NaN; (464, 480) rounds to 0x7f = NaN too
  } else if (a >= (2 - 2 ** -M) * 2 ** bias + 2 ** (bias - M - 1)) {
    return sign | (expAll << M); // at least half an ulp above the largest finite value
  }
  const subnormal = a < 2 ** (1 - bias);
  const e = subnormal ? 1 - bias : exponentOf(a);
  const q = a * 2 ** (M - e); // exact: a power-of-two scaling
  const f = Math.floor(q), rem = q - f;
  const m = f + (rem > 0.5 || (rem === 0.5 && (f & 1)) ? 1 : 0);
  // A carry out of the mantissa moves into the exponent field by itself.
  return sign | (subnormal ? m : ((e + bias) << M) + m - (1 << M));
}

const SMALL = {
  F16: { E: 5, M: 10, fn: false, nan: 0x7e00 },
  BF16: { E: 8, M: 7, fn: false, nan: 0x7fc0 },
  F8_E5M2: { E: 5, M: 2, fn: false, nan: 0x7f },
  F8_E4M3: { E: 4, M: 3, fn: true, nan: 0x7f },
};

const tables = {};
/** Lookup table bits -> float32 for F16 and the F8 dtypes. */
function decodeTable(dtype) {
  if (!tables[dtype]) {
    const { E, M, fn } = SMALL[dtype];
    const t = new Float32Array(1 << (1 + E + M));
    for (let b = 0; b < t.length; b++) t[b] = decodeSmall(b, E, M, fn);
    tables[dtype] = t;
  }
  return tables[dtype];
}

// ---------------------------------------------------------------------------
// Raw little-endian bytes <-> typed arrays.

/** A new Store array holding n elements read from bytes at off (little-endian). */
function loadLE(bytes, off, n, info) {
  const out = new info.Store(n);
  if (LITTLE_ENDIAN || info.size === 1) {
    new Uint8Array(out.buffer).set(bytes.subarray(off, off + n * info.size));
  } else {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const get = dv[`get${info.view}`].bind(dv);
    for (let i = 0; i < n; i++) out[i] = get(off + i * info.size, true);
  }
  return out;
}

/** Writes a Store array's elements into out at off, little-endian. */
function storeLE(out, off, arr, info) {
  if (LITTLE_ENDIAN || info.size === 1) {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), off);
  } else {
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const set = dv[`set${info.view}`].bind(dv);
    for (let i = 0; i < arr.length; i++) set(off + i * info.size, arr[i], true);
  }
}

/** The tensor data parse() returns for a Store array of this dtype. */
function decodeData(raw, dtype) {
  switch (dtype) {
    case 'F64': return new Float32Array(raw); // rounds to nearest, as Tensor.float()
    case 'BF16': {
      const out = new Float32Array(raw.length);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < raw.length; i++) bits[i] = raw[i] << 16;
      return out;
    }
    case 'F16': case 'F8_E5M2': case 'F8_E4M3': {
      const t = decodeTable(dtype);
      const out = new Float32Array(raw.length);
      for (let i = 0; i < raw.length; i++) out[i] = t[raw[i]];
      return out;
    }
    default: return raw; // F32, and the integer / bool dtypes as they are stored
  }
}

// ---------------------------------------------------------------------------
// parse

function asBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer ||
      (typeof SharedArrayBuffer === 'function' && bytes instanceof SharedArrayBuffer)) {
    return new Uint8Array(bytes);
  }
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const what = bytes === null ? 'null' : (bytes?.constructor?.name ?? typeof bytes);
  throw new RnnError('INVALID_ARGUMENT', `safetensors.parse needs the file's bytes (Uint8Array or ArrayBuffer), got ${what}`);
}

function checkDims(name, shape) {
  if (!Array.isArray(shape)) throw fail(`tensor '${name}': shape must be an array, got ${show(shape)}`);
  let numel = 1n;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw fail(`tensor '${name}': shape must hold non-negative integers, got ${show(shape)}`);
    }
    if (!Number.isSafeInteger(d)) throw fail(`tensor '${name}': dimension ${BigInt(d)} in shape is too large`);
    numel *= BigInt(d);
  }
  return numel;
}

function checkEntry(name, entry, dataLen) {
  if (!isPlainObject(entry)) throw fail(`tensor '${name}': header entry must be an object, got ${show(entry)}`);
  const { dtype, shape, data_offsets: offs } = entry;
  if (typeof dtype !== 'string') throw fail(`tensor '${name}': dtype must be a string, got ${show(dtype)}`);
  // own keys only: a dtype of "__proto__" or "toString" is just unknown
  const info = Object.hasOwn(DTYPES, dtype) ? DTYPES[dtype] : undefined;
  if (!info) {
    if (NOT_SUPPORTED.has(dtype)) throw new RnnError('UNSUPPORTED', `safetensors: tensor '${name}': dtype ${dtype} is not supported`);
    throw fail(`tensor '${name}': unknown dtype ${show(dtype)}`);
  }
  const numel = checkDims(name, shape);
  if (!Array.isArray(offs) || offs.length !== 2 ||
      !offs.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
    throw fail(`tensor '${name}': data_offsets must be [begin, end] non-negative integers, got ${show(offs)}`);
  }
  const [begin, end] = offs;
  if (end < begin) throw fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLen) {
    throw fail(`tensor '${name}': data_offsets [${begin}, ${end}] are out of the data section (${dataLen} bytes)`);
  }
  const need = numel * BigInt(info.size);
  if (need !== BigInt(end - begin)) {
    throw fail(`tensor '${name}': ${dtype} shape [${shape}] needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype, info, shape: [...shape], numel: Number(numel), begin, end };
}

/**
 * Reads a safetensors file. Returns { name: { dtype, shape, data } } in file
 * order, with the header's "__metadata__" (an object of strings, or null when
 * the file has none) as a non-enumerable `__metadata__` property, so the
 * result goes straight into loadStateDict(). data is always a fresh, aligned
 * copy:
 *   F32, F64, F16, BF16, F8_E4M3, F8_E5M2 -> Float32Array (F64 rounded to
 *     nearest; dtype still names the file's type)
 *   I8, U8, I16, U16, I32, U32 -> Int8Array ... Uint32Array
 *   I64, U64 -> BigInt64Array, BigUint64Array (exact; Number(v) to convert)
 *   BOOL -> Uint8Array of the stored bytes (0 false, else true)
 */
export function parse(bytes) {
  const buf = asBytes(bytes);
  if (buf.length < 8) throw fail(`file is ${buf.length} bytes, too short for the 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`header length ${n64} is above the limit of ${MAX_HEADER_BYTES} bytes`);
  }
  const n = Number(n64);
  if (8 + n > buf.length) {
    throw fail(`header length ${n} runs past the end of the file (${buf.length - 8} bytes after the length)`);
  }
  if (n === 0 || buf[8] !== 0x7b) throw fail("header must be a JSON object starting with '{'");
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf.subarray(8, 8 + n));
  } catch {
    throw fail('header is not valid UTF-8');
  }
  let header;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail(`header is not valid JSON (${e.message})`);
  }
  if (!isPlainObject(header)) throw fail('header must be a JSON object');

  const dataStart = 8 + n, dataLen = buf.length - dataStart;
  let metadata = null;
  const entries = [];
  for (const name of Object.keys(header)) {
    const value = header[name];
    if (name === '__metadata__') {
      if (value === null) continue;
      if (!isPlainObject(value)) throw fail(`__metadata__ must be an object of strings, got ${show(value)}`);
      metadata = {};
      for (const k of Object.keys(value)) {
        if (typeof value[k] !== 'string') {
          throw fail(`__metadata__ values must be strings, got ${show(value[k])} for '${k}'`);
        }
        setOwn(metadata, k, value[k]);
      }
      continue;
    }
    entries.push(checkEntry(name, value, dataLen));
  }

  // The tensors must tile the data section exactly: no overlaps, no gaps, no
  // trailing bytes (what the reference implementation requires).
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0, prev = null;
  for (const t of entries) {
    if (t.begin < pos) {
      throw fail(`tensors '${prev.name}' [${prev.begin}, ${prev.end}] and '${t.name}' [${t.begin}, ${t.end}] overlap`);
    }
    if (t.begin > pos) throw fail(`bytes [${pos}, ${t.begin}) of the data section belong to no tensor`);
    pos = t.end;
    prev = t;
  }
  if (pos !== dataLen) {
    throw fail(`the data section is ${dataLen} bytes but the tensors cover ${pos} (${dataLen - pos} bytes left over)`);
  }

  const result = {};
  for (const t of entries) {
    const raw = loadLE(buf, dataStart + t.begin, t.numel, t.info);
    setOwn(result, t.name, { dtype: t.dtype, shape: t.shape, data: decodeData(raw, t.dtype) });
  }
  Object.defineProperty(result, '__metadata__', { value: metadata, enumerable: false, writable: true, configurable: true });
  return result;
}

// ---------------------------------------------------------------------------
// serialize

const INFER = [
  [Float32Array, 'F32'], [Float64Array, 'F64'], [Int32Array, 'I32'], [Uint32Array, 'U32'],
  [Int16Array, 'I16'], [Uint16Array, 'U16'], [Int8Array, 'I8'], [Uint8Array, 'U8'],
  [BigInt64Array, 'I64'], [BigUint64Array, 'U64'],
];
if (typeof globalThis.Float16Array === 'function') INFER.push([globalThis.Float16Array, 'F16']);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Code point order (= UTF-8 byte order, how the reference sorts names) of well-formed strings. */
function compareCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff, ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate pair is a code point above the whole BMP
    return x - y;
  }
  return a.length - b.length;
}

function checkString(s, what) {
  if (LONE_SURROGATE.test(s)) throw bad('INVALID_ARGUMENT', `${what} ${show(s)} is not valid Unicode (lone surrogate)`);
}

/** The Store array (raw elements) of one entry's data in the given dtype. */
function encodeData(data, dtype, name) {
  const info = DTYPES[dtype];
  const isBig = data instanceof BigInt64Array || data instanceof BigUint64Array;
  if (info.kind === 'float' || info.kind === 'small') {
    if (isBig) throw bad('DTYPE', `tensor '${name}': ${dtype} data must hold numbers, got ${typeName(data)}`);
    // Values go through float32 first, as PyTorch's conversions do.
    if (dtype === 'F64') return data instanceof Float64Array ? data : new Float64Array(data);
    const f = data instanceof Float32Array ? data : new Float32Array(data);
    if (dtype === 'F32') return f;
    const { E, M, fn, nan } = SMALL[dtype];
    const out = new info.Store(f.length);
    for (let i = 0; i < f.length; i++) out[i] = encodeSmall(f[i], E, M, fn, nan);
    return out;
  }
  if (data.constructor === info.Store && info.kind !== 'bool') return data; // in range by construction
  const out = new info.Store(data.length);
  const lo = info.kind === 'bool' ? 0 : info.min, hi = info.kind === 'bool' ? 1 : info.max;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    const ok = typeof v === 'bigint' || Number.isInteger(v);
    if (!ok || v < lo || v > hi) {
      throw bad('INVALID_ARGUMENT', `tensor '${name}': ${dtype} needs integers in [${lo}, ${hi}], got ${v} at [${i}]`);
    }
    out[i] = info.kind === 'int64' ? BigInt(v) : Number(v);
  }
  return out;
}

function prepareEntry(name, t) {
  checkString(name, 'tensor name');
  if (name === '__metadata__') {
    throw bad('INVALID_ARGUMENT', "'__metadata__' is reserved for the metadata; pass metadata as the second argument");
  }
  if (t === null || typeof t !== 'object' || !('shape' in t) || !('data' in t)) {
    throw bad('INVALID_ARGUMENT', `tensor '${name}' must be { shape, data }, got ${typeName(t)}`);
  }
  const { shape, data } = t;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad('SHAPE', `tensor '${name}': shape must be an array of non-negative integers, got ${show(shape)}`);
  }
  if (!ArrayBuffer.isView(data) || data instanceof DataView) {
    throw bad('DTYPE', `tensor '${name}': data must be a typed array (Float32Array, ...), got ${typeName(data)}`);
  }
  let dtype = t.dtype;
  if (dtype === undefined) {
    dtype = INFER.find(([C]) => data.constructor === C)?.[1];
    if (!dtype) throw bad('DTYPE', `tensor '${name}': cannot tell the dtype of a ${typeName(data)}; give dtype`);
  } else if (!Object.hasOwn(DTYPES, dtype)) {
    const code = NOT_SUPPORTED.has(dtype) ? 'UNSUPPORTED' : 'INVALID_ARGUMENT';
    throw bad(code, `tensor '${name}': dtype ${show(dtype)} is not one of ${Object.keys(DTYPES).join(', ')}`);
  }
  const numel = shape.reduce((a, d) => a * d, 1);
  if (data.length !== numel) {
    throw bad('SHAPE', `tensor '${name}': data has ${data.length} values but shape [${shape}] needs ${numel}`);
  }
  const raw = encodeData(data, dtype, name);
  return { name, dtype, info: DTYPES[dtype], shape: [...shape], raw };
}

/**
 * Writes tensors ({ name: { shape, data, dtype? } }, own enumerable keys, or
 * a Map of them) and optional metadata ({ key: string }) as safetensors bytes,
 * byte for byte what safetensors.torch.save_file writes for the same tensors. Without dtype, the
 * data's type decides (Float32Array F32, Float64Array F64, Int32Array I32,
 * BigInt64Array I64, Uint8Array U8, ...). With dtype, the values are converted:
 * float dtypes take any number array (F16 / BF16 / F8 round to nearest even
 * from float32, as PyTorch), integer dtypes and BOOL (0 / 1) take integers in
 * range. So serialize(parse(bytes), parse(bytes).__metadata__) gives back the
 * file, except F64 tensors (parse rounds them to float32).
 */
export function serialize(tensors, metadata) {
  let list;
  if (tensors instanceof Map) {
    list = [...tensors];
    const k = list.find(([name]) => typeof name !== 'string');
    if (k) throw bad('INVALID_ARGUMENT', `tensor names must be strings, got ${typeof k[0]}`);
  } else if (isPlainObject(tensors) && !ArrayBuffer.isView(tensors)) {
    list = Object.keys(tensors).map((name) => [name, tensors[name]]);
  } else {
    throw bad('INVALID_ARGUMENT', `needs an object { name: { shape, data } }, got ${typeName(tensors)}`);
  }
  let meta = null;
  if (metadata != null) {
    if (!isPlainObject(metadata) || metadata instanceof Map) throw bad('INVALID_ARGUMENT', `metadata must be an object of strings, got ${typeName(metadata)}`);
    meta = Object.keys(metadata).sort(compareCodePoints).map((k) => {
      checkString(k, 'metadata key');
      const v = metadata[k];
      if (typeof v !== 'string') throw bad('INVALID_ARGUMENT', `metadata values must be strings, got ${typeName(v)} for '${k}'`);
      checkString(v, 'metadata value');
      return [k, v];
    });
  }

  const entries = list.map(([name, t]) => prepareEntry(name, t));
  entries.sort((a, b) => b.info.rank - a.info.rank || compareCodePoints(a.name, b.name));

  const parts = [];
  if (meta) parts.push(`"__metadata__":{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  let offset = 0;
  for (const t of entries) {
    const begin = offset;
    offset += t.raw.byteLength;
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${begin},${offset}]}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const n = json.length + ((8 - (json.length % 8)) % 8);
  if (n > MAX_HEADER_BYTES) {
    throw bad('INVALID_ARGUMENT', `the header would be ${n} bytes, above the ${MAX_HEADER_BYTES} readers accept`);
  }

  let out;
  try {
    out = new Uint8Array(8 + n + offset);
  } catch {
    throw new RnnError('OUT_OF_MEMORY', `safetensors.serialize: cannot allocate ${8 + n + offset} bytes`);
  }
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let pos = 8 + n;
  for (const t of entries) {
    storeLE(out, pos, t.raw, t.info);
    pos += t.raw.byteLength;
  }
  return out;
}
