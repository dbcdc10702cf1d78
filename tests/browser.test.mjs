// browser.test.mjs - the library in each browser engine (Chromium, Firefox
// ESR, WebKitGTK: tests/helpers/engines.mjs): init() picks the relaxed-SIMD
// build where the engine has relaxed SIMD (results within float32 rounding of
// SIMD128's; its int8 bitwise Node's relaxed int8), the SIMD128 build computes bit for bit what it computes in Node, a PyTorch-trained model
// gives PyTorch's logits, and the multi-threaded build runs where the page
// is cross-origin isolated and the engine can share memory, else falls back
// to one thread with the same numbers. Needs dist/ (./build.sh dist) and the
// browsers (bash scripts/setup.sh --test); an engine that cannot run FAILS
// its tests, never skips them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { init } from '../dist/index.js';
import { runCase } from './browser/engine.js';
import { runInterop } from './browser/interop.js';
import { runThreadsCase } from './browser/threads.js';
import { ENGINES, RELAXED_SIMD, SHARED_MEMORY, useEngine } from './helpers/engines.mjs';

// Node's side of each comparison, computed once; JSON as it crosses from the page.
const once = (f) => { let v; return async () => (v ??= await f()); };
const nodeEngine = once(async () => runCase(await init({ build: 'simd' })));
const nodeThreads = once(async () => runThreadsCase(await init({ build: 'simd' })));
// The relaxed build's int8 in Node (under its flag, in a child process)
const nodeRelaxedInt8 = once(async () => {
  const script = `import { init } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
    import { runInt8Case } from ${JSON.stringify(new URL('./browser/int8.js', import.meta.url).href)};
    console.log(JSON.stringify(await runInt8Case(await init({ build: 'relaxed' }))));`;
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
});

// Opens tests/browser/check.html?case=... and returns its window.__result.
async function check(env, query, timeout = 60_000) {
  const tab = await env.engine.open(new URL(`tests/browser/check.html?case=${query}`, env.server.url).href);
  try {
    await tab.waitFor(() => window.__result || window.__error, null, { timeout, what: `check.html?case=${query} to finish` });
    const error = await tab.evaluate(() => window.__error ?? null);
    assert.equal(error, null, `${query} failed in ${env.engine.version}: ${error}`);
    const result = await tab.evaluate(() => window.__result);
    assert.deepEqual(await tab.problems(), [], 'no page errors, console errors or failed requests');
    return result;
  } finally {
    await tab.close();
  }
}

