// onnx/export.js - rnn.toOnnx(model): a model as the bytes of an ONNX model
// (IR 8, opset 17), loaded on demand (index.js imports this module the first
// time toOnnx is called). Takes every model buildModel makes: a recurrent
// layer, a Sequential of Embedding, recurrent, Dropout, Pool, Linear,
// LayerNorm (LayerNormalization), CausalConv1d (Pad or Concat, then Conv with
// group = channels), ReLU, GELU (Erf) layers and Residuals (Add), nested too,
// and models.SentimentLSTM. The graph computes the model in
// evaluation mode (Dropout is the identity), with dynamic batch and time axes:
//   inputs   input                float [time, batch, I] / [batch, time, I],
//                                 or int64 ids [batch, time] (an Embedding first)
//            lengths              with lengths: true, int32 [batch], each
//                                 sequence's length (packed sequences)
//            <prefix>h0, c0       with initialStates: true, the initial states of
//                                 each recurrent module, [layers * directions,
//                                 batch, H] (else they start at zero; a graph
//                                 input with a default, i.e. an initializer,
//                                 is not used: onnxruntime's JS APIs ignore
//                                 feeds for those)
//            <prefix>context0     with initialStates: true, each CausalConv1d's
//                                 context (the inputs before t = 0), [batch,
//                                 kernelSize - 1, channels] (else zeros, as a
//                                 fresh sequence; none when kernelSize is 1)
//   outputs  output               the model's output
//            <prefix>hn, cn       each recurrent module's final states
//            <prefix>contextn     each CausalConv1d's next context (its last
//                                 kernelSize - 1 inputs up to each length)
// <prefix> is the module's state_dict prefix ('' for a lone layer, '1.' for
// layers[1] of a Sequential, 'lstm.' in a SentimentLSTM).
//
// From index.js (not errors.js, spec.js): a lazy chunk that reaches the whole
// core leaves the core's chunks as they are (esbuild makes one chunk per set of
// entries sharing code; reaching a part of the core split the part the TF.js
// chunk shares, +0.7 KB gzipped in the core).
import { RnnError, modelSpec } from '../index.js';
import { boolOption, checkKnown } from '../options.js';
import { Graph, float } from './graph.js';
import { exportRecurrent, liveMask, transpose2 } from './recurrent.js';
import { DATA_TYPE } from './schema.js';

const { FLOAT, INT32, INT64 } = DATA_TYPE;
const RECURRENT = ['RNN', 'LSTM', 'GRU', 'MinGRU', 'MinLSTM'];
const refuse = (msg) => { throw new RnnError('UNSUPPORTED', `toOnnx: ${msg}`); };

// The state dict entries under a prefix, keys without it.
const under = (sd, prefix) => Object.fromEntries(Object.entries(sd)
  .filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));

// The graph input a layer list starts from: { x (its name), dims (dynamic axes by name), ids (token ids) }.
function firstInput(g, specs, what) {
  for (const s of specs) {
    switch (s.type) {
      case 'Dropout': continue;
      case 'Sequential': case 'Residual': return firstInput(g, s.layers, what);
      case 'Embedding': return { x: g.input(g.unique('input'), INT64, ['batch', 'time'], 'token ids'), dims: ['batch', 'time'], ids: true };
      case 'Linear': return { x: g.input(g.unique('input'), FLOAT, ['batch', s.inFeatures]), dims: ['batch', s.inFeatures] };
      case 'CausalConv1d': return { x: g.input(g.unique('input'), FLOAT, ['batch', 'time', s.channels]), dims: ['batch', 'time', s.channels] };
      default:
        if (RECURRENT.includes(s.type)) {
          const dims = s.batchFirst ? ['batch', 'time', s.inputSize] : ['time', 'batch', s.inputSize];
          return { x: g.input(g.unique('input'), FLOAT, dims), dims };
        }
        return refuse(`${what}: a ${s.type} cannot come first (nothing before it gives its input)`);
    }
  }
  return refuse(`${what}: no layer takes the input (only Dropout)`);
}

