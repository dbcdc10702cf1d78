// playground.js - section 5: pick a task and a cell, train in a Web Worker
// (rnn.createTrainer; seq2seq in the page's own lab worker), watch the loss,
// use the model, download / load its weights as safetensors, load a model
// trained in PyTorch.
import { ForecastDetector, evaluateAlarms } from '../../shared/anomaly-core.js';
import { chart } from './charts.js';
import { PYTORCH_LOGITS, PYTORCH_MODEL, dataFile } from './paths.js';
import { $, $$, debounce, download, el, int, nextFrame, num, palette, seconds } from './util.js';

const TASKS = {
  sentiment: {
    url: dataFile('sentiment/uci/sentences.tsv'), loss: 'bce', metrics: ['accuracy'], tbptt: false,
    metric: ['Val. acc.', (r) => (r.valAccuracy == null ? null : `${(100 * r.valAccuracy).toFixed(1)}%`)],
    unit: ['sentences/s', 1], cells: ['RNN', 'LSTM', 'GRU'], defaults: { hidden: 32, epochs: 4, lr: '0.005' },
    desc: (i) => `Is a review sentence positive or negative? ${i ? `${int(i.sentences)} sentences from Amazon, IMDb and Yelp (UCI): ${int(i.train)} to train on, ${int(i.val)} held out; a vocabulary of ${int(i.vocabSize)} words.` : 'UCI review sentences from Amazon, IMDb and Yelp.'}`,
    arch: (c, h) => `Embedding(32) → ${c}(${h}) → last state → Linear → p(positive)`,
  },
  charlm: {
    url: dataFile('text/tinyshakespeare/tinyshakespeare.txt'), loss: 'crossEntropy', metrics: [], tbptt: true,
    metric: ['Val. loss', (r) => (r.valLoss == null ? null : num(r.valLoss, 4))],
    unit: ['chars/s', 64], cells: ['RNN', 'LSTM', 'GRU'], defaults: { hidden: 64, epochs: 2, lr: '0.005' },
    desc: (i) => `Write like Shakespeare, one character at a time. ${i ? `${int(i.train)} characters of Tiny Shakespeare to learn from (${i.vocabSize - 2} distinct), ` : ''}truncated BPTT over chunks of 64 characters that carry the state from chunk to chunk.`,
    arch: (c, h) => `Embedding(32) → ${c}(${h}) → Linear → next character`,
  },
  anomaly: {
    url: dataFile('timeseries/nab/machine_temperature_system_failure.csv'), loss: 'mse', metrics: [], tbptt: true,
    metric: ['Val. MSE', (r) => (r.valLoss == null ? null : num(r.valLoss, 3))],
    unit: ['readings/s', 32], cells: ['RNN', 'LSTM', 'GRU'], defaults: { hidden: 32, epochs: 30, lr: '0.005' },
    desc: (i) => `An industrial machine's temperature sensor (Numenta Anomaly Benchmark)${i ? `: ${int(i.rows)} readings every 5 minutes, averaged to ${i.minutes}-minute steps` : ''}. The network learns to forecast the next reading on the first 40%; then the whole series streams through it and readings far from the forecast are flagged.`,
    arch: (c, h) => `${c}(${h}) → Linear → next reading`,
  },
  g2p: {
    url: dataFile('seq2seq/cmudict-g2p/g2p.tsv'), loss: 'crossEntropy', metrics: ['accuracy'], tbptt: false,
    metric: ['Val. acc.', (r) => (r.valAccuracy == null ? null : `${(100 * r.valAccuracy).toFixed(1)}%`)],
    unit: ['words/s', 1], cells: ['LSTM', 'GRU'], defaults: { hidden: 64, epochs: 3, lr: '0.005' },
    desc: (i) => `Spelling to sound: an encoder–decoder (rnn.models.Seq2Seq, dot attention) reads a word's letters and writes its ARPAbet phonemes${i ? `; ${int(i.words)} CMUdict words, ${int(i.val)} held out` : ''}. Trained in this page's own worker with rnn.fit.`,
    arch: (c, h) => `Seq2Seq: ${c}(${h}) encoder → attention → ${c}(${h}) decoder`,
  },
};

const SENTENCES = ['I love this phone, the screen is gorgeous.', 'Terrible service and the food was cold.', 'Not bad at all.', 'I would not recommend it to anyone.'];

