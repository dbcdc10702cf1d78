// web-sections.test.mjs - the course page's sections "Variable-length
// sequences" (#lengths), "The sentiment classifier" (#sentiment) and
// "Sequence to sequence" (#seq2seq) in headless Chromium, checked by their
// numbers: packing gives exactly the unpadded final states and padding does
// not; the padding_idx row stays zero with no gradient after training
// steps; the seq2seq section decodes (greedy and beam search) exactly as
// examples/dates.mjs does in Node with the same shipped weights, and its
// step-by-step decoder agrees with greedy(); the pre-trained sentiment
// model's logits equal examples/sentiment.mjs's in Node; the live
// teacher-forcing comparison trains; the code tabs work from the keyboard.
// Screenshots of the three sections (light / dark, desktop / phone) go to
// build/screenshots/. Chromium missing = failure (tests/helpers/browser.mjs).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openPage, useBrowser } from './helpers/browser.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCREENSHOTS = join(ROOT, 'build', 'screenshots');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const DATES_MODEL = 'web/models/dates-seq2seq.safetensors';
const SENTIMENT_MODEL = 'web/models/sentiment-lstm.safetensors';

const env = useBrowser({ dist: ['index.js', 'rnn.wasm', 'trainer-worker.js'], nodeModules: ['uplot/dist/uPlot.esm.js', 'katex/dist/katex.mjs'] });

// Opens /web/ and waits until the page is ready; fn(page); no errors meanwhile.
async function onPage(fn, { viewport = DESKTOP, colorScheme = 'light' } = {}) {
  const { context, page, problems } = await openPage(env.browser, { viewport, colorScheme });
  try {
    await page.goto(new URL('web/', env.server.url).href);
    await page.waitForFunction(() => window.__rnnPage?.ready || window.__rnnPage?.error, null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => window.__rnnPage.error), null, 'the page started');
    await fn(page);
    assert.deepEqual(problems, [], 'no page errors, console errors or failed requests');
  } finally {
    await context.close();
  }
}

const section = (page, name, expr) => page.evaluate(`(async () => { const s = window.__rnnPage.sections[${JSON.stringify(name)}]; return ${expr}; })()`);

test('lengths: packed final states equal the unpadded run bit for bit, padded ones differ; bidirectional per direction', { timeout: 120_000 }, async () => {
  await onPage(async (page) => {
    await section(page, 'lengths', 's.load()');
    const st = await section(page, 'lengths', `(() => { const S = s.state; return { lengths: S.sentences.map((x) => x.ids.length), texts: S.sentences.map((x) => x.text), uni: S.uni.diffs, bi: S.bi.diffs }; })()`);
    assert.deepEqual(st.lengths, [4, 7, 10, 13], 'four real sentences of 4, 7, 10 and 13 tokens');
    for (const t of st.texts) assert.ok(t.length > 10, t);
    const longest = st.lengths.length - 1;
    st.uni.forEach(([d], b) => {
      assert.equal(d.packedState, 0, `sentence ${b}: packed final state = alone, exactly`);
      assert.equal(d.packedOutputs, 0, `sentence ${b}: packed outputs = alone, exactly`);
      if (b === longest) assert.equal(d.paddedState, 0, 'the longest sentence has no pads');
      else assert.ok(d.paddedState > 1e-3, `sentence ${b}: the pads change the final state (${d.paddedState})`);
      assert.equal(d.paddedOutputs, 0, `sentence ${b}: one direction's outputs at the real steps come before the pads`);
    });
    st.bi.forEach(([f, r], b) => {
      for (const d of [f, r]) { assert.equal(d.packedState, 0); assert.equal(d.packedOutputs, 0); }
      assert.equal(f.paddedOutputs, 0, `sentence ${b}: forward outputs at the real steps unaffected`);
      if (b === longest) { assert.equal(r.paddedOutputs, 0); assert.equal(r.paddedState, 0); return; }
      assert.ok(f.paddedState > 1e-3, `sentence ${b}: forward final state changed by the pads`);
      assert.ok(r.paddedOutputs > 1e-2, `sentence ${b}: the reverse direction reads the pads first: all its outputs are off (${r.paddedOutputs})`);
      assert.ok(r.paddedState > 0, `sentence ${b}: the reverse final state too (${r.paddedState})`);
    });
    // the tables show it
    assert.match(await page.getByTestId('len-uni').textContent(), /identical.*off by/);
  });
});

