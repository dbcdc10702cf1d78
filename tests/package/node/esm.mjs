// (a) Node ESM consumer: `import { init } from 'rnn-wasm'` from a fresh
// project that installed the packed tarball. Prints one JSON line.
import { init } from 'rnn-wasm';
import { runCase } from './case.mjs';

const rnn = await init();
console.log(JSON.stringify({
  resolved: import.meta.resolve('rnn-wasm'),
  wasmSubpath: import.meta.resolve('rnn-wasm/rnn.wasm'),
  result: runCase(rnn),
}));
