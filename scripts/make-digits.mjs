// node scripts/make-digits.mjs [--out=build/digits] [--train=4000] [--valid=300] [--test=400] [--seed=1] [--jobs=2] [--oh=0.3] [--lead=0]
// Spoken-digit data for the CTC recogniser (examples/digits.mjs), made here
// from Debian packages, no downloads: espeak-ng speaks random digit strings
// (1-7 digits, "zero" to "nine" and "oh") in many voices (accents x voice
// variants), speeds, pitches and word gaps; sox resamples to 16 kHz mono,
// changes tempo and gain, adds reverberation; white, pink and brown noise
// made by sox once (a minute of each) are mixed in at 0-20 dB SNR from a
// random offset (two processes per utterance, not six). The test set uses
// voices never used in training (held-out accents and variants) and noise at
// 10 dB SNR; the validation set (for picking the epoch) has held-out voices
// of its own, used neither in training nor in the test set, also at 10 dB.
// --oh is the chance that a zero in a training utterance is said "oh" (the
// held-out splits keep 0.3): "oh" is the word new accents get wrong most
// (examples/RESULTS.md runs 5-6). The same draws are made at any --oh, so
// only the words of some zeros change, nothing else in the stream.
// --lead is the chance that a training utterance starts with 0.1-1 s of
// digital silence (exact zeros) before its noisy audio, and, drawn apart,
// ends with such silence: a microphone stream often jumps from silence to
// noise, which the noisy-throughout clips never do (a model trained without
// it may hear a digit at the jump: examples/RESULTS.md run 6). Drawn from a
// stream of its own, so the other recipes are the same at any --lead.
// The seed makes it reproducible; each split draws from its own stream, so
// a larger --train keeps the first utterances (and skips existing files).
// Writes <out>/{train,valid,test}/NNNNN.wav and <out>/{train,valid,test}.json
// ([{ file, digits, text (the words spoken: a zero is "zero" or "oh"), voice, snr, noise,
// silence: [samples of digital silence before, after] }]).
// examples/RESULTS.md run 7 used: --out /work/digits-data7 --train 16000 --valid 300 --test 300 --oh 0.6 --lead 0.3
// examples/RESULTS.md run 4 used: --out /work/digits-data4 --train 8000 --valid 300 --test 300 --jobs 2
// (its valid and test wavs copied from run 3's data, made before sox -R: same recipes, other noise samples).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { data } from '../dist/index.js';
import { parseFlags } from '../examples/common.mjs';

const run = promisify(execFile);
// --name value or --name=value; an unknown flag is an error, not ignored
const args = parseFlags({ out: 'build/digits', train: 4000, valid: 300, test: 400, seed: 1, jobs: 2, oh: 0.3, lead: 0 },
  'node scripts/make-digits.mjs [flags]: spoken-digit data for examples/digits.mjs');
const OUT = args.out;
const N = { train: args.train, valid: args.valid, test: args.test };
const JOBS = args.jobs;
const SEED = args.seed;
// train draws from the seed's stream, as before splits had streams of their own
const STREAM = { train: SEED, test: SEED + 1000003, valid: SEED + 2000003 };
let rng, leadRng;

for (const tool of ['espeak-ng', 'sox']) {
  try { await run(tool, ['--version']); } catch { throw new Error(`make-digits: ${tool} is missing: apt-get install espeak-ng sox (bash scripts/setup.sh --test)`); }
}

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
// Voices: espeak-ng's English accents x its voice variants; the test set's
// and the validation set's are never used in training, nor in each other.
// Training has every variant espeak-ng ships except the held-out ones and
// those that are near copies of one (edward2 = edward on another Klatt
// mode, rob = robert's formants; robosoft-robosoft6 = m8's formants).
const ACCENTS = { train: ['en-us', 'en-gb', 'en-gb-scotland', 'en-gb-x-rp', 'en-gb-x-gbcwmd'], test: ['en-gb-x-gbclan', 'en-029'], valid: ['en-us-nyc'] };
const VARIANTS = {
  train: ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'f1', 'f2', 'f3', 'f4', 'klatt', 'klatt2', 'klatt3', 'klatt6', 'croak', 'whisper', 'whisperf',
    'Andy', 'AnxiousAndy', 'Denis', 'Gene', 'Gene2', 'Mike', 'Annie', 'belinda', 'david', 'john', 'linda', 'max', 'paul', 'steph', 'steph2', 'steph3',
    'Alex', 'Andrea', 'Diogo', 'Hugo', 'Jacky', 'Lee', 'Michael', 'adam', 'anika', 'anikaRobot', 'boris', 'caleb', 'iven', 'iven2', 'iven3', 'iven4',
    'quincy', 'travis', 'zac', 'Demonic', 'Henrique', 'Marco', 'Mario', 'Mr serious', 'Nguyen', 'RicishayMax', 'RicishayMax2', 'RicishayMax3',
    'Storm', 'Tweaky', 'UniRobot', 'announcer', 'antonio', 'ed', 'fast', 'gustave', 'kaukovalta', 'marcelo', 'miguel', 'pablo', 'pedro',
    'robosoft7', 'robosoft8', 'sandro', 'shelby', 'victor'],
  test: ['m7', 'f5', 'klatt4', 'edward', 'grandma', 'norbert', 'robert'],
  valid: ['m8', 'klatt5', 'grandpa', 'aunty', 'benjamin', 'Alicia', 'michel'],
};
const NOISES = ['whitenoise', 'pinknoise', 'brownnoise'];