test('lengths: the padding_idx row stays zero and gets no gradient through live training steps', { timeout: 120_000 }, async () => {
  await onPage(async (page) => {
    await section(page, 'lengths', 's.load()');
    const before = await section(page, 'lengths', 'Array.from(s.state.layers.emb.stateDict().weight.data)');
    assert.ok(before.slice(0, 8).every((v) => v === 0), 'row 0 starts at zero');
    for (let i = 0; i < 3; i++) {
      await page.getByTestId('len-train').click();
      await page.waitForFunction((n) => window.__rnnPage.sections.lengths.state.paddingIdx?.steps === n, i + 1);
    }
    const r = await section(page, 'lengths', `(() => { const p = s.state.paddingIdx; const w = s.state.layers.emb.stateDict().weight.data;
      return { steps: p.steps, row0: Array.from(w.subarray(0, 8)), grad0: Array.from(p.grad.subarray(0, 8)), rowZero: p.rowZero, gradZero: p.gradZero,
        moved: p.wordMoved, gradOther: Array.from(p.grad.subarray(8)).some((v) => v !== 0), changed: Array.from(w).filter((v, i) => v !== ${JSON.stringify(before)}[i]).length }; })()`);
    assert.equal(r.steps, 3);
    assert.deepEqual(r.row0, [0, 0, 0, 0, 0, 0, 0, 0], 'row 0 is still zero after three Adam steps');
    assert.deepEqual(r.grad0, [0, 0, 0, 0, 0, 0, 0, 0], 'row 0 got no gradient');
    assert.ok(r.rowZero && r.gradZero);
    assert.ok(r.gradOther && r.moved > 0 && r.changed > 0, 'the other rows did train');
    assert.match(await page.getByTestId('len-padidx-status').textContent(), /3 training steps.*still all zeros/);
  });
});

function nodeDates(texts) {
  const args = ['examples/dates.mjs', '--load', DATES_MODEL];
  for (const t of texts) args.push('--decode', t);
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').map((l) => JSON.parse(l));
}

test('seq2seq: the section decodes as examples/dates.mjs does in Node with the same weights (greedy and beam 3)', { timeout: 120_000 }, async () => {
  const inputs = ['Tuesday, March 5, 1996', 'the 1st of january 2000', '12.10.1975', 'DEC 25, 2049', 'march 2001, day 9', '7/4/76'];
  const node = nodeDates(inputs);
  await onPage(async (page) => {
    for (const [i, text] of inputs.entries()) {
      const r = await section(page, 'seq2seq', `s.decode(${JSON.stringify(text)}, 3)`);
      const n = node[i];
      assert.equal(n.input, text);
      assert.deepEqual(r.greedy.tokens, n.greedy.tokens, `${text}: greedy tokens`);
      assert.equal(r.greedy.text, n.greedy.text);
      assert.equal(r.greedy.logProb, n.greedy.logProb, `${text}: greedy log-probability, bitwise`);
      assert.deepEqual(r.beam.tokens, n.beam.tokens, `${text}: beam tokens`);
      assert.equal(r.beam.logProb, n.beam.logProb, `${text}: beam log-probability`);
      assert.equal(r.beam.score, n.beam.score, `${text}: beam score`);
      assert.deepEqual(r.stepper.tokens, r.greedy.tokens, `${text}: the step-by-step decoder gives greedy's tokens`);
      assert.equal(r.stepper.logProb, r.greedy.logProb, `${text}: and its log-probability`);
      assert.equal(r.agrees, true);
    }
    assert.equal(node[0].greedy.text, '1996-03-05', 'the shipped model is trained');
    // stepping: the diagram shows the steps one by one, the heat map has a row per shown step
    await section(page, 'seq2seq', 's.decode("Tuesday, March 5, 1996", 3)');
    await page.getByTestId('s2s-step').click();   // after update all steps are shown: Step wraps to step 1
    assert.equal(await section(page, 'seq2seq', 's.state.shown'), 1);
    await page.getByTestId('s2s-step').click();
    assert.equal(await section(page, 'seq2seq', 's.state.shown'), 2);
    assert.match(await page.getByTestId('s2s-detail').textContent(), /Step 2: fed 1/);
    assert.match(await page.getByTestId('s2s-attention').getAttribute('aria-label'), /Strongest per row: 1 ← .*; 9 ← /);
    assert.match(await page.getByTestId('s2s-provenance').textContent(), /Pre-trained: 65,935 parameters.*node examples\/dates\.mjs --hidden 64/);
  });
});

