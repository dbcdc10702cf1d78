// timeseries.js - time series: a normalizer (mean / std) and sliding
// windows of inputs and horizons.
import { RnnError } from '../errors.js';
import { checkKnown, intOption } from '../options.js';
import { bad, isArrayLike, typeName } from './checks.js';

function numbers(values, what, name) {
  const v = (values !== null && typeof values === 'object' && !isArrayLike(values) && 'data' in values)
    ? values.data : values;
  if (!isArrayLike(v)) throw bad(`${what}: ${name} must be an array of numbers, got ${typeName(values)}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) {
      throw bad(`${what}: ${name}[${i}] = ${v[i]} is not a finite number`);
    }
  }
  return v;
}

/**
 * z-score normalization fitted on values (an array, typed array or the data
 * of a tensor): mean and population std (divided by n; a constant series has
 * std 1). apply(v) = (v - mean) / std and invert(v) = v * std + mean return
 * Float32Arrays. Fit on the training part only.
 */
export function normalizer(values) {
  const what = 'normalizer';
  const v = numbers(values, what, 'values');
  if (v.length === 0) throw bad(`${what}: values is empty`);
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i];
  const mean = sum / v.length;
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += (v[i] - mean) ** 2;
  let std = Math.sqrt(ss / v.length);
  if (!(std > 0)) std = 1;
  return Object.freeze({
    mean,
    std,
    apply(x) {
      const a = numbers(x, 'normalizer.apply', 'v');
      return Float32Array.from(a, (e) => (e - mean) / std);
    },
    invert(x) {
      const a = numbers(x, 'normalizer.invert', 'v');
      return Float32Array.from(a, (e) => e * std + mean);
    },
  });
}

/**
 * Supervised windows of a series, batch-first: each window of options.window
 * steps predicts the next options.horizon (default 1) steps; windows start
 * every options.stride (default 1) steps, N = floor((T - window - horizon) /
 * stride) + 1.
 *   series [T] (array, typed array or tensor): x [N, window, 1], y [N, horizon]
 *   series tensor [T, C]:                        x [N, window, C], y [N, horizon, C]
 */
export function slidingWindows(series, options = {}) {
  const what = 'slidingWindows';
  checkKnown(options, ['window', 'horizon', 'stride'], what);
  let T, C, v, multi;
  if (isArrayLike(series)) {
    v = numbers(series, what, 'series');
    T = v.length, C = 1, multi = false;
  } else if (series !== null && typeof series === 'object' && 'shape' in series && 'data' in series) {
    const { shape } = series;
    if (!Array.isArray(shape) || (shape.length !== 1 && shape.length !== 2)) {
      throw new RnnError('SHAPE', `${what}: a series tensor must have shape [T] or [T, C], got [${shape}]`);
    }
    v = numbers(series.data, what, 'series.data');
    T = shape[0], C = shape.length === 2 ? shape[1] : 1, multi = shape.length === 2;
    if (!Number.isInteger(T) || T < 0 || !Number.isInteger(C) || C < 1) {
      throw new RnnError('SHAPE', `${what}: a series tensor must have shape [T] or [T, C] with C >= 1, got [${shape}]`);
    }
    if (v.length !== T * C) throw new RnnError('SHAPE', `${what}: series.data has ${v.length} values but shape [${shape}] needs ${T * C}`);
  } else {
    throw bad(`${what}: series must be an array of numbers or a tensor [T] / [T, C], got ${typeName(series)}`);
  }
  const window = intOption(options, 'window', what, { min: 1 });
  const horizon = intOption(options, 'horizon', what, { min: 1, def: 1 });
  const stride = intOption(options, 'stride', what, { min: 1, def: 1 });
  if (T < window + horizon) {
    throw new RnnError('SHAPE', `${what}: a series of ${T} steps is too short for window ${window} + horizon ${horizon}`);
  }
  const N = Math.floor((T - window - horizon) / stride) + 1;
  const x = new Float32Array(N * window * C), y = new Float32Array(N * horizon * C);
  for (let i = 0; i < N; i++) {
    const s = i * stride * C;
    for (let k = 0; k < window * C; k++) x[i * window * C + k] = v[s + k];
    for (let k = 0; k < horizon * C; k++) y[i * horizon * C + k] = v[s + window * C + k];
  }
  return {
    x: { shape: [N, window, C], data: x },
    y: { shape: multi ? [N, horizon, C] : [N, horizon], data: y },
  };
}
