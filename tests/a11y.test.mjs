// a11y.test.mjs - the course page (web/) is accessible, in headless
// Chromium: axe-core finds no WCAG 2.1 A / AA violation in any section
// (every <section>, found at run time, so new sections are covered too),
// with their live content drawn, in the light, dark and 390 px layouts; the
// keyboard alone reaches every control, each with a visible focus, and Enter
// / Space do what a click does; every chart has a text alternative with its
// numbers, kept up to date; prefers-reduced-motion stops what plays by itself.
// Needs dist/ (./build.sh dist) and Chromium; a missing browser FAILS.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { axeCheck, describeViolations } from './helpers/axe.mjs';
import { openPage, useBrowser } from './helpers/browser.mjs';

const env = useBrowser({ dist: ['index.js', 'rnn.wasm', 'trainer-worker.js'], nodeModules: ['uplot/dist/uPlot.esm.js', 'katex/dist/katex.mjs', 'axe-core/axe.min.js'] });

const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const LAYOUTS = [
  ['light', { viewport: DESKTOP, colorScheme: 'light' }],
  ['dark', { viewport: DESKTOP, colorScheme: 'dark' }],
  ['mobile', { viewport: PHONE, colorScheme: 'light', deviceScaleFactor: 2, isMobile: true, hasTouch: true }],
];

async function openWebPage(contextOptions = {}) {
  const opened = await openPage(env.browser, { viewport: DESKTOP, ...contextOptions });
  await opened.page.goto(new URL('web/', env.server.url).href);
  await opened.page.waitForFunction(() => window.__rnnPage?.ready || window.__rnnPage?.error, null, { timeout: 60_000 });
  assert.equal(await opened.page.evaluate(() => window.__rnnPage.error), null, 'the page starts');
  return opened;
}

const pg = (page) => page.evaluate(() => window.__rnnPage.sections.playground);

/** A short training run, stopped after a few steps: the loss chart and read-outs have live numbers. */
async function shortTraining(page, steps = 12) {
  await page.locator('#playground').scrollIntoViewIfNeeded(); // its data loads when it comes near
  await page.waitForFunction(() => !document.querySelector('[data-testid=train-start]').disabled, null, { timeout: 60_000 });
  await page.getByTestId('train-start').click();
  await page.waitForFunction((n) => window.__rnnPage.sections.playground.run?.steps >= n
    || window.__rnnPage.sections.playground.run?.ended, steps, { timeout: 60_000 });
  if (!(await pg(page)).run.ended) await page.getByTestId('train-stop').click();
  await page.waitForFunction(() => window.__rnnPage.sections.playground.run?.ended, null, { timeout: 60_000 });
}

/** Every section is seen once (lazy work runs when seen) and its live content is drawn. */
async function renderSections(page) {
  for (const id of await page.$$eval('section', (all) => all.map((s) => s.id))) {
    await page.locator(`section#${id}`).scrollIntoViewIfNeeded();
    await page.waitForTimeout(250);
  }
  if (await page.locator('#transformers').count()) {
    await page.waitForFunction(() => window.__rnnPage.sections.streaming.runs > 0, null, { timeout: 30_000 });
  }
  // The unrolled RNN shows a computed step (its vectors are coloured by value).
  await page.getByTestId('unrolled-step').click();
  await page.getByTestId('unrolled-step').click();
  // Text alternatives that sit in closed disclosures are checked too.
  await page.$$eval('details', (all) => { for (const d of all) d.open = true; });
}

