// browser.test.mjs - the library in a real browser (Chromium via
// playwright-core): the engine gives the same numbers as in Node, and a
// PyTorch-trained model gives PyTorch's logits. Needs dist/ (./build.sh dist)
// and /usr/bin/chromium (or CHROMIUM_PATH); when Chromium is missing the
// tests FAIL, never skip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { init } from '../dist/index.js';
import { runCase } from './browser/engine.js';
import { runInterop } from './browser/interop.js';
import { runThreadsCase } from './browser/threads.js';
import { openPage as openRecordedPage, useBrowser } from './helpers/browser.mjs';
import { readFileSync } from 'node:fs';

const TOLERANCE = 1e-6;

const env = useBrowser({ dist: ['rnn.wasm'] });

// A page that records every page error, console error and failed request.
function openPage(options = {}) {
  return openRecordedPage(env.browser, { viewport: { width: 1100, height: 900 }, ...options });
}

// Asserts two plain results (nested objects / arrays of numbers) agree to TOLERANCE;
// returns the largest difference seen.
function assertClose(actual, expected, path = 'result') {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: expected a number, got ${typeof actual}`);
    if (Number.isNaN(expected)) { assert.ok(Number.isNaN(actual), `${path}: expected NaN, got ${actual}`); return 0; }
    const diff = Math.abs(actual - expected);
    assert.ok(diff <= TOLERANCE, `${path}: browser ${actual} vs node ${expected} (|diff| ${diff} > ${TOLERANCE})`);
    return diff;
  }
  if (expected === null || typeof expected !== 'object') {
    assert.deepEqual(actual, expected, path);
    return 0;
  }
  assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${actual}`);
  if (Array.isArray(expected)) assert.equal(actual.length, expected.length, `${path}: length`);
  else assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${path}: keys`);
  let worst = 0;
  for (const k of Object.keys(expected)) worst = Math.max(worst, assertClose(actual[k], expected[k], `${path}.${k}`));
  return worst;
}

test('the engine in Chromium computes exactly what it computes in Node (LSTM/GRU/RNN forward, backward, Adam)', { timeout: 60_000 }, async (t) => {
  const { context, page, problems } = await openPage();
  try {
    await page.goto(new URL('tests/browser/check.html?case=engine', env.server.url).href);
    await page.waitForFunction(() => window.__result || window.__error, null, { timeout: 30_000 });
    const error = await page.evaluate(() => window.__error ?? null);
    assert.equal(error, null, `the engine failed in the browser: ${error}`);
    const inBrowser = await page.evaluate(() => window.__result);

    const inNode = runCase(await init());
    assert.equal(inNode.backend, 'wasm-simd128', 'Node should run the SIMD128 build');
    assert.equal(inBrowser.backend, 'wasm-simd128', 'Chromium should run the SIMD128 build');
    assert.equal(inBrowser.lstm.stepCount, 1);
    // Sanity: the computation did something (gradients and the step are non-zero).
    assert.ok(inNode.lstm.grads.weight_ih_l0.data.some((v) => v !== 0), 'LSTM gradients are all zero');
    assert.notDeepEqual(inNode.lstm.paramsAfter, inNode.lstm.paramsBefore, 'Adam.step() changed nothing');

    const worst = assertClose(inBrowser, inNode);
    t.diagnostic(`largest |browser - node| difference: ${worst}${worst === 0 ? ' (bit-identical)' : ''}`);
    assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
  } finally {
    await context.close();
  }
});

test('a SentimentLSTM trained in PyTorch, loaded from safetensors, gives PyTorch\'s logits in Chromium and in Node', { timeout: 60_000 }, async () => {
  const { context, page, problems } = await openPage();
  try {
    await page.goto(new URL('tests/browser/check.html?case=interop', env.server.url).href);
    await page.waitForFunction(() => window.__result || window.__error, null, { timeout: 30_000 });
    const error = await page.evaluate(() => window.__error ?? null);
    assert.equal(error, null, `interop failed in the browser: ${error}`);
    const inBrowser = await page.evaluate(() => window.__result);
    const fixture = JSON.parse(readFileSync(new URL('./fixtures/sentiment_torch.json', import.meta.url), 'utf8'));
    const bytes = readFileSync(new URL('./fixtures/sentiment_torch.safetensors', import.meta.url));
    const inNode = runInterop(await init(), new Uint8Array(bytes), fixture);
    for (const [where, r] of [['Chromium', inBrowser], ['Node', inNode]]) {
      r.logits.forEach((v, i) => assert.ok(Math.abs(v - fixture.logits[i]) <= 2e-5,
        `${where}: logit ${i} is ${v}, PyTorch ${fixture.logits[i]}`));
    }
    assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
  } finally {
    await context.close();
  }
});

// The course page (web/) is tested in tests/web.test.mjs.

async function threadsPage(query) {
  const { context, page, problems } = await openPage();
  try {
    await page.goto(new URL(`tests/browser/check.html?case=threads${query}`, env.server.url).href);
    await page.waitForFunction(() => window.__result || window.__error, null, { timeout: 60_000 });
    const error = await page.evaluate(() => window.__error ?? null);
    assert.equal(error, null, `the threads page failed: ${error}`);
    return { result: await page.evaluate(() => window.__result), problems };
  } finally {
    await context.close();
  }
}

test('threads in Chromium: a cross-origin isolated page runs 2 threads with bitwise the results of Node on 1 thread', { timeout: 120_000 }, async () => {
  const { result, problems } = await threadsPage('');
  assert.equal(result.isolated, true, 'serve.mjs should make pages cross-origin isolated');
  assert.equal(result.threads, 2, `expected 2 threads: ${JSON.stringify(result.stats)}`);
  assert.ok(result.splitCalls > 50, `products should run split over the helper (split ${result.splitCalls} times)`);
  const inNode = runThreadsCase(await init());
  for (const k of ['LSTM', 'GRU', 'RNN', 'stream']) assert.deepEqual(result[k], inNode[k], `${k} differs from Node`);
  assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
});

test('threads in Chromium: a page that is not cross-origin isolated falls back to the single-threaded build', { timeout: 120_000 }, async () => {
  const { result, problems } = await threadsPage('&noisolation');
  assert.equal(result.isolated, false);
  assert.equal(result.threads, 1);
  assert.equal(result.splitCalls, 0);
  const inNode = runThreadsCase(await init());
  for (const k of ['LSTM', 'GRU', 'RNN', 'stream']) assert.deepEqual(result[k], inNode[k], `${k} differs from Node`);
  assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
});
