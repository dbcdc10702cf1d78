import { init } from 'rnn-wasm';
import { runCase } from './case.mjs';

const out = document.getElementById('out');
init().then((rnn) => {
  const result = runCase(rnn);
  out.textContent = `${result.backend}: loss ${result.loss} -> ${result.lossAfter}`;
  window.__result = result;
}).catch((err) => {
  out.textContent = `error: ${err?.message ?? err}`;
  window.__error = String(err?.stack ?? err);
});
