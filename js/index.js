// index.js - rnn-wasm's entry point.
//   import { init } from 'rnn-wasm';
//   const rnn = await init();
//   const lstm = new rnn.LSTM({ inputSize: 8, hiddenSize: 16, seed: 1 });
// Every class and function that needs the engine is defined once at module
// level and takes it (core) first; makeApi binds them to one engine.
import { Fbank, fbank } from './audio.js';
import { bindClass, bindEngine, bindFunction } from './bind.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { Core } from './core.js';
import { CtcStreamDecoder, ctcBeamSearch, ctcGreedy, ngramPrior } from './ctc.js';
import * as data from './data.js';
import { ErrorCode, RnnError } from './errors.js';
import { fit, tbpttBatches } from './fit.js';
import { CausalConv1d, Dropout, Embedding, GELU, LayerNorm, Linear, ReLU } from './layers.js';
import { fetchSource, instantiate, instantiateFrom, relaxedSupported, simdSupported } from './loader.js';
import { bceWithLogits, crossEntropy, ctc, mse } from './losses.js';
import { Adam, AdamW, SGD, clipGradNorm } from './optim.js';
import { int8Files } from './param-module.js';
import { GRU, LSTM, MinGRU, MinLSTM, RNN } from './recurrent.js';
import { resolveThreads } from './threads.js';
import { SentimentLSTM } from './sentiment-lstm.js';
import { Seq2Seq } from './seq2seq.js';
import { Pool, Residual, Sequential } from './sequential.js';
import { parse, serialize } from './safetensors.js';
import { checkTensor, finiteChecks, numel, setFiniteChecks, tensor } from './tensor.js';
import { buildModel, modelSpec } from './spec.js';
import { Trainer, createTrainer } from './trainer.js';

export { ErrorCode, RnnError, relaxedSupported, simdSupported, tensor };
export { parse as parseSafetensors, serialize as serializeSafetensors };
export * as data from './data.js';
export { buildModel, modelSpec, Trainer, createTrainer };
export { CtcStreamDecoder, ctcBeamSearch, ctcGreedy, ngramPrior };

// The TF.js / Keras interop, fetched on first use (not part of init()'s download).
const keras = () => import('./keras.js');
// ONNX import, likewise.
const onnx = () => import('./onnx.js');
// The ONNX export, likewise.
const onnxExport = () => import('./onnx/export.js');
// int8 inference, likewise (and its wasm module, one per engine build).
const int8 = () => import('./int8.js');

function makeApi(core) {
  // Names are given: minifying renames the classes.
  const bound = (Class, name) => bindEngine(Class, core, name);
  // The worker of rnn.Trainer loads the same build as this engine.
  const EngineTrainer = bindClass(Trainer, ([options]) => [options, { build: core.build }], 'Trainer', 1);
  return Object.freeze({
    RNN: bound(RNN, 'RNN'), LSTM: bound(LSTM, 'LSTM'), GRU: bound(GRU, 'GRU'),
    MinGRU: bound(MinGRU, 'MinGRU'), MinLSTM: bound(MinLSTM, 'MinLSTM'),
    Linear: bound(Linear, 'Linear'), Embedding: bound(Embedding, 'Embedding'), Dropout: bound(Dropout, 'Dropout'),
    LayerNorm: bound(LayerNorm, 'LayerNorm'), CausalConv1d: bound(CausalConv1d, 'CausalConv1d'), ReLU, GELU,
    Sequential, Pool, Residual,
    Adam: bound(Adam, 'Adam'), AdamW: bound(AdamW, 'AdamW'), SGD: bound(SGD, 'SGD'),
    clipGradNorm: bindFunction(clipGradNorm, core, 'clipGradNorm'),
    losses: Object.freeze({
      mse: bindFunction(mse, core, 'mse'),
      bceWithLogits: bindFunction(bceWithLogits, core, 'bceWithLogits'),
      crossEntropy: bindFunction(crossEntropy, core, 'crossEntropy'),
      ctc: bindFunction(ctc, core, 'ctc'),
    }),
    models: Object.freeze({
      SentimentLSTM: bindEngine(SentimentLSTM, core, 'SentimentLSTM'),
      Seq2Seq: bindEngine(Seq2Seq, core, 'Seq2Seq'),
    }),
    fit: bindFunction(fit, core, 'fit'),
    /**
     * TF.js / Keras LayersModel import and export (keras.js, fetched on
     * first use): loadLayersModel(url | files | { modelJson, weights } |
     * artifacts, options) -> Promise<LayersModel>; toLayersModel(model) ->
     * Promise<{ modelJson, weightData, files }>.
     */
    loadLayersModel: (source, options) => keras().then((k) => k.loadLayersModel(core, source, options)),
    toLayersModel: (model, options) => keras().then((k) => k.toLayersModel(model, options)),
    /** ONNX import (onnx.js, fetched on first use): loadOnnx(bytes, options) -> Promise<OnnxModel>. */
    loadOnnx: (bytes, options) => onnx().then((m) => m.loadOnnx(core, bytes, options)),
    /** ONNX export (onnx/export.js, fetched on first use): toOnnx(model) -> Promise<Uint8Array>. */
    toOnnx: (model, options) => onnxExport().then((m) => m.toOnnx(model, options)),
    /**
     * int8 inference (int8.js and rnn-int8*.wasm, fetched on first call):
     * after it resolves, quantize(), quantizedStateDict() and int8 state dicts
     * work on every module of this engine.
     */
    loadInt8: () => {
      core.int8Loading ??= int8().then((m) => m.loadInt8(core, { RnnError, checkTensor, numel, fetchSource, instantiateFrom, int8Files }));
      core.int8Loading.catch(() => { core.int8Loading = null; }); // a failed fetch may be retried
      return core.int8Loading;
    },
    tbpttBatches,
    audio: Object.freeze({ fbank: bindFunction(fbank, core, 'fbank'), Fbank: bound(Fbank, 'Fbank') }),
    ctc: Object.freeze({ greedy: ctcGreedy, beamSearch: ctcBeamSearch, StreamDecoder: CtcStreamDecoder, ngramPrior }),
    saveCheckpoint,
    loadCheckpoint,
    tensor,
    data,
    safetensors: Object.freeze({ parse, serialize }),
    RnnError,
    ErrorCode,
    /** JSON description of a model's architecture; buildModel(spec) rebuilds it (spec.js). */
    modelSpec,
    get buildModel() { const api = this; return (a, b) => (b === undefined ? buildModel(api, a) : buildModel(a, b)); },
    /** Training in a worker (trainer.js); the worker loads this same engine build. */
    Trainer: EngineTrainer,
    createTrainer: (options) => new EngineTrainer(options),
    /** 'wasm-relaxed-simd', 'wasm-simd128' or 'wasm-scalar': which engine build is running. */
    backend: BACKENDS[core.build],
    /** 'relaxed', 'simd' or 'scalar': the same, as init({ build }) names it. */
    build: core.build,
    /** Threads this instance computes on: 1, or 1 + its helpers (init({ threads })). */
    threads: core.threads,
    /**
     * { threads, splitCalls, error? }: splitCalls counts the products that ran split
     * over the helpers so far (a helper that was asleep leaves a call alone).
     */
    threadStats: () => ({
      threads: core.threads,
      splitCalls: core.x.rnn_threads_split_calls(),
      // why threads > 1 was asked for and 1 is running, when helpers failed to start
      ...(core.threadsError ? { error: core.threadsError } : {}),
    }),
    /**
     * setCheckFinite(on): scan every float tensor the API takes in (inputs,
     * initial states, gradients, targets, state dicts, stream steps) for
     * NaN / Infinity and throw NON_FINITE naming it. Off by default; one switch
     * for the whole realm. Returns the previous setting.
     */
    setCheckFinite: setFiniteChecks,
    get checkFinite() { return finiteChecks; },
    /** Bytes of wasm linear memory (it grows, never shrinks). */
    memoryBytes: () => core.memory.buffer.byteLength,
  });
}

