// keras/export.js - a model -> the TensorFlow.js LayersModel format
// (model.json + one weights.bin) that tf.loadLayersModel reads. Takes a
// LayersModel (imported, maybe trained further here) or a native rnn-wasm
// model (a recurrent layer, or a Sequential of Embedding, RNN / LSTM /
// Dropout, Pool and Linear layers). A model TF.js cannot represent is
// refused, saying why.
import { RnnError } from '../errors.js';
import { modelSpec } from '../spec.js';
import { TORCH_FROM_KERAS, biasReorder, kernelToKeras } from './weights.js';

const refuse = (msg) => { throw new RnnError('UNSUPPORTED', `toLayersModel: ${msg}`); };
const CLASS = { RNN_TANH: 'SimpleRNN', RNN_RELU: 'SimpleRNN', LSTM: 'LSTM', GRU: 'GRU' };
const CELL = { RNN_TANH: 'RNN', RNN_RELU: 'RNN', LSTM: 'LSTM', GRU: 'GRU' };

// One direction of layer l of a recurrent module's state dict -> Keras weights.
function cellWeights(sd, mode, l, suffix, I, H, bias) {
  const order = TORCH_FROM_KERAS[CELL[mode]], G = order.length;
  const w = {
    kernel: { shape: [I, G * H], data: kernelToKeras(sd[`weight_ih_l${l}${suffix}`].data, I, H, order) },
    recurrent_kernel: { shape: [H, G * H], data: kernelToKeras(sd[`weight_hh_l${l}${suffix}`].data, H, H, order) },
  };
  if (bias) {
    const b = Float32Array.from(sd[`bias_ih_l${l}${suffix}`].data, (v, i) => v + sd[`bias_hh_l${l}${suffix}`].data[i]);
    w.bias = { shape: [G * H], data: biasReorder(b, H, order, false) };
  }
  return w;
}

const pytorchGruWhy = 'a GRU in PyTorch\'s form (the reset gate applied after the recurrent product, Keras reset_after=True) cannot be represented: TF.js\'s GRU has only reset_after=False (tfjs issues #4621, #5728). Export it as safetensors (rnn.safetensors.serialize(model.stateDict()), for PyTorch) instead';

/**
 * Keras layers of one recurrent module: { mode, inputSize, hiddenSize,
 * numLayers, bias, bidirectional, projSize, dropout } + its state dict.
 */
function recurrentLayers(m, sd, names, { returnSequences, goBackwards = false, merge = 'concat' }) {
  if (m.projSize > 0) refuse(`${names.what}: an LSTM with projSize has no Keras equivalent`);
  if (m.mode === 'GRU' && m.resetAfter !== false) refuse(`${names.what}: ${pytorchGruWhy}`);
  const gate = { sigmoid: 'sigmoid', hardSigmoid: 'hard_sigmoid' }[m.gateActivation ?? 'sigmoid'];
  if (!gate) refuse(`${names.what}: gateActivation '${m.gateActivation}' (Keras 3's hard sigmoid) has no TF.js form (TF.js's hard_sigmoid is clip(0.2x + 0.5, 0, 1))`);
  const out = [];
  let I = m.inputSize;
  const H = m.hiddenSize;
  for (let l = 0; l < m.numLayers; l++) {
    const cls = CLASS[m.mode];
    const config = { name: names.next(cls), units: H, activation: m.mode === 'RNN_RELU' ? 'relu' : 'tanh', use_bias: m.bias,
      return_sequences: l < m.numLayers - 1 || returnSequences, go_backwards: goBackwards };
    if (cls !== 'SimpleRNN') config.recurrent_activation = gate;
    if (cls === 'GRU') config.reset_after = false;
    if (m.bidirectional) {
      const bidi = names.next('Bidirectional');
      out.push({
        class_name: 'Bidirectional', config: { name: bidi, merge_mode: merge, layer: { class_name: cls, config } },
        weights: [['forward', ''], ['backward', '_reverse']].flatMap(([dir, sfx]) =>
          Object.entries(cellWeights(sd, m.mode, l, sfx, I, H, m.bias)).map(([k, t]) => [`${bidi}/${dir}_${config.name}/${k}`, t])),
      });
    } else {
      out.push({ class_name: cls, config, weights: Object.entries(cellWeights(sd, m.mode, l, '', I, H, m.bias)).map(([k, t]) => [`${config.name}/${k}`, t]) });
    }
    I = (m.bidirectional && merge === 'concat' ? 2 : 1) * H;
    if (l < m.numLayers - 1 && m.dropout > 0) out.push({ class_name: 'Dropout', config: { name: names.next('Dropout'), rate: m.dropout }, weights: [] });
  }
  return out;
}

