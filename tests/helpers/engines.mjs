// engines.mjs - one small interface over the three browser engines the tests
// run in, so every cross-engine check is written once:
//   chromium  Debian's chromium, driven by playwright-core (CDP)
//   firefox   Debian's firefox-esr, driven by puppeteer-core over WebDriver BiDi
//   webkit    Debian's WebKitGTK MiniBrowser behind WebKitWebDriver, driven by
//             selenium-webdriver, in its own Xvfb, under the machine's default
//             locale LANG=C.UTF-8 (WebKit then reports navigator.language "C")
//
//   const env = useEngine('firefox', { dist: ['rnn.wasm'] }); // before / after hooks
//   const tab = await env.engine.open(new URL('web/', env.server.url).href);
//   await tab.waitFor(() => window.__rnnPage?.ready, null, { timeout: 60_000, what: 'the page to start' });
//   const backend = await tab.evaluate(() => window.__rnnPage.backend);
//   assert.deepEqual(await tab.problems(), []);
//   writeFileSync('shot.png', await tab.screenshot());
//   await tab.close();
//
// Errors are recorded the same way in every engine: the test server puts
// ERROR_RECORDER first in every HTML page's <head> (WebKitWebDriver has no
// BiDi and no log API), and tab.problems() adds what the driver itself sees
// (failed requests and HTTP errors in Chromium and Firefox, workers' console
// errors in Chromium).
// When a browser, its driver or a built file is missing the before hook
// throws: the tests FAIL, never skip.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { startServer } from '../../scripts/serve.mjs';

export const ENGINES = ['chromium', 'firefox', 'webkit'];

/** Shared wasm memory (SharedArrayBuffer) in a cross-origin isolated page, so
 * the multi-threaded build: WebKitGTK 2.50 says crossOriginIsolated but has no SharedArrayBuffer. */
export const SHARED_MEMORY = { chromium: true, firefox: true, webkit: false };

/** WebAssembly relaxed SIMD by default, so init() picks rnn-relaxed.wasm: WebKitGTK 2.50 has none. */
export const RELAXED_SIMD = { chromium: true, firefox: true, webkit: false };

const ROOT = new URL('../../', import.meta.url);
const WEBKIT_DIRS = ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1'];
const INSTALL = 'install it with bash scripts/setup.sh --test';

/** Chromium's flags in every test (headless, no network of its own). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const BINARIES = {
  chromium: () => process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  firefox: () => process.env.FIREFOX_PATH || '/usr/bin/firefox-esr',
  webkit: () => process.env.MINIBROWSER_PATH || WEBKIT_DIRS.map((d) => `${d}/MiniBrowser`).find(existsSync) || `${WEBKIT_DIRS[0]}/MiniBrowser`,
};

/** Runs first in every page the test server sends: page errors, unhandled rejections, console.error and failed loads go to window.__problems. */
export const ERROR_RECORDER = `(() => {
  const problems = window.__problems = [];
  const text = (v) => (v && v.stack) ? String(v.stack).split('\\n')[0] + (String(v.stack).includes(String(v.message)) ? '' : ': ' + v.message) : String(v);
  addEventListener('error', (e) => {
    const t = e.target;
    if (t && t !== window && (t.src || t.href)) problems.push('failed to load: ' + (t.src || t.href));
    else problems.push('page error: ' + (e.error ? text(e.error) : e.message));
  }, true);
  addEventListener('unhandledrejection', (e) => problems.push('unhandled rejection: ' + text(e.reason)));
  const error = console.error.bind(console);
  console.error = (...args) => { problems.push('console error: ' + args.map(text).join(' ')); error(...args); };
})();`;

// Values cross from the page as JSON, the same way in every driver (WebDriver
// classic has no -0, NaN or Infinity): those are sent as { __number: '-0' }.
const IN_PAGE = `async (source, arg) => {
  const value = await (0, eval)('(' + source + ')')(arg);
  return JSON.stringify(value === undefined ? null : value, (k, v) => typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))
    ? { __number: Object.is(v, -0) ? '-0' : String(v) } : v);
}`;
const revive = (k, v) => (v && typeof v === 'object' && typeof v.__number === 'string' && Object.keys(v).length === 1 ? Number(v.__number) : v);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * What every tab offers, whatever the driver. run(IN_PAGE, fnSource, arg) is
 * the driver's own call that evaluates IN_PAGE in the page.
 * @returns {{ evaluate(fn: Function, arg?: any): Promise<any>,
 *   waitFor(fn: Function, arg?: any, o?: { timeout?: number, what?: string }): Promise<any>,
 *   problems(): Promise<string[]>, screenshot(): Promise<Buffer>, close(): Promise<void> }}
 */
