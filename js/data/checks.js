// checks.js - the argument checks every data helper shares: the error they
// throw (INVALID_ARGUMENT), a type's name for messages, array-likes.
import { RnnError } from '../errors.js';

export function bad(message) {
  return new RnnError('INVALID_ARGUMENT', message);
}

export function typeName(v) {
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v) || Array.isArray(v)) return v.constructor.name;
  return typeof v;
}

export function isArrayLike(v) {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

export function copyOf(array, what, name) {
  if (!isArrayLike(array)) throw bad(`${what}: ${name} must be an array or a typed array, got ${typeName(array)}`);
  return array.slice();
}
