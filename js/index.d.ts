/// <reference lib="esnext.disposable" />
// Type declarations for rnn-wasm (hand-written; keep in step with js/*.js).
// One section per source file, in the order a model is built and trained;
// each section adds its members to the Rnn interface (the API object).

// ---- tensors and errors (js/tensor.js, js/errors.js) ----

/** A tensor crossing the API: PyTorch's row-major layout, float32 data. */
export interface Tensor {
  shape: number[];
  data: Float32Array;
}

export type ErrorCodeName =
  | 'INVALID_ARGUMENT'
  | 'SHAPE'
  | 'DTYPE'
  | 'STATE'
  | 'OUT_OF_MEMORY'
  | 'UNSUPPORTED'
  | 'DISPOSED'
  | 'FORMAT'
  | 'NON_FINITE';

export declare const ErrorCode: Readonly<{ [K in ErrorCodeName]: K }>;

/**
 * The error the library throws for bad input, misuse and resource limits;
 * `code` says what kind of problem. Not everything that can be thrown is one:
 * init()'s load failures are the platform's errors (a plain Error such as
 * 'could not fetch <url>: HTTP 404', a Node fs error, a
 * WebAssembly.CompileError), and errors thrown by your own callbacks
 * (onProgress, onCheckpoint, onToken, a loss or schedule function) pass
 * through unchanged.
 */
export declare class RnnError extends Error {
  constructor(code: ErrorCodeName, message: string);
  readonly name: 'RnnError';
  readonly code: ErrorCodeName;
}

/**
 * A new tensor (shape is copied). Without data: zero-filled. A Float32Array
 * data is used as is, NOT copied (the tensor shares it); any other array-like
 * or iterable is copied into a new Float32Array. data.length must equal the
 * product of shape (else RnnError 'SHAPE').
 */
export declare function tensor(shape: readonly number[], data?: ArrayLike<number> | Iterable<number>): Tensor;

// ---- safetensors files (js/safetensors.js) ----

/** The element types of the safetensors format (safetensors' names). */
export type SafetensorsDtype =
  | 'BOOL' | 'U8' | 'I8' | 'F8_E5M2' | 'F8_E4M3' | 'I16' | 'U16' | 'F16' | 'BF16'
  | 'I32' | 'U32' | 'F32' | 'F64' | 'I64' | 'U64';

/** The typed arrays safetensors tensors are read into / written from. */
export type SafetensorsData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/**
 * A tensor read from a safetensors file. data is a fresh aligned copy:
 * Float32Array for F32, F64 (rounded), F16, BF16, F8_E4M3, F8_E5M2; Int8Array,
 * Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array for I8 ... U32;
 * BigInt64Array / BigUint64Array for I64 / U64; Uint8Array for BOOL.
 */
export interface SafetensorsTensor<D extends SafetensorsData = Float32Array> {
  /** The dtype in the file (the data may have been converted, see above). */
  dtype: SafetensorsDtype;
  shape: number[];
  data: D;
}

/**
 * What safetensors.parse returns: the tensors by name (enumerable, file order)
 * and the header's __metadata__ (non-enumerable; null when the file has none).
 * D is the data type you expect: the default, Float32Array, fits every float
 * file and lets the result go straight into loadStateDict; it is not checked
 * at compile time (files with integer tensors: use SafetensorsData).
 */
export type SafetensorsFile<D extends SafetensorsData = Float32Array> =
  { [name: string]: SafetensorsTensor<D> } &
  { readonly __metadata__: Record<string, string> | null };

/** A tensor to write: without dtype, data's type decides (Float32Array: F32, ...). */
export interface SafetensorsInput {
  shape: number[];
  data: SafetensorsData;
  /** Convert to this dtype (F16 / BF16 / F8 round to nearest even, as PyTorch). */
  dtype?: SafetensorsDtype;
}

/**
 * Reads safetensors bytes. Malformed files throw RnnError 'FORMAT' (dtypes
 * of the format this version cannot decode: 'UNSUPPORTED'); nothing the
 * header claims is allocated before it is checked against the file.
 */
export declare function parseSafetensors<D extends SafetensorsData = Float32Array>(
  bytes: Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView): SafetensorsFile<D>;

/**
 * Writes tensors (and optional string metadata) as safetensors bytes, exactly
 * as safetensors.torch.save_file does: e.g. serializeSafetensors(model.stateDict()).
 */
export declare function serializeSafetensors(
  tensors: Record<string, SafetensorsInput> | Map<string, SafetensorsInput>,
  metadata?: Record<string, string> | null): Uint8Array;

// ---- init: loading the engine (js/index.js, js/loader.js, js/threads.js) ----

/** Whether this runtime supports WebAssembly SIMD128 (the fast build). */
export declare function simdSupported(): boolean;
/** Whether this runtime supports WebAssembly relaxed SIMD (the relaxed build; Node 20: --experimental-wasm-relaxed-simd). */
export declare function relaxedSupported(): boolean;

/** The engine builds: relaxed SIMD (fused multiply-add), SIMD128, scalar. */
export type EngineBuild = 'relaxed' | 'simd' | 'scalar';

export interface InitOptions {
  /**
   * Force a build: 'relaxed' (rnn-relaxed.wasm + rnn-relaxed-kernels.wasm;
   * results may differ from SIMD128's in the last bits, and between CPUs),
   * 'simd' (rnn.wasm: bitwise the same results in every runtime) or 'scalar'.
   * Default: the first this runtime validates (relaxed with no wasmBinary
   * and no threads). A forced build the runtime lacks rejects with RnnError
   * UNSUPPORTED; an unknown one with INVALID_ARGUMENT.
   */
  build?: EngineBuild;
  /** true: build 'simd'; false: build 'scalar'. */
  simd?: boolean;
  /** The .wasm bytes, when you load them yourself (not memoized); set build to match them (relaxed: the engine's, the kernels come through locateFile). */
  wasmBinary?: ArrayBuffer | ArrayBufferView;
  /** Where each .wasm lives, for custom hosting (not memoized). */
  locateFile?: (file: 'rnn.wasm' | 'rnn-scalar.wasm' | 'rnn-mt.wasm' | 'rnn-relaxed.wasm' | 'rnn-relaxed-kernels.wasm'
    | 'rnn-int8.wasm' | 'rnn-int8-scalar.wasm' | 'rnn-int8-mt.wasm' | 'rnn-int8-relaxed.wasm') => string | URL;
  /**
   * Threads to compute on: 1 (default), up to 16, or 'auto' (the cores, at
   * most 4). Above 1, the multi-threaded build (rnn-mt.wasm) starts
   * threads - 1 helper workers (threads-helper.js) when the runtime can share
   * wasm memory: Node, or a cross-origin isolated page (COOP same-origin +
   * COEP require-corp). Elsewhere the single-threaded build runs; the API's
   * `threads` says which. Results are bitwise the same either way.
   * Anything else rejects with RnnError INVALID.
   */
  threads?: number | 'auto';
}

/** What threadStats() reports. */
export interface ThreadStats {
  /** Threads computing: 1, or 1 + running helpers. */
  threads: number;
  /** Products split over the helpers so far (a helper that was asleep leaves a call to the caller). */
  splitCalls: number;
  /** Why helpers could not start, when threads > 1 was asked for and 1 runs. */
  error?: string;
}

/**
 * Loads the engine (memoized per build, unless wasmBinary / locateFile is
 * given) and returns the API bound to it. Load failures reject with the
 * platform's error, not an RnnError (see RnnError).
 */
export declare function init(options?: InitOptions): Promise<Rnn>;

// ---- what every module with parameters shares (js/param-module.js) ----

/** One parameter tensor of a module, as given to optimizers. */
export interface Parameter {
  readonly module: Module;
  readonly name: string;
  readonly shape: number[];
  readonly numel: number;
  /** Floats from the start of its module's parameter block. */
  readonly offset: number;
  /** A copy of the current values. */
  readonly data: Float32Array;
  /** A copy of the accumulated gradient. */
  readonly grad: Float32Array;
}

export type StateDict = Record<string, Tensor>;

/** What every module with parameters has. */
export interface Module {
  /** Number of parameters (floats). */
  readonly numParams: number;
  readonly disposed: boolean;
  readonly training: boolean;
  parameters(): Parameter[];
  /** Copies of the parameters under PyTorch's state_dict names and shapes. */
  stateDict(): StateDict;
  /** Copies of the accumulated gradients, same names as stateDict(). */
  grads(): StateDict;
  /**
   * Sets all parameters; rejects missing, unexpected or mis-shaped keys and then changes nothing.
   * int8 weights ('<name>' I8 with their row scales in 'scales', see quantizedStateDict, or in the first
   * layout's '<name>.scale') load as scale * q and quantize the module (they need `await rnn.loadInt8()`
   * first, else STATE).
   */
  loadStateDict(sd: StateDict | Record<string, { dtype?: string; shape: number[]; data: Float32Array | Int8Array }>): this;
  /**
   * int8 inference (after `await rnn.loadInt8()`, else STATE): every weight matrix becomes int8 with a
   * bfloat16 scale per row (values scale * q) and the other floats (biases) bfloat16; forward products run
   * in int8 (the relaxed build quantizes activation rows to 7 bits: results close to, not equal to, the
   * other builds'); training then throws STATE. Non-finite weights throw and change nothing.
   */
  quantize(): this;
  /** Back to float32 products (the values stay scale * q). */
  dequantize(): this;
  readonly quantized: boolean;
  /**
   * stateDict(), of a quantized module as int8 files hold it: each weight { dtype: 'I8', shape, data: Int8Array },
   * every row's scale in one 'scales' { dtype: 'BF16', shape: [rows of all I8 tensors], data: Float32Array }
   * (the I8 tensors in name order), the other tensors dtype 'BF16' (exact).
   */
  quantizedStateDict(): Record<string, { dtype?: 'I8' | 'BF16'; shape: number[]; data: Float32Array | Int8Array }>;
  zeroGrad(): void;
  train(mode?: boolean): this;
  eval(): this;
  /** Frees the wasm memory; idempotent; later use throws DISPOSED. */
  dispose(): void;
  [Symbol.dispose](): void;
}

// ---- RNN, LSTM, GRU (js/recurrent.js) ----

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  /** Default 1. */
  numLayers?: number;
  /** Default true: both bias_ih and bias_hh. */
  bias?: boolean;
  /** Default false: x is [T, B, inputSize]; true: [B, T, inputSize]. */
  batchFirst?: boolean;
  /** Dropout on each layer's output but the last, in training mode; [0, 1), default 0. */
  dropout?: number;
  /** Default false. */
  bidirectional?: boolean;
  /** Seed of the weight init (unsigned 32-bit); default random. */
  seed?: number;
}

export interface RNNOptions extends RecurrentOptions {
  /** Default 'tanh'. */
  nonlinearity?: 'tanh' | 'relu';
}

/**
 * The gates' squashing function (i, f, o of an LSTM; r, z of a GRU):
 * 'sigmoid' (default); 'hardSigmoid', clip(0.2 x + 0.5, 0, 1) as TF.js and
 * Keras 2 define it (TF.js's LSTM/GRU default); 'hardSigmoidKeras3',
 * relu6(x + 3) / 6 as Keras 3 (and torch's Hardsigmoid) define it. A hard
 * sigmoid's derivative is its slope (0.2, 1/6) where the gate is strictly
 * between 0 and 1, else 0.
 */
