// web-compare.test.mjs - the course page's sections "RNN, LSTM or GRU? —
// measured" (web/js/compare.js) and "Questions" (web/js/questions.js) in
// headless Chromium: the recorded run fills the table at first paint and is
// labelled; the live run in the worker (about 1-2 minutes) finds that the
// LSTM and the GRU learn the adding problem at T = 30 and 100 and the RNN
// does not, and fills the speed rows with positive numbers; the live LSTM
// stream keeps |h| <= 1 while |c| exceeds 1; padding read as steps changes
// the final state and lengths do not; the controls work from the keyboard.
// Needs dist/ (./build.sh dist) and Chromium; a missing browser FAILS.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CELLS, LONG_RANGE, SOLVED_MSE } from '../web/js/compare-run.js';
import { onCoursePage, useBrowser } from './helpers/browser.mjs';

const env = useBrowser({ dist: ['index.js', 'rnn.wasm'], nodeModules: ['uplot/dist/uPlot.esm.js', 'katex/dist/katex.mjs'] });
const RECORDED = JSON.parse(readFileSync(new URL('../web/recorded/compare-run.json', import.meta.url), 'utf8'));

const onPage = (fn) => onCoursePage(env, { viewport: { width: 1280, height: 900 } }, fn);

const section = (page, name, expr) => page.evaluate(`(() => { const s = window.__rnnPage.sections.${name}; return ${expr}; })()`);

/** Long-range verdicts a run must show: LSTM and GRU learn T = 30 and 100, the RNN fails there (near the mean predictor). */
function assertLongRange(longRange, what) {
  for (const T of [30, 100]) {
    const runs = longRange.runs[T];
    for (const cell of ['LSTM', 'GRU']) {
      assert.ok(runs[cell].testMse < SOLVED_MSE, `${what}: the ${cell} learns T = ${T} (test MSE ${runs[cell].testMse})`);
    }
    assert.ok(runs.RNN.testMse > 0.1, `${what}: the RNN fails at T = ${T} (test MSE ${runs.RNN.testMse}, the mean predictor ${longRange.baseline[T]})`);
    assert.ok(Math.abs(runs.RNN.testMse - longRange.baseline[T]) < 0.05, `${what}: the RNN does no better than the mean at T = ${T}`);
    for (const cell of CELLS) assert.equal(runs[cell].curve.length, LONG_RANGE.steps[T] / LONG_RANGE.curveEvery, `${what}: ${cell}'s loss curve at T = ${T}`);
  }
}

function assertSpeed(speed, what) {
  for (const cell of CELLS) {
    const s = speed.cells[cell];
    assert.ok(s.ms > 0 && Number.isFinite(s.ms) && s.gflops > 0 && Number.isFinite(s.gflops), `${what}: ${cell} ${JSON.stringify(s)}`);
  }
  // 4 blocks of products against 1: the LSTM step is the slower by far
  assert.ok(speed.cells.LSTM.ms > 1.5 * speed.cells.RNN.ms, `${what}: LSTM ${speed.cells.LSTM.ms} ms vs RNN ${speed.cells.RNN.ms} ms`);
}

test('RNN, LSTM or GRU: the labelled recorded run at first paint, then a live run in the worker: LSTM and GRU learn the adding problem, the RNN does not; speed rows filled', { timeout: 300_000 }, async (t) => {
  assertLongRange(RECORDED.longRange, 'the recorded run');
  assertSpeed(RECORDED.speed, 'the recorded run');
  await onPage(async (page) => {
    await page.locator('#which-cell').scrollIntoViewIfNeeded();
    // First paint: the recorded run, labelled with its machine, date and script.
    assert.equal(await section(page, 'compare', 's.source'), 'recorded');
    const label = await page.getByTestId('compare-source').textContent();
    assert.match(label, /^Recorded on .+, \d{4}-\d\d-\d\d .*scripts\/record-compare\.mjs/);
    assert.equal(await page.getByTestId('compare-mem-100-LSTM').getAttribute('data-verdict'), 'solved');
    assert.equal(await page.getByTestId('compare-mem-100-RNN').getAttribute('data-verdict'), 'failed');
    // Parameters: the engine's layers at the parameter section's H = 256, I = 1.
    assert.deepEqual(await section(page, 'compare', 's.params'), { RNN: 66_304, LSTM: 265_216, GRU: 198_912 });
    assert.equal(await page.getByTestId('compare-params-LSTM').textContent(), '265,216');
    assert.equal(await page.locator('[data-testid=compare-params] a[href="#parameters"]').count(), 1);

    // Stop works: start, wait for progress, stop.
    await page.getByTestId('compare-run').click();
    await page.waitForFunction(() => window.__rnnPage.sections.compare.progress > 0, null, { timeout: 60_000 });
    assert.ok(page.workers().some((w) => w.url().endsWith('/web/js/playground-worker.js')), 'the run is in the playground worker');
    await page.getByTestId('compare-stop').click();
    await page.waitForFunction(() => !window.__rnnPage.sections.compare.running, null, { timeout: 30_000 });
    assert.match(await section(page, 'compare', 's.error'), /stopped/);
    assert.match(await page.getByTestId('compare-source').textContent(), /^Stopped/);

    // The whole live run, started from the keyboard.
    await page.getByTestId('compare-run').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__rnnPage.sections.compare.running, null, { timeout: 10_000 });
    const t0 = Date.now();
    await page.waitForFunction(() => !window.__rnnPage.sections.compare.running, null, { timeout: 240_000, polling: 1000 });
    const result = await section(page, 'compare', 's.result');
    assert.equal(await section(page, 'compare', 's.error'), null);
    assert.equal(await section(page, 'compare', 's.source'), 'live');
    t.diagnostic(`live run: ${((Date.now() - t0) / 1000).toFixed(0)} s in the test's Chromium (${result.backend})`);
    assertLongRange(result.longRange, 'the live run');
    assertSpeed(result.speed, 'the live run');
    for (const cell of CELLS) {
      const s = result.speed.cells[cell];
      t.diagnostic(`${cell}: ${s.ms.toFixed(1)} ms per training step, ${s.gflops.toFixed(1)} GFLOP/s; T = 100 test MSE ${result.longRange.runs[100][cell].testMse.toPrecision(3)}`);
    }
    // The table shows the live numbers.
    assert.match(await page.getByTestId('compare-source').textContent(), /^Measured live in this tab/);
    for (const cell of CELLS) {
      assert.ok(Number(await page.getByTestId(`compare-ms-${cell}`).textContent()) > 0, `${cell}'s ms cell`);
      assert.ok(Number(await page.getByTestId(`compare-gflops-${cell}`).textContent()) > 0, `${cell}'s GFLOP/s cell`);
      assert.equal(await page.getByTestId(`compare-mem-100-${cell}`).getAttribute('data-verdict'), cell === 'RNN' ? 'failed' : 'solved');
    }
    assert.match(await page.getByTestId('compare-caption').textContent(), /T = 100: test MSE RNN 0\.1\d*, LSTM/);
    // The engine is deterministic: the live run repeats the recorded losses (only the timings differ).
    const same = [10, 30, 100].every((T) => CELLS.every((c) => result.longRange.runs[T][c].testMse === RECORDED.longRange.runs[T][c].testMse));
    t.diagnostic(`live test MSEs ${same ? 'equal' : 'differ from'} the recorded ones bitwise`);
  });
});

