// package.test.mjs - the published package as users get it: `npm pack`
// makes the tarball from the repository (dist/ must exist: ./build.sh dist),
// a fresh project installs it offline, and every way of consuming it runs
// the same LSTM forward/backward + Adam step (tests/package/case.mjs) and
// must print exactly what the repository's own dist/ computes:
//   (a) Node ESM `import`            (e) TypeScript types via "exports"
//   (b) CommonJS `require`           (f) a Vite app, no config, in Chromium
//   (c) a Node worker_threads Worker (g) a static page, no bundler, in Chromium
//   (d) custom hosting: locateFile / wasmBinary, in Node and in Chromium
//   (h) a module Web Worker, in Chromium
// Fixture projects live in tests/package/. Needs /usr/bin/chromium (or
// CHROMIUM_PATH) and the dev dependencies (npm install: vite, typescript,
// playwright-core, sirv). Set RNN_WASM_KEEP_PACKAGE_TMP=1 to keep the temp
// projects for a look afterwards.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import sirv from 'sirv';
import { runCase } from './package/case.mjs';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = join(REPO, 'tests', 'package');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const VITE = join(REPO, 'node_modules', 'vite', 'bin', 'vite.js');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const KEEP = process.env.RNN_WASM_KEEP_PACKAGE_TMP === '1';
const TEST_TIMEOUT = 120_000;

