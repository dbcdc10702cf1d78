// sentiment-section.js - section "The sentiment classifier": the lesson's
// PyTorch SentimentLSTM beside the rnn-wasm code of the same model (tabs),
// and a pre-trained one (examples/sentiment.mjs, web/models/, loaded when
// the section comes near) to type into at once; "Train it here" redoes the
// training in a worker with the same recipe. The verdict is shown with the
// playground's own panel (playground-use.js).
import { codeTabs } from './code-tabs.js';
import { DATASETS, SENTIMENT_MODEL } from './paths.js';
import { showSentiment } from './playground-use.js';
import { SENTENCES } from './playground-tasks.js';
import { $, debounce, el, int, visibility } from './util.js';

const PYTORCH_CODE = `
import torch, torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence

class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim=32, hidden_dim=32, num_layers=2, dropout=0.5):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, num_layers=num_layers,
                            bidirectional=True, batch_first=True,
                            dropout=dropout if num_layers > 1 else 0.0)
        self.fc = nn.Linear(2 * hidden_dim, 1)

    def forward(self, ids, lengths):             # ids [B, T], 0 = padding
        emb = self.dropout(self.embedding(ids))
        packed = pack_padded_sequence(emb, lengths, batch_first=True,
                                      enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        h = torch.cat([h_n[-2], h_n[-1]], dim=1) # last layer: forward, backward
        return self.fc(self.dropout(h)).squeeze(1)   # one logit per sentence

model = SentimentLSTM(vocab_size=1962)
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(30):
    model.train()
    for ids, lengths, y in batches:              # padded per batch
        opt.zero_grad()
        loss = loss_fn(model(ids, lengths), y.float())
        loss.backward()
        opt.step()
`;

const RNNWASM_CODE = `
import { init } from 'rnn-wasm';
const rnn = await init();

// Embedding(padding_idx=0) -> dropout -> packed 2-layer bidirectional LSTM
// -> cat(h_n[-2], h_n[-1]) -> dropout -> Linear: PyTorch's state_dict names
// (embedding.weight, lstm.weight_ih_l0_reverse, ..., fc.bias).
const model = new rnn.models.SentimentLSTM({
  vocabSize: 1962, embedDim: 32, hiddenDim: 32, numLayers: 2, dropout: 0.5, seed: 1,
});
const opt = new rnn.Adam(model.parameters(), { lr: 1e-3 });
for (let epoch = 0; epoch < 30; epoch++) {
  model.train();
  for (const idx of rnn.data.batches(train.length, { batchSize: 32, rng })) {
    const { ids, lengths } = rnn.data.padSequences(idx.map((i) => train[i].ids));
    const y = rnn.tensor([idx.length], Float32Array.from(idx, (i) => train[i].label));
    opt.zeroGrad();
    const logits = model.forward(ids, lengths);          // packed by lengths
    const { loss, grad } = rnn.losses.bceWithLogits(logits, y);
    model.backward(grad);
    opt.step();
  }
}
model.eval();
const ids = vocab.encode('The battery life is great.');
model.forward(rnn.tensor([1, ids.length], ids), [ids.length]).data[0];   // the logit
// (or rnn.fit(model, { train, loss: 'bce', optimizer: 'adam', lr: 1e-3, epochs: 30 }))
`;

