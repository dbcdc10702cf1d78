// The examples (examples/*.mjs) run as child processes in small
// configurations, and their final key=value line is checked: what the
// examples claim at full size (examples/RESULTS.md) holds in miniature.
//  - adding problem at T = 30 (T = 100 takes ~10 CPU minutes): LSTM and GRU
//    reach test MSE < 0.01, the vanilla RNN does not (it stays near the
//    0.167 of predicting the mean) — the property, at a smaller T
//    where a few CPU seconds suffice; a higher learning rate (1e-2) shortens
//    the LSTM's plateau (it solves the task by ~600 steps on every seed tried);
//  - sentiment: a small SentimentLSTM beats chance on the held-out test split;
//  - charlm: 150 TBPTT steps take the validation loss well below log(V) and a
//    sample of the requested length is printed;
//  - int8 (--int8, issue 21): the validation loss within +0.02 nats/char, the
//    anomaly detector flags the same windows with false alarms within 10%, the
//    shipped sentiment model's test accuracy within 0.5 points; the same
//    under --experimental-wasm-relaxed-simd (the relaxed build's int8: 7-bit
//    activations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFinalLine } from '../examples/common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(script, args, timeoutMs = 150_000, nodeFlags = []) {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeFlags, `examples/${script}`, ...args], { cwd: root, timeout: timeoutMs, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`${script} ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`));
        const lines = stdout.trimEnd().split('\n');
        resolve({ stdout, final: parseFinalLine(lines.at(-1)), lastLine: lines.at(-1) });
      });
  });
}

test('adding problem (T = 30): LSTM and GRU reach test MSE < 0.01, the vanilla RNN does not', async () => {
  const { final, lastLine } = await run('adding.mjs', [
    '--T', '30', '--steps', '1000', '--hidden', '32', '--batch', '32', '--lr', '0.01',
    '--test-size', '1000', '--val-size', '200', '--eval-every', '250',
  ]);
  assert.equal(final.cell, 'all', lastLine);
  for (const k of ['lstm_test_mse', 'gru_test_mse', 'rnn_test_mse', 'baseline_mse', 'steps', 'seconds']) {
    assert.equal(typeof final[k], 'number', `${k} in ${lastLine}`);
  }
  assert.equal(final.steps, 1000);
  assert.ok(Math.abs(final.baseline_mse - 1 / 6) < 0.02, lastLine);
  assert.ok(final.lstm_test_mse < 0.01, `LSTM did not learn: ${lastLine}`);
  assert.ok(final.gru_test_mse < 0.01, `GRU did not learn: ${lastLine}`);
  assert.ok(final.rnn_test_mse > 0.05, `the vanilla RNN was expected to fail: ${lastLine}`);
  assert.ok(final.rnn_test_mse > 10 * Math.max(final.lstm_test_mse, final.gru_test_mse), lastLine);
});

test('sentiment: a small SentimentLSTM beats chance on the test split; --save writes it with its vocabulary (compact), --load reads it back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-wasm-sentiment-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'm.safetensors');
  const { final, lastLine } = await run('sentiment.mjs', [
    '--epochs', '6', '--runs', '1', '--embed', '32', '--hidden', '32', '--lr', '0.003', '--save', file,
  ]);
  for (const k of ['test_acc', 'val_acc', 'epochs', 'seconds']) assert.equal(typeof final[k], 'number', `${k} in ${lastLine}`);
  assert.equal(final.epochs, 6);
  assert.ok(final.test_acc > 0.6, `test accuracy not above chance: ${lastLine}`);
  assert.ok(final.val_acc > 0.6, lastLine);
  const bytes = readFileSync(file);
  const vocab = JSON.parse(JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString()).__metadata__.vocab);
  assert.equal(typeof vocab.words, 'string', 'the words joined by spaces (examples/common.mjs vocabJSON)');
  const back = await run('sentiment.mjs', ['--load', file]);
  assert.equal(back.final.test_acc.toFixed(4), final.test_acc.toFixed(4), `${back.lastLine} against ${lastLine}`);
});

test('sentiment: the shipped model (web/models) with int8 weights keeps its test accuracy within 0.5 points', async () => {
  const { final, lastLine } = await run('sentiment.mjs', ['--load', 'web/models/sentiment-lstm.safetensors', '--int8']);
  assert.equal(final.test_acc, 0.7867, `the shipped model's float32 test accuracy (web/models/README.md): ${lastLine}`);
  assert.ok(Math.abs(final.test_acc_int8 - final.test_acc) <= 0.005, lastLine);
});

