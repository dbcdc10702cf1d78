/// <reference lib="esnext.disposable" />
// Type declarations for rnn-wasm (hand-written; keep in step with js/*.js).

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

/** The one error class the library throws; `code` says what kind of problem. */
export declare class RnnError extends Error {
  constructor(code: ErrorCodeName, message: string);
  readonly name: 'RnnError';
  readonly code: ErrorCodeName;
}

/** A new tensor, zero-filled unless data is given (copied into a Float32Array). */
export declare function tensor(shape: number[], data?: ArrayLike<number>): Tensor;

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
  bytes: Uint8Array | ArrayBuffer | ArrayBufferView): SafetensorsFile<D>;

/**
 * Writes tensors (and optional string metadata) as safetensors bytes, exactly
 * as safetensors.torch.save_file does: e.g. serializeSafetensors(model.stateDict()).
 */
export declare function serializeSafetensors(
  tensors: Record<string, SafetensorsInput> | Map<string, SafetensorsInput>,
  metadata?: Record<string, string> | null): Uint8Array;

/** Whether this runtime supports WebAssembly SIMD128 (the fast build). */
export declare function simdSupported(): boolean;

export interface InitOptions {
  /** Force the SIMD128 (true) or scalar (false) build; default: detect. */
  simd?: boolean;
  /** The .wasm bytes, when you load them yourself (not memoized). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where 'rnn.wasm' / 'rnn-scalar.wasm' live, for custom hosting (not memoized). */
  locateFile?: (file: 'rnn.wasm' | 'rnn-scalar.wasm') => string | URL;
}

/** Loads the engine (memoized per build) and returns the API bound to it. */
export declare function init(options?: InitOptions): Promise<Rnn>;

/** One parameter tensor of a module, as given to optimizers. */
export interface Parameter {
  readonly module: Module;
  readonly name: string;
  readonly shape: number[];
  readonly numel: number;
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
  /** Sets all parameters; rejects missing, unexpected or mis-shaped keys and then changes nothing. */
  loadStateDict(sd: StateDict): this;
  zeroGrad(): void;
  train(mode?: boolean): this;
  eval(): this;
  /** Frees the wasm memory; idempotent; later use throws DISPOSED. */
  dispose(): void;
  [Symbol.dispose](): void;
}

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

export interface LSTMOptions extends RecurrentOptions {
  /** 0 (default) or P < hiddenSize: h_t = W_hr (o * tanh(c_t)) has P features. */
  projSize?: number;
}

export interface ForwardState {
  /** [numLayers * D, B, Hout] (Hout = projSize or hiddenSize); default zeros. */
  h0?: Tensor;
  /** LSTM only: [numLayers * D, B, hiddenSize]; default zeros. */
  c0?: Tensor;
  /**
   * One length in [1, T] per batch entry, any order: pack_padded_sequence
   * semantics (each sequence runs over its own steps only, outputs past its
   * length are 0, hN/cN are its true final states).
   */
  lengths?: ArrayLike<number> & (number[] | Int32Array);
  /**
   * Also return `taps`: every unit's per-step internals (copies). Default
   * false; costs nothing when off.
   */
  taps?: boolean;
}