export async function setup({ rnn }) {
  const root = $('#sentiment');
  const S = { loaded: false, error: null, result: null, live: null, using: 'pretrained' };
  codeTabs($('#sent-code'), [
    { id: 'pytorch', label: 'PyTorch', code: PYTORCH_CODE },
    { id: 'rnnwasm', label: 'rnn-wasm', code: RNNWASM_CODE },
  ], { label: 'The sentiment classifier in PyTorch and in rnn-wasm' });

  const input = $('#sent-input'), out = $('#sent-result'), prov = $('#sent-provenance');
  const chips = $('#sent-examples');
  for (const s of SENTENCES) chips.append(el('button', { type: 'button', class: 'chip', onclick: () => { input.value = s; predict(); } }, s));

  const models = {};   // 'pretrained' | 'live' -> { model, vocab, note }
  let loading = null;
  const load = () => (loading ??= (async () => {
    const res = await fetch(SENTIMENT_MODEL);
    if (!res.ok) throw new Error(`HTTP ${res.status} for ${SENTIMENT_MODEL}`);
    const file = rnn.safetensors.parse(new Uint8Array(await res.arrayBuffer()));
    const meta = file.__metadata__;
    const config = JSON.parse(meta.config);
    const model = new rnn.models.SentimentLSTM({ ...config, seed: 1 });
    model.loadStateDict(file);
    model.eval();
    models.pretrained = { model, vocab: rnn.data.WordVocab.fromJSON(JSON.parse(meta.vocab)), config, note: 'pre-trained model' };
    S.meta = { ...meta, params: model.numParams };
    prov.textContent = `Pre-trained: ${int(model.numParams)} parameters (embedding ${config.embedDim}, hidden ${config.hiddenDim}, `
      + `${config.numLayers} bidirectional layers, dropout ${config.dropout}, a vocabulary of ${int(config.vocabSize)} words), trained by the project’s own script with `
      + `“${meta.trainedWith}”: Adam 1e-3, BCE with logits, the weights of the epoch with the best validation accuracy (epoch ${meta.epoch}: `
      + `${(100 * Number(meta.valAcc)).toFixed(1)}% validation, ${(100 * Number(meta.testAcc)).toFixed(1)}% test on 300 held-out sentences). `
      + 'Shipped with the page as .safetensors (the playground’s “Load .safetensors…” reads it too); “Train it here” redoes the training in this tab.';
    S.loaded = true;
    predict();
  })().catch((e) => { S.error = e.message; out.textContent = `Could not load the model: ${e.message}`; throw e; }));
  visibility(root, (v) => { if (v) load().catch(() => {}); });

  function predict() {
    const m = models[S.using];
    if (!m) { out.textContent = 'Loading…'; return; }
    const ids = m.vocab.encode(input.value);
    if (!ids.length) { out.textContent = 'Type a sentence.'; S.result = null; return; }
    const logit = m.model.forward({ shape: [1, ids.length], data: ids }, [ids.length]).data[0];
    const p = 1 / (1 + Math.exp(-logit));
    const unknown = [...ids].filter((i) => i === rnn.data.UNK_ID).length;
    S.result = { text: input.value, ids: [...ids], logit, p, model: S.using };
    showSentiment(out, { p, tokens: ids.length, unknown, note: `${m.note} · logit ${logit.toFixed(4)}` });
  }
  input.addEventListener('input', debounce(predict, 120));
  const which = $('#sent-model');
  which.addEventListener('change', () => { S.using = which.value; predict(); });

  // ---- the training, redone here (in a worker, the recipe of examples/sentiment.mjs) ----
  const trainBtn = $('#sent-train'), epochsSel = $('#sent-epochs'), status = $('#sent-train-status');
  trainBtn.addEventListener('click', async () => {
    if (S.live?.running) return;
    await load();
    const epochs = Number(epochsSel.value);
    S.live = { running: true, epochs };
    trainBtn.disabled = true;
    let model = null;
    try {
      status.textContent = 'Reading the sentences…';
      const res = await fetch(DATASETS.sentiment);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const tsv = rnn.data.readCsv(await res.text(), { delimiter: '\t', quote: null });
      const texts = rnn.data.column(tsv, 'text', String), labels = rnn.data.column(tsv, 'label');
      const N = texts.length, order = rnn.data.shuffle(rnn.data.range(N), 2024);
      const train = order.slice(0, N - 600), val = order.slice(N - 600, N - 300);
      const vocab = rnn.data.WordVocab.fromTexts(train.map((i) => texts[i]), { minCount: 2 });
      const enc = (i) => { const ids = vocab.encode(texts[i]); return ids.length ? ids : Int32Array.of(rnn.data.UNK_ID); };
      const batch = (idx) => {
        const { ids, lengths } = rnn.data.padSequences(idx.map(enc));
        return { x: ids, lengths, y: { shape: [idx.length], data: Float32Array.from(idx, (i) => labels[i]) } };
      };
      const batches = [];
      for (let i = 0; i < train.length; i += 32) batches.push(batch(train.slice(i, i + 32)));
      const valBatches = [batch(val.slice(0, 150)), batch(val.slice(150))];
      const config = { ...models.pretrained.config, vocabSize: vocab.size };
      model = new rnn.models.SentimentLSTM({ ...config, seed: 1 });
      const t0 = performance.now();
      const trainer = rnn.createTrainer({
        model, train: batches, val: valBatches, loss: 'bce', metrics: ['accuracy'], epochs, optimizer: 'adam', lr: 1e-3, seed: 1,
        applyTo: true,
        onProgress: (p) => {
          S.live.step = p.step;
          if (p.valAccuracy != null) S.live.valAccuracy = p.valAccuracy;
          status.textContent = `Epoch ${p.epoch + 1} of ${epochs}, step ${int(p.step)}, loss ${p.loss.toFixed(3)}`
            + `${S.live.valAccuracy != null ? `, validation accuracy ${(100 * S.live.valAccuracy).toFixed(1)}%` : ''} (${((performance.now() - t0) / 1000).toFixed(0)} s, in a worker)`;
        },
      });
      await trainer.done;
      model.eval();
      models.live?.model.dispose();
      models.live = { model, vocab, config, note: `trained here: ${epochs} epochs${S.live.valAccuracy != null ? `, ${(100 * S.live.valAccuracy).toFixed(1)}% validation accuracy` : ''}` };
      model = null;
      which.querySelector('option[value="live"]').disabled = false;
      which.value = 'live';
      S.using = 'live';
      S.live.running = false;
      S.live.done = true;
      status.textContent = `Done in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${models.live.note}. The verdict above now uses it; switch back with “Model”.`;
      predict();
    } catch (e) {
      S.live.error = e.message;
      S.live.running = false;
      status.textContent = `Training failed: ${e.message}`;
    } finally {
      model?.dispose();
      trainBtn.disabled = false;
    }
  });

  return {
    get state() { return S; },
    load,
    /** The logit the section shows for text (tests). */
    async classify(text) { await load(); input.value = text; predict(); return S.result; },
  };
}
