// checks.js - the argument checks every data helper shares: the error they
// throw (INVALID_ARGUMENT), a type's name for messages (tensor.js's),
// array-likes.
import { RnnError } from '../errors.js';
import { typeName } from '../tensor.js';

export { typeName };

export function bad(message) {
  return new RnnError('INVALID_ARGUMENT', message);
}

export function isArrayLike(v) {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

export function copyOf(array, what, name) {
  if (!isArrayLike(array)) throw bad(`${what}: ${name} must be an array or a typed array, got ${typeName(array)}`);
  return array.slice();
}
