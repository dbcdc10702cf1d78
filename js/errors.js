// errors.js - the one error class the library throws. C statuses map to
// these codes through the table C exports (src/status.c, read by core.js).

/** Error codes: what kind of thing was wrong. */
export const ErrorCode = Object.freeze({
  INVALID_ARGUMENT: 'INVALID_ARGUMENT', // an option or argument out of range / unknown
  SHAPE: 'SHAPE',                       // a tensor's shape does not fit
  DTYPE: 'DTYPE',                       // wrong typed-array type
  STATE: 'STATE',                       // call out of order (backward before forward, ...)
  OUT_OF_MEMORY: 'OUT_OF_MEMORY',       // the wasm memory limit was reached
  UNSUPPORTED: 'UNSUPPORTED',           // a valid option this version does not implement yet
  DISPOSED: 'DISPOSED',                 // use after dispose()
  FORMAT: 'FORMAT',                     // a malformed file (safetensors.parse)
  NON_FINITE: 'NON_FINITE',             // training met a NaN/Inf loss or gradient
});

export class RnnError extends Error {
  /** @param {string} code one of ErrorCode  @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'RnnError';
    this.code = code;
  }
}