function makeTab({ run, screenshot, driverProblems = () => [], close }) {
  const tab = {
    async evaluate(fn, arg = null) {
      return JSON.parse(await run(IN_PAGE, fn.toString(), arg), revive);
    },
    /** Polls fn(arg) in the page until it is truthy; returns that value. */
    async waitFor(fn, arg = null, { timeout = 30_000, what = fn.toString() } = {}) {
      const deadline = Date.now() + timeout;
      let last;
      for (;;) {
        last = await tab.evaluate(fn, arg);
        if (last) return last;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last value ${JSON.stringify(last)})`);
        await sleep(100);
      }
    },
    async problems() {
      const recorded = await tab.evaluate(() => window.__problems ?? ['the error recorder did not run in this page']);
      return [...recorded, ...driverProblems()];
    },
    /** A PNG (a Buffer) of what the viewport shows. */
    screenshot,
    close,
  };
  return tab;
}

// ---- chromium: playwright-core ----------------------------------------------
async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: BINARIES.chromium(),
    args: CHROMIUM_ARGS,
  });
  return {
    version: `Chromium ${browser.version()}`,
    async open(url, { viewport = { width: 1100, height: 900 } } = {}) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const seen = [];
      page.on('requestfailed', (req) => seen.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
      page.on('response', (res) => { if (res.status() >= 400) seen.push(`HTTP ${res.status()}: ${res.url()}`); });
      page.on('worker', (w) => w.on('console', (m) => { if (m.type() === 'error') seen.push(`worker console error: ${m.text()}`); }));
      await page.goto(url);
      return makeTab({
        run: (source, fnSource, arg) => page.evaluate(([s, f, a]) => (0, eval)(`(${s})`)(f, a), [source, fnSource, arg]),
        screenshot: () => page.screenshot(),
        driverProblems: () => seen,
        close: () => context.close(),
      });
    },
    close: () => browser.close(),
  };
}

// ---- firefox: puppeteer-core over WebDriver BiDi ------------------------------
async function launchFirefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox', protocol: 'webDriverBiDi', executablePath: BINARIES.firefox(), headless: true,
    // no updates, telemetry or remote settings: the tests reach only the local server
    extraPrefsFirefox: { 'app.update.enabled': false, 'datareporting.policy.dataSubmissionEnabled': false, 'network.captive-portal-service.enabled': false },
  });
  return {
    version: (await browser.version()).replace(/^firefox\//, 'Firefox '),
    async open(url, { viewport = { width: 1100, height: 900 } } = {}) {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport(viewport);
      const seen = [];
      page.on('requestfailed', (req) => seen.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
      page.on('response', (res) => { if (res.status() >= 400) seen.push(`HTTP ${res.status()}: ${res.url()}`); });
      await page.goto(url);
      return makeTab({
        run: (source, fnSource, arg) => page.evaluate((s, f, a) => (0, eval)(`(${s})`)(f, a), source, fnSource, arg),
        screenshot: async () => Buffer.from(await page.screenshot()),
        driverProblems: () => seen,
        close: () => context.close(),
      });
    },
    close: () => browser.close(),
  };
}

// ---- webkit: selenium-webdriver, WebKitWebDriver, MiniBrowser, Xvfb ------------
// A child process that is killed with its process group at the end.
function startChild(command, args, env) {
  const child = spawn(command, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((r) => child.once('exit', r));
  return {
    child, exited, output: () => output,
    async stop() {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
      const done = await Promise.race([exited.then(() => true), sleep(3000)]);
      if (!done) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    },
  };
}

async function waitForOutput(proc, pattern, what, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const m = proc.output().match(pattern);
    if (m) return m;
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`${what} did not start: ${proc.output().slice(-500)}`);
    await sleep(50);
  }
}

async function launchWebkit() {
  const { Builder } = await import('selenium-webdriver');
  const env = { ...process.env, LANG: 'C.UTF-8' };
  delete env.LC_ALL;
  delete env.LANGUAGE;
  // A display of its own: -displayfd prints the number of a free one.
  const xvfb = startChild('Xvfb', ['-displayfd', '1', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], env);
  let driverProc = null;
  try {
    env.DISPLAY = `:${(await waitForOutput(xvfb, /^(\d+)\s*$/m, 'Xvfb'))[1]}`;
    // WebKitWebDriver has no "any free port": pick one, retry on a clash.
    let port = 0;
    for (let attempt = 0; ; attempt++) {
      await driverProc?.stop();
      port = 20_000 + Math.floor(Math.random() * 20_000);
      driverProc = startChild('WebKitWebDriver', [`--port=${port}`], env);
      const ok = await Promise.race([driverProc.exited.then(() => false), sleep(400).then(() => true)]);
      if (ok) break;
      if (attempt > 5) throw new Error(`WebKitWebDriver did not start: ${driverProc.output().slice(-500)}`);
    }
    const driver = await new Builder().usingServer(`http://127.0.0.1:${port}`).withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: BINARIES.webkit(), args: ['--automation'] },
    }).build();
    await driver.manage().setTimeouts({ script: 120_000 });
    const version = (await driver.getCapabilities()).get('browserVersion');
    let open = false;
    return {
      version: `WebKitGTK ${version}`,
      async open(url, { viewport = { width: 1100, height: 900 } } = {}) {
        if (open) throw new Error('webkit: one tab at a time (close the previous one first)');
        open = true;
        await driver.manage().window().setRect({ width: viewport.width, height: viewport.height });
        await driver.get(url);
        return makeTab({
          run: (source, fnSource, arg) => driver.executeScript(`return (${source})(arguments[0], arguments[1]);`, fnSource, arg),
          screenshot: async () => Buffer.from(await driver.takeScreenshot(), 'base64'),
          close: async () => { open = false; await driver.get('about:blank'); },
        });
      },
      async close() {
        await driver.quit().catch(() => {});
        await driverProc.stop();
        await xvfb.stop();
      },
    };
  } catch (e) {
    await driverProc?.stop();
    await xvfb.stop();
    throw e;
  }
}