test('seq2seq: teacher forcing feeds the correct tokens, free running its own; a fresh model shows the difference; both train live', { timeout: 240_000 }, async () => {
  await onPage(async (page) => {
    await section(page, 'seq2seq', 's.decode("the 1st of january 2000", 3)');
    let f = await section(page, 'seq2seq', 's.state.forcing');
    assert.equal(f.model, 'pretrained');
    assert.equal(f.gold, '2000-01-01');
    assert.equal(f.tfRight, 11);
    assert.equal(f.freeRight, 11);
    await page.getByTestId('s2s-forcing-model').selectOption('untrained');
    f = await section(page, 'seq2seq', 's.state.forcing');
    // BOS (2), then the correct characters '2','0','0','0','-',... (ids 6,4,4,4,14,...)
    assert.deepEqual(f.tfFed, [2, 6, 4, 4, 4, 14, 4, 5, 14, 4, 5], 'teacher forcing feeds BOS and the correct tokens');
    assert.equal(f.freeFed[0], 2);
    assert.notDeepEqual(f.freeFed, f.tfFed, 'free running feeds its own (wrong) predictions');
    assert.ok(f.freeRight < 11 && f.tfRight < 11, 'an untrained model is wrong');
    // train both ways live, 60 steps each
    await page.getByTestId('s2s-train-steps').selectOption('60');
    const workers = [];
    page.on('worker', (w) => workers.push(w.url()));
    await page.getByTestId('s2s-train').click();
    await page.waitForFunction(() => { const t = window.__rnnPage.sections.seq2seq.state.training; return t && !t.running; }, null, { timeout: 200_000 });
    const t = await section(page, 'seq2seq', 's.state.training');
    assert.equal(t.error, undefined);
    assert.ok(Number.isFinite(t.done.forced) && Number.isFinite(t.done.own), JSON.stringify(t));
    assert.ok(t.done.forced < 2.0, `60 teacher-forced steps lower the loss from ln 13 = 2.56 (${t.done.forced})`);
    const tr = await section(page, 'seq2seq', '({ forced: s.state.trained.forced.steps, own: s.state.trained.own.steps })');
    assert.deepEqual(tr, { forced: 60, own: 60 });
    assert.equal(await section(page, 'seq2seq', 's.state.forcing.model'), 'forced');
    assert.match(await page.getByTestId('s2s-train-status').textContent(), /Done: after 60 steps the loss is/);
    // two lab workers (the playground's own may start too: it loads when its section comes near)
    assert.ok(workers.filter((u) => /playground-worker\.js/.test(u)).length >= 2, `trained in two lab workers (${workers})`);
    // the chart has both curves, 60 points each
    const curves = await page.evaluate(() => document.querySelector('[data-testid=s2s-loss-chart] canvas') != null);
    assert.ok(curves, 'the loss chart is drawn');
  });
});

function nodeSentiment(text) {
  const out = execFileSync(process.execPath, ['examples/sentiment.mjs', '--load', SENTIMENT_MODEL, '--text', text], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop());
}