const BACKENDS = { relaxed: 'wasm-relaxed-simd', simd: 'wasm-simd128', scalar: 'wasm-scalar' };
const memo = new Map();

/**
 * Loads the engine once (memoized per build variant) and returns the API.
 * options.build: 'relaxed' (rnn-relaxed.wasm + rnn-relaxed-kernels.wasm:
 * relaxed SIMD's fused multiply-add; results may differ in the last bits
 * between CPUs), 'simd' (rnn.wasm: bitwise the same results everywhere) or
 * 'scalar'; default: the first this runtime validates (an RnnError
 * UNSUPPORTED when a forced one is missing). options.simd: true is
 * build 'simd', false 'scalar'. options.wasmBinary: the .wasm bytes yourself
 * (default build: simd or scalar); options.locateFile(file): the URL of
 * 'rnn.wasm' / 'rnn-scalar.wasm' / 'rnn-mt.wasm' / 'rnn-relaxed.wasm' /
 * 'rnn-relaxed-kernels.wasm' (and, for rnn.loadInt8(), 'rnn-int8.wasm' /
 * 'rnn-int8-scalar.wasm' / 'rnn-int8-mt.wasm' / 'rnn-int8-relaxed.wasm'). Calls with either
 * of these two load a new instance each time (they are not memoized).
 * options.threads: 1 (default), a count up to 16, or 'auto' (the cores, at
 * most 4): more than 1 loads the multi-threaded build (rnn-mt.wasm) with
 * threads - 1 helper workers when this runtime can share wasm memory (Node;
 * a cross-origin isolated page), else a single-threaded build; `threads`
 * on the result says which (the threaded build is SIMD128: by default it
 * replaces the relaxed one). Results are bitwise the same either way.
 */
export function init(options = {}) {
  try {
    resolveThreads(options.threads); // a bad value fails before any memoized instance is returned
  } catch (e) {
    return Promise.reject(e);
  }
  const load = () => instantiate(options).then(({ instance, build, memory, threads, threadsError }) => {
    const core = new Core(instance, build, memory, threads, threadsError);
    core.locateFile = options.locateFile; // rnn.loadInt8() finds its module the same way
    return makeApi(core);
  });
  if (options.wasmBinary || options.locateFile) return load();
  const key = `${options.build ?? options.simd ?? 'auto'}/${options.threads ?? 1}`;
  if (!memo.has(key)) {
    const p = load();
    p.catch(() => memo.delete(key));
    memo.set(key, p);
  }
  return memo.get(key);
}
