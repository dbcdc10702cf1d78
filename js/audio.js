// audio.js - the speech front-end: log-mel filterbank features (src/fbank.c,
// Kaldi's fbank as torchaudio.compliance.kaldi.fbank computes it) of a whole
// clip (rnn.audio.fbank) or of a stream, frame by frame as samples arrive
// (new rnn.audio.Fbank(...).push), with optional normalisation: per
// utterance (each mel bin to mean 0, variance 1 over the clip) or running
// (exponential moving mean and variance, for streams). Each takes the engine
// (core) first; rnn.audio binds them to one.
import { RnnError } from './errors.js';
import { WasmHandle } from './handle.js';
import { checkKnown, intOption, numOption } from './options.js';

const WINDOWS = { povey: 0, hann: 1, hamming: 2 };
const FBANK_OPTIONS = ['sampleRate', 'frameLength', 'frameShift', 'numMelBins', 'window', 'lowFreq', 'highFreq',
  'preemphasis', 'removeDcOffset', 'logFloor', 'normalize', 'decay'];

// Samples as Float32Array: a Float32Array, an array of numbers or another typed array.
function samplesOf(x, what) {
  if (x instanceof Float32Array) return x;
  if (Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView))) return Float32Array.from(x);
  throw new RnnError('INVALID_ARGUMENT', `${what}: samples must be a Float32Array (or an array of numbers), got ${x === null ? 'null' : typeof x}`);
}

/** Streaming log-mel features; options as fbank's (normalize 'none' or 'running'). */
export class Fbank extends WasmHandle {
  constructor(core, opts = {}) {
    const what = 'Fbank';
    checkKnown(opts ?? {}, FBANK_OPTIONS, what);
    opts = opts ?? {};
    const rate = intOption(opts, 'sampleRate', what, { min: 1000, max: 384000, def: 16000 });
    // Kaldi (and torchaudio) truncate rate * ms * 0.001 to whole samples
    const ms = (name, def) => numOption(opts, name, what, { min: 0, minExclusive: true, def });
    const len = Math.trunc(rate * ms('frameLength', 25) * 0.001), shift = Math.trunc(rate * ms('frameShift', 10) * 0.001);
    const bins = intOption(opts, 'numMelBins', what, { min: 1, max: 1024, def: 40 });
    const window = opts.window ?? 'povey';
    if (!(window in WINDOWS)) throw new RnnError('INVALID_ARGUMENT', `${what}: 'window' must be 'povey', 'hann' or 'hamming', got ${JSON.stringify(window)}`);
    const low = numOption(opts, 'lowFreq', what, { min: 0, def: 20 });
    const high = numOption(opts, 'highFreq', what, { def: 0 });
    const pre = numOption(opts, 'preemphasis', what, { min: 0, max: 1, def: 0.97 });
    const dc = opts.removeDcOffset ?? true;
    if (typeof dc !== 'boolean') throw new RnnError('INVALID_ARGUMENT', `${what}: 'removeDcOffset' must be true or false, got ${dc}`);
    const floor = numOption(opts, 'logFloor', what, { min: 0, minExclusive: true, def: 1.1920928955078125e-7 });
    const normalize = opts.normalize ?? 'none';
    if (!['none', 'running', 'utterance'].includes(normalize)) {
      throw new RnnError('INVALID_ARGUMENT', `${what}: 'normalize' must be 'none', 'running' (streams) or 'utterance' (rnn.audio.fbank), got ${JSON.stringify(normalize)}`);
    }
    const decay = numOption(opts, 'decay', what, { min: 0, max: 1, maxExclusive: true, def: 0.995 });
    const ptr = core.outPointer(what, (out) => core.x.rnn_fbank_new(rate, len, shift, bins, WINDOWS[window], low, high, pre, dc ? 1 : 0, floor, out));
    super(core, ptr, 'rnn_fbank_destroy', what);
    Object.assign(this, { sampleRate: rate, frameLength: len, frameShift: shift, numMelBins: bins, normalize, decay });
    this._mean = null;
    this._var = null;
  }

