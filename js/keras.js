// keras.js - TensorFlow.js / Keras LayersModel import and export, loaded on
// demand: rnn.loadLayersModel and rnn.toLayersModel (index.js) import this
// module the first time they are called, so `init()` alone does not fetch it.
//   const model = await rnn.loadLayersModel('https://.../model.json');
//   model.forward(ids);                       // what TF.js's predict gives
//   const { files } = await rnn.toLayersModel(model);
// Parts: keras/artifacts.js (the files), topology.js (the chain of layers),
// build.js (layers -> steps), ops.js (the steps), model.js (LayersModel),
// export.js, weights.js (the weight mapping), activations.js.
import { disposeOnThrow } from './container.js';
import { checkKnown, intOption } from './options.js';
import { readLayersModel } from './keras/artifacts.js';
import { buildOps } from './keras/build.js';
import { toLayersModel } from './keras/export.js';
import { LayersModel } from './keras/model.js';
import { layerChain } from './keras/topology.js';

export { LayersModel, toLayersModel };

LayersModel.prototype.toLayersModel = function toLayersModelMethod(options) { return toLayersModel(this, options); };

/**
 * Reads a TF.js LayersModel (see keras/artifacts.js for the sources) and
 * builds it: a LayersModel in evaluation mode. options: { fetch, seed }
 * (seed: the dropout generators'). Nothing is left allocated on failure.
 */
export async function loadLayersModel(core, source, options = {}) {
  checkKnown(options ?? {}, ['fetch', 'seed'], 'loadLayersModel');
  const seed = intOption(options ?? {}, 'seed', 'loadLayersModel', { min: 0, max: 2 ** 32 - 1, def: 0 });
  const { topology, weights, warnings } = await readLayersModel(source, options?.fetch ?? globalThis.fetch);
  const layers = layerChain(topology);
  const model = disposeOnThrow((keep) => {
    const keras3 = /^3\./.test(topology.kerasVersion); // its hard_sigmoid is relu6(x + 3) / 6
    const { ops, input } = buildOps(core, layers, { weights, warnings, seed, keep, keras3 });
    return new LayersModel(ops, input, warnings);
  });
  return model.eval();
}
