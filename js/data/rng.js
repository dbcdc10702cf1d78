// rng.js - the seeded generator of the data helpers: xoshiro128** seeded
// through splitmix64, exactly as src/rng.c, so a seed gives the same stream
// here, in the engine and in the C tests; and the seed / rng options.
import { randomSeed } from '../options.js';
import { bad, typeName, isArrayLike } from './checks.js';

const U64 = (1n << 64n) - 1n;
const TWO32 = 4294967296;

function splitmix64(x) {
  // x: { v: BigInt }; returns the next 64-bit output and advances x.v.
  x.v = (x.v + 0x9E3779B97F4A7C15n) & U64;
  let z = x.v;
  z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & U64;
  z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & U64;
  return z ^ (z >> 31n);
}

function seedState(seed) {
  const x = { v: BigInt(seed) };
  const a = splitmix64(x), b = splitmix64(x);
  return [Number(a & 0xFFFFFFFFn), Number(a >> 32n), Number(b & 0xFFFFFFFFn), Number(b >> 32n)];
}

function checkSeed(seed, what) {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed > U64) throw bad(`${what}: a bigint seed must be in [0, 2^64 - 1], got ${seed}`);
    return seed;
  }
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw bad(`${what}: seed must be an integer in [0, 2^53 - 1] (or a bigint below 2^64), got ${typeName(seed) === 'number' ? seed : typeName(seed)}`);
  }
  return seed;
}

function rotl(x, k) {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * A seeded generator: xoshiro128** seeded through splitmix64, the same
 * algorithm and seeding as the engine (src/rng.c), so createRng(s) yields the
 * stream rnn_rng_seed(s) does. seed: an integer in [0, 2^53 - 1] or a bigint
 * in [0, 2^64 - 1]; omitted: a random seed (read it back from rng.seed).
 *   nextU32()  the next 32-bit output (rnn_rng_u32)
 *   uniform()  in [0, 1) with 24 random bits (rnn_rng_uniform(g, 0, 1))
 *   normal()   standard normal, Box-Muller in pairs exactly as the engine's
 *              Embedding init (src/embedding.c): two nextU32 per pair, the
 *              second value of a pair is kept for the next call
 *   int(n)     an unbiased integer in [0, n), n in [1, 2^32] (rejection sampling)
 *   state()    a copy of the 4 state words (Uint32Array)
 *   setState(s) restores them (also drops a kept normal())
 */
export function createRng(seed) {
  const what = 'createRng';
  seed = seed === undefined ? randomSeed() : checkSeed(seed, what);
  let [s0, s1, s2, s3] = seedState(seed);
  let spare = null;

  function nextU32() {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  }

  return Object.freeze({
    seed,
    nextU32,
    uniform() {
      return (nextU32() >>> 8) / 16777216;
    },
    normal() {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return z;
      }
      const u1 = (nextU32() + 0.5) / TWO32;
      const u2 = nextU32() / TWO32;
      const r = Math.sqrt(-2 * Math.log(u1));
      const a = 2 * Math.PI * u2;
      spare = r * Math.sin(a);
      return r * Math.cos(a);
    },
    int(n) {
      if (!Number.isInteger(n) || n < 1 || n > TWO32) {
        throw bad(`rng.int: n must be an integer in [1, 2^32], got ${n}`);
      }
      if (n === TWO32) return nextU32();
      const limit = TWO32 - (TWO32 % n);
      for (;;) {
        const u = nextU32();
        if (u < limit) return u % n;
      }
    },
    state() {
      return Uint32Array.of(s0, s1, s2, s3);
    },
    setState(s) {
      if (!isArrayLike(s) || s.length !== 4 ||
          !Array.from(s).every((w) => Number.isInteger(w) && w >= 0 && w < TWO32)) {
        throw bad('rng.setState: state must be 4 unsigned 32-bit words (a Uint32Array from rng.state())');
      }
      if (s[0] === 0 && s[1] === 0 && s[2] === 0 && s[3] === 0) {
        throw bad('rng.setState: the all-zero state is not valid for xoshiro128**');
      }
      [s0, s1, s2, s3] = Array.from(s, (w) => w >>> 0);
      spare = null;
    },
  });
}

function isRng(v) {
  return v !== null && typeof v === 'object' && typeof v.nextU32 === 'function' && typeof v.int === 'function';
}

// A seed, an rng, or undefined (random seed) -> an rng.
export function toRng(seedOrRng, what) {
  if (isRng(seedOrRng)) return seedOrRng;
  if (seedOrRng === undefined) return createRng();
  return createRng(checkSeed(seedOrRng, what));
}

// { seed, rng } options -> an rng (one of them at most).
export function rngOption(opts, what) {
  if (opts.seed !== undefined && opts.rng !== undefined) {
    throw bad(`${what}: give 'seed' or 'rng', not both`);
  }
  if (opts.rng !== undefined) {
    if (!isRng(opts.rng)) throw bad(`${what}: 'rng' must be a generator from createRng(), got ${typeName(opts.rng)}`);
    return opts.rng;
  }
  return opts.seed === undefined ? createRng() : createRng(checkSeed(opts.seed, what));
}
