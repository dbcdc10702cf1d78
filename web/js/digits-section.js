// digits-section.js - section "Speech on the device": the pre-trained digit
// recogniser of examples/digits.mjs listening to the microphone, frame by
// frame: getUserMedia -> an AudioWorklet that posts the samples -> 16 kHz ->
// shared/digits-core.js's DigitsStream (rnn.audio.Fbank, LSTM stream.step,
// the head, rnn.ctc.StreamDecoder). The shipped clips take the same path
// (an AudioBufferSourceNode instead of the microphone), so the browser test
// can drive it with Chromium's fake microphone. Draws the scrolling
// spectrogram, the per-step posteriors, the text as it stabilises, and the
// milliseconds the engine spends per 10 ms of audio.
import { CLASSES, DigitsStream, decodeWav, loadDigitsModel } from '../../shared/digits-core.js';
import { scaleFor } from './heatmap.js';
import { DIGITS_CLIPS, DIGITS_MODEL } from './paths.js';
import { $, el, fitCanvas, int, num, onThemeChange, palette, whenNear } from './util.js';

const RATE = 16000;
const SHOWN_FRAMES = 400; // 4 s of 10 ms frames on screen
const END_STEPS = 25; // 0.75 s of blank ends an utterance (and restarts the stream's state)
const BLANK_SURE = Math.log(0.9);

// The AudioWorklet: posts its input's first channel in blocks of 30 ms (the
// model's step) at the context's rate. A Blob module: no file for the build.
const WORKLET = `
class RnnCapture extends AudioWorkletProcessor {
  constructor() { super(); this.buf = new Float32Array(Math.round(sampleRate * 0.03)); this.n = 0; }
  process(inputs) {
    const x = inputs[0] && inputs[0][0];
    if (x) for (let i = 0; i < x.length; i++) {
      this.buf[this.n++] = x[i];
      if (this.n === this.buf.length) { this.port.postMessage(this.buf.slice()); this.n = 0; }
    }
    return true;
  }
}
registerProcessor('rnn-capture', RnnCapture);
`;

// Linear resampling of a stream to 16 kHz (when the audio context will not
// run at 16 kHz: Firefox connects a microphone only at the device's rate).
function resampler(from) {
  if (from === RATE) return (x) => x;
  const step = from / RATE;
  let pos = 0, last = 0;
  return (x) => {
    const out = [];
    for (; pos < x.length; pos += step) {
      const i = Math.floor(pos), f = pos - i;
      out.push((i === 0 ? last : x[i - 1]) * (1 - f) + x[i] * f);
    }
    pos -= x.length;
    last = x[x.length - 1];
    return Float32Array.from(out);
  };
}

