// index.js - rnn-wasm's entry point.
//   import { init } from 'rnn-wasm';
//   const rnn = await init();
//   const lstm = new rnn.LSTM({ inputSize: 8, hiddenSize: 16, seed: 1 });
import { Core } from './core.js';
import { ErrorCode, RnnError } from './errors.js';
import { instantiate, simdSupported } from './loader.js';
import { makeOptimizers } from './optim.js';
import { makeRecurrentClasses } from './recurrent.js';
import { tensor } from './tensor.js';

export { ErrorCode, RnnError, simdSupported, tensor };

function makeApi(core) {
  return Object.freeze({
    ...makeRecurrentClasses(core),
    ...makeOptimizers(core),
    tensor,
    RnnError,
    ErrorCode,
    /** 'wasm-simd128' or 'wasm-scalar': which engine build is running. */
    backend: core.simd ? 'wasm-simd128' : 'wasm-scalar',
    /** Bytes of wasm linear memory (it grows, never shrinks). */
    memoryBytes: () => core.memory.buffer.byteLength,
  });
}

const memo = new Map();

/**
 * Loads the engine once (memoized per build variant) and returns the API.
 * options.simd: force the SIMD128 (true) or scalar (false) build; default
 * detects. options.wasmBinary: the .wasm bytes yourself; options.locateFile(file):
 * the URL of 'rnn.wasm' / 'rnn-scalar.wasm'. Calls with either of these two
 * load a new instance each time (they are not memoized).
 */
export function init(options = {}) {
  if (options.wasmBinary || options.locateFile) {
    return instantiate(options).then(({ instance, simd }) => makeApi(new Core(instance, simd)));
  }
  const key = `${options.simd ?? 'auto'}`;
  if (!memo.has(key)) {
    const p = instantiate(options).then(({ instance, simd }) => makeApi(new Core(instance, simd)));
    p.catch(() => memo.delete(key));
    memo.set(key, p);
  }
  return memo.get(key);
}
