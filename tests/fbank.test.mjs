// rnn.audio.fbank against torchaudio.compliance.kaldi.fbank
// (tests/fixtures/make_fbank_fixture.py): log-mel values within 1e-3 on
// tones, chirps at int16 scale, 40 / 80 / 23 bins, Povey / Hann / Hamming,
// frequency limits, 8 kHz, clips shorter than a frame; on both builds. The
// stream (Fbank.push, any chunk sizes) gives the clip's frames bit for bit;
// normalisation; bad options are clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../dist/index.js';
import { BACKENDS, lcg, loadFixture, throwsCode } from './helpers/util.mjs';

const fx = loadFixture('fbank.json');

for (const backend of BACKENDS) {
  test(`audio.fbank equals torchaudio's kaldi.fbank to 1e-3 (${backend.name})`, async () => {
    const rnn = await init({ simd: backend.simd });
    for (const c of fx.cases) {
      const got = rnn.audio.fbank(Float32Array.from(c.samples.data), c.options);
      assert.deepEqual(got.shape, c.fbank.shape, `${c.name}: shape`);
      let worst = 0;
      for (let i = 0; i < got.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - c.fbank.data[i]));
      assert.ok(worst <= 1e-3, `${c.name}: max |rnn-wasm - torchaudio| = ${worst}`);
    }
  });
}

test('Fbank.push: a stream in chunks of any size gives the whole clip\'s frames bit for bit; reset starts over', async () => {
  const rnn = await init();
  const c = fx.cases[1];
  const x = Float32Array.from(c.samples.data);
  const f = new rnn.audio.Fbank(c.options);
  const whole = f.compute(x);
  const rand = lcg(3);
  for (const sizes of [[1], [160], [399, 1], [1000], null]) {
    f.reset();
    const frames = [];
    let o = 0, i = 0;
    while (o < x.length) {
      const n = sizes ? sizes[i++ % sizes.length] : 1 + Math.floor((rand() + 0.5) * 700);
      const out = f.push(x.subarray(o, Math.min(x.length, o + n)));
      assert.equal(out.shape[1], f.numMelBins);
      frames.push(out.data);
      o += n;
    }
    const all = Float32Array.from(frames.flatMap((d) => Array.from(d)));
    assert.deepEqual(all, whole.data, `chunks ${sizes ?? 'random'}`);
  }
  f.dispose();
});

test('normalisation: per utterance each bin has mean 0 and variance 1; running tracks a stream', async () => {
  const rnn = await init();
  const c = fx.cases[0];
  const x = Float32Array.from(c.samples.data);
  const u = rnn.audio.fbank(x, { ...c.options, normalize: 'utterance' });
  const [T, M] = u.shape;
  for (let m = 0; m < M; m++) {
    let s = 0, s2 = 0;
    for (let t = 0; t < T; t++) s += u.data[t * M + m];
    for (let t = 0; t < T; t++) s2 += (u.data[t * M + m] - s / T) ** 2;
    assert.ok(Math.abs(s / T) < 1e-5 && Math.abs(s2 / T - 1) < 1e-3, `bin ${m}: mean ${s / T}, variance ${s2 / T}`);
  }
  const f = new rnn.audio.Fbank({ ...c.options, normalize: 'running', decay: 0.9 });
  const r = f.push(x);
  assert.deepEqual(r.shape, u.shape);
  const tail = r.data.subarray((T - 10) * M);
  assert.ok(tail.every(Number.isFinite) && Math.max(...tail.map(Math.abs)) < 10, 'running-normalised frames are finite and bounded');
  f.dispose();
});

test('audio.fbank: bad options and samples are clear errors', async () => {
  const rnn = await init();
  const x = new Float32Array(1000);
  throwsCode(() => rnn.audio.fbank(x, { window: 'blackman' }), 'INVALID_ARGUMENT', /'window' must be 'povey', 'hann' or 'hamming'/);
  throwsCode(() => rnn.audio.fbank(x, { sampleRate: 100 }), 'INVALID_ARGUMENT', /sampleRate/);
  throwsCode(() => rnn.audio.fbank(x, { numMelBins: 0 }), 'INVALID_ARGUMENT', /numMelBins/);
  throwsCode(() => rnn.audio.fbank(x, { lowFreq: 9000 }), 'INVALID_ARGUMENT', /lowFreq < highFreq <= 8000/);
  throwsCode(() => rnn.audio.fbank(x, { frameShift: 30 }), 'INVALID_ARGUMENT', /frame shift 480 is not in \[1, frame length 400\]/);
  throwsCode(() => rnn.audio.fbank(x, { normalize: 'running' }), 'INVALID_ARGUMENT', /for streams/);
  throwsCode(() => rnn.audio.fbank(x, { hop: 10 }), 'INVALID_ARGUMENT', /unknown option 'hop'/);
  throwsCode(() => rnn.audio.fbank('abc'), 'INVALID_ARGUMENT', /samples must be a Float32Array/);
  const f = new rnn.audio.Fbank();
  f.dispose();
  throwsCode(() => f.push(x), 'DISPOSED', /Fbank/);
});
