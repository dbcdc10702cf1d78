// keras/activations.js - the Keras / TF.js activation functions a Dense or
// Activation layer names, each with its derivative for backward (computed
// from the input x and the output y). Values are computed in double and
// stored as float32 with subnormals flushed (the engine's rule, tensor.js).
import { RnnError } from '../errors.js';
import { flushF32 } from '../tensor.js';

const sigmoid = (v) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const SELU_A = 1.6732632423543772, SELU_S = 1.0507009873554805;

// name -> [f(x), f'(x, y)] elementwise.
const POINTWISE = {
  linear: [(x) => x, () => 1],
  relu: [(x) => (x > 0 ? x : 0), (x) => (x > 0 ? 1 : 0)],
  relu6: [(x) => Math.min(Math.max(x, 0), 6), (x) => (x > 0 && x < 6 ? 1 : 0)],
  elu: [(x) => (x > 0 ? x : Math.expm1(x)), (x, y) => (x > 0 ? 1 : y + 1)],
  selu: [(x) => SELU_S * (x > 0 ? x : SELU_A * Math.expm1(x)), (x) => SELU_S * (x > 0 ? 1 : SELU_A * Math.exp(x))],
  sigmoid: [sigmoid, (x, y) => y * (1 - y)],
  // TF.js and Keras 2: clip(0.2 x + 0.5, 0, 1)
  hard_sigmoid: [(x) => Math.min(Math.max(0.2 * x + 0.5, 0), 1), (x) => (x > -2.5 && x < 2.5 ? 0.2 : 0)],
  // Keras 3: relu6(x + 3) / 6 (the name Keras 3 files call hard_sigmoid)
  hard_sigmoid_keras3: [(x) => Math.min(Math.max(x + 3, 0), 6) / 6, (x) => (x > -3 && x < 3 ? 1 / 6 : 0)],
  tanh: [Math.tanh, (x, y) => 1 - y * y],
  softplus: [(x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))), sigmoid],
  softsign: [(x) => x / (1 + Math.abs(x)), (x) => 1 / (1 + Math.abs(x)) ** 2],
  swish: [(x) => x * sigmoid(x), (x) => { const s = sigmoid(x); return s + x * s * (1 - s); }],
};

/** Names this module implements (softmax over the last axis besides the pointwise ones). */
export const ACTIVATIONS = [...Object.keys(POINTWISE), 'softmax'];

/** Throws UNSUPPORTED naming the layer when `name` is not implemented. */
export function checkActivation(name, where) {
  if (!ACTIVATIONS.includes(name)) {
    throw new RnnError('UNSUPPORTED', `${where}: activation ${JSON.stringify(name)} is not supported (supported: ${ACTIVATIONS.join(', ')})`);
  }
}

/** y = act(x) over a flat array whose last axis has `last` values. */
export function activate(name, x, last) {
  const y = new Float32Array(x.length);
  if (name === 'softmax') {
    for (let r = 0; r < x.length; r += last) {
      let max = -Infinity, sum = 0;
      for (let j = 0; j < last; j++) max = Math.max(max, x[r + j]);
      const e = new Float64Array(last);
      for (let j = 0; j < last; j++) sum += (e[j] = Math.exp(x[r + j] - max));
      for (let j = 0; j < last; j++) y[r + j] = flushF32(e[j] / sum);
    }
    return y;
  }
  const [f] = POINTWISE[name];
  for (let i = 0; i < x.length; i++) y[i] = flushF32(f(x[i]));
  return y;
}

/** d loss / d x from dy, the input x and the output y of activate. */
export function activateBackward(name, x, y, dy, last) {
  const dx = new Float32Array(x.length);
  if (name === 'linear') { dx.set(dy); return dx; }
  if (name === 'softmax') {
    for (let r = 0; r < x.length; r += last) {
      let dot = 0;
      for (let j = 0; j < last; j++) dot += dy[r + j] * y[r + j];
      for (let j = 0; j < last; j++) dx[r + j] = flushF32(y[r + j] * (dy[r + j] - dot));
    }
    return dx;
  }
  const [, df] = POINTWISE[name];
  for (let i = 0; i < x.length; i++) dx[i] = flushF32(dy[i] * df(x[i], y[i]));
  return dx;
}
