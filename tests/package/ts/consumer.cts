// (e) A TypeScript CommonJS consumer: `import ... from 'rnn-wasm'` in a .cts
// file compiles to require('rnn-wasm'), which Node >= 20.19 runs through
// require(esm); TypeScript (module nodenext) accepts it and gives the same types.
import { init, type Rnn } from 'rnn-wasm';

export async function load(): Promise<Rnn> {
  const rnn = await init();
  // @ts-expect-error hiddenSize is a number
  new rnn.GRU({ inputSize: 3, hiddenSize: '5' });
  return rnn;
}
