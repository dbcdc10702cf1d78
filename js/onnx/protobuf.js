// protobuf.js - the protocol buffers wire format, both ways, for ONNX files
// (ONNX export and import share it; the package has no runtime dependency).
//
// Two levels:
//  - ProtoWriter / ProtoReader: tags, varints, fixed32/64, length-delimited
//    fields. The writer keeps a list of parts, so a nested message is appended
//    without copying; finish() copies everything once.
//  - encode(schema, type, object) / decode(schema, type, bytes): a message as a
//    plain object, driven by a schema (schema.js) that maps each field name to
//    [number, type, 'repeated' | 'packed'?].
//
// The reader treats its input as untrusted: every length and varint is checked
// against the bytes left, varints longer than 10 bytes, wire types 3, 4 (groups),
// 6, 7, field number 0, a wire type that does not fit the schema's field and
// messages nested deeper than MAX_DEPTH throw RnnError('FORMAT') naming the
// offset. It never loops without consuming bytes, so it cannot hang.
import { RnnError } from '../errors.js';

/** Wire types. */
export const WIRE = Object.freeze({ VARINT: 0, I64: 1, LEN: 2, I32: 5 });

/** Deepest nesting decode() follows (ONNX nests graphs in attributes in nodes). */
export const MAX_DEPTH = 64;

const fail = (message) => new RnnError('FORMAT', `protobuf: ${message}`);
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const TWO_32 = 2 ** 32;
const TWO_64 = 1n << 64n;

// ---------------------------------------------------------------------------
// Writer

export class ProtoWriter {
  constructor() {
    this.parts = [];
    this.length = 0;
    this.scratch = new DataView(new ArrayBuffer(8));
  }

  /** Appends bytes as they are (no copy until finish()). */
  raw(u8) {
    if (u8.length) { this.parts.push(u8); this.length += u8.length; }
    return this;
  }

  /** An unsigned varint of a number (integer, |v| < 2^53) or a bigint; negatives
   *  as 64-bit two's complement (10 bytes), as protobuf writes int32/int64. */
  varint(v) {
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) {
      const out = [];
      while (v >= 0x80) { out.push((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
      out.push(v);
      return this.raw(Uint8Array.from(out));
    }
    let n = BigInt(v); // throws on a fraction or NaN: a caller's bug
    if (n < 0n) n += TWO_64;
    if (n < 0n || n >= TWO_64) throw new RnnError('INVALID_ARGUMENT', `protobuf: ${v} does not fit 64 bits`);
    const out = [];
    while (n >= 0x80n) { out.push(Number(n & 0x7fn) | 0x80); n >>= 7n; }
    out.push(Number(n));
    return this.raw(Uint8Array.from(out));
  }

  tag(field, wire) { return this.varint(field * 8 + wire); }

  fixed32(v) { this.scratch.setUint32(0, v >>> 0, true); return this.raw(new Uint8Array(this.scratch.buffer.slice(0, 4))); }
  float(v) { this.scratch.setFloat32(0, v, true); return this.raw(new Uint8Array(this.scratch.buffer.slice(0, 4))); }
  fixed64(v) { this.scratch.setBigUint64(0, BigInt.asUintN(64, BigInt(v)), true); return this.raw(new Uint8Array(this.scratch.buffer.slice(0))); }
  double(v) { this.scratch.setFloat64(0, v, true); return this.raw(new Uint8Array(this.scratch.buffer.slice(0))); }

  /** A length-delimited field: bytes, a UTF-8 string or a nested writer. */
  len(field, value) {
    this.tag(field, WIRE.LEN);
    if (value instanceof ProtoWriter) {
      this.varint(value.length);
      for (const p of value.parts) this.raw(p);
      return this;
    }
    const u8 = typeof value === 'string' ? utf8.encode(value) : value;
    return this.varint(u8.length).raw(u8);
  }

  /** The message's bytes (one copy). */
  finish() {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) { out.set(p, o); o += p.length; }
    return out;
  }
}

// ---------------------------------------------------------------------------
// Reader

export class ProtoReader {
  /** @param {Uint8Array} bytes  @param {number} [start]  @param {number} [end] */
  constructor(bytes, start = 0, end = bytes.length) {
    if (!(bytes instanceof Uint8Array)) throw new RnnError('INVALID_ARGUMENT', 'protobuf: expected a Uint8Array');
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  more() { return this.pos < this.end; }

  need(n, what) {
    if (n > this.end - this.pos) throw fail(`truncated ${what} at byte ${this.pos} (needs ${n}, ${this.end - this.pos} left)`);
  }

  /** An unsigned varint as two 32-bit halves [lo, hi]; at most 10 bytes. */
  varint64() {
    let lo = 0, hi = 0;
    const at = this.pos;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw fail(`truncated varint at byte ${at}`);
      const b = this.bytes[this.pos++];
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) { lo |= (b & 0x0f) << 28; hi |= (b & 0x7f) >> 4; }
      else {
        if (i === 9 && b > 1) throw fail(`varint overflows 64 bits at byte ${at}`);
        hi |= (b & 0x7f) << (7 * i - 32);
      }
      if (b < 0x80) return [lo >>> 0, hi >>> 0];
    }
    throw fail(`varint longer than 10 bytes at byte ${at}`);
  }

