// browser.mjs - what the Chromium-only tests (web.test.mjs) share:
// the repository's static server (scripts/serve.mjs) and Debian's headless
// Chromium driven by playwright-core, started in a before() hook and closed
// in after(), and pages that record every error. When Chromium or a built
// file is missing the tests FAIL (the before hook throws), never skip.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { BINARIES, CHROMIUM_ARGS } from './engines.mjs';

// The tests that run in every engine use engines.mjs; these use playwright's
// Chromium-only API (screenshots, downloads, long tasks, keyboard).
export const CHROMIUM = BINARIES.chromium();
const ROOT = new URL('../../', import.meta.url);

/**
 * Registers the before / after hooks of a test file and returns { server,
 * browser }, filled in by the before hook (server.url is the repository
 * root). dist: files of dist/ the tests need; nodeModules: files of
 * node_modules/ they need; args: Chromium flags beyond CHROMIUM_ARGS.
 */
export function useBrowser({ dist = [], nodeModules = [], args = [] } = {}) {
  const env = { server: null, browser: null };
  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium, or bash scripts/setup.sh --test) or set CHROMIUM_PATH`);
    }
    for (const f of dist) {
      if (!existsSync(new URL(`dist/${f}`, ROOT))) throw new Error(`dist/${f} is missing: run ./build.sh dist first`);
    }
    for (const f of nodeModules) {
      if (!existsSync(new URL(`node_modules/${f}`, ROOT))) throw new Error(`node_modules/${f} is missing: run npm install`);
    }
    env.server = await startServer({ port: 0, host: '127.0.0.1' });
    env.browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [...CHROMIUM_ARGS, ...args],
    });
  });
  after(async () => {
    await env.browser?.close().catch(() => {});
    await env.server?.close();
  });
  return env;
}

/** Collects every page error, console error, failed request and HTTP error of page into the returned array. */
export function recordProblems(page) {
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`); });
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('response', (res) => { if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`); });
  return problems;
}

/** A page in a new context (contextOptions: playwright's newContext options) that records its problems. */
export async function openPage(browser, contextOptions = {}) {
  assert.ok(browser, 'the browser did not start (see the before hook error)');
  const context = await browser.newContext(contextOptions);
  const page = await context.newPage();
  return { context, page, problems: recordProblems(page) };
}

/** Waits until the course page (web/) has set up every section; fails with the page's own error. */
export async function coursePageReady(page, timeout = 60_000) {
  await page.waitForFunction(() => window.__rnnPage?.ready || window.__rnnPage?.error, null, { timeout });
  const error = await page.evaluate(() => window.__rnnPage.error);
  assert.equal(error, null, `the page failed to start: ${error}`);
}

/**
 * Opens the course page (web/ of env's server) in a new context (contextOptions:
 * playwright's newContext options), waits until it is ready, runs fn(page) and
 * checks that nothing went wrong meanwhile (no page errors, console errors or
 * failed requests).
 */
export async function onCoursePage(env, contextOptions, fn) {
  const { context, page, problems } = await openPage(env.browser, contextOptions);
  try {
    await page.goto(new URL('web/', env.server.url).href);
    await coursePageReady(page);
    await fn(page);
    assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
  } finally {
    await context.close();
  }
}
