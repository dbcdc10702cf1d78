// handle.js - the lifetime of a C object owned from JS: its pointer and
// destroy function, dispose() (idempotent, Symbol.dispose too), DISPOSED on
// use after it, and a FinalizationRegistry safety net for handles dropped
// without dispose(). Every owner of C memory (modules, optimizers, streams)
// extends it.
import { RnnError } from './errors.js';

// Finalizers run late (after GC, as separate tasks): code that creates
// handles in a loop must dispose them; this only stops leaks growing forever.
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((release) => release())
  : null;

export class WasmHandle {
  /**
   * @param core Core  @param ptr the C object  @param destroy its C destroy export's name
   * @param what its name in messages ('LSTM', 'Adam optimizer', ...)
   * @param onCollect called too when the registry frees it (optional)
   */
  constructor(core, ptr, destroy, what, onCollect = null) {
    this._core = core;
    this._ptr = ptr;
    this._destroy = destroy;
    this._what = what;
    this._deadReason = '';
    registry?.register(this, () => { onCollect?.(); core.x[destroy](ptr); }, this);
  }

  /** The pointer; throws DISPOSED after dispose(). */
  _live() {
    if (!this._ptr) {
      throw new RnnError('DISPOSED', `this ${this._what} ${this._deadReason || 'was disposed'}; create a new one`);
    }
    return this._ptr;
  }

  get disposed() { return !this._ptr; }

  // Frees the C object; `reason` is what later calls report.
  _release(reason = 'was disposed') {
    const ptr = this._ptr;
    if (!ptr) return false;
    this._ptr = 0;
    this._deadReason = reason;
    registry?.unregister(this);
    this._core.x[this._destroy](ptr);
    return true;
  }

  /** Frees the wasm memory. Idempotent; any later use throws DISPOSED. */
  dispose() { this._release(); }
}

if (typeof Symbol.dispose === 'symbol') {
  WasmHandle.prototype[Symbol.dispose] = function dispose() { this.dispose(); };
}

