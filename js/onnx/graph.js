// onnx/graph.js - builds an ONNX graph node by node (the export's writer):
// unique value names, initializers, int64 constants, attributes typed from
// their JS values, subgraphs (a Scan's body) sharing the model's names, and
// the ModelProto bytes at the end (protobuf.js with schema.js's tables).
import { encode } from './protobuf.js';
import { ONNX, DATA_TYPE, ATTRIBUTE_TYPE, IR_VERSION, OPSET } from './schema.js';

const A = ATTRIBUTE_TYPE;

/** A float attribute (a bare JS number is an INT one). */
export const float = (v) => ({ float: v });
/** A FLOATS attribute. */
export const floats = (v) => ({ floats: v });

function attribute(name, v) {
  if (typeof v === 'number') return { name, type: A.INT, i: v };
  if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return { name, type: A.INTS, ints: v };
  if (Array.isArray(v)) return { name, type: A.STRINGS, strings: v.map((s) => new TextEncoder().encode(s)) };
  if ('float' in v) return { name, type: A.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: A.FLOATS, floats: v.floats };
  return { name, type: A.GRAPH, g: v.toProto() }; // a Graph
}

// float32 values as raw_data: little-endian whatever the host's order
function le32(data) {
  const out = new Uint8Array(4 * data.length), dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i], true);
  return out;
}

const dimProto = (d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d });

/** ValueInfoProto of a tensor: dims are numbers or names of dynamic axes. */
export const valueInfo = (name, elemType, dims, doc) => ({
  name, doc_string: doc,
  type: { tensor_type: { elem_type: elemType, shape: dims && { dim: dims.map(dimProto) } } },
});

export class Graph {
  /** @param {string} name  @param {Graph} [parent] a subgraph shares its parent's names */
  constructor(name, parent = null) {
    this.name = name;
    this.names = parent ? parent.names : new Set();
    this.root = parent ? parent.root : this;
    this.nodes = [];
    this.initializers = [];
    this.inputs = [];
    this.outputs = [];
    this.constants = parent ? parent.constants : new Map();
  }

  /** A value name not used yet, from a readable base. */
  unique(base) {
    let name = base, k = 1;
    while (this.names.has(name)) name = `${base}_${k++}`;
    this.names.add(name);
    return name;
  }

  /** A float32 initializer (in the root graph, where subgraphs see it too). */
  weight(base, dims, data) {
    const name = this.root.unique(base);
    this.root.initializers.push({ name, dims, data_type: DATA_TYPE.FLOAT, raw_data: le32(data) });
    return name;
  }

  /** An int64 1-D constant (shapes, axes, indices; scalar: one value, rank 0),
   *  one initializer per value list. */
  ints(values, scalar = false) {
    const key = `${scalar ? 's' : 'i'}${values.join(',')}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.root.unique(`const_${scalar ? 's' : ''}${values.map((v) => (v < 0 ? `m${-v}` : v)).join('_') || 'empty'}`);
      this.root.initializers.push({ name, dims: scalar ? [] : [values.length], data_type: DATA_TYPE.INT64, int64_data: values });
      this.constants.set(key, name);
    }
    return name;
  }

  /** A float32 scalar constant. */
  scalar(v) {
    const key = `f${v}`;
    let name = this.constants.get(key);
    if (!name) {
      name = this.root.unique(`const_f${String(v).replace(/[^0-9a-z]/gi, '_')}`);
      this.root.initializers.push({ name, dims: [], data_type: DATA_TYPE.FLOAT, raw_data: le32([v]) });
      this.constants.set(key, name);
    }
    return name;
  }

  /**
   * Adds a node; returns its output's name, or an array of names when it has
   * several (outputs: how many, or their names).
   */
  op(type, inputs, attrs = {}, outputs = 1) {
    const out = Array.isArray(outputs) ? outputs
      : Array.from({ length: outputs }, (_, k) => this.unique(`${type}${this.nodes.length}${outputs > 1 ? `_${k}` : ''}`));
    this.nodes.push({
      op_type: type, input: inputs, output: out, name: this.unique(`${type}_node${this.nodes.length}`),
      attribute: Object.entries(attrs).filter(([, v]) => v !== undefined).map(([k, v]) => attribute(k, v)),
    });
    return out.length === 1 ? out[0] : out;
  }

  input(name, elemType, dims, doc) { this.inputs.push(valueInfo(name, elemType, dims, doc)); return name; }
  output(name, elemType, dims, doc) { this.outputs.push(valueInfo(name, elemType, dims, doc)); return name; }

  toProto() {
    return { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs };
  }

  /** The ModelProto's bytes. */
  toModel({ producerVersion, docString } = {}) {
    return encode(ONNX, 'ModelProto', {
      ir_version: IR_VERSION,
      producer_name: 'rnn-wasm',
      producer_version: producerVersion,
      doc_string: docString,
      opset_import: [{ domain: '', version: OPSET }],
      graph: this.toProto(),
    });
  }
}