function linear(g, s, sd, x, p) {
  const w = g.weight(`${p}weight_t`, [s.inFeatures, s.outFeatures], transpose2(sd.weight.data, s.outFeatures, s.inFeatures));
  const y = g.op('MatMul', [x, w]);
  return s.bias ? g.op('Add', [y, g.weight(`${p}bias`, [s.outFeatures], sd.bias.data)]) : y;
}

// Pool('final') of a recurrent module's hn: its last layer's states, directions side by side: [B, D * H].
function finalStates(g, r) {
  const last = g.op('Slice', [r.hn, g.ints([(r.L - 1) * r.D]), g.ints([r.L * r.D]), g.ints([0])]);
  return g.op('Reshape', [g.op('Transpose', [last], { perm: [1, 0, 2] }), g.ints([0, -1])]);
}

// Pool('last') with lengths: x[b, lengths[b] - 1] of x [B, T, F].
function lastSteps(g, x, lengths, F) {
  const at = g.op('Reshape', [g.op('Sub', [g.op('Cast', [lengths], { to: INT64 }), g.ints([1])]), g.ints([-1, 1, 1])]);
  const index = g.op('Expand', [at, g.op('Concat', [g.op('Shape', [x], { start: 0, end: 1 }), g.ints([1, F])], { axis: 0 })]);
  return g.op('Squeeze', [g.op('GatherElements', [x, index], { axis: 1 }), g.ints([1])]);
}

// Pool('mean') with lengths: the mean of each sequence's steps.
function maskedMean(g, x, lengths) {
  const live = g.op('Cast', [liveMask(g, x, 1, lengths)], { to: FLOAT });
  const sum = g.op('ReduceSum', [g.op('Mul', [x, live]), g.ints([1])], { keepdims: 0 });
  return g.op('Div', [sum, g.op('Unsqueeze', [g.op('Cast', [lengths], { to: FLOAT }), g.ints([1])])]);
}

// CausalConv1d on x [B, T, C]: y = Conv(group C) over [context or k - 1 zeros; x] on [B, C, P + T]
// (Conv wants channels first), 0 past each length; the next context, rows L .. L + P - 1 of
// [context; x], is a state output like a recurrent module's hn.
function causalConv(g, s, sd, x, p, given, lengths) {
  const { channels: C, kernelSize: K } = s, P = K - 1;
  const ctx = given && P > 0
    ? g.input(g.unique(`${p}context0`), FLOAT, ['batch', P, C], 'the inputs before t = 0 [batch, kernelSize - 1, channels]') : null;
  const xp = ctx ? g.op('Concat', [ctx, x], { axis: 1 }) : P > 0 ? g.op('Pad', [x, g.ints([0, P, 0, 0, 0, 0])]) : x;
  const conv = g.op('Conv', [g.op('Transpose', [xp], { perm: [0, 2, 1] }), g.weight(`${p}weight`, [C, 1, K], sd.weight.data),
    ...(s.bias ? [g.weight(`${p}bias`, [C], sd.bias.data)] : [])], { group: C, kernel_shape: [K] });
  let y = g.op('Transpose', [conv], { perm: [0, 2, 1] });
  if (lengths) y = g.op('Where', [liveMask(g, x, 1, lengths), y, g.scalar(0)]);
  if (P === 0) return { y, context: null };
  let next;
  if (lengths) { // xp[b, L_b + j, c] for j < P
    const at = g.op('Add', [g.op('Reshape', [g.op('Cast', [lengths], { to: INT64 }), g.ints([-1, 1, 1])]),
      g.op('Reshape', [g.ints(Array.from({ length: P }, (_, j) => j)), g.ints([1, P, 1])])]);
    const index = g.op('Expand', [at, g.op('Concat', [g.op('Shape', [x], { start: 0, end: 1 }), g.ints([P, C])], { axis: 0 })]);
    next = g.op('GatherElements', [xp, index], { axis: 1 }, [g.unique(`${p}contextn`)]);
  } else {
    next = g.op('Slice', [xp, g.ints([-P]), g.ints([2 ** 31 - 1]), g.ints([1])], {}, [g.unique(`${p}contextn`)]);
  }
  return { y, context: next, P, C };
}