for (const [layout, options] of LAYOUTS) {
  test(`axe-core: no WCAG 2.1 A/AA violation in any section, header or footer (${layout})`, { timeout: 240_000 }, async (t) => {
    const { context, page, problems } = await openWebPage(options);
    try {
      await shortTraining(page);
      await renderSections(page);
      const sections = await page.$$eval('section', (all) => all.map((s) => s.id));
      assert.ok(sections.length >= 6, `sections: ${sections}`);
      const found = [];
      for (const id of sections) {
        await page.locator(`section#${id}`).scrollIntoViewIfNeeded();
        const r = await axeCheck(page, { include: [[`section#${id}`]] });
        assert.ok(r.passed.includes('color-contrast'), `#${id}: axe checked its text (${r.passed})`);
        found.push(...describeViolations(`${layout} #${id}`, r.violations));
      }
      // The parts outside the sections: header, navigation, footer.
      await page.evaluate(() => window.scrollTo(0, 0));
      const rest = await axeCheck(page, { include: [['body']], exclude: sections.map((id) => [`section#${id}`]) });
      found.push(...describeViolations(`${layout} outside the sections`, rest.violations));
      // Content that only shows on demand: each gate's detail panel, each playground task.
      for (const gate of await page.$$eval('.gate[data-gate]', (all) => all.map((g) => g.dataset.gate))) {
        await page.locator(`.gate[data-gate="${gate}"]`).click();
        await page.waitForFunction((g) => window.__rnnPage.sections.gates.selected === g, gate);
        found.push(...describeViolations(`${layout} gate ${gate}`, (await axeCheck(page, '#gate-detail')).violations));
      }
      for (const task of ['charlm', 'anomaly', 'g2p']) {
        await page.getByTestId(`task-${task}`).click();
        await page.waitForFunction((k) => window.__rnnPage.sections.playground.task === k
          && !document.querySelector('[data-testid=train-start]').disabled, task, { timeout: 60_000 });
        await page.locator('#playground').scrollIntoViewIfNeeded();
        found.push(...describeViolations(`${layout} playground task ${task}`, (await axeCheck(page, '#playground')).violations));
      }
      t.diagnostic(`${layout}: ${sections.length} sections (${sections.join(', ')}), ${found.length} violations`);
      assert.deepEqual(found, [], `axe-core violations:\n${found.join('\n')}`);
      assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
    } finally {
      await context.close();
    }
  });
}

// What the page shows on focus: an outline, a box shadow, or (SVG) a shape
// stroked in the focus colour; for a visually hidden file input, its label's outline.
function focusIndicator(el) {
  const focus = getComputedStyle(document.documentElement).getPropertyValue('--focus').trim();
  const probe = document.createElement('span');
  probe.style.color = focus;
  document.body.append(probe);
  const focusColor = getComputedStyle(probe).color;
  probe.remove();
  const visibleColor = (c) => c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c);
  const outline = (e) => {
    const cs = getComputedStyle(e);
    return cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1 && visibleColor(cs.outlineColor) ? `outline ${cs.outlineWidth} ${cs.outlineColor}` : null;
  };
  if (el instanceof SVGElement) {
    for (const shape of el.querySelectorAll('rect, circle, path, ellipse')) {
      const cs = getComputedStyle(shape);
      if (cs.stroke === focusColor && parseFloat(cs.strokeWidth) >= 2) return `stroke ${cs.strokeWidth} ${cs.stroke}`;
    }
    return null;
  }
  const r = el.getBoundingClientRect();
  if (r.width <= 1 && r.height <= 1) { // visually hidden: its label shows the focus
    const label = el.id && document.querySelector(`label[for="${el.id}"]`);
    return label ? outline(label) : null;
  }
  const cs = getComputedStyle(el);
  return outline(el) ?? (cs.boxShadow !== 'none' ? `box-shadow ${cs.boxShadow}` : null);
}

