// fuzz_wav.mjs - a mutation fuzz loop over shared/digits-core.js's decodeWav,
// the parser of the page's speech clips (and of examples/digits.mjs's data).
// Starts from valid files (a shipped 8-bit mu-law clip cut short, a 16-bit
// PCM file) and mutates them: bit flips, interesting bytes, chunk sizes,
// truncation, insertion, deletion. Every input must decode to mono samples
// in [-1, 1] at a positive rate, or throw an Error whose message starts with
// 'wav:'; any other exception is a failure, reported with the input (base64).
//
//   node fuzz/fuzz_wav.mjs [iterations=100000] [seed=1]
//
// tests/fuzz.test.mjs runs a bounded number of iterations.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runIfMain } from './cli.mjs';
import { decodeWav } from '../shared/digits-core.js';

const CLIP = fileURLToPath(new URL('../web/audio/digits-108.wav', import.meta.url));

function makeRng(seed) {
  let s = (seed >>> 0) || 0x9e3779b9;
  const next = () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
  return { int: (n) => next() % n, chance: (p) => next() / 4294967296 < p };
}

function pcmFile(n) {
  const b = new Uint8Array(44 + 2 * n), v = new DataView(b.buffer);
  const put = (o, t) => { for (let i = 0; i < 4; i++) b[o + i] = t.charCodeAt(i); };
  put(0, 'RIFF'); v.setUint32(4, 36 + 2 * n, true); put(8, 'WAVE'); put(12, 'fmt ');
  v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true); v.setUint32(24, 16000, true);
  v.setUint32(28, 32000, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true); put(36, 'data'); v.setUint32(40, 2 * n, true);
  for (let i = 0; i < n; i++) v.setInt16(44 + 2 * i, (i * 7919) % 65536 - 32768, true);
  return b;
}

function seedFiles() {
  const clip = new Uint8Array(readFileSync(CLIP));
  const short = clip.slice(0, 600); // the header says more data than is left: must be refused
  const fixed = clip.slice(0, 600);
  // the same clip, its data chunk cut to the bytes present
  const dv = new DataView(fixed.buffer);
  for (let o = 12; o + 8 <= fixed.length; o += 8 + dv.getUint32(o + 4, true)) {
    if (String.fromCharCode(...fixed.subarray(o, o + 4)) === 'data') { dv.setUint32(o + 4, fixed.length - o - 8, true); break; }
  }
  return [short, fixed, pcmFile(300), pcmFile(0)];
}

const INTERESTING = [0, 1, 2, 7, 8, 16, 127, 128, 255];

function mutate(src, rng) {
  let b = src.slice();
  for (let k = 1 + rng.int(4); k > 0; k--) {
    const i = b.length ? rng.int(b.length) : 0;
    switch (rng.int(7)) {
      case 0: if (b.length) b[i] ^= 1 << rng.int(8); break;
      case 1: if (b.length) b[i] = INTERESTING[rng.int(INTERESTING.length)]; break;
      case 2: { const o = [4, 16, 20, 22, 24, 34, 40][rng.int(7)]; if (o + 4 <= b.length) new DataView(b.buffer).setUint32(o, [0, 1, 15, 16, 0xffffffff, 0x7fffffff, rng.int(1 << 30)][rng.int(7)], true); break; }
      case 3: b = b.slice(0, rng.int(b.length + 1)); break;
      case 4: { const n = 1 + rng.int(16); const c = new Uint8Array(b.length + n); c.set(b.subarray(0, i)); c.set(b.subarray(i), i + n); b = c; break; }
      case 5: { const n = Math.min(b.length - i, 1 + rng.int(16)); b = Uint8Array.from([...b.subarray(0, i), ...b.subarray(i + n)]); break; }
      default: { const o = 12 + rng.int(40); if (o + 4 <= b.length) for (let j = 0; j < 4; j++) b[o + j] = 'datafmt LIST'.charCodeAt(rng.int(3) * 4 + j); }
    }
  }
  return b;
}

/** Runs the loop; returns { runs, ok, refused }; throws on a failure. */
export function fuzzWav({ iterations = 100000, seed = 1 } = {}) {
  const rng = makeRng(seed), seeds = seedFiles(), counts = { runs: 0, ok: 0, refused: 0 };
  for (let it = 0; it < iterations; it++) {
    const input = mutate(seeds[rng.int(seeds.length)], rng);
    counts.runs++;
    try {
      const { rate, samples } = decodeWav(input);
      if (!(rate > 0) || !(samples instanceof Float32Array) || samples.some((x) => !(x >= -1 && x <= 1))) throw new Error(`bad result: rate ${rate}`);
      counts.ok++;
    } catch (e) {
      if (e instanceof Error && e.constructor === Error && e.message.startsWith('wav:')) { counts.refused++; continue; }
      throw new Error(`iteration ${it}: ${e?.name}: ${e?.message}; input (base64): ${Buffer.from(input).toString('base64')}`);
    }
  }
  return counts;
}

await runIfMain(import.meta.url, 'decodeWav', fuzzWav, 100000);