// ---- the lab worker: data preparation and seq2seq training --------------
class Lab {
  constructor() {
    this.worker = new Worker(new URL('./lab-worker.js', import.meta.url), { type: 'module' });
    this.n = 0;
    this.pending = new Map();
    this.worker.addEventListener('message', (e) => {
      const m = e.data, p = this.pending.get(m.id);
      if (!p) return;
      if (m.event) { p.onEvent?.(m); return; }
      this.pending.delete(m.id);
      if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
      else p.resolve(m.result);
    });
    this.worker.addEventListener('error', (e) => {
      e.preventDefault?.();
      for (const p of this.pending.values()) p.reject(new Error(`the lab worker failed: ${e.message || 'it could not be loaded'}`));
      this.pending.clear();
    });
  }

  call(msg, onEvent) {
    const id = ++this.n;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.worker.postMessage({ ...msg, id });
    });
  }

  control(action) { this.worker.postMessage({ type: 'control', action, id: 0 }); }
  terminate() { this.worker.terminate(); }
}

/** The library Trainer's interface, for seq2seq training in a lab worker. */
class G2pTrainer {
  constructor(url, options, stateDict) {
    this.lab = new Lab();
    this.listeners = { progress: new Set() };
    this.status = 'running';
    this.done = this.lab.call({ type: 'train-g2p', url, options, stateDict }, (m) => {
      if (m.event === 'progress') for (const fn of this.listeners.progress) fn(m.record);
      if (m.event === 'info') this.info = m.info;
    }).finally(() => { this.status = 'done'; this.lab.terminate(); });
  }

  on(event, fn) { this.listeners[event]?.add(fn); return this; }
  pause() { this.lab.control('pause'); this.status = 'paused'; return Promise.resolve(); }
  resume() { this.lab.control('resume'); this.status = 'running'; return Promise.resolve(); }
  cancel() { this.lab.control('cancel'); return this.done; }
}