export async function setup({ rnn }) {
  const S = {
    rec: null, frontEnd: null, meta: null, clips: [], running: null, utterances: [], steps: 0,
    frames: new Float32Array(SHOWN_FRAMES * 40), frameCount: 0, post: [], ms: 0, audioMs: 0, perFrame: [], error: null,
  };
  const specCanvas = $('#listen-spec'), postCanvas = $('#listen-post'), caption = $('#listen-caption');
  const micBtn = $('#listen-mic');

  let loaded = null;
  const load = () => loaded ??= (async () => {
    const [model, ...clips] = await Promise.all([DIGITS_MODEL, ...DIGITS_CLIPS.map((c) => c.url)].map(async (url) => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
      return new Uint8Array(await res.arrayBuffer());
    }));
    const m = loadDigitsModel(rnn, model);
    S.model = m.model;
    S.frontEnd = m.frontEnd;
    S.meta = m.metadata;
    S.clips = clips.map((bytes, i) => ({ ...DIGITS_CLIPS[i], ...decodeWav(bytes) }));
    S.rec = new DigitsStream(rnn, S.model, S.frontEnd);
    const der = Number(S.meta.testDigitErrorRate);
    $('#listen-der').textContent = `${num(100 * der, 2)}`;
    $('#listen-model-size').textContent = `${int(model.length / 1024)} KB, pre-trained`;
    const lstm = S.model.layers[0];
    $('#listen-state').textContent = `${int(lstm.numLayers * 2 * lstm.hiddenSize)} floats`; // h and c of each layer
    const box = $('#listen-clips');
    S.clips.forEach((c, i) => box.append(el('button', { type: 'button', class: 'button', 'data-testid': `listen-clip-${i}`, onclick: () => playClip(i) }, c.digits.join(' '))));
    caption.textContent = `Ready: press Listen (the browser asks for the microphone), or play a clip. ${describe()}`;
    draw();
  })().catch((e) => { S.error = e; caption.textContent = `Could not load the model: ${e.message}`; throw e; });
  whenNear($('#listen'), () => load().catch(() => {}));

  // ---- the recognition path, shared by the microphone and the clips ---------
  function onSamples(x) {
    const t0 = performance.now();
    const { frames, steps } = S.rec.push(x);
    const ms = performance.now() - t0;
    S.ms += ms;
    S.audioMs += (x.length / RATE) * 1000;
    // per 10 ms frame, each 30 ms block: the fastest 90 % of the last 100 blocks is what we show (the
    // slowest tenth are the times the tab waited for a core or collected garbage)
    S.perFrame.push((ms * 10) / ((x.length / RATE) * 1000));
    if (S.perFrame.length > 100) S.perFrame.shift();
    const M = 40;
    for (const f of frames) {
      S.frames.copyWithin(0, M);
      S.frames.set(f, (SHOWN_FRAMES - 1) * M);
      S.frameCount++;
    }
    for (const z of steps) {
      S.post.push(z);
      if (S.post.length > SHOWN_FRAMES / 3) S.post.shift();
      S.steps++;
      S.silent = z[0] > BLANK_SURE ? (S.silent ?? 0) + 1 : 0;
      if (S.silent >= END_STEPS) endUtterance();
    }
    scheduleDraw();
  }

  // A pause: what was heard becomes a line of the history and the stream
  // starts again (the model was trained on utterances, not hours of sound).
  function endUtterance() {
    const heard = S.rec.hypothesis;
    if (heard.length) {
      S.utterances.push(heard.join(' '));
      $('#listen-history').prepend(el('li', {}, heard.join(' ')));
      while ($('#listen-history').children.length > 5) $('#listen-history').lastChild.remove();
    }
    S.rec.reset();
    S.silent = 0;
  }

  async function start(kind, clip) {
    await load();
    await stop();
    const run = { kind, clip, ctx: null, stream: null, source: null, node: null };
    S.running = run;
    try {
      let ctx = new AudioContext({ sampleRate: RATE });
      let source;
      if (kind === 'mic') {
        run.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
        try {
          source = ctx.createMediaStreamSource(run.stream);
        } catch {
          await ctx.close(); // a context at 16 kHz cannot take this microphone: run at its rate, resample
          ctx = new AudioContext();
          source = ctx.createMediaStreamSource(run.stream);
        }
      } else {
        const buffer = ctx.createBuffer(1, clip.samples.length, clip.rate);
        buffer.copyToChannel(clip.samples, 0);
        source = new AudioBufferSourceNode(ctx, { buffer });
        source.connect(ctx.destination); // the reader hears it too
        source.onended = () => setTimeout(() => { if (S.running === run) stop(); }, 300);
      }
      run.ctx = ctx;
      const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
      try { await ctx.audioWorklet.addModule(url); } finally { URL.revokeObjectURL(url); }
      const to16k = resampler(ctx.sampleRate);
      run.node = new AudioWorkletNode(ctx, 'rnn-capture', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [1] });
      run.node.port.onmessage = (e) => { if (S.running === run) onSamples(to16k(e.data)); };
      source.connect(run.node);
      run.node.connect(ctx.destination); // its output is silence; the connection keeps it pulled
      run.source = source;
      S.rec.reset();
      S.silent = 0;
      S.ms = S.audioMs = 0;
      S.perFrame = [];
      if (kind === 'clip') source.start();
      await ctx.resume();
      micBtn.setAttribute('aria-pressed', String(kind === 'mic'));
      micBtn.textContent = kind === 'mic' ? 'Stop listening' : 'Listen';
      caption.textContent = kind === 'mic'
        ? `Listening at ${int(ctx.sampleRate)} Hz${ctx.sampleRate === RATE ? '' : ', resampled to 16 kHz'}: say a few digits, then pause.`
        : `Playing a test clip (${clip.voice} at 10 dB SNR: a voice never heard in training) through the same path as the microphone.`;
    } catch (e) {
      S.running = null;
      run.stream?.getTracks().forEach((t) => t.stop());
      await run.ctx?.close();
      caption.textContent = kind === 'mic' ? `No microphone: ${e.message}. The clips take the same path.` : `Could not play the clip: ${e.message}`;
      if (kind !== 'mic') throw e;
    }
  }

  async function stop() {
    const run = S.running;
    if (!run) return;
    S.running = null;
    endUtterance();
    run.stream?.getTracks().forEach((t) => t.stop());
    try { run.source?.disconnect(); run.node?.disconnect(); } catch { /* already gone */ }
    await run.ctx?.close();
    micBtn.setAttribute('aria-pressed', 'false');
    micBtn.textContent = 'Listen';
    caption.textContent = describe();
    scheduleDraw();
  }

  const playClip = (i) => start('clip', S.clips[i]);
  micBtn.addEventListener('click', () => (S.running?.kind === 'mic' ? stop() : start('mic')));

  // ---- drawing --------------------------------------------------------------
  let pending = false;
  function scheduleDraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; draw(); });
  }

  // The mean of the fastest nine tenths (a block is 0.1-1 ms, near the timer's resolution: a median would be one tick).
  function typicalPerFrame() {
    if (!S.perFrame.length) return null;
    const fast = [...S.perFrame].sort((a, b) => a - b).slice(0, Math.max(1, Math.ceil(S.perFrame.length * 0.9)));
    return fast.reduce((a, v) => a + v, 0) / fast.length;
  }

  // The numbers behind the two canvases, for their caption.
  function describe() {
    const last = S.utterances.at(-1), z = S.post.at(-1);
    const now = z ? ` The last step: P(blank) ${Math.exp(z[0]).toFixed(2)}.` : '';
    return `${(S.audioMs / 1000).toFixed(1)} s of audio, ${int(S.steps)} steps of 30 ms so far; ${S.audioMs ? `${num(typicalPerFrame(), 3)} ms of engine time per 10 ms frame (the fastest 90 % of the last 100 blocks of 30 ms; all: ${num(S.ms / (S.audioMs / 10), 3)})` : 'no engine time yet'}; ${last ? `last heard: ${last}` : 'nothing heard yet'}.${now}`;
  }

  function draw() {
    const p = palette(), scale = scaleFor('gate', p.dark);
    // spectrogram: one column per 10 ms frame, values -2.5..2.5 on the colour map
    {
      const { ctx, w, h } = fitCanvas(specCanvas), M = 40;
      const img = new ImageData(SHOWN_FRAMES, M); // transparent where no frame has come yet
      for (let t = Math.max(0, SHOWN_FRAMES - S.frameCount); t < SHOWN_FRAMES; t++) {
        for (let m = 0; m < M; m++) {
          const v = Math.max(0, Math.min(255, Math.round((S.frames[t * M + m] + 2.5) / 5 * 255)));
          const k = ((M - 1 - m) * SHOWN_FRAMES + t) * 4;
          img.data.set(scale.map.subarray(v * 3, v * 3 + 3), k);
          img.data[k + 3] = 255;
        }
      }
      const off = new OffscreenCanvas(SHOWN_FRAMES, M);
      off.getContext('2d').putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(off, 0, 0, w, h);
    }
    // posteriors: per step, a bar of 1 - P(blank), the likeliest digit's label when it is the argmax
    {
      const { ctx, w, h } = fitCanvas(postCanvas), n = SHOWN_FRAMES / 3, bw = w / n, top = 16;
      ctx.strokeStyle = p.grid;
      ctx.beginPath(); ctx.moveTo(0, h - 0.5); ctx.lineTo(w, h - 0.5); ctx.moveTo(0, top + 0.5); ctx.lineTo(w, top + 0.5); ctx.stroke();
      ctx.font = '600 12px system-ui, sans-serif';
      ctx.textAlign = 'center';
      const off = n - S.post.length;
      let prev = 0;
      S.post.forEach((z, i) => {
        let best = 1;
        for (let k = 2; k < CLASSES; k++) if (z[k] > z[best]) best = k;
        const speech = 1 - Math.exp(z[0]), x = (off + i) * bw;
        ctx.fillStyle = z[best] > z[0] ? p.lstm : p.faint;
        ctx.fillRect(x, h - speech * (h - top), Math.max(1, bw - 0.5), speech * (h - top));
        const arg = z[best] > z[0] ? best : 0;
        if (arg && arg !== prev) { ctx.fillStyle = p.ink; ctx.fillText(String(arg - 1), x + bw / 2, 12); }
        prev = arg;
      });
    }
    const stable = S.rec?.stable ?? [], hyp = S.rec?.hypothesis ?? [];
    // while a stream runs, its stable digits and its guess; after it, the last utterance heard
    const last = S.running ? null : S.utterances.at(-1);
    $('#listen-stable').textContent = hyp.length ? stable.join(' ') : last ?? '';
    $('#listen-guess').textContent = hyp.slice(stable.length).map((d) => ` ${d}`).join('');
    $('#listen-idle').textContent = hyp.length || last ? '' : S.running ? '…' : 'nothing yet';
    if (S.audioMs) {
      const perFrame = typicalPerFrame();
      $('#listen-ms').textContent = `${num(perFrame, 3)} ms`;
      $('#listen-rtf').textContent = `${int(10 / perFrame)}× faster`;
    }
    $('#listen-steps').textContent = int(S.steps);
  }
  onThemeChange(draw);
  draw();

  // For tests: recognise a clip offline (no audio, no real time), as Node does.
  function decodeClip(i) {
    const r = new DigitsStream(rnn, S.model, S.frontEnd);
    try {
      const x = S.clips[i].samples;
      for (let o = 0; o < x.length; o += 160) r.push(x.subarray(o, o + 160));
      return r.hypothesis;
    } finally { r.dispose(); }
  }

  return {
    load, start, stop, playClip, decodeClip,
    get state() { return { utterances: [...S.utterances], steps: S.steps, running: S.running?.kind ?? null, msPerFrame: typicalPerFrame(), msPerFrameMean: S.audioMs ? S.ms / (S.audioMs / 10) : null, clips: S.clips.map((c) => c.digits) }; },
  };
}