export interface ForwardResult<K extends TapRecord<Tensor> = TapRecord<Tensor>> {
  /** [T, B, D * H] ([B, T, D * H] with batchFirst). */
  output: Tensor;
  /** [numLayers * D, B, H], index layer * D + direction. */
  hN: Tensor;
  /** LSTM only. */
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
export type TapRecord<T = Float32Array> = LSTMTaps<T> | GRUTaps<T> | RNNTaps<T>;

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
  readonly mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
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

export interface BackwardGrads {
  dOutput?: Tensor;
  dhN?: Tensor;
  /** LSTM only. */
  dcN?: Tensor;
}

export interface BackwardResult {
  dx: Tensor;
  dh0: Tensor;
  /** LSTM only. */
  dc0?: Tensor;
}

export interface RecurrentLayer extends Module {
  readonly mode: 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';
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
  /** The dropout generator's state (a copy); assign it back to replay the same masks. */
  rngState: Uint32Array;
  /** Whole-sequence forward from h0 (and c0); returns copies. */
  forward(x: Tensor, state?: ForwardState): ForwardResult;
  /** BPTT through the last forward; parameter gradients accumulate. One backward per forward. */
  backward(grads?: BackwardGrads): BackwardResult;
  /** Streaming inference (unidirectional layers; bidirectional throws UNSUPPORTED). */
  stream(options?: StreamOptions): RecurrentStream;
}

export interface RNN extends RecurrentLayer {
  readonly nonlinearity: 'tanh' | 'relu';
  forward(x: Tensor, state?: ForwardState): ForwardResult<RNNTaps<Tensor>>;
  stream(options?: StreamOptions): RecurrentStream<RNNTaps>;
}
export interface LSTM extends RecurrentLayer {
  forward(x: Tensor, state?: ForwardState): ForwardResult<LSTMTaps<Tensor>> & { cN: Tensor };
  stream(options?: StreamOptions): RecurrentStream<LSTMTaps>;
  backward(grads?: BackwardGrads): BackwardResult & { dc0: Tensor };
}
export interface GRU extends RecurrentLayer {
  forward(x: Tensor, state?: ForwardState): ForwardResult<GRUTaps<Tensor>>;
  stream(options?: StreamOptions): RecurrentStream<GRUTaps>;
}

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

export interface Optimizer {
  readonly params: Parameter[];
  /** Settable, for learning-rate schedules. */
  lr: number;
  readonly stepCount: number;
  zeroGrad(): void;
  step(): void;
  dispose(): void;
  [Symbol.dispose](): void;
}

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
}

// ---- data: data helpers (js/data.js), as rnn.data or `import { data }` ----

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
  fromJSON(json: CharVocabJSON): CharVocab;
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
  fromJSON(json: WordVocabJSON): WordVocab;
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

export interface Rnn {
  RNN: new (options: RNNOptions) => RNN;
  LSTM: new (options: LSTMOptions) => LSTM;
  GRU: new (options: RecurrentOptions) => GRU;
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
  readonly backend: 'wasm-simd128' | 'wasm-scalar';
  /** Bytes of wasm linear memory (it grows, never shrinks). */
  memoryBytes(): number;
}

// ---- model specs and training in a worker (js/spec.js, js/trainer.js, js/worker.js) ----

export interface RNNSpec extends RNNOptions { type: 'RNN'; }
export interface LSTMSpec extends LSTMOptions { type: 'LSTM'; }
export interface GRUSpec extends RecurrentOptions { type: 'GRU'; }
export interface LinearSpec extends LinearOptions { type: 'Linear'; }
export interface EmbeddingSpec extends EmbeddingOptions { type: 'Embedding'; }
export interface DropoutSpec extends DropoutOptions { type: 'Dropout'; }
export interface PoolSpec { type: 'Pool'; mode?: 'last' | 'mean' | 'final'; }
export interface SequentialSpec { type: 'Sequential'; layers: ModelSpec[]; }
export interface SentimentLSTMSpec {
  type: 'SentimentLSTM';
  vocabSize: number;
  embedDim?: number;
  hiddenDim?: number;
  numLayers?: number;
  dropout?: number;
  seed?: number;
}
/**
 * A JSON-serialisable model description: { type, ...the constructor's
 * options } (seeds included, so a rebuilt model starts from the same initial
 * weights). No weights: pair it with stateDict().
 */
export type ModelSpec =
  | RNNSpec | LSTMSpec | GRUSpec | LinearSpec | EmbeddingSpec | DropoutSpec
  | PoolSpec | SequentialSpec | SentimentLSTMSpec;

/** Pool: [B, T, F] -> [B, F] (no parameters). */
export interface PoolLayer {
  readonly mode: 'last' | 'mean' | 'final';
  forward(x: Tensor, ctx?: object): Tensor;
  backward(dy: Tensor): { dx?: Tensor; dhN?: Tensor };
  dispose(): void;
}

