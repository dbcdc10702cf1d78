// spec.js - JSON-serialisable model descriptions, so a model can be rebuilt
// elsewhere (in a worker, in another process, from a file):
//   const spec = modelSpec(model);            // plain JSON: { type, ...options }
//   const copy = buildModel(rnn, spec);       // same architecture, same seeds
//   copy.loadStateDict(model.stateDict());    // ... and the same weights
// Every layer's options are read from its public properties (seed included,
// so a rebuilt model starts from the same initial weights). Covers RNN, LSTM,
// GRU, MinGRU, MinLSTM, Linear, Embedding, Dropout, LayerNorm, CausalConv1d, ReLU, GELU, Pool,
// Sequential and Residual (nested) and models.SentimentLSTM.
import { disposeOnThrow } from './container.js';
import { RnnError } from './errors.js';

const RECURRENT = { RNN_TANH: 'RNN', RNN_RELU: 'RNN', LSTM: 'LSTM', GRU: 'GRU', MinGRU: 'MinGRU', MinLSTM: 'MinLSTM' };
const POOL_MODES = ['last', 'mean', 'final'];
const TYPES = ['RNN', 'LSTM', 'GRU', 'MinGRU', 'MinLSTM', 'Linear', 'Embedding', 'Dropout', 'LayerNorm', 'CausalConv1d', 'ReLU', 'GELU', 'Pool',
  'Sequential', 'Residual', 'SentimentLSTM'];

// What kind of module m is, without instanceof (every init() makes its own
// classes, and dist/ and js/ are different module instances).
function kindOf(m) {
  if (m === null || typeof m !== 'object') return null;
  if (typeof m.mode === 'string' && RECURRENT[m.mode] && 'hiddenSize' in m) return RECURRENT[m.mode];
  if (m.spec?.type === 'Pool' || (POOL_MODES.includes(m.mode) && !('_children' in m) && typeof m.forward === 'function')) return 'Pool';
  if (TYPES.includes(m._what)) return m._what;
  return null;
}

function describe(m, path) {
  const kind = kindOf(m);
  switch (kind) {
    case 'RNN': case 'LSTM': case 'GRU': case 'MinGRU': case 'MinLSTM': {
      const s = {
        type: kind, inputSize: m.inputSize, hiddenSize: m.hiddenSize, numLayers: m.numLayers, bias: m.bias,
        batchFirst: m.batchFirst, dropout: m.dropout, bidirectional: m.bidirectional, seed: m.seed,
      };
      if (kind === 'RNN') s.nonlinearity = m.nonlinearity ?? (m.mode === 'RNN_RELU' ? 'relu' : 'tanh');
      if (kind === 'LSTM') s.projSize = m.projSize ?? 0;
      if (kind === 'LSTM' || kind === 'GRU') s.gateActivation = m.gateActivation ?? 'sigmoid';
      if (kind === 'GRU') s.resetAfter = m.resetAfter ?? true;
      if (kind.startsWith('Min')) s.logSpace = m.logSpace;
      return s;
    }
    case 'Linear':
      return { type: 'Linear', inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias, seed: m.seed };
    case 'Embedding':
      return { type: 'Embedding', numEmbeddings: m.numEmbeddings, embeddingDim: m.embeddingDim, paddingIdx: m.paddingIdx ?? null, seed: m.seed };
    case 'Dropout':
      return { type: 'Dropout', p: m.p, seed: m.seed };
    case 'LayerNorm':
      return { type: kind, normalizedShape: m.normalizedShape, eps: m.eps };
    case 'CausalConv1d':
      return { type: kind, channels: m.channels, kernelSize: m.kernelSize, bias: m.bias, seed: m.seed };
    case 'ReLU': case 'GELU':
      return { type: kind };
    case 'Pool':
      return { type: 'Pool', mode: m.mode };
    case 'Sequential': case 'Residual':
      return { type: kind, layers: m.layers.map((l, i) => describe(l, `${path}.layers[${i}]`)) };
    case 'SentimentLSTM':
      return {
        type: 'SentimentLSTM', vocabSize: m.vocabSize, embedDim: m.embedDim, hiddenDim: m.hiddenDim,
        numLayers: m.numLayers, dropout: m.dropout, seed: m.seed,
      };
    default: {
      const name = m?.constructor?.name ?? typeof m;
      throw new RnnError('UNSUPPORTED', `modelSpec: ${path} (${name}) is not a module modelSpec can describe (supported: ${TYPES.join(', ')})`);
    }
  }
}

/**
 * A plain, JSON-serialisable description of a model's architecture:
 * { type, ...constructor options } ({ type: 'Sequential', layers: [...] } for
 * Sequential). No weights: pair it with model.stateDict().
 */
export function modelSpec(model) {
  if (model?.disposed) throw new RnnError('DISPOSED', 'modelSpec: the model was disposed');
  return describe(model, 'model');
}

/**
 * Builds a new model from a spec of modelSpec(), with the classes of `rnn`
 * (the object init() resolves to). The same seeds give the same initial
 * weights as the model the spec was taken from.
 */
export function buildModel(rnn, spec) {
  if (!rnn || typeof rnn.LSTM !== 'function') {
    throw new RnnError('INVALID_ARGUMENT', 'buildModel(rnn, spec): rnn must be the API object init() resolves to');
  }
  return build(rnn, spec, 'spec');
}

function build(rnn, spec, path) {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new RnnError('INVALID_ARGUMENT', `buildModel: ${path} must be an object { type, ...options }, got ${spec === null ? 'null' : typeof spec}`);
  }
  const { type, ...opts } = spec;
  switch (type) {
    case 'RNN': case 'LSTM': case 'GRU': case 'MinGRU': case 'MinLSTM': case 'Linear': case 'Embedding': case 'Dropout':
    case 'LayerNorm': case 'CausalConv1d': case 'ReLU': case 'GELU':
      return new rnn[type](opts);
    case 'Pool':
      return new rnn.Pool(opts);
    case 'SentimentLSTM':
      return new rnn.models.SentimentLSTM(opts);
    case 'Sequential': case 'Residual': {
      const extra = Object.keys(opts).filter((k) => k !== 'layers');
      if (extra.length) throw new RnnError('INVALID_ARGUMENT', `buildModel: ${path}: unknown ${type} option '${extra[0]}' (known: layers)`);
      if (!Array.isArray(opts.layers) || opts.layers.length === 0) {
        throw new RnnError('INVALID_ARGUMENT', `buildModel: ${path}.layers must be a non-empty array of specs`);
      }
      return disposeOnThrow((keep) => new rnn[type](opts.layers.map((s, i) => keep(build(rnn, s, `${path}.layers[${i}]`)))));
    }
    default:
      throw new RnnError('INVALID_ARGUMENT', `buildModel: ${path}.type ${JSON.stringify(type)} is unknown (use ${TYPES.join(', ')})`);
  }
}
