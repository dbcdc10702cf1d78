// onnx.js - ONNX import, loaded on demand: rnn.loadOnnx (index.js) imports
// this module the first time it is called, so `init()` alone does not fetch it.
//   const model = await rnn.loadOnnx(bytes);   // an .onnx file's contents
//   model.run({ x });                          // every output, by name
//   model.forward(x);                          // the first output (fit's form)
// Parts: onnx/protobuf.js + schema.js (the wire format), read.js (the file ->
// nodes and tensors), build.js (nodes -> steps on rnn-wasm layers),
// cells.js (RNN / GRU / LSTM nodes), glue.js (the other operators), model.js
// (OnnxModel).
import { disposeOnThrow } from './container.js';
import { RnnError } from './errors.js';
import { checkKnown, intOption } from './options.js';
import { buildSteps } from './onnx/build.js';
import { OnnxModel } from './onnx/model.js';
import { readModel } from './onnx/read.js';

export { OnnxModel };

/**
 * Reads an ONNX model (bytes: Uint8Array | ArrayBuffer) and builds it: an
 * OnnxModel in evaluation mode. options: { seed } (the layers' generators,
 * used by nothing at inference). Nothing is left allocated on failure.
 */
export async function loadOnnx(core, bytes, options = {}) {
  checkKnown(options ?? {}, ['seed'], 'loadOnnx');
  const seed = intOption(options ?? {}, 'seed', 'loadOnnx', { min: 0, max: 2 ** 32 - 1, def: 0 });
  if (bytes != null && typeof bytes === 'object' && ArrayBuffer.isView(bytes) && !(bytes instanceof Uint8Array)) {
    bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  let graph;
  try {
    graph = readModel(bytes);
  } catch (e) {
    if (e instanceof RnnError) throw e;
    throw new RnnError('FORMAT', `loadOnnx: ${e.message}`); // e.g. a RangeError deep in a malformed file
  }
  const model = disposeOnThrow((keep) => new OnnxModel(graph, buildSteps(core, graph, { seed, keep })));
  return model.eval();
}