test('Questions: a live LSTM stream keeps |h| <= 1 while |c| exceeds 1; the fixed-size state; padding as steps versus lengths; keyboard controls', { timeout: 90_000 }, () => onPage(async (page) => {
  await page.locator('#questions').scrollIntoViewIfNeeded();
  const q = await section(page, 'questions', '({ steps: s.steps, maxH: s.maxH, maxC: s.maxC, h: s.window.h, c: s.window.c, padding: s.padding })');
  assert.equal(q.steps, 400);
  assert.ok(q.h.every((v) => v >= 0 && v <= 1), `max |h_t| ${q.maxH} stays within 1`);
  assert.ok(q.maxC > 1, `|c_t| exceeds 1 somewhere: ${q.maxC}`);
  assert.ok(q.c.some((v, i) => v > 1 && q.h[i] < v), 'c is above h where it exceeds 1');
  assert.match(await page.getByTestId('state-caption').textContent(), /largest \|c_t\| is \d/);
  assert.equal(await page.getByTestId('obsolete-state').textContent(), '32 floats');
  assert.equal(await page.getByTestId('obsolete-kv').textContent(), '12,800 floats');

  // A larger forget-gate bias (keyboard on the slider) restarts the stream; c carries more.
  const runs = await section(page, 'questions', 's.runs');
  await page.getByTestId('state-bias').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction((n) => window.__rnnPage.sections.questions.runs >= n + 2, runs);
  const q3 = await section(page, 'questions', '({ maxH: s.maxH, maxC: s.maxC })');
  assert.ok(q3.maxH <= 1 && q3.maxC > q.maxC, `bias 3: max |c| ${q3.maxC} > ${q.maxC}, max |h| ${q3.maxH}`);

  // Keep streaming (Space on the button): the step count and the KV cache grow, the state does not.
  await page.getByTestId('state-play').focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => window.__rnnPage.sections.questions.steps > 440);
  await page.keyboard.press('Space');
  const steps = await section(page, 'questions', 's.steps');
  assert.equal(await section(page, 'questions', 's.playing'), false);
  assert.equal(await page.getByTestId('state-play').getAttribute('aria-pressed'), 'false');
  const kv = Number((await page.getByTestId('obsolete-kv').textContent()).replace(/\D/g, ''));
  assert.ok(kv >= 32 * 440 && kv <= 32 * steps, `KV cache ${kv} floats after ${steps} steps`);
  assert.ok(Number.parseFloat(await page.getByTestId('obsolete-us').textContent()) > 0);

  // Padding: read as steps it moves the final state; with lengths it is exactly the unpadded one.
  assert.ok(q.padding.k === 10 && q.padding.asSteps > 1e-3 && q.padding.withLengths === 0, JSON.stringify(q.padding));
  await page.getByTestId('pad-steps').focus();
  await page.keyboard.press('Home');
  await page.waitForFunction(() => window.__rnnPage.sections.questions.padding.k === 0);
  assert.deepEqual(await section(page, 'questions', 's.padding'), { k: 0, asSteps: 0, withLengths: 0 });
  assert.equal(await page.getByTestId('pad-diff-lengths').textContent(), '0 (exactly)');
  assert.equal(await page.locator('#questions a[href="#lengths"]').count(), 1);
  assert.equal(await page.locator('#questions a[href="#transformers"]').count(), 1);
}));