/** The spec of a model (RNN, LSTM, GRU, Linear, Embedding, Dropout, Pool, Sequential, SentimentLSTM); others throw UNSUPPORTED. */
export declare function modelSpec(model: object): ModelSpec;

export interface BuildModel {
  (spec: RNNSpec): RNN;
  (spec: LSTMSpec): LSTM;
  (spec: GRUSpec): GRU;
  (spec: LinearSpec): Linear;
  (spec: EmbeddingSpec): Embedding;
  (spec: DropoutSpec): Dropout;
  (spec: PoolSpec): PoolLayer;
  /** Sequential and SentimentLSTM are modules (stateDict, loadStateDict, ...) with forward / backward. */
  (spec: ModelSpec): Module;
}

/** A new model from modelSpec()'s spec, with the classes of `rnn` (what init() resolves to). */
export declare function buildModel(rnn: Rnn, spec: RNNSpec): RNN;
export declare function buildModel(rnn: Rnn, spec: LSTMSpec): LSTM;
export declare function buildModel(rnn: Rnn, spec: GRUSpec): GRU;
export declare function buildModel(rnn: Rnn, spec: LinearSpec): Linear;
export declare function buildModel(rnn: Rnn, spec: EmbeddingSpec): Embedding;
export declare function buildModel(rnn: Rnn, spec: DropoutSpec): Dropout;
export declare function buildModel(rnn: Rnn, spec: PoolSpec): PoolLayer;
export declare function buildModel(rnn: Rnn, spec: ModelSpec): Module;

/** One batch for training: x ([B, T, F] floats, or [B, T] ids), y, optional per-sequence lengths. */
export interface TrainerBatch {
  x: Tensor | IndexTensor;
  y: Tensor | IndexTensor;
  lengths?: number[] | Int32Array;
}

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

/** fit's progress record of one step. */
export interface TrainerProgress {
  step: number;
  epoch: number;
  batch: number;
  loss: number;
  lr: number;
  gradNorm: number;
  examplesPerSec: number;
  stepsPerSec: number;
  etaSeconds: number;
  totalSteps: number;
  epochEnd?: undefined;
}

/** fit's record at the end of an epoch (valLoss / valAccuracy with val / metrics). */
export interface TrainerEpochRecord {
  step: number;
  epoch: number;
  epochEnd: true;
  loss: number;
  valLoss?: number;
  valAccuracy?: number;
}

export interface TrainerHistory {
  epochs: { epoch: number; loss: number; valLoss?: number; valAccuracy?: number }[];
  steps: number;
  stopped: 'completed' | 'cancelled' | 'earlyStopping' | 'maxSteps';
  bestEpoch: number;
}

export interface TrainerOptions {
  /** The model to train: its spec, weights and dropout generator states go to the worker. */
  model: object & { stateDict(): StateDict };
  /** Batches; copied to the worker unless transferData. */
  train: TrainerBatch[];
  val?: TrainerBatch[];
  /** A name only (a loss function cannot cross threads). Default 'mse'. */
  loss?: 'mse' | 'bce' | 'bceWithLogits' | 'crossEntropy';
  epochs?: number;
  optimizer?: OptimizerConfig;
  lr?: number;
  /** An object only (a function cannot cross threads). */
  lrSchedule?: LrScheduleConfig | null;
  clipGradNorm?: number;
  metrics?: 'accuracy'[];
  earlyStopping?: { patience?: number; minDelta?: number; restoreBest?: boolean };
  tbptt?: boolean;
  seed?: number;
  shuffle?: boolean;
  progressEvery?: number;
  yieldEveryMs?: number;
  /** Emit a 'checkpoint' event (safetensors bytes) every this many steps. */
  checkpointEvery?: number;
  /** A checkpoint's bytes to resume from. */
  resume?: Uint8Array;
  maxSteps?: number;
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
  /** Where worker.js is, when a bundler moves it; default next to trainer.js. */
  workerUrl?: string | URL;
  /** How the worker loads the engine; default the same build (SIMD or scalar) as this API. */
  init?: { simd?: boolean; wasmBinary?: ArrayBuffer | Uint8Array; wasmUrl?: string | URL };
}

