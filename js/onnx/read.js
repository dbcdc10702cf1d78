// onnx/read.js - an ONNX file's bytes -> its graph as plain values: nodes
// (op, name, inputs, outputs, attributes by name), initializers as tensors,
// the graph's inputs and outputs with their declared shapes. Checks what the
// importer relies on: the default domain at an opset it knows, every
// tensor's data the size its dims say, names defined once, no subgraphs.
import { RnnError } from '../errors.js';
import { decode } from './protobuf.js';
import { ATTRIBUTE_TYPE as A, DATA_TYPE as DT, ONNX } from './schema.js';

/** Opsets of the default domain whose RNN / GRU / LSTM and glue ops this importer implements. */
export const OPSETS = [7, 21];

const bad = (msg) => new RnnError('FORMAT', `loadOnnx: ${msg}`);
const unsupported = (msg) => new RnnError('UNSUPPORTED', `loadOnnx: ${msg}`);

/**
 * A tensor here: { type: 'float' | 'int', shape: number[], data } with
 * data a Float32Array (float) or a Float64Array holding integers (int64 and
 * int32 alike: exact within ±2^53, which shapes and indices are).
 */
export const makeTensor = (type, shape, data) => ({ type, shape, data });

const TYPES = {
  [DT.FLOAT]: { type: 'float', bytes: 4, field: 'float_data', read: (v, o) => v.getFloat32(o, true) },
  [DT.DOUBLE]: { type: 'float', bytes: 8, field: 'double_data', read: (v, o) => v.getFloat64(o, true) },
  [DT.INT64]: { type: 'int', bytes: 8, field: 'int64_data', read: (v, o) => Number(v.getBigInt64(o, true)) },
  [DT.INT32]: { type: 'int', bytes: 4, field: 'int32_data', read: (v, o) => v.getInt32(o, true) },
  [DT.INT8]: { type: 'int', bytes: 1, field: 'int32_data', read: (v, o) => v.getInt8(o) },
  [DT.UINT8]: { type: 'int', bytes: 1, field: 'int32_data', read: (v, o) => v.getUint8(o) },
  [DT.BOOL]: { type: 'int', bytes: 1, field: 'int32_data', read: (v, o) => v.getUint8(o) },
};
const typeName = (code) => Object.keys(DT).find((k) => DT[k] === code) ?? String(code);

