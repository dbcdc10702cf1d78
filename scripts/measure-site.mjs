#!/usr/bin/env node
// measure-site.mjs - how fast the built course page (build/site/) loads, in
// Debian's Chromium (playwright-core), served with gzip and the cache headers
// a production host sends (hashed files immutable, the rest revalidated).
//
//   npm run build:site && node scripts/measure-site.mjs [site-dir] [--runs N] [--viewport 390x844]
//
// Prints, per run:
//   - the bytes the server sent (gzipped bodies) and the requests it answered
//     from the first request until the page was ready (every request that
//     reached the server before the page's 'rnn-page-ready' mark: the engine
//     is loaded and every section is set up), and until the engine alone was
//     ready ('rnn-engine-ready');
//   - first paint and first contentful paint versus those two marks;
//   - the longest main-thread task during the load and while each section is
//     in view, scrolling through every section and resting on each: in wall
//     time (PerformanceObserver 'longtask') and in CPU time (Chromium's
//     trace), which the other processes of a busy machine barely change.
// tests/site.test.mjs asserts the budget (issue 18 section 4) with
// measureSite() below.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.wasm': 'application/wasm',
  '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf', '.png': 'image/png', '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8', '.tsv': 'text/plain; charset=utf-8', '.csv': 'text/plain; charset=utf-8',
};
// Formats that are compressed already: sent as they are.
const PACKED = new Set(['.woff2', '.woff', '.png', '.jpg', '.jpeg', '.gif', '.webp']);
// build-site.mjs names hashed files name-HASH.ext (8 base-32 characters).
const HASHED = /-[A-Z0-9]{8}\.[a-z0-9]+$/;

/**
 * A static server of dir with gzip (level 6, as nginx's default) that logs
 * every response: { path, bytes (body as sent), at (Date.now() on arrival) }.
 */
export async function serveGzip(dir) {
  const base = realpathSync(dir);
  const cache = new Map();
  const log = [];
  const server = createServer((req, res) => {
    const at = Date.now();
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(base, `.${path}`);
    let st = null;
    try { st = file.startsWith(base + sep) ? statSync(file) : null; } catch { /* missing */ }
    if (!st?.isFile()) {
      res.writeHead(st?.isDirectory() ? 301 : 404, st?.isDirectory() ? { Location: `${path}/` } : {});
      res.end();
      log.push({ path, bytes: 0, at, status: res.statusCode });
      return;
    }
    const ext = extname(file);
    const gzip = !PACKED.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '');
    let body = cache.get(file + gzip);
    if (!body) {
      body = readFileSync(file);
      if (gzip) body = gzipSync(body, { level: 6 });
      cache.set(file + gzip, body);
    }
    res.writeHead(200, {
      'Content-Type': TYPES[ext] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Cache-Control': HASHED.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(gzip ? { 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } : {}),
    });
    res.end(body);
    log.push({ path, bytes: body.length, at, status: 200 });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    log,
    close: () => new Promise((r) => { server.close(r); server.closeAllConnections?.(); }),
  };
}