  /** A varint as an unsigned number (exact below 2^53). */
  uint() { const [lo, hi] = this.varint64(); return hi * TWO_32 + lo; }
  /** A varint as a signed 64-bit number (int64; exact within ±2^53, rounded beyond). */
  int64() { const [lo, hi] = this.varint64(); return (hi | 0) * TWO_32 + lo; }
  /** A varint as int32 (protobuf keeps the low 32 bits). */
  int32() { return this.varint64()[0] | 0; }
  /** A varint as an exact bigint (signed: true for int64). */
  bigint(signed) {
    const [lo, hi] = this.varint64();
    const u = (BigInt(hi) << 32n) | BigInt(lo);
    return signed ? BigInt.asIntN(64, u) : u;
  }

  fixed32() { this.need(4, 'fixed32'); const v = this.view.getUint32(this.pos, true); this.pos += 4; return v; }
  float() { this.need(4, 'float'); const v = this.view.getFloat32(this.pos, true); this.pos += 4; return v; }
  fixed64() { this.need(8, 'fixed64'); const v = this.view.getBigUint64(this.pos, true); this.pos += 8; return v; }
  double() { this.need(8, 'double'); const v = this.view.getFloat64(this.pos, true); this.pos += 8; return v; }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytesField() {
    const n = this.uint();
    this.need(n, 'length-delimited field');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string() {
    const at = this.pos;
    const u8 = this.bytesField();
    try { return utf8Strict.decode(u8); } catch { throw fail(`invalid UTF-8 in the string at byte ${at}`); }
  }

  /** The next tag: { field, wire }. */
  tag() {
    const at = this.pos;
    const t = this.uint();
    const field = Math.floor(t / 8), wire = t % 8;
    if (field === 0 || field > 0x1fffffff) throw fail(`field number ${field} at byte ${at}`);
    if (wire === 3 || wire === 4) throw fail(`group wire type ${wire} (field ${field}) at byte ${at} is not supported`);
    if (wire > 5) throw fail(`invalid wire type ${wire} (field ${field}) at byte ${at}`);
    return { field, wire };
  }

  /** Skips a field's value of the given wire type. */
  skip(wire) {
    if (wire === WIRE.VARINT) this.varint64();
    else if (wire === WIRE.I64) { this.need(8, 'fixed64'); this.pos += 8; }
    else if (wire === WIRE.I32) { this.need(4, 'fixed32'); this.pos += 4; }
    else if (wire === WIRE.LEN) this.bytesField();
    else throw fail(`cannot skip wire type ${wire}`);
  }
}

// ---------------------------------------------------------------------------
// Scalar types: wire type, how to write one value, how to read one value.

const SCALARS = {
  int32: { wire: WIRE.VARINT, write: (w, v) => w.varint(v | 0), read: (r) => r.int32() },
  int64: { wire: WIRE.VARINT, write: (w, v) => w.varint(v), read: (r) => r.int64() },
  uint64: { wire: WIRE.VARINT, write: (w, v) => w.varint(v), read: (r) => r.uint() },
  bool: { wire: WIRE.VARINT, write: (w, v) => w.varint(v ? 1 : 0), read: (r) => r.uint() !== 0 },
  float: { wire: WIRE.I32, write: (w, v) => w.float(v), read: (r) => r.float() },
  double: { wire: WIRE.I64, write: (w, v) => w.double(v), read: (r) => r.double() },
  string: { wire: WIRE.LEN, write: null, read: (r) => r.string() },
  bytes: { wire: WIRE.LEN, write: null, read: (r) => r.bytesField() },
};

function fieldsOf(schema, type) {
  const fields = schema[type];
  if (!fields) throw new RnnError('INVALID_ARGUMENT', `protobuf: no message type ${type} in the schema`);
  return fields;
}

// ---------------------------------------------------------------------------
// encode

function encodeInto(w, schema, type, obj) {
  const fields = fieldsOf(schema, type);
  for (const name of Object.keys(obj)) {
    const value = obj[name];
    if (value === undefined || value === null) continue;
    const f = fields[name];
    if (!f) throw new RnnError('INVALID_ARGUMENT', `protobuf: ${type} has no field ${name}`);
    const [num, ftype, label] = f;
    const scalar = SCALARS[ftype];
    const values = label ? value : [value];
    if (label && (typeof values.length !== 'number' || typeof values === 'string')) {
      throw new RnnError('INVALID_ARGUMENT', `protobuf: ${type}.${name} is repeated: expected an array`);
    }
    if (label === 'packed' && scalar && scalar.write) {
      if (!values.length) continue;
      const body = new ProtoWriter();
      for (const v of values) scalar.write(body, v);
      w.len(num, body);
      continue;
    }
    for (const v of values) {
      if (!scalar) w.len(num, encodeInto(new ProtoWriter(), schema, ftype, v));
      else if (scalar.write) scalar.write(w.tag(num, scalar.wire), v);
      else w.len(num, v);
    }
  }
  return w;
}

/** A message's bytes from a plain object (unset fields: undefined or absent). */
export function encode(schema, type, obj) {
  return encodeInto(new ProtoWriter(), schema, type, obj).finish();
}

// ---------------------------------------------------------------------------
// decode

function decodeFrom(r, schema, type, depth) {
  if (depth > MAX_DEPTH) throw fail(`messages nested deeper than ${MAX_DEPTH} at byte ${r.pos}`);
  const fields = fieldsOf(schema, type);
  const byNumber = INDEX.get(fields) ?? indexFields(fields);
  const out = {};
  for (const name in fields) if (fields[name][2]) out[name] = [];
  while (r.more()) {
    const at = r.pos;
    const { field, wire } = r.tag();
    const entry = byNumber.get(field);
    if (!entry) { r.skip(wire); continue; } // unknown field: newer schema, skipped
    const [name, ftype, label] = entry;
    const scalar = SCALARS[ftype];
    if (label && scalar && scalar.wire !== WIRE.LEN && wire === WIRE.LEN) {
      // packed repeated scalars (accepted whether or not the schema says packed)
      const body = r.bytesField();
      const sub = new ProtoReader(r.bytes, body.byteOffset - r.bytes.byteOffset, body.byteOffset - r.bytes.byteOffset + body.length);
      const list = out[name];
      while (sub.more()) list.push(scalar.read(sub));
      continue;
    }
    const expected = scalar ? scalar.wire : WIRE.LEN;
    if (wire !== expected) throw fail(`${type}.${name} (field ${field}) has wire type ${wire}, expected ${expected}, at byte ${at}`);
    let value;
    if (scalar) value = scalar.read(r);
    else {
      const body = r.bytesField();
      const start = body.byteOffset - r.bytes.byteOffset;
      value = decodeFrom(new ProtoReader(r.bytes, start, start + body.length), schema, ftype, depth + 1);
    }
    if (label) out[name].push(value);
    else out[name] = value; // a repeated singular field: the last one wins
  }
  return out;
}

// field number -> [name, type, label], per message type, built on first use
const INDEX = new WeakMap();

function indexFields(fields) {
  const map = new Map();
  for (const name in fields) map.set(fields[name][0], [name, fields[name][1], fields[name][2]]);
  INDEX.set(fields, map);
  return map;
}

/** A message as a plain object: repeated fields as arrays (empty when absent),
 *  singular fields absent when not in the bytes, bytes fields as views into
 *  the input, int64 as numbers (exact within ±2^53). Unknown fields are skipped. */
export function decode(schema, type, bytes) {
  return decodeFrom(new ProtoReader(bytes), schema, type, 0);
}