export type GateActivation = 'sigmoid' | 'hardSigmoid' | 'hardSigmoidKeras3';

export interface LSTMOptions extends RecurrentOptions {
  /** 0 (default) or P < hiddenSize: h_t = W_hr (o * tanh(c_t)) has P features. */
  projSize?: number;
  /** Default 'sigmoid'. */
  gateActivation?: GateActivation;
}

export interface GRUOptions extends RecurrentOptions {
  /** Default 'sigmoid'. */
  gateActivation?: GateActivation;
  /**
   * Default true: PyTorch's GRU, n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
   * (Keras reset_after=True). false: n = tanh(W_in x + b_in + W_hn (r * h) + b_hn)
   * (Keras reset_after=False, TF.js's GRU, ONNX linear_before_reset=0). Same parameters.
   */
  resetAfter?: boolean;
}

export interface ForwardState {
  /**
   * [numLayers * D, B, Hout] (Hout = projSize or hiddenSize; never batch
   * first), [numLayers * D, Hout] for an unbatched x; default zeros.
   */
  h0?: Tensor;
  /** LSTM only: [numLayers * D, B, hiddenSize] ([numLayers * D, hiddenSize] unbatched); default zeros. */
  c0?: Tensor;
  /**
   * One length in [1, T] per batch entry, any order: pack_padded_sequence
   * semantics (each sequence runs over its own steps only, outputs past its
   * length are 0, hN/cN are its true final states).
   */
  lengths?: readonly number[] | Int32Array;
  /**
   * Also return `taps`: every unit's per-step internals (copies). Default
   * false; costs nothing when off.
   */
  taps?: boolean;
  /**
   * false: do not copy `output` out (it is not returned), for callers that
   * read only hN/cN; backward still works (dOutput or dhN/dcN). Default true.
   */
  output?: boolean;
}

/** forward(x, { output: false }) returns the final states only. */
export type NoOutput<R> = Omit<R, 'output'>;

export interface ForwardResult<K extends TapRecord<Tensor> = TapRecord<Tensor>> {
  /**
   * [T, B, D * Hout] ([B, T, D * Hout] with batchFirst, [T, D * Hout] for an
   * unbatched x); forward direction's features first.
   */
  output: Tensor;
  /**
   * [numLayers * D, B, Hout] (never batch first; [numLayers * D, Hout] for an
   * unbatched x), index layer * D + direction.
   */
  hN: Tensor;
  /** LSTM only: [numLayers * D, B, hiddenSize] ([numLayers * D, hiddenSize] unbatched). */
  cN?: Tensor;
  /**
   * With { taps: true }: per layer and direction (index layer * D +
   * direction), each tensor over all steps shaped like output ([T, B, H],
   * [B, T, H] with batchFirst, [T, H] unbatched; h has outputSize
   * features); zeros past a sequence's length.
   */
  taps?: K[];
}

// ---- streaming inference and gate taps (js/stream.js) ----

/** LSTM internals of one layer: gate activations, cell state, output. */
export interface LSTMTaps<T = Float32Array> { i: T; f: T; g: T; o: T; c: T; h: T; }
/** GRU internals of one layer: reset, update and new gates, output. */
export interface GRUTaps<T = Float32Array> { r: T; z: T; n: T; h: T; }
/** Elman RNN internals of one layer: its output. */
export interface RNNTaps<T = Float32Array> { h: T; }
/** minGRU internals of one layer: update gate, candidate h~, output. */
export interface MinGRUTaps<T = Float32Array> { z: T; htilde: T; h: T; }
/** minLSTM internals of one layer: forget and input gates (before normalisation), candidate h~, output. */
export interface MinLSTMTaps<T = Float32Array> { f: T; i: T; htilde: T; h: T; }
export type TapRecord<T = Float32Array> = LSTMTaps<T> | GRUTaps<T> | RNNTaps<T> | MinGRUTaps<T> | MinLSTMTaps<T>;

export interface StreamOptions {
  /** Sequences run side by side; default 1. */
  batch?: number;
  /** Keep each layer's internals for taps(); default false. */
  taps?: boolean;
}

export interface StreamState {
  /** [numLayers, batch, outputSize]. */
  h: Tensor;
  /** LSTM only: [numLayers, batch, hiddenSize]. */
  c?: Tensor;
}

/**
 * A unidirectional recurrent layer run one step at a time in evaluation mode
 * (no dropout), its state kept in wasm memory; T steps equal forward() over
 * the same T steps. Steps allocate nothing: step() and run() return a VIEW
 * into wasm memory that is valid only until the next call on this stream (or
 * anything that may grow wasm memory); pass `out` for a copy you keep.
 * Disposing the layer disposes its streams.
 */
export interface RecurrentStream<K extends TapRecord = TapRecord> {
  readonly mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU' | 'MinGRU' | 'MinLSTM';
  readonly batch: number;
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly numLayers: number;
  readonly tapsEnabled: boolean;
  readonly disposed: boolean;
  /** x: batch * inputSize values -> batch * outputSize (a view, or `out`). */
  step(x: Float32Array, out?: Float32Array): Float32Array;
  /** xs: steps * batch * inputSize, time-major -> steps * batch * outputSize (a view, or `out`). */
  run(xs: Float32Array, steps?: number, out?: Float32Array): Float32Array;
  /** State back to zeros. */
  reset(): void;
  /** Copies of the state. */
  getState(): StreamState;
  /** Sets the state (a missing part is zeros). */
  setState(state: Partial<StreamState>): void;
  /** Per layer, the internals of the last step (copies); needs { taps: true }. */
  taps(): K[];
  /** Frees the stream; idempotent; later use throws DISPOSED. */
  dispose(): void;
  [Symbol.dispose](): void;
}

// ---- RNN, LSTM, GRU, continued (js/recurrent.js) ----

export interface BackwardGrads {
  /** d loss / d output, shaped like output; default zeros. */
  dOutput?: Tensor;
  /** d loss / d hN, shaped like hN; default zeros. */
  dhN?: Tensor;
  /** LSTM only: d loss / d cN; default zeros. */
  dcN?: Tensor;
  /**
   * false: skip the input gradient (no dx in the result), as PyTorch does
   * for an input that does not require grad. Default true.
   */
  dx?: boolean;
}

export interface BackwardResult {
  /** Shaped and laid out like x. */
  dx: Tensor;
  /** Shaped like h0. */
  dh0: Tensor;
  /** LSTM only; shaped like c0. */
  dc0?: Tensor;
}

export interface RecurrentLayer extends Module {
  readonly mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU' | 'MinGRU' | 'MinLSTM';
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly bidirectional: boolean;
  readonly dropout: number;
  readonly seed: number;
  readonly numDirections: 1 | 2;
  readonly projSize: number;
  /** Size of h: projSize for a projected LSTM, else hiddenSize. */
  readonly outputSize: number;
  /** mode === 'LSTM'. */
  readonly isLSTM: boolean;
  /** The dropout generator's state (a copy); assign it back to replay the same masks. */
  rngState: Uint32Array;
  /** Whole-sequence forward from h0 (and c0); returns copies. */
  forward(x: Tensor, state: ForwardState & { output: false }): NoOutput<ForwardResult>;
  forward(x: Tensor, state?: ForwardState): ForwardResult;
  /** BPTT through the last forward; parameter gradients accumulate. One backward per forward. */
  backward(grads: BackwardGrads & { dx: false }): Omit<BackwardResult, 'dx'>;
  backward(grads?: BackwardGrads): BackwardResult;
  /** Streaming inference (unidirectional layers; bidirectional throws UNSUPPORTED). */
  stream(options?: StreamOptions): RecurrentStream;
}

export interface RNN extends RecurrentLayer {
  readonly mode: 'RNN_TANH' | 'RNN_RELU';
  readonly isLSTM: false;
  readonly nonlinearity: 'tanh' | 'relu';
  forward(x: Tensor, state: ForwardState & { output: false }): NoOutput<ForwardResult<RNNTaps<Tensor>>>;
  forward(x: Tensor, state?: ForwardState): ForwardResult<RNNTaps<Tensor>>;
  stream(options?: StreamOptions): RecurrentStream<RNNTaps>;
}
export interface LSTM extends RecurrentLayer {
  readonly mode: 'LSTM';
  readonly isLSTM: true;
  readonly gateActivation: GateActivation;
  forward(x: Tensor, state: ForwardState & { output: false }): NoOutput<ForwardResult<LSTMTaps<Tensor>>> & { cN: Tensor };
  forward(x: Tensor, state?: ForwardState): ForwardResult<LSTMTaps<Tensor>> & { cN: Tensor };
  stream(options?: StreamOptions): RecurrentStream<LSTMTaps>;
  backward(grads: BackwardGrads & { dx: false }): Omit<BackwardResult, 'dx'> & { dc0: Tensor };
  backward(grads?: BackwardGrads): BackwardResult & { dc0: Tensor };
}
export interface GRU extends RecurrentLayer {
  readonly mode: 'GRU';
  readonly isLSTM: false;
  readonly gateActivation: GateActivation;
  readonly resetAfter: boolean;
  forward(x: Tensor, state: ForwardState & { output: false }): NoOutput<ForwardResult<GRUTaps<Tensor>>>;
  forward(x: Tensor, state?: ForwardState): ForwardResult<GRUTaps<Tensor>>;
  stream(options?: StreamOptions): RecurrentStream<GRUTaps>;
}
export interface MinCellOptions extends RecurrentOptions {
  /** The paper's log-space variant: h~ through g(x) = x + 0.5 (x >= 0), sigmoid(x) (x < 0); default false. */
  logSpace?: boolean;
}
/** minGRU (Feng et al. 2024): h = (1 - z) h + z h~, gates of x only; state_dict weight_ih_l{k} [2H, in], bias_ih_l{k}. */
export interface MinGRU extends RecurrentLayer {
  readonly mode: 'MinGRU';
  readonly isLSTM: false;
  readonly logSpace: boolean;
  forward(x: Tensor, state: ForwardState & { output: false }): NoOutput<ForwardResult<MinGRUTaps<Tensor>>>;
  forward(x: Tensor, state?: ForwardState): ForwardResult<MinGRUTaps<Tensor>>;
  stream(options?: StreamOptions): RecurrentStream<MinGRUTaps>;
}
/** minLSTM (Feng et al. 2024): h = f' h + i' h~ with f' = f / (f + i); state_dict weight_ih_l{k} [3H, in], bias_ih_l{k}. */
export interface MinLSTM extends RecurrentLayer {
  readonly mode: 'MinLSTM';
  readonly isLSTM: false;
  readonly logSpace: boolean;
  forward(x: Tensor, state: ForwardState & { output: false }): NoOutput<ForwardResult<MinLSTMTaps<Tensor>>>;
  forward(x: Tensor, state?: ForwardState): ForwardResult<MinLSTMTaps<Tensor>>;
  stream(options?: StreamOptions): RecurrentStream<MinLSTMTaps>;
}

// ---- optimizers and gradient clipping (js/optim.js) ----

export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** Adam: L2 added to the gradient, default 0. AdamW: decoupled, default 1e-2. */
  weightDecay?: number;
  /** Default false. */
  amsgrad?: boolean;
}

export interface SGDOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Default 0. */
  momentum?: number;
  /** Default 0. */
  dampening?: number;
  /** Default 0. */
  weightDecay?: number;
  /** Default false; needs momentum > 0 and dampening 0. */
  nesterov?: boolean;
}

