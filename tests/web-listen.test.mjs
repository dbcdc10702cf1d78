// web-listen.test.mjs - the course page's section "Speech on the device"
// (#listen) in headless Chromium: the microphone path end to end, driven by
// Chromium's fake microphone playing a wav of spoken digits (a held-out test
// clip of scripts/make-digits.mjs, with silence around it): getUserMedia ->
// AudioWorklet -> rnn.audio.Fbank -> LSTM stream -> CTC stream decoder, and
// the text that appears must be the clip's digits. The shipped clips through
// the same path (their buttons) give what Node's DigitsStream
// (shared/digits-core.js, as examples/digits.mjs runs it) gives for the same
// file and weights. Screenshots (light / dark, desktop / phone) go to
// build/screenshots/. Chromium missing = failure (tests/helpers/browser.mjs).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { init } from '../dist/index.js';
import { DigitsStream, decodeWav, editDistance, loadDigitsModel } from '../shared/digits-core.js';
import { coursePageReady, openPage, useBrowser } from './helpers/browser.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'build', 'screenshots');
const MODEL = join(ROOT, 'web/models/digits-lstm.safetensors');
const CLIPS = [['digits-9680.wav', [9, 6, 8, 0]], ['digits-108.wav', [1, 0, 8]], ['digits-3262.wav', [3, 2, 6, 2]]];

// The fake microphone's clip: 3262 (gbclan+m7, pink noise), heard right by the shipped model (run 7 in
// examples/RESULTS.md: 16,000 utterances, some with digital silence around them, 40 epochs, 2.53 % held-out;
// run 6's model, trained without such silence, heard "9 3 2 6 2" here). 9680 (en-029+norbert, white noise: norbert is
// the held-out voice models do worst on, 5.5 % of digits wrong for this one) is decoded right from the file; after
// Chromium's resampling run 3's model heard "5 6 8 0" (one error in four) and run 2's "5 2 8 0".
const MIC = CLIPS[2];
// The fake microphone's file: 16-bit PCM, 0.5 s of silence, the clip, 1.5 s of silence (Chromium loops it).
const tmp = mkdtempSync(join(tmpdir(), 'rnn-listen-'));
const MIC_WAV = join(tmp, 'mic.wav');
{
  const { samples } = decodeWav(new Uint8Array(readFileSync(join(ROOT, 'web/audio', MIC[0]))));
  const x = new Float32Array(8000 + samples.length + 24000);
  x.set(samples, 8000);
  const b = Buffer.alloc(44 + 2 * x.length);
  b.write('RIFF', 0); b.writeUInt32LE(36 + 2 * x.length, 4); b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16); b.writeUInt16LE(1, 20); b.writeUInt16LE(1, 22); b.writeUInt32LE(16000, 24);
  b.writeUInt32LE(32000, 28); b.writeUInt16LE(2, 32); b.writeUInt16LE(16, 34); b.write('data', 36); b.writeUInt32LE(2 * x.length, 40);
  for (let i = 0; i < x.length; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(x[i] * 32768))), 44 + 2 * i);
  writeFileSync(MIC_WAV, b);
}
after(() => rmSync(tmp, { recursive: true, force: true }));

