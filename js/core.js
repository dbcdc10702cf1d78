// core.js - the boundary with the wasm instance: heap allocation, copies in
// and out, C objects created through out-pointers, and C status codes to
// RnnError through the table C exports (rnn_status_count / rnn_status_code).
// No long-lived heap views: memory can grow (which detaches old views), so
// every view is made right before use.
import { RnnError } from './errors.js';

export class Core {
  constructor(instance, build, memory = instance.exports.memory, threads = 1, threadsError = null) {
    this.x = instance.exports;
    this.memory = memory ?? instance.exports.memory;
    this.build = build; // 'relaxed', 'simd' or 'scalar' (loader.js)
    this.threads = threads;
    this.threadsError = threadsError;
    // status -> RnnError code, from C: a status added there is named here.
    this.statusCodes = Array.from({ length: this.x.rnn_status_count() },
      (_, s) => this.cstring(this.x.rnn_status_code(s)));
    // 16 bytes for out-parameters (a handle, a norm, an rng state, a tensor's
    // info): calls that return through pointers need no malloc.
    this.out = this.alloc(16, 'out-parameters');
    this._staging = 0;
    this._stagingBytes = 0;
  }

  f32(ptr, n) { return new Float32Array(this.memory.buffer, ptr, n); }
  u32(ptr, n) { return new Uint32Array(this.memory.buffer, ptr, n); }
  i32(ptr, n) { return new Int32Array(this.memory.buffer, ptr, n); }

  /** malloc that throws OUT_OF_MEMORY instead of returning 0. */
  alloc(bytes, what) {
    // wasm32 addresses are 32-bit: a larger request must not wrap around.
    if (!(bytes <= 2 ** 31)) {
      throw new RnnError('OUT_OF_MEMORY', `${what} needs ${bytes} bytes, more than wasm32 memory can hold`);
    }
    const ptr = this.x.malloc(Math.max(bytes, 4)) >>> 0;
    if (ptr === 0) {
      throw new RnnError('OUT_OF_MEMORY',
        `out of wasm memory allocating ${bytes} bytes for ${what} (memory is ${this.memory.buffer.byteLength} bytes)`);
    }
    return ptr;
  }

  free(ptr) { if (ptr) this.x.free(ptr); }

  cstring(ptr) {
    const bytes = new Uint8Array(this.memory.buffer, ptr);
    let end = 0;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.slice(0, end)); // a copy: decode() refuses shared memory
  }

  /** Throws the C side's last error when status != 0. */
  check(status, context) {
    if (status !== 0) {
      const code = this.statusCodes[status] ?? 'INVALID_ARGUMENT';
      throw new RnnError(code, `${context}: ${this.cstring(this.x.rnn_last_error())}`);
    }
  }

  /** The pointer a C call returns through its last argument (status checked). */
  outPointer(context, call) {
    this.check(call(this.out), context);
    return this.u32(this.out, 1)[0];
  }

  /**
   * A block of at least `bytes` for one call's inputs and outputs, reused by
   * the next call (it only grows): the per-call data path allocates nothing.
   * Not reentrant: a call holding it must not call anything that takes it.
   */
  staging(bytes, what) {
    if (bytes > this._stagingBytes || !this._staging) {
      const ptr = this.alloc(bytes, what);
      this.free(this._staging);
      this._staging = ptr;
      this._stagingBytes = bytes;
    }
    return this._staging;
  }

  /** Run fn(ptr) with a temporary block of `bytes`, freed afterwards. */
  withBlock(bytes, what, fn) {
    const ptr = this.alloc(bytes, what);
    try {
      return fn(ptr);
    } finally {
      this.free(ptr);
    }
  }
}

