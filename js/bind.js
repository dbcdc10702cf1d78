// bind.js - binds the module-level classes and functions that take the engine
// (core) as their first argument to one engine instance, for the API object
// init() resolves to: new rnn.LSTM(opts) is new LSTM(core, opts).

// Gives a bound class or function its public name (minifying renames the
// original) and the arity callers see.
function describeAs(f, name, length) {
  Object.defineProperty(f, 'name', { value: name });
  Object.defineProperty(f, 'length', { value: Math.max(0, length) });
  return f;
}

/**
 * A subclass of Class whose constructor fills in the bound arguments
 * (bindArgs(args) -> the arguments for Class), with Class's statics.
 * `x instanceof Bound` also holds for instances of Class made by the library
 * itself (a model's layers are built with the unbound classes).
 */
export function bindClass(Class, bindArgs, name, length) {
  const Bound = class extends Class {
    constructor(...args) { super(...bindArgs(args)); }

    static [Symbol.hasInstance](x) {
      // A user's subclass of Bound keeps the ordinary test.
      return Function.prototype[Symbol.hasInstance].call(this === Bound ? Class : this, x);
    }
  };
  return describeAs(Bound, name, length);
}

/** new Bound(...args) is new Class(core, ...args). */
export const bindEngine = (Class, core, name) =>
  bindClass(Class, (args) => [core, ...args], name, Class.length - 1);

/** bound(...args) is fn(core, ...args). */
export const bindFunction = (fn, core, name) => describeAs((...args) => fn(core, ...args), name, fn.length - 1);
