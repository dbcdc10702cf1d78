// playground-use.js - the playground's "use the model" panels, one per
// task: classify a typed sentence (sentiment), sample text with the stream
// API (character LM), stream the sensor through the forecaster and flag
// surprises (anomaly), spell a word's phonemes with greedy decoding (g2p).
// Each reads the task's current model from the playground's state S and
// records what it showed there (S.sentiment, S.sample, S.anomaly, S.g2p).
import { ForecastDetector, evaluateAlarms } from '../../shared/anomaly-core.js';
import { int8Switch } from './int8-switch.js';
import { anomalyChart as makeAnomalyChart } from './playground-charts.js';
import { SENTENCES } from './playground-tasks.js';
import { $, debounce, el, int, nextFrame } from './util.js';

/** Shows a sentiment verdict in `out`: p = p(positive), tokens, unknown words, a note on the model. */
export function showSentiment(out, { p, tokens, unknown, note }) {
  const pos = p >= 0.5;
  out.textContent = '';
  out.dataset.label = pos ? 'positive' : 'negative';
  out.dataset.p = p.toFixed(6);
  out.append(
    el('span', { class: `verdict ${pos ? 'pos' : 'neg'}` }, `${pos ? 'Positive' : 'Negative'} · ${(100 * (pos ? p : 1 - p)).toFixed(1)}%`),
    el('span', { class: 'meter', role: 'img', 'aria-label': `probability positive ${p.toFixed(2)}` }, el('i', { style: `left:${(p * 100).toFixed(1)}%` })),
    el('span', { class: 'sub' }, `p(positive) = ${p.toFixed(3)} · ${tokens} tokens${unknown ? `, ${unknown} not in the vocabulary` : ''} · ${note}`),
  );
}

/**
 * Wires the panels. S: the playground's state; prepare(task): its prepared
 * dataset. Returns refreshUse() (re-run the current task's prediction) and
 * sentimentExamples(examples) (the example chips, once).
 */
