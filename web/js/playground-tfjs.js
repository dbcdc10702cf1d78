// playground-tfjs.js - the weights panel's TensorFlow.js side: load a TF.js
// / Keras LayersModel (model.json + its .bin shards, chosen together, or the
// sentiment model trained in TF.js of tests/fixtures/tfjs_sentiment), say
// what it is, and draw the gates of its recurrent cells over a sequence, as
// the engine computes them (LayersModel.gateTaps).
import { TFJS_SENTIMENT_EXPECTED, TFJS_SENTIMENT_MODEL, TFJS_SENTIMENT_WEIGHTS } from './paths.js';
import { colorOf, scaleFor } from './heatmap.js';
import { el, int, palette } from './util.js';

const GATE_NAMES = {
  LSTM: { i: 'input gate i', f: 'forget gate f', g: 'candidate g', o: 'output gate o', c: 'cell c', h: 'hidden h' },
  GRU: { r: 'reset gate r', z: 'update gate z', n: 'candidate n', h: 'hidden h' },
  RNN_TANH: { h: 'hidden h' },
  RNN_RELU: { h: 'hidden h' },
};

// One heat map: units (rows) x the first `steps` steps (columns) of [B, T, H] row b.
function heatmap(t, b, kind, steps) {
  const [, T0, H] = t.shape;
  const T = Math.min(steps, T0);
  const cell = 8, canvas = el('canvas', { width: T * cell, height: H * cell, class: 'tfjs-gate-map' });
  canvas.style.width = `${Math.min(T * cell, 480)}px`;
  const ctx = canvas.getContext('2d');
  const scale = scaleFor(kind, palette().dark);
  for (let s = 0; s < T; s++) {
    for (let u = 0; u < H; u++) {
      ctx.fillStyle = colorOf(t.data[(b * T0 + s) * H + u], scale);
      ctx.fillRect(s * cell, u * cell, cell, cell);
    }
  }
  return canvas;
}

// A sample input for the model: ids 1, 2, ... (an Embedding first) or sine waves.
function sampleInput(model) {
  const [, T0, F0] = model.inputShape ?? [];
  const T = T0 ?? 24;
  if (model.layers[0].className === 'Embedding') {
    const V = model.ops[0].module.numEmbeddings;
    return { shape: [1, T], data: Int32Array.from({ length: T }, (_, t) => 1 + (t % Math.max(1, V - 1))) };
  }
  const F = F0 ?? 1;
  return { shape: [1, T, F], data: Float32Array.from({ length: T * F }, (_, k) => Math.sin(0.3 * Math.floor(k / F) + k % F)) };
}

/**
 * The gates of every recurrent layer of `model` over x (batch row b), as
 * figures. With mask_zero, the real steps run packed (first) and only they are drawn.
 */
export function gateFigures(model, x, b = 0) {
  const layers = model.gateTaps(x);
  const T = x.shape[1];
  const masked = model.ops[0].maskZero;
  const steps = masked ? x.data.slice(b * T, (b + 1) * T).filter((v) => v !== 0).length : T;
  return layers.map(({ name, className, taps }) => el('div', { class: 'tfjs-gates', 'data-testid': 'tfjs-gates' },
    el('p', { class: 'small' }, el('strong', {}, name), ` (${className}, ${taps[0].h.shape[2]} units${taps.length > 1 ? ', forward direction' : ''}): units top to bottom, ${steps} steps left to right; gates from 0 (dark) to 1 (bright), the rest from −1 (blue) to 1 (red).`),
    el('div', { class: 'tfjs-gate-grid' }, Object.entries(GATE_NAMES[layers.find((l) => l.name === name).cell]).map(([k, label]) =>
      el('figure', {}, heatmap(taps[0][k], b, ['i', 'f', 'o', 'r', 'z'].includes(k) ? 'gate' : 'diverging', steps), el('figcaption', { class: 'small muted' }, label))))));
}

function summary(model, what) {
  return [
    el('span', { class: 'ok' }, 'Loaded '),
    `${what}: a TensorFlow.js LayersModel of ${model.layers.length} layers (${model.layers.map((l) => l.className).join(' → ')}), ${int(model.numParams)} parameters, now an rnn-wasm model that can be trained further here. `,
    ...(model.warnings.length ? [el('span', { class: 'bad' }, `Warnings: ${model.warnings.join('; ')}. `)] : []),
  ];
}

/** files: a model.json and its .bin shards. Returns the loaded model (the caller disposes the previous one). */
export async function loadTfjsFiles(rnn, files, show) {
  const model = await rnn.loadLayersModel(files);
  const json = files.find((f) => f.name.endsWith('.json'));
  show(...summary(model, json.name), el('p', { class: 'small muted' }, 'The gates below are computed by the engine over a sample sequence (ids 1, 2, 3, … or sine waves).'), ...gateFigures(model, sampleInput(model)));
  return model;
}

/**
 * The sentiment model trained in TF.js (tests/fixtures/make_tfjs_sentiment_fixture.mjs):
 * its test accuracy here next to TF.js's, and the gates over one test sentence.
 */
export async function loadTfjsSentiment(rnn, show) {
  // each file by its own URL (the site build renames them): model.json's shard path is given its bytes
  const get = (url) => fetch(url).then((r) => { if (!r.ok) throw new Error(`HTTP ${r.status} for ${url}`); return r.arrayBuffer(); });
  const [json, weights, expected] = await Promise.all([get(TFJS_SENTIMENT_MODEL), get(TFJS_SENTIMENT_WEIGHTS),
    get(TFJS_SENTIMENT_EXPECTED).then((b) => JSON.parse(new TextDecoder().decode(b)))]);
  const model = await rnn.loadLayersModel({ modelJson: new Uint8Array(json), weights: { 'model.weights.bin': new Uint8Array(weights) } });
  const { ids, labels, probs, accuracy } = expected.test;
  const n = labels.length, T = expected.T;
  const p = model.forward({ shape: [n, T], data: Int32Array.from(ids) }).data;
  let correct = 0, worst = 0;
  for (let k = 0; k < n; k++) {
    correct += (p[k] > 0.5) === (labels[k] > 0.5) ? 1 : 0;
    worst = Math.max(worst, Math.abs(p[k] - probs[k]));
  }
  const info = { accuracy: correct / n, tfjsAccuracy: accuracy, maxDiff: worst };
  show(...summary(model, 'tfjs_sentiment/model.json'),
    el('span', { class: worst <= 2e-5 ? 'ok' : 'bad' }, `Test accuracy here ${(100 * info.accuracy).toFixed(1)}%, in TF.js ${(100 * accuracy).toFixed(1)}% (${n} sentences; largest difference in a probability ${worst.toExponential(1)}).`),
    el('p', { class: 'small muted' }, 'Trained in TF.js on the UCI sentences (tests/fixtures/make_tfjs_sentiment_fixture.mjs); a recorded model, loaded and run live. The gates below are over the first test sentence\u2019s words (its padding is masked and skipped).'),
    ...gateFigures(model, { shape: [1, T], data: Int32Array.from(ids.slice(0, T)) }));
  return { model, info };
}