export type OptimizerKind = 'Adam' | 'AdamW' | 'SGD';

/** An optimizer's full configuration (the options with their defaults; unused ones are 0 / false). */
export interface OptimizerSettings {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  momentum: number;
  dampening: number;
  nesterov: boolean;
}

/**
 * An optimizer's moment buffers (PyTorch's state names): flat Float32Arrays
 * over all its parameters, in parameter order. exp_avg and exp_avg_sq for
 * Adam / AdamW, max_exp_avg_sq with amsgrad, momentum_buffer for SGD with
 * momentum > 0.
 */
export interface OptimizerBuffers {
  exp_avg?: Float32Array;
  exp_avg_sq?: Float32Array;
  max_exp_avg_sq?: Float32Array;
  momentum_buffer?: Float32Array;
}

/** What Optimizer.getState returns (copies): for checkpoints. */
export interface OptimizerState {
  kind: OptimizerKind;
  /** stepCount. */
  steps: number;
  config: OptimizerSettings;
  buffers: OptimizerBuffers;
}

export interface Optimizer {
  readonly params: Parameter[];
  /** Settable (a number >= 0), for learning-rate schedules. */
  lr: number;
  /** Number of step() calls so far. */
  readonly stepCount: number;
  /** Zeroes the gradients of the parameters it updates. */
  zeroGrad(): void;
  /** One update from the accumulated gradients. */
  step(): void;
  /** Copies of the state (step count, configuration, moment buffers). */
  getState(): OptimizerState;
  /**
   * Restores getState()'s result into an optimizer of the same kind over the
   * same parameters: the buffers it has and steps, and config.lr when given
   * (the rest of config is not read). Another kind or a bad steps throws
   * INVALID_ARGUMENT, a missing or mis-sized buffer SHAPE, before anything
   * is written.
   */
  setState(state: Omit<OptimizerState, 'config'> & { config?: Partial<OptimizerSettings> }): void;
  /** Frees the moment buffers; idempotent. */
  dispose(): void;
  [Symbol.dispose](): void;
}

// ---- Linear, Embedding, Dropout, LayerNorm, CausalConv1d, ReLU, GELU (js/layers.js) ----

export interface LinearOptions {
  inFeatures: number;
  outFeatures: number;
  /** Default true. */
  bias?: boolean;
  /** Seed of the weight init (unsigned 32-bit); default random. */
  seed?: number;
}

/** The gradient of a loss with respect to a layer's last output. */
export interface LayerGrads {
  dOutput: Tensor;
}

/** nn.Linear: state_dict `weight` [out, in] and `bias` [out]; init U(-1/sqrt(in), 1/sqrt(in)). */
export interface Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly bias: boolean;
  readonly seed: number;
  /** x: [..., inFeatures] (at least 1-D) -> [..., outFeatures]. */
  forward(x: Tensor): Tensor;
  /** Returns dx and accumulates the weight and bias gradients. One backward per forward. */
  backward(grads: LayerGrads): { dx: Tensor };
}

/** Integer indices: a tensor with integer data, or a bare array (1-D). */
export interface IndexTensor {
  shape: number[];
  data: Int32Array | Uint32Array | number[];
}
export type Indices = IndexTensor | Int32Array | Uint32Array | number[];

export interface EmbeddingOptions {
  numEmbeddings: number;
  embeddingDim: number;
  /** A row that starts at zero and never gets gradient; negative counts from the end. Default none. */
  paddingIdx?: number | null;
  /** Seed of the N(0, 1) init (unsigned 32-bit); default random. */
  seed?: number;
}

/** nn.Embedding: state_dict `weight` [numEmbeddings, embeddingDim]. */
export interface Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Normalized to [0, numEmbeddings), or null. */
  readonly paddingIdx: number | null;
  readonly seed: number;
  /** ids: any shape, values in [0, numEmbeddings) -> [...ids.shape, embeddingDim]. */
  forward(ids: Indices): Tensor;
  /** Scatter-adds dOutput into the weight gradient; ids have no gradient. One backward per forward. */
  backward(grads: LayerGrads): Record<string, never>;
}

export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1); default 0.5. */
  p?: number;
  /** Seed of the mask generator (unsigned 32-bit); default random. */
  seed?: number;
}

/** nn.Dropout: inverted dropout in training mode, identity after eval(). No parameters. */
export interface Dropout extends Module {
  readonly p: number;
  readonly seed: number;
  /** The mask generator's state (a copy); assign it back to replay the same masks. */
  rngState: Uint32Array;
  forward(x: Tensor): Tensor;
  /** dx = dOutput times the last forward's mask. One backward per forward. */
  backward(grads: LayerGrads): { dx: Tensor };
}

export interface LayerNormOptions {
  /** The size of the last dimension (or [size]): the dimension normalised. */
  normalizedShape: number | [number];
  /** In (0, 1]; default 1e-5. */
  eps?: number;
}

/** nn.LayerNorm over the last dimension: state_dict `weight` (ones) and `bias` (zeros), [normalizedShape]. */
export interface LayerNorm extends Module {
  readonly normalizedShape: number;
  readonly eps: number;
  /** x: [..., normalizedShape] -> the same shape. */
  forward(x: Tensor): Tensor;
  /** Returns dx and accumulates the weight and bias gradients. One backward per forward. */
  backward(grads: LayerGrads): { dx: Tensor };
}

export interface CausalConv1dOptions {
  /** C: the size of the last dimension, in [1, 2^20]; each channel is convolved on its own (groups = C). */
  channels: number;
  /** k, in [1, 256]: each output mixes its channel's last k inputs (k - 1 of context). */
  kernelSize: number;
  /** Default true. */
  bias?: boolean;
  /** Seed of the U(-1/sqrt(k), 1/sqrt(k)) init (unsigned 32-bit); default random. */
  seed?: number;
}

/** CausalConv1d's carried state: the inputs before t = 0 of the next forward. */
export interface CausalConv1dState {
  /** [B, kernelSize - 1, channels]: each sequence's last k - 1 inputs up to its length. */
  context: Tensor;
}

export interface CausalConv1dForwardOptions {
  /** One length per sequence, in [1, T]: outputs are 0 at and past it, and the next context ends there. */
  lengths?: readonly number[] | Int32Array;
  /** A previous layer.state: its context stands before t = 0 (null / absent: zeros, a fresh sequence). */
  state?: CausalConv1dState | null;
}

/**
 * A depthwise causal convolution over time: PyTorch's nn.Conv1d(C, C, k,
 * groups=C) on [B, C, T] with k - 1 zeros of left padding (tools/min_rnn.py
 * CausalConv1d), on batch-first [B, T, C]. state_dict `weight` [C, 1, k] and
 * `bias` [C]. It carries state like a recurrent layer: Sequential hands it
 * { lengths, state } and keeps its state, so chunks see one long sequence.
 */
export interface CausalConv1d extends Module {
  readonly channels: number;
  readonly kernelSize: number;
  readonly bias: boolean;
  readonly seed: number;
  /** Always true: Sequential passes this layer { lengths, state } and keeps its state. */
  readonly carriesState: true;
  /** Set by each forward: the context for the next one (null before the first forward). */
  state: CausalConv1dState | null;
  /** x: [B, T, channels] -> the same shape. */
  forward(x: Tensor, options?: CausalConv1dForwardOptions): Tensor;
  /** Returns dx and accumulates the weight and bias gradients (none reaches the context). One backward per forward. */
  backward(grads: LayerGrads): { dx: Tensor };
}

/** nn.ReLU / nn.GELU (exact, erf form): elementwise, no parameters (like Pool: no state-dict methods). */
export interface Activation {
  readonly numParams: 0;
  forward(x: Tensor): Tensor;
  backward(grads: LayerGrads): { dx: Tensor };
  train(mode?: boolean): this;
  eval(): this;
  dispose(): void;
}

// ---- losses (js/losses.js): rnn.losses ----

export type Reduction = 'mean' | 'sum' | 'none';

/**
 * A loss and grad = d loss / d input (to pass to backward as dOutput). With
 * reduction 'none', loss is the per-element Tensor and grad is for its sum.
 */
export interface LossResult<L extends number | Tensor = number> {
  loss: L;
  grad: Tensor;
}

export interface MseOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
}

export interface BceWithLogitsOptions {
  /** Default 'mean'. */
  reduction?: Reduction;
  /** [C] (the input's last dimension) or [1]: weights of the positive term. */
  posWeight?: Tensor;
}

export interface CrossEntropyOptions {
  /** Default 'mean' (over the targets that are not ignored). */
  reduction?: Reduction;
  /** Targets with this value count for nothing; default -100. */
  ignoreIndex?: number;
  /** In [0, 1]; default 0. */
  labelSmoothing?: number;
}

/** Options of losses.ctc. */
export interface CtcOptions {
  /** 'mean' (default: each loss divided by its target length, then the mean over the batch), 'sum' or 'none'. */
  reduction?: 'mean' | 'sum' | 'none';
  /** The blank's class index; default 0. */
  blank?: number;
  /** Impossible alignments cost 0 (and give a zero gradient) instead of +Infinity; default false. */
  zeroInfinity?: boolean;
  /** The input holds logits; the log_softmax over the classes is applied inside (fused); default false. */
  fromLogits?: boolean;
  /** The input is [B, T, C] (and so is grad); default false ([T, B, C]). */
  batchFirst?: boolean;
}

/** CTC targets: a padded tensor [B, S], one concatenated list of all targets, or B label arrays. */
export type CtcTargets = Indices | ArrayLike<number> | ArrayLike<number>[];

type Reduced<O> = O & { reduction?: 'mean' | 'sum' };
type Unreduced<O> = O & { reduction: 'none' };

/** torch.nn.functional losses, computed in double precision. */
export interface Losses {
  /** F.mse_loss; input and target of one shape. */
  mse(input: Tensor, target: Tensor, options: Unreduced<MseOptions>): LossResult<Tensor>;
  mse(input: Tensor, target: Tensor, options?: Reduced<MseOptions>): LossResult<number>;
  mse(input: Tensor, target: Tensor, options?: MseOptions): LossResult<number | Tensor>;
  /** F.binary_cross_entropy_with_logits; input and target of one shape. */
  bceWithLogits(input: Tensor, target: Tensor, options: Unreduced<BceWithLogitsOptions>): LossResult<Tensor>;
  bceWithLogits(input: Tensor, target: Tensor, options?: Reduced<BceWithLogitsOptions>): LossResult<number>;
  bceWithLogits(input: Tensor, target: Tensor, options?: BceWithLogitsOptions): LossResult<number | Tensor>;
  /**
   * F.cross_entropy with class indices: input [N, C] and target [N],
   * [N, C, d1, ...] and [N, d1, ...], or [C] and a 0-d target (or a number).
   */
  crossEntropy(input: Tensor, target: Indices | number, options: Unreduced<CrossEntropyOptions>): LossResult<Tensor>;
  crossEntropy(input: Tensor, target: Indices | number, options?: Reduced<CrossEntropyOptions>): LossResult<number>;
  crossEntropy(input: Tensor, target: Indices | number, options?: CrossEntropyOptions): LossResult<number | Tensor>;
  /**
   * F.ctc_loss: input [T, B, C] ([B, T, C] with batchFirst) log-probabilities
   * (or logits with fromLogits) or [T, C]; B input and target lengths. 'none' gives the B
   * per-sequence losses. grad has the input's shape (PyTorch's gradient).
   */
  ctc(input: Tensor, targets: CtcTargets, inputLengths: ArrayLike<number> | number, targetLengths: ArrayLike<number> | number, options: Unreduced<CtcOptions>): LossResult<Tensor>;
  ctc(input: Tensor, targets: CtcTargets, inputLengths: ArrayLike<number> | number, targetLengths: ArrayLike<number> | number, options?: Reduced<CtcOptions>): LossResult<number>;
  ctc(input: Tensor, targets: CtcTargets, inputLengths: ArrayLike<number> | number, targetLengths: ArrayLike<number> | number, options?: CtcOptions): LossResult<number | Tensor>;
}

