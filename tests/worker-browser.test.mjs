// worker-browser.test.mjs - training in a Web Worker in each browser engine
// (Chromium, Firefox ESR, WebKitGTK: tests/helpers/engines.mjs): the page
// stays responsive while the worker trains, shows the progress, and the
// worker computes exactly what Node computes on its main thread for the same
// seed and data (per-step losses and final weights bit-identical). Needs
// dist/ (./build.sh dist) and the browsers (bash scripts/setup.sh --test); an
// engine that cannot run FAILS its tests, never skips them.
import assert from 'node:assert/strict';
import { loadavg } from 'node:os';
import { describe, test } from 'node:test';
import { init } from '../dist/index.js';
import { FIT_OPTIONS, data, makeModel } from './browser/worker-page.js';
import { ENGINES, useEngine } from './helpers/engines.mjs';

const plainDict = (sd) => Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, { shape: [...t.shape], data: Array.from(t.data) }]));

// The same training on Node's main thread, with rnn.fit (once for all engines).
let nodeRun = null;
function trainInNode() {
  nodeRun ??= (async () => {
    const rnn = await init({ build: 'simd' }); // the page asks for SIMD128 too (bitwise)
    const model = makeModel(rnn);
    const { train, val } = data();
    const initial = plainDict(model.stateDict());
    const losses = [];
    const history = await rnn.fit(model, { train, val, ...FIT_OPTIONS, onProgress: (p) => { if (!p.epochEnd) losses.push(p.loss); } });
    const stateDict = plainDict(model.stateDict());
    model.dispose();
    return { backend: rnn.backend, initial, losses, history, stateDict };
  })();
  return nodeRun;
}

// One load of the page: it trains in a worker and reports (see worker-page.js).
async function runPage(env) {
  const tab = await env.engine.open(new URL('tests/browser/worker.html', env.server.url).href, { viewport: { width: 800, height: 600 } });
  try {
    // Progress shows while the worker trains.
    await tab.waitFor(() => /^step \d+/.test(document.getElementById('status').textContent) || window.__error, null, { timeout: 30_000, what: 'the first progress' });
    const midway = await tab.evaluate(() => document.getElementById('bar').value);
    await tab.waitFor(() => window.__result || window.__error, null, { timeout: 90_000, what: 'the training to end' });
    const error = await tab.evaluate(() => window.__error ?? null);
    assert.equal(error, null, `training in the worker failed: ${error}`);
    const inPage = await tab.evaluate(() => window.__result);
    const status = await tab.evaluate(() => document.getElementById('status').textContent);
    return { inPage, midway, status, problems: await tab.problems() };
  } finally {
    await tab.close();
  }
}

for (const name of ENGINES) {
  describe(name, () => {
    const env = useEngine(name, { dist: ['index.js', 'rnn.wasm', 'trainer-worker.js'] });

    test(`${name}: a Web Worker trains while the page stays responsive, and computes bit for bit what Node computes`, { timeout: 240_000 }, async (t) => {
      const steps = FIT_OPTIONS.epochs * data().train.length;
      const inNode = await trainInNode();
      assert.ok(inNode.history.epochs.at(-1).loss < 0.5 * inNode.history.epochs[0].loss, 'it learns something');
      // The responsiveness measure is a timing: on a loaded machine other
      // processes can take the page's CPU for a while, so up to 5 page loads
      // are tried; every load must also pass all the other checks.
      const gaps = [];
      for (let attempt = 1; attempt <= 5; attempt++) {
        const { inPage, midway, status, problems } = await runPage(env);
        assert.deepEqual(inPage.workerUrls, ['/dist/trainer-worker.js'], 'one module worker, loaded from dist/');
        assert.equal(inPage.backend, 'wasm-simd128');
        assert.equal(inPage.history.stopped, 'completed');
        assert.equal(inPage.history.steps, steps);
        assert.equal(inPage.losses.length, steps, 'one progress event per step');
        assert.equal(inPage.epochs.length, FIT_OPTIONS.epochs, 'one epoch event per epoch');
        assert.ok(midway > 0, 'the progress bar moved during training');
        assert.equal(inPage.shownStep, steps);
        assert.match(status, new RegExp(`^done: ${steps} steps`));

        // Determinism: the browser's worker == Node's main thread, bit for bit.
        assert.equal(inNode.backend, inPage.backend);
        assert.deepEqual(inPage.initial, inNode.initial, 'the same initial weights');
        assert.deepEqual(inPage.losses, inNode.losses, 'the same loss at every step');
        assert.deepEqual(inPage.history, inNode.history, 'the same history (epoch and validation losses)');
        assert.deepEqual(inPage.stateDict, inNode.stateDict, 'the same final weights');
        assert.deepEqual(inPage.applied, inNode.stateDict, 'applyTo loaded the final weights into the page\'s model');
        assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');

        // Responsive: the page's 10 ms interval kept ticking while the worker trained.
        t.diagnostic(`${env.engine.version}, load ${attempt}: trained ${steps} steps in ${inPage.trainingSeconds.toFixed(2)} s (${inPage.seconds.toFixed(2)} s with the worker's start-up); longest gap between 10 ms ticks ${inPage.maxGapMs.toFixed(1)} ms (${inPage.ticks} ticks), ${inPage.frames} animation frames, longest frame gap ${inPage.maxFrameGapMs.toFixed(1)} ms; ticks > 30 ms apart [ms into training, gap]: ${JSON.stringify(inPage.gaps)}; long tasks (ms, Chromium only): ${JSON.stringify(inPage.longTasks)}; load average ${loadavg()[0].toFixed(1)}`);
        assert.ok(inPage.trainingSeconds >= 0.3, `training took only ${inPage.trainingSeconds} s: too short to say anything about responsiveness`);
        assert.ok(inPage.ticks >= inPage.trainingSeconds * 1000 / 10 / 3, `only ${inPage.ticks} interval ticks in ${inPage.trainingSeconds} s`);
        assert.ok(inPage.frames >= 2, `only ${inPage.frames} animation frames while training`);
        gaps.push(inPage.maxGapMs);
        if (inPage.maxGapMs < 100) break;
      }
      assert.ok(Math.min(...gaps) < 100, `the page stalled while the worker trained: longest gaps ${gaps.map((g) => `${g.toFixed(1)} ms`).join(', ')} in ${gaps.length} loads (load average ${loadavg().map((v) => v.toFixed(1)).join(' ')}: a busy machine can cause this; see the long tasks in the diagnostics)`);
    });
  });
}
