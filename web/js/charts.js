// charts.js - uPlot (from npm, served locally), themed from the CSS
// variables, sized to its container, with its numbers as a table
// (chart-table.js) for readers who cannot see it.
import { chartTable } from './chart-table.js';
import { UPLOT_CSS, UPLOT_JS } from './paths.js';
import { loadStylesheet, onThemeChange, palette, yieldTask } from './util.js';

let uplotPromise = null;
export function uPlotLib() {
  uplotPromise ??= Promise.all([import(UPLOT_JS), loadStylesheet(UPLOT_CSS)]).then(([m]) => m.default);
  return uplotPromise;
}

function axis(p, label, extra = {}) {
  return {
    label, stroke: p.muted, labelSize: 22, size: 46, font: '12px Inter, system-ui, sans-serif', labelFont: '600 12px Inter, system-ui, sans-serif',
    grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1, size: 4 }, ...extra,
  };
}

/**
 * A chart in `container`: make(p) returns uPlot options without width /
 * height (p: the palette); data as uPlot takes it. The chart is rebuilt when
 * the theme changes and resized with its container. title: what it shows,
 * the name of its text alternative.
 */
export async function chart(container, make, data, { height = 260, title } = {}) {
  const uPlot = await uPlotLib();
  await yieldTask(); // loading uPlot (its first Intl formatters load ICU's data) and building a chart: two tasks
  const box = container;
  const size = () => ({ width: Math.max(200, Math.floor(box.clientWidth)), height: typeof height === 'function' ? height() : height });
  const handle = { plot: null, data, uPlot };
  const table = chartTable(box, title);
  let opts = null;
  const build = () => {
    const p = palette();
    handle.plot?.destroy();
    opts = { ...make(p, axis), ...size() };
    handle.plot = new uPlot(opts, handle.data, box);
    table(opts, handle.data);
  };
  build();
  let w = box.clientWidth;
  new ResizeObserver(() => {
    if (Math.abs(box.clientWidth - w) < 1) return;
    w = box.clientWidth;
    handle.plot?.setSize(size());
  }).observe(box);
  // WebKitGTK 2.50 shows a canvas that was painted while its section was
  // skipped (content-visibility: auto) as blank until it is painted again:
  // repaint (cheap) whenever the chart comes into view.
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) handle.plot?.redraw(false, false);
  }).observe(box);
  onThemeChange(build);
  handle.setData = (d, resetScales = true) => { handle.data = d; handle.plot.setData(d, resetScales); table(opts, d); };
  handle.rebuild = build;
  return handle;
}