// What a user needs, and nothing else.
const ALLOWED = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^dist\/[\w-]+\.js$/, /^dist\/[\w-]+\.d\.ts$/, /^dist\/[\w-]+\.wasm$/];
// The entries, the wasm builds, and every chunk the entries import, statically or
// by import() (scripts/minify.mjs bundles the wrapper into entries and shared
// content-hashed chunks; the TF.js interop is a chunk loaded on first use).
const ENTRIES = ['dist/index.js', 'dist/trainer-worker.js', 'dist/threads-helper.js'];
function chunksOf(file, seen = new Set()) {
  if (seen.has(file) || !existsSync(join(REPO, file))) return [];
  seen.add(file);
  const direct = [...readFileSync(join(REPO, file), 'utf8').matchAll(/(?:from\s*|import\(\s*)"\.\/([\w-]+\.js)"/g)].map((m) => `dist/${m[1]}`);
  return [...direct, ...direct.flatMap((d) => chunksOf(d, seen))];
}
const REQUIRED = ['package.json', 'README.md', 'LICENSE', ...ENTRIES, 'dist/index.d.ts',
  'dist/rnn.wasm', 'dist/rnn-scalar.wasm', 'dist/rnn-mt.wasm', 'dist/rnn-relaxed.wasm', 'dist/rnn-relaxed-kernels.wasm',
  'dist/rnn-int8.wasm', 'dist/rnn-int8-scalar.wasm', 'dist/rnn-int8-mt.wasm', 'dist/rnn-int8-relaxed.wasm', ...new Set(ENTRIES.flatMap((e) => chunksOf(e)))];

let tmp = null;     // the temp dir holding the tarball and the projects
let pack = null;    // npm pack --json's entry for the tarball
let packStderr = '';
let proj = null;    // the fresh project that installed the tarball
let installed = null; // proj/node_modules/rnn-wasm
let expected = null;        // runCase on the repository's dist/ (SIMD build)
let expectedScalar = null;  // the same on the scalar build
let browser = null;

// ---------------------------------------------------------------- helpers

// Child processes get no npm_* variables from an outer `npm test`: the
// nested npm must see only its own configuration.
function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

function run(cmd, args, { cwd, timeout = 60_000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, env: cleanEnv(), timeout, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const how = err.killed ? `was killed after ${timeout} ms` : `exited with ${err.code}`;
        reject(new Error(`\`${[cmd, ...args].join(' ')}\` (in ${cwd}) ${how}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

// npm's own lines about the machine's npmrc (e.g. "Unknown user config") are
// not about this package; every other warning is.
function npmWarnings(stderr) {
  return stderr.split('\n').filter((l) => /\bwarn/i.test(l) && !/Unknown (user|project|global|builtin) config/i.test(l));
}

/** Runs a Node script of a fixture project; returns its last stdout line parsed, and stderr. */
async function runNodeScript(cwd, script) {
  const { stdout, stderr } = await run(process.execPath, [script], { cwd, timeout: 60_000 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  let json;
  try { json = JSON.parse(last); } catch { assert.fail(`${script} printed no JSON result:\n${stdout}\n${stderr}`); }
  return { json, stderr };
}

// Results are compared after a JSON round trip (as every consumer sends
// them), so -0/0 and NaN/null are treated alike on both sides.
const viaJson = (v) => JSON.parse(JSON.stringify(v));

// Chromium has relaxed SIMD, so a plain init() there runs the relaxed build
// (rnn-relaxed.wasm + its kernels): its fused multiply-adds may round
// differently, so its numbers are held to the SIMD build's within float32
// rounding; every other result bit for bit.
const RELAXED_FILES = ['rnn-relaxed.wasm', 'rnn-relaxed-kernels.wasm'];

function assertNear(actual, wanted, where) {
  if (typeof wanted === 'number') {
    assert.ok(Math.abs(actual - wanted) <= 1e-6 + 1e-4 * Math.abs(wanted), `${where}: ${actual} vs ${wanted}`);
  } else if (wanted && typeof wanted === 'object') {
    assert.deepEqual(Object.keys(actual ?? {}), Object.keys(wanted), `${where}: keys`);
    for (const k of Object.keys(wanted)) assertNear(actual[k], wanted[k], `${where}.${k}`);
  } else {
    assert.equal(actual, wanted, where);
  }
}

function assertSameResult(actual, wanted, where) {
  assert.ok(actual && typeof actual === 'object', `${where}: no result`);
  assert.ok(Number.isFinite(actual.loss) && actual.lossAfter < actual.loss,
    `${where}: the Adam step should lower the loss (${actual.loss} -> ${actual.lossAfter})`);
  if (actual.backend === 'wasm-relaxed-simd' && wanted.backend === 'wasm-simd128') {
    const { backend: _a, ...got } = viaJson(actual);
    const { backend: _w, ...want } = viaJson(wanted);
    assertNear(got, want, `${where} (relaxed SIMD)`);
    return;
  }
  assert.equal(actual.backend, wanted.backend, `${where}: backend`);
  assert.deepStrictEqual(viaJson(actual), viaJson(wanted), `${where}: the numbers differ from the repository's dist/`);
}

async function copyFixture(name, dest) {
  await cp(join(FIXTURES, name), dest, { recursive: true });
  await cp(join(FIXTURES, 'case.mjs'), join(dest, 'case.mjs'));
}

/** A static file server for a folder (sirv, as scripts/serve.mjs uses); wasm goes out as application/wasm. */
async function serve(root) {
  const files = sirv(root, { dev: true, dotfiles: false });
  const server = createServer((req, res) => files(req, res, () => {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end(`not found: ${req.url}\n`);
  }));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}/`;
  return {
    url,
    close: () => new Promise((resolve) => { server.close(() => resolve()); server.closeAllConnections?.(); }),
  };
}

async function getBrowser() {
  if (browser) return browser;
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install it (apt-get install chromium, or bash scripts/setup.sh --test) or set CHROMIUM_PATH`);
  }
  // The flags of tests/browser.test.mjs.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return browser;
}

/**
 * Serves root, opens path in Chromium and waits for window.__result (or
 * window.__error). Returns the result, the page's text, every response
 * (url, status, type) and every problem (page/console errors, failed or
 * 4xx/5xx requests).
 */
async function openInChromium(root, path) {
  const b = await getBrowser();
  const server = await serve(root);
  const context = await b.newContext();
  try {
    const page = await context.newPage();
    const problems = [];
    const responses = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`); });
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
    page.on('response', (res) => {
      responses.push({ path: new URL(res.url()).pathname, status: res.status(), type: res.headers()['content-type'] ?? '' });
      if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
    });
    await page.goto(new URL(path, server.url).href);
    await page.waitForFunction(() => window.__result || window.__error, null, { timeout: 30_000 })
      .catch(() => assert.fail(`no result on ${path} after 30 s; problems: ${JSON.stringify(problems)}`));
    const error = await page.evaluate(() => window.__error ?? null);
    assert.equal(error, null, `${path} failed in Chromium: ${error}\nproblems: ${JSON.stringify(problems)}`);
    const result = await page.evaluate(() => JSON.stringify(window.__result));
    const extra = await page.evaluate(() => ({ scope: window.__scope ?? null }));
    const text = await page.locator('#out').textContent();
    return { result: JSON.parse(result), text, responses, problems, ...extra };
  } finally {
    await context.close();
    await server.close();
  }
}

const wasmRequests = (responses) => responses.filter((r) => r.path.endsWith('.wasm'));

// ------------------------------------------------------------ pack + install

before(async () => {
  // (npm pack + npm install of a local tarball: a few seconds)
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/rnn.wasm', 'dist/rnn-scalar.wasm']) {
    if (!existsSync(join(REPO, f))) throw new Error(`${f} is missing: run ./build.sh dist first`);
  }
  const { init } = await import('../dist/index.js');
  expected = viaJson(runCase(await init({ build: 'simd' })));
  expectedScalar = viaJson(runCase(await init({ simd: false })));

  tmp = await mkdtemp(join(tmpdir(), 'rnn-wasm-package-'));
  const packed = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], { cwd: REPO });
  packStderr = packed.stderr;
  // npm prints the JSON on stdout (lifecycle output, if any, comes before it).
  pack = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('[')))[0];
  assert.ok(pack?.filename && existsSync(join(tmp, pack.filename)), `npm pack made no tarball:\n${packed.stdout}\n${packed.stderr}`);

  proj = join(tmp, 'consumer');
  await mkdir(proj);
  await run('npm', ['init', '-y'], { cwd: proj });
  // A local tarball with no dependencies installs with no network at all.
  await run('npm', ['install', join(tmp, pack.filename), '--offline', '--no-audit', '--no-fund'], { cwd: proj, timeout: 120_000 });
  installed = join(proj, 'node_modules', 'rnn-wasm');
  assert.ok(existsSync(join(installed, 'dist', 'index.js')), 'the installed package has no dist/index.js');
});

after(async () => {
  await browser?.close().catch(() => {});
  if (tmp && !KEEP) await rm(tmp, { recursive: true, force: true });
  else if (tmp) console.log(`package.test: kept ${tmp}`);
});

// ---------------------------------------------------------------- the tests

test('npm pack: the tarball holds only what users need, and the package has no runtime dependencies', { timeout: TEST_TIMEOUT }, async (t) => {
  const files = pack.files.map((f) => f.path).sort();
  const unexpected = files.filter((f) => !ALLOWED.some((re) => re.test(f)));
  assert.deepEqual(unexpected, [], `files that users do not need are in the tarball (fix "files" in package.json): ${unexpected.join(', ')}`);
  const missing = REQUIRED.filter((f) => !files.includes(f));
  assert.deepEqual(missing, [], `files users need are missing from the tarball: ${missing.join(', ')}`);
  assert.deepEqual(npmWarnings(packStderr), [], 'npm pack printed warnings');

  const wasm = pack.files.filter((f) => f.path.endsWith('.wasm')).map((f) => `${f.path} ${(f.size / 1024).toFixed(1)} KiB`);
  t.diagnostic(`tarball ${pack.filename}: ${(pack.size / 1024).toFixed(1)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(1)} KiB unpacked, ${pack.entryCount} files`);
  t.diagnostic(`engine: ${wasm.join(', ')}`);
  t.diagnostic(`files: ${files.join(' ')}`);

  // Every dist/ file is the current build of the sources (a stale dist/ would
  // ship old code): .d.ts copied as is; .js (bundled and minified by
  // scripts/minify.mjs, so not byte-equal to js/) is an entry with a source
  // in js/ or a chunk an entry imports, and no older than any file of js/.
  const newestSource = Math.max(...(await readdir(join(REPO, 'js'), { recursive: true }))
    .filter((n) => n.endsWith('.js')).map((n) => statSync(join(REPO, 'js', n)).mtimeMs));
  for (const f of files.filter((p) => /^dist\/.*\.(js|d\.ts)$/.test(p))) {
    const src = join(REPO, 'js', f.slice('dist/'.length));
    if (f.endsWith('.d.ts')) {
      assert.ok(existsSync(src), `${f} has no source js/${f.slice(5)}: a stale file in dist/? (rm -rf dist && ./build.sh dist)`);
      assert.ok((await readFile(src)).equals(await readFile(join(installed, f))), `${f} differs from js/${f.slice(5)}: run ./build.sh dist`);
    } else {
      assert.ok(REQUIRED.includes(f), `${f} is neither an entry nor a chunk an entry imports: a stale file in dist/? (rm -rf dist && ./build.sh dist)`);
      assert.ok(statSync(join(REPO, f)).mtimeMs >= newestSource, `${f} is older than the newest file in js/: run ./build.sh dist`);
    }
  }

  // Every relative import / new URL(..., import.meta.url) in the shipped JS points at a shipped file.
  const refs = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (const f of files.filter((p) => p.endsWith('.js'))) {
    const code = (await readFile(join(installed, f), 'utf8'))
      .replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, ''); // comments out
    for (const [, , spec] of code.matchAll(refs)) {
      const target = new URL(spec, `file:///pkg/${f}`).pathname.slice('/pkg/'.length);
      assert.ok(files.includes(target), `${f} refers to ${spec}, which is not in the tarball`);
    }
  }

  // package.json as published.
  const pkg = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies']) {
    assert.equal(pkg[field], undefined, `package.json has "${field}": rnn-wasm has zero runtime dependencies`);
  }
  assert.equal(pkg.type, 'module');
  assert.equal(Object.keys(pkg.exports['.'])[0], 'types', '"types" must come first in exports["."] (TypeScript takes the first match)');
  const targets = [pkg.main, pkg.types, pkg.exports['.'].types, pkg.exports['.'].default,
    ...Object.entries(pkg.exports).filter(([k]) => k !== '.').map(([, v]) => v)];
  for (const target of targets) {
    assert.ok(files.includes(target.replace(/^\.\//, '')), `package.json points at ${target}, which is not in the tarball`);
  }

  // The fresh project got exactly one package: rnn-wasm itself.
  const modules = (await readdir(join(proj, 'node_modules'))).filter((n) => !n.startsWith('.'));
  assert.deepEqual(modules, ['rnn-wasm'], 'installing the tarball brought other packages along');
});

test('(a) Node ESM: import { init } from \'rnn-wasm\' in a fresh project gives the repository\'s numbers', { timeout: TEST_TIMEOUT }, async () => {
  await copyFixture('node', join(proj, 'node'));
  const { json, stderr } = await runNodeScript(join(proj, 'node'), 'esm.mjs');
  assert.equal(json.resolved, pathToFileURL(join(installed, 'dist', 'index.js')).href, 'rnn-wasm resolved elsewhere');
  assert.equal(json.wasmSubpath, pathToFileURL(join(installed, 'dist', 'rnn.wasm')).href, "exports['./rnn.wasm']");
  assert.equal(stderr, '', 'the script printed to stderr');
  assertSameResult(json.result, expected, 'Node ESM');
});

test('(b) CommonJS: require(\'rnn-wasm\') works (Node >= 20.19 require(esm)) and gives the same numbers', { timeout: TEST_TIMEOUT }, async () => {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const hasRequireEsm = major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
  assert.ok(hasRequireEsm, `require(esm) needs Node >= 20.19 or >= 22.12; this is ${process.version}`);
  if (!existsSync(join(proj, 'node'))) await copyFixture('node', join(proj, 'node'));
  const { json, stderr } = await runNodeScript(join(proj, 'node'), 'require.cjs');
  assert.equal(json.resolved, join(installed, 'dist', 'index.js'));
  assert.equal(stderr, '', 'require(esm) printed a warning (or the script printed to stderr)');
  assertSameResult(json.result, expected, 'CommonJS require');
});

test('(c) Node worker_threads: the package runs inside a Worker', { timeout: TEST_TIMEOUT }, async () => {
  if (!existsSync(join(proj, 'node'))) await copyFixture('node', join(proj, 'node'));
  const { json, stderr } = await runNodeScript(join(proj, 'node'), 'thread-main.mjs');
  assert.equal(json.isMainThread, false, 'the case did not run in a worker thread');
  assert.ok(json.threadId > 0);
  assert.equal(stderr, '', 'the script printed to stderr');
  assertSameResult(json.result, expected, 'Node worker thread');
});

test('(i) Node threads: init({ threads: 2 }) from the installed package runs 2 threads and gives the same numbers', { timeout: TEST_TIMEOUT }, async () => {
  if (!existsSync(join(proj, 'node'))) await copyFixture('node', join(proj, 'node'));
  const { json, stderr } = await runNodeScript(join(proj, 'node'), 'threads.mjs');
  assert.equal(json.threads, 2, `helpers did not start: ${JSON.stringify(json.stats)}`);
  assert.equal(json.mtSubpath, pathToFileURL(join(installed, 'dist', 'rnn-mt.wasm')).href, "exports['./rnn-mt.wasm']");
  assert.equal(stderr, '', 'the script printed to stderr');
  assertSameResult(json.result, expected, 'Node, 2 threads');
});

test('(d) custom hosting: init({ locateFile }) and init({ wasmBinary }) load a .wasm kept elsewhere (Node and Chromium)', { timeout: TEST_TIMEOUT }, async (t) => {
  // Node: a project whose node_modules/rnn-wasm has no .wasm; they are in ./hosted/.
  const custom = join(tmp, 'custom-host');
  await mkdir(join(custom, 'node_modules'), { recursive: true });
  await writeFile(join(custom, 'package.json'), '{ "name": "custom-host", "private": true, "type": "module" }\n');
  await cp(installed, join(custom, 'node_modules', 'rnn-wasm'), { recursive: true });
  await mkdir(join(custom, 'hosted'));
  for (const f of ['rnn.wasm', 'rnn-scalar.wasm']) {
    await rename(join(custom, 'node_modules', 'rnn-wasm', 'dist', f), join(custom, 'hosted', f));
  }
  await cp(join(FIXTURES, 'node', 'custom.mjs'), join(custom, 'custom.mjs'));
  await cp(join(FIXTURES, 'case.mjs'), join(custom, 'case.mjs'));
  const { json } = await runNodeScript(custom, 'custom.mjs');
  assert.deepEqual(json.calls, ['rnn.wasm', 'rnn-scalar.wasm'], 'locateFile was asked for the SIMD then the scalar build');
  assertSameResult(json.viaLocateFile, expected, 'Node locateFile');
  assertSameResult(json.scalar, expectedScalar, 'Node locateFile, simd: false');
  assertSameResult(json.viaWasmBinary, expected, 'Node wasmBinary (Buffer)');
  assertSameResult(json.viaArrayBuffer, expected, 'Node wasmBinary (ArrayBuffer)');
  assert.match(json.defaultError ?? '', /ENOENT|no such file/, 'init() without options should fail here (no .wasm beside the JS): the test would prove nothing');

  // Chromium: the JS at /lib/ without the .wasm, which live at /engine-files/.
  const site = join(tmp, 'custom-site');
  await copyFixture('custom-page', site);
  await cp(join(installed, 'dist'), join(site, 'lib'), { recursive: true, filter: (src) => !src.endsWith('.wasm') });
  await mkdir(join(site, 'engine-files'));
  for (const f of ['rnn.wasm', 'rnn-scalar.wasm', ...RELAXED_FILES]) await cp(join(installed, 'dist', f), join(site, 'engine-files', f));
  const page = await openInChromium(site, 'index.html');
  assert.deepEqual(page.result.calls, RELAXED_FILES, 'Chromium has relaxed SIMD: locateFile was asked for the relaxed build\'s two files');
  assertSameResult(page.result.viaLocateFile, expected, 'Chromium locateFile');
  assertSameResult(page.result.scalar, expectedScalar, 'Chromium locateFile, simd: false');
  assertSameResult(page.result.viaWasmBinary, expected, 'Chromium wasmBinary');
  const fetched = wasmRequests(page.responses);
  assert.ok(fetched.every((r) => r.path.startsWith('/engine-files/')), `a .wasm was fetched from elsewhere: ${JSON.stringify(fetched)}`);
  assert.deepEqual(page.problems, [], 'no page errors, console errors or failed requests');
  t.diagnostic(`Chromium fetched ${fetched.map((r) => `${r.path} (${r.type})`).join(', ')}`);
});

test('(e) TypeScript: a .mts and a .cts file importing \'rnn-wasm\' type-check (moduleResolution nodenext, types via "exports")', { timeout: TEST_TIMEOUT }, async () => {
  assert.ok(existsSync(TSC), `${TSC} is missing: run npm install in the repository`);
  await cp(join(FIXTURES, 'ts'), join(proj, 'ts'), { recursive: true });
  const r = await run(process.execPath, [TSC, '-p', 'ts'], { cwd: proj }).catch((e) => e);
  assert.ok(!(r instanceof Error), `tsc failed on the consumer project:\n${r.message}`);
});

test('(f) Vite: an app built with no config emits the .wasm as an asset and runs an LSTM in Chromium', { timeout: TEST_TIMEOUT }, async (t) => {
  assert.ok(existsSync(VITE), `${VITE} is missing: run npm install in the repository (vite is a devDependency)`);
  const app = join(proj, 'vite-app');
  await copyFixture('vite-app', app);
  const started = Date.now();
  const built = await run(process.execPath, [VITE, 'build', '--logLevel', 'warn'], { cwd: app, timeout: 120_000 })
    .catch((e) => {
      // Vite bundles `new Worker(new URL('./trainer-worker.js', import.meta.url))` (trainer.js) as a
      // classic 'iife' worker by default, and that format cannot have a top-level await.
      const hint = /top-level await/i.test(e.message)
        ? '\nHINT: a module reached from the worker entry (dist/trainer-worker.js) uses top-level await, which Vite\'s default worker format (iife) rejects: users could not build any app importing rnn-wasm without worker: { format: \'es\' } in their config.'
        : '';
      throw new Error(`vite build of an app importing rnn-wasm failed${hint}\n${e.message}`);
    });
  t.diagnostic(`vite build: ${Date.now() - started} ms`);
  const warnings = `${built.stdout}${built.stderr}`.trim();
  if (warnings) t.diagnostic(`vite printed: ${warnings}`);
  assert.doesNotMatch(warnings, /wasm|import\.meta|rnn-wasm/i, 'Vite warned about the package');

  const assets = await readdir(join(app, 'dist', 'assets'));
  // rnn-<hash>.wasm: not rnn-scalar-<hash>, rnn-mt-<hash> nor rnn-relaxed-<hash> (which sorts first depends on the hash)
  const simdAsset = assets.find((f) => /^rnn-[\w-]+\.wasm$/.test(f) && !/^rnn-(scalar|mt|relaxed)-/.test(f));
  const scalarAsset = assets.find((f) => /^rnn-scalar-[\w-]+\.wasm$/.test(f));
  const relaxedAsset = assets.find((f) => /^rnn-relaxed-[\w-]+\.wasm$/.test(f) && !f.startsWith('rnn-relaxed-kernels-'));
  assert.ok(simdAsset && scalarAsset && relaxedAsset, `Vite did not emit every engine build as assets: ${assets.join(', ')}`);
  for (const [asset, file] of [[simdAsset, 'rnn.wasm'], [relaxedAsset, 'rnn-relaxed.wasm']]) {
    assert.ok((await readFile(join(app, 'dist', 'assets', asset))).equals(await readFile(join(installed, 'dist', file))),
      `the emitted ${file} is not the package's`);
  }
  // rnn-relaxed-kernels.wasm (under 4 KB) is inlined by Vite as a data: URL, or emitted.
  const kernelsAsset = assets.find((f) => f.startsWith('rnn-relaxed-kernels-'));
  const bundle = (await Promise.all(assets.filter((f) => f.endsWith('.js')).map((f) => readFile(join(app, 'dist', 'assets', f), 'utf8')))).join('');
  const kernels = await readFile(join(installed, 'dist', 'rnn-relaxed-kernels.wasm'));
  assert.ok(kernelsAsset || bundle.includes(kernels.toString('base64')), 'Vite neither emitted nor inlined rnn-relaxed-kernels.wasm');
  t.diagnostic(`dist/assets: ${assets.join(', ')}`);

  const page = await openInChromium(join(app, 'dist'), 'index.html');
  assert.deepEqual(wasmRequests(page.responses).map((r) => [r.path, r.status]).sort(),
    [relaxedAsset, kernelsAsset].filter(Boolean).map((a) => [`/assets/${a}`, 200]).sort(),
    'the built app (Chromium has relaxed SIMD) should fetch its emitted relaxed build');
  assert.match(page.text, /^wasm-relaxed-simd: loss /);
  assertSameResult(page.result, expected, 'Vite app in Chromium');
  assert.deepEqual(page.problems, [], 'no page errors, console errors or failed requests');
});

test('(g) static page: <script type="module"> imports ./rnn-wasm/index.js, no bundler, and runs an LSTM in Chromium', { timeout: TEST_TIMEOUT }, async () => {
  const site = join(tmp, 'static-site');
  await copyFixture('static', site);
  await cp(join(installed, 'dist'), join(site, 'rnn-wasm'), { recursive: true });
  const page = await openInChromium(site, 'index.html');
  const fetched = wasmRequests(page.responses);
  assert.deepEqual(fetched.map((r) => [r.path, r.status]).sort(), RELAXED_FILES.map((f) => [`/rnn-wasm/${f}`, 200]).sort(),
    'the wrapper should fetch the relaxed build (Chromium has relaxed SIMD) next to itself');
  assert.ok(fetched.every((r) => /^application\/wasm/.test(r.type)), 'served as application/wasm (streaming compile)');
  assert.match(page.text, /^wasm-relaxed-simd: loss /);
  assertSameResult(page.result, expected, 'static page in Chromium');
  assert.deepEqual(page.problems, [], 'no page errors, console errors or failed requests');
});

test('(h) Web Worker: a module worker imports rnn-wasm and runs an LSTM in Chromium', { timeout: TEST_TIMEOUT }, async () => {
  const site = join(tmp, 'worker-site');
  await copyFixture('webworker', site);
  await cp(join(installed, 'dist'), join(site, 'rnn-wasm'), { recursive: true });
  const page = await openInChromium(site, 'index.html');
  assert.equal(page.scope, 'DedicatedWorkerGlobalScope', 'the case did not run in a Web Worker');
  assert.deepEqual(wasmRequests(page.responses).map((r) => [r.path, r.status]).sort(), RELAXED_FILES.map((f) => [`/rnn-wasm/${f}`, 200]).sort());
  assertSameResult(page.result, expected, 'Web Worker in Chromium');
  assert.deepEqual(page.problems, [], 'no page errors, console errors or failed requests');
});