test('sentiment: the pre-trained model answers at once, with the logits examples/sentiment.mjs computes in Node', { timeout: 120_000 }, async () => {
  const texts = ['The battery life is great and it looks wonderful.', 'Terrible service and the food was cold.', 'Not bad at all.', 'zzz qqq'];
  await onPage(async (page) => {
    // typed without any training
    await page.getByTestId('sent-input').fill(texts[0]);
    await page.waitForFunction(() => window.__rnnPage.sections.sentiment.state.result?.text === 'The battery life is great and it looks wonderful.', null, { timeout: 30_000 });
    assert.equal(await page.getByTestId('sent-result').getAttribute('data-label'), 'positive');
    for (const text of texts) {
      const r = await section(page, 'sentiment', `s.classify(${JSON.stringify(text)})`);
      const n = nodeSentiment(text);
      assert.deepEqual(r.ids, n.ids, `${text}: the same token ids`);
      assert.equal(r.logit, n.logit, `${text}: the same logit, bitwise`);
    }
    assert.match(await page.getByTestId('sent-provenance').textContent(), /trained by the project’s own script with “node examples\/sentiment\.mjs/);
    const neg = await section(page, 'sentiment', 's.classify("Terrible service and the food was cold.")');
    assert.ok(neg.p < 0.5, 'a negative sentence is negative');
    // the playground's weights panel reads the same file
    await page.getByTestId('weights-load').setInputFiles(join(ROOT, SENTIMENT_MODEL));
    await page.waitForFunction(() => /Loaded/.test(document.querySelector('[data-testid=weights-status]').textContent), null, { timeout: 30_000 });
    assert.match(await page.getByTestId('weights-status').textContent(), /SentimentLSTM.*104,833 parameters; embed 32, hidden 32, 2 bidirectional layers/);
  });
});

test('sentiment: "Train it here" retrains the model in a worker', { timeout: 240_000 }, async () => {
  await onPage(async (page) => {
    await section(page, 'sentiment', 's.load()');
    await page.getByTestId('sent-epochs').selectOption('3');
    const workers = [];
    page.on('worker', (w) => workers.push(w.url()));
    await page.getByTestId('sent-train').click();
    await page.waitForFunction(() => { const l = window.__rnnPage.sections.sentiment.state.live; return l && !l.running; }, null, { timeout: 200_000 });
    const live = await section(page, 'sentiment', 's.state.live');
    assert.equal(live.error, undefined);
    assert.equal(live.step, 225, '3 epochs of 75 batches');
    assert.ok(live.valAccuracy > 0.4 && live.valAccuracy <= 1, String(live.valAccuracy));
    assert.equal(await section(page, 'sentiment', 's.state.using'), 'live');
    assert.ok(workers.some((u) => /trainer-worker/.test(u)), `trained in a worker (${workers})`);
  });
});

test('code tabs (PyTorch / rnn-wasm) work from the keyboard', { timeout: 60_000 }, async () => {
  await onPage(async (page) => {
    for (const id of ['s2s-code', 'sent-code']) {
      const py = page.getByTestId(`${id}-tab-pytorch`), rw = page.getByTestId(`${id}-tab-rnnwasm`);
      await py.focus();
      assert.equal(await py.getAttribute('aria-selected'), 'true');
      await page.keyboard.press('ArrowRight');
      assert.equal(await rw.getAttribute('aria-selected'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), `${id}-tab-rnnwasm`);
      assert.equal(await page.locator(`#${id}-panel-pytorch`).isHidden(), true);
      assert.match(await page.locator(`#${id}-panel-rnnwasm`).textContent(), /rnn\.models\.(Seq2Seq|SentimentLSTM)/);
      await page.keyboard.press('Home');
      assert.equal(await py.getAttribute('aria-selected'), 'true');
      assert.match(await page.locator(`#${id}-panel-pytorch`).textContent(), /class (Encoder|SentimentLSTM)\(nn\.Module\)/);
    }
  });
});

test('screenshots of the three sections (light and dark, desktop and phone) in build/screenshots/', { timeout: 240_000 }, async (t) => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    for (const scheme of ['light', 'dark']) {
      await onPage(async (page) => {
        await Promise.all(['lengths', 'sentiment', 'seq2seq'].map((n) => section(page, n, 's.load()')));
        await section(page, 'seq2seq', 's.decode("Tuesday, March 5, 1996", 3)');
        await page.waitForFunction(() => window.__rnnPage.sections.sentiment.state.result != null);
        await page.evaluate(() => document.fonts.ready);
        for (const id of ['lengths', 'sentiment', 'seq2seq']) {
          await page.locator(`#${id}`).scrollIntoViewIfNeeded();
          await page.waitForTimeout(150);
          const path = join(SCREENSHOTS, `section-${id}-${label}-${scheme}.png`);
          await page.locator(`#${id}`).screenshot({ path });
          t.diagnostic(`wrote ${path}`);
        }
        // nothing wider than the viewport on the phone
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `no horizontal overflow (${overflow} px)`);
      }, { viewport, colorScheme: scheme });
    }
  }
});
