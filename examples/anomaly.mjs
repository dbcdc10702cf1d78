// anomaly.mjs - online anomaly detection on a real sensor stream: the NAB
// machine temperature series (data/timeseries/nab, 22,695 readings every 5
// minutes, 4 labelled anomaly windows; MIT, Numenta).
//
// Readings are averaged over 3 rows (15-minute points) and normalised with
// the training part's mean and standard deviation. A small LSTM forecaster
// (LSTM(1, hidden) -> Linear(hidden, 1)) learns to predict the next point on
// the first 40% of the series (fit with truncated BPTT over contiguous chunks).
// Then the whole series streams through it point by point with
// `lstm.stream({ batch: 1 })`, the state carried in wasm memory; a point's
// score is its forecast error over sigma (the RMS forecast error on the
// training part), and a score above --threshold raises an alarm. The method
// lives in shared/anomaly-core.js, which the course page uses too.
//
// Baseline: the rolling z-score of the raw value against the previous day
// (96 points), with the same threshold.
//
//   node examples/anomaly.mjs                 # full size (a few seconds)
//   node examples/anomaly.mjs --epochs 5      # quicker
//   node examples/anomaly.mjs --int8          # also stream the int8 model (model.quantize())
//
// Final line: windows_hit=... false_alarms=... points_per_s=...
// baseline_windows_hit=... baseline_false_alarms=... (and the held-out part's
// share of each: heldout_*, with the number of windows there), windows=4 threshold=... val_mse=...
// (with --int8: int8_windows_hit=... int8_hit=<windows, e.g. 0+1+3> int8_false_alarms=..., and hit=... for float32)
import { ForecastDetector, evaluateAlarms, prepareNab, rollingZScore } from '../shared/anomaly-core.js';
import { cpuSeconds, fmt, finalLine, loadRnn, parseFlags, readRepoFile, timer } from './common.mjs';

const flags = parseFlags({
  cell: 'LSTM', hidden: 32, epochs: 30, lr: 0.005, threshold: 4, baselineWindow: 96, seed: 2, int8: false,
}, 'node examples/anomaly.mjs [flags]: LSTM forecaster + streaming anomaly detection on NAB machine temperature');

const rnn = await loadRnn();
if (!['RNN', 'LSTM', 'GRU'].includes(flags.cell)) throw new Error(`--cell must be RNN, LSTM or GRU, got ${flags.cell}`);

const nab = prepareNab(readRepoFile('data/timeseries/nab/machine_temperature_system_failure.csv'), rnn.data);
const { series, raw, nTrain, info } = nab;
console.log(`NAB machine temperature: ${info.rows} readings -> ${info.points} points of ${info.minutes} minutes; ` +
  `first ${nTrain} points train (${nab.train.length} TBPTT chunks of ${info.batchSize} x ${info.k}); ` +
  `${nab.windows.length} labelled windows at points ${nab.windows.map(([a, b]) => `${a}-${b}`).join(', ')}`);

const model = new rnn.Sequential([
  new rnn[flags.cell]({ inputSize: 1, hiddenSize: flags.hidden, batchFirst: true, seed: flags.seed }),
  new rnn.Linear({ inFeatures: flags.hidden, outFeatures: 1, seed: flags.seed + 1 }),
]);

const elapsed = timer();
const history = await rnn.fit(model, {
  train: nab.train, val: nab.val, loss: 'mse', tbptt: true, epochs: flags.epochs,
  optimizer: { type: 'adam', lr: flags.lr }, clipGradNorm: 1, seed: flags.seed,
  onProgress: (p) => {
    if (p.epochEnd && (p.epoch % 5 === 4 || p.epoch === flags.epochs - 1)) {
      console.log(`epoch ${p.epoch + 1}: train MSE ${fmt(p.loss)} val MSE ${fmt(p.valLoss)}`);
    }
  },
});
const trainSeconds = elapsed();
model.eval();

// Stream every point through the trained model, one step at a time.
const [cell, head] = model.layers;
function detect() {
  const detector = new ForecastDetector({ cell, head, series, nTrain });
  const t0 = performance.now();
  detector.advance();
  const seconds = (performance.now() - t0) / 1000;
  detector.dispose();
  return { score: detector.score, seconds };
}
const { score, seconds: streamSeconds } = detect();
let int8 = {};
if (flags.int8) { // the same stream with int8 weights (sigma is re-measured the same way)
  await rnn.loadInt8(); // the int8 code, fetched on first use
  model.quantize();
  const q = evaluateAlarms(detect().score, flags.threshold, nab);
  model.dequantize();
  int8 = { int8_windows_hit: q.windowsHit, int8_hit: q.hit.join('+') || 'none', int8_false_alarms: q.falseAlarms };
}

const zBase = rollingZScore(raw, flags.baselineWindow);
const all = evaluateAlarms(score, flags.threshold, nab);
const base = evaluateAlarms(zBase, flags.threshold, nab);
const heldout = evaluateAlarms(score, flags.threshold, nab, { from: nTrain });
const baseHeldout = evaluateAlarms(zBase, flags.threshold, nab, { from: nTrain });
const describe = (r) => `${r.alarms} alarms, ${r.inside} inside a window, windows hit ${r.windowsHit}/${r.windows} [${r.hit.join(',')}], false alarms ${r.falseAlarms}`;
console.log(`${flags.cell} forecaster, |error| > ${flags.threshold} sigma: ${describe(all)} (held-out part: ${describe(heldout)})`);
console.log(`rolling z-score baseline (${flags.baselineWindow} points), |z| > ${flags.threshold}: ${describe(base)} (held-out part: ${describe(baseHeldout)})`);
console.log(`streamed ${series.length} points in ${(streamSeconds * 1000).toFixed(1)} ms`);
model.dispose();

finalLine({
  cell: flags.cell, windows: all.windows, threshold: flags.threshold,
  val_mse: history.epochs.at(-1)?.valLoss ?? NaN,
  baseline_windows_hit: base.windowsHit, baseline_false_alarms: base.falseAlarms,
  heldout_windows: heldout.windows, heldout_windows_hit: heldout.windowsHit, heldout_false_alarms: heldout.falseAlarms,
  baseline_heldout_windows_hit: baseHeldout.windowsHit, baseline_heldout_false_alarms: baseHeldout.falseAlarms,
  train_seconds: trainSeconds, cpu_seconds: cpuSeconds(),
  windows_hit: all.windowsHit, false_alarms: all.falseAlarms, points_per_s: Math.round(series.length / streamSeconds),
  ...(flags.int8 ? { hit: all.hit.join('+') || 'none', ...int8 } : {}),
});
