// loader.js - finds and instantiates the engine's .wasm in Node, browsers,
// workers and bundlers; which build (relaxed SIMD, SIMD128, scalar). The
// module is a standalone wasm (no Emscripten JS glue): its only import is a
// memory-growth notification, plus, in the multi-threaded build
// (rnn-mt.wasm), the shared memory it runs on, and in the relaxed-SIMD build
// (rnn-relaxed.wasm), its memory and the kernels of rnn-relaxed-kernels.wasm.
import { RnnError } from './errors.js';
import { resolveThreads, startHelpers, threadsSupported } from './threads.js';

// Minimal modules whose function returns a v128 made by `body`: they
// validate exactly when the engine has the instructions in it.
const probe = (body) => new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b,       // type: () -> v128
  0x03, 0x02, 0x01, 0x00,                         // one function of type 0
  0x0a, body.length + 4, 0x01, body.length + 2, 0x00, ...body, 0x0b, // code
]);
const SPLAT = [0x41, 0x00, 0xfd, 0x0f]; // i32.const 0; i8x16.splat
const validates = (body) => {
  try {
    return WebAssembly.validate(probe(body));
  } catch {
    return false;
  }
};

export const simdSupported = () => validates(SPLAT);
/** f32x4.relaxed_madd of three splats: relaxed SIMD (rnn-relaxed.wasm). */
export const relaxedSupported = () => validates([...SPLAT, ...SPLAT, ...SPLAT, 0xfd, 0x85, 0x02]);

// Node (also with a jsdom-style `window` global): file: URLs are read with fs.
const isNode = typeof process === 'object' && process.versions?.node != null;

// Literal `new URL('./x.wasm', import.meta.url)` forms so bundlers (Vite,
// webpack, esbuild) see the assets and copy them.
function defaultUrl(file) {
  if (file === 'rnn-mt.wasm') return new URL('./rnn-mt.wasm', import.meta.url);
  if (file === 'rnn-relaxed.wasm') return new URL('./rnn-relaxed.wasm', import.meta.url);
  if (file === 'rnn-relaxed-kernels.wasm') return new URL('./rnn-relaxed-kernels.wasm', import.meta.url);
  return file === 'rnn.wasm'
    ? new URL('./rnn.wasm', import.meta.url)
    : new URL('./rnn-scalar.wasm', import.meta.url);
}

// Returns the bytes (Node, file: URLs) or the fetch Response (browsers), so
// browsers can compile while the module downloads.
export async function fetchSource(url) {
  if (isNode && String(url).startsWith('file:')) {
    const fsName = ['node:fs', 'promises'].join('/'); // opaque to bundlers and minifiers
    const fs = await import(/* @vite-ignore */ /* webpackIgnore: true */ fsName);
    return fs.readFile(new URL(String(url)));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not fetch ${url}: HTTP ${res.status}`);
  return res;
}

export async function instantiateFrom(source, imports) {
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

// rnn-mt.wasm's and rnn-relaxed.wasm's memory: 4 MB to start (their declared
// minimum), 2 GB at most.
const PAGES = { initial: 64, maximum: 32768 };

async function instantiateThreaded(source, threads) {
  const module = await compileFrom(source);
  if (!WebAssembly.Module.imports(module).some((i) => i.kind === 'memory')) return null; // not rnn-mt.wasm
  const memory = new WebAssembly.Memory({ ...PAGES, shared: true });
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

// rnn-relaxed.wasm imports its GEMM kernels from rnn-relaxed-kernels.wasm
// (src/relaxed/kernels.c, built by clang-19): both run on one memory, and
// calls through the imports are direct wasm-to-wasm calls.
async function instantiateRelaxed(source, kernelSource) {
  const memory = new WebAssembly.Memory(PAGES);
  const { instance: kernels } = await instantiateFrom(await kernelSource, { env: { memory } });
  const { instance } = await instantiateFrom(source, { env: { memory, emscripten_notify_memory_growth() {} }, kernels: kernels.exports });
  instance.exports._initialize?.();
  // The kernels' own C stack (partial tiles go through it): 4 KB of the engine's heap.
  kernels.exports.__stack_pointer.value = instance.exports.malloc(4096) + 4096;
  return { instance, memory };
}

const BUILDS = { relaxed: relaxedSupported, simd: simdSupported, scalar: () => true };
const FILES = { relaxed: 'rnn-relaxed.wasm', simd: 'rnn.wasm', scalar: 'rnn-scalar.wasm' };

/**
 * @param {{ wasmBinary?: ArrayBuffer|Uint8Array, locateFile?: (file: string) => string|URL,
 *           build?: 'relaxed'|'simd'|'scalar', simd?: boolean, threads?: number|'auto' }} options
 * @returns {Promise<{ instance: WebAssembly.Instance, build: string, threads: number,
 *                     memory?: WebAssembly.Memory }>}
 */
export async function instantiate(options = {}) {
  // Threads need SIMD128 (the threaded build is SIMD only) and shared memory
  // (Node, or a cross-origin isolated page); else a single-threaded build:
  // relaxed SIMD where the runtime validates it, SIMD128, or scalar.
  const threads = resolveThreads(options.threads);
  const canThread = threads > 1 && threadsSupported();
  const build = options.build ?? (options.simd != null ? (options.simd ? 'simd' : 'scalar')
    : Object.keys(BUILDS).find((b) => BUILDS[b]() && !(b === 'relaxed' && (canThread || options.wasmBinary))));
  if (!Object.hasOwn(BUILDS, build)) throw new RnnError('INVALID_ARGUMENT', `init: build must be 'relaxed', 'simd' or 'scalar', got ${String(build)}`);
  if (!BUILDS[build]()) {
    throw new RnnError('UNSUPPORTED', `init: this runtime has no WebAssembly ${build === 'simd' ? 'SIMD128'
      : 'relaxed SIMD (Node 20: node --experimental-wasm-relaxed-simd)'}, which the ${build} build needs`);
  }
  const threaded = canThread && build === 'simd';
  const file = threaded ? 'rnn-mt.wasm' : FILES[build];
  const locate = (f) => fetchSource(options.locateFile ? options.locateFile(f) : defaultUrl(f));
  // The kernels download beside the engine (a failure surfaces when awaited).
  const pending = options.wasmBinary ?? locate(file);
  const kernels = build === 'relaxed' ? locate('rnn-relaxed-kernels.wasm') : null;
  kernels?.catch(() => {});
  let source = await pending;
  if (threaded) {
    const r = await instantiateThreaded(source, threads);
    if (r) return { ...r, build };
    source = options.wasmBinary; // a wasmBinary that is not rnn-mt.wasm: run it alone
  }
  if (build === 'relaxed') return { ...await instantiateRelaxed(source, kernels), build, threads: 1 };
  const imports = { env: { emscripten_notify_memory_growth() {} } };
  const { instance } = await instantiateFrom(source, imports);
  instance.exports._initialize?.();
  return { instance, build, threads: 1 };
}