function dense(name, linearSd, inF, outF, bias, activation, timeDistributed) {
  if (activation === 'hard_sigmoid_keras3') refuse(`layer '${name}': Keras 3's hard_sigmoid (relu6(x + 3) / 6) has no TF.js form`);
  const w = [[`${name}/kernel`, { shape: [inF, outF], data: kernelToKeras(linearSd.weight.data, inF, outF, [0]) }]];
  if (bias) w.push([`${name}/bias`, linearSd.bias]);
  const config = { name, units: outF, activation, use_bias: bias };
  return timeDistributed
    ? { class_name: 'TimeDistributed', config: { name, layer: { class_name: 'Dense', config: { ...config, name: `${name}_dense` } } }, weights: w }
    : { class_name: 'Dense', config, weights: w };
}

function namer(what) {
  const used = new Map();
  return {
    what,
    next(cls) {
      const base = cls.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
      const k = (used.get(base) ?? 0) + 1;
      used.set(base, k);
      return `${base}_${k}`;
    },
  };
}

// The layers of an imported LayersModel, from its steps.
function fromLayersModel(model) {
  const names = namer('model');
  const layers = [];
  for (const op of model.ops) {
    const what = `layer '${op.name}' (${op.className})`;
    const m = op.module;
    switch (op.className) {
      case 'Embedding': {
        const name = names.next('Embedding');
        layers.push({ class_name: 'Embedding', config: { name, input_dim: m.numEmbeddings, output_dim: m.embeddingDim, mask_zero: op.maskZero }, weights: [[`${name}/embeddings`, m.stateDict().weight]] });
        break;
      }
      case 'SimpleRNN': case 'LSTM': case 'GRU': case 'Bidirectional':
        layers.push(...recurrentLayers(m, m.stateDict(), { ...names, what, next: names.next }, { returnSequences: op.returnSequences, goBackwards: op.goBackwards, merge: op.merge }));
        break;
      case 'Dense': case 'TimeDistributed':
        layers.push(dense(names.next(op.className), m.stateDict(), m.inFeatures, m.outFeatures, m.bias, op.activation, op.timeDistributed));
        break;
      case 'Activation':
        if (op.activation === 'hard_sigmoid_keras3') refuse(`${what}: Keras 3's hard_sigmoid (relu6(x + 3) / 6) has no TF.js form`);
        layers.push({ class_name: 'Activation', config: { name: names.next('Activation'), activation: op.activation }, weights: [] }); break;
      case 'Masking': layers.push({ class_name: 'Masking', config: { name: names.next('Masking'), mask_value: op.maskValue }, weights: [] }); break;
      case 'Dropout': case 'SpatialDropout1D': layers.push({ class_name: op.className, config: { name: names.next(op.className), rate: m.p }, weights: [] }); break;
      default: layers.push({ class_name: op.className, config: { name: names.next(op.className) }, weights: [] });
    }
  }
  return { layers, input: model.inputShape };
}

