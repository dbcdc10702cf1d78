// A module Web Worker that imports the package and runs the LSTM case.
import { init } from './rnn-wasm/index.js';
import { runCase } from './case.mjs';

try {
  const result = runCase(await init());
  self.postMessage({ scope: self.constructor.name, result });
} catch (err) {
  self.postMessage({ error: String(err?.stack ?? err) });
}
