// onnx_lstm.mjs - writes a one-node ONNX recurrent model (ModelProto,
// protobuf wire format) by hand, so the onnxruntime-web benchmark needs
// neither Python nor the `onnx` package. The graph is a single `LSTM`, `GRU`
// or `RNN` operator (opset 14) with the weights as initializers:
//   inputs  X [T, B, I], and with `state: true` initial_h (and initial_c) [1, B, H]
//   outputs Y [T, 1, B, H] (whole-sequence model) or Y_h (and Y_c) [1, B, H]
// matmulModel writes a one-node MatMul (bench/cliffs.mjs).
// Weights are given in PyTorch's layout (weight_ih [gH, I], weight_hh [gH, H],
// bias_ih, bias_hh [gH]) and their gate blocks reordered to ONNX's (LSTM
// i, f, g, o -> i, o, f, c; GRU r, z, n -> z, r, h with linear_before_reset,
// PyTorch's form), so the model computes exactly nn.LSTM's / nn.GRU's /
// nn.RNN's (tanh) function.

// --- the package's protobuf writer (js/onnx/protobuf.js), with this file's short names
import { ProtoWriter, WIRE } from '../../js/onnx/protobuf.js';

class Writer extends ProtoWriter {
  int(field, v) { return this.tag(field, WIRE.VARINT).varint(v); }
  str(field, s) { return this.len(field, s); }
  msg(field, w) { return this.len(field, w); }
}

const FLOAT = 1; // TensorProto.DataType

function tensorProto(name, dims, data) {
  const w = new Writer();
  for (const d of dims) w.int(1, d);            // dims
  w.int(2, FLOAT);                               // data_type
  w.str(8, name);                                // name
  w.len(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength)); // raw_data (little-endian)
  return w;
}

function valueInfo(name, dims) {
  const shape = new Writer();
  for (const d of dims) shape.msg(1, new Writer().int(1, d)); // dim { dim_value }
  const tensorType = new Writer().int(1, FLOAT).msg(2, shape); // elem_type, shape
  const type = new Writer().msg(1, tensorType);                // TypeProto.tensor_type
  return new Writer().str(1, name).msg(2, type);
}

function intAttribute(name, v) {
  return new Writer().str(1, name).int(3, v).int(20, 2); // i, type INT
}

// ONNX gate block k takes PyTorch block ORDER[cell][k].
const ORDER = { LSTM: [0, 3, 1, 2], GRU: [1, 0, 2], RNN: [0] };

/** PyTorch gate blocks -> ONNX's order for cell, rows of `cols` floats. */
function reorderGates(src, cell, H, cols) {
  const dst = new Float32Array(src.length);
  ORDER[cell].forEach((from, k) => dst.set(src.subarray(from * H * cols, (from + 1) * H * cols), k * H * cols));
  return dst;
}

/**
 * Bytes of an ONNX model running one recurrent layer.
 * { cell: 'LSTM' (default) | 'GRU' | 'RNN', T, B, I, H, weights: { weight_ih,
 *   weight_hh, bias_ih, bias_hh } (Float32Array, PyTorch layout), state: false
 *   -> X in, Y out; true -> X, h0 (, c0) in, hN (, cN) out }
 */
export function recurrentModel({ cell = 'LSTM', T, B, I, H, weights, state }) {
  const g = ORDER[cell].length;
  const lstm = cell === 'LSTM';
  const Bias = new Float32Array(2 * g * H);
  Bias.set(reorderGates(weights.bias_ih, cell, H, 1), 0);
  Bias.set(reorderGates(weights.bias_hh, cell, H, 1), g * H);

  const node = new Writer();
  const states = lstm ? ['h0', 'c0'] : ['h0'];
  for (const n of ['X', 'W', 'R', 'B'].concat(state ? ['', ...states] : [])) node.str(1, n);
  for (const n of state ? ['', ...states.map((s) => s.replace('0', 'N'))] : ['Y']) node.str(2, n);
  node.str(3, cell.toLowerCase()).str(4, cell).msg(5, intAttribute('hidden_size', H));
  if (cell === 'GRU') node.msg(5, intAttribute('linear_before_reset', 1));

  const graph = new Writer();
  graph.msg(1, node).str(2, `rnn_wasm_bench_${cell.toLowerCase()}`);
  graph.msg(5, tensorProto('W', [1, g * H, I], reorderGates(weights.weight_ih, cell, H, I)));
  graph.msg(5, tensorProto('R', [1, g * H, H], reorderGates(weights.weight_hh, cell, H, H)));
  graph.msg(5, tensorProto('B', [1, 2 * g * H], Bias));
  graph.msg(11, valueInfo('X', [T, B, I]));
  if (state) {
    for (const n of states) graph.msg(11, valueInfo(n, [1, B, H]));
    for (const n of states) graph.msg(12, valueInfo(n.replace('0', 'N'), [1, B, H]));
  } else {
    graph.msg(12, valueInfo('Y', [T, 1, B, H]));
  }

  const model = new Writer();
  model.int(1, 8);                                    // ir_version 8
  model.str(2, 'rnn-wasm bench');                     // producer_name
  model.msg(7, graph);                                // graph
  model.msg(8, new Writer().str(1, '').int(2, 14));   // opset_import { domain "", version 14 }
  return model.finish();
}

/** One LSTM layer (recurrentModel with cell 'LSTM'). */
export const lstmModel = (spec) => recurrentModel({ ...spec, cell: 'LSTM' });

/**
 * Bytes of an ONNX model computing Y = A * B (one `MatMul`), A [M, K] an
 * input, B [K, N] an initializer (bench/cliffs.mjs: subnormal inputs).
 */
export function matmulModel({ M, K, N, b }) {
  const node = new Writer().str(1, 'A').str(1, 'B').str(2, 'Y').str(3, 'matmul').str(4, 'MatMul');
  const graph = new Writer();
  graph.msg(1, node).str(2, 'rnn_wasm_bench_matmul');
  graph.msg(5, tensorProto('B', [K, N], b));
  graph.msg(11, valueInfo('A', [M, K]));
  graph.msg(12, valueInfo('Y', [M, N]));
  const model = new Writer();
  model.int(1, 8);
  model.str(2, 'rnn-wasm bench');
  model.msg(7, graph);
  model.msg(8, new Writer().str(1, '').int(2, 14));
  return model.finish();
}