const pick = (a) => a[rng.int(a.length)];
const uniform = (lo, hi) => lo + (hi - lo) * rng.uniform();

// One utterance's recipe, drawn in order from the seeded generator (so the
// data does not depend on how many jobs run).
function recipe(split, i) {
  const n = 1 + rng.int(7);
  const digits = Array.from({ length: n }, () => rng.int(10));
  const ohRate = split === 'train' ? args.oh : 0.3;
  const words = digits.map((d) => (d === 0 && rng.uniform() < ohRate ? 'oh' : WORDS[d]));
  return {
    file: `${String(i).padStart(5, '0')}.wav`, digits, text: words.join(' '),
    voice: `${pick(ACCENTS[split])}+${pick(VARIANTS[split])}`,
    // training speaks over wider ranges than the held-out sets (same draws, so their streams are unchanged)
    speed: Math.round(split === 'train' ? uniform(110, 260) : uniform(120, 240)),
    pitch: Math.round(split === 'train' ? uniform(5, 95) : uniform(20, 80)), gap: rng.int(12),
    tempo: uniform(0.9, 1.1).toFixed(3), gain: uniform(-6, 3).toFixed(1),
    reverb: rng.uniform() < 0.3 ? Math.round(uniform(10, 50)) : 0,
    noise: pick(NOISES), offset: rng.int(16000 * 59), snr: split === 'train' ? uniform(0, 20) : 10,
    silence: [0, 1].map(() => (split === 'train' && leadRng.uniform() < args.lead ? Math.round(16000 * (0.1 + 0.9 * leadRng.uniform())) : 0)),
  };
}

// 16-bit PCM mono wav <-> Float32Array in [-1, 1).
function readWav(file) {
  const b = readFileSync(file);
  let o = 12;
  while (o < b.length && b.toString('ascii', o, o + 4) !== 'data') o += 8 + b.readUInt32LE(o + 4);
  const n = Math.floor(b.readUInt32LE(o + 4) / 2), x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = b.readInt16LE(o + 8 + 2 * i) / 32768;
  return x;
}
function writeWav(file, x) {
  const b = Buffer.alloc(44 + 2 * x.length);
  b.write('RIFF', 0); b.writeUInt32LE(36 + 2 * x.length, 4); b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(2 * x.length, 40);
  for (let i = 0; i < x.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768))), 44 + 2 * i);
  writeFileSync(file, b);
}
const rmsOf = (x) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / Math.max(1, x.length));

// A minute of each noise colour, made by sox once.
async function noises(tmp) {
  const out = {};
  for (const kind of NOISES) {
    const file = join(tmp, `${kind}.wav`);
    await run('sox', ['-R', '-n', '-r', '16000', '-c', '1', '-b', '16', file, 'synth', '60', kind, 'vol', '0.5']);
    out[kind] = readWav(file);
  }
  return out;
}

async function make(dir, r, tmp, noise) {
  const clean = join(tmp, r.file);
  const effects = ['rate', '16000', 'channels', '1', 'tempo', r.tempo, 'gain', r.gain, 'pad', '0.15', '0.15'];
  if (r.reverb) effects.push('reverb', String(r.reverb));
  await run('bash', ['-c', 'espeak-ng "$@" --stdout | sox -R -t wav - -b 16 ' + [clean, ...effects].join(' '), '_',
    '-v', r.voice, '-s', String(r.speed), '-p', String(r.pitch), '-g', String(r.gap), r.text]);
  const x = readWav(clean), n = noise[r.noise];
  const scale = rmsOf(x) / rmsOf(n) / 10 ** (r.snr / 20);
  const y = new Float32Array(x.length);
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs((y[i] = x[i] + scale * n[(r.offset + i) % n.length])));
  if (peak > 0.7) for (let i = 0; i < y.length; i++) y[i] *= 0.7 / peak; // headroom, as sox gain -n -3
  const [before, after] = r.silence, z = new Float32Array(before + y.length + after);
  z.set(y, before);
  writeWav(join(dir, r.file), z);
  rmSync(clean, { force: true });
}

for (const split of ['train', 'valid', 'test']) {
  if (!N[split]) continue;
  rng = data.createRng(STREAM[split]);
  leadRng = data.createRng(STREAM[split] + 3000017);
  const dir = join(OUT, split), tmp = join(OUT, 'tmp');
  mkdirSync(dir, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const noise = await noises(tmp);
  const recipes = Array.from({ length: N[split] }, (_, i) => recipe(split, i));
  let next = 0, done = 0;
  const worker = async () => {
    while (next < recipes.length) {
      const r = recipes[next++];
      if (!existsSync(join(dir, r.file))) await make(dir, r, tmp, noise);
      if (++done % 200 === 0) console.log(`${split}: ${done}/${recipes.length}`);
    }
  };
  await Promise.all(Array.from({ length: JOBS }, worker));
  writeFileSync(join(OUT, `${split}.json`), JSON.stringify(recipes.map(({ file, digits, text, voice, snr, noise, silence }) => ({ file, digits, text, voice, snr: +snr.toFixed(1), noise, silence }))));
  rmSync(tmp, { recursive: true, force: true });
  console.log(`make-digits: ${recipes.length} ${split} utterances in ${dir}`);
}