// Adds the nodes of a list of layers (a Sequential's); cur: { x, dims }.
function layers(g, specs, sd, prefix, cur, states, what, given, lengths) {
  let prev = null; // the last recurrent module's result, for Pool('final')
  specs.forEach((s, i) => {
    const p = `${prefix}${i}.`, here = `${what}.layers[${i}] (${s.type})`;
    const last = cur.dims[cur.dims.length - 1];
    const needs = (F, kind) => {
      if (cur.ids) refuse(`${here}: takes ${kind} but gets token ids (an Embedding must come first)`);
      if (last !== F) refuse(`${here}: takes ${F} features but the layer before gives ${last}`);
    };
    switch (s.type) {
      case 'Dropout': break; // the identity in evaluation mode
      case 'Embedding':
        if (!cur.ids) refuse(`${here}: an Embedding must come first (it takes token ids)`);
        cur = { x: g.op('Gather', [g.weight(`${p}weight`, [s.numEmbeddings, s.embeddingDim], sd[`${i}.weight`].data), cur.x], { axis: 0 }), dims: [...cur.dims, s.embeddingDim] };
        break;
      case 'Linear':
        needs(s.inFeatures, 'features');
        cur = { x: linear(g, s, under(sd, `${i}.`), cur.x, p), dims: [...cur.dims.slice(0, -1), s.outFeatures] };
        break;
      case 'Pool': {
        if (cur.dims.length !== 3) refuse(`${here}: takes [batch, time, features]`);
        let x;
        if (s.mode === 'final') {
          if (!prev || prev.index !== i - 1) refuse(`${here}: Pool('final') must follow a recurrent layer`);
          x = finalStates(g, prev);
          cur = { x, dims: ['batch', prev.D * prev.P] };
          break;
        }
        if (lengths) x = (s.mode === 'mean' ? maskedMean : lastSteps)(g, cur.x, lengths, last);
        else if (s.mode === 'mean') x = g.op('ReduceMean', [cur.x], { axes: [1], keepdims: 0 });
        else x = g.op('Gather', [cur.x, g.ints([-1], true)], { axis: 1 }); // 'last'
        cur = { x, dims: ['batch', last] };
        break;
      }
      case 'Sequential':
        cur = layers(g, s.layers, under(sd, `${i}.`), p, cur, states, here, given, lengths);
        break;
      case 'Residual': { // x + layers(x)
        const inner = layers(g, s.layers, under(sd, `${i}.`), p, cur, states, here, given, lengths);
        if (inner.dims.join() !== cur.dims.join()) refuse(`${here}: its layers must keep the shape [${cur.dims}], got [${inner.dims}]`);
        cur = { ...cur, x: g.op('Add', [cur.x, inner.x]) };
        break;
      }
      case 'LayerNorm':
        needs(s.normalizedShape, 'features');
        cur = { ...cur, x: g.op('LayerNormalization', [cur.x, g.weight(`${p}weight`, [last], sd[`${i}.weight`].data),
          g.weight(`${p}bias`, [last], sd[`${i}.bias`].data)], { axis: -1, epsilon: float(s.eps) }) };
        break;
      case 'CausalConv1d': {
        needs(s.channels, 'features');
        if (cur.dims.length !== 3) refuse(`${here}: takes [batch, time, features]`);
        const r = causalConv(g, s, under(sd, `${i}.`), cur.x, p, given, lengths);
        if (r.context) states.push(r);
        cur = { ...cur, x: r.y };
        break;
      }
      case 'ReLU':
        needs(last, 'features');
        cur = { ...cur, x: g.op('Relu', [cur.x]) };
        break;
      case 'GELU': // x (1 + erf(x / sqrt 2)) / 2 (Gelu is opset 20)
        needs(last, 'features');
        cur = { ...cur, x: g.op('Mul', [g.op('Mul', [cur.x, g.scalar(0.5)]),
          g.op('Add', [g.op('Erf', [g.op('Mul', [cur.x, g.scalar(Math.SQRT1_2)])]), g.scalar(1)])]) };
        break;
      default: {
        if (!RECURRENT.includes(s.type)) refuse(`${here}: not exportable`);
        needs(s.inputSize, 'features');
        if (cur.dims.length !== 3) refuse(`${here}: takes [batch, time, features]`);
        const r = exportRecurrent(g, s, under(sd, `${i}.`), cur.x, p, given, lengths);
        states.push(r);
        prev = { ...r, index: i };
        cur = { x: r.y, dims: [...cur.dims.slice(0, 2), r.D * r.P] };
      }
    }
  });
  return cur;
}