// ---- data: data helpers (js/data.js, one job per file in js/data/), as rnn.data or `import { data }` ----

/** A seed: an integer in [0, 2^53 - 1] or a bigint in [0, 2^64 - 1]. */
export type Seed = number | bigint;

/** xoshiro128** seeded through splitmix64: the engine's generator (src/rng.c). */
export interface Rng {
  /** The seed it was created with (random when none was given). */
  readonly seed: Seed;
  /** The next 32-bit output (rnn_rng_u32). */
  nextU32(): number;
  /** In [0, 1) with 24 random bits (rnn_rng_uniform(g, 0, 1)). */
  uniform(): number;
  /** Standard normal (Box-Muller in pairs, as the Embedding init). */
  normal(): number;
  /** An unbiased integer in [0, n), n in [1, 2^32]. */
  int(n: number): number;
  /** A copy of the 4 state words. */
  state(): Uint32Array;
  /** Restores state() (not all zero); drops a kept normal(). */
  setState(state: Uint32Array | ArrayLike<number>): void;
}

export type NumericTypedArray =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Uint8ClampedArray
  | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** An integer tensor (e.g. token ids); fits Indices / IndexTensor. */
export interface IntTensor {
  shape: number[];
  data: Int32Array;
}

export interface TrainValSplitOptions {
  /** In (0, 1); default 0.1. Both parts are non-empty when there are >= 2 items. */
  valFraction?: number;
  /** Default true; false keeps the order and takes the last items as val. */
  shuffle?: boolean;
  /** Seed of the shuffle (or give rng); default random. */
  seed?: Seed;
  rng?: Rng;
}

export interface CharVocab {
  /** The characters from id 2 on. */
  readonly chars: readonly string[];
  /** ['<pad>', '<unk>', ...chars]: the token of each id. */
  readonly tokens: readonly string[];
  /** Number of ids, '<pad>' and '<unk>' included. */
  readonly size: number;
  /** The id of a character (1 when unknown). */
  id(char: string): number;
  /** One id per code point; unknown characters are 1. */
  encode(text: string): Int32Array;
  /** Padding skipped, unknown as U+FFFD. */
  decode(ids: ArrayLike<number>): string;
  toJSON(): CharVocabJSON;
}
export interface CharVocabJSON {
  type: 'CharVocab';
  chars: string[];
}
export interface CharVocabClass {
  new (chars: string[]): CharVocab;
  /** Code points of text with >= minCount (default 1) occurrences, sorted by code point. */
  fromText(text: string, options?: { minCount?: number }): CharVocab;
  /** Also the compact form: chars as one string ('abc'), as model files' metadata holds it. */
  fromJSON(json: CharVocabJSON | { type: 'CharVocab'; chars: string }): CharVocab;
}

export interface WordVocabOptions {
  /** Default 1. */
  minCount?: number;
  /** Most ids in all, '<pad>' and '<unk>' included (>= 2); default no limit. */
  maxSize?: number;
  /** Default true. */
  lowercase?: boolean;
}
export interface WordVocab {
  /** The tokens from id 2 on (most frequent first). */
  readonly words: readonly string[];
  /** ['<pad>', '<unk>', ...words]: the token of each id. */
  readonly tokens: readonly string[];
  readonly lowercase: boolean;
  /** Number of ids, '<pad>' and '<unk>' included. */
  readonly size: number;
  /** The id of a token (1 when unknown). */
  id(token: string): number;
  /** The ids of WordVocab.tokenize(text); unknown tokens are 1. */
  encode(text: string): Int32Array;
  /** Tokens joined by spaces; padding skipped, unknown as '<unk>'. */
  decode(ids: ArrayLike<number>): string;
  toJSON(): WordVocabJSON;
}
export interface WordVocabJSON {
  type: 'WordVocab';
  lowercase: boolean;
  words: string[];
}
export interface WordVocabClass {
  new (words: string[], options?: { lowercase?: boolean }): WordVocab;
  /** Lowercase, then text.match(/[a-z0-9']+|[^\sa-z0-9']/g): words and single punctuation marks. */
  tokenize(text: string, options?: { lowercase?: boolean }): string[];
  /** Ordered by descending count, ties by code unit order. */
  fromTexts(texts: string | string[], options?: WordVocabOptions): WordVocab;
  /** Also the compact form: the words joined by single spaces ('the . , and'), as model files' metadata holds it. */
  fromJSON(json: WordVocabJSON | { type: 'WordVocab'; lowercase?: boolean; words: string }): WordVocab;
}

export interface PadSequencesOptions {
  /** Cap on T; default the longest sequence. */
  maxLength?: number;
  /** Default 0 ('<pad>'). */
  padValue?: number;
  /** Which part of a too-long sequence is cut: 'post' (default, keeps the start) or 'pre'. */
  truncate?: 'post' | 'pre';
}

export interface BatchesOptions {
  batchSize: number;
  /** Default true. */
  shuffle?: boolean;
  /** Same batches for the same seed; default random. */
  seed?: Seed;
  /** A generator, advanced by each call: a new order every epoch. */
  rng?: Rng;
  /** Drop a last, smaller batch; default false. */
  dropLast?: boolean;
}

export interface Normalizer {
  readonly mean: number;
  /** Population std (1 for a constant series). */
  readonly std: number;
  /** (v - mean) / std. */
  apply(values: ArrayLike<number> | Tensor): Float32Array;
  /** v * std + mean. */
  invert(values: ArrayLike<number> | Tensor): Float32Array;
}

export interface SlidingWindowsOptions {
  window: number;
  /** Default 1. */
  horizon?: number;
  /** Default 1. */
  stride?: number;
}

export interface Csv {
  columns: string[];
  rows: string[][];
}
export interface ReadCsvOptions {
  /** Default true: the first row names the columns (else '0', '1', ...). */
  header?: boolean;
  /** Default ','. */
  delimiter?: string;
  /** Default '"'; null: no quoting (e.g. for TSV whose text holds quotes). */
  quote?: string | null;
}

export interface DataHelpers {
  createRng(seed?: Seed): Rng;
  /** A shuffled copy (Fisher-Yates); a seed repeats, an rng advances. Default random. */
  shuffle<T>(array: readonly T[], seedOrRng?: Seed | Rng): T[];
  shuffle<A extends NumericTypedArray>(array: A, seedOrRng?: Seed | Rng): A;
  trainValSplit<T>(items: readonly T[], options?: TrainValSplitOptions): { train: T[]; val: T[] };
  trainValSplit<A extends NumericTypedArray>(items: A, options?: TrainValSplitOptions): { train: A; val: A };
  /** [0, 1, ..., n - 1]. */
  range(n: number): number[];
  readonly PAD_ID: 0;
  readonly UNK_ID: 1;
  readonly PAD: '<pad>';
  readonly UNK: '<unk>';
  CharVocab: CharVocabClass;
  WordVocab: WordVocabClass;
  /** ids [B, T] (padding after each sequence) and lengths for the recurrent layers. */
  padSequences(seqs: ArrayLike<number>[], options?: PadSequencesOptions): { ids: IntTensor; lengths: Int32Array };
  /** Index lists covering 0..n-1 once each. */
  batches(n: number, options: BatchesOptions): number[][];
  /** Tensors of one shape -> [B, ...shape]. */
  stack(tensors: Tensor[]): Tensor;
  /** Rows of a batch-first tensor, same data type. */
  take<D extends NumericTypedArray>(t: { shape: number[]; data: D }, indices: ArrayLike<number>): { shape: number[]; data: D };
  /** x [N, length] and next-token targets y [N, length]; stride defaults to length. */
  nextTokenWindows(ids: ArrayLike<number>, options: { length: number; stride?: number }): { x: IntTensor; y: IntTensor };
  /** z-score fitted on values (population std). */
  normalizer(values: ArrayLike<number> | Tensor): Normalizer;
  /** [T] -> x [N, window, 1], y [N, horizon]; tensor [T, C] -> x [N, window, C], y [N, horizon, C]. */
  slidingWindows(series: ArrayLike<number> | Tensor, options: SlidingWindowsOptions): { x: Tensor; y: Tensor };
  readCsv(text: string, options?: ReadCsvOptions): Csv;
  /** A column by name or index; default parse: strict numbers (empty / non-numeric cells throw). */
  column(csv: Csv, name: string | number): number[];
  column<T>(csv: Csv, name: string | number, parse: (cell: string, row: number) => T): T[];
}

/** The data helpers (also rnn.data). */
export declare const data: DataHelpers;

// ---- the API object init() resolves to (js/index.js binds every class to its engine) ----

export interface Rnn {
  RNN: new (options: RNNOptions) => RNN;
  LSTM: new (options: LSTMOptions) => LSTM;
  GRU: new (options: GRUOptions) => GRU;
  MinGRU: new (options: MinCellOptions) => MinGRU;
  MinLSTM: new (options: MinCellOptions) => MinLSTM;
  /** torch.optim.Adam semantics. */
  Adam: new (params: Parameter[], options?: AdamOptions) => Optimizer;
  /** torch.optim.AdamW semantics. */
  AdamW: new (params: Parameter[], options?: AdamOptions) => Optimizer;
  /** torch.optim.SGD semantics. */
  SGD: new (params: Parameter[], options?: SGDOptions) => Optimizer;
  /** torch.nn.utils.clip_grad_norm_: returns the total norm before clipping. */
  clipGradNorm(params: Parameter[], maxNorm: number): number;
  /** nn.Linear. */
  Linear: new (options: LinearOptions) => Linear;
  /** nn.Embedding. */
  Embedding: new (options: EmbeddingOptions) => Embedding;
  /** nn.Dropout. */
  Dropout: new (options?: DropoutOptions) => Dropout;
  /** nn.LayerNorm over the last dimension. */
  LayerNorm: new (options: LayerNormOptions) => LayerNorm;
  /** A depthwise causal nn.Conv1d over time, carrying its context between chunks. */
  CausalConv1d: new (options: CausalConv1dOptions) => CausalConv1d;
  /** nn.ReLU. */
  ReLU: new () => Activation;
  /** nn.GELU (approximate 'none'). */
  GELU: new () => Activation;
  /** mse, bceWithLogits, crossEntropy. */
  losses: Losses;
  tensor: typeof tensor;
  /** Data helpers: rng, shuffling, vocabularies, padding, batches, windows, CSV. */
  readonly data: DataHelpers;
  /** Read / write safetensors files (PyTorch interop; see tools/README.md). */
  readonly safetensors: {
    parse: typeof parseSafetensors;
    serialize: typeof serializeSafetensors;
  };
  RnnError: typeof RnnError;
  ErrorCode: typeof ErrorCode;
  readonly backend: 'wasm-relaxed-simd' | 'wasm-simd128' | 'wasm-scalar';
  /** The same, as init({ build }) names it. */
  readonly build: EngineBuild;
  /** Threads this instance computes on (see InitOptions.threads). */
  readonly threads: number;
  threadStats(): ThreadStats;
  /**
   * Turns the finite-value checks on or off: every float tensor the API
   * takes in (inputs, initial states, gradients, targets, state dicts, stream
   * steps) is scanned for NaN / Infinity, which throws NON_FINITE naming it.
   * Off by default (the scan costs one pass over the data); one switch for
   * the whole page or process, not per API object. Returns the previous setting.
   */
  setCheckFinite(on: boolean): boolean;
  /** Whether the finite-value checks are on (see setCheckFinite). */
  readonly checkFinite: boolean;
  /** Bytes of wasm linear memory (it grows, never shrinks). */
  memoryBytes(): number;
}

