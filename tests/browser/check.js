// check.js - the script of tests/browser/check.html?case=NAME, the page
// tests/browser.test.mjs opens: it runs one case in a browser (the same code
// the test runs in Node) and leaves its result in window.__result, or the
// error in window.__error; #out shows which.
//   engine    LSTM / GRU / RNN forward, backward and Adam (engine.js)
//   interop   the PyTorch-trained SentimentLSTM and PyTorch's logits (interop.js)
//   threads   the multi-threaded build, bitwise equal to one thread (threads.js)
//   relaxed   which build init() picks by itself, and the relaxed-SIMD build
//             against SIMD128 on threads.js's case (differences only), and
//             int8.js's case on both builds (rnn-int8-relaxed.wasm)
// The bitwise comparisons with Node ask for the SIMD128 build: browsers with
// relaxed SIMD would pick rnn-relaxed.wasm, whose fused multiply-adds may
// round differently from Node's (which has no relaxed SIMD without a flag).
import { init, relaxedSupported } from '/dist/index.js';

const CASES = {
  async engine() {
    const { runCase } = await import('./engine.js');
    const result = runCase(await init({ build: 'simd' }));
    return [result, `done (${result.backend})`];
  },
  async interop() {
    const { runInterop } = await import('./interop.js');
    const [bytes, fixture] = await Promise.all([
      fetch('/tests/fixtures/sentiment_torch.safetensors').then((r) => r.arrayBuffer()),
      fetch('/tests/fixtures/sentiment_torch.json').then((r) => r.json()),
    ]);
    return [runInterop(await init({ build: 'simd' }), new Uint8Array(bytes), fixture), 'done'];
  },
  async threads() {
    const { runThreadsCase } = await import('./threads.js');
    const rnn = await init({ threads: 2, build: 'simd' });
    const result = runThreadsCase(rnn);
    result.isolated = globalThis.crossOriginIsolated === true;
    result.sharedArrayBuffer = typeof SharedArrayBuffer === 'function';
    result.stats = rnn.threadStats();
    return [result, `done (${result.threads} threads)`];
  },
  async relaxed() {
    const { runThreadsCase } = await import('./threads.js');
    const rnn = await init();
    const result = { build: rnn.build, backend: rnn.backend, relaxedSupported: relaxedSupported() };
    if (rnn.build !== 'relaxed') {
      result.forced = await init({ build: 'relaxed' }).then((r) => r.build, (e) => `${e.name} ${e.code}: ${e.message}`);
      return [result, `done (${rnn.build})`];
    }
    // max |relaxed - simd| / (1e-6 + 1e-4 * max |simd|) per array: <= 1 passes
    const simd = await init({ build: 'simd' });
    const a = runThreadsCase(rnn), b = runThreadsCase(simd);
    const { runInt8Case } = await import('./int8.js');
    result.int8 = { relaxed: await runInt8Case(rnn), simd: await runInt8Case(simd) };
    result.ratio = {};
    result.differing = 0;
    for (const k of ['LSTM', 'GRU', 'RNN', 'GRU_before', 'stream']) {
      for (const [name, want] of Object.entries(k === 'stream' ? { y: b.stream } : b[k])) {
        const got = k === 'stream' ? a.stream : a[k][name];
        let worst = 0, scale = 0;
        want.forEach((w, i) => { worst = Math.max(worst, Math.abs(got[i] - w)); scale = Math.max(scale, Math.abs(w)); result.differing += got[i] !== w; });
        result.ratio[`${k}.${name}`] = worst / (1e-6 + 1e-4 * scale);
      }
    }
    return [result, `done (${rnn.build})`];
  },
};

const out = document.getElementById('out');
const name = new URLSearchParams(location.search).get('case');
document.title = `rnn-wasm ${name} check`;
try {
  if (!Object.hasOwn(CASES, name)) throw new Error(`unknown case ${name}: one of ${Object.keys(CASES).join(', ')}`);
  const [result, done] = await CASES[name]();
  window.__result = result;
  out.textContent = done;
} catch (err) {
  window.__error = `${err?.name ?? 'Error'}: ${err?.message ?? err}\n${err?.stack ?? ''}`;
  out.textContent = window.__error;
}
