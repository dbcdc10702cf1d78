// layer-classes.js - MERGE: a stand-in, in the final shape, for the
// module-level layer and optimizer classes (core first) that recurrent.js,
// layers.js and optim.js export after the issue-17 merge. Models and fit are
// written against that shape already: new LSTM(core, opts), new Adam(core,
// params, opts), clipGradNorm(core, params, maxNorm).
// MERGE: replace this whole file by
//   export { RNN, LSTM, GRU } from './recurrent.js';
//   export { Linear, Embedding, Dropout } from './layers.js';
//   export { Adam, AdamW, SGD, clipGradNorm } from './optim.js';
// and drop engineClasses (its one user is index.js, marked MERGE too).
import { makeLayerClasses } from './layers.js';
import { makeOptimizers } from './optim.js';
import { makeRecurrentClasses } from './recurrent.js';

const perEngine = new WeakMap();

/** MERGE: the classes the factories make for one engine, made once per engine. */
export function engineClasses(core) {
  let c = perEngine.get(core);
  if (!c) {
    c = Object.freeze({ ...makeRecurrentClasses(core), ...makeLayerClasses(core), ...makeOptimizers(core) });
    perEngine.set(core, c);
  }
  return c;
}

// new Stand(core, ...args) returns an instance of the engine's own class.
const coreFirst = (name) => ({
  [name]: class { constructor(core, ...args) { return new (engineClasses(core)[name])(...args); } },
})[name];

export const RNN = coreFirst('RNN');
export const LSTM = coreFirst('LSTM');
export const GRU = coreFirst('GRU');
export const Linear = coreFirst('Linear');
export const Embedding = coreFirst('Embedding');
export const Dropout = coreFirst('Dropout');
export const Adam = coreFirst('Adam');
export const AdamW = coreFirst('AdamW');
export const SGD = coreFirst('SGD');
export const clipGradNorm = (core, ...args) => engineClasses(core).clipGradNorm(...args);
