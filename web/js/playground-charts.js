// playground-charts.js - the playground's two uPlot charts (charts.js does
// the theming and sizing): the training loss (per step, smoothed, and the
// validation loss at each epoch's end) and the anomaly view (the readings,
// the model's forecast, the flagged readings, the labelled windows shaded).
import { chart } from './charts.js';
import { palette } from './util.js';

const chartHeight = (desktop) => () => (window.innerWidth < 640 ? 220 : desktop);

/** The loss chart in container; setData(lossChartData(run)). */
export function lossChart(container) {
  return chart(container, (p, axis) => ({
    scales: { x: { time: false, range: (u, lo, hi) => [lo == null ? 0 : Math.max(0, lo - 1), hi == null ? 1 : hi + Math.max(2, (hi - lo) * 0.03)] }, y: { range: (u, lo, hi) => [Math.max(0, lo - (hi - lo) * 0.05), hi + (hi - lo) * 0.05 || 1] } },
    axes: [axis(p, 'training step'), axis(p, 'loss', { size: 52 })],
    series: [
      {},
      { label: 'loss per step', stroke: p.dark ? 'rgba(139,140,248,.35)' : 'rgba(67,56,202,.25)', width: 1, points: { show: false } },
      { label: 'smoothed', stroke: p.accent, width: 2.5, points: { show: false } },
      { label: 'validation', stroke: p.warn, width: 0, points: { show: true, size: 8, fill: p.warn, stroke: p.warn }, paths: () => null },
    ],
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
  }), [[], [], [], []], { height: chartHeight(290), title: 'Training loss by step' });
}

/** A run's records as the loss chart's series: steps, loss, smoothed loss, validation loss (at its step). */
export function lossChartData(run) {
  const val = new Array(run.steps.length).fill(null);
  for (const v of run.val) {
    if (v.valLoss == null) continue;
    const i = run.steps.lastIndexOf(v.step);
    if (i >= 0) val[i] = v.valLoss;
  }
  return [run.steps, run.loss, run.ema, val];
}

/**
 * The anomaly chart in container; data: [time, reading, forecast, flag].
 * dataset() returns the prepared NAB series ({ time, windows }) whose
 * labelled windows are shaded, or null.
 */
export function anomalyChart(container, dataset) {
  return chart(container, (p, axis) => ({
    scales: { x: { time: true } },
    axes: [axis(p, ''), axis(p, 'temperature (°F)', { size: 50 })],
    series: [
      {},
      { label: 'reading', stroke: p.ink, width: 1.2, points: { show: false } },
      { label: 'forecast', stroke: p.accent, width: 1.2, points: { show: false } },
      { label: 'flag', stroke: p.warn, width: 0, paths: () => null, points: { show: true, size: 7, fill: p.warn, stroke: p.warn } },
    ],
    legend: { show: false },
    cursor: { drag: { x: true, y: false } },
    hooks: {
      drawClear: [(u) => {
        const ds = dataset();
        if (!ds) return;
        const { ctx } = u;
        ctx.save();
        ctx.fillStyle = palette().dark ? 'rgba(248,113,113,0.13)' : 'rgba(220,38,38,0.08)';
        for (const [s, e] of ds.windows) {
          const x0 = u.valToPos(ds.time[s], 'x', true), x1 = u.valToPos(ds.time[e], 'x', true);
          ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
        }
        ctx.restore();
      }],
    },
  }), [[], [], [], []], { height: chartHeight(260), title: 'Sensor readings, the model\'s forecast and the flagged readings' });
}