export interface TrainerResult {
  history: TrainerHistory;
  /** The trained weights (Float32Arrays the worker transferred). */
  stateDict: StateDict;
  /** The dropout generator states, by module name. */
  rngStates: Record<string, Uint32Array>;
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

// ---------------------------------------------------------------- Seq2Seq

export interface Seq2SeqOptions {
  /** Source vocabulary size (ids 0..srcVocab-1; 0 = padding). */
  srcVocab: number;
  /** Target vocabulary size (0 = padding; must hold bosId and eosId). */
  tgtVocab: number;
  /** Default 64. */
  embedDim?: number;
  /** Default 128; encoder and decoder share it (the encoder's final state starts the decoder). */
  hiddenDim?: number;
  /** Recurrent cell of encoder and decoder; default 'lstm'. */
  cell?: 'lstm' | 'gru';
  /** Default 1. */
  numLayers?: number;
  /** Luong attention: score h_t . h_s ('dot') or h_t . W_a h_s ('general'); default 'none'. */
  attention?: 'none' | 'dot' | 'general';
  /** Dropout on both embeddings and between stacked layers, in [0, 1); default 0. */
  dropout?: number;
  /** Teacher-forcing ratio in [0, 1] for training forwards; default 1. */
  teacherForcing?: number;
  /** Begin-of-sequence target id; default 2. */
  bosId?: number;
  /** End-of-sequence target id; default 3. */
  eosId?: number;
  /** Seed of the initial weights, dropout masks and scheduled sampling; default random. */
  seed?: number;
}

/** Padded sources [B, S] carrying the teacher-forced decoder inputs [B, T]. */
export interface Seq2SeqSource extends IntTensor {
  decoderInput?: IndexTensor;
}

/** A batch for fit (Seq2Seq.makeBatches): targets padded with -100. */
export interface Seq2SeqBatch {
  x: Seq2SeqSource & { decoderInput: IntTensor };
  y: IntTensor;
  lengths: Int32Array;
}

export interface Seq2SeqForwardOptions {
  /** Source lengths in [1, S], any order; default all S. */
  lengths?: ArrayLike<number>;
  /** [B, T]: each row [bosId, y_0, ..., y_{n-1}] then 0 padding; default src.decoderInput. */
  decoderInput?: IndexTensor;
  /** Only null / undefined (what fit passes); carrying state is not supported. */
  state?: null;
}

/** Called for every emitted token (never EOS), in order per example. */
export type TokenCallback = (example: number, token: number, position: number) => void;

export interface GreedyOptions {
  /** Source lengths, with a padded [B, S] tensor. */
  lengths?: ArrayLike<number>;
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
export type Seq2SeqInput = IndexTensor | ArrayLike<number>[];

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
  /** Teacher-forcing ratio of training forwards (settable: scheduled sampling). */
  teacherForcing: number;
  /** Teacher-forced logits [B, T, tgtVocab] (scheduled sampling in training mode when teacherForcing < 1). */
  forward(src: Seq2SeqSource | ArrayLike<number>[], options?: Seq2SeqForwardOptions): Tensor;
  /** Backpropagates d loss / d logits of the last forward; accumulates all parameter gradients. */
  backward(dLogits: Tensor): void;
  /** Batches for fit: sources and targets as id sequences (targets without BOS / EOS). */
  makeBatches(sources: ArrayLike<number>[], targets: ArrayLike<number>[],
    options?: { batchSize?: number; shuffle?: boolean; seed?: number }): Seq2SeqBatch[];
  /** Greedy decoding, batched. */
  greedy(src: Seq2SeqInput, options?: GreedyOptions): DecodeResult[];
  /** Beam search, batched; onToken streams each result token once it is certain. */
  beamSearch(src: Seq2SeqInput, options?: BeamSearchOptions): BeamResult[];
}

/** Ready-made models (rnn.models). */
export interface Models {
  Seq2Seq: new (options: Seq2SeqOptions) => Seq2Seq;
}

export interface Rnn {
  readonly models: Models;
}