/** A TensorProto -> a tensor; where: the error's subject. */
export function readTensor(t, where) {
  const kind = TYPES[t.data_type];
  if (!kind) throw unsupported(`${where}: element type ${typeName(t.data_type)} (supported: FLOAT, DOUBLE, INT64, INT32, INT8, UINT8, BOOL)`);
  if (t.data_location === 1 || t.external_data.length) throw unsupported(`${where}: external data (save the model with its weights inside the file)`);
  if (t.segment) throw unsupported(`${where}: segmented tensors`);
  const shape = t.dims;
  if (shape.some((d) => !Number.isInteger(d) || d < 0 || d > 2 ** 31)) throw bad(`${where}: dims [${shape}] must be non-negative integers`);
  const n = shape.reduce((a, d) => a * d, 1);
  if (n > 2 ** 30) throw bad(`${where}: ${n} elements is too many`);
  const data = kind.type === 'float' ? new Float32Array(n) : new Float64Array(n);
  if (t.raw_data !== undefined) {
    const raw = t.raw_data;
    if (raw.length !== n * kind.bytes) throw bad(`${where}: raw_data has ${raw.length} bytes but dims [${shape}] of ${typeName(t.data_type)} need ${n * kind.bytes}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (t.data_type === DT.FLOAT) data.set(new Float32Array(raw.slice().buffer));
    else for (let i = 0; i < n; i++) data[i] = kind.read(view, i * kind.bytes);
  } else {
    const src = t[kind.field];
    if (src.length !== n) throw bad(`${where}: ${kind.field} has ${src.length} values but dims [${shape}] need ${n}`);
    data.set(src);
  }
  return makeTensor(kind.type, shape, data);
}

// An attribute's value by its declared type.
function attrValue(a, where) {
  switch (a.type) {
    case A.FLOAT: return a.f ?? 0;
    case A.INT: return a.i ?? 0;
    case A.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array(0));
    case A.TENSOR:
      if (!a.t) throw bad(`${where}: attribute '${a.name}' has no tensor`);
      return readTensor(a.t, `${where}: attribute '${a.name}'`);
    case A.FLOATS: return a.floats;
    case A.INTS: return a.ints;
    case A.STRINGS: return a.strings.map((s) => new TextDecoder().decode(s));
    case A.GRAPH: case A.GRAPHS: throw unsupported(`${where}: attribute '${a.name}' holds a subgraph (If / Loop / Scan are not supported)`);
    default: throw unsupported(`${where}: attribute '${a.name}' of type ${a.type}`);
  }
}

// A ValueInfoProto -> { name, type, shape: (number | string | null)[] | null }.
function valueInfo(v) {
  const tt = v.type?.tensor_type;
  if (!tt) return { name: v.name, elem: null, shape: null };
  const shape = tt.shape ? tt.shape.dim.map((d) => (d.dim_value !== undefined ? d.dim_value : d.dim_param ?? null)) : null;
  return { name: v.name, elem: tt.elem_type ?? null, shape };
}

/**
 * Bytes -> { opset, producer, nodes, initializers: Map(name -> tensor),
 * inputs, outputs } (inputs: the graph inputs that are not initializers).
 */
export function readModel(bytes) {
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw new RnnError('INVALID_ARGUMENT', 'loadOnnx: bytes must be a Uint8Array or ArrayBuffer (an .onnx file\'s contents)');
  if (bytes.length === 0) throw bad('the file is empty');
  bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength); // a plain view (a Node Buffer's slice() does not copy)
  const m = decode(ONNX, 'ModelProto', bytes);
  if (!m.graph) throw bad('no graph in the file (is it an ONNX model?)');
  let opset = null;
  for (const o of m.opset_import) {
    const domain = o.domain ?? '';
    if (domain === '' || domain === 'ai.onnx') opset = o.version;
    else if (m.graph.node.some((n) => (n.domain ?? '') === domain)) throw unsupported(`operator set domain '${domain}' (only the default ONNX domain is supported)`);
  }
  if (opset == null) throw bad('no opset_import for the default domain');
  if (!(opset >= OPSETS[0] && opset <= OPSETS[1])) throw unsupported(`opset ${opset} of the default domain (this importer knows opsets ${OPSETS[0]} to ${OPSETS[1]})`);
  const g = m.graph;
  const initializers = new Map();
  for (const [k, t] of g.initializer.entries()) {
    const name = t.name ?? '';
    if (!name) throw bad(`initializer ${k} has no name`);
    if (initializers.has(name)) throw bad(`initializer '${name}' is defined twice`);
    initializers.set(name, readTensor(t, `initializer '${name}'`));
  }
  if (g.sparse_initializer.length) throw unsupported('sparse initializers');
  const defined = new Set(initializers.keys());
  const inputs = g.input.map(valueInfo).filter((v) => !initializers.has(v.name));
  for (const v of inputs) {
    if (!v.name) throw bad('a graph input has no name');
    if (defined.has(v.name)) throw bad(`graph input '${v.name}' is defined twice`);
    defined.add(v.name);
  }
  const nodes = g.node.map((n, k) => {
    const name = n.name || `${n.op_type ?? '?'}_${k}`;
    const where = `node '${name}' (${n.op_type ?? 'no op_type'})`;
    if (!n.op_type) throw bad(`node ${k} has no op_type`);
    const domain = n.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') throw unsupported(`${where}: domain '${domain}' (only the default ONNX domain is supported)`);
    const attrs = {};
    for (const a of n.attribute) {
      if (a.ref_attr_name) throw unsupported(`${where}: attribute references (functions)`);
      attrs[a.name] = attrValue(a, where);
    }
    return { op: n.op_type, name, where, inputs: n.input, outputs: n.output, attrs };
  });
  const outputs = g.output.map(valueInfo);
  if (!outputs.length) throw bad('the graph has no outputs');
  return { opset, producer: m.producer_name ?? '', nodes, initializers, inputs, outputs };
}
