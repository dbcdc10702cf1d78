// chart-table.js - the text alternative of a chart: a disclosure under it
// and its legend ("The numbers behind the chart", details[data-chart=id]) holding a table of a sample of its data,
// columns named like the series, kept in step with the chart. The table is
// built only while the disclosure is open, so a chart that updates at every
// training step costs nothing extra when nobody reads it.
import { el, num } from './util.js';

const ROWS = 12; // evenly spaced rows
const MARKS = 24; // at most this many more: the points of a points-only series (validation losses, flags)

/** A step from 1, 2, 5 x 10^k giving at most ROWS rows over n points. */
function niceStep(n) {
  const raw = Math.max(1, (n - 1) / (ROWS - 1));
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw);
}

/** Row indices: evenly spaced (and the last), plus the points of marker series. */
export function sampleRows(data, markers) {
  const n = data[0]?.length ?? 0;
  if (n === 0) return [];
  const rows = new Set();
  const step = Math.ceil(niceStep(n));
  for (let i = 0; i < n; i += step) rows.add(i);
  rows.add(n - 1);
  let extra = 0;
  for (let i = 0; i < n && extra < MARKS; i++) {
    if (!rows.has(i) && markers.some((s) => data[s][i] != null)) { rows.add(i); extra++; }
  }
  return [...rows].sort((a, b) => a - b);
}

const isoMinute = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 16).replace('T', ' ');
const cell = (v, time) => {
  if (v == null || !Number.isFinite(v)) return '–';
  if (time) return isoMinute(v);
  return Number.isInteger(v) ? String(v) : num(v, 4);
};

/**
 * Adds the disclosure after container; returns update(opts, data) to call
 * whenever the chart's data or options change (opts: the uPlot options).
 * The chart's box gets role="img" and a name saying what it plots.
 */
export function chartTable(container, givenTitle) {
  // Without a title: "<y axis> against <x axis>".
  const titleOf = (opts) => givenTitle ?? ([opts.axes?.[1]?.label, opts.axes?.[0]?.label].filter(Boolean).join(' against ') || 'Chart');
  const table = el('table', { class: 'chart-data-table' });
  const scroll = el('div', { class: 'table-scroll' }, table);
  const details = el('details', { class: 'chart-data', 'data-chart': container.id }, el('summary', {}, 'The numbers behind the chart'), scroll);
  // After the chart's legend, when it has one: the key stays next to the chart.
  const legend = container.nextElementSibling?.classList.contains('legend') ? container.nextElementSibling : null;
  (legend ?? container).after(details);
  let last = null, named = null;
  const render = () => {
    if (!details.open || !last) return;
    const { opts, data } = last;
    const title = titleOf(opts);
    const series = opts.series.slice(1).map((s, i) => ({ label: s.label ?? `series ${i + 1}`, index: i + 1, marker: s.paths?.() === null }));
    const time = opts.scales?.x?.time === true;
    const rows = sampleRows(data, series.filter((s) => s.marker).map((s) => s.index));
    const xLabel = opts.axes?.[0]?.label || (time ? 'time (UTC)' : 'x');
    table.replaceChildren(
      el('caption', {}, rows.length ? `${title}: ${rows.length} of ${data[0].length} points` : `${title}: no data yet`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, xLabel), series.map((s) => el('th', { scope: 'col' }, s.label)))),
      el('tbody', {}, rows.map((i) => el('tr', {},
        el('th', { scope: 'row' }, cell(data[0][i], time)),
        series.map((s) => el('td', {}, cell(data[s.index][i], false)))))),
    );
  };
  details.addEventListener('toggle', render);
  return (opts, data) => {
    last = { opts, data };
    const names = opts.series.slice(1).map((s) => s.label).filter(Boolean).join(', ');
    const label = `${titleOf(opts)}. Chart of ${names}; its numbers are in the table that follows.`;
    const current = container.getAttribute('aria-label');
    // A name the section wrote itself (a caption with numbers) is kept; an unchanged one is not rewritten.
    if ((current == null || current === named) && current !== label) {
      container.setAttribute('role', 'img');
      container.setAttribute('aria-label', label);
      named = label;
    }
    render();
  };
}
