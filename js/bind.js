// bind.js - binds the module-level classes and functions that take the engine
// (core) as their first argument to one engine instance, for the API object
// init() resolves to: new rnn.LSTM(opts) is new LSTM(core, opts).

/**
 * A subclass of Class whose constructor fills in the leading arguments
 * (bindArgs(args) -> the arguments for Class), with Class's name and statics.
 * `x instanceof Bound` also holds for instances of Class made by the library
 * itself (a model's layers are built with the unbound classes).
 */
export function bindClass(Class, bindArgs) {
  const Bound = class extends Class {
    constructor(...args) { super(...bindArgs(args)); }

    static [Symbol.hasInstance](x) {
      // A user's subclass of Bound keeps the ordinary test.
      return Function.prototype[Symbol.hasInstance].call(this === Bound ? Class : this, x);
    }
  };
  Object.defineProperty(Bound, 'name', { value: Class.name });
  return Bound;
}

/** new Bound(...args) is new Class(core, ...args). */
export const bindEngine = (Class, core) => bindClass(Class, (args) => [core, ...args]);

/** bound(...args) is fn(core, ...args), with fn's name. */
export function bindFunction(fn, core) {
  const bound = (...args) => fn(core, ...args);
  Object.defineProperty(bound, 'name', { value: fn.name });
  return bound;
}
