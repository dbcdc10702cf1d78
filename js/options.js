// options.js - option checking shared by every constructor: unknown names
// and out-of-range values throw an RnnError naming the option.
import { RnnError } from './errors.js';

export function checkKnown(opts, known, what) {
  if (opts === null || typeof opts !== 'object') {
    throw new RnnError('INVALID_ARGUMENT', `${what} options must be an object`);
  }
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) {
      throw new RnnError('INVALID_ARGUMENT', `${what}: unknown option '${k}' (known: ${known.join(', ')})`);
    }
  }
}

export function intOption(opts, name, what, { min = 1, max = 2 ** 31 - 1, def } = {}) {
  const v = opts[name] ?? def;
  if (v === undefined) throw new RnnError('INVALID_ARGUMENT', `${what}: option '${name}' is required`);
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RnnError('INVALID_ARGUMENT', `${what}: '${name}' must be an integer in [${min}, ${max}], got ${v}`);
  }
  return v;
}

export function numOption(opts, name, what, { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false, def } = {}) {
  const v = opts[name] ?? def;
  const okMin = minExclusive ? v > min : v >= min;
  const okMax = maxExclusive ? v < max : v <= max;
  if (typeof v !== 'number' || Number.isNaN(v) || !okMin || !okMax) {
    const lo = minExclusive ? '(' : '[', hi = maxExclusive ? ')' : ']';
    throw new RnnError('INVALID_ARGUMENT', `${what}: '${name}' must be a number in ${lo}${min}, ${max}${hi}, got ${v}`);
  }
  return v;
}

export function oneOfOption(opts, name, what, values, def) {
  const v = opts[name] ?? def;
  if (!values.includes(v)) {
    throw new RnnError('INVALID_ARGUMENT', `${what}: '${name}' must be ${values.map((x) => `'${x}'`).join(' or ')}, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function boolOption(opts, name, what, def) {
  const v = opts[name] ?? def;
  if (typeof v !== 'boolean') {
    throw new RnnError('INVALID_ARGUMENT', `${what}: '${name}' must be true or false, got ${v}`);
  }
  return v;
}

export function randomSeed() {
  return Math.floor(Math.random() * 2 ** 32);
}