test('charlm: a short TBPTT run takes the validation loss well below log(V) and samples', async () => {
  const { stdout, final, lastLine } = await run('charlm.mjs', [
    '--steps', '150', '--embed', '32', '--hidden', '64', '--sample', '200', '--val-batch', '32', '--progress-every', '50', '--int8',
  ]);
  assert.ok(final.val_loss_int8 <= final.val_loss + 0.02, `int8 validation loss: ${lastLine}`);
  for (const k of ['val_loss', 'steps', 'seconds', 'sample_chars']) assert.equal(typeof final[k], 'number', `${k} in ${lastLine}`);
  assert.equal(final.steps, 150);
  assert.ok(final.val_loss < 3.0, `val_loss ${final.val_loss} not well below log(67) = ${Math.log(67).toFixed(2)}: ${lastLine}`);
  assert.equal(final.sample_chars, 200);
  const m = stdout.match(/\n----\n([\s\S]*)\n----\n/);
  assert.ok(m, 'the sample is printed between ---- lines');
  assert.ok(m[1].startsWith('ROMEO:\n'), 'the sample starts with the prime');
  assert.equal([...m[1]].length, 'ROMEO:\n'.length + 200);
});

test('anomaly: the LSTM forecaster streamed over NAB finds the labelled windows with fewer false alarms than a rolling z-score', async () => {
  const { stdout, final, lastLine } = await run('anomaly.mjs', ['--int8']);
  assert.equal(final.int8_hit, final.hit, `int8 flags other windows: ${lastLine}`);
  assert.ok(Math.abs(final.int8_false_alarms - final.false_alarms) <= 0.1 * final.false_alarms, `int8 false alarms: ${lastLine}`);
  for (const k of ['windows_hit', 'false_alarms', 'points_per_s', 'baseline_windows_hit', 'baseline_false_alarms', 'val_mse']) {
    assert.equal(typeof final[k], 'number', `${k} in ${lastLine}`);
  }
  assert.equal(final.windows, 4, lastLine);
  assert.ok(final.windows_hit >= 3, `the forecaster found only ${final.windows_hit} of 4 windows: ${lastLine}`);
  assert.ok(final.heldout_windows_hit >= 1, `no window found after the training part: ${lastLine}`);
  assert.ok(final.windows_hit >= final.baseline_windows_hit, lastLine);
  assert.ok(final.false_alarms < final.baseline_false_alarms, lastLine);
  assert.ok(final.points_per_s > 1000, lastLine);
  assert.match(stdout, /streamed 7565 points/);
});

test('int8 in the relaxed build (7-bit activations, under its flag): sentiment within 0.5 points, NAB the same windows with false alarms within 10%, char-LM within +0.02 nats', async (t) => {
  const flags = ['--experimental-wasm-relaxed-simd'];
  const { final: s, lastLine: sl } = await run('sentiment.mjs', ['--load', 'web/models/sentiment-lstm.safetensors', '--int8'], 150_000, flags);
  assert.ok(Math.abs(s.test_acc_int8 - s.test_acc) <= 0.005, sl);
  const { final: a, lastLine: al } = await run('anomaly.mjs', ['--int8'], 150_000, flags);
  assert.equal(a.int8_hit, a.hit, `int8 flags other windows: ${al}`);
  assert.ok(Math.abs(a.int8_false_alarms - a.false_alarms) <= 0.1 * a.false_alarms, `int8 false alarms: ${al}`);
  const { final: c, lastLine: cl } = await run('charlm.mjs', ['--steps', '150', '--embed', '32', '--hidden', '64', '--sample', '20', '--val-batch', '32', '--int8'], 150_000, flags);
  assert.ok(c.val_loss_int8 <= c.val_loss + 0.02, `int8 validation loss: ${cl}`);
  t.diagnostic(`sentiment ${s.test_acc} -> ${s.test_acc_int8}; NAB ${a.hit} / ${a.false_alarms} -> ${a.int8_hit} / ${a.int8_false_alarms}; char-LM ${c.val_loss} -> ${c.val_loss_int8}`);
});

