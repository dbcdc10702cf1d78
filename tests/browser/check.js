// check.js - the script of tests/browser/check.html?case=NAME, the page
// tests/browser.test.mjs opens: it runs one case in a browser (the same code
// the test runs in Node) and leaves its result in window.__result, or the
// error in window.__error; #out shows which.
//   engine    LSTM / GRU / RNN forward, backward and Adam (engine.js)
//   interop   the PyTorch-trained SentimentLSTM and PyTorch's logits (interop.js)
//   threads   the multi-threaded build, bitwise equal to one thread (threads.js)
import { init } from '/dist/index.js';

const CASES = {
  async engine() {
    const { runCase } = await import('./engine.js');
    const result = runCase(await init());
    return [result, `done (${result.backend})`];
  },
  async interop() {
    const { runInterop } = await import('./interop.js');
    const [bytes, fixture] = await Promise.all([
      fetch('/tests/fixtures/sentiment_torch.safetensors').then((r) => r.arrayBuffer()),
      fetch('/tests/fixtures/sentiment_torch.json').then((r) => r.json()),
    ]);
    return [runInterop(await init(), new Uint8Array(bytes), fixture), 'done'];
  },
  async threads() {
    const { runThreadsCase } = await import('./threads.js');
    const rnn = await init({ threads: 2 });
    const result = runThreadsCase(rnn);
    result.isolated = globalThis.crossOriginIsolated === true;
    result.sharedArrayBuffer = typeof SharedArrayBuffer === 'function';
    result.stats = rnn.threadStats();
    return [result, `done (${result.threads} threads)`];
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
