// common.mjs - small helpers shared by the examples: command-line flags,
// repository paths, timing, progress lines and the final key=value line.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { init } from '../dist/index.js';

/** Path of a file in the repository (examples/ is one level down). */
export function repoPath(rel) {
  return fileURLToPath(new URL(`../${rel}`, import.meta.url));
}

export function readRepoFile(rel) {
  return readFileSync(repoPath(rel), 'utf8');
}

/**
 * Parses `--name value` / `--name=value` / `--flag` against defaults: the
 * default's type decides (number, boolean, string). Unknown flags, and
 * `--help`, print the usage and exit.
 */
export function parseFlags(defaults, usage) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  const fail = (msg) => {
    if (msg) console.error(msg);
    console.error(usage.trim());
    console.error('flags (defaults):');
    for (const [k, v] of Object.entries(defaults)) console.error(`  --${kebab(k)} ${v}`);
    process.exit(msg ? 2 : 0);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') fail('');
    if (!a.startsWith('--')) fail(`unexpected argument ${a}`);
    let [name, value] = a.slice(2).split(/=(.*)/s, 2);
    const key = camel(name);
    if (!(key in defaults)) fail(`unknown flag --${name}`);
    const def = defaults[key];
    if (typeof def === 'boolean') {
      out[key] = value === undefined ? true : !/^(0|false|no)$/i.test(value);
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) fail(`--${name} needs a value`);
      value = argv[++i];
    }
    if (typeof def === 'number') {
      const v = Number(value);
      if (!Number.isFinite(v)) fail(`--${name} must be a number, got ${value}`);
      out[key] = v;
    } else {
      out[key] = value;
    }
  }
  return out;
}

const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const kebab = (s) => s.replace(/(?<=[a-z])[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The engine, loaded once. */
export const loadRnn = () => init();

/**
 * A vocabulary's JSON for a model file's metadata, compact: the words joined
 * by spaces, the characters as one string (fromJSON reads both forms). The
 * sentiment model's 1,960 words: 13.5 KB instead of 21.4 KB in the header,
 * where each quote of an array would be escaped.
 */
export function vocabJSON(vocab) {
  const j = vocab.toJSON();
  if (j.words?.some((w) => w.includes(' '))) throw new Error('vocabJSON: a word holds a space');
  return JSON.stringify(j.words ? { ...j, words: j.words.join(' ') } : { ...j, chars: j.chars.join('') });
}

export function timer() {
  const t0 = performance.now();
  return () => (performance.now() - t0) / 1000;
}

/** CPU seconds (user + system) of this process since it started: robust to a busy machine. */
export function cpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** A number for the final line: 4 decimals, or 4 significant digits below 1. */
export function fmt(v, digits = 4) {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) < 1) return String(Number(v.toPrecision(digits)));
  return v.toFixed(digits);
}

/** Prints the one final line: key=value pairs separated by spaces. */
export function finalLine(pairs) {
  console.log(Object.entries(pairs).map(([k, v]) => `${k}=${fmt(v)}`).join(' '));
}

/** Parses a final line back into an object (numbers where they parse). */
export function parseFinalLine(line) {
  const out = {};
  for (const part of line.trim().split(/\s+/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq), v = part.slice(eq + 1);
    out[k] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

/**
 * A character LM's validation loss: the mean cross-entropy (nats/char) over
 * TBPTT batches of V classes, the state carried from batch to batch, in eval
 * mode (the model is left in eval mode).
 */
export function streamLoss(rnn, model, batches, V) {
  model.eval();
  let state = null, sum = 0;
  for (const b of batches) {
    const out = model.forward(b.x, { state });
    state = model.state;
    sum += rnn.losses.crossEntropy({ shape: [out.data.length / V, V], data: out.data }, b.y.data).loss;
  }
  return sum / batches.length;
}
