// playground-weights.js - the playground's weights panel: save the current
// model as .safetensors (PyTorch's tensor names, plus the page's metadata:
// task, spec, vocabulary), load such a file back (and say how it differs
// from the model in memory), and load the PyTorch-trained SentimentLSTM of
// tests/fixtures with the logits PyTorch computed for it. A TF.js model
// (model.json + .bin files, or the TF.js-trained one) goes to playground-tfjs.js.
import { PYTORCH_LOGITS, PYTORCH_MODEL } from './paths.js';
import { loadTfjsFiles, loadTfjsSentiment } from './playground-tfjs.js';
import { TASKS, cellOfSpec, specOf } from './playground-tasks.js';
import { $, download, el, int } from './util.js';

/**
 * Wires the panel. S: the playground's state; ui.weightsStatus: where the
 * outcome is shown; selectTask(task, { keepSizes }) switches to a loaded
 * model's task. Returns saveBytes() and loadBytes(bytes, fileName).
 */
export function setupWeights({ rnn, S, ui, selectTask }) {
  function showWeights(...nodes) {
    ui.weightsStatus.textContent = '';
    ui.weightsStatus.append(...nodes);
  }

  function saveBytes() {
    const m = S.models[S.task];
    if (!m) throw new Error('no model yet');
    const meta = {
      format: 'rnn-wasm-web', version: '1', task: S.task,
      spec: JSON.stringify(specOf(rnn, S.task, m)), vocab: JSON.stringify(m.vocab), extra: JSON.stringify(m.extra),
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

  // A loaded TF.js model stays (S.tfjs) until the next one replaces it.
  function keepTfjs(model, info) {
    S.tfjs?.model.dispose();
    S.tfjs = { model, ...info };
  }

  $('#weights-load').addEventListener('change', async (e) => {
    const files = [...(e.target.files ?? [])];
    const f = files[0];
    if (!f) return;
    if (files.some((g) => g.name.endsWith('.json'))) {
      try {
        keepTfjs(await loadTfjsFiles(rnn, files, showWeights), { fileName: files.map((g) => g.name).join(', ') });
      } catch (err) {
        S.lastLoad = { fileName: f.name, error: err.message };
        showWeights(el('span', { class: 'bad' }, 'Could not load the TF.js model: '), err.message);
      } finally {
        e.target.value = '';
      }
      return;
    }
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

  $('#tfjs-load').addEventListener('click', async () => {
    try {
      const { model, info } = await loadTfjsSentiment(rnn, showWeights);
      keepTfjs(model, info);
    } catch (err) {
      showWeights(el('span', { class: 'bad' }, 'Could not load the TF.js model: '), err.message);
    }
  });

  return { saveBytes, loadBytes };
}
