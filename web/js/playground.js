// playground.js - section 5: pick a task and a cell, train in a Web Worker
// (rnn.createTrainer; seq2seq in the page's own worker), watch the loss. This
// file wires the controls, the state and the training run; the rest of the
// section lives in files of its own:
//   playground-tasks.js          the four tasks and the model built for each
//   playground-worker-client.js  the protocol with playground-worker.js (data, seq2seq)
//   playground-charts.js         the loss chart and the anomaly chart
//   playground-use.js            the "use the model" panels
//   playground-weights.js        save / load safetensors, the PyTorch-trained model
import { lossChart as makeLossChart, lossChartData } from './playground-charts.js';
import { TASKS, g2pConfig, makeModel } from './playground-tasks.js';
import { setupUse } from './playground-use.js';
import { setupWeights } from './playground-weights.js';
import { G2pTrainer, PlaygroundWorker } from './playground-worker-client.js';
import { $, $$, el, int, num, seconds, whenNear } from './util.js';

export async function setup({ rnn }) {
  const lab = new PlaygroundWorker();
  const ui = {
    tasks: $$('#playground [role=radio][data-task]'), cells: $$('#playground [role=radio][data-cell]'), hidden: $('#pg-hidden'), layers: $('#pg-layers'),
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
    lastSave: null, lastLoad: null, pytorch: null, tfjs: null, anomaly: null, sample: null, sentiment: null, g2p: null,
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

  async function freshModel(task = S.task) {
    const ds = await prepare(task);
    if (task !== S.task) return null;
    const a = arch();
    const old = S.models[task];
    if (old && old.cell === a.cell && old.hidden === a.hidden && old.layers === a.layers) return old;
    if (old && S.trainer && S.run?.task === task) return old; // never under a running trainer
    old?.model.dispose();
    const model = makeModel(rnn, task, a, ds);
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
  // A radio group is one Tab stop, its checked radio; the arrow keys move within it (below).
  function setChecked(buttons, attr, value) {
    for (const b of buttons) {
      b.setAttribute('aria-checked', String(b.dataset[attr] === value));
      b.tabIndex = b.dataset[attr] === value ? 0 : -1;
    }
  }

  // load: false sets the controls only (the data waits for the reader).
  async function selectTask(task, { keepSizes = false, load = true } = {}) {
    if (S.training) return;
    S.task = task;
    const t = TASKS[task];
    setChecked(ui.tasks, 'task', task);
    for (const b of ui.cells) b.disabled = !t.cells.includes(b.dataset.cell);
    if (!t.cells.includes(S.cell)) S.cell = 'LSTM';
    setChecked(ui.cells, 'cell', S.cell);
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
    if (!load) { setStatus('The data loads when you get here.'); return; }
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

  // ---- using the models (playground-use.js), the weights (playground-weights.js)
  // (before the first await: the handlers above call refreshUse)
  const { refreshUse, sentimentExamples } = setupUse({ rnn, S, prepare });
  const { saveBytes, loadBytes } = setupWeights({ rnn, S, ui, selectTask });

  // ---- the loss chart (playground-charts.js) --------------------------------
  const lossChart = await makeLossChart($('#loss-chart'));

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
    lossChart.setData(lossChartData(r));
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

  // ---- start: the lab worker and the dataset load near the section (or on a click)
  await selectTask('sentiment', { load: false });
  whenNear($('#playground'), () => { if (!S.data[S.task]) selectTask(S.task, { keepSizes: true }).catch((e) => console.error('[playground]', e)); });

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
    /** The loaded TF.js model's info (accuracy, tfjsAccuracy, maxDiff / fileName), without the model. */
    get tfjs() { if (!S.tfjs) return null; const { model, ...info } = S.tfjs; return info; },
    selectTask, train, saveBytes, loadBytes,
  };
}
