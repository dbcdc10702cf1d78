// (i) Node, the multi-threaded build from the installed package:
// init({ threads: 2 }) starts a helper from the package's threads-helper.js and
// gives the single-threaded numbers. Prints one JSON line.
import { init } from 'rnn-wasm';
import { runCase } from './case.mjs';

const rnn = await init({ threads: 2 });
const result = runCase(rnn);
console.log(JSON.stringify({
  threads: rnn.threads,
  stats: rnn.threadStats(),
  mtSubpath: import.meta.resolve('rnn-wasm/rnn-mt.wasm'),
  result,
}));