// ---- Pool and Sequential (js/sequential.js) ----

export type PoolMode = 'last' | 'mean' | 'final';

export interface PoolOptions {
  /** Default 'last'. */
  mode?: PoolMode;
}

/** The context Sequential passes to Pool.forward. */
export interface PoolContext {
  /** One length per sequence; default all T. */
  lengths?: ArrayLike<number>;
  /** The preceding recurrent layer and the hN of its last forward ('final' needs it). */
  prev?: { layer: RecurrentLayer; hN: Tensor } | null;
}

/**
 * new rnn.Pool({ mode }): per-step outputs [B, T, F] -> one vector per
 * sequence [B, F]. 'last': the output at each sequence's last step
 * (t = length - 1); 'mean': the mean over its steps; 'final': the preceding
 * recurrent layer's final hidden state of its top layer, both directions
 * concatenated as cat(h_n[-2], h_n[-1]) ([B, D * Hout]; x is not read, and
 * without ctx.prev it throws STATE). No parameters and no wasm memory:
 * dispose() does nothing and there is no [Symbol.dispose].
 */
export interface PoolLayer {
  readonly mode: PoolMode;
  readonly numParams: 0;
  /** Its spec, as modelSpec gives it. */
  readonly spec: { type: 'Pool'; mode: PoolMode };
  /** No-op (no dropout); returns this. */
  train(mode?: boolean): this;
  /** No-op; returns this. */
  eval(): this;
  forward(x: Tensor, ctx?: PoolContext): Tensor;
  /**
   * dy: d loss / d output (a Tensor, not { dOutput }). Returns { dx } (per
   * step, [B, T, F]) or, for 'final', { dhN } for the recurrent layer. One
   * backward per forward.
   */
  backward(dy: Tensor): { dx?: Tensor; dhN?: Tensor };
  dispose(): void;
}
/** What new rnn.Pool(...) makes. */
export type Pool = PoolLayer;

/**
 * A layer of your own in a Sequential: forward(x) -> y and
 * backward({ dOutput }) -> { dx } (dx may be left out by a first layer), and
 * train(mode) and dispose(), which Sequential calls on every layer. The
 * optional members are used when present (parameters and state dicts under
 * the layer's index).
 */
export interface CustomLayer {
  forward(x: Tensor): Tensor;
  backward(grads: LayerGrads): { dx?: Tensor };
  train(mode?: boolean): unknown;
  dispose(): void;
  readonly numParams?: number;
  parameters?(): Parameter[];
  stateDict?(): StateDict;
  grads?(): StateDict;
  loadStateDict?(sd: StateDict): unknown;
  zeroGrad?(): void;
}

/**
 * What a Sequential runs. Recurrent layers must have batchFirst: true (else
 * INVALID_ARGUMENT), so every tensor between layers is [B, T, features].
 */
export type SequentialLayer = RecurrentLayer | Linear | Embedding | Dropout | LayerNorm | CausalConv1d | Activation | PoolLayer
  | Sequential<any> | CustomLayer;

/**
 * model.state of a Sequential: the final states of its recurrent layers
 * ({ hN, cN }) and CausalConv1d layers ({ context }), by layer index. A nested
 * Sequential's or Residual's entry is its own state (`model.state[1][1].hN`),
 * which the numeric index signature allows.
 */
export interface SequentialState {
  [layerIndex: number]: { hN?: Tensor; cN?: Tensor; context?: Tensor; [nestedIndex: number]: any };
}

export interface SequentialForwardOptions {
  /** One length per sequence, for every recurrent layer and Pool (pack_padded_sequence semantics). */
  lengths?: readonly number[] | Int32Array;
  /**
   * A previous model.state: the recurrent layers start from it (h0 / c0),
   * without gradient (truncated BPTT).
   */
  state?: SequentialState | null;
}

/**
 * new rnn.Sequential(layers): runs the layers in order, forward and backward
 * (nn.Sequential). Children are named '0', '1', ..., so state-dict keys are
 * '0.weight', '1.weight_ih_l0', ...; train / eval / zeroGrad / dispose apply
 * to every layer.
 */
export interface Sequential<L extends SequentialLayer[] = SequentialLayer[]> extends Module {
  readonly layers: L;
  /** Set by each forward: the recurrent layers' final states (null before the first forward). */
  state: SequentialState | null;
  /** x: the first layer's input (ids for an Embedding, [B, T, F] floats for a recurrent layer) -> the last layer's output. */
  forward(x: Tensor | Indices, options?: SequentialForwardOptions): Tensor;
  /**
   * dOutput: d loss / d the last output, as a Tensor or as { dOutput } (the
   * layers' form, so a Sequential nests in another). BPTT through every
   * layer; gradients accumulate. One backward per forward. Returns the
   * gradient of the input (null when the first layer is an Embedding).
   */
  backward(dOutput: Tensor | { dOutput: Tensor }): { dx: Tensor | null };
}

export interface Rnn {
  /** A model of layers run in order; recurrent layers need batchFirst: true. */
  Sequential: new <L extends SequentialLayer[]>(layers: [...L]) => Sequential<L>;
  /** [B, T, F] -> [B, F]: last step, mean, or the recurrent layer's final state. */
  Pool: new (options?: PoolOptions) => PoolLayer;
  /** x + layers(x): a Sequential whose output is added to its input (the layers keep x's shape). */
  Residual: new <L extends SequentialLayer[]>(layers: [...L]) => Sequential<L>;
}

// ---- the speech front-end (js/audio.js): rnn.audio ----

/** Kaldi's fbank options (torchaudio.compliance.kaldi.fbank's, in camelCase). */
export interface FbankOptions {
  /** Hz; default 16000. */
  sampleRate?: number;
  /** ms; default 25 (truncated to whole samples, as Kaldi does). */
  frameLength?: number;
  /** ms; default 10. */
  frameShift?: number;
  /** default 40. */
  numMelBins?: number;
  /** default 'povey' (the Hann window to the power 0.85). */
  window?: 'povey' | 'hann' | 'hamming';
  /** Hz; default 20. */
  lowFreq?: number;
  /** Hz; default 0 (the Nyquist frequency; negative counts down from it). */
  highFreq?: number;
  /** default 0.97. */
  preemphasis?: number;
  /** default true. */
  removeDcOffset?: boolean;
  /** The log's floor; default 1.1920928955078125e-7 (float32 epsilon, torchaudio's). */
  logFloor?: number;
}

/** Streaming features: push samples as they come, get the frames they complete. */
export interface Fbank extends Disposable {
  readonly sampleRate: number;
  /** In samples. */
  readonly frameLength: number;
  /** In samples. */
  readonly frameShift: number;
  readonly numMelBins: number;
  readonly normalize: 'none' | 'running';
  readonly disposed: boolean;
  /** A whole clip's frames [frames, numMelBins] (not normalised; the stream is not touched). */
  compute(samples: Float32Array | ArrayLike<number>): Tensor;
  /** The frames these samples complete, [k, numMelBins] (k may be 0); normalised with 'running'. */
  push(samples: Float32Array | ArrayLike<number>): Tensor;
  /** A new stream: pending samples and running statistics dropped. */
  reset(): void;
  dispose(): void;
}

// ---- CTC decoding (js/ctc.js): rnn.ctc, or import { ctcGreedy, ... } ----

/** Per-frame log-probabilities: a tensor [T, C] (or [T, 1, C]) or T frames of C scores. */
export type CtcFrames = Tensor | ArrayLike<number>[];

export interface CtcSearchOptions {
  /** The blank's class index; default 0. */
  blank?: number;
  /** Hypotheses kept per frame; default 8. */
  beamWidth?: number;
  /** A log-score of appending next after labels (ngramPrior makes one). */
  prior?: (labels: readonly number[], next: number) => number;
  /** Multiplies the prior's scores; default 1. */
  priorWeight?: number;
  /** Label sequences the result must be one of. */
  lexicon?: ArrayLike<number>[];
}

export interface CtcHypothesis {
  labels: Int32Array;
  /** Log-probability of the labels (summed over their alignments), plus the prior's scores. */
  score: number;
}

/** Best-path decoding: the most likely class per frame, repeats collapsed, blanks dropped. */
export declare function ctcGreedy(logProbs: CtcFrames, options?: { blank?: number }): CtcHypothesis;
/** Prefix beam search; the hypotheses best first (with a lexicon, complete entries only). */
export declare function ctcBeamSearch(logProbs: CtcFrames, options?: CtcSearchOptions): CtcHypothesis[];
/** CTC decoding one frame at a time. */
export declare class CtcStreamDecoder {
  constructor(options: CtcSearchOptions & { classes: number });
  /** Frames pushed so far. */
  readonly frames: number;
  /** stable: the prefix no later frame can change; hypothesis: the best so far. */
  push(frame: ArrayLike<number>): { stable: Int32Array; hypothesis: Int32Array };
  /** What ctcBeamSearch gives over the frames pushed. */
  finish(): CtcHypothesis[];
}
/** An n-gram prior from counts: table[context][label] = count, context = previous order - 1 labels joined by ','. */
export declare function ngramPrior(options: { order: number; table: Record<string, Record<string, number>>; classes: number; alpha?: number }): (labels: readonly number[], next: number) => number;

// ---- the training loop (js/fit.js, js/checkpoint.js): rnn.fit, tbpttBatches, checkpoints ----

/** One batch: x ([B, T, F] floats, or [B, T] ids), y, optional per-sequence lengths. */
/** The y of a batch for loss 'ctc': losses.ctc's arguments. */
export interface CtcBatchTargets {
  targets: CtcTargets;
  inputLengths: ArrayLike<number>;
  targetLengths: ArrayLike<number>;
}

export interface FitBatch {
  /** x.shape[0] counts the examples (for examplesPerSec). */
  x: Tensor | IndexTensor;
  y: Tensor | IndexTensor | CtcBatchTargets;
  lengths?: readonly number[] | Int32Array;
}

/** Losses fit knows by name ('bce' is bceWithLogits). */
export type LossName = 'mse' | 'bce' | 'bceWithLogits' | 'crossEntropy' | 'ctc';

/**
 * What fit trains: Sequential, models.SentimentLSTM, models.Seq2Seq, or an
 * object of your own with these members (a bare RNN / LSTM / GRU / Linear
 * does not fit: wrap it in a Sequential).
 */
