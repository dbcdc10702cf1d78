// engine-status.js - what the engine runs on in this browser, told to the
// reader: the SIMD128 or the scalar build, and helper threads, or why not.
// The multi-threaded build needs a cross-origin isolated page (served with
// COOP / COEP headers, as npm start does) and SharedArrayBuffer; a browser or
// a host without them runs the single-threaded build, with the same numbers.

/** Threads the page asks for: the cores, at most 4 (the library's 'auto'). */
export const PAGE_THREADS = 'auto';

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