export async function setup({ rnn }) {
  const lab = new Lab();
  const ui = {
    tasks: $$('[data-task]'), cells: $$('[data-cell]'), hidden: $('#pg-hidden'), layers: $('#pg-layers'),
    epochs: $('#pg-epochs'), lr: $('#pg-lr'), start: $('#train-start'), pause: $('#train-pause'), stop: $('#train-stop'),
    loss: $('#train-loss'), step: $('#train-step'), metric: $('#train-metric'), metricLabel: $('#train-metric-label'),
    rate: $('#train-rate'), progress: $('#train-progress'), status: $('#train-status'), taskDesc: $('#task-desc'),
    modelDesc: $('#model-desc'), weightsStatus: $('#weights-status'),
  };

  const S = {
    task: 'sentiment', cell: 'LSTM',
    data: {},           // task -> Promise of the prepared dataset (batches are re-requested per run)
    models: {},         // task -> { model, spec, vocab, extra, steps, cell, hidden, layers }
    trainer: null, training: false, paused: false,
    run: null,          // the current / last run: { task, steps, loss, ema, val, first, last, startedAt, ... }
    lastSave: null, lastLoad: null, pytorch: null, anomaly: null, sample: null, sentiment: null, g2p: null,
  };

  // ---- data -------------------------------------------------------------
  function prepare(task, { fresh = false } = {}) {
    if (task === 'g2p') {
      if (!S.data.g2p) S.data.g2p = lab.call({ type: 'g2p-vocab', url: TASKS.g2p.url }).then((r) => ({ info: { words: r.words, train: r.train, val: r.val }, src: r.src, tgt: r.tgt }));
      return S.data.g2p;
    }
    if (fresh) return lab.call({ type: 'prepare', task, url: TASKS[task].url });
    S.data[task] ??= lab.call({ type: 'prepare', task, url: TASKS[task].url });
    return S.data[task];
  }

  // ---- models -----------------------------------------------------------
  function arch() {
    return { cell: S.cell, hidden: Number(ui.hidden.value), layers: Number(ui.layers.value) };
  }

  function makeModel(task, { cell, hidden, layers }, ds) {
    const rec = (inputSize) => new rnn[cell]({ inputSize, hiddenSize: hidden, numLayers: layers, batchFirst: true, seed: 2 });
    switch (task) {
      case 'sentiment': {
        const V = ds.vocab.words.length + 2;
        return new rnn.Sequential([
          new rnn.Embedding({ numEmbeddings: V, embeddingDim: 32, paddingIdx: 0, seed: 1 }), rec(32),
          new rnn.Pool({ mode: 'final' }), new rnn.Linear({ inFeatures: hidden, outFeatures: 1, seed: 3 }),
        ]);
      }
      case 'charlm': {
        const V = ds.vocab.chars.length + 2;
        return new rnn.Sequential([
          new rnn.Embedding({ numEmbeddings: V, embeddingDim: 32, seed: 1 }), rec(32),
          new rnn.Linear({ inFeatures: hidden, outFeatures: V, seed: 3 }),
        ]);
      }
      case 'anomaly':
        return new rnn.Sequential([rec(1), new rnn.Linear({ inFeatures: hidden, outFeatures: 1, seed: 3 })]);
      case 'g2p':
        return new rnn.models.Seq2Seq(g2pConfig(ds, { cell, hidden, layers }));
      default: throw new Error(`unknown task ${task}`);
    }
  }

  const g2pConfig = (ds, { cell, hidden, layers }) => ({
    srcVocab: ds.src.chars.length + 2, tgtVocab: ds.tgt.length, embedDim: 32, hiddenDim: hidden, numLayers: layers,
    cell: cell.toLowerCase(), attention: 'dot', bosId: 2, eosId: 3, seed: 1,
  });

  function specOf(task, entry) {
    return task === 'g2p' ? { type: 'Seq2Seq', ...entry.config } : rnn.modelSpec(entry.model);
  }

  async function freshModel(task = S.task) {
    const ds = await prepare(task);
    if (task !== S.task) return null;
    const a = arch();
    const old = S.models[task];
    if (old && old.cell === a.cell && old.hidden === a.hidden && old.layers === a.layers) return old;
    if (old && S.trainer && S.run?.task === task) return old; // never under a running trainer
    old?.model.dispose();
    const model = makeModel(task, a, ds);
    const entry = {
      task, model, ...a, steps: 0, trained: false, source: 'new',
      vocab: task === 'g2p' ? { src: ds.src, tgt: ds.tgt } : ds.vocab,
      extra: task === 'anomaly' ? { mean: ds.mean, std: ds.std } : null,
      config: task === 'g2p' ? g2pConfig(ds, a) : null,
    };
    S.models[task] = entry;
    describeModel();
    return entry;
  }

  function describeModel() {
    const m = S.models[S.task];
    const t = TASKS[S.task];
    const a = m ?? arch();
    const params = m ? `${int(m.model.numParams)} parameters` : '';
    const state = !m ? '' : m.source === 'file' ? ` · loaded from ${m.fileName}` : m.trained ? ` · trained for ${int(m.steps)} steps` : ' · untrained';
    ui.modelDesc.textContent = `${t.arch(a.cell, a.hidden)}${a.layers > 1 ? ` (${a.layers} layers)` : ''}${params ? ` · ${params}` : ''}${state}`;
  }

  // ---- UI: task / cell / sizes -------------------------------------------
  function setChecked(buttons, attr, value) {
    for (const b of buttons) b.setAttribute('aria-checked', String(b.dataset[attr] === value));
  }

  async function selectTask(task, { keepSizes = false } = {}) {
    if (S.training) return;
    S.task = task;
    const t = TASKS[task];
    setChecked(ui.tasks, 'task', task);
    for (const b of ui.cells) b.disabled = !t.cells.includes(b.dataset.cell);
    if (!t.cells.includes(S.cell)) { S.cell = 'LSTM'; setChecked(ui.cells, 'cell', 'LSTM'); }
    const m = S.models[task];
    if (m) {
      S.cell = m.cell; setChecked(ui.cells, 'cell', m.cell);
      ui.hidden.value = String(m.hidden); ui.layers.value = String(m.layers);
    } else if (!keepSizes) {
      ui.hidden.value = String(t.defaults.hidden);
    }
    ui.epochs.value = String(t.defaults.epochs);
    ui.lr.value = t.defaults.lr;
    ui.metricLabel.textContent = t.metric[0];
    for (const p of $$('.use-panel')) p.hidden = p.dataset.use !== task;
    ui.taskDesc.textContent = t.desc(null);
    describeModel();
    ui.start.disabled = true;
    setStatus('Loading the data in the lab worker…');
    try {
      const ds = await prepare(task);
      if (S.task !== task) return;
      ui.taskDesc.textContent = t.desc(ds.info);
      await freshModel(task);
      if (S.task !== task) return;
      if (!S.training) ui.start.disabled = false;
      setStatus(S.run?.task === task && S.run.ended ? S.run.summary : 'Ready to train.');
      refreshUse();
      if (task === 'sentiment') sentimentExamples(ds.info.examples);
    } catch (e) {
      setStatus(`Could not load the data: ${e.message}`, true);
      throw e;
    }
  }

  for (const b of ui.tasks) b.addEventListener('click', () => selectTask(b.dataset.task));
  for (const b of ui.cells) {
    b.addEventListener('click', () => {
      if (S.training || b.disabled) return;
      S.cell = b.dataset.cell;
      setChecked(ui.cells, 'cell', S.cell);
      freshModel().then(refreshUse);
    });
  }
  // Arrow keys move between radio buttons of a segmented control.
  for (const group of $$('.segmented')) {
    group.addEventListener('keydown', (e) => {
      if (!['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'].includes(e.key)) return;
      const items = $$('button:not(:disabled)', group);
      const i = items.indexOf(document.activeElement);
      const next = items[(i + (e.key === 'ArrowLeft' || e.key === 'ArrowUp' ? -1 : 1) + items.length) % items.length];
      e.preventDefault();
      next.focus();
      next.click();
    });
  }
  ui.hidden.addEventListener('change', () => freshModel().then(refreshUse));
  ui.layers.addEventListener('change', () => freshModel().then(refreshUse));

  function setStatus(text, bad = false) {
    ui.status.textContent = text;
    ui.status.classList.toggle('error', bad);
  }

  // ---- the loss chart -----------------------------------------------------
  const lossChart = await chart($('#loss-chart'), (p, axis) => ({
    scales: { x: { time: false, range: (u, lo, hi) => [lo == null ? 0 : Math.max(0, lo - 1), hi == null ? 1 : hi + Math.max(2, (hi - lo) * 0.03)] }, y: { range: (u, lo, hi) => [Math.max(0, lo - (hi - lo) * 0.05), hi + (hi - lo) * 0.05 || 1] } },
    axes: [axis(p, 'training step'), axis(p, 'loss', { size: 52 })],
    series: [
      {},
      { label: 'loss per step', stroke: p.dark ? 'rgba(139,140,248,.35)' : 'rgba(67,56,202,.25)', width: 1, points: { show: false } },
      { label: 'smoothed', stroke: p.accent, width: 2.5, points: { show: false } },
      { label: 'validation', stroke: p.warn, width: 0, points: { show: true, size: 8, fill: p.warn, stroke: p.warn }, paths: () => null },
    ],
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
  }), [[], [], [], []], { height: () => (window.innerWidth < 640 ? 220 : 290) });

  function chartData(run) {
    const val = new Array(run.steps.length).fill(null);
    for (const v of run.val) {
      if (v.valLoss == null) continue;
      const i = run.steps.lastIndexOf(v.step);
      if (i >= 0) val[i] = v.valLoss;
    }
    return [run.steps, run.loss, run.ema, val];
  }

  // ---- training -----------------------------------------------------------
  // The page redraws at most every RENDER_MS while training (the worker
  // sends a record per step): a few cheap frames a second keep the main
  // thread idle.
  const RENDER_MS = 250;
  let renderTimer = 0, lastRender = 0;
  function scheduleRender(force = false) {
    if (force) { clearTimeout(renderTimer); renderTimer = 0; lastRender = 0; requestAnimationFrame(renderRun); return; }
    if (renderTimer) return;
    const wait = Math.max(0, RENDER_MS - (performance.now() - lastRender));
    renderTimer = setTimeout(() => {
      renderTimer = 0;
      requestAnimationFrame(() => { lastRender = performance.now(); renderRun(); });
    }, wait);
  }

  function renderRun() {
    const r = S.run;
    if (!r) return;
    const t = TASKS[r.task];
    ui.loss.textContent = r.emaNow == null ? '–' : r.emaNow.toFixed(4);
    const rec = r.lastRecord;
    if (rec) {
      ui.step.textContent = `${int(rec.step)} / ${int(rec.totalSteps)}`;
      ui.progress.max = rec.totalSteps;
      ui.progress.value = rec.step;
      ui.rate.textContent = '';
      ui.rate.append(int(rec.examplesPerSec * t.unit[1]), el('span', { class: 'unit' }, ` ${t.unit[0]}`));
      if (S.training && !S.paused) {
        setStatus(`Epoch ${rec.epoch + 1} of ${r.epochs} · ${seconds(rec.etaSeconds)} left · in a Web Worker`);
      }
    }
    const lastVal = r.val[r.val.length - 1];
    if (lastVal) ui.metric.textContent = t.metric[1](lastVal) ?? '–';
    lossChart.setData(chartData(r));
  }

  function onRecord(r, record) {
    if (record.epochEnd) {
      r.val.push(record);
    } else {
      r.lastRecord = record;
      r.steps.push(record.step);
      r.loss.push(record.loss);
      r.emaRaw = r.emaRaw == null ? record.loss : 0.9 * r.emaRaw + 0.1 * record.loss;
      r.emaNow = r.emaRaw;
      r.ema.push(r.emaNow);
      r.first ??= record.loss;
      r.last = record.loss;
    }
    scheduleRender();
  }

  async function train() {
    if (S.training) return;
    const task = S.task, t = TASKS[task];
    S.training = true;
    setTrainingUi(true);
    setStatus('Preparing batches in the lab worker…');
    const epochs = Math.max(1, Math.min(200, Math.round(Number(ui.epochs.value) || t.defaults.epochs)));
    const lr = Number(ui.lr.value);
    const run = {
      task, epochs, steps: [], loss: [], ema: [], val: [], first: null, last: null, emaNow: null, emaRaw: null,
      lastRecord: null, startedAt: performance.now(), firstProgressAt: null, ended: false, summary: '',
    };
    S.run = run;
    lossChart.setData([[], [], [], []]);
    ui.metric.textContent = '–';
    ui.rate.textContent = '–';
    try {
      const entry = await freshModel(task);
      let trainer;
      if (task === 'g2p') {
        // The worker rebuilds the same Seq2Seq and continues from these weights.
        trainer = new G2pTrainer(t.url, { cell: entry.cell.toLowerCase(), hidden: entry.hidden, layers: entry.layers, epochs, lr, seed: 1 }, entry.model.stateDict());
      } else {
        const ds = await prepare(task, { fresh: true });
        trainer = rnn.createTrainer({
          model: entry.model, train: ds.train, val: ds.val, loss: t.loss, metrics: t.metrics, tbptt: t.tbptt,
          epochs, optimizer: { type: 'adam', lr }, clipGradNorm: task === 'charlm' ? 5 : 1, seed: 1,
          transferData: true, applyTo: true,
        });
      }
      S.trainer = trainer;
      setStatus('Starting the worker…');
      trainer.on('progress', (record) => {
        run.firstProgressAt ??= performance.now();
        onRecord(run, record);
      });
      const result = await trainer.done;
      if (task === 'g2p') {
        entry.model.loadStateDict(result.stateDict);
      }
      entry.steps += result.history.steps;
      entry.trained = entry.steps > 0;
      entry.source = 'trained';
      run.ended = true;
      run.stopped = result.history.stopped;
      const secs = (performance.now() - (run.firstProgressAt ?? run.startedAt)) / 1000;
      run.summary = `${result.history.stopped === 'cancelled' ? 'Stopped' : 'Done'}: ${int(result.history.steps)} steps in ${secs.toFixed(1)} s; loss ${num(run.first, 3)} → ${num(run.emaNow, 3)} (smoothed).`;
      setStatus(run.summary);
    } catch (e) {
      run.ended = true;
      run.error = e.message;
      run.summary = `Training failed: ${e.message}`;
      setStatus(run.summary, true);
      console.error(e);
    } finally {
      S.training = false;
      S.paused = false;
      S.trainer = null;
      setTrainingUi(false);
      scheduleRender(true);
      describeModel();
      refreshUse();
    }
  }

  function setTrainingUi(on) {
    ui.start.disabled = on;
    ui.pause.disabled = !on;
    ui.stop.disabled = !on;
    ui.pause.textContent = 'Pause';
    ui.pause.setAttribute('aria-pressed', 'false');
    for (const b of [...ui.tasks, ...ui.cells]) b.toggleAttribute('data-locked', on);
    for (const b of ui.tasks) b.disabled = on && b.dataset.task !== S.task;
    for (const b of ui.cells) b.disabled = on ? b.dataset.cell !== S.cell : !TASKS[S.task].cells.includes(b.dataset.cell);
    for (const c of [ui.hidden, ui.layers, ui.epochs, ui.lr]) c.disabled = on;
    $('#weights-load').disabled = on;
    $('#weights-save').disabled = on;
  }

  ui.start.addEventListener('click', () => train());
  ui.pause.addEventListener('click', async () => {
    if (!S.trainer) return;
    ui.pause.disabled = true;
    if (!S.paused) {
      await S.trainer.pause();
      S.paused = true;
      ui.pause.textContent = 'Resume';
      ui.pause.setAttribute('aria-pressed', 'true');
      setStatus('Paused: the worker is waiting.');
    } else {
      await S.trainer.resume();
      S.paused = false;
      ui.pause.textContent = 'Pause';
      ui.pause.setAttribute('aria-pressed', 'false');
      setStatus('Resumed.');
    }
    ui.pause.disabled = !S.training;
  });
  ui.stop.addEventListener('click', () => {
    if (!S.trainer) return;
    ui.stop.disabled = true;
    setStatus('Stopping after this step…');
    S.trainer.cancel().catch(() => {});
  });

  // ---- using the models -----------------------------------------------------
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
    const pos = p >= 0.5;
    sentimentOut.textContent = '';
    sentimentOut.dataset.label = pos ? 'positive' : 'negative';
    sentimentOut.dataset.p = p.toFixed(6);
    sentimentOut.append(
      el('span', { class: `verdict ${pos ? 'pos' : 'neg'}` }, `${pos ? 'Positive' : 'Negative'} · ${(100 * (pos ? p : 1 - p)).toFixed(1)}%`),
      el('span', { class: 'meter', role: 'img', 'aria-label': `probability positive ${p.toFixed(2)}` }, el('i', { style: `left:${(p * 100).toFixed(1)}%` })),
      el('span', { class: 'sub' }, `p(positive) = ${p.toFixed(3)} · ${ids.length} tokens${unknown ? `, ${unknown} not in the vocabulary` : ''} · ${S.sentiment.trained ? (m.source === 'file' ? 'loaded model' : `trained for ${int(m.steps)} steps`) : 'untrained model: press Train'}`),
    );
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
    anomalyChart = await chart($('#anomaly-chart'), (p, axis) => ({
      scales: { x: { time: true } },
      axes: [axis(p, ''), axis(p, 'temperature (°F)', { size: 50 })],
      series: [
        {},
        { label: 'reading', stroke: p.ink, width: 1.2, points: { show: false } },
        { label: 'forecast', stroke: p.accent, width: 1.2, points: { show: false } },
        { label: 'flag', stroke: p.warn, width: 0, paths: () => null, points: { show: true, size: 7, fill: p.warn, stroke: p.warn } },
      ],
      legend: { show: false },
      cursor: { drag: { x: true, y: false } },
      hooks: {
        drawClear: [(u) => {
          const a = S.anomaly;
          if (!a) return;
          const { ctx } = u;
          ctx.save();
          ctx.fillStyle = palette().dark ? 'rgba(248,113,113,0.13)' : 'rgba(220,38,38,0.08)';
          for (const [s, e] of a.ds.windows) {
            const x0 = u.valToPos(a.ds.time[s], 'x', true), x1 = u.valToPos(a.ds.time[e], 'x', true);
            ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
          }
          ctx.restore();
        }],
      },
    }), [[], [], [], []], { height: () => (window.innerWidth < 640 ? 220 : 260) });
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

  $('#anomaly-go').addEventListener('click', async () => {
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
  });

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

  // ---- weights ---------------------------------------------------------------
  function showWeights(...nodes) {
    ui.weightsStatus.textContent = '';
    ui.weightsStatus.append(...nodes);
  }

  function saveBytes() {
    const m = S.models[S.task];
    if (!m) throw new Error('no model yet');
    const meta = {
      format: 'rnn-wasm-web', version: '1', task: S.task,
      spec: JSON.stringify(specOf(S.task, m)), vocab: JSON.stringify(m.vocab), extra: JSON.stringify(m.extra),
      steps: String(m.steps),
    };
    return rnn.safetensors.serialize(m.model.stateDict(), meta);
  }

  $('#weights-save').addEventListener('click', () => {
    try {
      const m = S.models[S.task];
      const bytes = saveBytes();
      const name = `rnn-wasm-${S.task}-${m.cell.toLowerCase()}${m.hidden}.safetensors`;
      download(bytes, name);
      S.lastSave = { name, bytes: bytes.length, task: S.task };
      showWeights(el('span', { class: 'ok' }, 'Saved '), `${name} (${int(bytes.length)} bytes, ${Object.keys(m.model.stateDict()).length} tensors with PyTorch’s names). Load it back here, or into PyTorch with tools/load_safetensors.py.`);
    } catch (e) {
      showWeights(el('span', { class: 'bad' }, 'Could not save: '), e.message);
    }
  });

  function maxDiff(a, b) {
    const ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return null;
    let d = 0;
    for (const k of ka) {
      if (a[k].data.length !== b[k].data.length) return null;
      for (let i = 0; i < a[k].data.length; i++) d = Math.max(d, Math.abs(a[k].data[i] - b[k].data[i]));
    }
    return d;
  }

  function cellOfSpec(task, spec) {
    if (task === 'g2p') return { cell: spec.cell.toUpperCase(), hidden: spec.hiddenDim, layers: spec.numLayers };
    const r = spec.layers.find((l) => ['RNN', 'LSTM', 'GRU'].includes(l.type));
    return { cell: r.type, hidden: r.hiddenSize, layers: r.numLayers };
  }

  async function loadBytes(bytes, fileName) {
    const file = rnn.safetensors.parse(bytes);
    const meta = file.__metadata__ ?? {};
    if (meta.format === 'rnn-wasm-web') {
      if (S.training) throw new Error('wait for the training to finish');
      const task = meta.task;
      if (!TASKS[task]) throw new Error(`unknown task ${task}`);
      const spec = JSON.parse(meta.spec);
      let model;
      const config = task === 'g2p' ? Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'type')) : null;
      if (config) model = new rnn.models.Seq2Seq(config); else model = rnn.buildModel(spec);
      model.loadStateDict(file);
      const before = S.models[task];
      const diff = before ? maxDiff(before.model.stateDict(), model.stateDict()) : null;
      const a = cellOfSpec(task, spec);
      const vocab = JSON.parse(meta.vocab);
      const entry = {
        task, model, ...a, steps: Number(meta.steps) || 0, trained: true, source: 'file', fileName,
        vocab, extra: JSON.parse(meta.extra ?? 'null'), config,
      };
      before?.model.dispose();
      S.models[task] = entry;
      S.lastLoad = { fileName, task, tensors: Object.keys(file).length, params: model.numParams, identical: diff === 0, maxDiff: diff };
      S.cell = a.cell;
      await selectTask(task, { keepSizes: true });
      showWeights(
        el('span', { class: 'ok' }, 'Loaded '),
        `${fileName}: ${Object.keys(file).length} tensors, ${int(model.numParams)} parameters (${TASKS[task].arch(a.cell, a.hidden)}). `,
        diff == null ? 'It replaces the model of a different shape that was here.'
          : diff === 0 ? el('span', { class: 'ok' }, 'Identical, bit for bit, to the model that was in memory.')
            : `Largest difference from the model that was in memory: ${diff.toExponential(2)}.`,
      );
      return S.lastLoad;
    }
    if (meta.model === 'SentimentLSTM' && meta.config) return loadPytorch(file, fileName, null);
    throw new Error(`this file has no metadata this page understands (tensors: ${Object.keys(file).slice(0, 6).join(', ')}${Object.keys(file).length > 6 ? ', …' : ''}); save one from the page, or export a SentimentLSTM with tools/export_safetensors.py`);
  }

  function loadPytorch(file, fileName, expected) {
    const config = JSON.parse(file.__metadata__.config);
    const model = new rnn.models.SentimentLSTM({ ...config, seed: 1 });
    try {
      model.loadStateDict(file);
      model.eval();
      const info = { fileName, config, params: model.numParams, tensors: Object.keys(file).length };
      const nodes = [el('span', { class: 'ok' }, 'Loaded a PyTorch-trained SentimentLSTM '),
        `(${fileName}: ${info.tensors} tensors, ${int(info.params)} parameters; embed ${config.embedDim}, hidden ${config.hiddenDim}, ${config.numLayers} bidirectional layers) into rnn.models.SentimentLSTM. `];
      if (expected) {
        const B = expected.ids.length, T = expected.ids[0].length;
        const logits = model.forward({ shape: [B, T], data: Int32Array.from(expected.ids.flat()) }, expected.lengths).data;
        let worst = 0;
        const rows = [...logits].map((v, i) => { const d = Math.abs(v - expected.logits[i]); worst = Math.max(worst, d); return [expected.logits[i], v, d]; });
        info.logits = [...logits];
        info.maxDiff = worst;
        info.match = worst <= 2e-5;
        nodes.push(info.match ? el('span', { class: 'ok' }, `Its logits match PyTorch's (largest difference ${worst.toExponential(1)}):`)
          : el('span', { class: 'bad' }, `Its logits differ from PyTorch's by up to ${worst.toExponential(2)}:`));
        nodes.push(el('table', {},
          el('tr', {}, el('th', {}, 'sequence'), el('th', {}, 'PyTorch'), el('th', {}, 'here'), el('th', {}, '|Δ|')),
          rows.map(([a, b, d], i) => el('tr', {}, el('td', {}, String(i)), el('td', {}, a.toFixed(7)), el('td', {}, b.toFixed(7)), el('td', {}, d.toExponential(1))))));
        nodes.push(el('p', { class: 'small muted' }, 'The file is tests/fixtures/sentiment_torch.safetensors: trained in PyTorch on synthetic token ids (a vocabulary of 40), so it cannot read English; it shows that PyTorch weights run here with PyTorch’s numbers.'));
      }
      S.pytorch = info;
      showWeights(...nodes);
      return info;
    } finally {
      model.dispose();
    }
  }

  $('#weights-load').addEventListener('change', async (e) => {
    const f = e.target.files?.[0];
    if (!f) return;
    try {
      await loadBytes(new Uint8Array(await f.arrayBuffer()), f.name);
    } catch (err) {
      S.lastLoad = { fileName: f.name, error: err.message };
      showWeights(el('span', { class: 'bad' }, 'Could not load: '), err.message);
    } finally {
      e.target.value = '';
    }
  });

  $('#pytorch-load').addEventListener('click', async () => {
    try {
      const [bytes, expected] = await Promise.all([
        fetch(PYTORCH_MODEL).then((r) => { if (!r.ok) throw new Error(`HTTP ${r.status}`); return r.arrayBuffer(); }),
        fetch(PYTORCH_LOGITS).then((r) => (r.ok ? r.json() : null)),
      ]);
      const file = rnn.safetensors.parse(new Uint8Array(bytes));
      loadPytorch(file, 'sentiment_torch.safetensors', expected);
    } catch (err) {
      showWeights(el('span', { class: 'bad' }, 'Could not load the PyTorch model: '), err.message);
    }
  });

  // ---- start ---------------------------------------------------------------
  await selectTask('sentiment');

  return {
    get task() { return S.task; },
    get training() { return S.training; },
    get paused() { return S.paused; },
    get run() {
      const r = S.run;
      return r && {
        task: r.task, steps: r.steps.length, first: r.first, last: r.last, ema: r.emaNow, losses: [...r.loss],
        val: r.val.map((v) => ({ ...v })), ended: r.ended, stopped: r.stopped, error: r.error ?? null, summary: r.summary,
        firstProgressAt: r.firstProgressAt,
      };
    },
    get model() { const m = S.models[S.task]; return m && { task: m.task, cell: m.cell, hidden: m.hidden, layers: m.layers, steps: m.steps, trained: m.trained, source: m.source, params: m.model.numParams }; },
    get sentiment() { return S.sentiment; },
    get sample() { return S.sample && { text: S.sample.text, running: S.sample.running }; },
    get anomaly() { const a = S.anomaly; return a && { done: a.detector.done, total: a.ds.time.length, flags: a.flags, inside: a.inside, windowsHit: a.windowsHit, running: a.running }; },
    get g2p() { return S.g2p; },
    get lastSave() { return S.lastSave; },
    get lastLoad() { return S.lastLoad; },
    get pytorch() { return S.pytorch; },
    selectTask, train, saveBytes, loadBytes,
  };
}
