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
  | 'DISPOSED';

export declare const ErrorCode: Readonly<{ [K in ErrorCodeName]: K }>;

/** The one error class the library throws; `code` says what kind of problem. */
export declare class RnnError extends Error {
  constructor(code: ErrorCodeName, message: string);
  readonly name: 'RnnError';
  readonly code: ErrorCodeName;
}

/** A new tensor, zero-filled unless data is given (copied into a Float32Array). */
export declare function tensor(shape: number[], data?: ArrayLike<number>): Tensor;

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
}

export interface ForwardResult {
  /** [T, B, D * H] ([B, T, D * H] with batchFirst). */
  output: Tensor;
  /** [numLayers * D, B, H], index layer * D + direction. */
  hN: Tensor;
  /** LSTM only. */
  cN?: Tensor;
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
}

export interface RNN extends RecurrentLayer {
  readonly nonlinearity: 'tanh' | 'relu';
}
export interface LSTM extends RecurrentLayer {
  forward(x: Tensor, state?: ForwardState): ForwardResult & { cN: Tensor };
  backward(grads?: BackwardGrads): BackwardResult & { dc0: Tensor };
}
export interface GRU extends RecurrentLayer {}

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
  tensor: typeof tensor;
  RnnError: typeof RnnError;
  ErrorCode: typeof ErrorCode;
  readonly backend: 'wasm-simd128' | 'wasm-scalar';
  /** Bytes of wasm linear memory (it grows, never shrinks). */
  memoryBytes(): number;
}
