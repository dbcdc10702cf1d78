// anomaly-core.js - online anomaly detection on the NAB machine-temperature
// series, shared by examples/anomaly.mjs (Node) and the course page's
// playground (browser). No DOM and no import of the library: callers pass
// the library's `data` helpers and their trained layers, so one copy of the
// method serves both.
//
// The method: an RNN forecaster is trained (elsewhere, with fit and truncated
// BPTT) to predict the next normalised reading on the first part of the
// series; then every reading streams through it one step at a time
// (`layer.stream`, state carried in wasm memory). A reading's anomaly score is
// its forecast error divided by sigma, the RMS forecast error over the
// training part; a score above the threshold raises an alarm.

export const NAB_DEFAULTS = Object.freeze({ factor: 3, k: 32, batchSize: 8, trainFraction: 0.4 });

// Forecasting batches over [from, to): B contiguous streams cut into chunks
// of k steps (x = series[s..s+k), y = series[s+1..s+k+1)), so chunk c of
// stream b continues chunk c - 1 of stream b, as truncated BPTT needs.
function contiguousChunks(series, from, to, B, k) {
  const per = Math.floor((to - from - 1) / B), chunks = Math.floor(per / k);
  const out = [];
  for (let c = 0; c < chunks; c++) {
    const x = new Float32Array(B * k), y = new Float32Array(B * k);
    for (let b = 0; b < B; b++) {
      const s = from + b * per + c * k;
      x.set(series.subarray(s, s + k), b * k);
      y.set(series.subarray(s + 1, s + k + 1), b * k);
    }
    out.push({ x: { shape: [B, k, 1], data: x }, y: { shape: [B, k, 1], data: y } });
  }
  return out;
}

/**
 * The NAB CSV (timestamp,value,anomaly_window,anomaly_label) averaged over
 * `factor` rows per point, normalised with the training part's mean and
 * standard deviation, with the labelled windows as point ranges and the
 * training / validation chunks for fit.
 */
export function prepareNab(csvText, data, options = {}) {
  const { factor, k, batchSize, trainFraction } = { ...NAB_DEFAULTS, ...options };
  const csv = data.readCsv(csvText);
  const values = data.column(csv, 'value');
  const stamps = data.column(csv, 'timestamp', String);
  const inWindow = data.column(csv, 'anomaly_window');
  const n = Math.floor(values.length / factor);
  const raw = new Float32Array(n), time = new Float64Array(n), window = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0, w = 0;
    for (let j = i * factor; j < (i + 1) * factor; j++) { s += values[j]; w |= inWindow[j]; }
    raw[i] = s / factor;
    window[i] = w;
    time[i] = Date.parse(`${stamps[i * factor].replace(' ', 'T')}Z`) / 1000;
  }
  // Labelled windows as [first, last] point indices; windowOf[t] = its index or -1.
  const windows = [];
  const windowOf = new Int16Array(n).fill(-1);
  for (let t = 0; t < n; t++) {
    if (!window[t]) continue;
    if (t === 0 || !window[t - 1]) windows.push([t, t]);
    windows[windows.length - 1][1] = t;
    windowOf[t] = windows.length - 1;
  }
  const nTrain = Math.floor(n * trainFraction);
  const norm = data.normalizer(raw.subarray(0, nTrain));
  const series = norm.apply(raw);
  return {
    series, raw, time, window, windows, windowOf, mean: norm.mean, std: norm.std, nTrain,
    train: contiguousChunks(series, 0, nTrain, batchSize, k),
    val: contiguousChunks(series, nTrain, n, 4, k),
    info: { rows: values.length, points: n, factor, nTrain, minutes: 5 * factor, k, batchSize },
  };
}

/**
 * Streams a series through a trained recurrent layer and a Linear(H, 1) head,
 * one point per step, in as many advance() calls as the caller likes (the page
 * does a few dozen per animation frame). After point t has been seen:
 * pred[t + 1] is the forecast of series[t + 1], err[t] = series[t] - pred[t],
 * sigma[t] the error scale used for point t (0 until minCount training-part
 * errors have been seen), score[t] = |err[t]| / sigma[t] (0 while sigma is 0).
 * Nothing is allocated per step.
 */
export class ForecastDetector {
  constructor({ cell, head, series, nTrain, minCount = 50 }) {
    const sd = head.stateDict();
    this.w = Float32Array.from(sd.weight.data);
    this.b = sd.bias ? sd.bias.data[0] : 0;
    this.H = this.w.length;
    this.stream = cell.stream({ batch: 1 });
    this.series = series;
    this.nTrain = nTrain;
    this.minCount = minCount;
    const N = series.length;
    this.pred = new Float32Array(N);
    this.err = new Float32Array(N);
    this.sigma = new Float32Array(N);
    this.score = new Float32Array(N);
    this.h = new Float32Array(this.H);
    this.x = new Float32Array(1);
    this.done = 0;
    this.sumSq = 0;
    this.count = 0;
  }

  /** Processes up to `steps` more points; returns how many have been seen. */
  advance(steps = Infinity) {
    const { series, pred, err, sigma, score, w, h, x } = this;
    const end = Math.min(series.length, this.done + steps);
    for (let t = this.done; t < end; t++) {
      if (t > 0) {
        err[t] = series[t] - pred[t];
        // The error scale comes from the training part only (so far, while streaming it).
        if (t < this.nTrain) { this.sumSq += err[t] * err[t]; this.count++; }
        sigma[t] = this.count > this.minCount ? Math.sqrt(this.sumSq / this.count) : 0;
        score[t] = sigma[t] > 0 ? Math.abs(err[t]) / sigma[t] : 0;
      }
      x[0] = series[t];
      this.stream.step(x, h);
      if (t + 1 < series.length) {
        let y = this.b;
        for (let j = 0; j < this.H; j++) y += w[j] * h[j];
        pred[t + 1] = y;
      }
    }
    this.done = end;
    return end;
  }

  dispose() {
    this.stream.dispose();
  }
}

/**
 * The trivial baseline: the rolling z-score of the raw value against the
 * mean and standard deviation of the previous `window` points (0 before).
 */
export function rollingZScore(raw, window = 96) {
  const z = new Float32Array(raw.length);
  let sum = 0, sumSq = 0;
  for (let t = 0; t < raw.length; t++) {
    if (t >= window) {
      const mean = sum / window;
      const sd = Math.sqrt(Math.max(0, sumSq / window - mean * mean));
      z[t] = sd > 0 ? Math.abs(raw[t] - mean) / sd : 0;
      sum -= raw[t - window];
      sumSq -= raw[t - window] * raw[t - window];
    }
    sum += raw[t];
    sumSq += raw[t] * raw[t];
  }
  return z;
}

/**
 * Alarms are the points in [from, to) whose score exceeds threshold. Returns
 * the alarm count, how many fall inside a labelled window, the false alarms
 * (outside every window), and the windows with at least one alarm.
 */
export function evaluateAlarms(score, threshold, { windows, windowOf }, { from = 0, to = score.length } = {}) {
  let alarms = 0, inside = 0;
  const hit = new Set();
  for (let t = from; t < to; t++) {
    if (!(score[t] > threshold)) continue;
    alarms++;
    if (windowOf[t] >= 0) { inside++; hit.add(windowOf[t]); }
  }
  // The windows that overlap [from, to): the ones that could be hit.
  const inRange = windows.filter(([a, b]) => b >= from && a < to).length;
  return { alarms, inside, falseAlarms: alarms - inside, windowsHit: hit.size, windows: inRange, hit: [...hit].sort((a, b) => a - b) };
}