const env = useBrowser({
  dist: ['index.js', 'rnn.wasm'], nodeModules: ['uplot/dist/uPlot.esm.js'],
  args: ['--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${MIC_WAV}`, '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'],
});

async function onListen(fn, { viewport = { width: 1280, height: 900 }, colorScheme = 'light' } = {}) {
  const { context, page, problems } = await openPage(env.browser, { viewport, colorScheme, permissions: ['microphone'] });
  try {
    await page.goto(new URL('web/', env.server.url).href);
    await coursePageReady(page);
    await page.locator('#listen').scrollIntoViewIfNeeded();
    await page.evaluate(() => window.__rnnPage.sections.listen.load());
    await fn(page);
    assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
  } finally {
    await context.close();
  }
}
const listen = (page, expr) => page.evaluate(`(async () => { const s = window.__rnnPage.sections.listen; return ${expr}; })()`);

test('listen: the fake microphone through getUserMedia, the AudioWorklet, the features, the LSTM stream and the CTC decoder gives the clip\'s digits', { timeout: 120_000 }, async (t) => {
  await onListen(async (page) => {
    await page.getByTestId('listen-mic').click();
    await page.waitForFunction(() => window.__rnnPage.sections.listen.state.utterances.length >= 2, null, { timeout: 60_000 });
    const st = await listen(page, 's.state');
    assert.equal(st.running, 'mic');
    assert.equal(await page.getByTestId('listen-mic').getAttribute('aria-pressed'), 'true');
    // The first utterance may start mid-clip (the fake device starts before the worklet); the second is whole.
    // The fake device resamples the file (16 kHz -> its rate -> the context's 16 kHz), so the features are
    // not the file's exactly: as for any new recording, one digit of the four may be wrong (the model's
    // held-out digit error rate is in web/models/README.md).
    t.diagnostic(`heard ${JSON.stringify(st.utterances)} (said ${MIC[1].join(' ')}), ${st.msPerFrame.toFixed(3)} ms per 10 ms frame (fastest 90 %)`);
    const heard = st.utterances[1].split(' ').map(Number);
    assert.ok(editDistance(heard, MIC[1]) <= 1, `heard ${JSON.stringify(st.utterances)}, said ${MIC[1].join(' ')}`);
    assert.ok(st.msPerFrame > 0 && st.msPerFrame < 10, `faster than real time: ${st.msPerFrame} ms per 10 ms frame`);
    assert.match(await page.getByTestId('listen-ms').textContent(), /ms$/);
    await page.getByTestId('listen-mic').click();
    await page.waitForFunction(() => window.__rnnPage.sections.listen.state.running === null);
    assert.equal(await page.getByTestId('listen-mic').getAttribute('aria-pressed'), 'false');
  });
});

test('listen: each shipped clip through the page (its button) decodes as Node\'s DigitsStream does with the same weights', { timeout: 180_000 }, async () => {
  const rnn = await init();
  const { model, frontEnd } = loadDigitsModel(rnn, new Uint8Array(readFileSync(MODEL)));
  const node = CLIPS.map(([file]) => {
    const r = new DigitsStream(rnn, model, frontEnd);
    const { samples } = decodeWav(new Uint8Array(readFileSync(join(ROOT, 'web/audio', file))));
    for (let o = 0; o < samples.length; o += 160) r.push(samples.subarray(o, o + 160));
    r.dispose();
    return r.hypothesis;
  });
  await onListen(async (page) => {
    assert.deepEqual(await listen(page, 's.state.clips'), CLIPS.map(([, d]) => d));
    for (let i = 0; i < CLIPS.length; i++) {
      assert.deepEqual(await listen(page, `s.decodeClip(${i})`), node[i], `clip ${i}: the page's offline decode = Node's`);
      const before = (await listen(page, 's.state.utterances')).length;
      await page.getByTestId(`listen-clip-${i}`).click();
      await page.waitForFunction((n) => { const s = window.__rnnPage.sections.listen.state; return s.running === null && s.utterances.length > n; }, before, { timeout: 30_000 });
      const heard = (await listen(page, 's.state.utterances')).at(-1);
      assert.equal(heard, node[i].join(' '), `clip ${i} played in real time = Node's decode`);
    }
    // the shipped clips are held-out test clips: the model gets them right
    assert.deepEqual(node, CLIPS.map(([, d]) => d), 'the shipped model recognises its shipped clips');
  });
});

test('listen: screenshots, light / dark, desktop / phone', { timeout: 180_000 }, async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [name, viewport] of [['desktop', { width: 1280, height: 900 }], ['mobile', { width: 390, height: 844 }]]) {
    for (const colorScheme of ['light', 'dark']) {
      await onListen(async (page) => {
        await page.getByTestId('listen-clip-0').click();
        await page.waitForFunction(() => window.__rnnPage.sections.listen.state.running === null && window.__rnnPage.sections.listen.state.utterances.length, null, { timeout: 30_000 });
        await page.locator('#listen').screenshot({ path: join(SCREENSHOTS, `listen-${name}-${colorScheme}.png`) });
      }, { viewport, colorScheme });
    }
  }
});
