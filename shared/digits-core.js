// digits-core.js - the spoken-digit recogniser of examples/digits.mjs, shared
// with the course page's listening section (web/js/digits-section.js): its
// front end (Kaldi log-mel frames, normalised with the training set's
// per-bin mean and deviation, every `stack` frames joined into one step of
// 30 ms: a third of the steps makes CTC's alignment easier and the stream
// cheaper), its model file (safetensors with the model spec and the front
// end in the metadata), its clips (16-bit PCM or 8-bit mu-law wav) and the streaming recogniser (samples in; frames,
// per-step posteriors and the decoded digits out). No DOM and no import of
// the library: callers pass the library's API object `rnn`.

/** Class 0 is CTC's blank; class d + 1 is the digit d. */
export const CLASSES = 11;
export const CLASS_NAMES = ['blank', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Digits (numbers 0-9) of CTC labels (classes 1-10). */
export const digitsOf = (labels) => Array.from(labels, (k) => k - 1);

/**
 * Mono wav bytes, 8-bit mu-law or 16-bit PCM -> { rate, samples: Float32Array
 * in [-1, 1] }. Anything else (not RIFF/WAVE, no 'fmt ' before 'data', other
 * encodings, stereo, truncated chunks) throws an Error that says which.
 */
export function decodeWav(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new Error('wav: bytes must be a Uint8Array');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o) => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('wav: not a RIFF/WAVE file');
  let fmt = null;
  for (let o = 12; o + 8 <= bytes.length; o += 8 + v.getUint32(o + 4, true) + (v.getUint32(o + 4, true) & 1)) {
    const size = v.getUint32(o + 4, true);
    if (tag(o) === 'fmt ') {
      if (size < 16 || o + 24 > bytes.length) throw new Error('wav: truncated fmt chunk');
      fmt = { format: v.getUint16(o + 8, true), channels: v.getUint16(o + 10, true), rate: v.getUint32(o + 12, true), bits: v.getUint16(o + 22, true) };
    } else if (tag(o) === 'data') {
      if (!fmt) throw new Error("wav: the data chunk comes before 'fmt '");
      const { format, channels, rate, bits } = fmt;
      if (channels !== 1) throw new Error(`wav: ${channels} channels, not mono`);
      if (!(rate > 0)) throw new Error('wav: a sample rate of 0');
      if (o + 8 + size > bytes.length) throw new Error(`wav: the data chunk says ${size} bytes, the file has ${bytes.length - o - 8}`);
      const body = bytes.subarray(o + 8, o + 8 + size);
      if (format === 7 && bits === 8) return { rate, samples: Float32Array.from(body, muLaw) };
      if (format === 1 && bits === 16) return { rate, samples: Float32Array.from({ length: size >> 1 }, (_, i) => v.getInt16(o + 8 + 2 * i, true) / 32768) };
      throw new Error(`wav: format ${format} with ${bits} bits; only 8-bit mu-law (7) or 16-bit PCM (1)`);
    }
  }
  throw new Error('wav: no data chunk');
}

// G.711 mu-law byte -> sample in [-1, 1].
function muLaw(u) {
  u = ~u & 255;
  const t = ((((u & 15) << 3) + 0x84) << ((u & 0x70) >> 4)) - 0x84;
  return (u & 0x80 ? -t : t) / 32768;
}