for (const name of ENGINES) {
  describe(name, () => {
    const env = useEngine(name, { dist: ['rnn.wasm', 'rnn-mt.wasm', 'rnn-relaxed.wasm', 'rnn-relaxed-kernels.wasm', 'rnn-int8.wasm', 'rnn-int8-relaxed.wasm', 'threads-helper.js'] });

    test(`${name}: the SIMD128 build computes bit for bit what Node computes (LSTM/GRU/RNN forward, backward, Adam)`, { timeout: 60_000 }, async (t) => {
      const inBrowser = await check(env, 'engine');
      const inNode = await nodeEngine();
      t.diagnostic(env.engine.version);
      assert.equal(inNode.backend, 'wasm-simd128', 'Node should run the SIMD128 build');
      assert.equal(inBrowser.backend, 'wasm-simd128', `${name} should run the SIMD128 build`);
      // Sanity: the computation did something (gradients and the step are non-zero).
      assert.ok(inNode.lstm.grads.weight_ih_l0.data.some((v) => v !== 0), 'LSTM gradients are all zero');
      assert.notDeepEqual(inNode.lstm.paramsAfter, inNode.lstm.paramsBefore, 'Adam.step() changed nothing');
      assert.equal(inBrowser.lstm.stepCount, 1);
      assert.deepEqual(inBrowser, inNode, `${name} and Node differ`);
    });

    test(`${name}: a SentimentLSTM trained in PyTorch, loaded from safetensors, gives PyTorch's logits as in Node`, { timeout: 60_000 }, async () => {
      const inBrowser = await check(env, 'interop');
      const fixture = JSON.parse(readFileSync(new URL('./fixtures/sentiment_torch.json', import.meta.url), 'utf8'));
      const bytes = readFileSync(new URL('./fixtures/sentiment_torch.safetensors', import.meta.url));
      const inNode = runInterop(await init({ build: 'simd' }), new Uint8Array(bytes), fixture);
      inNode.logits.forEach((v, i) => assert.ok(Math.abs(v - fixture.logits[i]) <= 2e-5, `Node: logit ${i} is ${v}, PyTorch ${fixture.logits[i]}`));
      assert.deepEqual(inBrowser.logits, inNode.logits, `${name}'s logits differ from Node's`);
    });

    test(`${name}: init() picks the ${RELAXED_SIMD[name] ? 'relaxed-SIMD build, whose results are SIMD128\'s within float32 rounding, and whose int8 (7-bit activations) is close to SIMD128\'s and bitwise Node\'s relaxed int8' : 'SIMD128 build (no relaxed SIMD here); a forced relaxed build is a typed error'}`, { timeout: 120_000 }, async (t) => {
      const r = await check(env, 'relaxed', 90_000);
      assert.equal(r.relaxedSupported, RELAXED_SIMD[name], 'relaxedSupported()');
      assert.equal(r.build, RELAXED_SIMD[name] ? 'relaxed' : 'simd');
      assert.equal(r.backend, RELAXED_SIMD[name] ? 'wasm-relaxed-simd' : 'wasm-simd128');
      if (!RELAXED_SIMD[name]) {
        assert.match(r.forced, /^RnnError UNSUPPORTED: .*relaxed SIMD/);
        return;
      }
      for (const [k, ratio] of Object.entries(r.ratio)) assert.ok(ratio <= 1, `${k}: |relaxed - simd| is ${ratio.toFixed(2)}x the tolerance (1e-6 + 1e-4 max|simd|)`);
      // int8: 7-bit activations (rnn-int8-relaxed.wasm), close to SIMD128's;
      // integer sums, so bitwise what the relaxed build gives in Node
      const { relaxed, simd } = r.int8;
      assert.equal(relaxed.build, 'relaxed');
      for (const k of ['forward', 'stream']) {
        const worst = Math.max(...relaxed[k].map((v, i) => Math.abs(v - simd[k][i])));
        assert.ok(worst > 0 && worst <= 0.03, `int8 ${k}: |relaxed - simd| ${worst}`);
      }
      assert.deepEqual(relaxed, await nodeRelaxedInt8(), 'the relaxed build\'s int8 in the browser against Node\'s');
      t.diagnostic(`${r.differing} values differ from SIMD128's in the last bits; worst ${Math.max(...Object.values(r.ratio)).toFixed(3)} of the tolerance`);
    });

    const expected = SHARED_MEMORY[name]
      ? 'a cross-origin isolated page runs 2 threads with bitwise the results of Node on 1 thread'
      : 'a cross-origin isolated page without SharedArrayBuffer falls back to one thread, with the same numbers';
    test(`${name} threads: ${expected}`, { timeout: 300_000 }, async () => {
      const inNode = await nodeThreads();
      // A product runs split only while the helper is awake and on a core: on
      // a machine loaded far beyond its cores one load can go mostly unsplit,
      // so the page is loaded again (the count adds up, as in
      // threads.test.mjs) until it has split, every load bitwise Node's.
      let split = 0, loads = 0;
      do {
        const result = await check(env, 'threads', 90_000);
        loads++;
        assert.equal(result.isolated, true, 'serve.mjs should make pages cross-origin isolated');
        assert.equal(result.sharedArrayBuffer, SHARED_MEMORY[name], 'SharedArrayBuffer');
        assert.equal(result.threads, SHARED_MEMORY[name] ? 2 : 1, `threads: ${JSON.stringify(result.stats)}`);
        for (const k of ['LSTM', 'GRU', 'RNN', 'stream']) assert.deepEqual(result[k], inNode[k], `${k} differs from Node (load ${loads})`);
        split += result.splitCalls;
        if (!SHARED_MEMORY[name]) assert.equal(result.splitCalls, 0);
      } while (SHARED_MEMORY[name] && split <= 50 && loads < 8);
      if (SHARED_MEMORY[name]) assert.ok(split > 50, `products should run split over the helper (split ${split} times in ${loads} loads)`);
    });

    test(`${name} threads: a page that is not cross-origin isolated falls back to the single-threaded build`, { timeout: 120_000 }, async () => {
      const result = await check(env, 'threads&noisolation', 90_000);
      assert.equal(result.isolated, false);
      assert.equal(result.threads, 1);
      assert.equal(result.splitCalls, 0);
      const inNode = await nodeThreads();
      for (const k of ['LSTM', 'GRU', 'RNN', 'stream']) assert.deepEqual(result[k], inNode[k], `${k} differs from Node`);
    });
  });
}
