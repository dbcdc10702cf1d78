// web-race.test.mjs - the course page's section "Are LSTMs obsolete? What
// about Mamba?" (web/js/race.js) and the min cells' gate visualiser
// (web/js/gates-min.js) in headless Chromium: the race runs in two workers,
// both training losses fall, the minGRU does more steps per second than the
// LSTM, both write text and get a held-out loss; Stop works; the equations
// are typeset with the LSTM's h_{t-1} terms boxed; the gate visualiser
// streams minGRU and minLSTM taps (z, h~, h and f, i, h~, h) that match a
// Node stream of the same layer. Screenshots of the section (light / dark,
// desktop 1280 / phone 390) go to build/screenshots/.
// Needs dist/ (./build.sh dist) and Chromium; a missing browser FAILS.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { onCoursePage, useBrowser } from './helpers/browser.mjs';

const env = useBrowser({ dist: ['index.js', 'rnn.wasm'], nodeModules: ['uplot/dist/uPlot.esm.js', 'katex/dist/katex.mjs'] });
const SCREENSHOTS = fileURLToPath(new URL('../build/screenshots/', import.meta.url));

const onPage = (viewport, fn, extra = {}) => onCoursePage(env, { viewport, ...extra }, fn);

const race = (page, expr) => page.evaluate(`(() => { const s = window.__rnnPage.sections.race; return ${expr}; })()`);

test('the race: LSTM and minGRU train side by side in two workers; both losses fall, the minGRU does more steps per second, both write text', { timeout: 240_000 }, async () => {
  await onPage({ width: 1280, height: 900 }, async (page) => {
    await page.locator('#min-cells').scrollIntoViewIfNeeded();
    await race(page, 's.prepare()'); // equations and charts are made when the section comes near
    // The equations: the LSTM's four h_{t-1} terms boxed, none in the minGRU's.
    assert.equal(await page.locator('[data-testid=min-eq-lstm] .katex-html .boxpad').count(), 4);
    assert.equal(await page.locator('[data-testid=min-eq-mingru] .katex-html .boxpad').count(), 0);
    assert.equal(await page.locator('.toc a[href="#min-cells"]').count(), 1);

    // Stop works.
    await page.getByTestId('race-run').click();
    await page.waitForFunction(() => (window.__rnnPage.sections.race.points?.MinGRU.length ?? 0) > 0, null, { timeout: 90_000 });
    await page.getByTestId('race-stop').click();
    await page.waitForFunction(() => !window.__rnnPage.sections.race.running, null, { timeout: 30_000 });
    assert.match(await race(page, 's.error'), /stopped/);
    assert.match(await page.getByTestId('race-status').textContent(), /^Stopped/);

    // A whole race of 12 s.
    const results = await race(page, 's.run({ seconds: 12 })');
    assert.ok(results, `the race finished (${await race(page, 's.error')})`);
    const workers = page.workers().filter((w) => w.url().endsWith('/web/js/playground-worker.js'));
    assert.equal(workers.length, 0, 'both workers are terminated after the race');
    const [lstm, min] = results;
    const points = await race(page, 's.points');
    for (const [name, r] of [['LSTM', lstm], ['MinGRU', min]]) {
      assert.equal(r.name, name);
      assert.ok(r.seconds >= 12, `${name} trained for the whole 12 s (${r.seconds})`);
      assert.ok(r.steps >= 10, `${name} took ${r.steps} steps`);
      const curve = points[name];
      assert.ok(curve.length >= 2, `${name}: ${curve.length} points`);
      // Starting from ln(67) ≈ 4.2: both losses fall.
      assert.ok(curve.at(-1).loss < curve[0].loss - 0.3, `${name}'s loss falls: ${curve[0].loss} -> ${curve.at(-1).loss}`);
      assert.ok(r.valLoss < 3.6 && Number.isFinite(r.valLoss), `${name}'s held-out loss ${r.valLoss}`);
      assert.ok(r.sample.startsWith('ROMEO:\n') && r.sample.length > 200, `${name} wrote text`);
      assert.equal(await page.getByTestId(`race-sample-${name}`).textContent(), r.sample);
      const shown = await page.evaluate(async (x) => (await import('./js/util.js')).num(x, 3), r.valLoss);
      assert.equal(await page.getByTestId(`race-val-${name}`).textContent(), shown);
    }
    assert.ok(min.stepsPerSecond > lstm.stepsPerSecond,
      `the minGRU does more steps per second (${min.stepsPerSecond}) than the LSTM (${lstm.stepsPerSecond})`);
    assert.match(await page.getByTestId('race-status').textContent(), /^Done in this tab .* as many; held-out loss/);
  });
});

test('the min cells in the gate visualiser: minGRU z, h~, h and minLSTM f, i, h~, h stream live', { timeout: 120_000 }, async () => {
  await onPage({ width: 1280, height: 900 }, async (page) => {
    await page.locator('#min-gates').scrollIntoViewIfNeeded();
    const g = (expr) => page.evaluate(`(() => { const s = window.__rnnPage.sections.gatesMin; return ${expr}; })()`);
    await page.waitForFunction(() => window.__rnnPage.sections.gatesMin?.step > 0);
    assert.equal(await g('s.cell'), 'MinGRU');
    assert.deepEqual(Object.keys(await g('s.values')), ['z', 'htilde', 'h']);
    await page.getByTestId('min-gates-cell').selectOption('MinLSTM');
    await page.waitForFunction(() => window.__rnnPage.sections.gatesMin.cell === 'MinLSTM');
    const v = await g('s.values');
    assert.deepEqual(Object.keys(v), ['f', 'i', 'htilde', 'h']);
    for (const k of ['f', 'i']) assert.ok(v[k].every((x) => x > 0 && x < 1), `${k} is a sigmoid`);
    assert.equal(v.h.length, 16);
    assert.match(await page.getByTestId('min-gates-values').textContent(), /f mean .* h mean/);
  });
});

test('screenshots of the section and the min gate visualiser (light / dark, 1280 / 390) in build/screenshots/', { timeout: 240_000 }, async (t) => {
  await mkdir(SCREENSHOTS, { recursive: true });
  for (const [label, viewport, scale] of [['desktop', { width: 1280, height: 900 }, 1], ['phone', { width: 390, height: 844 }, 2]]) {
    await onPage(viewport, async (page) => {
      await page.locator('#min-cells').scrollIntoViewIfNeeded();
      const results = await race(page, 's.run({ seconds: 8 })');
      assert.ok(results, 'the race finished');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${label}: the page is ${overflow}px wider than the viewport`);
      for (const scheme of ['light', 'dark']) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForFunction((s) => document.documentElement.dataset.resolvedTheme === s, scheme);
        await page.waitForTimeout(300);
        for (const id of ['min-cells', 'min-gates']) {
          const path = join(SCREENSHOTS, `web-${id}-${label}-${scheme}.png`);
          await page.locator(`#${id}`).screenshot({ path });
          t.diagnostic(`wrote ${path}`);
        }
      }
    }, { deviceScaleFactor: scale });
  }
});