export interface FitModel {
  /** Called as forward(batch.x, { lengths: batch.lengths, state }); state is the previous batch's model.state with tbptt, else undefined. */
  forward(x: any, options: { lengths?: any; state?: any }): Tensor;
  /** Called with the loss's grad. */
  backward(dOutput: Tensor): unknown;
  parameters(): Parameter[];
  train(mode?: boolean): unknown;
  eval(): unknown;
  /** Needed by earlyStopping (restoreBest), checkpointEvery and resume. */
  stateDict?(): StateDict;
  loadStateDict?(sd: StateDict): unknown;
  /** Read after each batch with tbptt. */
  readonly state?: unknown;
}

/** fit's early stopping: monitors valLoss (the training loss without val). */
export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping; default Infinity. */
  patience?: number;
  /** The improvement that counts; default 0. */
  minDelta?: number;
  /** Load the best epoch's weights back when it stops early; default true. */
  restoreBest?: boolean;
}

export interface FitOptions<B extends FitBatch = FitBatch> {
  /** Non-empty. */
  train: B[];
  /** Evaluated (eval mode) at the end of every epoch. */
  val?: B[];
  /** A name or (output, y) => { loss, grad }; default 'mse'. */
  loss?: LossName | ((output: Tensor, target: B['y']) => LossResult<number>);
  /** Default 1. */
  epochs?: number;
  /** A name or config (created here, disposed at the end) or an optimizer (used as is); default 'adam'. */
  optimizer?: OptimizerConfig | Optimizer;
  /** Overrides the config's lr (not an optimizer instance's). */
  lr?: number;
  /** Applied before every step; step counts from 0. Default: constant. */
  lrSchedule?: LrScheduleConfig | ((step: number, epoch: number) => number) | null;
  /** Max global gradient norm (> 0); default no clipping. */
  clipGradNorm?: number;
  /** Computed on val: valAccuracy. */
  metrics?: 'accuracy'[];
  earlyStopping?: EarlyStoppingOptions;
  /** Truncated BPTT: model.state carries from batch to batch (no shuffling). Default false. */
  tbptt?: boolean;
  /** Seed of the batch-order shuffle; default 0. */
  seed?: Seed;
  /** Default true. */
  shuffle?: boolean;
  /** Every progressEvery steps, and at every epoch end; throwing stops training. */
  onProgress?: (record: FitProgress | FitEpochRecord) => void;
  /** Default 1. */
  progressEvery?: number;
  /** Checked before every step: aborted -> history.stopped 'cancelled'. */
  signal?: AbortSignal;
  /** Polled before every step: paused waits, cancelled stops (as signal). */
  control?: { paused?: boolean; cancelled?: boolean };
  /** Yield to the event loop after this many ms; default 50. */
  yieldEveryMs?: number;
  /** Call (and await) onCheckpoint every this many steps; default 0 (off). */
  checkpointEvery?: number;
  onCheckpoint?: (bytes: Uint8Array, info: { step: number; epoch: number }) => void | Promise<void>;
  /** A checkpoint to continue from (same model, data and options: bit-identical). */
  resume?: Uint8Array;
  /** Stop after this many steps in all; default Infinity. */
  maxSteps?: number;
}

/** fit's progress record of one step (step counts from 1). */
export interface FitProgress {
  step: number;
  epoch: number;
  /** Index in the epoch's batch order. */
  batch: number;
  loss: number;
  lr: number;
  /** The global gradient norm before clipping. */
  gradNorm: number;
  examplesPerSec: number;
  stepsPerSec: number;
  etaSeconds: number;
  /** min(maxSteps, epochs * train.length). */
  totalSteps: number;
  epochEnd?: undefined;
}

/** fit's record at the end of an epoch (valLoss / valAccuracy with val / metrics). */
export interface FitEpochRecord {
  step: number;
  epoch: number;
  epochEnd: true;
  /** Mean training loss of the epoch. */
  loss: number;
  valLoss?: number;
  valAccuracy?: number;
}

/** What fit resolves to. */
export interface FitHistory {
  epochs: { epoch: number; loss: number; valLoss?: number; valAccuracy?: number }[];
  /** Steps in all, resumed ones included. */
  steps: number;
  stopped: 'completed' | 'cancelled' | 'earlyStopping' | 'maxSteps';
  /** -1 without earlyStopping. */
  bestEpoch: number;
}

export interface TbpttBatchesOptions {
  /** Contiguous streams side by side (a positive integer). */
  batchSize: number;
  /** Steps per chunk (a positive integer). */
  k: number;
}

/** A tbpttBatches chunk: x [batchSize, k] and y = x shifted by one token. */
export interface TbpttBatch {
  x: IntTensor;
  y: IntTensor;
}

/** Where fit's checkpoints are in the loop (their `position`). */
export interface FitCheckpointPosition {
  step: number;
  epoch: number;
  batch: number;
  /** The epoch's batch order, or null at an epoch boundary. */
  order: number[] | null;
}

export interface SaveCheckpointOptions {
  /** Its stateDict() and the states of its dropout generators are saved. */
  model: { stateDict(): StateDict };
  /** Its getState() is saved. */
  optimizer: Optimizer;
  /** Any JSON-serialisable value (fit saves a FitCheckpointPosition); default {}. */
  position?: unknown;
  /** A data.createRng generator whose state is saved; default none. */
  dataRng?: Rng | null;
}

export interface LoadedCheckpoint<P = unknown> {
  /** The saved position (JSON; P is not checked). */
  position: P;
  /** The saved dataRng's state (for rng.setState), or null. */
  dataRng: Uint32Array | null;
}

export interface Rnn {
  /**
   * The training loop on this thread (it yields to the event loop every
   * yieldEveryMs): epochs, shuffling, optimizer, schedules, clipping,
   * validation, early stopping, tbptt, checkpoints. Rejects with NON_FINITE
   * when a loss or gradient is not finite (the model keeps the last good
   * weights). Leaves the model in training mode.
   */
  fit<B extends FitBatch = FitBatch>(model: FitModel, options: FitOptions<B>): Promise<FitHistory>;
  /**
   * char-rnn's loader: ids (an Int32Array, else DTYPE) split into batchSize
   * contiguous streams, cut into chunks of k steps, for fit({ tbptt: true }).
   * Too few ids for one chunk: SHAPE.
   */
  tbpttBatches(ids: Int32Array, options: TbpttBatchesOptions): TbpttBatch[];
  /** The speech front-end (js/audio.js, src/fbank.c): log-mel filterbank features. */
  readonly audio: {
    /** Features of a whole clip: [frames, numMelBins]. */
    fbank(samples: Float32Array | ArrayLike<number>, options?: FbankOptions & { normalize?: 'none' | 'utterance' }): Tensor;
    Fbank: new (options?: FbankOptions & { normalize?: 'none' | 'running'; decay?: number }) => Fbank;
  };
  /** CTC decoders (js/ctc.js): greedy, prefix beam search, streaming, n-gram prior. */
  readonly ctc: {
    greedy: typeof ctcGreedy;
    beamSearch: typeof ctcBeamSearch;
    StreamDecoder: typeof CtcStreamDecoder;
    ngramPrior: typeof ngramPrior;
  };
  /**
   * Everything needed to resume, as a safetensors file: model.* weights,
   * optimizer.* buffers, and metadata (format 'rnn-wasm-checkpoint',
   * optimizer kind / steps / config, generator states, position).
   */
  saveCheckpoint(options: SaveCheckpointOptions): Uint8Array;
  /**
   * Restores a checkpoint into a model and optimizer (same kind, same
   * parameters) and the model's dropout generators. All or nothing: if the
   * optimizer rejects its state, the model gets its previous weights back.
   * Bytes without format 'rnn-wasm-checkpoint' (or with bad metadata JSON)
   * throw INVALID_ARGUMENT; malformed files FORMAT.
   */
  loadCheckpoint<P = unknown>(
    bytes: Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView,
    target: { model: { stateDict(): StateDict; loadStateDict(sd: StateDict): unknown }; optimizer: Optimizer },
  ): LoadedCheckpoint<P>;
}

// ---- model specs and training in a worker (js/spec.js, js/trainer.js, js/trainer-worker.js) ----

export interface RNNSpec extends RNNOptions { type: 'RNN'; }
export interface LSTMSpec extends LSTMOptions { type: 'LSTM'; }
export interface GRUSpec extends GRUOptions { type: 'GRU'; }
export interface MinGRUSpec extends MinCellOptions { type: 'MinGRU'; }
export interface MinLSTMSpec extends MinCellOptions { type: 'MinLSTM'; }
export interface LinearSpec extends LinearOptions { type: 'Linear'; }
export interface LayerNormSpec extends LayerNormOptions { type: 'LayerNorm'; }
export interface CausalConv1dSpec extends CausalConv1dOptions { type: 'CausalConv1d'; }
export interface ActivationSpec { type: 'ReLU' | 'GELU'; }
export interface ResidualSpec { type: 'Residual'; layers: ModelSpec[]; }
export interface EmbeddingSpec extends EmbeddingOptions { type: 'Embedding'; }
export interface DropoutSpec extends DropoutOptions { type: 'Dropout'; }
export interface PoolSpec extends PoolOptions { type: 'Pool'; }
export interface SequentialSpec { type: 'Sequential'; layers: ModelSpec[]; }
export interface SentimentLSTMSpec extends SentimentLSTMOptions { type: 'SentimentLSTM'; }
/**
 * A JSON-serialisable model description: { type, ...the constructor's
 * options } (seeds included, so a rebuilt model starts from the same initial
 * weights). No weights: pair it with stateDict().
 */
export type ModelSpec =
  | RNNSpec | LSTMSpec | GRUSpec | MinGRUSpec | MinLSTMSpec | LinearSpec | EmbeddingSpec | DropoutSpec
  | LayerNormSpec | CausalConv1dSpec | ActivationSpec | PoolSpec | SequentialSpec | ResidualSpec | SentimentLSTMSpec;

/**
 * The spec of a model (RNN, LSTM, GRU, MinGRU, MinLSTM, Linear, Embedding,
 * Dropout, LayerNorm, CausalConv1d, ReLU, GELU, Pool, Sequential, Residual,
 * models.SentimentLSTM); anything else (Seq2Seq included) throws
 * UNSUPPORTED, a disposed model DISPOSED.
 */
export declare function modelSpec(model: object): ModelSpec;

/** Every model buildModel can make. */
export type BuiltModel = RNN | LSTM | GRU | MinGRU | MinLSTM | Linear | Embedding | Dropout | PoolLayer | Sequential | SentimentLSTM;

/**
 * rnn.buildModel(spec), or rnn.buildModel(otherRnn, spec) with another API
 * object's classes. An unknown type throws INVALID_ARGUMENT.
 */
export interface BuildModel {
  (spec: RNNSpec): RNN;
  (spec: LSTMSpec): LSTM;
  (spec: GRUSpec): GRU;
  (spec: MinGRUSpec): MinGRU;
  (spec: MinLSTMSpec): MinLSTM;
  (spec: LinearSpec): Linear;
  (spec: EmbeddingSpec): Embedding;
  (spec: DropoutSpec): Dropout;
  (spec: PoolSpec): PoolLayer;
  (spec: SequentialSpec): Sequential;
  (spec: SentimentLSTMSpec): SentimentLSTM;
  (spec: ModelSpec): BuiltModel;
  (rnn: Rnn, spec: RNNSpec): RNN;
  (rnn: Rnn, spec: LSTMSpec): LSTM;
  (rnn: Rnn, spec: GRUSpec): GRU;
  (rnn: Rnn, spec: MinGRUSpec): MinGRU;
  (rnn: Rnn, spec: MinLSTMSpec): MinLSTM;
  (rnn: Rnn, spec: LinearSpec): Linear;
  (rnn: Rnn, spec: EmbeddingSpec): Embedding;
  (rnn: Rnn, spec: DropoutSpec): Dropout;
  (rnn: Rnn, spec: PoolSpec): PoolLayer;
  (rnn: Rnn, spec: SequentialSpec): Sequential;
  (rnn: Rnn, spec: SentimentLSTMSpec): SentimentLSTM;
  (rnn: Rnn, spec: ModelSpec): BuiltModel;
}