/** Edit distance between two arrays (insertions, deletions, substitutions). */
export function editDistance(a, b) {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/**
 * Raw log-mel frames [T, M] -> model inputs [floor(T / stack), stack * M]:
 * each bin minus the training set's mean over its deviation, `stack`
 * consecutive frames side by side (a trailing partial group is dropped).
 */
export function modelInputs({ shape: [T, M], data }, { mean, std, stack }) {
  const steps = Math.floor(T / stack), out = new Float32Array(steps * stack * M);
  for (let i = 0; i < steps * stack * M; i++) out[i] = (data[i] - mean[i % M]) / std[i % M];
  return { shape: [steps, stack * M], data: out };
}

/** In place: log_softmax of one row of scores. */
export function logSoftmax(z) {
  let max = -Infinity, sum = 0;
  for (const v of z) max = Math.max(max, v);
  for (const v of z) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  for (let k = 0; k < z.length; k++) z[k] -= lse;
  return z;
}

/** A model file: the weights (as `dtype`, F16 by default) and, in the metadata, the spec and the front end. */
export function saveDigitsModel(rnn, model, frontEnd, extra = {}, dtype = 'F16') {
  const tensors = {};
  for (const [name, t] of Object.entries(model.stateDict())) tensors[name] = { ...t, dtype };
  const meta = { model: JSON.stringify(rnn.modelSpec(model)), frontEnd: JSON.stringify(frontEnd), classes: CLASS_NAMES.join(','), ...extra };
  return rnn.safetensors.serialize(tensors, meta);
}

/** Reads a model file: { model (in eval mode), frontEnd, metadata }. */
export function loadDigitsModel(rnn, bytes) {
  const tensors = rnn.safetensors.parse(bytes);
  const meta = tensors.__metadata__ ?? {};
  if (!meta.model || !meta.frontEnd) throw new Error('not a digits model: its metadata has no model spec or front end');
  const model = rnn.buildModel(JSON.parse(meta.model));
  model.loadStateDict(tensors);
  model.eval();
  return { model, frontEnd: JSON.parse(meta.frontEnd), metadata: meta };
}

/**
 * Streaming recognition: push(samples) (16 kHz, any count) runs the log-mel
 * front end, the recurrent stack one step per `stack` frames, the linear head
 * and the CTC stream decoder, and returns what those samples completed:
 * { frames: [Float32Array(M) normalised log-mel], steps: [Float32Array(11)
 * log-posteriors], stable, hypothesis } (digits). model: a Sequential of a
 * recurrent layer and a Linear head.
 */
export class DigitsStream {
  constructor(rnn, model, frontEnd, { beamWidth = 1 } = {}) {
    const [recurrent, head] = model.layers;
    const sd = head.stateDict();
    this.frontEnd = frontEnd;
    this._W = sd.weight.data;
    this._b = sd.bias.data;
    this._hidden = sd.weight.shape[1];
    this._fbank = new rnn.audio.Fbank({ ...frontEnd.fbank, normalize: 'none' });
    this._stream = recurrent.stream({ batch: 1 });
    this._decoder = () => new rnn.ctc.StreamDecoder({ classes: CLASSES, beamWidth });
    this._dec = this._decoder();
    const M = this._fbank.numMelBins;
    this._x = new Float32Array(frontEnd.stack * M);
    this._have = 0;
    this.stable = [];
    this.hypothesis = [];
  }

  push(samples) {
    const { mean, std, stack } = this.frontEnd, M = mean.length;
    const raw = this._fbank.push(samples);
    const frames = [], steps = [];
    for (let t = 0; t < raw.shape[0]; t++) {
      const f = new Float32Array(M);
      for (let m = 0; m < M; m++) f[m] = (raw.data[t * M + m] - mean[m]) / std[m];
      frames.push(f);
      this._x.set(f, this._have * M);
      if (++this._have < stack) continue;
      this._have = 0;
      steps.push(this._step());
    }
    return { frames, steps, stable: this.stable, hypothesis: this.hypothesis };
  }

  // One model step on the stacked frames: the log-posteriors, decoded.
  _step() {
    const h = this._stream.step(this._x), H = this._hidden, z = new Float32Array(CLASSES);
    for (let k = 0; k < CLASSES; k++) {
      let s = this._b[k];
      for (let j = 0; j < H; j++) s += this._W[k * H + j] * h[j];
      z[k] = s;
    }
    logSoftmax(z);
    const { stable, hypothesis } = this._dec.push(z);
    this.stable = digitsOf(stable);
    this.hypothesis = digitsOf(hypothesis);
    return z;
  }

  /** A new utterance: the features, state and decoder start again. */
  reset() {
    this._fbank.reset();
    this._stream.reset();
    this._dec = this._decoder();
    this._have = 0;
    this.stable = [];
    this.hypothesis = [];
  }

  dispose() {
    this._fbank.dispose();
    this._stream.dispose();
  }
}