  /** Frames of a whole clip: [frames, numMelBins] (edges snipped; not normalised, not the stream's state). */
  compute(samples) {
    const core = this._core, f = this._live();
    const x = samplesOf(samples, 'Fbank.compute');
    const frames = core.x.rnn_fbank_frames(f, x.length), n = frames * this.numMelBins;
    return core.withBlock(4 * (x.length + n), 'Fbank.compute buffers', (p) => {
      core.f32(p, x.length).set(x);
      core.check(core.x.rnn_fbank_compute(f, p, x.length, p + 4 * x.length), 'Fbank.compute');
      return { shape: [frames, this.numMelBins], data: core.f32(p + 4 * x.length, n).slice() };
    });
  }

  /** The frames the next samples of the stream complete: [k, numMelBins] (k may be 0). */
  push(samples) {
    const core = this._core, f = this._live();
    const x = samplesOf(samples, 'Fbank.push');
    const max = Math.floor((x.length + this.frameLength) / this.frameShift) + 1, room = max * this.numMelBins;
    const out = core.withBlock(8 + 4 * (x.length + room), 'Fbank.push buffers', (p) => {
      const px = p + 8, po = px + 4 * x.length;
      core.f32(px, x.length).set(x);
      core.check(core.x.rnn_fbank_push(f, px, x.length, po, max, p), 'Fbank.push');
      const k = core.u32(p, 1)[0];
      return { shape: [k, this.numMelBins], data: core.f32(po, k * this.numMelBins).slice() };
    });
    if (this.normalize === 'running') this._running(out.data);
    return out;
  }

  /** Starts a new stream (samples pending and the running statistics dropped). */
  reset() {
    this._core.x.rnn_fbank_reset(this._live());
    this._mean = this._var = null;
  }

  // In place: each bin minus its moving mean, over its moving deviation.
  _running(data) {
    const M = this.numMelBins, d = this.decay;
    for (let o = 0; o < data.length; o += M) {
      if (!this._mean) {
        this._mean = Float64Array.from(data.subarray(o, o + M));
        this._var = new Float64Array(M).fill(1);
      }
      for (let m = 0; m < M; m++) {
        const v = data[o + m], mu = d * this._mean[m] + (1 - d) * v;
        this._var[m] = d * this._var[m] + (1 - d) * (v - mu) ** 2;
        this._mean[m] = mu;
        data[o + m] = (v - mu) / Math.sqrt(this._var[m] + 1e-5);
      }
    }
  }
}

/**
 * Log-mel features of a whole clip, [frames, numMelBins]. Options (Kaldi's
 * and torchaudio's names in brackets): sampleRate 16000, frameLength 25 and
 * frameShift 10 (ms), numMelBins 40, window 'povey' | 'hann' | 'hamming',
 * lowFreq 20, highFreq 0 (Hz; <= 0 counts down from the Nyquist frequency),
 * preemphasis 0.97, removeDcOffset true, logFloor (float32 epsilon),
 * normalize 'none' | 'utterance'.
 */
export function fbank(core, samples, opts = {}) {
  const normalize = opts?.normalize ?? 'none';
  if (normalize === 'running') throw new RnnError('INVALID_ARGUMENT', "fbank: 'running' normalisation is for streams (new rnn.audio.Fbank(...).push); use 'utterance' or 'none' for a clip");
  const f = new Fbank(core, opts);
  try {
    const out = f.compute(samples);
    if (normalize === 'utterance') normalizeUtterance(out);
    return out;
  } finally {
    f.dispose();
  }
}

// In place: each mel bin to mean 0 and variance 1 over the frames.
function normalizeUtterance({ shape: [T, M], data }) {
  for (let m = 0; m < M; m++) {
    let s = 0, s2 = 0;
    for (let t = 0; t < T; t++) s += data[t * M + m];
    const mu = s / Math.max(T, 1);
    for (let t = 0; t < T; t++) s2 += (data[t * M + m] - mu) ** 2;
    const sd = Math.sqrt(s2 / Math.max(T, 1)) || 1; // a constant bin stays 0
    for (let t = 0; t < T; t++) data[t * M + m] = (data[t * M + m] - mu) / sd;
  }
}