/**
 * model -> the bytes of an ONNX model (Uint8Array) computing it in evaluation
 * mode. options: { initialStates (false: states start at zero; true: graph
 * inputs <prefix>h0 / c0 / context0), lengths (true: an int32 input 'lengths' [batch],
 * as forward's lengths), docString (the model's doc_string) }. A model ONNX cannot
 * take is refused with an RnnError naming the layer.
 */
export function toOnnx(model, options = {}) {
  if (model === null || typeof model !== 'object') throw new RnnError('INVALID_ARGUMENT', 'toOnnx: model must be an rnn-wasm model');
  if (model.disposed) throw new RnnError('DISPOSED', 'toOnnx: the model was disposed');
  checkKnown(options ?? {}, ['initialStates', 'lengths', 'docString'], 'toOnnx');
  const given = boolOption(options ?? {}, 'initialStates', 'toOnnx', false);
  const withLengths = boolOption(options ?? {}, 'lengths', 'toOnnx', false);
  const docString = options?.docString;
  if (docString !== undefined && typeof docString !== 'string') throw new RnnError('INVALID_ARGUMENT', 'toOnnx: docString must be a string');
  const spec = modelSpec(model); // UNSUPPORTED for a module it cannot describe
  const sd = model.stateDict();
  const g = new Graph('rnn_wasm');
  const states = [];
  let out, lengths = null;
  const takeLengths = () => {
    if (withLengths) lengths = g.input(g.unique('lengths'), INT32, ['batch'], 'each sequence\'s length, in [1, time]');
  };
  if (RECURRENT.includes(spec.type)) {
    const { x, dims } = firstInput(g, [spec], spec.type);
    takeLengths();
    const r = exportRecurrent(g, spec, sd, x, '', given, lengths);
    states.push(r);
    out = { x: r.y, dims: [...dims.slice(0, 2), r.D * r.P] };
  } else if (spec.type === 'Sequential') {
    const first = firstInput(g, spec.layers, 'Sequential');
    takeLengths();
    out = layers(g, spec.layers, sd, '', first, states, 'Sequential', given, lengths);
  } else if (spec.type === 'SentimentLSTM') {
    // embedding -> bidirectional LSTM (batch first) -> cat(h_n[-2], h_n[-1]) -> fc -> [B]
    const { vocabSize, embedDim, hiddenDim, numLayers } = spec;
    const ids = g.input(g.unique('input'), INT64, ['batch', 'time'], 'token ids');
    takeLengths();
    const emb = g.op('Gather', [g.weight('embedding.weight', [vocabSize, embedDim], sd['embedding.weight'].data), ids], { axis: 0 });
    const lstm = { type: 'LSTM', inputSize: embedDim, hiddenSize: hiddenDim, numLayers, bias: true, batchFirst: true, bidirectional: true };
    const r = exportRecurrent(g, lstm, under(sd, 'lstm.'), emb, 'lstm.', given, lengths);
    states.push(r);
    const h = finalStates(g, r);
    const fc = { inFeatures: 2 * hiddenDim, outFeatures: 1, bias: true };
    out = { x: g.op('Reshape', [linear(g, fc, under(sd, 'fc.'), h, 'fc.'), g.ints([-1])]), dims: ['batch'] };
  } else {
    refuse(`a ${spec.type} alone is not a model to export (export it inside a Sequential)`);
  }
  g.output(g.op('Identity', [out.x], {}, [g.unique('output')]), FLOAT, out.dims);
  for (const r of states) {
    if (r.context) {
      g.output(r.context, FLOAT, ['batch', r.P, r.C]);
      continue;
    }
    g.output(r.hn, FLOAT, [r.L * r.D, 'batch', r.P]);
    if (r.cn) g.output(r.cn, FLOAT, [r.L * r.D, 'batch', r.H]);
  }
  return g.toModel({ docString });
}
