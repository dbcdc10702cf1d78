// race-run.js - the race of "Are LSTMs obsolete? What about Mamba?", without
// any DOM: one cell trains a character model on a slice of Tiny Shakespeare
// for a fixed number of wall-clock seconds, then is scored on held-out text
// and generates some. The page runs one per cell, side by side, each in its
// own worker (playground-worker.js, message 'race'); bench/min_shakespeare.mjs
// is the full-size version of the same race in Node.

/**
 * The two runners and the shared recipe (charlm's: Embedding -> cell ->
 * Linear, truncated BPTT, Adam, clipping), sized for a browser tab. The
 * minGRU is a 2-layer stack, as the paper stacks it; it still does fewer
 * multiply-adds per character than the 1-layer LSTM.
 */
export const RACE = {
  seconds: 20, chars: 300_000, valChars: 20_000, batch: 32, k: 64, embed: 32, clip: 5, seed: 1,
  sample: 240, temperature: 0.8, prime: 'ROMEO:\n', reportEveryMs: 250,
  cells: {
    LSTM: { cell: 'LSTM', hidden: 128, layers: 1, lr: 3e-3 },
    MinGRU: { cell: 'MinGRU', hidden: 128, layers: 2, lr: 6e-3 },
  },
};

/** The vocabulary and the training / validation chunks of the slice. */
export function raceData(rnn, text, config = RACE) {
  const train = text.slice(0, config.chars), val = text.slice(config.chars, config.chars + config.valChars);
  const vocab = rnn.data.CharVocab.fromText(text.slice(0, config.chars + config.valChars));
  return {
    vocab,
    train: rnn.tbpttBatches(vocab.encode(train), { batchSize: config.batch, k: config.k }),
    val: rnn.tbpttBatches(vocab.encode(val), { batchSize: 8, k: config.k }),
  };
}

const logits = (out, V) => ({ shape: [out.data.length / V, V], data: out.data });
const pause = () => new Promise((r) => setTimeout(r, 0));

/**
 * Trains `name` (a key of config.cells) for `seconds` of wall-clock time.
 * onEvent gets { kind: 'progress', t, step, loss } every reportEveryMs (loss:
 * the mean since the last report) and { kind: 'scoring' } when time is up;
 * control.cancelled is polled between steps. Returns { name, steps,
 * seconds, stepsPerSecond, curve: [[t, loss]...], valLoss, sample, params }.
 */
export async function runRace(rnn, text, name, { seconds = RACE.seconds, onEvent = () => {}, control = {}, config = RACE } = {}) {
  const spec = config.cells[name];
  const { vocab, train, val } = raceData(rnn, text, config);
  const V = vocab.size;
  const model = new rnn.Sequential([
    new rnn.Embedding({ numEmbeddings: V, embeddingDim: config.embed, seed: config.seed * 10 + 1 }),
    new rnn[spec.cell]({ inputSize: config.embed, hiddenSize: spec.hidden, numLayers: spec.layers, batchFirst: true, seed: config.seed * 10 + 2 }),
    new rnn.Linear({ inFeatures: spec.hidden, outFeatures: V, seed: config.seed * 10 + 3 }),
  ]);
  const params = model.parameters();
  const opt = new rnn.Adam(params, { lr: spec.lr });
  try {
    const curve = [];
    let step = 0, state = null, sum = 0, n = 0;
    const t0 = performance.now();
    let lastReport = t0, lastYield = t0, now = t0;
    while ((now = performance.now()) - t0 < seconds * 1000) {
      if (control.cancelled) throw Object.assign(new Error('the race was stopped'), { code: 'CANCELLED' });
      const b = train[step % train.length];
      if (step % train.length === 0) state = null;
      opt.zeroGrad();
      const out = model.forward(b.x, { state });
      state = model.state;
      const { loss, grad } = rnn.losses.crossEntropy(logits(out, V), b.y.data);
      model.backward({ shape: out.shape, data: grad.data });
      rnn.clipGradNorm(params, config.clip);
      opt.step();
      step++;
      sum += loss;
      n++;
      now = performance.now();
      if (now - lastReport >= config.reportEveryMs) {
        const t = (now - t0) / 1000;
        curve.push([t, sum / n]);
        onEvent({ kind: 'progress', name, t, step, loss: sum / n });
        sum = 0; n = 0; lastReport = now;
      }
      if (now - lastYield > 50) { await pause(); lastYield = performance.now(); } // lets a 'cancel' message in
    }
    const trained = (performance.now() - t0) / 1000;
    if (n) curve.push([trained, sum / n]);
    onEvent({ kind: 'scoring', name });

    // Held-out loss, the state carried through each stream; then sampling.
    model.eval();
    let vs = 0, vstate = null;
    for (const b of val) {
      const out = model.forward(b.x, { state: vstate });
      vstate = model.state;
      vs += rnn.losses.crossEntropy(logits(out, V), b.y.data).loss;
    }
    return {
      name, cell: spec.cell, layers: spec.layers, hidden: spec.hidden, params: model.numParams,
      steps: step, seconds: trained, stepsPerSecond: step / trained, curve, valLoss: vs / val.length,
      sample: generate(rnn, model, vocab, config),
    };
  } finally {
    opt.dispose();
    model.dispose();
  }
}

/** config.sample characters after the prime, at config.temperature, one forward of one character at a time. */
function generate(rnn, model, vocab, config) {
  const V = vocab.size, rng = rnn.data.createRng(config.seed);
  const prime = vocab.encode(config.prime);
  let out = model.forward({ shape: [1, prime.length], data: prime });
  const ids = [];
  for (let n = 0; n < config.sample; n++) {
    const last = out.data.subarray(out.data.length - V);
    // softmax(logits / temperature) over the characters (ids 0 '<pad>' and 1 '<unk>' left out)
    let max = -Infinity;
    for (let i = 2; i < V; i++) max = Math.max(max, last[i]);
    const p = new Float64Array(V);
    let total = 0;
    for (let i = 2; i < V; i++) total += (p[i] = Math.exp((last[i] - max) / config.temperature));
    let u = rng.uniform() * total, id = V - 1;
    for (let i = 2; i < V; i++) if ((u -= p[i]) < 0) { id = i; break; }
    ids.push(id);
    out = model.forward({ shape: [1, 1], data: Int32Array.of(id) }, { state: model.state });
  }
  return config.prime + vocab.decode(ids);
}