const LAUNCH = { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebkit };

function missingTools(name) {
  const missing = [];
  if (!existsSync(BINARIES[name]())) missing.push(BINARIES[name]());
  if (name === 'webkit') {
    for (const tool of ['/usr/bin/WebKitWebDriver', '/usr/bin/Xvfb']) if (!existsSync(tool)) missing.push(tool);
  }
  return missing;
}

/** Starts one engine. Throws (naming what to install) when it cannot run. */
export async function launchEngine(name) {
  if (!LAUNCH[name]) throw new Error(`unknown engine ${name}: one of ${ENGINES.join(', ')}`);
  const missing = missingTools(name);
  if (missing.length) throw new Error(`${name} cannot run: ${missing.join(', ')} missing (${INSTALL})`);
  const engine = await LAUNCH[name]();
  return { name, ...engine };
}

/**
 * Registers before / after hooks (in the current describe) that start the
 * test server (with ERROR_RECORDER) and the engine; returns { server, engine },
 * filled in by the before hook (server.url is the repository root). dist /
 * nodeModules: files the tests need.
 */
export function useEngine(name, { dist = [], nodeModules = [] } = {}) {
  const env = { server: null, engine: null };
  before(async () => {
    for (const f of dist) {
      if (!existsSync(new URL(`dist/${f}`, ROOT))) throw new Error(`dist/${f} is missing: run ./build.sh dist first`);
    }
    for (const f of nodeModules) {
      if (!existsSync(new URL(`node_modules/${f}`, ROOT))) throw new Error(`node_modules/${f} is missing: run npm install`);
    }
    env.server = await startServer({ port: 0, host: '127.0.0.1', headScript: ERROR_RECORDER });
    env.engine = await launchEngine(name);
  });
  after(async () => {
    await env.engine?.close().catch(() => {});
    await env.server?.close();
  });
  return env;
}
