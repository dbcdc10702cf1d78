// threads.test.mjs - the multi-threaded build (init({ threads })) in Node:
// helpers start, products are really split over them, every result is
// bitwise the one-thread result, bad options are typed errors, and helpers
// never keep a process alive. (Chromium: browser.test.mjs.)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { init } from '../dist/index.js';
import { runThreadsCase } from './browser/threads.js';

test('init({ threads: 2 }) runs two threads; forward, backward, Adam and streams are bitwise the one-thread results', { timeout: 120_000 }, async () => {
  const one = await init();
  const two = await init({ threads: 2 });
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2);
  assert.equal(two.backend, 'wasm-simd128');
  const a = runThreadsCase(one);
  assert.equal(a.splitCalls, 0, 'the single-threaded build never splits');
  // A product runs split only while the helper is awake and on a core (the
  // caller never waits for a sleeping one): on a machine loaded far beyond
  // its cores a run can go mostly unsplit, so the case runs again (the count
  // is cumulative) until it has split, every run bitwise the one-thread one,
  // for up to 60 s (8 runs were not enough at load 4.5 on 2 cores).
  let b, runs = 0;
  const until = Date.now() + 60_000;
  do {
    b = runThreadsCase(two);
    runs++;
    for (const k of ['LSTM', 'GRU', 'RNN', 'GRU_before']) {
      for (const [name, values] of Object.entries(a[k])) {
        assert.ok(values.some((v) => v !== 0), `${k}.${name} is all zeros`);
        assert.deepEqual(b[k][name], values, `${k}.${name} differs between 1 and 2 threads (run ${runs})`);
      }
    }
    assert.deepEqual(b.stream, a.stream, `stream outputs differ between 1 and 2 threads (run ${runs})`);
  } while (b.splitCalls <= 50 && (runs < 8 || Date.now() < until));
  assert.ok(b.splitCalls > 50, `products should run split over the helper (split ${b.splitCalls} times in ${runs} runs)`);
});

test('init threads option: bad values are INVALID errors; 1 and auto work', async () => {
  for (const bad of [0, -1, 1.5, 17, 'two', null]) {
    await assert.rejects(init({ threads: bad }), (e) => e.name === 'RnnError' && e.code === 'INVALID' && /threads/.test(e.message),
      `threads: ${String(bad)}`);
  }
  assert.equal((await init({ threads: 1 })).threads, 1);
  const auto = await init({ threads: 'auto' });
  assert.ok(auto.threads >= 1 && auto.threads <= 4, `auto gave ${auto.threads}`);
});

test('helper threads do not keep a Node process alive', { timeout: 60_000 }, () => {
  const index = new URL('../dist/index.js', import.meta.url).href;
  const code = `import { init } from '${index}';
    const rnn = await init({ threads: 2 });
    const m = new rnn.LSTM({ inputSize: 8, hiddenSize: 256 });
    const s = m.stream({ batch: 1 });
    for (let i = 0; i < 100; i++) s.step(new Float32Array(8));
    console.log('threads=' + rnn.threads);`;
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000, cwd: fileURLToPath(new URL('..', import.meta.url)) });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /threads=2/);
  assert.ok(Date.now() - t0 < 15_000, `the process took ${Date.now() - t0} ms to exit`);
});

test('idle helpers sleep: with no work for 2 s, the process uses well under 2.5% of a core', { timeout: 60_000 }, async () => {
  const rnn = await init({ threads: 2 });
  const m = new rnn.LSTM({ inputSize: 32, hiddenSize: 256, seed: 1 });
  const s = m.stream({ batch: 1 });
  for (let i = 0; i < 2000; i++) s.step(new Float32Array(32));
  s.dispose();
  m.dispose();
  await new Promise((r) => setTimeout(r, 500)); // past the helpers' ~2 ms of polling, and V8's tier-up
  const c0 = process.cpuUsage(), t0 = performance.now();
  await new Promise((r) => setTimeout(r, 2000));
  const c = process.cpuUsage(c0), ms = performance.now() - t0;
  const share = (c.user + c.system) / 1000 / ms;
  // a helper that kept spinning would use ~100%; one that woke to poll every 50 ms, ~4%
  assert.ok(share < 0.025, `idle process used ${(share * 100).toFixed(1)}% of a core`);
});