test('keyboard walk-through: Tab reaches every control, each with a visible focus', { timeout: 180_000 }, async (t) => {
  const { context, page, problems } = await openWebPage({ reducedMotion: 'reduce' });
  try {
    // The page settles first: the measurement that runs when its section is
    // first seen (its button is disabled meanwhile), the playground's data.
    await page.evaluate(() => window.__rnnPage.sections.streaming.measure());
    await page.locator('#playground').scrollIntoViewIfNeeded(); // its data loads when it comes near
    await page.waitForFunction(() => !document.querySelector('[data-testid=train-start]').disabled, null, { timeout: 60_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    // The controls a reader can use now: focusable, shown, enabled.
    const expected = await page.evaluate(() => {
      const sel = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
      let n = 0;
      return [...document.querySelectorAll(sel)].filter((e) => !e.disabled && e.tabIndex >= 0
        && (e.checkVisibility({ visibilityProperty: true }) || e.id === 'weights-load' || e.classList.contains('skip'))
        && !e.closest('[hidden], [inert]'))
        .map((e) => { e.dataset.a11yKey = `c${n++}`; return { key: e.dataset.a11yKey, what: e.dataset.testid || e.id || `${e.tagName.toLowerCase()} "${(e.getAttribute('aria-label') || e.textContent).trim().slice(0, 40)}"` }; });
    });
    assert.ok(expected.length >= 40, `${expected.length} controls`);
    const reached = new Map();
    const noIndicator = [];
    let first = null;
    for (let i = 0; i < expected.length * 2 + 20; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(async (indicatorSrc) => {
        const e = document.activeElement;
        if (!e || e === document.body) return null;
        const indicator = new Function(`return (${indicatorSrc})`)()(e);
        const onScreen = () => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; };
        // A section that builds itself above the control can move it just after the
        // focus scroll (seen under load): judge the position once layout has settled.
        for (let f = 0; f < 30 && !onScreen(); f++) await new Promise(requestAnimationFrame);
        return { key: e.dataset.a11yKey ?? null, what: e.dataset.testid || e.id || e.tagName, indicator, onScreen: onScreen() };
      }, focusIndicator.toString());
      if (!info) continue;
      if (first === info.key && reached.size > 1) break; // around the page once
      first ??= info.key;
      if (!info.key) continue; // focus in something not listed (none expected)
      reached.set(info.key, info);
      if (!info.indicator) noIndicator.push(info.what);
      if (i === 0) assert.equal(info.what, 'A', 'the first Tab stop is the skip link');
    }
    const missed = expected.filter((e) => !reached.has(e.key)).map((e) => e.what);
    t.diagnostic(`${reached.size} of ${expected.length} controls reached by Tab; e.g. ${[...reached.values()].slice(0, 3).map((r) => `${r.what}: ${r.indicator}`).join('; ')}`);
    assert.deepEqual(missed, [], 'every control is reached by Tab');
    assert.deepEqual(noIndicator, [], 'every focused control shows a visible focus indicator');
    assert.deepEqual([...reached.values()].filter((r) => !r.onScreen && r.what !== 'weights-load').map((r) => r.what), [], 'the focused control is scrolled into view');
    assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('a control pushed out of view by content growing above it just after it took the focus is brought back', { timeout: 120_000 }, async () => {
  const { context, page, problems } = await openWebPage({ reducedMotion: 'reduce' });
  try {
    await page.getByTestId('len-train').focus();
    const seen = await page.evaluate(async () => {
      const e = document.activeElement;
      const onScreen = () => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; };
      const before = onScreen();
      // what a section building itself above the control does (seen under load)
      const grow = document.createElement('div');
      grow.style.height = `${2 * innerHeight}px`;
      e.parentElement.before(grow);
      const pushed = !onScreen();
      for (let f = 0; f < 10; f++) await new Promise(requestAnimationFrame);
      const after = onScreen();
      grow.remove();
      return { before, pushed, after };
    });
    assert.deepEqual(seen, { before: true, pushed: true, after: true });
    assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('Enter and Space on the key controls do what a click does', { timeout: 180_000 }, async () => {
  const { context, page, problems } = await openWebPage({ reducedMotion: 'reduce' });
  const key = async (testidOrSel, k) => {
    const loc = testidOrSel.startsWith('#') || testidOrSel.includes('[') ? page.locator(testidOrSel) : page.getByTestId(testidOrSel);
    await loc.focus();
    await page.keyboard.press(k);
  };
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  try {
    // Skip link: Enter, then Tab lands in the content, not back in the navigation.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.activeElement.closest('main') !== null), 'after the skip link, Tab goes into the content');
    // Theme toggle: auto -> light (Enter) -> dark (Space).
    assert.equal(await theme(), 'auto');
    await key('theme-toggle', 'Enter');
    assert.equal(await theme(), 'light');
    await key('theme-toggle', ' ');
    assert.equal(await theme(), 'dark');
    assert.match(await page.getByTestId('theme-toggle').getAttribute('aria-label'), /^Theme: Dark/);
    // Unrolled RNN: Step (Enter) advances one step; Play (Space) starts and stops it.
    const t0 = await page.evaluate(() => window.__rnnPage.sections.unrolled.steps);
    await key('unrolled-step', 'Enter');
    assert.equal(await page.evaluate(() => window.__rnnPage.sections.unrolled.steps), t0 + 1);
    await key('unrolled-play', ' ');
    assert.equal(await page.evaluate(() => window.__rnnPage.sections.unrolled.playing), true);
    assert.equal(await page.getByTestId('unrolled-play').getAttribute('aria-pressed'), 'true');
    await page.keyboard.press(' ');
    assert.equal(await page.evaluate(() => window.__rnnPage.sections.unrolled.playing), false);
    // A slider: the arrow keys change it and the gradients are recomputed.
    const runs = await page.evaluate(() => window.__rnnPage.sections.gradients.runs);
    await key('grad-scale', 'ArrowRight');
    await page.waitForFunction((n) => window.__rnnPage.sections.gradients.runs > n, runs);
    assert.equal(await page.evaluate(() => window.__rnnPage.sections.gradients.result.opts.scale), 1.25);
    // Gates: Enter and Space select one, like a click; the stream's play button.
    await key('gate-output', 'Enter');
    await page.waitForFunction(() => window.__rnnPage.sections.gates.selected === 'output');
    await key('gate-reset', ' ');
    await page.waitForFunction(() => window.__rnnPage.sections.gates.selected === 'reset');
    assert.equal(await page.getByTestId('gate-reset').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.evaluate(() => window.__rnnPage.sections.gates.playing), false, 'reduced motion: the stream starts paused');
    await key('gate-play', 'Enter');
    assert.equal(await page.evaluate(() => window.__rnnPage.sections.gates.playing), true);
    await page.keyboard.press(' ');
    assert.equal(await page.evaluate(() => window.__rnnPage.sections.gates.playing), false);
    // A chart's numbers: Enter on the disclosure opens its table.
    await key('details[data-chart="grad-chart"] > summary', 'Enter');
    assert.equal(await page.locator('details[data-chart="grad-chart"]').evaluate((d) => d.open), true);
    // Playground: a radio group is one Tab stop; the arrow keys move and check.
    assert.deepEqual(await page.$$eval('[data-testid=task-select] [role=radio]', (all) => all.map((b) => b.tabIndex)), [0, -1, -1, -1]);
    await key('task-sentiment', 'ArrowRight');
    await page.waitForFunction(() => window.__rnnPage.sections.playground.task === 'charlm'
      && !document.querySelector('[data-testid=train-start]').disabled, null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'task-charlm');
    assert.deepEqual(await page.$$eval('[data-testid=task-select] [role=radio]', (all) => all.map((b) => b.tabIndex)), [-1, 0, -1, -1]);
    // Pick a task (Space) and a cell (Enter), train (Enter), pause (Space), stop (Enter).
    await key('task-anomaly', ' ');
    await page.waitForFunction(() => window.__rnnPage.sections.playground.task === 'anomaly'
      && !document.querySelector('[data-testid=train-start]').disabled, null, { timeout: 60_000 });
    assert.equal(await page.getByTestId('task-anomaly').getAttribute('aria-checked'), 'true');
    await key('button[data-cell=GRU]', 'Enter');
    assert.equal(await page.locator('button[data-cell=GRU]').getAttribute('aria-checked'), 'true');
    await page.waitForFunction(() => !document.querySelector('[data-testid=train-start]').disabled, null, { timeout: 60_000 });
    await page.getByTestId('pg-epochs').fill('50');
    await key('train-start', 'Enter');
    await page.waitForFunction(() => window.__rnnPage.sections.playground.run?.steps >= 3, null, { timeout: 60_000 });
    await key('train-pause', ' ');
    await page.waitForFunction(() => window.__rnnPage.sections.playground.paused);
    await key('train-pause', 'Enter');
    await page.waitForFunction(() => !window.__rnnPage.sections.playground.paused);
    await key('train-stop', 'Enter');
    await page.waitForFunction(() => window.__rnnPage.sections.playground.run?.ended, null, { timeout: 60_000 });
    assert.equal((await pg(page)).run.stopped, 'cancelled');
    assert.equal((await pg(page)).model.cell, 'GRU');
    // The file input behind "Load .safetensors…": Space opens the file chooser.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 10_000 }), key('weights-load', ' ')]);
    assert.ok(chooser, 'the file chooser opened');
    // A section link in the navigation: Enter goes there.
    await key('.toc a[href="#parameters"]', 'Enter');
    await page.waitForFunction(() => location.hash === '#parameters');
    assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('every chart has a text alternative with its numbers, updated with the chart', { timeout: 180_000 }, async () => {
  const { context, page, problems } = await openWebPage();
  try {
    await renderSections(page);
    // The anomaly chart appears when the sensor is streamed (here through an untrained model).
    await page.getByTestId('task-anomaly').click();
    await page.waitForFunction(() => window.__rnnPage.sections.playground.task === 'anomaly'
      && !document.querySelector('[data-testid=train-start]').disabled, null, { timeout: 60_000 });
    await page.getByTestId('anomaly-go').click();
    await page.waitForFunction(() => window.__rnnPage.sections.playground.anomaly?.running === false, null, { timeout: 60_000 });
    // Generic: every uPlot chart drawn is an image with a name and a table after it;
    // every other canvas is an image with a name and a caption holding numbers.
    const charts = await page.$$eval('.chart:has(.uplot)', (all) => all.map((c) => ({
      id: c.id, role: c.getAttribute('role'), label: c.getAttribute('aria-label'),
      table: document.querySelector(`details.chart-data[data-chart="${c.id}"] table`) !== null,
    })));
    assert.ok(charts.length >= 5, `${charts.length} charts`);
    for (const c of charts) {
      assert.equal(c.role, 'img', `#${c.id} role`);
      assert.ok(c.label?.length > 20, `#${c.id} has a name: ${c.label}`);
      assert.ok(c.table, `#${c.id} has its table`);
    }
    const canvases = await page.$$eval('canvas', (all) => all.filter((c) => !c.closest('.chart')).map((c) => ({
      id: c.id, role: c.getAttribute('role'), label: c.getAttribute('aria-label'),
      caption: document.getElementById(c.getAttribute('aria-describedby') ?? '')?.textContent ?? '',
    })));
    for (const c of canvases) {
      assert.equal(c.role, 'img', `canvas #${c.id} role`);
      assert.ok(c.label?.length > 20, `canvas #${c.id} has a name`);
      assert.match(`${c.label} ${c.caption}`, /\d\.\d/, `canvas #${c.id}: its name or its caption (aria-describedby) gives numbers`);
    }
    const rows = (id) => page.$$eval(`details[data-chart="${id}"] tbody tr`, (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    const fmt = (v) => page.evaluate(async (x) => (await import('./js/util.js')).num(x, 4), v);

    // Gradients: the row for k = 50 holds the engine's numbers; a new scale updates the table.
    const g = await page.evaluate(() => window.__rnnPage.sections.gradients.result);
    let r50 = (await rows('grad-chart')).find((r) => r[0] === '50');
    assert.deepEqual(r50.slice(1), [await fmt(g.RNN[50]), await fmt(g.LSTM[50]), await fmt(g.LSTMc[50]), await fmt(g.GRU[50])]);
    const runs = await page.evaluate(() => window.__rnnPage.sections.gradients.runs);
    await page.getByTestId('grad-scale').fill('2');
    await page.waitForFunction((n) => window.__rnnPage.sections.gradients.runs > n, runs);
    const g2 = await page.evaluate(() => window.__rnnPage.sections.gradients.result);
    r50 = (await rows('grad-chart')).find((r) => r[0] === '50');
    assert.equal(r50[1], await fmt(g2.RNN[50]), 'the table follows the chart');
    assert.notEqual(g2.RNN[50], g.RNN[50]);

    // Streaming: the measured µs per element.
    const s = await page.evaluate(() => window.__rnnPage.sections.streaming.result);
    const bench = await rows('bench-time');
    assert.equal(bench.length, s.positions.length);
    assert.deepEqual(bench.at(-1), [String(s.positions.at(-1)), await fmt(s.stepUs.at(-1)), await fmt(s.forwardUs.at(-1))]);

    // Anomalies: the flagged readings are rows of the table.
    const anomaly = (await pg(page)).anomaly;
    await page.locator('details[data-chart="anomaly-chart"]').evaluate((d) => { d.open = true; });
    const flagged = (await rows('anomaly-chart')).filter((r) => r[3] !== '–');
    assert.ok(anomaly.flags > 0 && flagged.length === Math.min(anomaly.flags, flagged.length) && flagged.length >= Math.min(anomaly.flags, 24),
      `${anomaly.flags} flags, ${flagged.length} flagged rows in the table`);
    assert.match(flagged[0][0], /^\d{4}-\d\d-\d\d \d\d:\d\d$/, 'times as ISO dates');
    await page.getByTestId('task-sentiment').click();
    await page.waitForFunction(() => window.__rnnPage.sections.playground.task === 'sentiment');

    // Loss chart: a short run; the table ends at the run's last recorded step, while it is open.
    await page.locator('details[data-chart="loss-chart"]').evaluate((d) => { d.open = true; });
    await shortTraining(page, 30);
    const run = (await pg(page)).run;
    const lastLoss = await fmt(run.losses.at(-1));
    await page.waitForFunction((v) => document.querySelector('details[data-chart="loss-chart"] tbody tr:last-child td')?.textContent === v, lastLoss, { timeout: 5_000 });
    const loss = await rows('loss-chart');
    assert.ok(loss.length >= 2, `${loss.length} rows`);
    assert.ok([run.steps - 1, run.steps].includes(Number(loss.at(-1)[0])), `last row ${loss.at(-1)} vs ${run.steps} steps`);
    assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('prefers-reduced-motion: reduce stops the animations that play by themselves; Play still works', { timeout: 120_000 }, async () => {
  const observe = async (reducedMotion) => {
    const { context, page, problems } = await openWebPage({ reducedMotion });
    try {
      await page.locator('#unrolled').scrollIntoViewIfNeeded();
      const read = () => page.evaluate(() => ({
        unrolled: window.__rnnPage.sections.unrolled.steps,
        gates: window.__rnnPage.sections.gates.step,
        animations: document.getAnimations().filter((a) => a.playState === 'running').length,
      }));
      await page.waitForTimeout(300);
      const a = await read();
      await page.waitForTimeout(2500);
      const b = await read();
      await page.locator('.gate-card').scrollIntoViewIfNeeded();
      const g0 = await read();
      await page.waitForTimeout(1000);
      const g1 = await read();
      const out = { unrolledSteps: b.unrolled - a.unrolled, gateSteps: g1.gates - g0.gates, animations: Math.max(b.animations, g1.animations) };
      if (reducedMotion === 'reduce') {
        // Play still plays, when the reader asks.
        await page.getByTestId('gate-play').click();
        await page.waitForTimeout(600);
        out.gateStepsAfterPlay = (await read()).gates - g1.gates;
        out.gatePlayLabel = await page.getByTestId('gate-play').textContent();
        await page.locator('#unrolled').scrollIntoViewIfNeeded();
        await page.getByTestId('unrolled-play').click();
        await page.waitForFunction((n) => window.__rnnPage.sections.unrolled.steps >= n + 2, b.unrolled, { timeout: 10_000 });
        out.unrolledAnimations = await page.evaluate(() => document.getAnimations().filter((x) => x.playState === 'running').length);
      }
      assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
      return out;
    } finally {
      await context.close();
    }
  };
  const normal = await observe('no-preference');
  assert.ok(normal.unrolledSteps >= 2 && normal.gateSteps >= 5, `without the preference both play by themselves: ${JSON.stringify(normal)}`);
  const reduced = await observe('reduce');
  assert.equal(reduced.unrolledSteps, 0, 'reduced motion: the unrolled RNN does not play by itself');
  assert.equal(reduced.gateSteps, 0, 'reduced motion: the gate stream does not play by itself');
  assert.equal(reduced.animations, 0, 'reduced motion: no CSS animation runs');
  assert.ok(reduced.gateStepsAfterPlay > 0, `Play starts the stream: ${reduced.gateStepsAfterPlay} steps`);
  assert.match(reduced.gatePlayLabel, /Pause/);
  assert.equal(reduced.unrolledAnimations, 0, 'reduced motion: the playing RNN has no looping CSS animation');
});