export async function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// In the page before any of its scripts: long tasks and paints, recorded.
function observe() {
  window.__perf = { longTasks: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__perf.longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

const sum = (rows) => rows.reduce((s, r) => s + r.bytes, 0);

/**
 * One cold load of site (a URL served by serveGzip) in a fresh context:
 * returns { toReady, toEngine, paint, sections, load, problems }.
 * dwellMs: how long to rest on each section (the long tasks of setting up
 * and animating what is in view).
 */
export async function measureOnce(browser, server, { viewport = { width: 1280, height: 900 }, dwellMs = 1500 } = {}) {
  const context = await browser.newContext({ viewport, colorScheme: 'light' });
  const page = await context.newPage();
  let tracing = false;
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  try {
    await page.addInitScript(observe);
    await browser.startTracing(page, { categories: ['toplevel', 'blink.user_timing'] });
    tracing = true;
    const first = server.log.length;
    await page.goto(new URL('web/', server.url).href);
    await page.waitForFunction(() => window.__rnnPage?.ready || window.__rnnPage?.error, null, { timeout: 120_000 });
    const marks = await page.evaluate(() => {
      const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
      const paint = (name) => performance.getEntriesByName(name, 'paint')[0]?.startTime ?? null;
      return {
        error: window.__rnnPage.error, origin: performance.timeOrigin,
        engine: at('rnn-engine-ready'), ready: at('rnn-page-ready'), fp: paint('first-paint'), fcp: paint('first-contentful-paint'),
      };
    });
    if (marks.error) throw new Error(`the page failed to start: ${marks.error}`);
    const loaded = server.log.slice(first);
    const before = (ms) => loaded.filter((r) => r.at <= marks.origin + ms);
    const toReady = before(marks.ready), toEngine = before(marks.engine);

    // Every section, in order: scroll it to the top of the view, rest.
    const ids = await page.evaluate(() => [...document.querySelectorAll('main section[id], section[id]')].map((s) => s.id)
      .filter((id, i, a) => a.indexOf(id) === i));
    const sections = [];
    const loadTasks = await page.evaluate(() => window.__perf.longTasks.map((t) => t.duration));
    for (const id of ids) {
      const start = await page.evaluate(async (sid) => {
        performance.mark(`measure-section:${sid}`);
        document.getElementById(sid).scrollIntoView({ block: 'start' });
        await new Promise((r) => requestAnimationFrame(() => r()));
        return performance.now();
      }, id);
      await page.waitForTimeout(dwellMs);
      const tasks = await page.evaluate((t0) => window.__perf.longTasks.filter((t) => t.start + t.duration >= t0).map((t) => t.duration), start);
      sections.push({ id, longest: Math.max(0, ...tasks), tasks: tasks.length });
      await page.evaluate(() => { window.__perf.longTasks.length = 0; });
    }
    await page.evaluate(() => performance.mark('measure-end'));
    const cpu = taskCpu(JSON.parse((await browser.stopTracing()).toString()), ids);
    tracing = false;
    for (const sec of sections) sec.cpu = cpu.sections[sec.id];
    const afterScroll = server.log.slice(first).length;
    return {
      toReady: { bytes: sum(toReady), requests: toReady.length, files: toReady.map((r) => [r.path, r.bytes]) },
      toEngine: { bytes: sum(toEngine), requests: toEngine.length, files: toEngine.map((r) => [r.path, r.bytes]) },
      all: { bytes: sum(server.log.slice(first)), requests: afterScroll },
      paint: { fp: marks.fp, fcp: marks.fcp, engine: marks.engine, ready: marks.ready },
      load: { longest: Math.max(0, ...loadTasks), tasks: loadTasks.length, cpu: cpu.load },
      sections,
      problems,
    };
  } finally {
    if (tracing) await browser.stopTracing().catch(() => {});
    await context.close();
  }
}

// The longest task of the page's main thread in CPU time (the trace's
// thread duration), during the load (to 'rnn-page-ready') and while each
// section was in view. A task's wall time (the long-task API's measure) also
// counts the time the thread waited for a core; on a shared machine that is
// mostly the neighbours'.
const MICROTASKS = 'BlinkScheduler_PerformMicrotaskCheckpoint';

function taskCpu(trace, ids) {
  const events = trace.traceEvents ?? trace;
  const markAt = new Map();
  let main = null;
  for (const e of events) {
    if (!e.cat?.includes('blink.user_timing') || markAt.has(e.name)) continue;
    markAt.set(e.name, e.ts);
    if (e.name === 'rnn-engine-ready') main = `${e.pid}:${e.tid}`;
  }
  if (!main) throw new Error('the trace has no rnn-engine-ready mark');
  // The top-level slices of the main thread: a task (RunTask), then the
  // microtask checkpoint after it (a slice of its own, where code after an
  // await runs), which is the same task, as the long-task API counts it. The
  // next RunTask is another task, however soon it starts: between two tasks
  // the browser handles input. (Gluing every slice that started within 50 us
  // of the last one's end glued up to 40 tasks into one on a busy load.)
  const slices = events.filter((e) => e.ph === 'X' && e.cat?.split(',').includes('toplevel') && `${e.pid}:${e.tid}` === main)
    .sort((a, b) => a.ts - b.ts);
  const tasks = [];
  for (const e of slices) {
    const last = tasks.at(-1);
    if (last && e.ts < last.end) { last.end = Math.max(last.end, e.ts + e.dur); continue; } // nested
    const cpu = e.tdur ?? e.dur;
    if (last && e.name === MICROTASKS && !last.microtasks) { last.end = e.ts + e.dur; last.cpu += cpu; last.microtasks = true; continue; }
    tasks.push({ ts: e.ts, end: e.ts + e.dur, cpu, microtasks: e.name === MICROTASKS });
  }
  const longest = (from, to) => Math.max(0, ...tasks.filter((e) => e.end >= from && e.ts < to).map((e) => e.cpu / 1000));
  const windows = [...ids.map((id) => markAt.get(`measure-section:${id}`)), markAt.get('measure-end')];
  const sections = {};
  ids.forEach((id, i) => { sections[id] = longest(windows[i], windows[i + 1]); });
  return { load: longest(0, markAt.get('rnn-page-ready')), sections };
}

const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
const ms = (v) => (v == null ? 'n/a' : `${Math.round(v)} ms`);

export function describe(m) {
  return [
    `until ready: ${kb(m.toReady.bytes)} in ${m.toReady.requests} requests (until the engine alone: ${kb(m.toEngine.bytes)} in ${m.toEngine.requests});`
      + ` after scrolling through every section: ${kb(m.all.bytes)} in ${m.all.requests}`,
    `first paint ${ms(m.paint.fp)}, first contentful paint ${ms(m.paint.fcp)}, engine ready ${ms(m.paint.engine)}, page ready ${ms(m.paint.ready)}`,
    `longest task (wall, long-task API): load ${ms(m.load.longest)} (${m.load.tasks} long tasks); ${m.sections.map((s) => `${s.id} ${ms(s.longest)}`).join(', ')}`,
    `longest task (CPU time, trace): load ${ms(m.load.cpu)}; ${m.sections.map((s) => `${s.id} ${ms(s.cpu)}`).join(', ')}`,
  ].join('\n');
}

function runDirectly() {
  try { return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url)); } catch { return false; }
}

if (runDirectly()) {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
  const sizeAt = args.indexOf('--viewport');
  const [width, height] = sizeAt >= 0 ? args.splice(sizeAt, 2)[1].split('x').map(Number) : [1280, 900];
  const dir = resolve(args[0] ?? join(ROOT, 'build', 'site'));
  const server = await serveGzip(dir);
  const browser = await launchChromium();
  try {
    for (let i = 1; i <= runs; i++) {
      const m = await measureOnce(browser, server, { viewport: { width, height } });
      console.log(`run ${i}:\n${describe(m)}`);
      if (i === 1) console.log(`files until ready:\n${m.toReady.files.map(([p, b]) => `  ${String(b).padStart(7)}  ${p}`).join('\n')}`);
      if (m.problems.length) console.log(`problems: ${m.problems.join('; ')}`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
}