test('anomaly-core: rolling z-score equals the direct formula; alarms are scored against windows', async () => {
  const { rollingZScore, evaluateAlarms } = await import('../shared/anomaly-core.js');
  const raw = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i / 7) * 3 + (i === 250 ? 40 : 0) + (i % 11) / 10);
  const W = 24;
  const z = rollingZScore(raw, W);
  for (let t = 0; t < raw.length; t++) {
    if (t < W) { assert.equal(z[t], 0); continue; }
    const prev = Array.from(raw.subarray(t - W, t));
    const mean = prev.reduce((s, v) => s + v, 0) / W;
    const sd = Math.sqrt(prev.reduce((s, v) => s + (v - mean) ** 2, 0) / W);
    assert.ok(Math.abs(z[t] - Math.abs(raw[t] - mean) / sd) < 1e-3 * (1 + z[t]), `t=${t}`);
  }
  const windowOf = new Int16Array(300).fill(-1);
  for (let t = 240; t <= 260; t++) windowOf[t] = 0;
  for (let t = 100; t <= 110; t++) windowOf[t] = 1;
  const r = evaluateAlarms(z, 5, { windows: [[240, 260], [100, 110]], windowOf });
  assert.ok(z[250] > 5);
  assert.deepEqual(r.hit, [0]);
  assert.equal(r.windowsHit, 1);
  assert.equal(r.alarms, r.inside + r.falseAlarms);
  assert.equal(evaluateAlarms(z, 5, { windows: [[240, 260], [100, 110]], windowOf }, { from: 200 }).windows, 1);
});

test('digits: make-digits.mjs speaks and mixes a tiny set (espeak-ng, sox), and digits.mjs trains the CTC recogniser on it end to end', async () => {
  const { mkdtempSync, readdirSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(`${tmpdir()}/rnn-digits-`);
  try {
    await new Promise((resolve, reject) => execFile(process.execPath, ['scripts/make-digits.mjs', `--out=${dir}`, '--train=24', '--valid=6', '--test=6', '--seed=3', '--lead=0.5'],
      { cwd: root, timeout: 150_000 }, (err, _out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve())));
    const train = JSON.parse(readFileSync(`${dir}/train.json`, 'utf8')), test = JSON.parse(readFileSync(`${dir}/test.json`, 'utf8'));
    assert.equal(readdirSync(`${dir}/train`).length, 24);
    assert.ok(train.every((u) => u.digits.length >= 1 && u.digits.length <= 7));
    const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
    assert.ok(train.every((u) => u.text.split(' ').every((w, i) => w === WORDS[u.digits[i]] || (w === 'oh' && u.digits[i] === 0)) && u.text.split(' ').length === u.digits.length), 'the text is the digits\' words (a zero is "zero" or "oh")');
    const voices = new Set(train.map((u) => u.voice));
    const valid = JSON.parse(readFileSync(`${dir}/valid.json`, 'utf8')), testVoices = new Set(test.map((u) => u.voice));
    assert.ok(test.every((u) => !voices.has(u.voice) && u.snr === 10), 'test voices are held out, at 10 dB');
    assert.ok(valid.length === 6 && valid.every((u) => !voices.has(u.voice) && !testVoices.has(u.voice) && u.snr === 10), 'validation voices are held out from both, at 10 dB');
    // --lead: some training clips start and end with exact zeros (digital silence); the held-out ones never do
    const { decodeWav } = await import('../shared/digits-core.js');
    const silent = train.filter((u) => u.silence[0] || u.silence[1]);
    assert.ok(silent.length >= 4 && silent.length < 24, `some training clips have silence: ${silent.length}`);
    assert.ok([...valid, ...test].every((u) => u.silence[0] === 0 && u.silence[1] === 0));
    for (const u of silent) {
      const { samples } = decodeWav(new Uint8Array(readFileSync(`${dir}/train/${u.file}`))), [before, after] = u.silence;
      assert.ok(before === 0 || (before >= 1600 && before <= 16000), `silence of 0.1-1 s: ${before}`);
      assert.ok(samples.subarray(0, before).every((x) => x === 0) && samples.subarray(samples.length - after).every((x) => x === 0), `${u.file}: zeros before and after`);
      assert.ok(samples[before] !== 0 || samples[before + 1] !== 0, `${u.file}: the noisy clip starts where the silence ends`);
    }
    const { final, lastLine } = await run('digits.mjs', ['--data', dir, '--epochs', '2', '--hidden', '16', '--layers', '1']);
    for (const k of ['der', 'valid_der', 'best_epoch', 'rtf', 'test_utts']) assert.equal(typeof final[k], 'number', `${k} in ${lastLine}`);
    assert.equal(final.test_utts, 6);
    assert.ok(final.rtf > 0 && final.rtf < 1, `streaming recognition runs faster than real time: ${lastLine}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