// The layers of a native model, from its modelSpec and state dict.
function fromNative(model) {
  const spec = modelSpec(model);
  const sd = model.stateDict();
  const list = spec.type === 'Sequential' ? spec.layers : [spec];
  const prefix = (i) => (spec.type === 'Sequential' ? `${i}.` : '');
  const sub = (i) => Object.fromEntries(Object.entries(sd).filter(([k]) => k.startsWith(prefix(i))).map(([k, v]) => [k.slice(prefix(i).length), v]));
  const mods = spec.type === 'Sequential' ? model.layers : [model];
  const names = namer('model');
  const layers = [];
  let input = null;
  list.forEach((s, i) => {
    const what = spec.type === 'Sequential' ? `layers[${i}] (${s.type})` : s.type;
    const next = list[i + 1];
    switch (s.type) {
      case 'Embedding': {
        if (i !== 0) refuse(`${what}: an Embedding must come first`);
        input = [null, null];
        const name = names.next('Embedding');
        layers.push({ class_name: 'Embedding', config: { name, input_dim: s.numEmbeddings, output_dim: s.embeddingDim, mask_zero: s.paddingIdx === 0 }, weights: [[`${name}/embeddings`, sub(i).weight]] });
        break;
      }
      case 'RNN': case 'LSTM': case 'GRU': {
        if (i === 0) input = [null, null, s.inputSize];
        const pool = next?.type === 'Pool' ? next.mode : null;
        if (pool === 'last' && s.bidirectional) refuse(`${what}: Pool('last') after a bidirectional layer (the reverse direction's output at the last step) has no Keras equivalent; use Pool('final')`);
        layers.push(...recurrentLayers({ ...s, mode: mods[i].mode, gateActivation: mods[i].gateActivation, resetAfter: mods[i].resetAfter }, sub(i), { ...names, what, next: names.next },
          { returnSequences: !(pool === 'last' || pool === 'final') }));
        if (pool === 'mean') layers.push({ class_name: 'GlobalAveragePooling1D', config: { name: names.next('GlobalAveragePooling1D') }, weights: [] });
        break;
      }
      case 'Pool':
        if (list[i - 1] && !['RNN', 'LSTM', 'GRU'].includes(list[i - 1].type)) refuse(`${what}: a Pool must follow a recurrent layer`);
        break;
      case 'Dropout':
        layers.push({ class_name: 'Dropout', config: { name: names.next('Dropout'), rate: s.p }, weights: [] });
        break;
      case 'Linear':
        if (i === 0) input = [null, s.inFeatures];
        layers.push(dense(names.next('Dense'), sub(i), s.inFeatures, s.outFeatures, s.bias, 'linear', false));
        break;
      case 'CausalConv1d':
        refuse(`${what}: TF.js 4.22 has no depthwise 1-D convolution (Conv1D takes no groups; there is no DepthwiseConv1D), so a CausalConv1d has no TF.js layer. Export the model with toOnnx or as safetensors (PyTorch: tools/min_rnn.py CausalConv1d) instead`);
        break;
      default:
        refuse(`${what} has no TF.js layer here (supported: Embedding, RNN, LSTM, Dropout, Pool, Linear in a Sequential)`);
    }
  });
  return { layers, input };
}

/**
 * model -> { modelJson (object), weightData (Uint8Array, little-endian
 * float32), files: { 'model.json': Uint8Array, 'weights.bin': Uint8Array } }.
 * tf.loadLayersModel(tf.io.fromMemory(modelJson.modelTopology,
 * modelJson.weightsManifest[0].weights, weightData.buffer)) or the files
 * served side by side load it.
 */
export function toLayersModel(model, options = {}) {
  if (model === null || typeof model !== 'object') throw new RnnError('INVALID_ARGUMENT', 'toLayersModel: model must be an rnn-wasm model');
  if (model.disposed) throw new RnnError('DISPOSED', 'toLayersModel: the model was disposed');
  const weightsPath = options.weightsPath ?? 'weights.bin';
  const { layers, input } = Array.isArray(model.ops) ? fromLayersModel(model) : fromNative(model);
  if (!layers.length) refuse('the model has no layers');
  if (input) layers[0].config.batch_input_shape = input;
  const specs = [], parts = [];
  for (const l of layers) {
    for (const [name, t] of l.weights) {
      specs.push({ name, shape: [...t.shape], dtype: 'float32' });
      parts.push(t.data);
    }
  }
  const weightData = new Uint8Array(parts.reduce((a, p) => a + 4 * p.length, 0));
  const dv = new DataView(weightData.buffer);
  let at = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++, at += 4) dv.setFloat32(at, p[i], true);
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'rnn-wasm',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: 'sequential', layers: layers.map(({ class_name, config }) => ({ class_name, config })) },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [weightsPath], weights: specs }],
  };
  return { modelJson, weightData, files: { 'model.json': new TextEncoder().encode(JSON.stringify(modelJson)), [weightsPath]: weightData } };
}