/**
 * A new model from modelSpec()'s spec, with the classes of `rnn` (what
 * init() resolves to); the same seeds give the same initial weights. An
 * unknown type throws INVALID_ARGUMENT.
 */
export declare function buildModel(rnn: Rnn, spec: RNNSpec): RNN;
export declare function buildModel(rnn: Rnn, spec: LSTMSpec): LSTM;
export declare function buildModel(rnn: Rnn, spec: GRUSpec): GRU;
export declare function buildModel(rnn: Rnn, spec: LinearSpec): Linear;
export declare function buildModel(rnn: Rnn, spec: EmbeddingSpec): Embedding;
export declare function buildModel(rnn: Rnn, spec: DropoutSpec): Dropout;
export declare function buildModel(rnn: Rnn, spec: PoolSpec): PoolLayer;
export declare function buildModel(rnn: Rnn, spec: SequentialSpec): Sequential;
export declare function buildModel(rnn: Rnn, spec: SentimentLSTMSpec): SentimentLSTM;
export declare function buildModel(rnn: Rnn, spec: ModelSpec): BuiltModel;

/** A batch for a Trainer (the same as fit's). */
export type TrainerBatch = FitBatch;

/** Learning-rate schedules that can cross to a worker (no functions). */
export type LrScheduleConfig =
  | { type: 'step'; stepSize: number; gamma?: number }
  | { type: 'exponential'; gamma?: number }
  | { type: 'cosine'; totalSteps: number; minLr?: number; warmupSteps?: number };

/** An optimizer by name or config; the worker creates it. */
export type OptimizerConfig =
  | 'adam' | 'adamw' | 'sgd'
  | ({ type?: 'adam' | 'adamw' } & AdamOptions)
  | ({ type: 'sgd' } & SGDOptions);

/** fit's progress record of one step, from the worker. */
export type TrainerProgress = FitProgress;
/** fit's epoch-end record, from the worker. */
export type TrainerEpochRecord = FitEpochRecord;
/** fit's history, from the worker. */
export type TrainerHistory = FitHistory;

/**
 * fit's options minus what cannot cross threads (functions, optimizer
 * instances, the control object), plus the trainer's own.
 */
export interface TrainerOptions
  extends Omit<FitOptions<TrainerBatch>, 'loss' | 'optimizer' | 'lrSchedule' | 'control' | 'onProgress' | 'onCheckpoint'> {
  /** The model to train: its spec, weights and dropout generator states go to the worker. */
  model: object & { stateDict(): StateDict };
  /** A name only (a loss function cannot cross threads). Default 'mse'. */
  loss?: LossName;
  optimizer?: OptimizerConfig;
  /** An object only (a function cannot cross threads). */
  lrSchedule?: LrScheduleConfig | null;
  /** Load the result's weights (and generator states) into this model (true: `model`) before done resolves; also on NON_FINITE (the last good weights). Default: the model is left as it was. */
  applyTo?: (object & { loadStateDict(sd: StateDict): unknown }) | boolean;
  /** Same as on('progress', fn). */
  onProgress?: (record: TrainerProgress | TrainerEpochRecord) => void;
  /** Same as on('checkpoint', fn). */
  onCheckpoint?: (bytes: Uint8Array, info: { step: number; epoch: number }) => void;
  /** Aborting it cancels, as trainer.cancel(). */
  signal?: AbortSignal;
  /** Transfer the batches' buffers instead of copying them (the caller's arrays become detached). Default false. */
  transferData?: boolean;
  /** Where trainer-worker.js is, when a bundler moves it; default next to trainer.js. */
  workerUrl?: string | URL;
  /** How the worker loads the engine; default the same build (SIMD or scalar) as this API. */
  init?: { build?: EngineBuild; simd?: boolean; wasmBinary?: ArrayBuffer | ArrayBufferView; wasmUrl?: string | URL; threads?: number | 'auto' };
}

export interface TrainerResult {
  history: TrainerHistory;
  /** The trained weights (Float32Arrays the worker transferred). */
  stateDict: StateDict;
  /** The dropout generator states, by module name. */
  rngStates: Record<string, Uint32Array>;
  /** Threads the worker trained on (init.threads; 1 where threads are not available). */
  threads: number;
}

/** What done rejects with when fit fails in the worker (code preserved, e.g. NON_FINITE). */
export interface TrainerError extends RnnError {
  /** The weights of the last good step, when the model had been built. */
  stateDict?: StateDict;
}

export type TrainerStatus = 'starting' | 'running' | 'paused' | 'done' | 'failed' | 'terminated';

/** Trains a model in a worker (a module Web Worker in browsers, a worker_threads Worker in Node). */
export declare class Trainer {
  constructor(options: TrainerOptions);
  /** Resolves when training ends (completed, early stopping, maxSteps, cancelled); rejects with a TrainerError. */
  readonly done: Promise<TrainerResult>;
  readonly status: TrainerStatus;
  /** The last step's progress record, or null. */
  readonly lastProgress: TrainerProgress | null;
  /** Every fit progress record (epoch ends included). A listener that throws stops training. */
  on(event: 'progress', fn: (record: TrainerProgress | TrainerEpochRecord) => void): this;
  on(event: 'epoch', fn: (record: TrainerEpochRecord) => void): this;
  on(event: 'checkpoint', fn: (bytes: Uint8Array, info: { step: number; epoch: number }) => void): this;
  on(event: 'paused' | 'resumed', fn: (info: { step: number }) => void): this;
  off(event: 'progress' | 'epoch' | 'checkpoint' | 'paused' | 'resumed', fn: (...args: any[]) => void): this;
  /** The same promise as done. */
  result(): Promise<TrainerResult>;
  /** Resolves once the worker has stopped stepping (no progress arrives until resume). */
  pause(): Promise<{ step: number }>;
  resume(): Promise<{ step: number }>;
  /** Stops after the current step; done resolves with history.stopped 'cancelled' and the weights so far. */
  cancel(): Promise<TrainerResult>;
  /** Ends the worker now; a pending done rejects with code STATE. */
  terminate(): Promise<void>;
}

/** new Trainer(options). */
export declare function createTrainer(options: TrainerOptions): Trainer;

export interface Rnn {
  /** The spec of a model (see modelSpec). */
  modelSpec(model: object): ModelSpec;
  /** A new model from a spec, with this API's classes. */
  buildModel: BuildModel;
  /** Trains in a worker that loads this same engine build. */
  createTrainer(options: TrainerOptions): Trainer;
  Trainer: typeof Trainer;
}

// ---- models.Seq2Seq (js/seq2seq.js; attention and decoding in js/seq2seq/) ----

export interface Seq2SeqOptions {
  /** Source vocabulary size in [2, 2^30] (ids 0..srcVocab-1; 0 = padding). */
  srcVocab: number;
  /** Target vocabulary size in [3, 2^30] (0 = padding; must hold bosId and eosId). */
  tgtVocab: number;
  /** In [1, 65536]; default 64. */
  embedDim?: number;
  /** In [1, 16384]; default 128; encoder and decoder share it (the encoder's final state starts the decoder). */
  hiddenDim?: number;
  /** Recurrent cell of encoder and decoder; default 'lstm'. */
  cell?: 'lstm' | 'gru';
  /** In [1, 64]; default 1. */
  numLayers?: number;
  /** Luong attention: score h_t . h_s ('dot') or h_t . W_a h_s ('general'); default 'none'. */
  attention?: 'none' | 'dot' | 'general';
  /** Dropout on both embeddings and between stacked layers, in [0, 1); default 0. */
  dropout?: number;
  /** Teacher-forcing ratio in [0, 1] for training forwards; default 1. */
  teacherForcing?: number;
  /**
   * Begin-of-sequence target id in [1, tgtVocab - 1]; default
   * min(2, tgtVocab - 1) (2 unless the vocabulary is smaller).
   */
  bosId?: number;
  /**
   * End-of-sequence target id in [1, tgtVocab - 1], not bosId; default
   * min(3, tgtVocab - 1) (3 unless the vocabulary is smaller: with tgtVocab 3
   * both defaults are 2, so give one of them).
   */
  eosId?: number;
  /** Seed (unsigned 32-bit) of the initial weights, dropout masks and scheduled sampling; default random. */
  seed?: number;
}

/** Padded source ids [B, S], optionally carrying the teacher-forced decoder inputs [B, T]. */
export interface Seq2SeqSource extends IndexTensor {
  decoderInput?: IndexTensor;
}

/** One id sequence (an array or a typed array of integers). */
export type IdSequence = readonly number[] | NumericTypedArray;

/** A batch for fit (Seq2Seq.makeBatches): targets padded with -100. */
export interface Seq2SeqBatch {
  x: Seq2SeqSource & { decoderInput: IntTensor };
  y: IntTensor;
  lengths: Int32Array;
}

export interface Seq2SeqForwardOptions {
  /** Source lengths in [1, S], any order, with a padded [B, S] src; default all S. */
  lengths?: IdSequence;
  /** [B, T]: each row [bosId, y_0, ..., y_{n-1}] then 0 padding; default src.decoderInput. */
  decoderInput?: IndexTensor;
  /** Only null / undefined (what fit passes); carrying state is not supported. */
  state?: null;
}

/** Called for every emitted token (never EOS), in order per example. */
export type TokenCallback = (example: number, token: number, position: number) => void;

export interface GreedyOptions {
  /** Source lengths, with a padded [B, S] tensor (not with an array of sequences). */
  lengths?: IdSequence;
  /** Decoder steps at most (EOS included); default 2 * source length + 10. */
  maxLength?: number;
  onToken?: TokenCallback;
}

export interface BeamSearchOptions extends GreedyOptions {
  /** Hypotheses per example; default 5 (1 = greedy). */
  beamWidth?: number;
  /** alpha of score = logProb / length^alpha (length = steps incl. EOS); default 1, 0 = raw log-probability. */
  lengthNormalization?: number;
}

export interface DecodeResult {
  /** Output ids without BOS / EOS. */
  tokens: Int32Array;
  /** Sum of the log-probabilities of the tokens (and EOS when it ended with one). */
  logProb: number;
  /** Whether it ended with EOS (false: it reached maxLength). */
  eos: boolean;
}

export interface BeamResult extends DecodeResult {
  /** logProb / length^lengthNormalization: what the beam ranks by. */
  score: number;
}

/** Sources for decoding: a padded [B, S] id tensor (with options.lengths), or an array of id sequences. */
export type Seq2SeqInput = IndexTensor | IdSequence[];

/**
 * Encoder-decoder with optional Luong attention; state_dict keys as the
 * PyTorch twin: encoder.embedding.weight, encoder.lstm.weight_ih_l0 (or
 * encoder.gru.*), decoder.embedding.weight, decoder.lstm.*, decoder.attn.weight
 * ('general'), decoder.concat.weight / bias (attention), decoder.fc.weight / bias.
 */
