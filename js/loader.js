// loader.js - finds and instantiates the engine's .wasm in Node, browsers,
// workers and bundlers. The module is a standalone wasm (no Emscripten JS
// glue): its only import is a memory-growth notification, plus, in the
// multi-threaded build (rnn-mt.wasm), the shared memory it runs on.
import { resolveThreads, startHelpers, threadsSupported } from './threads.js';

// A minimal module whose function does `i32.const 0; i8x16.splat`: it
// validates exactly when the engine supports WebAssembly SIMD128.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,       // type: () -> v128
  0x03, 0x02, 0x01, 0x00,                         // one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // body
]);

export function simdSupported() {
  try {
    return WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

// Node (also with a jsdom-style `window` global): file: URLs are read with fs.
const isNode = typeof process === 'object' && process.versions?.node != null;

// Literal `new URL('./x.wasm', import.meta.url)` forms so bundlers (Vite,
// webpack, esbuild) see the assets and copy them.
function defaultUrl(file) {
  if (file === 'rnn-mt.wasm') return new URL('./rnn-mt.wasm', import.meta.url);
  return file === 'rnn.wasm'
    ? new URL('./rnn.wasm', import.meta.url)
    : new URL('./rnn-scalar.wasm', import.meta.url);
}

// Returns the bytes (Node, file: URLs) or the fetch Response (browsers), so
// browsers can compile while the module downloads.
async function fetchSource(url) {
  if (isNode && String(url).startsWith('file:')) {
    const fsName = ['node:fs', 'promises'].join('/'); // opaque to bundlers and minifiers
    const fs = await import(/* @vite-ignore */ /* webpackIgnore: true */ fsName);
    return fs.readFile(new URL(String(url)));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
  return res;
}

async function instantiateFrom(source, imports) {
  if (typeof Response === 'function' && source instanceof Response) {
    const type = source.headers.get('Content-Type') || '';
    if (WebAssembly.instantiateStreaming && type.startsWith('application/wasm')) {
      return WebAssembly.instantiateStreaming(source, imports);
    }
    source = await source.arrayBuffer();
  }
  return WebAssembly.instantiate(source, imports);
}

async function compileFrom(source) {
  if (typeof Response === 'function' && source instanceof Response) {
    const type = source.headers.get('Content-Type') || '';
    if (WebAssembly.compileStreaming && type.startsWith('application/wasm')) {
      return WebAssembly.compileStreaming(source);
    }
    source = await source.arrayBuffer();
  }
  return WebAssembly.compile(source);
}

// rnn-mt.wasm's memory: 4 MB to start (its declared minimum), 2 GB at most.
const MT_PAGES = { initial: 64, maximum: 32768 };

async function instantiateThreaded(source, threads) {
  const module = await compileFrom(source);
  if (!WebAssembly.Module.imports(module).some((i) => i.kind === 'memory')) return null; // not rnn-mt.wasm
  const memory = new WebAssembly.Memory({ ...MT_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory, emscripten_notify_memory_growth() {} } });
  instance.exports._initialize?.();
  let helpers = null, threadsError = null;
  try {
    helpers = await startHelpers(instance.exports, module, memory, threads - 1);
  } catch (e) {
    // No workers here (e.g. a policy forbids them): this build also runs alone.
    threadsError = e.message;
  }
  return { instance, memory, threads: helpers ? helpers.count : 1, threadsError };
}

/**
 * @param {{ wasmBinary?: ArrayBuffer|Uint8Array, locateFile?: (file: string) => string|URL,
 *           simd?: boolean, threads?: number|'auto' }} options
 * @returns {Promise<{ instance: WebAssembly.Instance, simd: boolean, threads: number,
 *                     memory?: WebAssembly.Memory }>}
 */
export async function instantiate(options = {}) {
  const simd = options.simd ?? simdSupported();
  if (simd && !simdSupported()) throw new Error('this runtime has no WebAssembly SIMD128 support');
  // Threads need SIMD128 (the threaded build is SIMD only) and shared memory
  // (Node, or a cross-origin isolated page); else the single-threaded build.
  const threads = resolveThreads(options.threads);
  const threaded = threads > 1 && simd && threadsSupported();
  const file = threaded ? 'rnn-mt.wasm' : simd ? 'rnn.wasm' : 'rnn-scalar.wasm';
  let source = options.wasmBinary;
  if (!source) {
    const url = options.locateFile ? options.locateFile(file) : defaultUrl(file);
    source = await fetchSource(url);
  }
  if (threaded) {
    const r = await instantiateThreaded(source, threads);
    if (r) return { ...r, simd };
    source = options.wasmBinary; // a wasmBinary that is not rnn-mt.wasm: run it alone
  }
  const imports = { env: { emscripten_notify_memory_growth() {} } };
  const { instance } = await instantiateFrom(source, imports);
  instance.exports._initialize?.();
  return { instance, simd, threads: 1 };
}
