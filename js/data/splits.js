// splits.js - shuffles (Fisher-Yates on the seeded generator), ranges and
// train / validation splits.
import { boolOption, checkKnown, numOption } from '../options.js';
import { bad, copyOf } from './checks.js';
import { rngOption, toRng } from './rng.js';

// Fisher-Yates from the last element down, j = rng.int(i + 1).
export function shuffleInPlace(a, rng) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/**
 * A shuffled copy of array (an Array or typed array; same kind returned):
 * Fisher-Yates from the last element down, j = rng.int(i + 1). seedOrRng: a
 * seed (same seed, same order) or a generator from createRng (advanced, so
 * successive calls give different orders); omitted: random.
 */
export function shuffle(array, seedOrRng) {
  const a = copyOf(array, 'shuffle', 'array');
  return shuffleInPlace(a, toRng(seedOrRng, 'shuffle'));
}

/** [0, 1, ..., n - 1]. */
export function range(n) {
  if (!Number.isInteger(n) || n < 0) throw bad(`range: n must be a non-negative integer, got ${n}`);
  return Array.from({ length: n }, (_, i) => i);
}

/**
 * Splits items into { train, val } (copies, same kind as items).
 * options.valFraction in (0, 1), default 0.1: val gets round(n * valFraction)
 * items, at least 1 and at most n - 1 when n >= 2 (so neither part is empty).
 * options.shuffle (default true): a seeded shuffle first (options.seed or
 * options.rng; neither: random); false keeps the order and takes the last
 * items as val (time series).
 */
export function trainValSplit(items, options = {}) {
  const what = 'trainValSplit';
  checkKnown(options, ['valFraction', 'seed', 'rng', 'shuffle'], what);
  const frac = numOption(options, 'valFraction', what, { min: 0, max: 1, minExclusive: true, maxExclusive: true, def: 0.1 });
  const doShuffle = boolOption(options, 'shuffle', what, true);
  let a = copyOf(items, what, 'items');
  if (doShuffle) a = shuffleInPlace(a, rngOption(options, what));
  const n = a.length;
  let nVal = Math.round(n * frac);
  if (n >= 2) nVal = Math.min(Math.max(nVal, 1), n - 1);
  else nVal = 0;
  return { train: a.slice(0, n - nVal), val: a.slice(n - nVal) };
}