export interface Seq2Seq extends Module {
  readonly srcVocab: number;
  readonly tgtVocab: number;
  readonly embedDim: number;
  readonly hiddenDim: number;
  readonly numLayers: number;
  readonly cell: 'lstm' | 'gru';
  readonly attention: 'none' | 'dot' | 'general';
  readonly dropout: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly seed: number;
  /** Teacher-forcing ratio in [0, 1] of training forwards (settable: scheduled sampling). */
  teacherForcing: number;
  /** The encoder's modules (embedding, lstm / gru, embeddingDropout with dropout). */
  readonly encoder: Module;
  /** The decoder's modules (embedding, lstm / gru, attn, concat, fc, embeddingDropout). */
  readonly decoder: Module;
  /**
   * Teacher-forced logits [B, T, tgtVocab] (scheduled sampling in training
   * mode when teacherForcing < 1). decoderInput: options.decoderInput or
   * src.decoderInput (neither: INVALID_ARGUMENT).
   */
  forward(src: Seq2SeqSource | IdSequence[], options?: Seq2SeqForwardOptions): Tensor;
  /** Backpropagates d loss / d logits of the last forward; accumulates all parameter gradients. */
  backward(dLogits: Tensor): void;
  /**
   * Batches for fit: sources and targets as id sequences (ids in [1, vocab);
   * targets without BOS / EOS). Defaults: batchSize 32, shuffle true, seed 0.
   */
  makeBatches(sources: IdSequence[], targets: IdSequence[],
    options?: { batchSize?: number; shuffle?: boolean; seed?: number }): Seq2SeqBatch[];
  /** Greedy decoding, batched. */
  greedy(src: Seq2SeqInput, options?: GreedyOptions): DecodeResult[];
  /** Beam search, batched; onToken streams each result token once it is certain. */
  beamSearch(src: Seq2SeqInput, options?: BeamSearchOptions): BeamResult[];
}

// ---- models.SentimentLSTM (js/sentiment-lstm.js) ----

export interface SentimentLSTMOptions {
  /** >= 2 (id 0 is padding). */
  vocabSize: number;
  /** Default 128. */
  embedDim?: number;
  /** Default 256. */
  hiddenDim?: number;
  /** In [1, 64]; default 2. */
  numLayers?: number;
  /** In [0, 1): on the embeddings, the pooled state and between LSTM layers; default 0.3. */
  dropout?: number;
  /** Seed (unsigned 32-bit) every part's seed is derived from; default random. */
  seed?: number;
}

/**
 * The classic text sentiment classifier, state_dict as its PyTorch twin:
 * embedding (padding_idx 0) -> dropout -> bidirectional batch-first LSTM over
 * packed lengths -> h = cat(h_n[-2], h_n[-1]) -> dropout -> fc (2 * hiddenDim
 * -> 1): one logit per sequence (train with loss 'bce'). Keys embedding.weight,
 * lstm.* (with _reverse), fc.weight, fc.bias.
 */
export interface SentimentLSTM extends Module {
  readonly embedding: Embedding;
  readonly lstm: LSTM;
  readonly fc: Linear;
  readonly vocabSize: number;
  readonly embedDim: number;
  readonly hiddenDim: number;
  readonly numLayers: number;
  readonly dropout: number;
  readonly seed: number;
  /**
   * ids: [B, T] token ids (0 = padding); lengths: one per sequence in [1, T],
   * any order, also as { lengths } (the form fit passes). Returns the logits [B].
   */
  forward(ids: IndexTensor,
    lengths?: readonly number[] | Int32Array | { lengths?: readonly number[] | Int32Array; state?: unknown }): Tensor;
  /** dLogits: d loss / d logits ([B]); accumulates every parameter gradient. One backward per forward. */
  backward(dLogits: Tensor): void;
}

/** Ready-made models (rnn.models). */
export interface Models {
  /** Bidirectional-LSTM text classifier (one logit per sequence). */
  SentimentLSTM: new (options: SentimentLSTMOptions) => SentimentLSTM;
  /** Encoder-decoder with optional Luong attention. */
  Seq2Seq: new (options: Seq2SeqOptions) => Seq2Seq;
}

export interface Rnn {
  readonly models: Models;
}

// ---- TF.js / Keras LayersModel import and export (js/keras.js, loaded on first use; parts in js/keras/) ----

/** TF.js's ModelArtifacts, as tf.io.withSaveHandler hands them over. */
export interface LayersModelArtifacts {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: string; quantization?: object }[];
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  [key: string]: unknown;
}

/** Bytes: a Uint8Array (any ArrayBufferView) or an ArrayBuffer. */
export type Bytes = ArrayBufferView | ArrayBuffer;

/**
 * Where a LayersModel is read from: the URL of model.json (shards fetched
 * beside it); its Files (one .json and the shards); { modelJson, weights }
 * with weights by path or as one buffer; or TF.js's ModelArtifacts.
 */
export type LayersModelSource =
  | string
  | URL
  | File[]
  | FileList
  | { modelJson: object | string | Bytes; weights?: Record<string, Bytes> | Bytes }
  | LayersModelArtifacts;

export interface LoadLayersModelOptions {
  /** Replaces globalThis.fetch for URL sources. */
  fetch?: (url: string) => Promise<{ ok: boolean; status?: number; arrayBuffer(): Promise<ArrayBuffer> }>;
  /** Seeds the dropout layers' generators; default 0. */
  seed?: number;
}

/** An imported Keras / TF.js model: trains like any module (fit, optimizers, checkpoints). */
export interface LayersModel extends Module {
  /** ids [B, T] (an Embedding first) or floats [B, T, F] -> the last layer's output. */
  forward(x: Tensor | { shape: number[]; data: Int32Array | Float32Array }, options?: { lengths?: ArrayLike<number>; state?: undefined }): Tensor;
  backward(dOutput: Tensor | { dOutput: Tensor }): {};
  /** forward in evaluation mode, the mode restored afterwards. */
  predict(x: Tensor | { shape: number[]; data: Int32Array | Float32Array }, options?: { lengths?: ArrayLike<number> }): Tensor;
  /** true: the last layer's sigmoid / softmax is left out (for fit's 'bce' / 'crossEntropy'). */
  logits: boolean;
  /**
   * The gates of every recurrent layer over x (evaluation mode), per direction as
   * RNN / LSTM / GRU forward's { taps: true } gives them ([B, T, H]); with a mask, each
   * sequence's real steps come first.
   */
  gateTaps(x: Tensor | { shape: number[]; data: Int32Array | Float32Array }, options?: { lengths?: ArrayLike<number> }):
    { name: string; className: string; cell: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU'; taps: Record<string, Tensor>[] }[];
  readonly layers: { name: string; className: string }[];
  readonly inputShape: (number | null)[] | null;
  /** What loading noticed: non-finite weights, training-only options not applied here. */
  readonly warnings: string[];
  toLayersModel(options?: ToLayersModelOptions): LayersModelFiles;
}

export interface ToLayersModelOptions {
  /** The weights file's name in the manifest; default 'weights.bin'. */
  weightsPath?: string;
}

/** model.json (as an object) and its one weights file. */
export interface LayersModelFiles {
  modelJson: { format: 'layers-model'; modelTopology: object; weightsManifest: { paths: string[]; weights: object[] }[]; [key: string]: unknown };
  weightData: Uint8Array;
  /** 'model.json' and the weights file, as bytes to serve side by side. */
  files: Record<string, Uint8Array>;
}

export interface Rnn {
  /** Reads a TF.js LayersModel (model.json + weight shards) into an rnn-wasm model. */
  loadLayersModel(source: LayersModelSource, options?: LoadLayersModelOptions): Promise<LayersModel>;
  /** Writes a LayersModel or a native model as a TF.js LayersModel; refuses what TF.js cannot represent. */
  toLayersModel(model: LayersModel | Module, options?: ToLayersModelOptions): Promise<LayersModelFiles>;
}

// ---- ONNX import (js/onnx.js, loaded on first use; parts in js/onnx/) ----

export interface OnnxValueInfo {
  name: string;
  /** Element type of a graph input. */
  type?: 'float' | 'int';
  /** Declared dimensions: numbers, names of dynamic axes, or null; null when undeclared. */
  shape: (number | string | null)[] | null;
}

/** An integer tensor for ONNX inputs (token ids, sequence_lens). */
export interface OnnxIntTensor {
  shape: number[];
  data: Int32Array | Uint32Array | BigInt64Array | Float64Array | number[];
}

export type OnnxInputs = Tensor | OnnxIntTensor | Record<string, Tensor | OnnxIntTensor>;

export interface OnnxStream {
  readonly batch: number;
  /** One time step (inputs with a time axis of 1) -> every output. */
  step(inputs: OnnxInputs): Record<string, Tensor>;
  /** States back to zeros (or the graph's initial states on the next step). */
  reset(): void;
  dispose(): void;
}

/** An imported ONNX graph on rnn-wasm layers: runs, trains and streams. */
export interface OnnxModel extends Module {
  readonly inputs: OnnxValueInfo[];
  readonly outputs: OnnxValueInfo[];
  readonly opset: number;
  readonly producer: string;
  /** Every output by name. */
  run(inputs: OnnxInputs): Record<string, Tensor>;
  /** One output (the first, or `output`). */
  forward(inputs: OnnxInputs, options?: { output?: string }): Tensor;
  /** Backward through the last run into the layers' gradients. */
  backward(dOutput: Tensor | Record<string, Tensor>): null;
  /** One time step per call, recurrent states kept (forward layers only). */
  stream(options?: { batch?: number }): OnnxStream;
}

export interface LoadOnnxOptions {
  /** Seed of the layers' generators (unused at inference). */
  seed?: number;
}

export interface Rnn {
  /**
   * Fetches the int8 code (js/int8.js and this engine build's rnn-int8*.wasm, ~5 KB gzipped) once;
   * after it resolves, quantize(), quantizedStateDict() and int8 state dicts work on this engine's modules.
   */
  loadInt8(): Promise<void>;
}

export interface Rnn {
  /** Reads an ONNX model (RNN / GRU / LSTM graphs and their glue) into an rnn-wasm model. */
  loadOnnx(bytes: Uint8Array | ArrayBuffer, options?: LoadOnnxOptions): Promise<OnnxModel>;
}

// ---- ONNX export (js/onnx/export.js, loaded on first use; protobuf in js/onnx/protobuf.js) ----

export interface ToOnnxOptions {
  /**
   * true: each recurrent module's initial states are graph inputs `<prefix>h0` (and `c0`),
   * [layers * directions, batch, H], and each CausalConv1d's context `<prefix>context0`,
   * [batch, kernelSize - 1, channels]; default false: they start at zero.
   */
  initialStates?: boolean;
  /** true: an int32 input `lengths` [batch], each sequence's length in [1, time], as forward's lengths. */
  lengths?: boolean;
  /** The model's doc_string. */
  docString?: string;
}

export interface Rnn {
  /**
   * A model buildModel makes (a recurrent layer, a Sequential, SentimentLSTM) as the bytes of an
   * ONNX model (IR 8, opset 17) computing it in evaluation mode, with dynamic batch and time axes:
   * input `input`, output `output`, and `<prefix>hn` / `cn` per recurrent module.
   */
  toOnnx(model: Module, options?: ToOnnxOptions): Promise<Uint8Array>;
}
