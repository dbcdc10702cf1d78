#!/usr/bin/env node
// record-compare.mjs - the recorded run that fills the table of "RNN, LSTM or
// GRU? — measured" at first paint (web/recorded/compare-run.json): the same
// code the page's worker runs (web/js/compare-run.js), here in Node on the
// built engine, with the machine and date it ran on, which the page shows.
//
//   ./build.sh dist && node scripts/record-compare.mjs [out.json]
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { init } from '../dist/index.js';
import { runLongRange, runSpeed } from '../web/js/compare-run.js';

const out = process.argv[2] ?? fileURLToPath(new URL('../web/recorded/compare-run.json', import.meta.url));
const rnn = await init();
const t0 = performance.now();
const speed = await runSpeed(rnn);
for (const [cell, s] of Object.entries(speed.cells)) console.log(`speed ${cell}: ${s.ms.toFixed(2)} ms/step, ${s.gflops.toFixed(2)} GFLOP/s`);
const longRange = await runLongRange(rnn, (e) => {
  if (e.kind === 'done') console.log(`T=${e.T} ${e.cell}: test MSE ${e.testMse.toPrecision(3)} (${e.seconds.toFixed(1)} s)`);
});
// Seconds per run in a JSON of curves: rounded, the curves to 4 significant digits (the page plots them).
for (const runs of Object.values(longRange.runs)) {
  for (const r of Object.values(runs)) r.curve = r.curve.map(([s, l]) => [s, Number(l.toPrecision(4))]);
}
const record = {
  recorded: {
    by: 'scripts/record-compare.mjs', date: new Date().toISOString().slice(0, 10),
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU', runtime: `Node ${process.versions.node}`, backend: rnn.backend,
    seconds: Math.round((performance.now() - t0) / 1000),
    // other work on the machine slows the timings: the page says so when the load exceeded the cores
    cores: cpus().length, load: Number(loadavg()[0].toFixed(1)),
  },
  speed, longRange,
};
writeFileSync(out, `${JSON.stringify(record)}\n`);
console.log(`wrote ${out} (${record.recorded.seconds} s)`);
