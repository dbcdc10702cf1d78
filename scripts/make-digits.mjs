// node scripts/make-digits.mjs [--out=build/digits] [--train=4000] [--test=400] [--seed=1] [--jobs=2]
// Spoken-digit data for the CTC recogniser (examples/digits.mjs), made here
// from Debian packages, no downloads: espeak-ng speaks random digit strings
// (1-7 digits, "zero" to "nine" and "oh") in many voices (accents x voice
// variants), speeds, pitches and word gaps; sox resamples to 16 kHz mono,
// changes tempo and gain, adds reverberation, and mixes in white, pink or
// brown noise at 0-20 dB SNR. The test set uses voices never used in
// training (held-out accents and variants) and noise at 10 dB SNR.
// The seed makes it reproducible. Writes <out>/{train,test}/NNNNN.wav and
// <out>/{train,test}.json ([{ file, digits }]).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { data } from '../dist/index.js';

const run = promisify(execFile);
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const OUT = args.out ?? 'build/digits';
const N = { train: Number(args.train ?? 4000), test: Number(args.test ?? 400) };
const JOBS = Number(args.jobs ?? 2);
const rng = data.createRng(Number(args.seed ?? 1));

for (const tool of ['espeak-ng', 'sox']) {
  try { await run(tool, ['--version']); } catch { throw new Error(`make-digits: ${tool} is missing: apt-get install espeak-ng sox (bash scripts/setup.sh --speech)`); }
}

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
// Voices: espeak-ng's English accents x its voice variants; the test set's are never used in training.
const ACCENTS = { train: ['en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-rp', 'en-gb-x-gbcwmd'], test: ['en-gb-x-gbclan', 'en-029'] };
const VARIANTS = {
  train: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'f1', 'f2', 'f3', 'f4', 'klatt', 'klatt2', 'klatt3', 'croak', 'whisper', 'Andy', 'Denis', 'Gene', 'Mike', 'Annie', 'belinda', 'david', 'john', 'linda', 'max', 'paul', 'steph'],
  test: ['m7', 'f5', 'klatt4', 'edward', 'grandma', 'norbert', 'robert'],
};
const NOISES = ['whitenoise', 'pinknoise', 'brownnoise'];

const pick = (a) => a[rng.int(a.length)];
const uniform = (lo, hi) => lo + (hi - lo) * rng.uniform();

// One utterance's recipe, drawn in order from the seeded generator (so the
// data does not depend on how many jobs run).
function recipe(split, i) {
  const n = 1 + rng.int(7);
  const digits = Array.from({ length: n }, () => rng.int(10));
  const words = digits.map((d) => (d === 0 && rng.uniform() < 0.3 ? 'oh' : WORDS[d]));
  return {
    file: `${String(i).padStart(5, '0')}.wav`, digits, text: words.join(' '),
    voice: `${pick(ACCENTS[split])}+${pick(VARIANTS[split])}`,
    speed: Math.round(uniform(120, 240)), pitch: Math.round(uniform(20, 80)), gap: rng.int(12),
    tempo: uniform(0.9, 1.1).toFixed(3), gain: uniform(-6, 3).toFixed(1),
    reverb: rng.uniform() < 0.3 ? Math.round(uniform(10, 50)) : 0,
    noise: pick(NOISES), snr: split === 'test' ? 10 : uniform(0, 20),
  };
}

// RMS amplitude of a wav (sox's stat prints it on stderr).
async function rms(file) {
  const { stderr } = await run('sox', [file, '-n', 'stat']);
  return Number(/RMS\s+amplitude:\s+([\d.e-]+)/.exec(stderr)[1]);
}

async function make(dir, r, tmp) {
  const raw = join(tmp, `${r.file}.raw.wav`), clean = join(tmp, `${r.file}.clean.wav`), noise = join(tmp, `${r.file}.noise.wav`);
  await run('espeak-ng', ['-v', r.voice, '-s', String(r.speed), '-p', String(r.pitch), '-g', String(r.gap), '-w', raw, r.text]);
  const effects = ['rate', '16000', 'channels', '1', 'tempo', r.tempo, 'gain', r.gain, 'pad', '0.15', '0.15'];
  if (r.reverb) effects.push('reverb', String(r.reverb));
  await run('sox', [raw, '-b', '16', clean, ...effects]);
  const { stdout } = await run('soxi', ['-D', clean]);
  await run('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', noise, 'synth', stdout.trim(), r.noise, 'vol', '0.5']);
  const scale = (await rms(clean)) / (await rms(noise)) / 10 ** (r.snr / 20);
  await run('sox', ['-m', '-v', '1', clean, '-v', scale.toFixed(6), noise, '-b', '16', join(dir, r.file), 'gain', '-n', '-3']);
  for (const f of [raw, clean, noise]) rmSync(f, { force: true });
}

for (const split of ['train', 'test']) {
  const dir = join(OUT, split), tmp = join(OUT, 'tmp');
  mkdirSync(dir, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const recipes = Array.from({ length: N[split] }, (_, i) => recipe(split, i));
  let next = 0, done = 0;
  const worker = async () => {
    while (next < recipes.length) {
      const r = recipes[next++];
      if (!existsSync(join(dir, r.file))) await make(dir, r, tmp);
      if (++done % 200 === 0) console.log(`${split}: ${done}/${recipes.length}`);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  writeFileSync(join(OUT, `${split}.json`), JSON.stringify(recipes.map(({ file, digits, voice, snr, noise }) => ({ file, digits, voice, snr: +snr.toFixed(1), noise }))));
  rmSync(tmp, { recursive: true, force: true });
  console.log(`make-digits: ${recipes.length} ${split} utterances in ${dir}`);
}
