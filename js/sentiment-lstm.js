// sentiment-lstm.js - rnn.models.SentimentLSTM: the classic text sentiment
// classifier (embedding, bidirectional LSTM, linear), with the state_dict keys
// of the PyTorch module it mirrors.
import { Container, disposeOnThrow, partSeed } from './container.js';
import { RnnError } from './errors.js';
import { checkKnown, intOption, numOption, randomSeed } from './options.js';
import { checkTensor } from './tensor.js';
import { Dropout, Embedding, Linear } from './layers.js';
import { LSTM } from './recurrent.js';

/**
 * The classic text sentiment classifier. PyTorch twin:
 *   embedding = nn.Embedding(vocab, embedDim, padding_idx=0)
 *   dropout on the embeddings
 *   lstm = nn.LSTM(embedDim, hiddenDim, numLayers, bidirectional=True,
 *                  batch_first=True, dropout=dropout if numLayers > 1 else 0)
 *          fed pack_padded_sequence(emb, lengths, enforce_sorted=False)
 *   h = cat(h_n[-2], h_n[-1]); dropout; fc = nn.Linear(2 * hiddenDim, 1)
 *   -> one logit per sequence (train with losses.bceWithLogits, Adam 1e-3)
 */
export class SentimentLSTM extends Container {
  constructor(core, opts = {}) {
    const what = 'SentimentLSTM';
    checkKnown(opts ?? {}, ['vocabSize', 'embedDim', 'hiddenDim', 'numLayers', 'dropout', 'seed'], what);
    const vocabSize = intOption(opts, 'vocabSize', what, { min: 2 });
    const embedDim = intOption(opts, 'embedDim', what, { def: 128 });
    const hiddenDim = intOption(opts, 'hiddenDim', what, { def: 256 });
    const numLayers = intOption(opts, 'numLayers', what, { max: 64, def: 2 });
    const dropout = numOption(opts, 'dropout', what, { min: 0, max: 1, maxExclusive: true, def: 0.3 });
    const seed = intOption(opts, 'seed', what, { min: 0, max: 2 ** 32 - 1, def: randomSeed() });
    const sub = (k) => partSeed(seed, k);
    const children = disposeOnThrow((keep) => [
      ['embedding', keep(new Embedding(core, { numEmbeddings: vocabSize, embeddingDim: embedDim, paddingIdx: 0, seed: sub(1) }))],
      ['lstm', keep(new LSTM(core, {
        inputSize: embedDim, hiddenSize: hiddenDim, numLayers, bidirectional: true, batchFirst: true,
        dropout: numLayers > 1 ? dropout : 0, seed: sub(2),
      }))],
      ['fc', keep(new Linear(core, { inFeatures: 2 * hiddenDim, outFeatures: 1, seed: sub(3) }))],
      // Two dropout sites with their own masks (PyTorch reuses one module).
      ['embeddingDropout', keep(new Dropout(core, { p: dropout, seed: sub(4) }))],
      ['outputDropout', keep(new Dropout(core, { p: dropout, seed: sub(5) }))],
    ]);
    super(what, children);
    const get = (name) => children.find(([n]) => n === name)[1];
    this.embedding = get('embedding');
    this.lstm = get('lstm');
    this.fc = get('fc');
    this._drop1 = get('embeddingDropout');
    this._drop2 = get('outputDropout');
    Object.assign(this, { vocabSize, embedDim, hiddenDim, numLayers, dropout, seed });
    this._last = null;
  }

  /**
   * ids: [B, T] token ids (Int32Array data; 0 = padding), lengths: one per
   * sequence in [1, T], any order (also as { lengths }, the form fit uses).
   * Returns the logits, a [B] tensor.
   */
  forward(ids, lengths) {
    this._live();
    if (lengths && !Array.isArray(lengths) && !ArrayBuffer.isView(lengths)) {
      checkKnown(lengths, ['lengths', 'state'], 'SentimentLSTM.forward');
      lengths = lengths.lengths;
    }
    const shape = ids?.shape;
    if (!Array.isArray(shape) || shape.length !== 2) {
      throw new RnnError('SHAPE', `SentimentLSTM.forward: ids must have shape [B, T], got ${JSON.stringify(shape)}`);
    }
    const [B] = shape;
    const emb = this._drop1.forward(this.embedding.forward(ids));
    const { hN } = this.lstm.forward(emb, { lengths, output: false });
    // h = cat(h_n[-2], h_n[-1]): the last layer's forward and backward states
    const H = this.hiddenDim, last = (this.numLayers - 1) * 2;
    const h = { shape: [B, 2 * H], data: new Float32Array(B * 2 * H) };
    for (let b = 0; b < B; b++) {
      h.data.set(hN.data.subarray((last * B + b) * H, (last * B + b + 1) * H), b * 2 * H);
      h.data.set(hN.data.subarray(((last + 1) * B + b) * H, ((last + 1) * B + b + 1) * H), b * 2 * H + H);
    }
    const y = this.fc.forward(this._drop2.forward(h));
    this._last = { B };
    return { shape: [B], data: y.data };
  }

  /** dLogits: d loss / d logits ([B]); accumulates every parameter gradient. */
  backward(dLogits) {
    this._live();
    if (!this._last) throw new RnnError('STATE', 'SentimentLSTM.backward: call forward first (one backward per forward)');
    const { B } = this._last;
    checkTensor(dLogits, 'dLogits', [B]);
    this._last = null;
    const H = this.hiddenDim, L = this.numLayers, last = (L - 1) * 2;
    const { dx: dh } = this.fc.backward({ dOutput: { shape: [B, 1], data: dLogits.data } });
    const dhd = this._drop2.backward({ dOutput: dh }).dx;
    const dhN = { shape: [2 * L, B, H], data: new Float32Array(2 * L * B * H) };
    for (let b = 0; b < B; b++) {
      dhN.data.set(dhd.data.subarray(b * 2 * H, b * 2 * H + H), (last * B + b) * H);
      dhN.data.set(dhd.data.subarray(b * 2 * H + H, (b + 1) * 2 * H), ((last + 1) * B + b) * H);
    }
    const { dx } = this.lstm.backward({ dhN });
    this.embedding.backward({ dOutput: this._drop1.backward({ dOutput: dx }).dx });
  }
}