export function setupUse({ rnn, S, prepare }) {
  function refreshUse() {
    if (S.task === 'sentiment') predictSentiment();
    if (S.task === 'g2p') predictG2p();
  }

  // Sentiment: type a sentence.
  const sentimentInput = $('#sentiment-input'), sentimentOut = $('#sentiment-result');
  function predictSentiment() {
    const m = S.models.sentiment;
    const text = sentimentInput.value;
    if (!m) { sentimentOut.textContent = 'Loading…'; return; }
    const vocab = rnn.data.WordVocab.fromJSON(m.vocab);
    const ids = vocab.encode(text);
    if (!ids.length) {
      sentimentOut.textContent = 'Type a sentence.';
      S.sentiment = null;
      return;
    }
    m.model.eval();
    const logit = m.model.forward({ shape: [1, ids.length], data: ids }, { lengths: [ids.length] }).data[0];
    const p = 1 / (1 + Math.exp(-logit));
    const unknown = ids.filter((i) => i === rnn.data.UNK_ID).length;
    S.sentiment = { text, p, logit, tokens: ids.length, unknown, trained: m.trained || m.source === 'file' };
    showSentiment(sentimentOut, { p, tokens: ids.length, unknown, note: S.sentiment.trained ? (m.source === 'file' ? 'loaded model' : `trained for ${int(m.steps)} steps`) : 'untrained model: press Train' });
  }
  sentimentInput.addEventListener('input', debounce(predictSentiment, 120));
  function sentimentExamples(examples = []) {
    const box = $('#sentiment-examples');
    if (box.childElementCount) return;
    for (const s of [...SENTENCES, ...examples.map((e) => e.text)].slice(0, 8)) {
      box.append(el('button', { type: 'button', class: 'chip', onclick: () => { sentimentInput.value = s; predictSentiment(); } }, s));
    }
  }

  // Character LM: sample text with the stream API.
  const sampleOut = $('#sample-out'), sampleBtn = $('#sample-go'), temp = $('#sample-temp');
  const tempOut = document.querySelector('output[for="sample-temp"]');
  const showTemp = () => { tempOut.textContent = Number(temp.value).toFixed(2); };
  temp.addEventListener('input', showTemp); showTemp();
  sampleBtn.addEventListener('click', async () => {
    const m = S.models.charlm;
    if (!m || S.sample?.running) return;
    const vocab = rnn.data.CharVocab.fromJSON(m.vocab);
    const [emb, cell, lin] = m.model.layers;
    const prompt = $('#sample-prompt').value || '\n';
    const s = cell.stream({ batch: 1 });
    const H = cell.outputSize, V = vocab.size, h = new Float32Array(H);
    const T = Number(temp.value);
    const feed = (id) => {
      s.step(emb.forward([id]).data, h);
      return lin.forward({ shape: [1, H], data: h }).data;
    };
    S.sample = { running: true, text: '' };
    sampleBtn.disabled = true;
    sampleOut.textContent = '';
    sampleOut.append(el('span', { class: 'prompt' }, prompt));
    const gen = document.createTextNode('');
    sampleOut.append(gen);
    try {
      let logits = null;
      for (const id of vocab.encode(prompt)) logits = feed(id);
      for (let n = 0; n < 400;) {
        for (let k = 0; k < 16 && n < 400; k++, n++) {
          // softmax with temperature; '<pad>' and '<unk>' never sampled
          let mx = -Infinity;
          for (let v = 2; v < V; v++) mx = Math.max(mx, logits[v] / T);
          let z = 0;
          const p = new Float64Array(V);
          for (let v = 2; v < V; v++) { p[v] = Math.exp(logits[v] / T - mx); z += p[v]; }
          let u = Math.random() * z, id = V - 1;
          for (let v = 2; v < V; v++) { u -= p[v]; if (u <= 0) { id = v; break; } }
          S.sample.text += vocab.tokens[id];
          logits = feed(id);
        }
        gen.textContent = S.sample.text;
        await nextFrame();
      }
    } finally {
      s.dispose();
      S.sample.running = false;
      sampleBtn.disabled = false;
    }
  });

  // Anomalies: stream the sensor through the model, flag surprises.
  const threshold = $('#anomaly-threshold');
  const thOut = document.querySelector('output[for="anomaly-threshold"]');
  const showTh = () => { thOut.textContent = Number(threshold.value).toFixed(1); };
  threshold.addEventListener('input', () => { showTh(); if (S.anomaly && !S.anomaly.running) drawAnomaly(); });
  showTh();
  let anomalyChart = null;
  async function ensureAnomalyChart() {
    if (anomalyChart) return anomalyChart;
    anomalyChart = await makeAnomalyChart($('#anomaly-chart'), () => S.anomaly?.ds ?? null);
    return anomalyChart;
  }

  function drawAnomaly() {
    const a = S.anomaly;
    const n = a.detector.done;
    const r = evaluateAlarms(a.detector.score, Number(threshold.value), a.ds, { to: n });
    a.flags = r.alarms; a.inside = r.inside; a.windowsHit = r.windowsHit;
    const flags = Array.from(a.detector.score.subarray(0, n), (s, t) => (s > Number(threshold.value) ? a.ds.raw[t] : null));
    const time = Array.from(a.ds.time.subarray(0, n));
    const { mean, std } = a.ds;
    anomalyChart.setData([time, Array.from(a.ds.raw.subarray(0, n)), Array.from(a.detector.pred.subarray(0, n), (v, i) => (i === 0 ? null : v * std + mean)), flags], false);
    anomalyChart.plot.setScale('x', { min: a.ds.time[0], max: a.ds.time[a.ds.time.length - 1] });
    $('#anomaly-status').textContent = `${int(n)} of ${int(a.ds.time.length)} readings streamed · ${r.alarms} flagged, ${r.inside} of them inside a labelled window (${r.windowsHit} of ${a.ds.windows.length} windows found)${a.trained ? '' : ' · untrained model: press Train first'}.`;
  }

  // int8: the sensor streams through the model's int8 form; training keeps float32
  const anomalyInt8 = int8Switch($('#anomaly-int8'), {
    rnn, testid: 'anomaly-int8', keep: false,
    target: () => S.models.anomaly && { model: S.models.anomaly.model, layer: S.models.anomaly.model.layers[0] },
  });
  $('#anomaly-go').addEventListener('click', () => anomalyInt8.withWeights(streamSensor));
  async function streamSensor() {
    const m = S.models.anomaly;
    if (!m || S.anomaly?.running) return;
    const ds = await prepare('anomaly');
    await ensureAnomalyChart();
    const [cell, head] = m.model.layers;
    const detector = new ForecastDetector({ cell, head, series: ds.series, nTrain: ds.nTrain });
    const a = { running: true, ds, detector, trained: m.trained || m.source === 'file' };
    S.anomaly = a;
    $('#anomaly-go').disabled = true;
    try {
      const perFrame = 48;
      while (detector.advance(perFrame) < ds.series.length) {
        drawAnomaly();
        await nextFrame();
      }
      drawAnomaly();
    } finally {
      detector.dispose();
      a.running = false;
      $('#anomaly-go').disabled = false;
    }
  }

  // Seq2seq: spell a word, hear its phonemes.
  const g2pInput = $('#g2p-input'), g2pOut = $('#g2p-result');
  function predictG2p() {
    const m = S.models.g2p;
    if (!m) return;
    const word = g2pInput.value.trim().toLowerCase().replace(/[^a-z']/g, '');
    if (!word) { g2pOut.textContent = 'Type a word.'; return; }
    const src = rnn.data.CharVocab.fromJSON(m.vocab.src);
    m.model.eval();
    const [r] = m.model.greedy([src.encode(word)], { maxLength: 24 });
    const phones = [...r.tokens].map((id) => m.vocab.tgt[id]).join(' ');
    S.g2p = { word, phones, trained: m.trained || m.source === 'file' };
    g2pOut.textContent = '';
    g2pOut.append(phones || '∅', el('span', { class: 'sub' }, `${word} → ARPAbet (greedy decoding) · ${S.g2p.trained ? 'trained model' : 'untrained model: press Train'}`));
  }
  g2pInput.addEventListener('input', debounce(predictG2p, 150));

  return { refreshUse, sentimentExamples };
}
