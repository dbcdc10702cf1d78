// engine-status.js - what the engine runs on in this browser, told to the
// reader: the SIMD128 or the scalar build, and helper threads, or why not;
// which build the page asks for.
// The multi-threaded build needs a cross-origin isolated page (served with
// COOP / COEP headers, as npm start does) and SharedArrayBuffer; a browser or
// a host without them runs the single-threaded build, with the same numbers.

import { simdSupported } from '../../dist/index.js';

/** Threads the page asks for: the cores, at most 4 (the library's 'auto'). */
export const PAGE_THREADS = 'auto';

/**
 * The build the page asks for: SIMD128 (scalar where it is missing), not the
 * relaxed-SIMD build init() picks by itself in Chromium and Firefox, because
 * the page's shipped models, recorded runs and decodes are the Node example
 * scripts' results bit for bit, and relaxed fused multiply-adds may round
 * differently (docs/api.md, determinism).
 */
export const PAGE_BUILD = simdSupported() ? 'simd' : 'scalar';

/** Why the engine runs on one thread here (null when it runs on more). */
export function oneThreadReason(rnn) {
  if (rnn.threads > 1) return null;
  if (globalThis.crossOriginIsolated !== true) {
    return 'this page is not cross-origin isolated (no COOP / COEP headers), which helper threads need';
  }
  if (typeof SharedArrayBuffer !== 'function') return 'this browser has no SharedArrayBuffer, which helper threads need';
  if (rnn.backend !== 'wasm-simd128') return 'the multi-threaded build needs WebAssembly SIMD128';
  const error = rnn.threadStats().error;
  if (error) return `helper threads could not start (${error})`;
  return 'this device has one core';
}

/** The status line once the engine is ready. */
export function engineStatus(rnn, ms) {
  const build = rnn.backend === 'wasm-simd128'
    ? 'WebAssembly SIMD128'
    : 'scalar WebAssembly: this browser has no WebAssembly SIMD128, so the same numbers come slower';
  const reason = oneThreadReason(rnn);
  const threads = reason ? `one thread: ${reason}` : `${rnn.threads} threads`;
  return `Engine ready (${build}, on ${threads}; loaded in ${Math.round(ms)} ms). Everything below runs on it, in this tab.`;
}
